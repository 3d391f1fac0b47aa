"""Importing the registers of key projects, double-random inspections and Internet-plus regulation:
`govwatch import projects|milestones|targets|inspectors|officers|regulatory_items|supervision_actions FILE`
(CSV, XLSX or JSON Lines, contract section 1's rules).

Each kind is a `Register`: its fields (English names and Chinese aliases), its key, and how a row
becomes a record. Registers are master data: a row whose key exists with other content updates it.
Supervision actions are facts of the national system: a changed row is refused with the reason.
Every bad row is reported with its line, field and a Chinese message; good rows go in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.db import connection, models, transaction

from govwatch.core.bulk import insert_rows
from govwatch.core.choices import parse_choice
from govwatch.core.parsing import parse_date, parse_int
from govwatch.core.rowfields import Field, Row, RowError, digest
from govwatch.core.tables import Table
from govwatch.orgs.models import Unit
from govwatch.projects.models import Category, KeyProject, Milestone
from govwatch.projects.watching import watch_milestone
from govwatch.randomchecks.models import Inspector, Risk, Target
from govwatch.regulation.models import (
    ActionKind,
    EnforcementOfficer,
    ItemCategory,
    RegulatoryItem,
    ReturnReason,
    SupervisionAction,
)

from .models import ImportRun
from .results import ImportResult

BATCH = 2000
_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*$")
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


# -- cell values beyond the core's --------------------------------------------------------------


def a_date(row: Row, name: str) -> date | None:
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日 or an Excel date."""
    value = row.text(name)
    if not value:
        return None
    match = _CN_DATE.match(value)
    try:
        return date(*map(int, match.groups())) if match else parse_date(value)
    except ValueError:
        raise RowError(name, f"{row.spec[name].label} 的值“{value}”不是有效的日期（如 2026-03-05）") from None


