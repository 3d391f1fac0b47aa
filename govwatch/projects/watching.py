"""The deadlines of key projects that e-supervision watches (govwatch.supervision.watches): each
milestone until it is reached, and the owner unit's reply to a reminder letter (提醒函)."""

from __future__ import annotations

from datetime import datetime

from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.watches import close_watch, watch

MILESTONE = "project_milestone"
LETTER_REPLY = "project_letter_reply"


def register() -> None:
    # A late milestone is for the supervisors to judge (a reminder letter, seed 004): carded to the
    # owner unit and the commission, never an automatic order.
    register_kind(WatchKind(MILESTONE, "重点项目节点", yellow_days=5, order_after_workdays=None))
    # A reminder letter left unanswered three working days past its deadline becomes an order.
    register_kind(WatchKind(LETTER_REPLY, "提醒函反馈", yellow_days=2, order_after_workdays=3))


def watch_milestone(milestone, at: datetime | None = None) -> None:
    """Watch a milestone until it is reached (its planned date is its deadline)."""
    if milestone.actual_date is None:
        watch(
            milestone, kind=MILESTONE, unit=milestone.project.unit, due_date=milestone.planned_date,
            label=f"{milestone.project.name}：{milestone.name}", at=at,
        )  # fmt: skip
    else:
        close_watch(milestone, at, kind=MILESTONE)


def watch_letter(letter, at: datetime | None = None) -> None:
    """An issued letter's reply is watched until the unit answers (again after a reply sent back)."""
    if letter.status == letter.Status.ISSUED:
        watch(letter, kind=LETTER_REPLY, unit=letter.unit, due_date=letter.reply_due,
              label=f"{letter.number}（{letter.project.name}）", at=at)  # fmt: skip
    else:
        close_watch(letter, at, kind=LETTER_REPLY)
