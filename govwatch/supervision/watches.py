"""Watched deadlines (到期监察): e-supervision of any subject with a deadline, one engine for all.

An area (complaints, rectification lists, inspections, kiosks, key projects ...) registers its
kind once (govwatch.supervision.kinds) and then, inside the `do_*` action that sets or moves a
deadline, calls::

    from govwatch.supervision.watches import close_watch, suspend_watch, watch

    watch(complaint, kind="complaint", unit=complaint.unit, due_date=complaint.due_date,
          label=f"投诉 {complaint.complaint_id}", at=at)
    ...
    close_watch(complaint, at)          # done: no card any more

From then on the scan (`govwatch scan`, the worker's scan job) gives the subject the card rule of
contract section 3 (`cases.deadlines.card_on`), records each change once (WatchFlip), queues its
messages through the alert rules and the outbox, and the orders job turns a subject overdue for its
kind's number of working days into one supervision order linked back to it. The subject is named
through contenttypes: supervision never imports the subject's app.

A watch is keyed by (subject, kind). Calling `watch` again updates it; a new due date or a new
`stage` is a new deadline, which may be ordered again; the same deadline is never ordered twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from govwatch.audit.log import Actor
from govwatch.cases.models import Case
from govwatch.core.choices import Card
from govwatch.core.localtime import end_of_day
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from .kinds import UnknownKind, WatchKind, kind_of
from .models import Watch

logger = logging.getLogger(__name__)
Status = Watch.Status
WORKER = Actor("system:worker")


class _KindDefault:
    def __repr__(self) -> str:
        return "the kind's yellow_days"


KIND_DEFAULT: Any = _KindDefault()


def _subject_key(subject: models.Model) -> tuple[ContentType, int]:
    if subject.pk is None:
        raise ValueError("save the subject before watching it")
    return ContentType.objects.get_for_model(subject), subject.pk


def watches_of(subject: models.Model, kind: str | None = None) -> QuerySet[Watch]:
    content_type, pk = _subject_key(subject)
    qs = Watch.objects.filter(content_type=content_type, object_id=pk)
    return qs.filter(kind=kind) if kind else qs


def watch_of(subject: models.Model, kind: str) -> Watch | None:
    return watches_of(subject, kind).first()


def order_moment(spec: WatchKind, due_date: date) -> datetime | None:
    """When a deadline still overdue becomes an order: after more than `order_after_workdays`
    working days past the due date (0: the first overdue moment); None when the kind never orders."""
    if spec.order_after_workdays is None:
        return None
    return end_of_day(get_calendar().add_workdays(due_date, spec.order_after_workdays).date)


def watch(
    subject: models.Model,
    *,
    kind: str,
    unit: Unit,
    due_date: date,
    yellow_days: int | None = KIND_DEFAULT,
    label: str = "",
    at: datetime | None = None,
    stage: str = "",
    case: Case | str | None = None,
) -> Watch:
    """Watch `subject`'s deadline (or update it), in the caller's transaction.

    `unit` is the responsible unit (its staff get the yellow card, it and its supervisors the red
    one); `due_date` the last day (due by its end, local time); `yellow_days` the yellow threshold
    in working days (None: never yellow; by default the kind's); `label` how texts and pages name
    the subject; `stage` what is owed now, when one subject has successive deadlines; `case` the
    case (or case number) it concerns, if any. The caller holds the subject's row lock, so two
    calls for one subject never race.
    """
    spec = kind_of(kind)
    if isinstance(due_date, datetime) or not isinstance(due_date, date):
        raise TypeError("due_date must be a date (the deadline's last day)")
    threshold = spec.yellow_days if yellow_days is KIND_DEFAULT else yellow_days
    if threshold is not None and threshold < 0:
        raise ValueError("yellow_days must be >= 0 or None")
    at = at or timezone.now()
    content_type, pk = _subject_key(subject)
    current = (
        Watch.objects.select_for_update().filter(content_type=content_type, object_id=pk, kind=kind).first()
    )
    if current is None:
        current = Watch(content_type=content_type, object_id=pk, kind=kind, opened_at=at)
    elif (current.due_date, current.stage) != (due_date, stage):
        current.order = None  # a new deadline: it may be overdue, and ordered, in its own right
    current.stage, current.due_date, current.yellow_days = stage, due_date, threshold
    current.label = (label or str(subject))[:200]
    current.unit = unit
    current.case_id = case.case_no if isinstance(case, Case) else case
    current.status, current.suspended_at, current.closed_at = Status.OPEN, None, None
    current.order_at = order_moment(spec, due_date) if current.order_id is None else None
    current.next_card_at = None  # the next scan evaluates it afresh
    current.save()
    return current


def close_watch(subject: models.Model, at: datetime | None = None, *, kind: str | None = None) -> int:
    """The subject's deadline is met (or no longer owed): no card from `at` on, no order. Returns
    how many of its watches (all kinds, or `kind`) were open. The next scan records the card's end."""
    return (
        watches_of(subject, kind)
        .exclude(status=Status.CLOSED)
        .update(
            status=Status.CLOSED,
            closed_at=at or timezone.now(),
            suspended_at=None,
            next_card_at=None,
            order_at=None,
        )
    )


def suspend_watch(subject: models.Model, at: datetime | None = None, *, kind: str | None = None) -> int:
    """The subject's clock stops (an appeal, a suspension): no card and no order until `watch` is
    called again with the deadline that follows."""
    at = at or timezone.now()
    return (
        watches_of(subject, kind)
        .filter(status=Status.OPEN)
        .update(status=Status.SUSPENDED, suspended_at=at, next_card_at=None, order_at=None)
    )


def issue_for_overdue_watches(at: datetime | None = None, kinds: list[str] | None = None) -> int:
    """One supervision order for each open deadline past its kind's order moment, never two: the
    worker that moves `order_at` to NULL (a conditional UPDATE touching exactly one row) issues it."""
    from .orders import do_issue_order

    at = at or timezone.now()
    due = Watch.objects.filter(status=Status.OPEN, order__isnull=True, order_at__lte=at)
    if kinds is not None:
        due = due.filter(kind__in=kinds)
    issued = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Watch.objects.filter(
                pk=pk, status=Status.OPEN, order__isnull=True, order_at__lte=at
            ).update(order_at=None)
            if claimed != 1:
                continue  # another worker got there first, or the subject was dealt with meanwhile
            current = Watch.objects.select_related("unit", "case").get(pk=pk)
            try:
                spec = kind_of(current.kind)
            except UnknownKind:
                logger.warning("watch %s: kind %r is no longer registered; no order", pk, current.kind)
                continue
            order = do_issue_order(
                WORKER, current.unit, spec.demand_for(current), case=current.case,
                origin=spec.order_origin, reply_days=spec.order_reply_workdays, at=at, watch=current,
            )  # fmt: skip
            current.order = order
            current.save(update_fields=["order"])
            if spec.on_order is not None:
                spec.on_order(current, order, at)
            issued += 1
    return issued


def watch_new(
    model: type[models.Model], rows: Iterable[tuple[int, int, date, str, str | None, datetime]], *, kind: str
) -> int:
    """Start watching many subjects of `model` that have no watch of `kind` yet, one insert per
    thousand (an import's new rows), each as `watch()` would with the kind's yellow threshold.
    `rows` are (subject pk, unit id, due date, label, case number or None, opened at). Returns how
    many were watched."""
    spec = kind_of(kind)
    content_type = ContentType.objects.get_for_model(model)
    moments: dict[date, datetime | None] = {}
    watches = []
    for pk, unit_id, due_date, label, case_no, opened_at in rows:
        if due_date not in moments:
            moments[due_date] = order_moment(spec, due_date)
        watches.append(
            Watch(
                content_type=content_type,
                object_id=pk,
                kind=kind,
                opened_at=opened_at,
                label=label[:200],
                unit_id=unit_id,
                case_id=case_no,
                due_date=due_date,
                yellow_days=spec.yellow_days,
                order_at=moments[due_date],
            )  # fmt: skip
        )
    Watch.objects.bulk_create(watches, batch_size=1000)
    return len(watches)


def cards_of(model: type[models.Model], kind: str, ids: Iterable[int]) -> dict[int, str]:
    """The scan's card of each subject of `model` among `ids` with an open watch of `kind` (absent:
    no card): for a page of subjects whose queryset cannot be annotated."""
    return dict(
        Watch.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids), kind=kind,
            status=Status.OPEN,
        ).values_list("object_id", "card")
    )  # fmt: skip


def card_of_subject(model: type[models.Model], kind: str) -> Coalesce:
    """The card of each subject's open watch of `kind`, for `annotate()` on the subject's
    queryset ("none" when it has none): a list shows and filters the scan's card without reading
    the watches one by one."""
    watched = Watch.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), kind=kind,
        status=Status.OPEN,
    )  # fmt: skip
    return Coalesce(Subquery(watched.values("card")[:1]), Value(Card.NONE.value))


def subjects_with_card(model: type[models.Model], kind: str, card: str) -> QuerySet:
    """The ids of the subjects whose open watch of `kind` shows `card` (yellow or red): what
    `card_of_subject` equal to `card` selects, read from the few carded watches instead of a
    subquery for each of a province's subjects (one watch per subject and kind)."""
    return Watch.objects.filter(
        content_type=ContentType.objects.get_for_model(model), kind=kind, status=Status.OPEN, card=card
    ).values("object_id")
