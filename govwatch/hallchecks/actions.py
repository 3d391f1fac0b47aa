"""What inspectors and the office do: keep checklist templates, record an inspection, publish a
secret one. Each `do_*` runs in one transaction, checks its actor and writes the audit entry.

Recording turns every failed item into a problem on a 明察暗访 list of its own (source
`hall_check`), owned by the inspecting body and signed off by the inspector's role. An open
inspection's problems are due `rectify_days` working days after the inspection; a secret one's list
stays unpublished (hidden from the unit, no reminders, no orders) and its deadlines are counted from
the day it is published, the first day the unit can know of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from govwatch.accounts.models import Role
from govwatch.accounts.permissions import INSPECT_HALLS, MANAGE_CHECKLISTS, may, membership, scope
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.rectification.actions import open_problem, publish_list
from govwatch.rectification.models import APPROVER_BY_SOURCE, RectificationList, Source
from govwatch.workcal.calendar import get_calendar

from .models import ChecklistItem, ChecklistTemplate, Inspection, InspectionPhoto, InspectionResult
from .photos import process_photo

Outcome = InspectionResult.Outcome
MAX_RECTIFY_DAYS = 60
MAX_PHOTOS = 30


class InspectionError(Exception):
    """A step the rules do not allow; the message is for the user."""


@dataclass
class ItemResult:
    """What the inspector recorded for one checklist item."""

    item: ChecklistItem
    outcome: str
    note: str = ""
    photos: Sequence[tuple[str, bytes]] = field(default_factory=tuple)


def _person(actor: Actor):
    user = actor.user
    return user if user is not None and user.is_authenticated else None


def _require(actor: Actor, action: str, message: str, unit: Unit | None = None) -> None:
    user = _person(actor)
    if user is None:
        return
    if not may(user, action) or (unit is not None and not scope(user).contains(unit)):
        raise PermissionDenied(message)


# -- templates -------------------------------------------------------------------------------------


@transaction.atomic
def do_save_template(
    actor: Actor, template: ChecklistTemplate | None, *, name: str, description: str, items: Sequence[str],
    active: bool = True,
) -> ChecklistTemplate:  # fmt: skip
    """Create or edit a checklist. Points kept by their wording; removed ones are retired, not
    deleted (past inspections name them)."""
    _require(actor, MANAGE_CHECKLISTS, "只有政务服务管理办公室可以编辑检查表")
    name = name.strip()
    texts = [t.strip() for t in items if t.strip()]
    if not name:
        raise InspectionError("请填写检查表名称")
    if not texts:
        raise InspectionError("检查表至少要有一个检查项")
    if len(set(texts)) != len(texts):
        raise InspectionError("检查项有重复")
    if any(len(t) > 300 for t in texts):
        raise InspectionError("每个检查项不超过 300 字")
    clash = ChecklistTemplate.objects.filter(name=name).exclude(pk=template.pk if template else None)
    if clash.exists():
        raise InspectionError(f"已有名为“{name}”的检查表")
    before = None
    if template is None:
        template = ChecklistTemplate.objects.create(name=name, description=description.strip(), active=active)
    else:
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        before = {"name": template.name, "items": [i.text for i in template.current_items()]}
        template.name, template.description, template.active = name, description.strip(), active
        template.save()
    existing = {i.text: i for i in template.items.all()}
    for position, text in enumerate(texts, start=1):
        item = existing.pop(text, None)
        if item is None:
            ChecklistItem.objects.create(template=template, position=position, text=text)
        elif item.position != position or not item.active:
            item.position, item.active = position, True
            item.save(update_fields=["position", "active"])
    ChecklistItem.objects.filter(pk__in=[i.pk for i in existing.values()]).update(active=False)
    record(actor, "checklist.save", template, summary=f"保存检查表“{name}”（{len(texts)} 项）", before=before,
           after={"name": name, "items": texts, "active": active})  # fmt: skip
    return template


# -- inspections -----------------------------------------------------------------------------------


def _deadline(start: datetime, days: int):
    return get_calendar().add_workdays(local_date(start), days).date


def _store_photos(inspection: Inspection, result: InspectionResult | None, photos) -> list[str]:
    names = []
    for name, content in photos:
        photo = process_photo(name, content)
        InspectionPhoto.objects.create(
            inspection=inspection, result=result, name=name[:200], width=photo.width, height=photo.height,
            sha256=photo.sha256, file=ContentFile(photo.content, name=photo.name),
        )  # fmt: skip
        names.append(name)
    return names


def _list_for(inspection: Inspection, role: str, actor: Actor) -> RectificationList:
    day = local_date(inspection.inspected_at)
    rlist = RectificationList.objects.create(
        code=f"MCAF-{day:%Y%m%d}-{inspection.pk}",
        name=f"{inspection.unit.name}{day.year}年{day.month}月{day.day}日{inspection.get_mode_display()}问题清单",
        source=Source.HALL_CHECK, feedback_date=day, owner=inspection.inspector_unit,
        approver_role=role if role in (Role.SUPERVISOR, Role.OFFICE) else APPROVER_BY_SOURCE[Source.HALL_CHECK],
        published=inspection.mode == Inspection.Mode.OPEN,
    )  # fmt: skip
    record(
        actor,
        "rectification_list.create",
        rlist,
        summary=f"明察暗访发现问题，建立整改清单 {rlist.code}",
        after={"code": rlist.code, "name": rlist.name, "source": rlist.source, "published": rlist.published},
    )
    return rlist


@transaction.atomic
def do_record_inspection(
    actor: Actor, *, template: ChecklistTemplate, unit: Unit, mode: str, results: Sequence[ItemResult],
    note: str = "", rectify_days: int = 10, photos: Sequence[tuple[str, bytes]] = (), at: datetime | None = None,
) -> Inspection:  # fmt: skip
    """Record an inspection, item by item; each failed item becomes a problem with a deadline."""
    _require(actor, INSPECT_HALLS, "只有纪检监察和政务服务管理办公室可以开展明察暗访", unit)
    if mode not in Inspection.Mode.values:
        raise InspectionError("请选择明察或暗访")
    if not 1 <= rectify_days <= MAX_RECTIFY_DAYS:
        raise InspectionError(f"整改期限应为 1 至 {MAX_RECTIFY_DAYS} 个工作日")
    expected = {i.pk for i in template.current_items()}
    given = [r for r in results if r.item.template_id == template.pk]
    missing = expected - {r.item.pk for r in given}
    if missing or not given:
        raise InspectionError(f"还有 {len(missing)} 个检查项没有填写结果")
    for r in given:
        if r.outcome not in Outcome.values:
            raise InspectionError(f"第 {r.item.position} 项的结果无效")
        if r.outcome == Outcome.FAIL and not r.note.strip():
            raise InspectionError(f"第 {r.item.position} 项不符合，请说明发现的问题")
    if sum(len(r.photos) for r in given) + len(photos) > MAX_PHOTOS:
        raise InspectionError(f"一次检查最多上传 {MAX_PHOTOS} 张照片")
    at = at or timezone.now()
    user = _person(actor)
    m = membership(user) if user else None
    inspection = Inspection.objects.create(
        template=template, unit=unit, mode=mode, inspected_at=at, inspector=actor.label[:150],
        inspector_unit=m.unit if m else None, inspector_role=m.role if m else "", note=note.strip(),
        rectify_days=rectify_days,
        status=Inspection.Status.PUBLISHED if mode == Inspection.Mode.OPEN else Inspection.Status.RECORDED,
        published_at=at if mode == Inspection.Mode.OPEN else None,
    )  # fmt: skip
    photo_names = _store_photos(inspection, None, photos)
    failed = []
    for r in sorted(given, key=lambda r: r.item.position):
        result = InspectionResult.objects.create(
            inspection=inspection, item=r.item, position=r.item.position, text=r.item.text, outcome=r.outcome,
            note=r.note.strip(),
        )  # fmt: skip
        photo_names += _store_photos(inspection, result, r.photos)
        if r.outcome == Outcome.FAIL:
            failed.append(result)
    if failed:
        inspection.rlist = _list_for(inspection, inspection.inspector_role, actor)
        inspection.save(update_fields=["rlist"])
        deadline = _deadline(at, rectify_days)
        for result in failed:
            result.problem = open_problem(
                inspection.rlist, no=str(result.position), aspect=template.name,
                description=f"{result.text}：{result.note}", unit=unit, deadline=deadline, actor=actor, at=at,
            )  # fmt: skip
            result.save(update_fields=["problem"])
    record(actor, "inspection.record", inspection,
           summary=f"{inspection.get_mode_display()} {unit.name}（{template.name}）：{len(failed)} 项不符合",
           after={"unit": unit.code, "template": template.name, "mode": mode, "failed": len(failed),
                  "photos": photo_names})  # fmt: skip
    return inspection


@transaction.atomic
def do_publish(actor: Actor, inspection: Inspection, at: datetime | None = None) -> Inspection:
    """Publish a secret inspection: the unit sees it and its problems, due from today."""
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("unit", "rlist")
        .get(pk=inspection.pk)
    )
    _require(actor, INSPECT_HALLS, "只有纪检监察和政务服务管理办公室可以公开明察暗访结果", inspection.unit)
    if not inspection.can_move_to(Inspection.Status.PUBLISHED):
        raise InspectionError("该检查已经公开")
    at = at or timezone.now()
    inspection.status, inspection.published_at = Inspection.Status.PUBLISHED, at
    inspection.save(update_fields=["status", "published_at"])
    if inspection.rlist is not None:
        publish_list(
            inspection.rlist, _deadline(at, inspection.rectify_days), actor=actor, at=at, text="暗访结果公开"
        )
    record(
        actor,
        "inspection.publish",
        inspection,
        summary=f"公开暗访结果：{inspection.unit.name}",
        after={"published_at": at},
    )
    return inspection


def visible_inspections(user):
    """Inspections a user may open: those of their subtree; a unit's staff only published ones."""
    return Inspection.objects.select_related("unit", "template", "rlist").visible_to(scope(user))
