"""The rows of the figures of contract section 4: their counts, how a row is built from them, and
the parts read live (the catalog's items, the negative-review loop's tasks).

Moved here from govwatch.reports.figures (which imports them back under their old names) so that
the pre-computed figures (govwatch.figures.read) and the raw ones (govwatch.reports.figures) build
the very same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual

from govwatch.catalog.figures import rate, reduction
from govwatch.catalog.models import Item
from govwatch.core.bulk import plain_rows
from govwatch.core.choices import Online
from govwatch.core.localtime import end_of_day, local_tz, start_of_day
from govwatch.evaluations.models import RectificationTask

from .tables import UnitTable

if TYPE_CHECKING:
    from .under import Under

# The counts behind the rows, summed for the total; the rates are then computed from them.
COUNTS = (
    "received",
    "completed",
    "completed_on_time",
    "overdue_open",
    "evaluations",
    "satisfied",
    "negative",
    "negative_excluded",
    "evaluated",
    "actively_evaluated",
    "items",
    "legal_days_sum",
    "promised_days_sum",
    "online_items",
    "full_online_items",
    "rectification_tasks",
    "rectified_on_time",
    "callbacks_owed",
    "called_back",
)


@dataclass(frozen=True)
class Period:
    """[date_from, date_to], local dates, both included; [start, end) are its local midnights."""

    date_from: date
    date_to: date

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")

    @property
    def start(self) -> datetime:
        return start_of_day(self.date_from)

    @property
    def end(self) -> datetime:
        return end_of_day(self.date_to)


def row(code: str, name: str, c: dict[str, int]) -> dict[str, Any]:
    return {
        "unit_code": code,
        "unit_name": name,
        "received": c["received"],
        "completed": c["completed"],
        "completed_on_time": c["completed_on_time"],
        "on_time_rate": rate(c["completed_on_time"], c["completed"]),
        "overdue_open": c["overdue_open"],
        "evaluations": c["evaluations"],
        "evaluation_rate": rate(c["evaluated"], c["completed"]),
        "active_evaluation_rate": rate(c["actively_evaluated"], c["completed"]),
        "satisfaction_rate": rate(c["satisfied"], c["evaluations"]),
        "negative": c["negative"],
        "time_limit_reduction": reduction(c["legal_days_sum"], c["promised_days_sum"]),
        "online_rate": rate(c["online_items"], c["items"]),
        "full_online_rate": rate(c["full_online_items"], c["items"]),
        "rectification_tasks": c["rectification_tasks"],
        "rectified_on_time": c["rectified_on_time"],
        "rectified_on_time_rate": rate(c["rectified_on_time"], c["rectification_tasks"]),
        "callbacks_owed": c["callbacks_owed"],
        "called_back": c["called_back"],
        "callback_rate": rate(c["called_back"], c["callbacks_owed"]),
        # Not a column of `report kpi` (contract section 4 has no such figure): the pages show it.
        "negative_excluded": c["negative_excluded"],
    }


def grouped(qs: QuerySet, unit_field: str, **aggregates) -> dict[int, dict[str, int]]:
    """{unit id: {aggregate: n}}: counts and integer sums, read without the ORM's converters."""
    columns = list(aggregates)
    rows = plain_rows(qs.order_by().values_list(unit_field).annotate(**aggregates))
    return {unit_id: dict(zip(columns, values, strict=True)) for unit_id, *values in rows}


def in_units(qs: QuerySet, unit_field: str, only: QuerySet | None) -> QuerySet:
    return qs if only is None else qs.filter(**{f"{unit_field}__in": only})


def item_counts(only: QuerySet | None) -> dict[int, dict[str, int]]:
    """The catalog figures' counts (govwatch.catalog.figures.catalog_figures), per unit."""
    return item_table(only).as_dicts()


# The catalog's counts per unit (`item_table`), kept per unit in govwatch.figures.models.UnitCatalog.
ITEM_COUNTS = ("items", "legal_days_sum", "promised_days_sum", "online_items", "full_online_items")


def item_table(only: QuerySet | list[int] | None, items: QuerySet | None = None) -> UnitTable:
    """`item_counts` as columns, counted from the items (`items`: the model's rows to read)."""
    timed = Q(legal_days__gt=0)
    return UnitTable.grouped(
        in_units(Item.objects.all() if items is None else items, "unit", only),
        "unit",
        items=Count("pk"),
        legal_days_sum=Sum("legal_days", filter=timed, default=0),
        promised_days_sum=Sum("promised_days", filter=timed, default=0),
        online_items=Count("pk", filter=Q(online__in=[Online.PARTIAL, Online.FULL])),
        full_online_items=Count("pk", filter=Q(online=Online.FULL)),
    )


def task_counts(period: Period, only: QuerySet | None) -> dict[int, dict[str, int]]:
    """`task_table` as {unit id: {count: n}}."""
    return task_table(period, only).as_dicts()


def task_table(period: Period, only: QuerySet | None, under: Under | None = None) -> UnitTable:
    """The closed loop of the negative reviews received in the period (差评整改与回访), per task unit.

    - rectification_tasks: rectification tasks whose intake (`opened_at`) is in the period, under
      the task's unit (the evaluation's unit when it was received). An imported evaluation's task
      counts when it was opened, not when the evaluation was given.
    - rectified_on_time: of those, the tasks whose rectification is done and stands, done on or
      before the local date `rectify_due`. Done and standing: the task is rectified, called back
      or closed (RECTIFIED, CALLED_BACK, CLOSED), done at `rectified_at`, or, for a review found
      unsubstantiated that went straight from verification to the callback (no measures owed), at
      `called_back_at`. A task sent back (RETURNED), appealing, or with an upheld appeal has no
      rectification standing, even if an earlier one is still recorded. `rectify_due` is the
      task's current deadline: a send-back or a rejected appeal moves it, as the loop does.
    - callbacks_owed: of those, the tasks of real-name evaluations (`evaluator_hash` set).
    - called_back: of those owed, the tasks with `called_back_at` set (any result, "unreachable"
      included; a later send-back does not undo a callback made).
    Done and called back as recorded when the report is made: the figures of a period still grow
    while its tasks are under way. With `under` (govwatch.figures.under), `only` is not read: the
    counts of its parent's subtree, summed by the unit shown they lie under.
    """
    status = RectificationTask.Status
    tz = local_tz()
    standing = Q(status__in=[status.RECTIFIED, status.CALLED_BACK, status.CLOSED])
    rectified_by_due = Q(rectified_at__isnull=False) & Q(
        LessThanOrEqual(TruncDate("rectified_at", tzinfo=tz), F("rectify_due"))
    )
    explained_by_due = Q(rectified_at__isnull=True, substantiated=False, called_back_at__isnull=False) & Q(
        LessThanOrEqual(TruncDate("called_back_at", tzinfo=tz), F("rectify_due"))
    )
    owed = ~Q(evaluation__evaluator_hash="")
    tasks = RectificationTask.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end)
    counted = {
        "rectification_tasks": Count("pk"),
        "rectified_on_time": Count("pk", filter=standing & (rectified_by_due | explained_by_due)),
        "callbacks_owed": Count("pk", filter=owed),
        "called_back": Count("pk", filter=owed & Q(called_back_at__isnull=False)),
    }
    if under is not None:
        return under.table(tasks, ranged=True, **counted)  # tasks opened over a range of days
    return UnitTable.grouped(in_units(tasks, "unit", only), "unit", **counted)
