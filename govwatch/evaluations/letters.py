"""Supervision recommendation letters (纪检监察建议书) and reminder letters (提醒函).

The supervisors draft a letter from a unit's record in a period (its negative reviews and its
overdue rectifications), edit it while it is a draft, and issue it: only then does it take its
running number. The unit replies with its measures and the rules it set up (建章立制); the
supervisors close the letter or send the reply back. Each change is one `do_*` function with its
timeline step and audit entry; `Letter.TRANSITIONS` lists the allowed steps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from govwatch.accounts.permissions import ISSUE_LETTERS, REPLY_LETTERS, access, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.choices import EvalLevel
from govwatch.core.datewords import document_date
from govwatch.core.localtime import end_of_day, local_date, start_of_day
from govwatch.core.tree import subtree
from govwatch.orgs.models import Unit
from govwatch.orgs.organs import supervisor_of
from govwatch.supervision.orders import next_number
from govwatch.supervision.watches import close_watch, watch
from govwatch.workcal.calendar import get_calendar

from .models import NEGATIVE_TAGS, Evaluation, Letter, LetterStep, RectificationTask, TaskStep
from .rectification import overdue
from .rules import is_negative
from .watching import LETTER_REPLY

Kind = Letter.Kind
Status = Letter.Status
LISTED = 20  # problems listed one by one in a body; the rest are counted
QUOTED = 60  # characters of a citizen's comment quoted in a body
MAX_SUBJECT = 200
MAX_BODY = 20000


class LetterError(Exception):
    """A step the letter's state or the rules do not allow; the message is for the user."""


def access_letter(user, pk: int, action: str | None = None) -> Letter:
    """The letter as `user` sees it (a draft only by those who issue letters): 404 otherwise, 403
    without the role for `action`."""
    return access(user, Letter.objects.select_related("unit"), action, pk=pk)


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


def _period(date_from: date, date_to: date) -> str:
    return f"{document_date(date_from)}至{document_date(date_to)}"


def _negative_in(unit: Unit, date_from: date, date_to: date) -> QuerySet[Evaluation]:
    """The reviews under special supervision (`rules.is_supervised`: seed 004's "一般" and "不满意")
    of the unit and its sub-units in the period; upheld appeals and auto defaults are not the unit's
    problems."""
    return Evaluation.objects.supervised().filter(
        subtree(unit.path, "unit"),
        auto=False,
        appeal_upheld=False,
        at__gte=start_of_day(date_from),
        at__lt=end_of_day(date_to),
    )


def _overdue_tasks(unit: Unit, date_from: date, date_to: date, today: date) -> QuerySet[RectificationTask]:
    """Tasks opened in the period that missed a deadline: supervised for it, or past it today."""
    supervised = TaskStep.objects.filter(task=OuterRef("pk"), kind="supervised")
    return RectificationTask.objects.filter(
        Exists(supervised) | overdue(today),
        subtree(unit.path, "unit"),
        opened_at__gte=start_of_day(date_from),
        opened_at__lt=end_of_day(date_to),
    )


def _problem_line(n: int, e: Evaluation) -> str:
    where = f"办件 {e.case_id}（{e.case.item.name}）" if e.case_id else "单位评价"
    parts = [f"{n}. {document_date(e.at)} {where}：{e.get_level_display()}"]
    if e.tags:
        parts.append("，原因：" + "、".join(NEGATIVE_TAGS.get(t, t) for t in e.tags))
    if e.comment:
        quoted = e.comment[:QUOTED] + ("…" if len(e.comment) > QUOTED else "")
        parts.append(f"，评价内容：“{quoted}”")
    task = getattr(e, "task", None)
    if task is not None and task.substantiated is not None:
        parts.append("（经核实属实）" if task.substantiated else "（经核实不属实）")
    return "".join(parts) + "；"


