"""A throw-away PostgreSQL cluster from Debian's packages, on 127.0.0.1 and a free port.

For the tests that must stop and start the server under running processes (the fault suite, the
deployment test): `initdb` in a temporary directory, as the `postgres` user when run as root
(initdb refuses root), with a role and a database for GovWatch.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def pg_bin_dir() -> Path | None:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name))
    for d in reversed(dirs):
        if all(Path(d, tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(d)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def on_cpus(cpus: set[int] | None, command: list[str]) -> list[str]:
    """`command` started on `cpus` by util-linux's taskset, which execs it (the same process, and
    what it forks inherits the CPUs); `command` as it is when `cpus` is None (every CPU). Not a
    preexec_fn: Python code between fork and exec is unsafe in a process with threads."""
    return ["taskset", "--cpu-list", ",".join(map(str, sorted(cpus))), *command] if cpus else list(command)


class PgCluster:
    def __init__(self, bin_dir: Path | None = None):
        self.bin = bin_dir or pg_bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="govwatch-pg-", dir="/tmp"))
        self.port = free_port()
        self.password = os.urandom(9).hex()
        self.root = os.geteuid() == 0
        # The CPUs the server runs on (pg_ctl's, which the postmaster and its backends inherit);
        # None: every CPU. Set before a (re)start.
        self.cpus: set[int] | None = None
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")

    def _as_pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = ["runuser", "-u", "postgres", "--", *args] if self.root else list(args)
        return subprocess.run(on_cpus(self.cpus, command), capture_output=True, text=True, check=check)

    @property
    def data(self) -> str:
        return str(self.dir / "data")

    def url(self, database: str = "govwatch") -> str:
        return f"postgres://govwatch:{self.password}@127.0.0.1:{self.port}/{database}"

    def init(self) -> PgCluster:
        self._as_pg(str(self.bin / "initdb"), "-D", self.data, "-U", "postgres", "-E", "UTF8", "--locale=C",
                    "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")  # fmt: skip
        self.start()
        self.psql(f"CREATE ROLE govwatch LOGIN CREATEDB PASSWORD '{self.password}'",
                  "CREATE DATABASE govwatch OWNER govwatch")  # fmt: skip
        return self

    def psql(self, *statements: str, database: str = "postgres") -> str:
        args = [str(self.bin / "psql"), "-q", "-h", str(self.dir), "-p", str(self.port), "-U", "postgres",
                "-d", database, "-v", "ON_ERROR_STOP=1", "-At"]  # fmt: skip
        for sql in statements:
            args += ["-c", sql]
        return self._as_pg(*args).stdout

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir}"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")  # fmt: skip
        run = self._as_pg(str(self.bin / "pg_ctl"), "-D", self.data, "-l", str(self.dir / "server.log"), "-w",
                          "-t", "60", "-o", options, "start", check=False)  # fmt: skip
        if run.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {run.stderr}\n{self.log()}")

    def stop(self, mode: str = "fast") -> None:
        self._as_pg(str(self.bin / "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def restart(self, down_seconds: float = 0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def log(self) -> str:
        path = self.dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def destroy(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
