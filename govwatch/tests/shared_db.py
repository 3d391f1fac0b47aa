"""One migrated test database for all the xdist workers of a run, instead of one migration per worker.

Migrating the test database is about 25 s of CPU (Django renders the migration state some 11,000
times over 118 migrations), and every xdist worker paid it. Now the first worker to reach a database
test migrates its database and seeds it as `govwatch init` does; it keeps a copy as a template, and
every other worker starts from a copy of that template:
- SQLite: the template is a file in the run's shared temporary directory, restored into the
  worker's in-memory test database with SQLite's backup API;
- PostgreSQL: the template is a database, `test_<name>_template`, and each worker's test database
  is `CREATE DATABASE ... TEMPLATE` of it; the last worker to finish drops it (a run that left one
  behind is cleaned by the next run's first worker). Until then the ops tests' scratch
  installations start from it too (`template_database`).
The copy is the migrated database byte for byte, so the tests see what a migration of their own
would have given them. Workers queue on a file lock while the first one migrates.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases

ALIAS = "default"
# The SQLite template, in the run's shared temporary directory; `govwatch.tests.shared_run` starts the
# run's scratch installation from it too.
SQLITE_TEMPLATE = "govwatch-test-db.sqlite3"


def setup_shared(shared_dir: Path, worker_id: str, prepare: Callable[[], None], verbosity: int):
    """Set up this worker's test database from the run's template, building the template first if
    no worker has. Returns the configuration `django.test.utils.teardown_databases` takes."""
    connection = connections[ALIAS]
    state_file = shared_dir / "govwatch-test-db.json"
    with open(shared_dir / "govwatch-test-db.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        state = json.loads(state_file.read_text()) if state_file.exists() else None
        if state is None:
            old_config = setup_databases(
                verbosity=verbosity, interactive=False, aliases={ALIAS}, serialized_aliases=set()
            )
            prepare()
            state = {"template": _keep_template(connection, shared_dir, worker_id), "copies": 1, "using": 1}
        else:
            old_name = connection.settings_dict["NAME"]
            _copy_template(connection, state["template"], verbosity)
            old_config = [(connection, old_name, True)]
            state["copies"] += 1
            state["using"] += 1
        state_file.write_text(json.dumps(state))
    return old_config


def release_shared(shared_dir: Path) -> None:
    """This worker is done with the run's template: the last one drops a PostgreSQL template (it
    outlives the copies of the workers' test databases: the scratch installations copy it too)."""
    connection = connections[ALIAS]
    state_file = shared_dir / "govwatch-test-db.json"
    with open(shared_dir / "govwatch-test-db.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(state_file.read_text())
        state["using"] -= 1
        if state["using"] > 0 or connection.vendor != "postgresql":
            state_file.write_text(json.dumps(state))
            return
        _drop_database(connection, state["template"])
        state_file.unlink()


def template_database(shared_dir: Path) -> str | None:
    """The run's PostgreSQL template of the test database, migrated and seeded as `govwatch init`
    leaves a database, while a worker still uses it; None on SQLite or without one."""
    state_file = shared_dir / "govwatch-test-db.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else None
    if state is None or connections[ALIAS].vendor != "postgresql":
        return None
    return state["template"]


def _keep_template(connection, shared_dir: Path, worker_id: str) -> str:
    if connection.vendor == "sqlite":
        template = str(shared_dir / SQLITE_TEMPLATE)
        connection.ensure_connection()
        target = sqlite3.connect(template)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return template
    if connection.vendor == "postgresql":
        own = connection.settings_dict["NAME"]
        template = own.removesuffix(f"_{worker_id}") + "_template"
        # A database with a session on it cannot be a template: this worker reconnects later.
        connection.close()
        _drop_database(connection, template)
        with connection.creation._nodb_cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(f"CREATE DATABASE {quote(template)} WITH TEMPLATE {quote(own)}")
        return template
    raise NotImplementedError(f"no shared test database for {connection.vendor}")


def _copy_template(connection, template: str, verbosity: int) -> None:
    creation = connection.creation
    test_settings = connection.settings_dict["TEST"]
    if connection.vendor == "postgresql":
        # Django's CREATE DATABASE takes its TEMPLATE from the TEST settings (and drops an old one).
        test_settings["TEMPLATE"] = template
    try:
        test_name = creation._create_test_db(verbosity, autoclobber=True, keepdb=False)
    finally:
        test_settings.pop("TEMPLATE", None)
    connection.close()
    # What Django's create_test_db does after creating the database, the migration aside.
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()


def _drop_database(connection, name: str) -> None:
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
