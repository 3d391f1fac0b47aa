"""Scratch GovWatch installations for the tests that run the real commands in processes of their
own (backup and restore, the fault suite, the deployment): each has its own database (a SQLite file
in its own directory, or a database of its own on DATABASE_URL's PostgreSQL server) and shares the
keys, so that two installations' contents compare.

An installation set up for data starts as a copy of one `govwatch init` made once per test process
(`migrated`): the migrations are most of an init's time, and `init` run again on the copy applies
none and leaves it unchanged. An installation that is not set up (a restore's target) starts empty.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

PII_KEY = "00112233445566778899aabbccddeeff"
SECRET_KEY = "fault-suite-secret-key-" + "x" * 40
# The audit chain's key, like the personal-data key, is kept apart from backups and given to a
# restored installation by its operator: every scratch installation here has the same.
AUDIT_KEY = "a0" * 32


def _admin_connection():
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(os.environ["DATABASE_URL"])
    return psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                           dbname=db["NAME"], autocommit=True)  # fmt: skip


class Scratch:
    """One GovWatch installation: `run` its commands, `start` its long-running ones."""

    def __init__(self, root: Path, name: str, database_url: str | None, extra: dict[str, str] | None = None,
                 template: Template | None = None):  # fmt: skip
        self.template = template
        self.database = database_url.rsplit("/", 1)[1] if database_url else None
        self.dir = root / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PYTEST")}
        self.env.update(
            GOVWATCH_VAR_DIR=str(self.dir / "var"), GOVWATCH_PII_KEY=PII_KEY, GOVWATCH_SECRET_KEY=SECRET_KEY,
            GOVWATCH_AUDIT_KEY=AUDIT_KEY,
            DJANGO_SETTINGS_MODULE="govwatch.settings",
        )  # fmt: skip
        self.env.update(extra or {})
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.processes: list[subprocess.Popen] = []

    def command(self, *args: str) -> list[str]:
        # The installed console script, as an operator runs it (not `python -m`, under which the
        # command module would be loaded twice under two names).
        return [str(Path(sys.executable).parent / "govwatch"), *args]

    def run(self, *args: str, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:  # fmt: skip
        done = subprocess.run(self.command(*args), env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=timeout, cwd=self.dir)  # fmt: skip
        assert done.returncode in ok, (
            f"govwatch {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
        )
        return done

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self.run(*args, "--format", "json", **kwargs).stdout)

    def start(
        self, *args: str, env: dict[str, str] | None = None, log: str | None = None
    ) -> subprocess.Popen:
        out = open(self.dir / (log or f"{args[0]}.log"), "ab")  # noqa: SIM115 - the process keeps it
        process = subprocess.Popen(self.command(*args), env={**self.env, **(env or {})}, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=self.dir)  # fmt: skip
        self.processes.append(process)
        return process

    def checksum(self) -> dict[str, Any]:
        return self.json("checksum")

    def setup(self, demo: dict[str, Path], kinds: tuple[str, ...] = ("units", "items")) -> Scratch:
        if self.template:
            self.template.copy_to(self)
        self.run("init")
        for kind in kinds:
            self.run("import", kind, str(demo[kind]), ok=(0, 1))
        return self

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)


class Template:
    """A migrated, empty installation: a SQLite file, or a database of the PostgreSQL server."""

    def __init__(self, scratch: Scratch):
        scratch.run("init")
        self.sqlite = scratch.dir / "var" / "govwatch.sqlite3"
        self.database = scratch.database

    def copy_to(self, target: Scratch) -> None:
        if self.database and target.database:
            with _admin_connection() as c:
                c.execute(f'DROP DATABASE "{target.database}"')
                c.execute(f'CREATE DATABASE "{target.database}" TEMPLATE "{self.database}"')
        elif not self.database and not target.database:
            copy = target.dir / "var" / "govwatch.sqlite3"
            copy.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.sqlite)) as source, closing(sqlite3.connect(copy)) as into:
                source.backup(into)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory) -> Iterator[Template]:
    with installations(tmp_path_factory.mktemp("template")) as make:
        yield Template(make("template"))


@contextmanager
def installations(root: Path, template: Template | None = None) -> Iterator[Callable[..., Scratch]]:
    """make(name, **env) -> Scratch, on the database engine of this test run; all removed after.
    With a template, those that are `setup` start as its copies."""
    made: list[Scratch] = []
    databases: list[str] = []

    def make(name: str, **extra: str) -> Scratch:
        url = None
        if os.environ.get("DATABASE_URL"):
            database = f"gw_{name}_{uuid.uuid4().hex[:8]}"
            with _admin_connection() as c:
                c.execute(f'CREATE DATABASE "{database}"')
            databases.append(database)
            url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database
        made.append(Scratch(root, name, url, extra, template))
        return made[-1]

    try:
        yield make
    finally:
        for s in made:
            s.stop_all()
        if databases:
            with _admin_connection() as c:
                for database in databases:
                    c.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def scratch(tmp_path, migrated):
    with installations(tmp_path, migrated) as make:
        yield make


def _demo(out: Path, fraction: float) -> dict[str, Path]:
    subprocess.run([str(Path(sys.executable).parent / "govwatch"), "demo-data", "--seed", "1", "--fraction",
                    str(fraction), "--out", str(out), "--format", "json"],
                   check=True, capture_output=True, env={**os.environ, "GOVWATCH_VAR_DIR": str(out / "var")})  # fmt: skip
    return {kind: out / f"{kind}.csv" for kind in ("units", "items", "cases", "evaluations", "complaints")}


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> dict[str, Path]:
    """A quarter of the demo district's year (seed 1): about 50,000 case events."""
    return _demo(tmp_path_factory.mktemp("demo"), 0.25)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> dict[str, Path]:
    """A twentieth of the demo district's year (seed 1): about 10,000 case events."""
    return _demo(tmp_path_factory.mktemp("small-demo"), 0.05)
