"""The closed loop of a negative review (差评整改): 企业评价、系统受理、部门处置、纪检监督、结果反馈.

A negative evaluation (`rules.is_negative`, not an auto default) opens one
rectification task for its unit. The unit verifies it, rectifies and feeds back, and calls the
citizen back, each within its working-day deadline from intake; the supervisors accept the result
or send it back. The unit may appeal a review it shows to be mistaken or malicious; the service
office decides. The step the unit owes is a watched deadline of e-supervision (kind
`negative_review`): carded like a case, and a supervision order to the unit, once, when overdue.

Every change goes through one of the `do_*` functions below, in one transaction, with its
timeline step and audit entry. `RectificationTask.TRANSITIONS` lists the allowed steps, checked in
`_move`. A person may act only with the role for the step (govwatch.accounts.permissions) and on a
task of a unit in their scope; system actors (worker, commands) have no user and are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from govwatch.accounts.permissions import DECIDE_APPEAL, HANDLE_NEGATIVE, REVIEW_NEGATIVE, access, check_actor
from govwatch.audit.log import Actor, record
from govwatch.cases.stale import mark_stale
from govwatch.core import pii
from govwatch.core.attachments import AttachmentRefused, check_attachments
from govwatch.core.datewords import document_date
from govwatch.core.localtime import local_date
from govwatch.supervision.models import Notification, SupervisionOrder, Watch
from govwatch.supervision.routing import Recipient, message
from govwatch.supervision.rules import CITIZENS
from govwatch.supervision.watches import close_watch, issue_for_overdue_watches, suspend_watch, watch
from govwatch.workcal.calendar import get_calendar

from .models import Evaluation, RectificationTask, TaskAttachment, TaskStep
from .rules import is_negative
from .watching import NEGATIVE_REVIEW

Task = RectificationTask
Status = RectificationTask.Status
Files = Sequence[tuple[str, bytes]]
WORKER = Actor("system:worker")
# What the unit owes in each of its states, in the words of a demand ("核实已逾期").
STAGE_LABELS = {
    Status.OPEN: "核实",
    Status.VERIFIED: "整改反馈",
    Status.RETURNED: "整改反馈",
    Status.RECTIFIED: "回访",
}
# The verb of each move, for the refusal of a step the state does not allow.
MOVE_LABELS = {
    Status.VERIFIED: "登记核实情况",
    Status.RECTIFIED: "登记整改措施",
    Status.CALLED_BACK: "登记回访结果",
    Status.CLOSED: "审核办结",
    Status.RETURNED: "退回整改",
    Status.APPEALING: "提出申诉",
    Status.APPEAL_UPHELD: "复核申诉",
    Status.OPEN: "复核申诉",
}


class LoopError(Exception):
    """A step the task's state or the rules do not allow; the message is for the user."""


def needs_rectification(evaluation: Evaluation) -> bool:
    # An auto default records the citizen's silence, not a complaint: there is nothing to verify.
    return is_negative(evaluation.level) and not evaluation.auto


def _add(start: date, days: int) -> date:
    return get_calendar().add_workdays(start, max(days, 0)).date


def _follow(task: Task, at: datetime) -> None:
    """Keep the step the unit owes under e-supervision (its cards, and one order once it is
    overdue); the clock stops during an appeal; nothing is watched while the unit owes nothing."""
    due = task.step_due
    if due is not None:
        label = f"{task.number}（{STAGE_LABELS[Status(task.status)]}）"
        watch(
            task, kind=NEGATIVE_REVIEW, unit=task.unit, due_date=due, stage=task.status, label=label, at=at,
            case=task.evaluation.case_id,
        )  # fmt: skip
    elif task.status == Status.APPEALING:
        suspend_watch(task, at, kind=NEGATIVE_REVIEW)
    else:
        close_watch(task, at, kind=NEGATIVE_REVIEW)


def access_task(user, pk: int, action: str | None = None) -> Task:
    """The task as `user` sees it: 404 outside their scope, 403 without the role for `action`."""
    return access(user, Task.objects.select_related("unit", "evaluation__case__item"), action, pk=pk)


def access_task_attachment(user, pk: int) -> TaskAttachment:
    """Evidence, seen with its task."""
    return access(user, TaskAttachment.objects.all(), pk=pk)


def _move(task: Task, status: str) -> None:
    if not task.can_move_to(status):
        raise LoopError(f"该差评整改{task.get_status_display()}，不能{MOVE_LABELS[Status(status)]}")
    task.status = status


