"""Bulk writes below the ORM, for the paths that move thousands of rows (imports, scans).

The ORM's bulk_create and bulk_update spend most of their time building expressions per object;
these helpers send plain parameterised SQL through Django's connection (so they run inside the
caller's transaction and on SQLite and PostgreSQL alike) and use COPY on PostgreSQL, where
psycopg's executemany makes one round trip per row. Callers pass values already adapted for the
backend (`connection.ops.adapt_datetimefield_value` or an equivalent); free text is sealed here
as the ORM would (govwatch.core.fields.FreeTextField), so no path writes a number in clear.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections

from .fields import FreeTextField, seal

# Rows per multi-row INSERT ... RETURNING: well under SQLite's limit of bound parameters.
RETURNING_CHUNK = 200


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_sql(model, columns: Sequence[str]) -> str:
    cols = ", ".join(_q(c) for c in columns)
    return f"INSERT INTO {_q(model._meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"


def update_sql(model, columns: Sequence[str], where: str) -> str:
    sets = ", ".join(f"{_q(c)} = %s" for c in columns)
    return f"UPDATE {_q(model._meta.db_table)} SET {sets} WHERE {_q(where)} = %s"


def sealed(model, columns: Sequence[str], rows: Sequence[tuple]) -> Sequence[tuple]:
    """The rows with their free-text columns in the column's form (`fields.seal`)."""
    free = {f.column for f in model._meta.concrete_fields if isinstance(f, FreeTextField)}
    at = [i for i, c in enumerate(columns) if c in free]
    if not at:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i in at:
            if isinstance(row[i], str):
                row[i] = seal(row[i])
        out.append(tuple(row))
    return out


def insert_rows(cursor, model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows: one executemany on SQLite, COPY on PostgreSQL."""
    if not rows:
        return
    rows = sealed(model, columns, rows)
    if connection.vendor != "postgresql":
        cursor.executemany(insert_sql(model, columns), rows)
        return
    # COPY goes to psycopg's own cursor: its errors are wrapped as Django's (IntegrityError on a
    # duplicate key) for the callers that catch them, as on the executemany path.
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(
            f"COPY {_q(model._meta.db_table)} ({', '.join(_q(c) for c in columns)}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def update_rows(cursor, model, columns: Sequence[str], where: str, rows: Sequence[tuple]) -> None:
    """UPDATE ... WHERE `where` = last value of each row."""
    if not rows:
        return
    rows = sealed(model, [*columns, where], rows)
    if connection.vendor != "postgresql":
        cursor.executemany(update_sql(model, columns, where), rows)
        return
    # One statement per chunk: UPDATE ... FROM (VALUES ...), instead of a round trip per row.
    table = _q(model._meta.db_table)
    names = [*columns, where]
    casts = {f.column: f.db_type(connection) for f in model._meta.concrete_fields}
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        values = ", ".join("(" + ", ".join(f"%s::{casts[n]}" for n in names) + ")" for _ in chunk)
        sets = ", ".join(f"{_q(c)} = v.{_q(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v ({', '.join(_q(n) for n in names)})"
            f" WHERE {table}.{_q(where)} = v.{_q(where)}",
            [value for row in chunk for value in row],
        )


def insert_returning(
    cursor, model, columns: Sequence[str], rows: Sequence[tuple], returning: Sequence[str]
) -> list[tuple]:
    """Insert rows and return the `returning` columns of each (multi-row INSERT ... RETURNING)."""
    out: list[tuple] = []
    rows = sealed(model, columns, rows)
    table = _q(model._meta.db_table)
    cols = ", ".join(_q(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), RETURNING_CHUNK):
        chunk = rows[start : start + RETURNING_CHUNK]
        cursor.execute(
            f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))} RETURNING {', '.join(_q(r) for r in returning)}",
            [value for row in chunk for value in row],
        )
        out.extend(cursor.fetchall())
    return out


def insert_objects(objs: Sequence) -> None:
    """Insert unsaved objects of one model with an automatic primary key, in this order, and set
    their ids (ascending in that order): what bulk_create does for them, each value prepared by its
    field as the ORM prepares it (free text sealed, JSON adapted), without the ORM's work per value.
    On PostgreSQL the ids are taken from the table's sequence and the rows written by COPY:
    bulk_create's column arrays, and a multi-row INSERT's thousands of placeholders, are quoted or
    parsed value by value in Python by the client-side binding (most of the worker's recording of
    an evaluation went there). No signals, as bulk_create sends none."""
    if not objs:
        return
    meta = objs[0]._meta
    # The connection itself, not django.db's proxy to it: each field's preparation asks it for its
    # operations, a lookup through the proxy each time (a tenth of the worker's recording).
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        type(objs[0]).objects.bulk_create(objs)
        return
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    table = meta.db_table
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
            [_q(table), meta.pk.column, len(objs)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        rows = [
            [pk, *(f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields)]
            for obj, pk in zip(objs, ids, strict=True)
        ]
        columns = ", ".join(_q(c) for c in [meta.pk.column, *(f.column for f in fields)])
        with (
            db.wrap_database_errors,
            cursor.cursor.copy(f"COPY {_q(table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def plain_rows(qs) -> list[tuple]:
    """The rows of a `values_list`/`values` queryset as the database returns them, without the ORM's
    per-value converters: for grouped counts and sums over thousands of units (a province), whose
    integers need none, the converters cost more than the query."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def plain_dicts(qs) -> list[dict]:
    """`plain_rows` of a `values()` queryset as dicts keyed by its column names."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
