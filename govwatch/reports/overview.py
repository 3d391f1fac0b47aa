"""What leaders read at a glance, shared by the big screen (大屏), the charts and the bulletin:
a month's period, the trend of the last months, the cards by unit, the negative reviews' loop, the
complaints by category, the overdue cases and the catalog figures. The figures come from
`unit_figures` (govwatch.reports.source), so they equal `govwatch report kpi` for the same period.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from govwatch.cases.models import Case
from govwatch.core.choices import Card, CaseStatus, ComplaintCategory, ComplaintSource
from govwatch.evaluations.models import RectificationTask
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from . import charts
from .areas import complaints_in
from .figures import Period, _open_at_end, selected_units
from .source import remembered_scope_figures, scope_figures

TREND_MONTHS = 6


def month_period(month: date) -> tuple[date, date]:
    """The first and last day of the month holding `month`."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def months_before(month: date, count: int) -> list[date]:
    """The first days of the `count` months ending with `month`'s, oldest first."""
    firsts, year, m = [], month.year, month.month
    for _ in range(count):
        firsts.append(date(year, m, 1))
        year, m = (year, m - 1) if m > 1 else (year - 1, 12)
    return list(reversed(firsts))


def trend(
    month: date,
    unit_code: str | None,
    units_qs: QuerySet[Unit] | None,
    *,
    months: int = TREND_MONTHS,
    last_day: date | None = None,
    remember: bool = False,
) -> list[tuple[str, dict[str, Any]]]:
    """(label, figures) for each of the last `months` months up to `month`'s (that one up to
    `last_day` when given: the month so far): the total row's case and evaluation figures
    (`scope_figures`, one sum over the aggregates a month; with `remember`, from each month's
    counts kept between calls: for months that are over)."""
    periods = []
    for first in months_before(month, months):
        date_from, date_to = month_period(first)
        if last_day is not None and date_from <= last_day <= date_to:
            date_to = last_day
        periods.append((date_from, date_to))
    if remember:
        totals = remembered_scope_figures(periods, unit_code, units_qs=units_qs)
    else:
        totals = [scope_figures(*p, unit_code, units_qs=units_qs) for p in periods]
    return [(f"{p[0].year}年{p[0].month}月", total) for p, total in zip(periods, totals, strict=True)]


def trend_chart(points: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return charts.line_trend(
        [label for label, _ in points],
        [
            ("按时办结率", [row["on_time_rate"] for _, row in points]),
            ("满意率", [row["satisfaction_rate"] for _, row in points]),
        ],
    )


def current_cards(units: QuerySet[Unit] | None) -> dict[int, dict[str, int]]:
    """Unit id -> {"red": n, "yellow": n}: the cards open cases carry now (the last scan's), of
    `units` (None: every unit), read from the cases' card index alone."""
    cases = Case.objects.filter(status=CaseStatus.OPEN, card__in=[Card.RED, Card.YELLOW])
    if units is not None:
        cases = cases.filter(unit__in=units.values("pk"))
    out: dict[int, dict[str, int]] = {}
    for unit_id, card, n in cases.order_by().values_list("unit", "card").annotate(n=Count("pk")):
        out.setdefault(unit_id, {"red": 0, "yellow": 0})[card] = n
    return out


def most_carded(cards: dict[int, dict[str, int]], top: int = 10) -> list[tuple[str, str, dict[str, int]]]:
    """(code, name, cards) of the `top` units with the most red cards, then yellow, then by code.
    Codes and names are read only for the units that can be among them (those tied at the edge)."""
    key = {unit_id: (-c["red"], -c["yellow"]) for unit_id, c in cards.items()}
    if not key:
        return []
    edge = sorted(key.values())[min(top, len(key)) - 1]
    candidates = [unit_id for unit_id, k in key.items() if k <= edge]
    named = {
        pk: (code, name)
        for chunk in range(0, len(candidates), 5000)
        for pk, code, name in Unit.objects.filter(pk__in=candidates[chunk : chunk + 5000]).values_list(
            "pk", "code", "name"
        )
    }
    ranked = sorted(candidates, key=lambda u: (key[u], named[u][0]))[:top]
    return [(named[u][0], named[u][1], cards[u]) for u in ranked]


def cards_chart(ranked: Sequence[tuple[str, str, dict[str, int]]]) -> dict[str, Any]:
    """The cards of the units `most_carded` found, red and yellow stacked."""
    return charts.bars(
        [name for _code, name, _c in ranked],
        [
            ("红牌", [c["red"] for _code, _name, c in ranked], charts.RED),
            ("黄牌", [c["yellow"] for _code, _name, c in ranked], charts.YELLOW),
        ],
        horizontal=True,
        stacked=True,
    )


def overdue_chart(rows: Sequence[dict[str, Any]], top: int = 10) -> dict[str, Any]:
    """Overdue open cases at the end of the period (the kpi rows' overdue_open), by unit."""
    ranked = sorted(
        (r for r in rows if r["overdue_open"]), key=lambda r: (-r["overdue_open"], r["unit_code"])
    )[:top]
    return charts.bars(
        [r["unit_name"] for r in ranked],
        [("逾期未办结", [r["overdue_open"] for r in ranked], charts.RED)],
        horizontal=True,
    )


def loop_states(date_from: date, date_to: date, units: QuerySet[Unit] | None) -> list[tuple[str, int]]:
    """The negative reviews' rectification tasks opened in the period, by their state now."""
    period = Period(date_from, date_to)
    tasks = RectificationTask.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end)
    if units is not None:
        tasks = tasks.filter(unit__in=units.values("pk"))
    counts = dict(tasks.order_by().values_list("status").annotate(n=Count("pk")))
    return [(str(s.label), counts.get(s.value, 0)) for s in RectificationTask.Status]


def complaints_by(
    date_from: date, date_to: date, units: QuerySet[Unit] | None, field: str
) -> list[tuple[str, int]]:
    """Complaints of the period by `category` or `source`, in the contract's order (none: 未分类)."""
    choices = {"category": ComplaintCategory, "source": ComplaintSource}[field]
    counts = dict(
        complaints_in(date_from, date_to, units).order_by().values_list(field).annotate(n=Count("pk"))
    )
    out = [(str(c.label), counts.get(c.value, 0)) for c in choices]
    if counts.get(""):
        out.append(("未分类", counts[""]))
    return out


def overdue_cases(date_to: date, units: QuerySet[Unit] | None, limit: int = 20) -> list[dict[str, Any]]:
    """The longest overdue of the cases open and running at the end of `date_to`, due before it
    (those the kpi rows count in overdue_open, by their final due date), longest first."""
    only = units.values("pk") if units is not None else None
    period = Period(date_to, date_to)
    cal = get_calendar()
    found: list[dict[str, Any]] = []
    for cases in _open_at_end(period, only):
        for case in (
            cases.filter(due_date__lt=date_to).select_related("item", "unit").order_by("due_date")[:limit]
        ):
            found.append(
                {
                    "case_no": case.case_no,
                    "item_name": case.item.name,
                    "unit_name": case.unit.name,
                    "accepted_on": case.accepted_on,
                    "due_date": case.due_date,
                    "late_workdays": cal.workdays_between(case.due_date, date_to),
                }
            )
    found.sort(key=lambda c: (c["due_date"], c["case_no"]))
    return found[:limit]


def names_of(unit_code: str | None, units_qs: QuerySet[Unit] | None) -> dict[str, str]:
    return dict(selected_units(unit_code, units_qs).values_list("code", "name"))
