"""Importing items (the catalog of service items).

Master data is updated in place: a row whose code exists with other content replaces it.
"""

from __future__ import annotations

from itertools import islice

from django.db import transaction
from django.db.models import Count

from govwatch.audit.log import Actor, record
from govwatch.cases.models import Case
from govwatch.catalog.models import MAX_DAYS, Item, split_themes
from govwatch.catalog.signals import promised_days_changed_for
from govwatch.core.choices import CaseStatus, CrossRegion, ItemLevel, ItemType, Online
from govwatch.core.rowfields import Row, RowError
from govwatch.core.tables import Table
from govwatch.figures import catalog
from govwatch.orgs.models import Unit

from .kinds import spec_of
from .models import ImportRun
from .results import ImportResult

BATCH = 2000


def _item_content(row: Row) -> dict:
    legal = row.integer("legal_days", minimum=0, maximum=MAX_DAYS)
    promised = row.integer("promised_days", minimum=0, maximum=MAX_DAYS)
    if promised > legal:
        raise RowError("promised_days", f"承诺时限（{promised}）不得超过法定时限（{legal}）")
    return {
        "name": row.text("name"),
        "type": row.choice("type", ItemType, ItemType.PUBLIC_SERVICE),
        "level": row.choice("level", ItemLevel, ItemLevel.DISTRICT),
        "legal_days": legal,
        "promised_days": promised,
        "online": row.choice("online", Online, Online.NONE),
        "in_hall": row.boolean("in_hall"),
        "themes": "；".join(split_themes(row.text("themes"))),
        "cross_region": row.choice("cross_region", CrossRegion, CrossRegion.NONE),
        "e_licence": row.boolean("e_licence"),
        "claimed": row.boolean("claimed", default=True),
    }


def import_items(table: Table, result: ImportResult, run: ImportRun) -> None:
    rows = table.rows
    spec = spec_of("items")
    units = dict(Unit.objects.values_list("code", "id"))
    seen: dict[str, tuple[int, tuple]] = {}
    while batch := list(islice(rows, BATCH)):
        valid: dict[str, tuple[int, dict]] = {}
        for line, values in batch:
            result.read += 1
            try:
                if isinstance(values, RowError):
                    raise values
                row = Row(values, spec)
                code = row.text("code")
                unit_code = row.text("unit_code")
                content = _item_content(row)
                if unit_code not in units:
                    raise RowError("unit_code", f"实施单位编码 {unit_code} 不存在")
            except RowError as exc:
                result.reject(line, exc.field, exc.message)
                continue
            content["unit_id"] = units[unit_code]
            key = tuple(sorted(content.items()))
            if code in seen:
                if seen[code][1] == key:
                    result.duplicates += 1
                else:
                    result.reject(line, "code", f"事项编码 {code} 已在第 {seen[code][0]} 行出现，内容不同")
                continue
            seen[code] = (line, key)
            valid[code] = (line, content)
        existing = Item.objects.in_bulk(list(valid), field_name="code")
        new, changed = [], []
        moved: dict[int, tuple[int, int]] = {}
        # The units whose catalog counts change: of the new items, and of the changed ones before and after.
        recounted = {content["unit_id"] for _line, content in valid.values()}
        for code, (_line, content) in valid.items():
            item = existing.get(code)
            if item is None:
                new.append(Item(code=code, **content))
            elif all(getattr(item, k) == v for k, v in content.items()):
                result.duplicates += 1
            else:
                if item.promised_days != content["promised_days"]:
                    moved[item.pk] = (item.promised_days, content["promised_days"])
                recounted.add(item.unit_id)
                for k, v in content.items():
                    setattr(item, k, v)
                changed.append(item)
        with transaction.atomic():
            Item.objects.bulk_create(new, batch_size=BATCH)
            Item.objects.bulk_update(changed, list(_FIELDS_UPDATED), batch_size=BATCH)
            _recompute(moved, changed, run)
            if new or changed:
                catalog.refresh(recounted)
        result.imported += len(new) + len(changed)


def _recompute(moved: dict[int, tuple[int, int]], changed: list[Item], run: ImportRun) -> None:
    """New promised days move the due dates of the items' open cases, in the import's transaction;
    each item's change is audited with how many cases it moved."""
    if not moved:
        return
    open_cases = Case.objects.filter(
        item_id__in=list(moved), status__in=(CaseStatus.OPEN, CaseStatus.SUSPENDED)
    )
    counts = dict(open_cases.order_by().values_list("item_id").annotate(n=Count("pk")))
    promised_days_changed_for(moved)
    actor = Actor(run.operator_label, run.operator, "import")
    for item in (i for i in changed if i.pk in moved):
        old, new = moved[item.pk]
        n = counts.get(item.pk, 0)
        record(
            actor,
            "catalog.promised_days",
            item,
            summary=f"事项「{item.name}」承诺时限由 {old} 个工作日改为 {new} 个工作日（导入 {run.filename}），"
            f"重新计算 {n} 件在办件的办结期限",
            before={"promised_days": old},
            after={"promised_days": new, "open_cases_recomputed": n},
        )


_FIELDS_UPDATED = (
    "name", "type", "level", "legal_days", "promised_days", "online", "unit",
    "in_hall", "themes", "cross_region", "e_licence", "claimed",
)  # fmt: skip
