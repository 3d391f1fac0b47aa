"""The inspection group's work (专项检查): inspections of a unit, their problems, the feedback form
(检查反馈表) the unit answers; a late answer is carded and ordered by e-supervision (watching.py).

Every change is one `do_*` function in one transaction with its timeline step and audit entry; the
acting person needs the role (INSPECT for the group, ANSWER_FEEDBACK for the unit's staff) and the
unit in their scope. `FeedbackForm.TRANSITIONS` lists the form's allowed steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from govwatch.accounts.permissions import ANSWER_FEEDBACK, INSPECT, check_actor
from govwatch.audit.log import Actor, record
from govwatch.checks.decisions import mark_raised
from govwatch.checks.models import Finding, Kind
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.orgs.organs import supervisor_of
from govwatch.supervision.models import Notification
from govwatch.supervision.orders import next_number
from govwatch.supervision.routing import message_to
from govwatch.workcal.calendar import get_calendar

from .models import FeedbackForm, FormStep, Inspection, Method, Problem
from .watching import watch_form

Status = FeedbackForm.Status
WORKER = Actor("system:worker")
MAX_TEXT = 5000
# The finding's kind says what the problem is.
CATEGORY_OF_KIND = {
    Kind.UNKNOWN_CASE: Problem.Category.FALSE_REPORTING,
    Kind.WRONG_UNIT: Problem.Category.FALSE_REPORTING,
    Kind.BEFORE_COMPLETION: Problem.Category.FAKE_RATINGS,
    Kind.EVALUATOR_MANY: Problem.Category.FAKE_RATINGS,
    Kind.BURST: Problem.Category.FAKE_RATINGS,
    Kind.OFF_HOURS: Problem.Category.FAKE_RATINGS,
    Kind.DUPLICATE_COMMENT: Problem.Category.FAKE_RATINGS,
    Kind.MISSING_EVALUATIONS: Problem.Category.UNDER_REPORTING,
}


class InspectionError(Exception):
    """A step the state or the rules do not allow; the message is for the user."""


def _text(value: str, message: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InspectionError(message)
    if len(value) > MAX_TEXT:
        raise InspectionError(f"内容不能超过 {MAX_TEXT} 字")
    return value


def _step(form: FeedbackForm, at: datetime, kind: str, actor: Actor, text: str = "", **extra) -> FormStep:
    return FormStep.objects.create(form=form, at=at, kind=kind, actor=actor.label, text=text, **extra)


def _reply_due(at: datetime) -> date:
    return get_calendar().add_workdays(local_date(at), settings.FEEDBACK_REPLY_WORKDAYS).date


@transaction.atomic
def do_create_inspection(
    actor: Actor, unit: Unit, *, subject: str, methods: list[str], conducted_on: date, inspectors: str,
    summary: str = "", at: datetime | None = None,
) -> Inspection:  # fmt: skip
    check_actor(actor, INSPECT, unit)
    subject = _text(subject, "请填写检查事项")
    inspectors = _text(inspectors, "请填写检查人员")
    if not methods or not set(methods) <= set(Method.values):
        raise InspectionError("请选择检查方式（数据比对、回访抽查、现场核查）")
    at = at or timezone.now()
    if conducted_on > local_date(at):
        raise InspectionError("检查日期不能晚于今天")
    inspection = Inspection.objects.create(
        unit=unit, subject=subject, methods=sorted(set(methods), key=Method.values.index), conducted_on=conducted_on,
        inspectors=inspectors, summary=_text(summary, "", required=False), created_at=at, created_by=actor.label,
    )  # fmt: skip
    FeedbackForm.objects.create(inspection=inspection)
    record(actor, "inspection.create", inspection, summary=f"登记{inspection.number}：{unit.name} {subject}",
           after={"unit": unit.code, "subject": subject, "methods": inspection.methods,
                  "conducted_on": conducted_on})  # fmt: skip
    return inspection


def _editable(inspection: Inspection) -> FeedbackForm:
    form = FeedbackForm.objects.select_for_update().get(inspection=inspection)
    if form.status != Status.DRAFT:
        raise InspectionError("检查反馈表已下发，不能再增加问题")
    return form


@transaction.atomic
def do_add_problem(
    actor: Actor, inspection: Inspection, *, category: str, description: str, requirement: str = "",
    finding: Finding | None = None, at: datetime | None = None,
) -> Problem:  # fmt: skip
    check_actor(actor, INSPECT, inspection.unit)
    _editable(inspection)
    if category not in Problem.Category.values:
        raise InspectionError("请选择问题类型")
    description = _text(description, "请填写问题描述")
    no = (inspection.problems.aggregate(n=Max("no"))["n"] or 0) + 1
    problem = Problem.objects.create(
        inspection=inspection, no=no, category=category, description=description,
        requirement=_text(requirement, "", required=False), finding=finding,
    )  # fmt: skip
    record(actor, "inspection.problem", problem, summary=f"{inspection.number} 发现问题{no}：{description[:60]}",
           after={"category": category, "finding": finding.pk if finding else None})  # fmt: skip
    return problem


def finding_description(finding: Finding) -> str:
    where = f"{finding.unit.name}" + (f"窗口 {finding.window_code}" if finding.window_code else "")
    return (
        f"{finding.month:%Y年%m月}，{where}{finding.get_kind_display()}：" + "；".join(finding.reasons) + "。"
    )


@transaction.atomic
def do_raise_finding(
    actor: Actor, finding: Finding, *, inspection: Inspection | None = None, conducted_on: date | None = None,
    inspectors: str = "", requirement: str = "", at: datetime | None = None,
) -> Problem:  # fmt: skip
    """立查: the finding becomes a problem of an inspection of its unit (a new data comparison when
    none is given), and the finding is marked raised."""
    at = at or timezone.now()
    if inspection is None:
        inspection = do_create_inspection(
            actor, finding.unit, subject=f"“双评议”评价数据核查（{finding.get_kind_display()}）",
            methods=[Method.DATA_COMPARISON], conducted_on=conducted_on or local_date(at),
            inspectors=inspectors, summary="由评价数据核查线索立查。", at=at,
        )  # fmt: skip
    elif inspection.unit_id != finding.unit_id:
        raise InspectionError("只能列入对该线索所在单位的检查")
    problem = do_add_problem(
        actor, inspection, category=CATEGORY_OF_KIND[Kind(finding.kind)], description=finding_description(finding),
        requirement=requirement or "请核实上述评价数据的来源，说明原因，依规整改，并追究相关人员责任。",
        finding=finding, at=at,
    )  # fmt: skip
    mark_raised(actor, finding, f"立查，列入{inspection.number} 问题{problem.no}", at)
    return problem


@transaction.atomic
def do_issue_form(actor: Actor, inspection: Inspection, at: datetime | None = None) -> FeedbackForm:
    """Number the feedback form and send it to the unit with its answer deadline."""
    check_actor(actor, INSPECT, inspection.unit)
    form = (
        FeedbackForm.objects.select_for_update(of=("self",))
        .select_related("inspection__unit")
        .get(inspection=inspection)
    )
    if not form.can_move_to(Status.ISSUED) or form.status != Status.DRAFT:
        raise InspectionError(f"检查反馈表{form.get_status_display()}，不能下发")
    if not inspection.problems.exists():
        raise InspectionError("检查未发现问题，无需下发检查反馈表")
    at = at or timezone.now()
    form.status = Status.ISSUED
    form.number = next_number(FeedbackForm.SERIES, local_date(at).year)
    form.issued_at, form.issued_by, form.reply_due = at, actor.label, _reply_due(at)
    form.issuer = supervisor_of(inspection.unit)
    form.save()
    watch_form(form, at)
    unit = inspection.unit
    _step(form, at, "issued", actor, f"下发 {form.number}，反馈期限 {form.reply_due:%Y-%m-%d}")
    Notification.objects.bulk_create([message_to(
        unit, "feedback", f"{form.number}（{inspection.subject}）已下发，请于{form.reply_due:%Y年%m月%d日}前反馈整改情况。", at=at
    )])  # fmt: skip
    record(actor, "inspection.form_issue", form, summary=f"下发 {form.number} 至 {unit.name}",
           after={"number": form.number, "reply_due": form.reply_due, "problems": inspection.problems.count()})  # fmt: skip
    return form


def _locked(form: FeedbackForm) -> FeedbackForm:
    return (
        FeedbackForm.objects.select_for_update(of=("self",))
        .select_related("inspection__unit")
        .get(pk=form.pk)
    )


def _move(form: FeedbackForm, status: str, verb: str) -> None:
    if not form.can_move_to(status):
        raise InspectionError(f"检查反馈表{form.get_status_display()}，不能{verb}")
    form.status = status


@transaction.atomic
def do_answer_form(
    actor: Actor, form: FeedbackForm, *, answer: str, fixes: Mapping[int, str], institution: str = "",
    at: datetime | None = None,
) -> FeedbackForm:  # fmt: skip
    """The unit's answer: what it fixed for each problem, and the rules it set up (建章立制)."""
    check_actor(actor, ANSWER_FEEDBACK, form.inspection.unit)
    form = _locked(form)
    _move(form, Status.ANSWERED, "反馈")
    answer = _text(answer, "请填写整改情况")
    problems = list(form.inspection.problems.all())
    missing = [p.no for p in problems if not (fixes.get(p.pk) or "").strip()]
    if missing:
        raise InspectionError(f"请逐项填写整改措施（问题 {'、'.join(map(str, missing))} 未填写）")
    at = at or timezone.now()
    for p in problems:
        p.fix = _text(fixes[p.pk], "")
    Problem.objects.bulk_update(problems, ["fix"])
    form.answer, form.institution, form.answered_at = answer, institution.strip(), at
    form.save()
    watch_form(form, at)
    _step(
        form, at, "answered", actor, answer + (f"\n建章立制：{form.institution}" if form.institution else "")
    )
    record(actor, "inspection.form_answer", form, summary=f"{form.inspection.unit.name} 反馈 {form.number}",
           after={"answer": answer, "fixes": {p.no: p.fix for p in problems}, "institution": form.institution})  # fmt: skip
    return form


