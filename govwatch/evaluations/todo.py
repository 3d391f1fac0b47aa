"""What waits in the negative-review loop and the letters (govwatch.core.todo): the steps a unit
owes with their working days left, the reviews the supervisors check, the appeals the office
decides, the letters to answer and the replies to read."""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from govwatch.accounts.permissions import (
    DECIDE_APPEAL,
    HANDLE_NEGATIVE,
    ISSUE_LETTERS,
    REPLY_LETTERS,
    REVIEW_NEGATIVE,
    may,
    scope,
)
from govwatch.core.localtime import local_date
from govwatch.core.todo import SHOWN, TodoGroup, TodoItem, grouped_counts
from govwatch.workcal.calendar import get_calendar

from .models import Letter, RectificationTask

Task = RectificationTask
Status = Task.Status
NAV = "evaluations"
# What the unit owes in each state, as its to-do list says it.
UNIT_GROUPS = [
    (Status.OPEN, "待核实的差评"),
    (Status.VERIFIED, "待整改的差评"),
    (Status.RETURNED, "退回重新整改的差评"),
    (Status.RECTIFIED, "待回访的差评"),
]
# (action, status, label) of every group of tasks, in the order the to-do list shows them: the
# unit's steps (each with its deadline, Task.UNIT_STEPS), then the supervisors' and the office's.
TASK_GROUPS = [
    *((HANDLE_NEGATIVE, status, label) for status, label in UNIT_GROUPS),
    (REVIEW_NEGATIVE, Status.CALLED_BACK, "待审核的差评整改"),
    (DECIDE_APPEAL, Status.APPEALING, "待复核的差评申诉"),
]


def _list_url(name: str, **query: object) -> str:
    return reverse(name) + "?" + urlencode(query)


def _task_items(tasks: QuerySet[Task], at: datetime) -> list[TodoItem]:
    cal, today = get_calendar(), local_date(at)
    items = []
    for task in tasks.select_related("unit", "evaluation")[:SHOWN]:
        evaluation, due = task.evaluation, task.step_due
        label = f"{task.number} · {evaluation.get_level_display()}"
        note = f"{task.unit.name}{'，办件 ' + evaluation.case_id if evaluation.case_id else ''}"
        url = task.get_absolute_url()
        items.append(
            TodoItem.due(label, url, due, today, cal, note) if due else TodoItem(label, url, note=note)
        )
    return items


def _task_counts(user, steps: dict[Status, str | None], at: datetime) -> dict[str, tuple[int, int]]:
    """(how many, how many past their step's deadline) of the tasks the user sees in each status of
    `steps` (status: its deadline's field, or None), in one grouped statement."""
    today = local_date(at)
    late = [Q(status=status, **{f"{field}__lt": today}) for status, field in steps.items() if field]
    tasks = Task.objects.visible_to(scope(user)).filter(status__in=list(steps))
    return grouped_counts(tasks, "status", late=reduce(or_, late) if late else None)


def _task_group(
    user, status: Status, label: str, at: datetime, due_field: str | None, counts: tuple[int, int]
) -> TodoGroup:
    tasks = Task.objects.visible_to(scope(user)).filter(status=status)
    tasks = tasks.order_by(due_field, "id") if due_field else tasks.order_by("opened_at", "id")
    n, late = counts
    return TodoGroup(
        f"evaluations.tasks-{status.value}", label, n, _list_url("evaluations:task-list", status=status.value),
        items=lambda: _task_items(tasks, at), nav=NAV, tone="red" if late else "",
    )  # fmt: skip


def _letter_items(letters: QuerySet[Letter], at: datetime, deadline: bool) -> list[TodoItem]:
    cal, today = get_calendar(), local_date(at)
    items = []
    for letter in letters.select_related("unit")[:SHOWN]:
        label, url = f"{letter.number} · {letter.unit.name}", letter.get_absolute_url()
        if deadline and letter.reply_due:
            items.append(TodoItem.due(label, url, letter.reply_due, today, cal, note=letter.subject))
        else:
            items.append(TodoItem(label, url, note=letter.subject))
    return items


def waiting(user, at: datetime) -> list[TodoGroup]:
    groups = []
    # The task groups of every action the user may take, counted in one statement.
    task_groups = [
        (status, label, Task.UNIT_STEPS[status] if action == HANDLE_NEGATIVE else None)
        for action, status, label in TASK_GROUPS
        if may(user, action)
    ]
    if task_groups:
        counts = _task_counts(user, {status: due for status, _label, due in task_groups}, at)
        groups += [
            _task_group(user, status, label, at, due, counts.get(status.value, (0, 0)))
            for status, label, due in task_groups
        ]
    if may(user, REPLY_LETTERS):
        owed = (
            Letter.objects.visible_to(scope(user))
            .filter(status=Letter.Status.ISSUED)
            .order_by("reply_due", "id")
        )
        counted = owed.order_by().aggregate(
            n=Count("pk"), late=Count("pk", filter=Q(reply_due__lt=local_date(at)))
        )
        n = counted["n"]
        groups.append(
            TodoGroup(
                "evaluations.letters-to-answer", "待反馈的建议书和提醒函", n,
                _list_url("evaluations:letter-list", status=Letter.Status.ISSUED),
                items=lambda: _letter_items(owed, at, deadline=True), nav=NAV,
                tone="red" if counted["late"] else "",
            )
        )  # fmt: skip
    if may(user, ISSUE_LETTERS):
        replied = (
            Letter.objects.visible_to(scope(user))
            .filter(status=Letter.Status.REPLIED)
            .order_by("replied_at", "id")
        )
        groups.append(
            TodoGroup(
                "evaluations.letters-to-close", "待审核的文书反馈", replied.count(),
                _list_url("evaluations:letter-list", status=Letter.Status.REPLIED),
                items=lambda: _letter_items(replied, at, deadline=False), nav=NAV,
            )
        )  # fmt: skip
    return groups
