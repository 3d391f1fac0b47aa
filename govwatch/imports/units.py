"""Importing units (the org tree).

Master data is updated in place: a row whose code exists with other content replaces it. A moved
unit carries its whole subtree (every path is recomputed). Thousands of rows, a hundred thousand at
most: the ORM's bulk operations do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from govwatch.core.choices import UnitKind
from govwatch.core.rowfields import Row, RowError
from govwatch.core.tables import Record
from govwatch.orgs.hours import HoursError, normalise_hours
from govwatch.orgs.models import Unit

from .kinds import spec_of
from .models import ImportRun
from .results import ImportResult

BATCH = 2000


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    parent_code: str
    kind: str
    phone: str
    hours: str

    @property
    def content(self) -> tuple[str, str, str, str, str]:
        return (self.name, self.parent_code, self.kind, self.phone, self.hours)


def _hours(row: Row) -> str:
    try:
        return normalise_hours(row.text("hours"))
    except HoursError as exc:
        raise RowError("hours", str(exc)) from None


def _read_units(rows: Iterator[Record], result: ImportResult) -> dict[str, UnitRow]:
    spec = spec_of("units")
    parsed: dict[str, UnitRow] = {}
    for line, values in rows:
        result.read += 1
        try:
            if isinstance(values, RowError):
                raise values
            row = Row(values, spec)
            unit = UnitRow(
                line, row.text("code"), row.text("name"), row.text("parent_code"), row.choice("kind", UnitKind),
                row.text("phone"), _hours(row),
            )  # fmt: skip
        except RowError as exc:
            result.reject(line, exc.field, exc.message)
            continue
        earlier = parsed.get(unit.code)
        if earlier is None:
            parsed[unit.code] = unit
        elif earlier.content == unit.content:
            result.duplicates += 1
        else:
            result.reject(line, "code", f"单位编码 {unit.code} 已在第 {earlier.line} 行出现，内容不同")
    return parsed


def _cycle(start: str, parents: dict[str, str]) -> list[str] | None:
    """The cycle `start` is part of, or None."""
    chain = [start]
    current = parents.get(start, "")
    while current:
        if current == start:
            return chain
        if current in chain or len(chain) > len(parents):
            return None  # a cycle above start, found when starting from its own members
        chain.append(current)
        current = parents.get(current, "")
    return None


def _resolve_parents(parsed: dict[str, UnitRow], stored: dict[str, str], result: ImportResult) -> None:
    """Drop (and report) rows whose parent is unknown, or that would close a cycle.

    A parent may be defined later in the same file; a row whose parent was itself refused is
    refused too, hence the loop until nothing changes.
    """
    changed = True
    while changed:
        changed = False
        for code, unit in list(parsed.items()):
            p = unit.parent_code
            if p and p not in parsed and p not in stored:
                result.reject(unit.line, "parent_code", f"上级单位编码 {p} 不存在")
                del parsed[code]
                changed = True
        parents = {**stored, **{code: u.parent_code for code, u in parsed.items()}}
        for code in list(parsed):
            if code not in parsed:
                continue
            cycle = _cycle(code, parents)
            if cycle:
                text = " → ".join([*cycle, code])
                for member in cycle:
                    if member in parsed:
                        result.reject(parsed[member].line, "parent_code", f"上级单位形成循环：{text}")
                        del parsed[member]
                changed = True
                break


def _refresh_paths() -> None:
    """Recompute every unit's materialised path: a moved unit carries its whole subtree."""
    units = list(Unit.objects.only("id", "code", "parent_id", "path"))
    by_id = {u.id: u for u in units}
    paths: dict[int, str] = {}

    def path_of(unit: Unit) -> str:
        if unit.id not in paths:
            parent = by_id.get(unit.parent_id) if unit.parent_id else None
            paths[unit.id] = f"{path_of(parent) if parent else '/'}{unit.code}/"
        return paths[unit.id]

    changed = []
    for unit in units:
        path = path_of(unit)
        if unit.path != path:
            unit.path = path
            changed.append(unit)
    Unit.objects.bulk_update(changed, ["path"], batch_size=BATCH)


def import_units(rows: Iterator[Record], result: ImportResult, run: ImportRun) -> None:
    parsed = _read_units(rows, result)
    existing = {u.code: u for u in Unit.objects.select_related("parent")}
    stored_parents = {code: (u.parent.code if u.parent else "") for code, u in existing.items()}
    _resolve_parents(parsed, stored_parents, result)

    new = [u for code, u in parsed.items() if code not in existing]
    changed = []
    for code, u in parsed.items():
        if code in existing:
            e = existing[code]
            if (e.name, stored_parents[code], e.kind, e.phone, e.hours) == u.content:
                result.duplicates += 1
            else:
                changed.append(u)
    with transaction.atomic():
        # Created without parents first: a parent may come later in the file than its children.
        created = Unit.objects.bulk_create(
            [
                Unit(code=u.code, name=u.name, kind=u.kind, phone=u.phone, hours=u.hours, path=f"/{u.code}/")
                for u in new
            ],
            batch_size=BATCH,
        )
        ids = {u.code: u.id for u in existing.values()} | {u.code: u.id for u in created}
        if created and any(u.id is None for u in created):  # backends that return no ids
            ids = dict(Unit.objects.values_list("code", "id"))
        to_update = []
        for u in new + changed:
            unit = Unit(id=ids[u.code], code=u.code, name=u.name, kind=u.kind, phone=u.phone, hours=u.hours)
            unit.parent_id = ids[u.parent_code] if u.parent_code else None
            to_update.append(unit)
        Unit.objects.bulk_update(to_update, ["name", "kind", "phone", "hours", "parent"], batch_size=BATCH)
        _refresh_paths()
    result.imported += len(new) + len(changed)