def draft_letter(
    kind: str, unit: Unit, date_from: date, date_to: date, *, at: datetime | None = None
) -> Draft:
    """The subject and a Chinese body listing the unit's problems in the period, to be edited;
    tasks count as overdue when supervised for lateness or late at `at` (default now)."""
    kind = Kind(kind)
    negative = list(
        _negative_in(unit, date_from, date_to).select_related("case__item", "task").order_by("at", "id")
    )
    late = _overdue_tasks(unit, date_from, date_to, local_date(at or timezone.now())).count()
    orders = TaskStep.objects.filter(
        subtree(unit.path, "task__unit"), kind="supervised",
        at__gte=start_of_day(date_from), at__lt=end_of_day(date_to),
    ).count()  # fmt: skip
    levels = Counter(e.level for e in negative)
    tags = Counter(t for e in negative for t in e.tags)
    substantiated = sum(1 for e in negative if getattr(e, "task", None) and e.task.substantiated)
    days = settings.LETTER_REPLY_WORKDAYS
    lines = [f"{unit.name}：", ""]
    if negative:
        by_level = "、".join(f"{EvalLevel(lv).label}{levels[lv]}条" for lv in sorted(levels))
        word = "差评" if all(is_negative(lv) for lv in levels) else "“一般”及不满意评价"
        lines.append(
            f"{_period(date_from, date_to)}，你单位共收到群众和企业{word} {len(negative)} 条（{by_level}）。"
        )
        if tags:
            top = "、".join(f"{NEGATIVE_TAGS[t]}（{c}条）" for t, c in tags.most_common())
            lines.append(f"群众反映的问题主要是：{top}。")
        lines.append(f"经核实属实 {substantiated} 条；差评整改逾期 {late} 件，因逾期下发督办单 {orders} 份。")
        lines += ["", "具体问题如下："]
        lines += [_problem_line(n, e) for n, e in enumerate(negative[:LISTED], start=1)]
        if len(negative) > LISTED:
            lines.append(f"（另有 {len(negative) - LISTED} 条，详见差评整改台账。）")
    else:
        lines.append(
            f"{_period(date_from, date_to)}，你单位未收到差评；差评整改逾期 {late} 件，因逾期下发督办单 {orders} 份。"
        )
    lines.append("")
    if kind == Kind.RECOMMENDATION:
        subject = f"关于{unit.name}改进政务服务工作作风的纪检监察建议书"
        lines += [
            "上述问题反映出你单位在履职尽责、窗口管理和服务作风方面仍有不足。为推动问题整改到位，现提出如下建议：",
            "一、逐件整改上述问题，向办事企业和群众反馈整改结果，做到件件有回音；",
            "二、深入查找问题根源，举一反三，健全完善相关工作制度和机制（建章立制），堵塞管理漏洞；",
            "三、压实主体责任，加强窗口工作人员教育管理和考勤考核，严肃工作纪律，对不担当不作为慢作为问题严肃处理。",
            "",
            f"请于收到本建议书之日起 {days} 个工作日内，将整改落实情况和建立完善的制度机制书面反馈。",
        ]
    else:
        subject = f"关于{unit.name}差评整改工作的提醒函"
        lines += [
            "请你单位高度重视，按照差评整改时限要求及时核实、整改和回访，杜绝逾期整改问题再次发生。",
            "",
            f"请于收到本提醒函之日起 {days} 个工作日内，将整改落实情况书面反馈。",
        ]
    return Draft(subject=subject, body="\n".join(lines))


def _step(letter: Letter, at: datetime, kind: str, actor: Actor, text: str = "") -> None:
    LetterStep.objects.create(letter=letter, at=at, kind=kind, actor=actor.label, text=text)


def _move(letter: Letter, status: str, verb: str) -> None:
    if not letter.can_move_to(status):
        raise LetterError(f"该{letter.get_kind_display()}{letter.get_status_display()}，不能{verb}")
    letter.status = status


def _locked(letter: Letter) -> Letter:
    return Letter.objects.select_for_update(of=("self",)).select_related("unit").get(pk=letter.pk)