def _step(task: Task, at: datetime, kind: str, actor: Actor, text: str = "", files: Files = ()) -> TaskStep:
    try:
        check_attachments(files)
    except AttachmentRefused as exc:
        raise LoopError(str(exc)) from None
    step = TaskStep.objects.create(task=task, at=at, kind=kind, actor=actor.label, text=text)
    for name, content in files:
        TaskAttachment.keep(name, content, task=task, step=step)
    return step


def _locked(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("unit", "evaluation__case__item")
        .get(pk=task.pk)
    )


def _required(text: str, message: str) -> str:
    text = text.strip()
    if not text:
        raise LoopError(message)
    return text


def open_task(evaluation: Evaluation, at: datetime, actor: Actor) -> Task:
    """The task of a negative evaluation, received (受理) at `at`; in the caller's transaction."""
    start = local_date(at)
    task = Task(
        evaluation=evaluation, unit_id=evaluation.unit_id, opened_at=at,
        verify_due=_add(start, settings.NEGATIVE_VERIFY_WORKDAYS),
        rectify_due=_add(start, settings.NEGATIVE_RECTIFY_WORKDAYS),
        callback_due=_add(start, settings.NEGATIVE_CALLBACK_WORKDAYS),
    )  # fmt: skip
    task.save()
    _follow(task, at)
    _step(
        task,
        at,
        "opened",
        actor,
        f"受理{evaluation.get_level_display()}评价，核实期限 {task.verify_due:%Y-%m-%d}，"
        f"整改反馈期限 {task.rectify_due:%Y-%m-%d}，回访期限 {task.callback_due:%Y-%m-%d}",
    )
    record(actor, "rectification.open", task, summary=f"受理差评 {evaluation.eval_id}，交 {task.unit.name} 整改",
           after={"eval_id": evaluation.eval_id, "unit": task.unit.code, "verify_due": task.verify_due,
                  "rectify_due": task.rectify_due, "callback_due": task.callback_due})  # fmt: skip
    return task


def open_tasks_for_imported(
    evaluation_ids: Sequence[int] | None = None, *, at: datetime | None = None
) -> int:
    """Open the missing tasks of negative evaluations that arrived by bulk insert (imports, API
    pushes): all of them, or those among `evaluation_ids`. Received at `at` (default now), or at
    the evaluation's own time when that is later. Each evaluation gets one task, whoever runs this."""
    at = at or timezone.now()
    has_task = Task.objects.filter(evaluation=OuterRef("pk"))
    missing = Evaluation.objects.negative().filter(auto=False).exclude(Exists(has_task))
    if evaluation_ids is not None:
        missing = missing.filter(pk__in=list(evaluation_ids))
    opened = 0
    for evaluation in missing.select_related("unit").order_by("pk").iterator(chunk_size=500):
        try:
            with transaction.atomic():
                open_task(evaluation, max(at, evaluation.at), WORKER)
        except IntegrityError:
            continue  # another worker opened it between the query and now
        opened += 1
    return opened


@transaction.atomic
def do_verify(
    actor: Actor,
    task: Task,
    *,
    substantiated: bool,
    finding: str,
    files: Files = (),
    at: datetime | None = None,
) -> Task:
    """核实: whether the review is substantiated, what was found, with evidence."""
    check_actor(actor, HANDLE_NEGATIVE, task.unit)
    task = _locked(task)
    finding = _required(finding, "请填写核实情况")
    _move(task, Status.VERIFIED)
    at = at or timezone.now()
    task.substantiated, task.finding, task.verified_at = substantiated, finding, at
    task.save()
    _follow(task, at)
    verdict = "属实" if substantiated else "不属实"
    _step(task, at, "verified", actor, f"核实{verdict}：{finding}", files)
    record(
        actor,
        "rectification.verify",
        task,
        summary=f"{task.number} 核实{verdict}",
        after={"substantiated": substantiated, "finding": finding, "attachments": [n for n, _ in files]},
    )
    return task


@transaction.atomic
def do_rectify(
    actor: Actor, task: Task, *, measures: str, files: Files = (), at: datetime | None = None
) -> Task:
    """整改反馈: the measures taken, with evidence."""
    check_actor(actor, HANDLE_NEGATIVE, task.unit)
    task = _locked(task)
    measures = _required(measures, "请填写整改措施")
    _move(task, Status.RECTIFIED)
    at = at or timezone.now()
    task.measures, task.rectified_at = measures, at
    task.save()
    _follow(task, at)
    _step(task, at, "rectified", actor, f"整改措施：{measures}", files)
    record(
        actor,
        "rectification.rectify",
        task,
        summary=f"{task.number} 登记整改措施",
        after={"measures": measures, "attachments": [n for n, _ in files]},
    )
    return task


