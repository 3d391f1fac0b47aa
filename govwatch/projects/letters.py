"""Reminder letters (提醒函) to the owner unit of a key project behind plan (监督一点通: "对进展缓慢的
单位下发提醒函").

The supervisors draft a letter from the project's data (its overdue milestones and the lag of its
latest report), edit it while a draft, and issue it: it takes its running number, the unit is told
through the outbox, and a reply is due within GOVWATCH_PROJECT_REPLY_WORKDAYS working days. The
unit replies; the supervisors close the letter or send the reply back. `ProjectLetter.TRANSITIONS`
lists the allowed steps; each is one `do_*` with its timeline step and audit entry.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import ISSUE_LETTERS, REPLY_LETTERS, access, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.datewords import document_date
from govwatch.core.localtime import local_date
from govwatch.orgs.organs import supervisor_of
from govwatch.supervision.orders import next_number
from govwatch.supervision.routing import message_to
from govwatch.workcal.calendar import get_calendar

from .models import KeyProject, LetterStep, ProjectLetter
from .progress import state_on
from .watching import watch_letter

Status = ProjectLetter.Status
MAX_SUBJECT = 200
MAX_BODY = 20000
STEP_LABELS = {
    "drafted": "起草",
    "edited": "修改",
    "issued": "下发",
    "replied": "单位反馈",
    "returned": "退回",
    "closed": "办结",
}


class LetterError(Exception):
    """A step the letter's state or the rules do not allow; the message is for the user."""


def access_letter(user, pk: int, action: str | None = None) -> ProjectLetter:
    return access(user, ProjectLetter.objects.select_related("project", "unit", "issuer"), action, pk=pk)


def draft_body(project: KeyProject, today: date) -> tuple[str, str]:
    """The subject and body of a reminder letter, from the project's state on `today`."""
    state = state_on(project, today)
    subject = f"关于{project.name}进展滞后的提醒函"
    lines = [
        f"{project.name}（项目编号 {project.code}）是全区重点项目，责任单位为你单位，责任领导为{project.leader}，"
        f"计划于{document_date(project.start_date)}开工、{document_date(project.planned_end)}完工。",
    ]
    if state.reasons:
        lines.append(f"截至{document_date(today)}，该项目存在以下问题：")
        lines += [f"{n}. {reason}；" for n, reason in enumerate(state.reasons, start=1)]
    else:
        lines.append(
            f"截至{document_date(today)}，该项目计划进度{state.planned}%，请你单位持续关注项目推进。"
        )
    days = settings.PROJECT_REPLY_WORKDAYS
    lines += [
        "请你单位高度重视，压实责任领导和责任人责任，逐项分析滞后原因，制定赶超措施，明确完成时限，"
        "确保项目建设按计划推进。",
        f"请于收到本提醒函之日起 {days} 个工作日内，将滞后原因、整改措施和完成时限书面反馈。",
    ]
    return subject, "\n".join(lines)


def _step(letter: ProjectLetter, at: datetime, kind: str, actor: Actor, text: str = "") -> None:
    LetterStep.objects.create(letter=letter, at=at, kind=kind, actor=actor.label, text=text)


def _move(letter: ProjectLetter, status: str, verb: str) -> None:
    if not letter.can_move_to(status):
        raise LetterError(f"该提醒函{letter.get_status_display()}，不能{verb}")
    letter.status = status


def _locked(letter: ProjectLetter) -> ProjectLetter:
    return (
        ProjectLetter.objects.select_for_update(of=("self",))
        .select_related("project", "unit")
        .get(pk=letter.pk)
    )


