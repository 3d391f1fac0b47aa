"""The deadline of double-random inspections that e-supervision watches: the publication of a
plan's results within GOVWATCH_RANDOM_PUBLISH_WORKDAYS working days (一公开)."""

from __future__ import annotations

from datetime import datetime

from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.watches import close_watch, watch

PUBLICATION = "random_publication"


def register() -> None:
    register_kind(WatchKind(PUBLICATION, "双随机结果公示", yellow_days=3, order_after_workdays=5))


def watch_publication(plan, at: datetime | None = None) -> None:
    """Watch the plan's earliest unpublished result's deadline, or nothing once all are published."""
    if plan.publish_due is None:
        close_watch(plan, at, kind=PUBLICATION)
    else:
        watch(
            plan,
            kind=PUBLICATION,
            unit=plan.unit,
            due_date=plan.publish_due,
            label=f"{plan.number} {plan.name}",
            at=at,
        )
