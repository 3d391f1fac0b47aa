"""What people and the worker do to rectification problems: report progress, ask for sign-off with
evidence, sign off or send back, look back, and supervise what is overdue.

Every change goes through one of the `do_*` functions below, in one transaction, with its timeline
step and its audit entry; the pages, the importer, the hall checks and the worker all call them.
Each checks its actor: unit staff act on problems of their own subtree (and of published lists);
sign-off, send-back and look-back belong to the list's approving role (纪检监察 or 政务服务管理办公室,
`RectificationList.approver_role`), never to anyone of the responsible unit itself. System actors
(worker, commands) carry no user and are not checked.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import (
    MANAGE_RECTIFICATION,
    REPORT_RECTIFICATION,
    may,
    membership,
    scope,
)
from govwatch.audit.log import Actor, record
from govwatch.core.attachments import AttachmentRefused, check_attachments
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit

from .models import Problem, ProblemAttachment, ProblemStep, RectificationList
from .watching import watch_problem

Status = Problem.Status
Kind = ProblemStep.Kind
Files = Sequence[tuple[str, bytes]]


class RectificationError(Exception):
    """A step the problem's state or the rules do not allow; the message is for the user."""


# -- who may act ---------------------------------------------------------------------------------


def _person(actor: Actor):
    user = actor.user
    return user if user is not None and user.is_authenticated else None


def visible_lists(user):
    """The lists a user may open (RectificationList.visible_to)."""
    return RectificationList.objects.visible_to(scope(user))


def visible_problems(user):
    """The problems a user may open (404 outside): Problem.visible_to."""
    return Problem.objects.select_related("rlist", "unit").visible_to(scope(user))


def check_reporter(actor: Actor, problem: Problem) -> None:
    """Progress and requests for sign-off: the responsible unit's staff (or those above it)."""
    user = _person(actor)
    if user is None:
        return
    if not may(user, REPORT_RECTIFICATION) or not scope(user).contains(problem.unit):
        raise PermissionDenied("只有责任单位的工作人员可以报告整改进展、申请销号")
    if not problem.rlist.published and not user.is_superuser:
        raise PermissionDenied("该清单尚未公开")


def check_approver(actor: Actor, problem: Problem) -> None:
    """Sign-off, send-back and look-back: the list's approving role over the unit, never the unit."""
    user = _person(actor)
    if user is None:
        return
    if user.is_superuser:
        return
    m = membership(user)
    if m is None or m.role != problem.rlist.approver_role or not may(user, MANAGE_RECTIFICATION):
        label = problem.rlist.get_approver_role_display()
        raise PermissionDenied(f"该清单的问题由{label}审核销号")
    if not scope(user).contains(problem.unit):
        raise PermissionDenied("该问题的责任单位不在您的管辖范围内")
    # 自己不能给自己销号: an approver who belongs to the responsible unit (or below it) may not.
    if m.unit.path.startswith(problem.unit.path):
        raise PermissionDenied("责任单位不能为本单位的问题销号，须由上级审核")


def check_manager(actor: Actor) -> None:
    user = _person(actor)
    if user is not None and not may(user, MANAGE_RECTIFICATION):
        raise PermissionDenied("只有纪检监察和政务服务管理办公室可以管理整改清单")


# -- the timeline --------------------------------------------------------------------------------


def _step(
    problem: Problem, at: datetime, kind: str, actor: Actor, text: str = "", files: Files = ()
) -> ProblemStep:
    # The timeline is the history (`list --at` reads it): a step is never put before the last one.
    last = problem.steps.order_by("-at").values_list("at", flat=True).first() if problem.pk else None
    if last is not None and at < last:
        raise RectificationError(
            f"时间 {timezone.localtime(at):%Y-%m-%d %H:%M} 早于该问题的上一环节，不能登记"
        )
    step = ProblemStep.objects.create(
        problem=problem, at=at, kind=kind, actor=actor.label[:150], text=text, status=problem.status,
        deadline=problem.deadline,
    )  # fmt: skip
    for name, content in files:
        ProblemAttachment.keep(name, content, problem=problem, step=step)
    return step


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update(of=("self",)).select_related("rlist", "unit").get(pk=problem.pk)


def _move(problem: Problem, status: str) -> None:
    if not problem.can_move_to(status):
        raise RectificationError(f"该问题{problem.get_status_display()}，不能转为“{Status(status).label}”")
    problem.status = status


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RectificationError(message)
    return text


def _evidence(files: Files) -> None:
    """Documents and pictures only, by the kernel's allow-list (govwatch.core.attachments)."""
    try:
        check_attachments(files)
    except AttachmentRefused as exc:
        raise RectificationError(str(exc)) from exc


