"""The production deployment on one machine, as files: `govwatch deploy render` writes them and
`scripts/deploy` puts them in place (and the deployment test starts the very commands they hold).

- /etc/govwatch/govwatch.env: every setting and secret, read by every unit (EnvironmentFile);
  secrets come from the environment of `scripts/deploy`, else are generated once and kept;
- govwatch-web@PORT.service: one gunicorn (`govwatch serve`) per port, behind nginx; two ports by
  default, so that one can be restarted while the other serves (rolling restarts);
- govwatch-worker@N.service: N background workers (`govwatch worker`), any number;
- govwatch-backup.service and .timer: a nightly `govwatch backup`, the last 14 kept;
- nginx: HTTP redirected to HTTPS, TLS, the static files straight from disk, the rest proxied;
- logrotate: the services' log files, daily, 30 kept, compressed;
- the CPUs of each side (`--web-cpus`, `--background-cpus`): CPUAffinity= of the units, and drop-ins
  for nginx's and PostgreSQL's own units, so that the database and the workers do not take the CPU
  the pages are served with (docs/operations.md); empty, every CPU for all (the default).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from govwatch.core.console import EXIT_OK, UsageError, emit


@dataclass
class Layout:
    """Where things live and how many of each; defaults are the production ones."""

    domain: str = "govwatch.example.gov.cn"
    app_dir: str = "/srv/govwatch"  # the checkout, with its .venv
    venv: str = "/srv/govwatch/.venv"
    var_dir: str = "/var/lib/govwatch"
    log_dir: str = "/var/log/govwatch"
    backup_dir: str = "/var/backups/govwatch"
    etc_dir: str = "/etc/govwatch"
    user: str = "govwatch"
    web_ports: list[int] = field(default_factory=lambda: [8001, 8002])
    workers: int = 2
    # gunicorn's processes per web service; 0: the web side's CPUs shared among the services
    # (`processes_per_service`), at least one each.
    web_processes: int = 0
    web_threads: int = 8  # threads per process
    http_port: int = 80
    https_port: int = 443
    tls_cert: str = "/etc/govwatch/tls/govwatch.crt"
    tls_key: str = "/etc/govwatch/tls/govwatch.key"
    database_url: str = "postgres://govwatch@127.0.0.1:5432/govwatch"
    ipv6: bool = True
    # The CPUs of nginx and the web services, and of PostgreSQL and the workers; empty: every CPU.
    web_cpus: list[int] = field(default_factory=list)
    background_cpus: list[int] = field(default_factory=list)

    @property
    def processes_per_service(self) -> int:
        """Measured on two cores (docs/benchmarks.md, "The evaluation POST: the web services' shape
        and the CPUs split"): two processes of eight threads served the evaluation POST, the batch
        API and the floor faster than four of four, the same sixteen threads; a process per CPU of
        the web side, not more."""
        cpus = len(self.web_cpus) or len(os.sched_getaffinity(0))
        return self.web_processes or max(1, cpus // len(self.web_ports))

    @property
    def static_root(self) -> str:
        return f"{self.var_dir}/static"

    @property
    def public_origin(self) -> str:
        return f"https://{self.domain}" + ("" if self.https_port == 443 else f":{self.https_port}")


def environment(layout: Layout, existing: dict[str, str] | None = None) -> dict[str, str]:
    """The settings of every process. Secrets: from the deploying environment, else those already
    deployed, else generated (and then kept: a new PII key would make stored data unreadable)."""
    existing = existing or {}

    def secret(name: str, nbytes: int) -> str:
        return os.environ.get(name) or existing.get(name) or secrets.token_hex(nbytes)

    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or existing.get("DATABASE_URL") or layout.database_url,
        "GOVWATCH_SECRET_KEY": secret("GOVWATCH_SECRET_KEY", 32),
        "GOVWATCH_PII_KEY": secret("GOVWATCH_PII_KEY", 16),
        "GOVWATCH_AUDIT_KEY": secret("GOVWATCH_AUDIT_KEY", 32),
        "GOVWATCH_VAR_DIR": layout.var_dir,
        "GOVWATCH_MEDIA_ROOT": f"{layout.var_dir}/media",
        "GOVWATCH_STATIC_ROOT": layout.static_root,
        "GOVWATCH_ALLOWED_HOSTS": f"{layout.domain},127.0.0.1,localhost",
        "GOVWATCH_CSRF_TRUSTED_ORIGINS": layout.public_origin,
        "GOVWATCH_PUBLIC_BASE_URL": existing.get("GOVWATCH_PUBLIC_BASE_URL", layout.public_origin),
        "GOVWATCH_HTTPS": "true",
        "GOVWATCH_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
        # The local nginx: its X-Forwarded-For gives the client's address (audit, limits, lock-out).
        "GOVWATCH_TRUSTED_PROXIES": "127.0.0.1,::1",
        "GOVWATCH_WEB_WORKERS": str(layout.processes_per_service),
        "GOVWATCH_WEB_THREADS": str(layout.web_threads),  # a value set by hand is kept below
        "GOVWATCH_LOG_LEVEL": existing.get("GOVWATCH_LOG_LEVEL", "INFO"),
        # SMS and the other settings of README's table are added here by hand; a later render keeps them.
        **{
            k: v
            for k, v in existing.items()
            if k.startswith("GOVWATCH_")
            and k
            not in {
                "GOVWATCH_SECRET_KEY",
                "GOVWATCH_PII_KEY",
                "GOVWATCH_AUDIT_KEY",
                "GOVWATCH_VAR_DIR",
                "GOVWATCH_MEDIA_ROOT",
                "GOVWATCH_STATIC_ROOT",
                "GOVWATCH_ALLOWED_HOSTS",
                "GOVWATCH_CSRF_TRUSTED_ORIGINS",
                "GOVWATCH_HTTPS",
                "GOVWATCH_PROXY_SSL_HEADER",
                "GOVWATCH_TRUSTED_PROXIES",
                "GOVWATCH_WEB_WORKERS",
            }
        },  # fmt: skip
    }


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (quotes removed, comments skipped)."""
    values = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = " ".join(shlex.split(value)) if value.strip() else ""
    return values


def _env_file(values: dict[str, str]) -> str:
    lines = ["# GovWatch settings and secrets (mode 0640, root:govwatch). Keep a copy of the keys apart from",
             "# the backups: without GOVWATCH_PII_KEY the stored personal data cannot be read."]  # fmt: skip
    lines += [f"{k}={shlex.quote(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


UNIT_COMMON = """\
[Service]
Type=simple
User=$user
Group=$user
WorkingDirectory=$app_dir
EnvironmentFile=$etc_dir/govwatch.env
Restart=always
RestartSec=2
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=strict
ProtectHome=true
ReadWritePaths=$var_dir $log_dir $backup_dir
"""

# A drop-in of a unit GovWatch does not own (nginx's, PostgreSQL's clusters'): only its CPUs. Always
# written, so that a deployment without the option undoes an earlier one's (empty: every CPU).
CPUS_DROP_IN = """\
# Written by `govwatch deploy render` (--web-cpus / --background-cpus): empty means every CPU.
[Service]
CPUAffinity=$cpus
"""
# The units of each side, for the drop-ins (Debian's PostgreSQL runs a cluster as postgresql@15-main).
WEB_SIDE_UNITS = ("nginx.service",)
BACKGROUND_SIDE_UNITS = ("postgresql@.service",)

SERVICE_UNIT = """\
[Unit]
Description=$description
After=network.target postgresql.service
Wants=postgresql.service
PartOf=govwatch.target

$common
ExecStart=$venv/bin/govwatch $command
CPUAffinity=$cpus
$stop
StandardOutput=append:$log_dir/$log-%i.log
StandardError=append:$log_dir/$log-%i.log

[Install]
WantedBy=govwatch.target
"""
SERVICES = {
    "web": {
        "description": "GovWatch web application (gunicorn on 127.0.0.1:%i)",
        "command": "serve --host 127.0.0.1 --port %i",
        "side": "web_cpus",
        "stop": "KillSignal=SIGTERM\nTimeoutStopSec=30",
    },
    "worker": {
        "description": "GovWatch background worker %i (scans, notifications, orders)",
        "command": "worker",
        "side": "background_cpus",
        # SIGTERM lets the running job finish; the lease of a job killed anyway is taken over later.
        "stop": "KillSignal=SIGTERM\nTimeoutStopSec=300",
    },
}

TARGET = """\
[Unit]
Description=GovWatch (web and workers)
Wants=$wants

[Install]
WantedBy=multi-user.target
"""

BACKUP_SERVICE = """\
[Unit]
Description=GovWatch nightly backup (database and media files)

[Service]
Type=oneshot
User=$user
Group=$user
WorkingDirectory=$app_dir
EnvironmentFile=$etc_dir/govwatch.env
ExecStart=/bin/sh -c '$venv/bin/govwatch backup $backup_dir/govwatch-$$$$(date +%%Y%%m%%d-%%H%%M).tar.gz && ls -1t $backup_dir/govwatch-*.tar.gz | tail -n +15 | xargs -r rm --'
StandardOutput=append:$log_dir/backup.log
StandardError=append:$log_dir/backup.log
"""

BACKUP_TIMER = """\
[Unit]
Description=GovWatch nightly backup

[Timer]
OnCalendar=*-*-* 02:30:00
Persistent=true

[Install]
WantedBy=timers.target
"""

NGINX = """\
# GovWatch behind nginx: TLS here, the application on 127.0.0.1 (gunicorn), static files from disk.
upstream govwatch {
$upstreams
    keepalive 32;
    # Shorter than gunicorn's keep-alive (75 s, `govwatch serve`): nginx closes an idle connection
    # first, never sends a request on one gunicorn is closing (a POST is not sent again: a 502).
    keepalive_timeout 60s;
}

server {
    listen $http_port;
$listen6_http
    server_name $domain;
    location = /healthz { proxy_pass http://govwatch; proxy_set_header Host $$host; }
    location / { return 301 https://$$host$https_suffix$$request_uri; }
}

server {
    listen $https_port ssl http2;
$listen6_https
    server_name $domain;

    ssl_certificate $tls_cert;
    ssl_certificate_key $tls_key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:govwatch_tls:10m;
    ssl_session_timeout 1d;

    # Uploads (evidence, import files); the application checks each file itself.
    client_max_body_size 50m;
    access_log $log_dir/nginx-access.log;
    error_log $log_dir/nginx-error.log warn;

    location /static/ {
        alias $static_root/;
        expires 7d;
        add_header Cache-Control "public";
        access_log off;
    }

    # Media files are evidence: served by the application, which checks who may see them.
    location / {
        proxy_pass http://govwatch;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $$host;
        proxy_set_header X-Forwarded-For $$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto https;
        proxy_set_header X-Real-IP $$remote_addr;
        proxy_read_timeout 130s;
        proxy_next_upstream error timeout http_502 http_503;
    }
}
"""

LOGROTATE = """\
# The services append to these files (systemd StandardOutput=append:), so they are copied and
# truncated in place; nginx is told to reopen its own.
$log_dir/*.log {
    daily
    rotate 30
    maxsize 200M
    compress
    delaycompress
    missingok
    notifempty
    copytruncate
    su $user $user
}
"""


def render(layout: Layout, env_values: dict[str, str]) -> dict[str, str]:
    """{absolute path: content} of every file of the deployment."""
    values = {k: v for k, v in vars(layout).items() if isinstance(v, str | int)}
    cpus = {side: " ".join(map(str, getattr(layout, side))) for side in ("web_cpus", "background_cpus")}
    values["static_root"] = layout.static_root
    values["listen6_http"] = f"    listen [::]:{layout.http_port};" if layout.ipv6 else ""
    values["listen6_https"] = f"    listen [::]:{layout.https_port} ssl http2;" if layout.ipv6 else ""
    values["https_suffix"] = "" if layout.https_port == 443 else f":{layout.https_port}"
    values["common"] = Template(UNIT_COMMON).substitute(values).rstrip()
    values["upstreams"] = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in layout.web_ports
    )
    values["wants"] = " ".join(
        [f"govwatch-web@{p}.service" for p in layout.web_ports]
        + [f"govwatch-worker@{n}.service" for n in range(1, layout.workers + 1)]
    )
    systemd = "/etc/systemd/system"
    return {
        f"{layout.etc_dir}/govwatch.env": _env_file(env_values),
        **{
            f"{systemd}/govwatch-{name}@.service": Template(SERVICE_UNIT).substitute(
                values, log=name, cpus=cpus[service["side"]], **service
            )
            for name, service in SERVICES.items()
        },
        **{
            f"{systemd}/{unit}.d/govwatch-cpus.conf": Template(CPUS_DROP_IN).substitute(cpus=cpus[side])
            for side, units in (("web_cpus", WEB_SIDE_UNITS), ("background_cpus", BACKGROUND_SIDE_UNITS))
            for unit in units
        },
        f"{systemd}/govwatch.target": Template(TARGET).substitute(values),
        f"{systemd}/govwatch-backup.service": Template(BACKUP_SERVICE).substitute(values),
        f"{systemd}/govwatch-backup.timer": Template(BACKUP_TIMER).substitute(values),
        "/etc/nginx/sites-available/govwatch.conf": Template(NGINX).substitute(values),
        "/etc/logrotate.d/govwatch": Template(LOGROTATE).substitute(values),
    }


def self_signed(cert: Path, key: Path, domain: str) -> None:
    """A self-signed certificate until the real one is put in its place (same paths)."""
    cert.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj", f"/CN={domain}",
         "-addext", f"subjectAltName=DNS:{domain},DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)


def write(layout: Layout, root: Path) -> list[Path]:
    """Write the files under `root` (/ in production); the env file keeps its secrets across runs."""
    env_path = root / layout.etc_dir.lstrip("/") / "govwatch.env"
    files = render(layout, environment(layout, read_env_file(env_path)))
    written = []
    for name, content in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        if name.endswith("govwatch.env"):
            path.chmod(0o640)
        written.append(path)
    cert, key = root / layout.tls_cert.lstrip("/"), root / layout.tls_key.lstrip("/")
    if not cert.exists() or not key.exists():
        self_signed(cert, key, layout.domain)
        written += [cert, key]
    return written


def cpu_affinity(unit: str) -> set[int] | None:
    """The CPUs a unit file's CPUAffinity= allows; None when it allows every one (empty or absent)."""
    for line in unit.splitlines():
        if line.startswith("CPUAffinity="):
            cpus = {int(c) for c in line.removeprefix("CPUAffinity=").split()}
            return cpus or None
    return None


def parse_cpus(text: str, option: str) -> list[int]:
    """CPU numbers as the deployment's options give them ("0", "0,1", "2-3"); every one must exist."""
    cpus: set[int] = set()
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            first, _, last = part.partition("-")
            cpus.update(range(int(first), int(last or first) + 1))
    except ValueError as exc:
        raise UsageError(f"{option} 应为逗号分隔的 CPU 编号或范围（如 0,1 或 2-3）: {text}") from exc
    available = os.sched_getaffinity(0)
    if cpus - available:
        missing = ",".join(map(str, sorted(cpus - available)))
        raise UsageError(
            f"{option} 中的 CPU {missing} 在本机不可用（可用: {','.join(map(str, sorted(available)))}）"
        )
    return sorted(cpus)


def exec_start(unit: str, instance: str) -> list[str]:
    """The command a unit file's ExecStart runs for `instance` (%i), as systemd would split it."""
    for line in unit.splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line.removeprefix("ExecStart=").replace("%i", instance))
    raise ValueError("no ExecStart")