def _text(value: str, message: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise LetterError(message)
    if len(value) > limit:
        raise LetterError(f"内容不能超过 {limit} 字")
    return value


def _reply_due(at: datetime) -> date:
    return get_calendar().add_workdays(local_date(at), settings.LETTER_REPLY_WORKDAYS).date


def _await_reply(letter: Letter, at: datetime) -> None:
    """The unit's reply is a watched deadline: carded before and after it is due."""
    watch(letter, kind=LETTER_REPLY, unit=letter.unit, due_date=letter.reply_due, label=letter.number, at=at)


@transaction.atomic
def do_create_letter(
    actor: Actor, kind: str, unit: Unit, date_from: date, date_to: date, at: datetime | None = None
) -> Letter:
    """A draft letter to `unit`, its text drafted from the unit's record in the period."""
    check_actor(actor, ISSUE_LETTERS, unit)
    if kind not in Kind.values:
        raise LetterError("请选择文书类型")
    if date_from > date_to:
        raise LetterError("问题期间的开始日期不能晚于结束日期")
    at = at or timezone.now()
    draft = draft_letter(kind, unit, date_from, date_to, at=at)
    letter = Letter.objects.create(
        kind=kind, unit=unit, subject=draft.subject, body=draft.body, date_from=date_from, date_to=date_to,
        created_at=at, created_by=actor.label,
    )  # fmt: skip
    _step(letter, at, "drafted", actor, f"起草，问题期间 {_period(date_from, date_to)}")
    record(
        actor,
        "letter.draft",
        letter,
        summary=f"起草{letter.get_kind_display()}：{unit.name}",
        after={"kind": kind, "unit": unit.code, "from": date_from, "to": date_to},
    )
    return letter


@transaction.atomic
def do_edit_letter(
    actor: Actor, letter: Letter, subject: str, body: str, at: datetime | None = None
) -> Letter:
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    if letter.status != Status.DRAFT:
        raise LetterError(f"该{letter.get_kind_display()}已下发，不能修改")
    subject = _text(subject, "标题不能为空", MAX_SUBJECT)
    body = _text(body, "正文不能为空", MAX_BODY)
    before = {"subject": letter.subject, "body": letter.body}
    letter.subject, letter.body = subject, body
    letter.save(update_fields=["subject", "body"])
    _step(letter, at or timezone.now(), "edited", actor, "修改标题和正文")
    record(
        actor,
        "letter.edit",
        letter,
        summary=f"修改{letter.get_kind_display()}草稿",
        before=before,
        after={"subject": subject, "body": body},
    )
    return letter


@transaction.atomic
def do_issue_letter(actor: Actor, letter: Letter, at: datetime | None = None) -> Letter:
    """Issue a draft: it takes the next number of its series and year, and a reply deadline."""
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    _move(letter, Status.ISSUED, "下发")
    at = at or timezone.now()
    letter.number = next_number(Letter.SERIES[Kind(letter.kind)], local_date(at).year)
    letter.issued_at, letter.issued_by, letter.reply_due = at, actor.label, _reply_due(at)
    letter.issuer = supervisor_of(letter.unit)
    letter.save()
    _await_reply(letter, at)
    _step(letter, at, "issued", actor, f"下发 {letter.number}，反馈期限 {letter.reply_due:%Y-%m-%d}")
    record(
        actor,
        "letter.issue",
        letter,
        summary=f"下发{letter.get_kind_display()} {letter.number} 至 {letter.unit.name}",
        after={"number": letter.number, "unit": letter.unit.code, "reply_due": letter.reply_due},
    )
    return letter


@transaction.atomic
def do_reply_letter(
    actor: Actor, letter: Letter, measures: str, institution: str, at: datetime | None = None
) -> Letter:
    """The unit's written reply: measures taken and, for a recommendation, the rules it set up."""
    check_actor(actor, REPLY_LETTERS, letter.unit)
    letter = _locked(letter)
    measures = _text(measures, "请填写整改措施", MAX_BODY)
    institution = institution.strip()
    if letter.kind == Kind.RECOMMENDATION and not institution:
        raise LetterError("请填写建立完善的制度机制（建章立制）")
    _move(letter, Status.REPLIED, "反馈")
    at = at or timezone.now()
    letter.reply_measures, letter.reply_institution, letter.replied_at = measures, institution, at
    letter.save()
    close_watch(letter, at, kind=LETTER_REPLY)
    text = f"整改措施：{measures}" + (f"\n建章立制：{institution}" if institution else "")
    _step(letter, at, "replied", actor, text)
    record(
        actor,
        "letter.reply",
        letter,
        summary=f"{letter.unit.name} 反馈 {letter.number}",
        after={"measures": measures, "institution": institution},
    )
    return letter


@transaction.atomic
def do_return_letter(actor: Actor, letter: Letter, comment: str, at: datetime | None = None) -> Letter:
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    comment = _text(comment, "退回时请说明理由", MAX_BODY)
    _move(letter, Status.ISSUED, "退回")
    at = at or timezone.now()
    letter.reply_due = _reply_due(at)
    letter.save()
    _await_reply(letter, at)
    _step(letter, at, "returned", actor, f"{comment}（反馈期限 {letter.reply_due:%Y-%m-%d}）")
    record(actor, "letter.return", letter, summary=f"退回 {letter.number} 的反馈", after={"comment": comment})
    return letter


@transaction.atomic
def do_close_letter(actor: Actor, letter: Letter, comment: str = "", at: datetime | None = None) -> Letter:
    check_actor(actor, ISSUE_LETTERS, letter.unit)
    letter = _locked(letter)
    if letter.status != Status.REPLIED:
        raise LetterError(f"该{letter.get_kind_display()}尚未收到反馈，不能办结")
    _move(letter, Status.CLOSED, "办结")
    at = at or timezone.now()
    letter.close_comment, letter.closed_at = comment.strip(), at
    letter.save()
    _step(letter, at, "closed", actor, comment.strip() or "整改落实到位，予以办结")
    record(actor, "letter.close", letter, summary=f"办结 {letter.number}", after={"comment": comment.strip()})
    return letter
