"""The deadlines of rectification problems that e-supervision watches (govwatch.supervision.watches),
and the rhythm's messages (日提醒、周调度) through supervision's reminders.

A problem is watched while its unit owes the rectification (open, or reopened after a relapse) on
a published list: the scan gives it the cards of contract section 3 (yellow within three working
days, red after its deadline's last day), and the orders job one supervision order at the first
overdue moment, once per deadline (a relapse's new deadline may bring another), put on the
problem's timeline. A request for sign-off stops the clock (the approver has the problem); sent
back, it runs again on the same deadline; signed off, the watch ends. A secret hall check's list is
watched from its publication.
"""

from __future__ import annotations

from datetime import datetime

from govwatch.core.datewords import document_date
from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.models import SupervisionOrder, Watch
from govwatch.supervision.watches import close_watch, suspend_watch, watch

from .figures import DUE_SOON_WORKDAYS

PROBLEM = "rectification"
DAILY_TOPIC = "rectification.due"
WEEKLY_TOPIC = "rectification.weekly"


def _demand(w: Watch) -> str:
    return (
        f"{w.label}已超过整改时限（{document_date(w.due_date)}），请立即整改，在整改清单中报告进展，"
        "并回复本督办单。"
    )


def _on_order(w: Watch, order: SupervisionOrder, at: datetime) -> None:
    """The order on the problem's own timeline (its page links to it)."""
    from .models import Problem, ProblemStep

    problem = Problem.objects.filter(pk=w.object_id).first()
    if problem is None:
        return
    ProblemStep.objects.create(
        problem=problem, at=at, kind=ProblemStep.Kind.SUPERVISED, actor="system:worker",
        text=f"整改逾期，下发督办单 {order.number}", status=problem.status, deadline=problem.deadline, order=order,
    )  # fmt: skip


def register() -> None:
    # Yellow is the daily reminder's horizon; the unit hears of it by the reminder, so the yellow
    # card itself is for the board only. Red: the unit and its supervisors. An overdue problem is
    # ordered at once, as seed 003's rhythm asks.
    register_kind(WatchKind(
        PROBLEM, "整改问题", yellow_days=DUE_SOON_WORKDAYS, yellow_to_unit=False, order_after_workdays=0,
        order_origin=SupervisionOrder.Origin.RECTIFICATION_OVERDUE, demand=_demand, on_order=_on_order,
    ))  # fmt: skip


def label_of(problem) -> str:
    return f"《{problem.rlist.name}》第{problem.no}项（{problem.title}）"


def watch_problem(problem, at: datetime | None = None) -> None:
    """Start, move, stop or end the problem's watch after a step: in the step's transaction."""
    if problem.status in problem.OWED and problem.rlist.published:
        watch(
            problem,
            kind=PROBLEM,
            unit=problem.unit,
            due_date=problem.deadline,
            label=label_of(problem),
            at=at,
        )
    elif problem.status == problem.Status.SUBMITTED:
        suspend_watch(problem, at, kind=PROBLEM)
    else:
        close_watch(problem, at, kind=PROBLEM)