@transaction.atomic
def do_callback(
    actor: Actor, task: Task, *, result: str, note: str, files: Files = (), at: datetime | None = None
) -> Task:
    """回访: the citizen's answer. A substantiated review is called back only after rectification."""
    check_actor(actor, HANDLE_NEGATIVE, task.unit)
    task = _locked(task)
    if result not in Task.Callback.values:
        raise LoopError("请选择回访结果")
    note = _required(note, "请填写回访情况（时间、方式、群众意见）")
    if task.status == Status.VERIFIED and task.substantiated:
        raise LoopError("核实属实的差评须先整改，再回访")
    _move(task, Status.CALLED_BACK)
    at = at or timezone.now()
    task.callback_result, task.callback_note, task.called_back_at = result, note, at
    task.save()
    _follow(task, at)  # the supervisors' turn
    _step(task, at, "called_back", actor, f"回访结果：{Task.Callback(result).label}。{note}", files)
    record(
        actor,
        "rectification.callback",
        task,
        summary=f"{task.number} 回访：{Task.Callback(result).label}",
        after={"result": result, "note": note, "attachments": [n for n, _ in files]},
    )
    return task


@transaction.atomic
def do_accept(actor: Actor, task: Task, comment: str = "", at: datetime | None = None) -> Task:
    """纪检监督: the supervisors accept the result; the loop is closed."""
    check_actor(actor, REVIEW_NEGATIVE, task.unit)
    task = _locked(task)
    _move(task, Status.CLOSED)
    at = at or timezone.now()
    task.review_comment, task.closed_at = comment.strip(), at
    task.save()
    _follow(task, at)
    _step(task, at, "closed", actor, comment.strip() or "审核通过，整改办结")
    _feed_back(task, at, actor)
    record(
        actor,
        "rectification.accept",
        task,
        summary=f"{task.number} 审核办结",
        after={"comment": comment.strip()},
    )
    return task


@transaction.atomic
def do_send_back(actor: Actor, task: Task, comment: str, at: datetime | None = None) -> Task:
    """The supervisors send the result back: the unit rectifies and calls back again, with the
    spans that follow verification counted afresh from today."""
    check_actor(actor, REVIEW_NEGATIVE, task.unit)
    task = _locked(task)
    comment = _required(comment, "退回时请说明理由")
    _move(task, Status.RETURNED)
    at = at or timezone.now()
    today = local_date(at)
    verify = settings.NEGATIVE_VERIFY_WORKDAYS
    task.rectify_due = _add(today, settings.NEGATIVE_RECTIFY_WORKDAYS - verify)
    task.callback_due = _add(today, settings.NEGATIVE_CALLBACK_WORKDAYS - verify)
    task.review_comment, task.returned_count = comment, task.returned_count + 1
    task.save()
    _follow(task, at)
    _step(
        task,
        at,
        "returned",
        actor,
        f"{comment}（整改反馈期限 {task.rectify_due:%Y-%m-%d}，回访期限 {task.callback_due:%Y-%m-%d}）",
    )
    record(
        actor,
        "rectification.return",
        task,
        summary=f"{task.number} 退回整改",
        after={"comment": comment, "rectify_due": task.rectify_due, "callback_due": task.callback_due},
    )
    return task


@transaction.atomic
def do_appeal(actor: Actor, task: Task, reason: str, files: Files = (), at: datetime | None = None) -> Task:
    """申诉: the unit shows the review to be mistaken or malicious; its clock stops until decided.
    One appeal per task: a rejected appeal is final."""
    check_actor(actor, HANDLE_NEGATIVE, task.unit)
    task = _locked(task)
    reason = _required(reason, "请填写申诉理由并附上证明材料")
    if task.appeal_decision:
        raise LoopError("该差评已申诉并已复核，不能再次申诉")
    previous = task.status
    _move(task, Status.APPEALING)
    at = at or timezone.now()
    task.appeal_reason, task.appeal_from, task.appealed_at = reason, previous, at
    task.save()
    _follow(task, at)
    _step(task, at, "appealed", actor, f"申诉理由：{reason}", files)
    record(
        actor,
        "rectification.appeal",
        task,
        summary=f"{task.number} 提出申诉",
        after={"reason": reason, "from": previous, "attachments": [n for n, _ in files]},
    )
    return task


