"""What the tests of a run build once and every xdist worker reads: the demo files and a migrated
GovWatch installation (`govwatch init`), which the tests that start GovWatch's own processes copy.

Each worker used to build its own (a migration is about 25 s of CPU, a quarter of the demo
district a few seconds more). Now the first worker to need one builds it in the run's shared
temporary directory under a file lock; the others wait on the lock, then read what it built.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

# The keys of every installation the tests start: two installations' contents compare, and an
# installation copied from another reads its personal data and verifies its audit chain.
KEYS = {
    "GOVWATCH_PII_KEY": "00112233445566778899aabbccddeeff",
    "GOVWATCH_SECRET_KEY": "fault-suite-secret-key-" + "x" * 40,
    "GOVWATCH_AUDIT_KEY": "a0" * 32,
}


def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary directory of the whole run: the parent of the xdist workers' own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Held by one process of the run at a time (released when the file closes, even on a crash)."""
    with open(path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The directory `name` of the run, which `build(directory)` filled once for all the workers. A
    build that failed leaves no mark, and the next worker to ask builds it again."""
    shared = run_dir(tmp_path_factory)
    directory, done = shared / name, shared / f"{name}.done"
    with locked(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir()
            build(directory)
            done.touch()
    return directory


def govwatch(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """`govwatch *args` through the installed console script, as an operator runs it."""
    return subprocess.run([str(Path(sys.executable).parent / "govwatch"), *args], env=env, cwd=cwd,
                          check=True, capture_output=True, text=True)  # fmt: skip


def installation_env(var_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of an installation in `var_dir`: on `database_url`, else on its own SQLite file."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PYTEST")}
    env.update(KEYS, GOVWATCH_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="govwatch.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def initialized_sqlite(request: pytest.FixtureRequest) -> Path:
    """A SQLite file as `govwatch init` leaves it (migrated, the shipped calendar loaded), made once
    per run, for `copy_sqlite` into an installation of a test's own.

    When the run's xdist workers share a migrated test database (`shared_db`), it starts as a copy of
    that: the same migrations and calendar, applied by the same `migrate` and `load_shipped` as `init`
    runs (the test settings change only the password hasher). `init` then applies nothing: about 25 s
    of CPU saved, a migration of every app, which the test database has just made. Otherwise (one
    process) `init` migrates the empty file itself."""
    from govwatch.tests.shared_db import SQLITE_TEMPLATE

    tmp_path_factory = request.getfixturevalue("tmp_path_factory")
    request.getfixturevalue("django_db_setup")  # this worker's test database: the template is made

    def build(directory: Path) -> None:
        test_database = run_dir(tmp_path_factory) / SQLITE_TEMPLATE
        if test_database.exists():
            copy_sqlite(test_database, directory / "var" / "govwatch.sqlite3")
        govwatch("init", env=installation_env(directory / "var"), cwd=directory)

    return once(tmp_path_factory, "initialized-sqlite", build) / "var" / "govwatch.sqlite3"


def copy_sqlite(source: Path, target: Path) -> None:
    """`source`'s database into the file `target`, through SQLite's backup API (never a half-written copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as into:
        origin.backup(into)


def demo(tmp_path_factory: pytest.TempPathFactory, fraction: float) -> dict[str, Path]:
    """The demo district's files (seed 1) at `fraction` of its year, generated once per run: the five
    files of `govwatch demo-data --seed 1 --fraction F`, made in this process by the function the
    command calls, without the area, window and rectification files, which no test of the
    installations reads (a second and a half of CPU at 0.25, one at 0.05, and a process start)."""

    def build(directory: Path) -> None:
        from govwatch.demo.generator import generate

        generate(directory, scale="district", seed=1, fraction=fraction, side_files=False)

    out = once(tmp_path_factory, f"demo-{fraction}", build)
    return {kind: out / f"{kind}.csv" for kind in ("units", "items", "cases", "evaluations", "complaints")}
