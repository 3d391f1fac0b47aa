"""The batch loop of the areas' imports (window operations, kiosks): parse each row into its key
and content, find it among the stored rows, then insert the new, update the changed (master data)
or refuse them (facts), and count the duplicates (contract section 1).

A kind says how a row is read (`parse`), how stored rows are found (`stored`: key → digest of
their content) and how a batch is written (`save`). Facts compare against the database only, one
batch at a time (the earlier batches are stored by then), so a file of millions of clock records
is never held in memory; master data also remembers the rows of the file, to name the earlier line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection, models, transaction

from govwatch.core.bulk import insert_rows
from govwatch.core.rowfields import Field, Row, RowError, digest, utc_text
from govwatch.core.tables import Record, Table
from govwatch.orgs.models import Unit

from .models import ImportRun
from .results import ImportResult

BATCH = 5000


def sign(content: dict[str, Any]) -> str:
    """The digest of a row's content, whatever the order of its fields (a moment in UTC, however
    the file wrote it)."""
    return digest(
        *(f"{k}={utc_text(v) if isinstance(v, datetime) else v}" for k, v in sorted(content.items()))
    )


class AreaKind:
    """One kind of area record. Subclasses set the class attributes and the three methods."""

    kind: str
    fields: tuple[Field, ...]
    key_field: str  # the row's field reported when its key clashes
    label: str  # what the key is called in messages (人员编号 ...)
    facts = False  # facts are never updated: a row whose key exists with other content is refused

    def __init__(self, result: ImportResult, run: ImportRun):
        self.result = result
        self.run = run
        self.spec = {f.name: f for f in self.fields}
        self.units = dict(Unit.objects.values_list("code", "id"))

    # -- what a kind says ---------------------------------------------------------------------

    def parse(self, row: Row) -> tuple[Any, dict[str, Any]]:
        """(key, content) of a row; RowError names the field at fault."""
        raise NotImplementedError

    def stored(self, keys: list[Any]) -> dict[Any, str]:
        """The digests of the stored rows among `keys`."""
        raise NotImplementedError

    def save(self, new: list[tuple[Any, dict]], changed: list[tuple[Any, dict]]) -> None:
        """Write a batch (inside one transaction)."""
        raise NotImplementedError

    def shown(self, key: Any) -> str:
        return str(key)

    def check_change(self, key: Any, content: dict[str, Any]) -> None:
        """Raise RowError when a stored record may not take the row's new content (master data
        with a state machine); called after `stored`, for changed rows only."""

    def signed(self, content: dict[str, Any]) -> dict[str, Any]:
        """What the digest is taken of: personal data replaced by its keyed hash."""
        return content

    # -- shared checks ------------------------------------------------------------------------

    def unit_id(self, row: Row, name: str = "unit_code") -> int:
        code = row.text(name)
        if code not in self.units:
            raise RowError(name, f"单位编码 {code} 不存在（请先导入单位）")
        return self.units[code]

    # -- the loop -----------------------------------------------------------------------------

    def run_rows(self, rows: Iterator[Record]) -> None:
        seen: dict[Any, tuple[int, str]] = {}
        while batch := list(islice(rows, BATCH)):
            if self.facts:
                seen = {}
            self._batch(batch, seen)
        self.finish()

    def finish(self) -> None:
        """After the last batch: e.g. one warning for what the run did besides its rows."""

    def _batch(self, batch: list[Record], seen: dict[Any, tuple[int, str]]) -> None:
        result = self.result
        parsed: list[tuple[int, Any, dict, str]] = []
        for line, values in batch:
            result.read += 1
            try:
                if isinstance(values, RowError):
                    raise values
                key, content = self.parse(Row(values, self.spec))
            except RowError as exc:
                result.reject(line, exc.field, exc.message)
                continue
            signed = sign(self.signed(content))
            if key in seen:
                if seen[key][1] == signed:
                    result.duplicates += 1
                else:
                    result.reject(
                        line,
                        self.key_field,
                        f"{self.label} {self.shown(key)} 已在第 {seen[key][0]} 行出现，内容不同",
                    )
                continue
            seen[key] = (line, signed)
            parsed.append((line, key, content, signed))
        stored = self.stored([key for _, key, _, _ in parsed])
        new, changed = [], []
        for line, key, content, signed in parsed:
            if key not in stored:
                new.append((key, {**content, "digest": signed}))
            elif stored[key] == signed:
                result.duplicates += 1
            elif self.facts:
                result.reject(
                    line,
                    self.key_field,
                    f"{self.label} {self.shown(key)} 已导入，内容不同（已导入的记录不能修改）",
                )
            else:
                try:
                    self.check_change(key, content)
                except RowError as exc:
                    result.reject(line, exc.field, exc.message)
                    continue
                changed.append((key, {**content, "digest": signed}))
        with transaction.atomic():
            self.save(new, changed)
        result.imported += len(new) + len(changed)


def importer(cls: type[AreaKind]):
    """The `(table, result, run)` function govwatch.imports.runs calls for the kind."""

    def run_kind(table: Table, result: ImportResult, run: ImportRun) -> None:
        cls(result, run).run_rows(table.rows)

    return run_kind


def insert_facts(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many fact rows below the ORM (govwatch.core.bulk): a clock or queue export has
    millions, and building a model object per row costs more than the rest of the import."""
    ops = connection.ops
    adapters = {"DateTimeField": ops.adapt_datetimefield_value, "DateField": ops.adapt_datefield_value}
    adapt = [adapters.get(model._meta.get_field(c).get_internal_type()) for c in columns]
    prepared = [
        tuple(a(v) if a and v is not None else v for a, v in zip(adapt, row, strict=True)) for row in rows
    ]
    with connection.cursor() as cursor:
        insert_rows(cursor, model, columns, prepared)