@transaction.atomic
def do_decide_appeal(
    actor: Actor, task: Task, *, upheld: bool, comment: str, at: datetime | None = None
) -> Task:
    """申诉复核 by the service office. Upheld: the evaluation is marked `appeal_upheld` and the
    task ends. Rejected: the loop resumes where it stopped, its deadlines later by the working
    days the appeal took."""
    check_actor(actor, DECIDE_APPEAL, task.unit)
    task = _locked(task)
    comment = _required(comment, "请填写复核意见")
    if task.status != Status.APPEALING:
        raise LoopError(f"该差评整改{task.get_status_display()}，没有待复核的申诉")
    at = at or timezone.now()
    if upheld:
        _move(task, Status.APPEAL_UPHELD)
        task.closed_at = at
        Evaluation.objects.filter(pk=task.evaluation_id).update(appeal_upheld=True)
        # The review leaves the negative count of its day (the daily figures are folded again).
        mark_stale([(task.evaluation.unit_id, local_date(task.evaluation.at))])
    else:
        _move(task, task.appeal_from)
        paused = get_calendar().workdays_between(local_date(task.appealed_at), local_date(at))
        task.verify_due, task.rectify_due, task.callback_due = (
            _add(d, paused) for d in (task.verify_due, task.rectify_due, task.callback_due)
        )
    decision = Task.Appeal.UPHELD if upheld else Task.Appeal.REJECTED
    task.appeal_decision, task.appeal_comment, task.appeal_decided_at = decision, comment, at
    task.save()
    _follow(task, at)
    kind = "appeal_upheld" if upheld else "appeal_rejected"
    _step(task, at, kind, actor, f"{decision.label}：{comment}")
    record(actor, f"rectification.{kind}", task, summary=f"{task.number} {decision.label}",
           after={"decision": decision.value, "comment": comment, "eval_id": task.evaluation.eval_id,
                  "status": task.status})  # fmt: skip
    return task


# The unit may reveal the citizen's contact to call back while a callback is still owed.
CALLBACK_OWED = (Status.VERIFIED, Status.RETURNED, Status.RECTIFIED)


RESULT_KIND = "result"
MOBILE = re.compile(r"1\d{10}")
RESULT_QUOTED = 40  # characters of the measures an SMS quotes


def result_text(task: Task) -> str:
    """The closing message to the citizen (结果反馈): what was found and done, in plain words."""
    evaluation = task.evaluation
    subject = f"{task.unit.name}办理的“{evaluation.case.item.name}”" if evaluation.case_id else task.unit.name
    if task.substantiated and task.measures:
        done = task.measures.strip()
        done = done[:RESULT_QUOTED] + ("…" if len(done) > RESULT_QUOTED else "")
        outcome = f"经核实属实，已整改：{done}"
    elif task.substantiated is False:
        outcome = "经核实，办理单位已向您说明情况"
    else:
        outcome = "办理单位已整改"
    return f"您好！您对{subject}的评价已办结。{outcome}。整改情况已经纪检监察部门审核。感谢您的监督！"


def _feed_back(task: Task, at: datetime, actor: Actor) -> None:
    """结果反馈, the last link of the loop: an SMS to the citizen where the evaluation left a mobile
    number (queued in the outbox, within the citizens' hours), else a step saying the result waits
    on the citizen's link. Either way the task's timeline says which."""
    evaluation = task.evaluation
    phone = pii.normalise(pii.decrypt(evaluation.evaluator_enc)) if evaluation.evaluator_enc else ""
    if not MOBILE.fullmatch(phone):
        _step(task, at, "fed_back", actor, "评价人未留手机号，办理结果已在评价查询页公布")
        return
    digest, token = pii.protect(phone)
    to = Recipient(digest, token, pii.mask(phone))
    text = result_text(task)
    Notification.objects.create(
        **message(RESULT_KIND, text, to, at=at, rule=CITIZENS, case_no=evaluation.case_id, unit_id=task.unit_id,
                  params={"unit_name": task.unit.name, "text": text})
    )  # fmt: skip
    _step(task, at, "fed_back", actor, f"办理结果已短信反馈评价人（{pii.mask(phone)}）")


def may_reveal_contact(task: Task) -> bool:
    return task.status in CALLBACK_OWED and task.evaluation.real_name


@transaction.atomic
def do_reveal_contact(actor: Actor, task: Task) -> str:
    """The citizen's contact in clear, for the unit that owes a callback (回访率 100%); audited, the
    entry naming the task, never the value."""
    check_actor(actor, HANDLE_NEGATIVE, task.unit)
    if not may_reveal_contact(task):
        raise PermissionDenied
    evaluation = task.evaluation
    record(
        actor, "evaluation.reveal_contact", evaluation, summary=f"为回访查看 {task.number} 的评价人联系方式"
    )
    return pii.decrypt(evaluation.evaluator_enc)