def _text(value: str, message: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise LetterError(message)
    if len(value) > limit:
        raise LetterError(f"内容不能超过 {limit} 字")
    return value


@transaction.atomic
def do_draft_letter(actor: Actor, project: KeyProject, at: datetime | None = None) -> ProjectLetter:
    check_actor(actor, ISSUE_LETTERS, project.unit)
    at = at or timezone.now()
    subject, body = draft_body(project, local_date(at))
    letter = ProjectLetter.objects.create(
        project=project, unit=project.unit, subject=subject, body=body, created_at=at, created_by=actor.label
    )
    _step(letter, at, "drafted", actor, "依据项目节点和月报数据起草")
    record(
        actor,
        "project_letter.draft",
        letter,
        summary=f"起草提醒函：{project.name}",
        after={"project": project.code},
    )
    return letter


@transaction.atomic
def do_edit_letter(
    actor: Actor, letter: ProjectLetter, subject: str, body: str, at: datetime | None = None
) -> ProjectLetter:
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    if letter.status != Status.DRAFT:
        raise LetterError("该提醒函已下发，不能修改")
    subject, body = _text(subject, "标题不能为空", MAX_SUBJECT), _text(body, "正文不能为空", MAX_BODY)
    before = {"subject": letter.subject, "body": letter.body}
    letter.subject, letter.body = subject, body
    letter.save(update_fields=["subject", "body"])
    _step(letter, at or timezone.now(), "edited", actor, "修改标题和正文")
    record(
        actor,
        "project_letter.edit",
        letter,
        summary="修改提醒函草稿",
        before=before,
        after={"subject": subject, "body": body},
    )
    return letter


def _reply_due(at: datetime) -> date:
    return get_calendar().add_workdays(local_date(at), settings.PROJECT_REPLY_WORKDAYS).date


@transaction.atomic
def do_issue_letter(actor: Actor, letter: ProjectLetter, at: datetime | None = None) -> ProjectLetter:
    """Issue a draft: its number, the signing organ, a reply deadline, and a message to the unit."""
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    _move(letter, Status.ISSUED, "下发")
    at = at or timezone.now()
    letter.number = next_number(ProjectLetter.SERIES, local_date(at).year)
    letter.issuer = supervisor_of(letter.unit)
    letter.issued_at, letter.issued_by, letter.reply_due = at, actor.label, _reply_due(at)
    letter.save()
    text = (
        f"{letter.unit.name}：重点项目“{letter.project.name}”进展滞后，已向你单位下发提醒函 {letter.number}，"
        f"请于{document_date(letter.reply_due)}前登录系统反馈整改情况。"
    )
    message_to(letter.unit, "letter", text, at=at).save()
    watch_letter(letter, at)
    _step(
        letter,
        at,
        "issued",
        actor,
        f"下发 {letter.number}，反馈期限 {letter.reply_due:%Y-%m-%d}；已短信告知收文单位",
    )
    record(
        actor, "project_letter.issue", letter,
        summary=f"下发提醒函 {letter.number} 至 {letter.unit.name}",
        after={"number": letter.number, "unit": letter.unit.code, "reply_due": letter.reply_due},
    )  # fmt: skip
    return letter


@transaction.atomic
def do_reply_letter(
    actor: Actor, letter: ProjectLetter, reply: str, at: datetime | None = None
) -> ProjectLetter:
    check_actor(actor, REPLY_LETTERS, letter.unit)
    letter = _locked(letter)
    reply = _text(reply, "请填写滞后原因、整改措施和完成时限", MAX_BODY)
    _move(letter, Status.REPLIED, "反馈")
    at = at or timezone.now()
    letter.reply, letter.replied_at = reply, at
    letter.save()
    _step(letter, at, "replied", actor, reply)
    watch_letter(letter, at)
    record(
        actor,
        "project_letter.reply",
        letter,
        summary=f"{letter.unit.name} 反馈 {letter.number}",
        after={"reply": reply},
    )
    return letter


@transaction.atomic
def do_return_letter(
    actor: Actor, letter: ProjectLetter, comment: str, at: datetime | None = None
) -> ProjectLetter:
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    comment = _text(comment, "退回时请说明理由", MAX_BODY)
    _move(letter, Status.ISSUED, "退回")
    at = at or timezone.now()
    letter.reply_due = _reply_due(at)
    letter.save()
    _step(letter, at, "returned", actor, f"{comment}（反馈期限 {letter.reply_due:%Y-%m-%d}）")
    watch_letter(letter, at)
    record(
        actor,
        "project_letter.return",
        letter,
        summary=f"退回 {letter.number} 的反馈",
        after={"comment": comment},
    )
    return letter


@transaction.atomic
def do_close_letter(
    actor: Actor, letter: ProjectLetter, comment: str = "", at: datetime | None = None
) -> ProjectLetter:
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    _move(letter, Status.CLOSED, "办结")
    at = at or timezone.now()
    letter.closed_at = at
    letter.save()
    _step(letter, at, "closed", actor, comment.strip() or "反馈措施可行，予以办结")
    watch_letter(letter, at)
    record(
        actor,
        "project_letter.close",
        letter,
        summary=f"办结 {letter.number}",
        after={"comment": comment.strip()},
    )
    return letter


def reply_late(letter: ProjectLetter, today: date) -> bool:
    """An issued letter whose reply deadline has passed (overdue from the day after it)."""
    return letter.status == Status.ISSUED and letter.reply_due is not None and today > letter.reply_due
