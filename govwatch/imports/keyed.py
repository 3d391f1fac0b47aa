"""What the importers of facts recorded by other systems share: evaluations (好差评) and complaints
(投诉), each keyed by the other system's own id.

Facts are never edited: a row whose id exists with other content is refused. Rows go in batches;
a batch looks up its ids and cases in a few IN queries, and the ids of earlier batches are in the
database already, so duplicates inside a large file are found without keeping every id in memory.
The evaluator and the contact are personal data: only their keyed hash and ciphertext are stored,
and no message repeats them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any

from django.db import models, transaction

from govwatch.cases.models import Case
from govwatch.cases.stale import mark_stale
from govwatch.core.rowfields import Row, RowError
from govwatch.core.tables import Record
from govwatch.orgs.models import Unit

from .db import values_in
from .kinds import spec_of
from .models import ImportRun
from .results import ImportResult

BATCH = 5000


class KeyedFacts:
    """The batch loop shared by the fact kinds: parse, resolve references, deduplicate, insert."""

    kind: str
    model: type[models.Model]
    key: str
    label: str  # the Chinese name of the key, for messages

    def __init__(self, result: ImportResult, run: ImportRun):
        self.result = result
        self.run = run
        self.spec = spec_of(self.kind)
        self.units = dict(Unit.objects.values_list("code", "id"))

    def parse(self, row: Row) -> dict[str, Any]:
        raise NotImplementedError

    def build(self, p: dict[str, Any], cases: dict[str, tuple]) -> Any:
        """The model object of a parsed row, with its digest; RowError for a bad reference."""
        raise NotImplementedError

    def stale_days(self, new: list[Any], cases: dict[str, tuple]) -> Iterable[tuple[int, date]]:
        """(unit id, day) whose pre-computed figures the new rows change (govwatch.cases.stale)."""
        return ()

    def run_rows(self, rows: Iterator[Record]) -> None:
        while batch := list(islice(rows, BATCH)):
            self._batch(batch)

    def _batch(self, batch: list[Record]) -> None:
        result = self.result
        parsed: list[tuple[int, dict[str, Any]]] = []
        for line, values in batch:
            result.read += 1
            try:
                if isinstance(values, RowError):
                    raise values
                parsed.append((line, self.parse(Row(values, self.spec))))
            except RowError as exc:
                result.reject(line, exc.field, exc.message)
        cases = values_in(
            Case, "case_no", sorted({p["case_no"] for _, p in parsed if p["case_no"]}), "unit_id", "closed_on"
        )
        stored = self.stored([p[self.key] for _, p in parsed])
        seen: dict[str, tuple[int, str]] = {}
        new: list[models.Model] = []
        for line, p in parsed:
            try:
                obj = self.build(p, cases)
            except RowError as exc:
                result.reject(line, exc.field, exc.message)
                continue
            key = p[self.key]
            if key in stored or key in seen:
                earlier = stored[key][0] if key in stored else seen[key][1]
                if earlier == obj.digest:
                    result.duplicates += 1
                elif key in stored:
                    result.reject(
                        line, self.key, f"{self.label} {key} 已导入，内容不同（已导入的记录不能修改）"
                    )
                else:
                    result.reject(
                        line, self.key, f"{self.label} {key} 已在第 {seen[key][0]} 行出现，内容不同"
                    )
                continue
            seen[key] = (line, obj.digest)
            obj.import_run = self.run
            new.append(obj)
        with transaction.atomic():
            for model in {type(obj) for obj in new}:
                model.objects.bulk_create([obj for obj in new if type(obj) is model], batch_size=1000)
            self.after_insert(new)
            mark_stale(self.stale_days(new, cases))
        result.imported += len(new)

    def after_insert(self, new: list[models.Model]) -> None:
        """What the kind does with its rows once they are in (in the same transaction)."""

    def stored(self, keys: list[str]) -> dict[str, tuple]:
        """{key: (digest,)} of the rows already stored under these keys."""
        return values_in(self.model, self.key, keys, "digest")

    def unit_id(self, p: dict[str, Any], cases: dict[str, tuple], required: bool) -> int | None:
        """The row's unit: its unit_code, else the unit of its case."""
        if p["case_no"] and p["case_no"] not in cases:
            raise RowError("case_no", f"业务编号 {p['case_no']} 不存在（请先导入其办件过程）")
        if p["unit_code"]:
            if p["unit_code"] not in self.units:
                raise RowError("unit_code", f"单位编码 {p['unit_code']} 不存在")
            return self.units[p["unit_code"]]
        if p["case_no"]:
            return cases[p["case_no"]][0]
        if required:
            raise RowError("case_no", "业务编号 case_no 与单位编码 unit_code 不能同时为空")
        return None