def overdue(today: date) -> Q:
    """Tasks whose unit owes a step past its deadline on `today`, supervised for it or not."""
    late = Q()
    for status, field in Task.UNIT_STEPS.items():
        late |= Q(status=status, **{f"{field}__lt": today})
    return late


def _demand(task: Task, stage: str, due: date) -> str:
    evaluation = task.evaluation
    subject = f"办件 {evaluation.case_id} 的" if evaluation.case_id else ""
    return (
        f"{task.number}（{subject}{evaluation.get_level_display()}评价，评价编号 {evaluation.eval_id}）"
        f"{stage}已逾期（期限 {document_date(due)}），请立即完成{stage}并在差评整改中登记，同时回复本督办单。"
    )


def supervise_overdue(at: datetime | None = None) -> int:
    """A supervision order to the unit for each task whose current step is past its deadline:
    one per step (state and deadline), whichever worker gets there first. The e-supervision
    engine's orders job does the same for every watched deadline; this runs the loop's alone."""
    return issue_for_overdue_watches(at, kinds=[NEGATIVE_REVIEW])


def overdue_demand(watched: Watch) -> str:
    """The demand of the order for an overdue step (the watch kind's `demand`)."""
    task = Task.objects.select_related("evaluation").get(pk=watched.object_id)
    return _demand(task, STAGE_LABELS[Status(watched.stage)], watched.due_date)


def record_supervision(watched: Watch, order: SupervisionOrder, at: datetime) -> None:
    """The order on the task's own timeline, naming the step and deadline that were overdue (the
    watch kind's `on_order`, in the order's transaction)."""
    task = Task.objects.get(pk=watched.object_id)
    stage = STAGE_LABELS[Status(watched.stage)]
    step = _step(task, at, "supervised", WORKER, f"{stage}逾期，下发督办单 {order.number}")
    step.stage, step.due, step.order = watched.stage, watched.due_date, order
    step.save(update_fields=["stage", "due", "order"])
    record(WORKER, "rectification.supervise", task, summary=f"{task.number} {stage}逾期，下发督办单 {order.number}",
           after={"stage": watched.stage, "due": watched.due_date, "order": order.number})  # fmt: skip


# What the citizen reads through their link: plain words, no staff names, no internal notes.
_PUBLIC_TEXTS = {
    Status.OPEN: "您反映的问题已转交办理单位，正在核实",
    Status.RETURNED: "监督部门审核后要求办理单位进一步整改",
    Status.RECTIFIED: "办理单位已完成整改，将回访听取您的意见",
    Status.CALLED_BACK: "办理单位已回访，监督部门正在审核整改情况",
    Status.APPEALING: "办理单位对评价提出了申诉，政务服务管理部门正在复核",
    Status.CLOSED: "整改已完成，并经监督部门审核办结",
    Status.APPEAL_UPHELD: "经政务服务管理部门复核，评价反映的问题与本次服务不符，已办结",
}
MEASURES_SHOWN = 300


def public_outcome(evaluation: Evaluation) -> dict:
    """Where the citizen's evaluation stands, for the public page behind the citizen's link:
    `status` (a code), `text` (plain Chinese), `measures` (once rectified, else ""), `finished`
    and `updated_at` (ISO 8601, local)."""
    task = Task.objects.filter(evaluation=evaluation).first()
    if task is None:
        text = (
            "您的评价已收到，正在转交办理单位核实"
            if needs_rectification(evaluation)
            else "感谢您的评价，我们将持续改进服务"
        )
        return {"status": "received", "text": text, "measures": "", "finished": not needs_rectification(evaluation),
                "updated_at": timezone.localtime(evaluation.at).isoformat()}  # fmt: skip
    status = Status(task.status)
    if status == Status.VERIFIED:
        text = (
            "问题经核实属实，办理单位正在整改" if task.substantiated else "办理单位已核实情况，将与您联系说明"
        )
    else:
        text = _PUBLIC_TEXTS[status]
    shown = status in (Status.RECTIFIED, Status.CALLED_BACK, Status.CLOSED) and task.measures
    measures = (
        task.measures[:MEASURES_SHOWN] + ("…" if len(task.measures) > MEASURES_SHOWN else "") if shown else ""
    )
    last = task.steps.exclude(kind="supervised").order_by("-at", "-id").values_list("at", flat=True).first()
    return {
        "status": status.value,
        "text": text,
        "measures": measures,
        "finished": status in Task.DONE,
        "updated_at": timezone.localtime(last or task.opened_at).isoformat(),
    }