def cmd_render(args: argparse.Namespace) -> int:
    try:
        ports = [int(p) for p in args.web_ports.split(",") if p.strip()]
    except ValueError as exc:
        raise UsageError(f"--web-ports 应为逗号分隔的端口号: {args.web_ports}") from exc
    if not ports or args.workers < 1:
        raise UsageError("至少需要一个 Web 端口和一个后台进程")
    web_cpus, background_cpus = (
        parse_cpus(args.web_cpus, "--web-cpus"),
        parse_cpus(args.background_cpus, "--background-cpus"),
    )
    if bool(web_cpus) != bool(background_cpus):
        raise UsageError("--web-cpus 与 --background-cpus 须同时指定（或都不指定）")
    layout = Layout(domain=args.domain, app_dir=args.app_dir, venv=f"{args.app_dir}/.venv", web_ports=ports,
                    workers=args.workers, web_cpus=web_cpus, background_cpus=background_cpus)  # fmt: skip
    written = write(layout, Path(args.root))
    emit({"root": args.root, "files": [str(p) for p in written]}, args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("deploy", help="生产部署文件（systemd、nginx、logrotate、配置与密钥）")
    d = p.add_subparsers(dest="deploy_command", required=True, parser_class=type(p))
    q = d.add_parser("render", help="写出部署文件（scripts/deploy 调用）")
    q.add_argument("--root", default="/", help="写入的根目录（默认 /）")
    q.add_argument("--domain", required=True, help="站点域名，如 govwatch.example.gov.cn")
    q.add_argument("--app-dir", default="/srv/govwatch", help="程序目录（含 .venv）")
    q.add_argument("--web-ports", default="8001,8002", help="gunicorn 端口（逗号分隔，每个端口一个服务）")
    q.add_argument("--workers", type=int, default=2, help="后台进程数")
    q.add_argument("--web-cpus", default="", help="nginx 与 Web 服务所用 CPU（如 0 或 0-3；默认全部）")
    q.add_argument(
        "--background-cpus", default="", help="PostgreSQL 与后台进程所用 CPU（如 1 或 4-7；默认全部）"
    )
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_render)