def add_months(d: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# -- entering problems ---------------------------------------------------------------------------


def open_problem(
    rlist: RectificationList, *, no: str, description: str, unit: Unit, deadline: date, actor: Actor,
    at: datetime, aspect: str = "", leader: str = "", measures: str = "", digest: str = "",
) -> Problem:  # fmt: skip
    """A new problem on a list (from an import or a hall check), in the caller's transaction."""
    problem = Problem(
        rlist=rlist, no=no, aspect=aspect, description=description, leader=leader, unit=unit,
        deadline=deadline, measures=measures, digest=digest, created_at=at,
    )  # fmt: skip
    problem.save()
    _step(problem, at, Kind.OPENED, actor, f"列入《{rlist.name}》，整改时限 {deadline:%Y-%m-%d}")
    watch_problem(problem, at)
    record(actor, "rectification_problem.open", problem, summary=f"{problem} 列入整改清单，责任单位 {unit.name}",
           after={"list": rlist.code, "no": no, "unit": unit.code, "deadline": deadline})  # fmt: skip
    return problem


# What an import may change of a problem, with the words of its timeline step.
UPDATABLE = {"aspect": "方面", "description": "问题", "leader": "责任领导", "unit": "责任单位",
             "deadline": "整改时限", "measures": "整改措施"}  # fmt: skip


def update_problem(
    problem: Problem, changes: dict, *, actor: Actor, at: datetime, digest: str = ""
) -> Problem:
    """The office re-imported its list with changes; a signed-off problem is not changed this way."""
    problem = _locked(problem)
    if problem.status == Status.SIGNED_OFF:
        raise RectificationError("该问题已销号，不能通过导入修改；如问题反弹，请通过“回头看”重新整改")
    before = {k: str(getattr(problem, k)) for k in changes}
    for field, value in changes.items():
        setattr(problem, field, value)
    problem.digest = digest or problem.digest
    problem.save()
    words = "、".join(UPDATABLE[k] for k in changes)
    text = f"清单更新：{words}" + (f"；整改时限 {problem.deadline:%Y-%m-%d}" if "deadline" in changes else "")
    _step(problem, at, Kind.UPDATED, actor, text)
    watch_problem(problem, at)
    record(actor, "rectification_problem.update", problem, summary=f"{problem} {text}", before=before,
           after={k: str(getattr(problem, k)) for k in changes})  # fmt: skip
    return problem


# -- the unit's steps ----------------------------------------------------------------------------


@transaction.atomic
def do_report_progress(
    actor: Actor, problem: Problem, text: str, files: Files = (), at: datetime | None = None
) -> Problem:
    """报告进展: what has been done so far, dated, with optional evidence."""
    check_reporter(actor, problem)
    problem = _locked(problem)
    text = _required(text, "请填写整改进展")
    if problem.status == Status.SIGNED_OFF:
        raise RectificationError("该问题已销号，无需再报告进展")
    _evidence(files)
    at = at or timezone.now()
    _step(problem, at, Kind.PROGRESS, actor, text, files)
    record(actor, "rectification_problem.progress", problem, summary=f"{problem} 报告整改进展",
           after={"text": text, "attachments": [n for n, _ in files]})  # fmt: skip
    return problem


@transaction.atomic
def do_submit(
    actor: Actor, problem: Problem, text: str, files: Files = (), at: datetime | None = None
) -> Problem:
    """申请销号: the unit says the problem is rectified and hands in its evidence."""
    check_reporter(actor, problem)
    problem = _locked(problem)
    text = _required(text, "请填写整改完成情况")
    if not files:
        raise RectificationError("申请销号须上传整改佐证材料（文件、照片等）")
    _evidence(files)
    _move(problem, Status.SUBMITTED)
    at = at or timezone.now()
    problem.submitted_at = at
    problem.save()
    _step(problem, at, Kind.SUBMITTED, actor, text, files)
    watch_problem(problem, at)
    record(actor, "rectification_problem.submit", problem, summary=f"{problem} 申请销号",
           after={"text": text, "attachments": [n for n, _ in files]})  # fmt: skip
    return problem


# -- the approver's steps ------------------------------------------------------------------------


def evidence_of_request(problem: Problem) -> list[ProblemAttachment]:
    """The evidence handed in with the pending request for sign-off."""
    last = problem.steps.filter(kind=Kind.SUBMITTED).order_by("-at", "-id").first()
    return list(last.attachments.all()) if last else []


@transaction.atomic
def do_sign_off(actor: Actor, problem: Problem, comment: str = "", at: datetime | None = None) -> Problem:
    """销号: the approver accepts the evidence; a look-back is scheduled."""
    check_approver(actor, problem)
    problem = _locked(problem)
    if problem.status != Status.SUBMITTED:
        raise RectificationError("责任单位尚未申请销号，不能销号")
    if not evidence_of_request(problem):
        raise RectificationError("没有整改佐证材料，不能销号")
    _move(problem, Status.SIGNED_OFF)
    at = at or timezone.now()
    problem.signed_off_at, problem.signed_off_by = at, actor.label[:150]
    problem.lookback_due = add_months(local_date(at), problem.rlist.lookback_months)
    problem.save()
    watch_problem(problem, at)
    text = (comment or "").strip() or "审核通过，予以销号"
    _step(problem, at, Kind.SIGNED_OFF, actor, f"{text}（回头看日期 {problem.lookback_due:%Y-%m-%d}）")
    record(actor, "rectification_problem.sign_off", problem, summary=f"{problem} 审核销号",
           after={"comment": text, "lookback_due": problem.lookback_due})  # fmt: skip
    return problem


@transaction.atomic
def do_send_back(actor: Actor, problem: Problem, reason: str, at: datetime | None = None) -> Problem:
    """退回: the evidence does not show the problem rectified; the unit carries on, same deadline."""
    check_approver(actor, problem)
    problem = _locked(problem)
    reason = _required(reason, "退回时请说明理由")
    if problem.status != Status.SUBMITTED:
        raise RectificationError("只有待销号审核的问题可以退回")
    _move(problem, Status.REOPENED if problem.reopen_count else Status.OPEN)
    at = at or timezone.now()
    problem.save()
    _step(problem, at, Kind.RETURNED, actor, reason)
    watch_problem(problem, at)
    record(
        actor,
        "rectification_problem.return",
        problem,
        summary=f"{problem} 退回整改",
        after={"reason": reason},
    )
    return problem


@transaction.atomic
def do_look_back(
    actor: Actor, problem: Problem, *, held: bool, note: str, new_deadline: date | None = None,
    files: Files = (), at: datetime | None = None,
) -> Problem:  # fmt: skip
    """回头看: the approver re-checks a signed-off problem. Held: done. Relapsed: the problem is
    reopened with a new deadline and the relapse counts in the figures."""
    check_approver(actor, problem)
    problem = _locked(problem)
    note = _required(note, "请填写回头看情况")
    if problem.status != Status.SIGNED_OFF:
        raise RectificationError("只有已销号的问题可以回头看")
    _evidence(files)
    at = at or timezone.now()
    if held:
        problem.lookback_due = None
        problem.save()
        _step(problem, at, Kind.LOOKBACK_HELD, actor, note, files)
        record(actor, "rectification_problem.look_back", problem, summary=f"{problem} 回头看：整改成效巩固",
               after={"held": True, "note": note})  # fmt: skip
        return problem
    if new_deadline is None or new_deadline <= local_date(at):
        raise RectificationError("问题反弹须重新确定整改时限，且应晚于今天")
    _move(problem, Status.REOPENED)
    problem.deadline, problem.reopen_count, problem.lookback_due = (
        new_deadline,
        problem.reopen_count + 1,
        None,
    )
    problem.signed_off_at = None
    problem.save()
    _step(problem, at, Kind.RELAPSED, actor, f"{note}（重新整改，整改时限 {new_deadline:%Y-%m-%d}）", files)
    watch_problem(problem, at)
    record(actor, "rectification_problem.relapse", problem, summary=f"{problem} 回头看发现问题反弹，重新整改",
           after={"held": False, "note": note, "deadline": new_deadline})  # fmt: skip
    return problem


@transaction.atomic
def do_set_list(
    actor: Actor, rlist: RectificationList, *, lookback_months: int, approver_role: str, owner: Unit | None
) -> RectificationList:
    """The list's settings: the look-back interval, who signs off, who gets the weekly digest."""
    check_manager(actor)
    if not 1 <= lookback_months <= 24:
        raise RectificationError("回头看间隔应为 1 至 24 个月")
    rlist = RectificationList.objects.select_for_update().get(pk=rlist.pk)
    before = {"lookback_months": rlist.lookback_months, "approver_role": rlist.approver_role,
              "owner": rlist.owner.code if rlist.owner else None}  # fmt: skip
    rlist.lookback_months, rlist.approver_role, rlist.owner = lookback_months, approver_role, owner
    rlist.save()
    record(actor, "rectification_list.settings", rlist, summary=f"修改整改清单 {rlist.code} 的设置", before=before,
           after={"lookback_months": lookback_months, "approver_role": approver_role,
                  "owner": owner.code if owner else None})  # fmt: skip
    return rlist


def publish_list(rlist: RectificationList, deadline: date, *, actor: Actor, at: datetime, text: str) -> int:
    """A list kept hidden (a secret hall check) is published: its owed problems are due on
    `deadline`, the first day the unit can know of them, and watched from now on. In the caller's
    transaction; returns how many problems it holds."""
    RectificationList.objects.filter(pk=rlist.pk).update(published=True)
    Problem.objects.filter(rlist=rlist, status__in=Problem.OWED).update(deadline=deadline)
    problems = list(Problem.objects.select_related("rlist", "unit").filter(rlist=rlist))
    for problem in problems:
        _step(problem, at, Kind.UPDATED, actor, f"{text}，整改时限 {problem.deadline:%Y-%m-%d}")
        watch_problem(problem, at)
    return len(problems)
