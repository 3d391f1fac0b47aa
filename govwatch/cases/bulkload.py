"""Bulk loads into empty case tables: the secondary indexes are built once, after the load.

Inserting 200,000 events row by row into tables that already carry their secondary indexes costs
an index update per row and index; building each index once from the loaded rows sorts instead.
So the first import of a region (the case tables empty) drops the non-unique secondary indexes of
Case, CaseEvent and Suspension and builds them again when it ends, whatever the way it ends. A load
killed before that leaves them missing: every import, and `ensure_indexes`, builds what is missing
first. Unique indexes stay: they are the importer's own duplicate checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from .models import Case, CaseEvent, Suspension

MODELS = (Case, CaseEvent, Suspension)


def _expected() -> list[tuple[str, str, str]]:
    """(table, index name, CREATE INDEX statement) of each non-unique secondary index Django defines."""
    editor = connection.schema_editor()
    found = []
    for model in MODELS:
        for statement in editor._model_indexes_sql(model):
            sql = str(statement)
            if "UNIQUE" in sql.upper().split("INDEX")[0]:
                continue
            found.append((model._meta.db_table, str(statement.parts["name"]).strip('"'), sql))
    return found


# The names of a table's indexes from the catalog. Django's `get_constraints` gives them too, but
# on SQLite it parses each table's CREATE statement (about 20 ms a table), and every import asks.
_INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
}


def _present(table: str) -> set[str]:
    with connection.cursor() as cursor:
        query = _INDEX_NAMES.get(connection.vendor)
        if query is None:
            return set(connection.introspection.get_constraints(cursor, table))
        cursor.execute(query, [table])
        return {name for (name,) in cursor.fetchall()}


def ensure_indexes() -> list[str]:
    """Build the secondary indexes of the case tables that are missing; their names."""
    created = []
    present = {model._meta.db_table: _present(model._meta.db_table) for model in MODELS}
    missing = [(table, name, sql) for table, name, sql in _expected() if name not in present[table]]
    # Inside a caller's transaction (a test's, an outer atomic) the rows just loaded still have
    # their deferred foreign-key checks queued, and PostgreSQL builds no index on a table with
    # queued checks: run them first, then defer again as Django's constraints are by default.
    queued = bool(missing) and connection.vendor == "postgresql" and connection.in_atomic_block
    with connection.cursor() as cursor:
        if queued:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _table, name, sql in missing:
            cursor.execute(sql)
            created.append(name)
        if queued:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return created


@contextmanager
def indexes_deferred() -> Iterator[None]:
    with connection.cursor() as cursor:
        for _table, name, _sql in _expected():
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        ensure_indexes()
