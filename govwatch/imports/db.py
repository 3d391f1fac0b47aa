"""Batched look-ups by key: a chunk of rows asks the database in a few IN queries, not one per row.

Plain SQL rather than the ORM: a district import makes hundreds of these queries of 900 keys, where
building the ORM's lookup objects for every key costs more than the query.
"""

from __future__ import annotations

from django.db import connection, models

from govwatch.cases.events import IN_BATCH


def values_in(model: type[models.Model], key: str, keys: list[str], *fields: str) -> dict[str, tuple]:
    """{key: (fields...)} for the rows of `model` whose `key` (a text column) is among `keys`."""
    q = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(q(meta.get_field(f).column) for f in (key, *fields))
    found: dict[str, tuple] = {}
    with connection.cursor() as cursor:
        for i in range(0, len(keys), IN_BATCH):
            batch = keys[i : i + IN_BATCH]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"SELECT {columns} FROM {q(meta.db_table)} WHERE {q(meta.get_field(key).column)} IN ({marks})",
                batch,
            )
            for row in cursor.fetchall():
                found[row[0]] = row[1:]
    return found