@transaction.atomic
def do_accept_form(
    actor: Actor, form: FeedbackForm, comment: str = "", at: datetime | None = None
) -> FeedbackForm:
    """The answer holds: every problem of the inspection is fixed (整改销号)."""
    check_actor(actor, INSPECT, form.inspection.unit)
    form = _locked(form)
    _move(form, Status.ACCEPTED, "验收")
    at = at or timezone.now()
    form.accepted_at = at
    form.save()
    watch_form(form, at)
    form.inspection.problems.filter(fixed_at=None).update(fixed_at=at)
    _step(form, at, "accepted", actor, comment.strip() or "整改到位，予以销号")
    record(actor, "inspection.form_accept", form, summary=f"验收 {form.number}，问题整改销号",
           after={"comment": comment.strip()})  # fmt: skip
    return form


@transaction.atomic
def do_return_form(
    actor: Actor, form: FeedbackForm, comment: str, at: datetime | None = None
) -> FeedbackForm:
    """The answer does not hold: back to the unit with a new deadline."""
    check_actor(actor, INSPECT, form.inspection.unit)
    form = _locked(form)
    comment = _text(comment, "退回时请说明理由")
    _move(form, Status.ISSUED, "退回")
    at = at or timezone.now()
    form.reply_due = _reply_due(at)
    form.returned_count += 1
    form.save()
    watch_form(form, at)
    _step(form, at, "sent_back", actor, f"{comment}（新的反馈期限 {form.reply_due:%Y-%m-%d}）")
    Notification.objects.bulk_create([message_to(
        form.inspection.unit, "feedback", f"{form.number} 的整改反馈被退回：{comment}。请于{form.reply_due:%Y年%m月%d日}前重新反馈。", at=at
    )])  # fmt: skip
    record(
        actor,
        "inspection.form_return",
        form,
        summary=f"退回 {form.number} 的反馈",
        after={"comment": comment},
    )
    return form
