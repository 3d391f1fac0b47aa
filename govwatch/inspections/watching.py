"""The feedback form's answer deadline, watched by e-supervision (govwatch.supervision.watches).

An issued form owes the unit's answer by `reply_due`: the scan gives it the cards of contract
section 3 (yellow within two working days, red after the deadline's last day) with their messages,
and the orders job one supervision order at the first overdue moment, once per deadline, put on the
form's timeline. The answer stops the clock while the group reviews it; sent back, the form is
watched again on its new deadline; accepted, the watch ends.
"""

from __future__ import annotations

from datetime import datetime

from govwatch.core.datewords import document_date
from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.models import SupervisionOrder, Watch
from govwatch.supervision.watches import close_watch, suspend_watch, watch

FEEDBACK = "inspection_feedback"
YELLOW_WORKDAYS = 2  # a form is yellow from two working days before its answer is due


def _demand(w: Watch) -> str:
    return f"{w.label}的整改情况逾期未反馈（期限 {document_date(w.due_date)}），请立即反馈，并说明逾期原因。"


def _on_order(w: Watch, order: SupervisionOrder, at: datetime) -> None:
    """The order on the form's own timeline (its page links to it)."""
    from .models import FeedbackForm, FormStep

    form = FeedbackForm.objects.filter(pk=w.object_id).first()
    if form is not None:
        FormStep.objects.create(
            form=form, at=at, kind="overdue", actor="system:worker", text=f"反馈逾期，下发督办单 {order.number}",
            due=w.due_date, order=order,
        )  # fmt: skip


def register() -> None:
    register_kind(WatchKind(
        FEEDBACK, "检查反馈", yellow_days=YELLOW_WORKDAYS, order_after_workdays=0,
        order_origin=SupervisionOrder.Origin.FEEDBACK_OVERDUE, demand=_demand, on_order=_on_order,
    ))  # fmt: skip


def watch_form(form, at: datetime | None = None) -> None:
    """Start, move, stop or end the form's watch after a step: in the step's transaction."""
    status = form.Status
    if form.status == status.ISSUED:
        label = f"{form.number}（{form.inspection.subject}）"
        watch(form, kind=FEEDBACK, unit=form.inspection.unit, due_date=form.reply_due, label=label, at=at)
    elif form.status == status.ANSWERED:
        suspend_watch(form, at, kind=FEEDBACK)
    else:
        close_watch(form, at, kind=FEEDBACK)
