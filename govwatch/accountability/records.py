"""Accountability (问责), institutional fixes (建章立制) and public exposure (通报曝光).

Only the supervisors record accountability and publish typical cases (RECORD_ACCOUNTABILITY,
PUBLISH_EXPOSURE): each change is one `do_*` function in one transaction, audited. A person's name
is never in an audit entry in full (the entry names the record); on the public page and in the
bulletin a name is the surname and 某 unless the supervisor decided to name the person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import PUBLISH_EXPOSURE, RECORD_ACCOUNTABILITY, check_actor, scope
from govwatch.audit.log import Actor, record
from govwatch.checks.models import Finding
from govwatch.complaints.models import Complaint
from govwatch.evaluations.models import Letter, RectificationTask
from govwatch.inspections.models import Problem
from govwatch.orgs.models import Unit
from govwatch.supervision.models import SupervisionOrder

from .models import AccountabilityRecord, Action, InstitutionalFix, Matter, TypicalCase, public_name

MAX_TEXT = 5000
FOLLOW_UP_DAYS = 90  # 回头看 three months after a fix is adopted, unless the supervisor sets a date


class AccountabilityError(Exception):
    """Something the rules do not allow; the message is for the user."""


def _text(value: str, message: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise AccountabilityError(message)
    if len(value) > limit:
        raise AccountabilityError(f"内容不能超过 {limit} 字")
    return value


@dataclass(frozen=True)
class MatterRef:
    matter: str
    field: str | None
    row: object | None
    text: str


def _unit_of(row: object) -> Unit | None:
    if isinstance(row, Problem):
        return row.inspection.unit
    return getattr(row, "unit", None)


def resolve_matter(matter: str, reference: str) -> MatterRef:
    """The matter a reference names: a complaint's id, a negative review's eval_id, an order's or a
    letter's number, an inspection problem's or a finding's number; for "other" its description."""
    reference = (reference or "").strip()
    if matter not in Matter.values:
        raise AccountabilityError("请选择事由类型")
    if matter == Matter.OTHER:
        return MatterRef(matter, None, None, _text(reference, "请简述事由", 300))
    if not reference:
        raise AccountabilityError(f"请填写{Matter(matter).label}的编号")
    number = int(m.group(1)) if (m := re.search(r"(\d+)\s*号?$", reference)) else None
    lookups = {
        Matter.COMPLAINT: lambda: Complaint.objects.filter(complaint_id=reference).first(),
        Matter.NEGATIVE_REVIEW: lambda: RectificationTask.objects.filter(evaluation__eval_id=reference).first()
        or (RectificationTask.objects.filter(pk=number).first() if number else None),
        Matter.ORDER: lambda: SupervisionOrder.objects.filter(number=reference).first(),
        Matter.LETTER: lambda: Letter.objects.filter(number=reference).first(),
        Matter.INSPECTION_PROBLEM: lambda: Problem.objects.select_related("inspection__unit").filter(pk=number).first()
        if number else None,
        Matter.FINDING: lambda: Finding.objects.filter(pk=number).first() if number else None,
    }  # fmt: skip
    row = lookups[Matter(matter)]()
    if row is None:
        raise AccountabilityError(f"没有找到{Matter(matter).label}“{reference}”")
    field = AccountabilityRecord.LINKS[Matter(matter)]
    return MatterRef(matter, field, row, str(row)[:300])


def _matter_fields(ref: MatterRef) -> dict:
    fields = {"matter": ref.matter, "matter_text": ref.text}
    if ref.field:
        fields[ref.field] = ref.row
    return fields


def _check_matter_in_scope(actor: Actor, ref: MatterRef) -> None:
    unit = _unit_of(ref.row) if ref.row is not None else None
    if actor.user is not None and unit is not None and not scope(actor.user).contains(unit):
        raise AccountabilityError("该事由不在您的查看范围内")


@transaction.atomic
def do_record_accountability(
    actor: Actor, unit: Unit, *, person: str, action: int, facts: str, decided_by: str, decided_on: date,
    matter: MatterRef, staff_code: str = "", post: str = "", detail: str = "", at: datetime | None = None,
) -> AccountabilityRecord:  # fmt: skip
    """One person held accountable; only a supervisor records it."""
    check_actor(actor, RECORD_ACCOUNTABILITY, unit)
    _check_matter_in_scope(actor, matter)
    if action not in Action.values:
        raise AccountabilityError("请选择问责方式（批评教育、诫勉谈话、通报批评、组织处理、党纪政务处分）")
    at = at or timezone.now()
    if decided_on > timezone.localdate(at):
        raise AccountabilityError("决定日期不能晚于今天")
    row = AccountabilityRecord.objects.create(
        person=_text(person, "请填写被问责人姓名", 50), staff_code=staff_code.strip()[:64], post=post.strip()[:100],
        unit=unit, action=action, detail=detail.strip()[:200], facts=_text(facts, "请填写问题事实"),
        decided_by=_text(decided_by, "请填写决定机关", 200), decided_on=decided_on, recorded_at=at,
        recorded_by=actor.label, **_matter_fields(matter),
    )  # fmt: skip
    record(actor, "accountability.record", row,
           summary=f"登记{row.number}：{unit.name} {row.public_name}，{Action(action).label}",
           after={"person": row.public_name, "unit": unit.code, "action": Action(action).label,
                  "matter": matter.matter, "matter_text": matter.text, "decided_on": decided_on})  # fmt: skip
    return row


