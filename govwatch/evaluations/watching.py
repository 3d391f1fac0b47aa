"""The deadlines of this area that e-supervision watches (govwatch.supervision.watches): the step
a unit owes on a negative review, and a unit's reply to a recommendation or reminder letter."""

from __future__ import annotations

NEGATIVE_REVIEW = "negative_review"
LETTER_REPLY = "letter_reply"


def register() -> None:
    from govwatch.supervision.kinds import WatchKind, register_kind
    from govwatch.supervision.models import SupervisionOrder

    from . import rectification

    # A step of the loop is ordered the moment it is overdue (seed 004: 纪检监督 of every late step).
    register_kind(
        WatchKind(
            NEGATIVE_REVIEW, "差评整改", yellow_days=1, order_after_workdays=0,
            order_origin=SupervisionOrder.Origin.REVIEW_OVERDUE,
            demand=rectification.overdue_demand, on_order=rectification.record_supervision,
        )
    )  # fmt: skip
    # A letter is itself the supervisors' instrument: a late reply is carded, and they decide.
    register_kind(WatchKind(LETTER_REPLY, "文书反馈", yellow_days=3, order_after_workdays=None))
