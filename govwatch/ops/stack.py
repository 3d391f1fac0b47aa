"""The production shape of `scripts/deploy`, started on loopback without systemd: PostgreSQL from
Debian's packages (a throw-away cluster), nginx with TLS in front of two gunicorn services and two
workers, each started with the very command its rendered unit file holds (ExecStart, %i filled
in) and the environment of the rendered EnvironmentFile. Used by the deployment test and by the
load benchmark (`govwatch bench --only load`).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .deploy import Layout, cpu_affinity, exec_start, read_env_file, write
from .pgcluster import PgCluster, free_port, on_cpus

NGINX_MAIN = """\
daemon off;
master_process on;
worker_processes 1;
$user
pid {root}/nginx.pid;
error_log {logs}/nginx-main-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    include {site};
}}
"""


class Stack:
    def __init__(self, extra_env: dict[str, str] | None = None, workers: int = 2, web_processes: int = 0,
                 root: Path | None = None, web_cpus: list[int] | None = None,
                 background_cpus: list[int] | None = None):  # fmt: skip
        self.root = root or Path(tempfile.mkdtemp(prefix="govwatch-deploy-", dir="/tmp"))
        self.root.chmod(0o755)  # nginx's workers read the static files
        self.fs = self.root / "fs"
        self.extra_env = extra_env or {}
        self.cluster: PgCluster | None = None
        self.processes: dict[str, subprocess.Popen] = {}
        app_dir = str(Path(__file__).resolve().parents[2])
        self.layout = Layout(
            domain="localhost", app_dir=app_dir, venv=sys.prefix, var_dir=str(self.root / "var"),
            log_dir=str(self.root / "log"), backup_dir=str(self.root / "backups"), etc_dir="/etc/govwatch",
            web_ports=[free_port(), free_port()], workers=workers, web_processes=web_processes,
            http_port=free_port(), https_port=free_port(), ipv6=False, web_cpus=web_cpus or [],
            background_cpus=background_cpus or [],
        )  # fmt: skip
        self.env: dict[str, str] = {}

    # -- the pieces -------------------------------------------------------------------------------

    def file(self, name: str) -> Path:
        return self.fs / name.lstrip("/")

    def start(self) -> Stack:
        self.cluster = PgCluster().init()
        deploying = {**os.environ, "DATABASE_URL": self.cluster.url()}
        saved = os.environ.copy()
        os.environ.clear()
        os.environ.update({k: v for k, v in deploying.items() if not k.startswith("GOVWATCH_")})
        try:
            write(self.layout, self.fs)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        for d in ("var", "log", "backups", "tmp"):
            (self.root / d).mkdir(exist_ok=True)
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("GOVWATCH_", "DATABASE_URL", "PYTEST"))
            },
            **read_env_file(self.file(f"{self.layout.etc_dir}/govwatch.env")),
            **self.extra_env,
        }
        # What scripts/deploy does before it starts the units.
        self.govwatch("init")
        self.govwatch("manage", "collectstatic", "--noinput", "-v", "0")
        for path in Path(self.layout.static_root).rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        # PostgreSQL on the CPUs its unit's drop-in gives, as systemd would start it.
        self.cluster.cpus = cpu_affinity(self.drop_in("postgresql@.service"))
        if self.cluster.cpus:
            self.cluster.restart()
        web_unit = self.file("/etc/systemd/system/govwatch-web@.service").read_text()
        for port in self.layout.web_ports:
            self._start_unit(f"web-{port}", exec_start(web_unit, str(port)), cpu_affinity(web_unit))
        worker_unit = self.file("/etc/systemd/system/govwatch-worker@.service").read_text()
        for n in range(1, self.layout.workers + 1):
            self._start_unit(f"worker-{n}", exec_start(worker_unit, str(n)), cpu_affinity(worker_unit))
        self._start_nginx()
        self.wait_until(lambda: self.status("/healthz/db") == 200, 90, "the site did not come up")
        return self

    def drop_in(self, unit: str) -> str:
        """The rendered drop-in of a unit GovWatch does not own (its CPUs)."""
        return self.file(f"/etc/systemd/system/{unit}.d/govwatch-cpus.conf").read_text()

    def _start_unit(self, name: str, command: list[str], cpus: set[int] | None = None) -> None:
        """Start a unit's command as systemd would: its log, its environment, its CPUs."""
        log = open(Path(self.layout.log_dir) / f"{name}.log", "ab")  # noqa: SIM115 - the process keeps it
        self.processes[name] = subprocess.Popen(on_cpus(cpus, command), env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, cwd=self.layout.app_dir)  # fmt: skip

    def _start_nginx(self) -> None:
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.root / "tmp" / d).mkdir(parents=True, exist_ok=True)
        site = self.file("/etc/nginx/sites-available/govwatch.conf")
        # The certificate of the rendered paths, under this root.
        text = site.read_text()
        for key in ("tls_cert", "tls_key"):
            path = getattr(self.layout, key)
            text = text.replace(f" {path};", f" {self.file(path)};")
        site.write_text(text)
        user = "user root root;" if os.geteuid() == 0 else ""
        conf = self.root / "nginx.conf"
        conf.write_text(
            NGINX_MAIN.replace("$user", user).format(root=self.root, logs=self.layout.log_dir, site=site)
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check = subprocess.run(
            [nginx, "-t", "-q", "-c", str(conf), "-p", str(self.root)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr}")
        self._start_unit(
            "nginx",
            [nginx, "-c", str(conf), "-p", str(self.root)],
            cpu_affinity(self.drop_in("nginx.service")),
        )

    def govwatch(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        done = subprocess.run([f"{self.layout.venv}/bin/govwatch", *args], env=self.env, capture_output=True,
                              text=True, cwd=self.layout.app_dir, timeout=900)  # fmt: skip
        if done.returncode not in ok:
            raise RuntimeError(f"govwatch {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
        return done

    def govwatch_json(self, *args: str) -> Any:
        return json.loads(self.govwatch(*args, "--format", "json").stdout)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.cluster:
            self.cluster.destroy()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- talking to it over HTTPS -----------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"https://localhost:{self.layout.https_port}"

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.file(self.layout.tls_cert)))

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base + path, context=self.tls(), timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def wait_until(self, predicate, seconds: float, message: str) -> float:
        began = time.monotonic()
        while not predicate():
            if time.monotonic() - began > seconds:
                raise RuntimeError(f"{message} within {seconds} s")
            time.sleep(0.5)
        return time.monotonic() - began

    def session(self) -> Browser:
        return Browser(self)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person's session: cookies, the CSRF token, HTTPS with the deployment's certificate."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            urllib.request.HTTPSHandler(context=stack.tls()),
            NoRedirect,
        )

    def request(
        self, path: str, data: dict | bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(self.stack.base + path, data=body, headers={
            "Referer": self.stack.base + path, **(headers or {})})  # fmt: skip
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def login(self, username: str, password: str) -> int:
        status, _, page = self.request("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, _ = self.request("/login/", {"username": username, "password": password,
                                                      "csrfmiddlewaretoken": token})  # fmt: skip
        return status