@transaction.atomic
def do_record_fix(
    actor: Actor, unit: Unit, *, title: str, content: str, adopted_on: date, matter: MatterRef,
    follow_up_on: date | None = None, at: datetime | None = None,
) -> InstitutionalFix:  # fmt: skip
    check_actor(actor, RECORD_ACCOUNTABILITY, unit)
    _check_matter_in_scope(actor, matter)
    at = at or timezone.now()
    follow_up_on = follow_up_on or adopted_on + timedelta(days=FOLLOW_UP_DAYS)
    if follow_up_on <= adopted_on:
        raise AccountabilityError("回头看日期应晚于建立日期")
    fix = InstitutionalFix.objects.create(
        unit=unit, title=_text(title, "请填写制度名称", 200), content=_text(content, "请填写主要内容"),
        adopted_on=adopted_on, follow_up_on=follow_up_on, recorded_at=at, recorded_by=actor.label,
        **_matter_fields(matter),
    )  # fmt: skip
    record(actor, "accountability.fix", fix, summary=f"登记建章立制：{unit.name}《{fix.title}》",
           after={"unit": unit.code, "title": fix.title, "adopted_on": adopted_on, "follow_up_on": follow_up_on,
                  "matter": matter.matter, "matter_text": matter.text})  # fmt: skip
    return fix


@transaction.atomic
def do_follow_up_fix(
    actor: Actor, fix: InstitutionalFix, *, effective: bool, note: str, at: datetime | None = None
) -> InstitutionalFix:
    """回头看: is the rule applied? An ineffective one gets a new look-back date."""
    check_actor(actor, RECORD_ACCOUNTABILITY, fix.unit)
    fix = InstitutionalFix.objects.select_for_update().get(pk=fix.pk)
    if fix.status == InstitutionalFix.Status.EFFECTIVE:
        raise AccountabilityError("该制度已回头看确认落实到位")
    at = at or timezone.now()
    fix.status = InstitutionalFix.Status.EFFECTIVE if effective else InstitutionalFix.Status.INEFFECTIVE
    fix.follow_up_note, fix.followed_up_at = _text(note, "请填写回头看情况"), at
    if not effective:
        fix.follow_up_on = timezone.localdate(at) + timedelta(days=FOLLOW_UP_DAYS)
    fix.save()
    record(actor, "accountability.follow_up", fix, summary=f"回头看《{fix.title}》：{fix.get_status_display()}",
           after={"effective": effective, "note": fix.follow_up_note})  # fmt: skip
    return fix


def public_text(case: TypicalCase, text: str) -> str:
    """`text` as the public reads it: each person of the case's records as 姓某 unless named by decision."""
    if case.show_names:
        return text
    for person in sorted(
        {r.person.strip() for r in case.records.all() if r.person.strip()}, key=len, reverse=True
    ):
        text = text.replace(person, public_name(person))
    return text


@transaction.atomic
def do_draft_exposure(
    actor: Actor, unit: Unit, *, title: str, body: str, records: list[AccountabilityRecord], show_names: bool = False,
    at: datetime | None = None,
) -> TypicalCase:  # fmt: skip
    check_actor(actor, PUBLISH_EXPOSURE, unit)
    for r in records:
        if not r.unit.path.startswith(unit.path):
            raise AccountabilityError(f"{r.number} 不是{unit.name}或其下级单位的问责记录")
    at = at or timezone.now()
    case = TypicalCase.objects.create(
        title=_text(title, "请填写标题", 200), body=_text(body, "请填写案情与处理"), unit=unit, show_names=show_names,
        created_at=at, created_by=actor.label,
    )  # fmt: skip
    case.records.set(records)
    record(actor, "exposure.draft", case, summary=f"起草通报曝光：{case.title}",
           after={"unit": unit.code, "records": [r.pk for r in records], "show_names": show_names})  # fmt: skip
    return case


@transaction.atomic
def do_publish_exposure(actor: Actor, case: TypicalCase, at: datetime | None = None) -> TypicalCase:
    check_actor(actor, PUBLISH_EXPOSURE, case.unit)
    case = TypicalCase.objects.select_for_update().get(pk=case.pk)
    if not case.can_move_to(TypicalCase.Status.PUBLISHED):
        raise AccountabilityError(f"该典型案例{case.get_status_display()}，不能发布")
    at = at or timezone.now()
    case.status, case.published_at, case.published_by = TypicalCase.Status.PUBLISHED, at, actor.label
    case.save()
    record(actor, "exposure.publish", case, summary=f"发布通报曝光：{case.title}",
           after={"show_names": case.show_names, "published_at": at})  # fmt: skip
    return case


@transaction.atomic
def do_withdraw_exposure(
    actor: Actor, case: TypicalCase, reason: str, at: datetime | None = None
) -> TypicalCase:
    check_actor(actor, PUBLISH_EXPOSURE, case.unit)
    case = TypicalCase.objects.select_for_update().get(pk=case.pk)
    if not case.can_move_to(TypicalCase.Status.WITHDRAWN):
        raise AccountabilityError(f"该典型案例{case.get_status_display()}，不能撤回")
    case.status, case.withdrawn_reason = TypicalCase.Status.WITHDRAWN, _text(reason, "撤回时请说明理由")
    case.save()
    record(
        actor,
        "exposure.withdraw",
        case,
        summary=f"撤回通报曝光：{case.title}",
        after={"reason": reason.strip()},
    )
    return case