def a_decimal(row: Row, name: str) -> Decimal | None:
    value = row.text(name).replace(",", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(name, f"{row.spec[name].label} 的值“{value}”不是数字") from None
    if number < 0 or not number.is_finite():
        raise RowError(name, f"{row.spec[name].label} 不能为负数")
    return number.quantize(Decimal("0.01"))


def a_percent(row: Row, name: str) -> int | None:
    value = row.text(name).rstrip("%％").strip()
    if not value:
        return None
    try:
        number = parse_int(value)
    except ValueError:
        raise RowError(name, f"{row.spec[name].label} 的值“{value}”不是整数") from None
    if not 0 <= number <= 100:
        raise RowError(name, f"{row.spec[name].label} 应在 0 到 100 之间")
    return number


def a_choice(row: Row, name: str, cls: type[models.TextChoices], default: str = "") -> str:
    value = row.text(name)
    if not value:
        return default
    code = parse_choice(cls, value)
    if code is None:
        allowed = "、".join(f"{m.value}({m.label})" for m in cls)
        raise RowError(name, f"{row.spec[name].label} 的值“{value}”无效，应为 {allowed}")
    return code


class Refs:
    """What rows refer to, loaded once per run."""

    def __init__(self) -> None:
        self.units = dict(Unit.objects.values_list("code", "id"))

    def unit(self, row: Row, name: str = "unit_code") -> int:
        code = row.text(name)
        if code not in self.units:
            raise RowError(name, f"单位编码 {code} 不存在")
        return self.units[code]


# -- the kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    kind: str
    model: type[models.Model]
    fields: tuple[Field, ...]
    key: str  # the model field the row's key is stored in
    parse: Callable[[Row, Any], tuple[Any, dict]]  # (key, content) of a row
    label: str  # what the key is called, for messages
    facts: bool = False  # facts are never updated: a changed row is refused
    related: Callable[[models.Model, dict], None] | None = None  # many-to-many links, after saving
    after: Callable[[list], None] | None = None  # called with the keys of the rows a batch created or changed


def _project(row: Row, refs: Refs) -> tuple[str, dict]:
    start, end = a_date(row, "start_date"), a_date(row, "planned_end")
    if end < start:
        raise RowError("planned_end", "计划完工日期不能早于计划开工日期")
    return row.text("code"), {
        "name": row.text("name"), "unit_id": refs.unit(row), "leader": row.text("leader"),
        "category": a_choice(row, "category", Category, Category.OTHER), "investment": a_decimal(row, "investment"),
        "location": row.text("location"), "start_date": start, "planned_end": end,
        "completed_on": a_date(row, "completed_on"), "description": row.text("description"),
    }  # fmt: skip


class MilestoneRefs(Refs):
    def __init__(self) -> None:
        super().__init__()
        self.projects = dict(KeyProject.objects.values_list("code", "id"))


def _milestone(row: Row, refs: MilestoneRefs) -> tuple[tuple[int, int], dict]:
    code = row.text("project_code")
    if code not in refs.projects:
        raise RowError("project_code", f"项目编号 {code} 不存在（请先导入项目）")
    seq = row.integer("seq", minimum=1)
    if seq > 32767:
        raise RowError("seq", "序号过大")
    return (refs.projects[code], seq), {
        "name": row.text("name"), "planned_date": a_date(row, "planned_date"),
        "actual_date": a_date(row, "actual_date"), "planned_percent": a_percent(row, "planned_percent"),
        "note": row.text("note"),
    }  # fmt: skip


def _target(row: Row, refs: Refs) -> tuple[str, dict]:
    return row.text("target_id"), {
        "name": row.text("name"), "unit_id": refs.unit(row), "risk": a_choice(row, "risk", Risk),
        "address": row.text("address"), "active": row.boolean("active", True),
    }  # fmt: skip


class InspectorRefs(Refs):
    def __init__(self) -> None:
        super().__init__()
        self.targets = dict(Target.objects.values_list("target_id", "id"))


def _inspector(row: Row, refs: InspectorRefs) -> tuple[str, dict]:
    conflicts = [c for c in _LIST_SEPARATORS.split(row.text("conflicts")) if c]
    unknown = [c for c in conflicts if c not in refs.targets]
    if unknown:
        raise RowError("conflicts", f"回避对象 {'、'.join(unknown)} 不在检查对象名录中（请先导入检查对象）")
    return row.text("inspector_id"), {
        "name": row.text("name"), "unit_id": refs.unit(row), "certificate_no": row.text("certificate_no"),
        "active": row.boolean("active", True), "conflicts": tuple(sorted(refs.targets[c] for c in conflicts)),
    }  # fmt: skip


def _watch_milestones(keys: list[tuple[int, int]]) -> None:
    """E-supervision watches each imported milestone until it is reached."""
    for project_id, seqs in _by_project(keys).items():
        for milestone in Milestone.objects.filter(project_id=project_id, seq__in=seqs).select_related(
            "project__unit"
        ):
            watch_milestone(milestone)


def _by_project(keys: list[tuple[int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for project_id, seq in keys:
        grouped.setdefault(project_id, []).append(seq)
    return grouped


def _set_conflicts(inspector: Inspector, related: dict) -> None:
    inspector.conflicts.set(related["conflicts"])


def _officer(row: Row, refs: Refs) -> tuple[str, dict]:
    return row.text("officer_id"), {
        "name": row.text("name"), "unit_id": refs.unit(row), "certificate_no": row.text("certificate_no"),
        "registered": row.boolean("registered", False),
    }  # fmt: skip


def _regulatory_item(row: Row, refs: Refs) -> tuple[str, dict]:
    reason = a_choice(row, "return_reason", ReturnReason)
    returned_on = a_date(row, "returned_on")
    if reason and returned_on is None:
        raise RowError("returned_on", "退回的事项需填写退回日期")
    if returned_on and not reason:
        raise RowError("return_reason", "填写了退回日期的事项需填写退回原因（无监管对象或无监管职权）")
    return row.text("code"), {
        "name": row.text("name"), "unit_id": refs.unit(row),
        "category": a_choice(row, "category", ItemCategory, ItemCategory.INSPECTION),
        "random_check": row.boolean("random_check", False), "return_reason": reason, "returned_on": returned_on,
    }  # fmt: skip


class ActionRefs(Refs):
    def __init__(self) -> None:
        super().__init__()
        self.items = {
            code: (pk, unit_id)
            for code, pk, unit_id in RegulatoryItem.objects.values_list("code", "pk", "unit_id")
        }


def _action(row: Row, refs: ActionRefs) -> tuple[str, dict]:
    code = row.text("item_code")
    if code not in refs.items:
        raise RowError("item_code", f"监管事项编码 {code} 不存在（请先导入监管事项）")
    item_id, unit_id = refs.items[code]
    return row.text("action_id"), {
        "item_id": item_id, "unit_id": refs.unit(row) if row.text("unit_code") else unit_id,
        "kind": a_choice(row, "kind", ActionKind, ActionKind.ROUTINE), "joint": row.boolean("joint", False),
        "on": a_date(row, "on"), "target_name": row.text("target_name"), "result": row.text("result"),
    }  # fmt: skip


F = Field
REGISTERS: dict[str, Register] = {
    r.kind: r
    for r in (
        Register("projects", KeyProject, (
            F("code", "项目编号", True, 64), F("name", "项目名称", True, 200), F("unit_code", "责任单位编码", True, 64),
            F("leader", "责任领导", True, 100), F("category", "项目类别"), F("investment", "总投资"),
            F("location", "建设地点", False, 200), F("start_date", "计划开工日期", True),
            F("planned_end", "计划完工日期", True), F("completed_on", "实际完工日期"), F("description", "建设内容", False, 5000),
        ), "code", _project, "项目编号"),
        Register("milestones", Milestone, (
            F("project_code", "项目编号", True, 64), F("seq", "序号", True), F("name", "节点名称", True, 200),
            F("planned_date", "计划完成日期", True), F("actual_date", "实际完成日期"),
            F("planned_percent", "计划累计进度"), F("note", "说明", False, 500),
        ), "", _milestone, "项目节点", after=_watch_milestones),
        Register("targets", Target, (
            F("target_id", "对象编号", True, 100), F("name", "名称", True, 200), F("unit_code", "单位编码", True, 64),
            F("risk", "风险等级", True), F("address", "地址", False, 300), F("active", "在册"),
        ), "target_id", _target, "对象编号"),
        Register("inspectors", Inspector, (
            F("inspector_id", "人员编号", True, 100), F("name", "姓名", True, 100), F("unit_code", "单位编码", True, 64),
            F("certificate_no", "执法证号", False, 64), F("active", "在岗"), F("conflicts", "回避对象", False, 5000),
        ), "inspector_id", _inspector, "人员编号", related=_set_conflicts),
        Register("officers", EnforcementOfficer, (
            F("officer_id", "人员编号", True, 100), F("name", "姓名", True, 100), F("unit_code", "单位编码", True, 64),
            F("certificate_no", "执法证号", False, 64), F("registered", "已注册"),
        ), "officer_id", _officer, "人员编号"),
        Register("regulatory_items", RegulatoryItem, (
            F("code", "监管事项编码", True, 64), F("name", "监管事项名称", True, 300), F("unit_code", "实施部门编码", True, 64),
            F("category", "类别"), F("random_check", "纳入双随机"), F("return_reason", "退回原因"), F("returned_on", "退回日期"),
        ), "code", _regulatory_item, "监管事项编码"),
        Register("supervision_actions", SupervisionAction, (
            F("action_id", "行为编号", True, 100), F("item_code", "监管事项编码", True, 64), F("on", "监管日期", True),
            F("unit_code", "实施部门编码", False, 64), F("kind", "监管类型"), F("joint", "联合监管"),
            F("target_name", "监管对象", False, 200), F("result", "处理结果", False, 500),
        ), "action_id", _action, "行为编号", facts=True),
    )
}  # fmt: skip
REFS = {"milestones": MilestoneRefs, "inspectors": InspectorRefs, "supervision_actions": ActionRefs}
FIELDS = {kind: r.fields for kind, r in REGISTERS.items()}


def _existing(register: Register, keys: list) -> dict:
    if register.kind == "milestones":
        found: dict = {}
        for pid in {k[0] for k in keys}:
            for m in Milestone.objects.filter(project_id=pid, seq__in=[k[1] for k in keys if k[0] == pid]):
                found[(pid, m.seq)] = m
        return found
    return register.model.objects.in_bulk(keys, field_name=register.key)


def _key_fields(register: Register, key: Any) -> dict:
    if register.kind == "milestones":
        return {"project_id": key[0], "seq": key[1]}
    return {register.key: key}


def _sign(content: dict) -> str:
    """The digest of a row's content (its links included) that a re-sent row is compared by."""
    return digest(*(f"{k}={content[k]}" for k in sorted(content)))


def _insert(register: Register, objs: list[models.Model]) -> None:
    """New rows in one executemany (COPY on PostgreSQL): the ORM's bulk_create spends most of a
    large import preparing values one by one."""
    meta = register.model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    # Dates and decimals need the backend's form (SQLite binds neither); text, numbers and flags pass.
    prepared = {f.attname for f in fields if isinstance(f, models.DateField | models.DecimalField)}
    rows = [
        tuple(
            f.get_db_prep_save(getattr(obj, f.attname), connection)
            if f.attname in prepared
            else getattr(obj, f.attname)
            for f in fields
        )
        for obj in objs
    ]
    with connection.cursor() as cursor:
        insert_rows(cursor, register.model, [f.column for f in fields], rows)


def _save_batch(register: Register, parsed: list[tuple[int, Any, dict, str]], result: ImportResult) -> None:
    """Create the new rows and update the changed ones of a batch (facts: refuse the changed)."""
    existing = _existing(register, [key for _, key, _, _ in parsed])
    new, changed, links, keys = [], [], [], []
    for line, key, content, sign in parsed:
        related = {k: content.pop(k) for k in ("conflicts",) if k in content}
        obj = existing.get(key)
        if obj is not None and obj.digest == sign:
            result.duplicates += 1
            continue
        if obj is not None and register.facts:
            result.reject(
                line, register.key, f"{register.label} {key} 已导入，内容不同（已导入的记录不能修改）"
            )
            continue
        if obj is None:
            obj = register.model(**_key_fields(register, key))
            new.append(obj)
        else:
            changed.append(obj)
        for k, v in content.items():
            setattr(obj, k, v)
        obj.digest = sign
        keys.append(key)
        if register.related is not None:
            links.append((obj, related))
    fields = sorted({k for _, _, content, _ in parsed for k in content} | {"digest"})
    with transaction.atomic():
        if register.related is None:
            _insert(register, new)
        else:
            register.model.objects.bulk_create(new, batch_size=500)
        if changed:
            register.model.objects.bulk_update(changed, fields, batch_size=500)
        for obj, related in links:
            register.related(obj, related)
        if register.after is not None and keys:
            register.after(keys)
    result.imported += len(new) + len(changed)


def import_register(kind: str, table: Table, result: ImportResult, run: ImportRun) -> None:
    rows = table.rows
    register = REGISTERS[kind]
    spec = {f.name: f for f in register.fields}
    refs = REFS.get(kind, Refs)()
    seen: dict[Any, tuple[int, str]] = {}  # key: (line, digest) of the file's rows so far
    while batch := list(islice(rows, BATCH)):
        parsed: list[tuple[int, Any, dict, str]] = []
        for line, values in batch:
            result.read += 1
            try:
                if isinstance(values, RowError):
                    raise values
                key, content = register.parse(Row(values, spec), refs)
            except RowError as exc:
                result.reject(line, exc.field, exc.message)
                continue
            sign = _sign(content)
            if key in seen:
                if seen[key][1] == sign:
                    result.duplicates += 1
                else:
                    result.reject(
                        line,
                        register.key or "seq",
                        f"{register.label} {_shown(key)} 已在第 {seen[key][0]} 行出现，内容不同",
                    )
                continue
            seen[key] = (line, sign)
            parsed.append((line, key, content, sign))
        _save_batch(register, parsed, result)


def _shown(key: Any) -> str:
    return f"第 {key[1]} 号" if isinstance(key, tuple) else str(key)
