"""Scratch GovWatch installations for the tests that run the real commands in processes of their
own (backup and restore, the fault suite, the deployment): each has its own database (a SQLite file
in its own directory, or a database of its own on DATABASE_URL's PostgreSQL server) and shares the
keys, so that two installations' contents compare.

An installation set up for data starts as a copy of one `govwatch init` made once per test run and
shared by its xdist workers (`migrated`, govwatch/tests/shared_run.py): the migrations are most of an
init's time, and `init` run again on the copy applies none and leaves it unchanged. With xdist, that
init itself runs on a copy of the run's migrated test database (govwatch/tests/shared_db.py), which
the same migrations and calendar made: the run migrates once, not twice. An installation
that is not set up (a restore's target) starts empty. The demo files are made once per run too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from govwatch.tests import shared_run


def _admin_connection():
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(os.environ["DATABASE_URL"])
    return psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                           dbname=db["NAME"], autocommit=True)  # fmt: skip


def _drop_database(c, database: str) -> None:
    """Drop a scratch database that killed processes may still hold. Their sessions are this role's,
    so they are ended here; DROP DATABASE ... WITH (FORCE) would also end the server's autovacuum
    on it, which takes the right to signal any backend (pg_signal_backend) that CI's role has not.
    Plain DROP DATABASE stops the autovacuum itself and waits a few seconds for the rest to go."""
    import psycopg

    for attempt in range(5):
        c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
            [database],
        )
        try:
            c.execute(f'DROP DATABASE IF EXISTS "{database}"')
            return
        except psycopg.errors.ObjectInUse:
            if attempt == 4:
                raise


class Scratch:
    """One GovWatch installation: `run` its commands, `start` its long-running ones."""

    def __init__(self, root: Path, name: str, database_url: str | None, extra: dict[str, str] | None = None,
                 template: Template | None = None):  # fmt: skip
        self.template, self.database_url = template, database_url
        self.database = database_url.rsplit("/", 1)[1] if database_url else None
        self.dir = root / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.env = shared_run.installation_env(self.dir / "var", database_url)
        self.env.update(extra or {})
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

    def __init__(self, sqlite: Path | None = None, database: str | None = None):
        self.sqlite, self.database = sqlite, database

    def copy_to(self, target: Scratch) -> None:
        server = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0]
        if self.database and target.database_url and not target.database_url.startswith(server + "/"):
            # A server of the test's own (one it restarts): the template's dump, restored into its
            # empty database, is the migration's result in a few seconds.
            self._restore_into(target.database_url)
        elif self.database and target.database:
            with _admin_connection() as c:
                c.execute(f'DROP DATABASE "{target.database}"')
                c.execute(f'CREATE DATABASE "{target.database}" TEMPLATE "{self.database}"')
        elif self.sqlite and not target.database:
            shared_run.copy_sqlite(self.sqlite, target.dir / "var" / "govwatch.sqlite3")

    def _restore_into(self, url: str) -> None:
        from govwatch.ops.pgcluster import pg_bin_dir

        source = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + self.database
        dump = subprocess.run([str(pg_bin_dir() / "pg_dump"), "--no-owner", "--no-privileges", "-d", source],
                              check=True, capture_output=True)  # fmt: skip
        subprocess.run([str(pg_bin_dir() / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", url], input=dump.stdout,
                       check=True, capture_output=True)  # fmt: skip


@pytest.fixture(scope="session")
def migrated(request, tmp_path_factory) -> Iterator[Template]:
    """One `govwatch init` for the whole run. On PostgreSQL a database that the workers copy, dropped
    by the last worker done with it (a worker that needs it after that makes it again)."""
    if not os.environ.get("DATABASE_URL"):
        yield Template(sqlite=shared_run.initialized_sqlite(request))
        return
    from govwatch.tests import shared_db

    request.getfixturevalue("django_db_setup")  # the run's test database template, in use till the end
    shared = shared_run.run_dir(tmp_path_factory)
    lock, state_file = shared / "migrated-database.lock", shared / "migrated-database.json"
    with shared_run.locked(lock):
        state = json.loads(state_file.read_text()) if state_file.exists() else {"database": None, "users": 0}
        if state["database"] is None:
            state["database"] = _initialized_database(
                tmp_path_factory.mktemp("template"), shared_db.template_database(shared)
            )
        state["users"] += 1
        state_file.write_text(json.dumps(state))
    try:
        yield Template(database=state["database"])
    finally:
        with shared_run.locked(lock):
            state = json.loads(state_file.read_text())
            state["users"] -= 1
            if state["users"] == 0:
                with _admin_connection() as c:
                    _drop_database(c, state["database"])
                state["database"] = None
            state_file.write_text(json.dumps(state))


def _initialized_database(root: Path, test_template: str | None = None) -> str:
    """A database `govwatch init` has run on. Made from the run's test database template when there
    is one (migrated and seeded by the same `migrate` and `load_shipped`; `init` then applies
    nothing: the 25 s of CPU of a migration saved), else migrated by `init` from empty."""
    database = f"gw_template_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as c:
        template = f' TEMPLATE "{test_template}"' if test_template else ""
        c.execute(f'CREATE DATABASE "{database}"{template}')
    try:
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database
        shared_run.govwatch("init", env=shared_run.installation_env(root / "var", url), cwd=root)
    except BaseException:
        with _admin_connection() as c:
            _drop_database(c, database)
        raise
    return database


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
                    _drop_database(c, database)


@pytest.fixture
def scratch(tmp_path, migrated):
    with installations(tmp_path, migrated) as make:
        yield make


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> dict[str, Path]:
    """A quarter of the demo district's year (seed 1): about 50,000 case events."""
    return shared_run.demo(tmp_path_factory, 0.25)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> dict[str, Path]:
    """A twentieth of the demo district's year (seed 1): about 10,000 case events."""
    return shared_run.demo(tmp_path_factory, 0.05)
