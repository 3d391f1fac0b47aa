"""The figures of contract section 4, per unit and period and for their total (统计报表).

A unit's row holds the unit's own cases, evaluations and items, not its sub-units'; the total row
holds every unit of the selection (the whole region, a unit's subtree, a user's scope). The period
[from, to] is two local dates, both included: timestamps are compared with the local midnights
that bound it.

Each figure is one grouped aggregate query over the whole selection (`values("unit")`), never a
query per unit, so a province year costs the same handful of queries as a district month. The
total is summed from the rows' counts and its rates recomputed from those sums, so it always agrees
with the rows shown above it. A rate whose denominator is 0 is None, never 0.

After the contract's figures come GovWatch's own (an extension the contract allows: its fields are
kept, in order, and new ones only appended): the closed loop of negative reviews (差评整改与回访,
LOOP_FIGURES, defined at `_task_counts`), complaints (COMPLAINT_FIGURES, defined in
govwatch.complaints.figures), and apart from the rows `top_negative_tags`.

`negative` leaves out the negative reviews whose appeal the office upheld (the national rule: such a
review is not the unit's fault); every row says how many in `negative_excluded`, which the pages
show. The command's output is the contract's (`contract_rows`): its `negative` counts every
evaluation of level <= 2, upheld or not, and it has no `negative_excluded`.

Stored case facts are final (the status and due date after every event ever imported), while the
figures describe the period: a case is open at the end of the period when it was accepted by then
and not closed by then, whatever its status now, and its due date is the one its events up to then
gave it (contract section 3: the state of a case at a moment is given by its events up to it).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from govwatch.cases.deadlines import due_date
from govwatch.cases.models import Case, Suspension
from govwatch.catalog.figures import rate
from govwatch.complaints import figures as complaint_figures
from govwatch.core.choices import EvalChannel, EvalLevel
from govwatch.core.tree import subtree
from govwatch.evaluations.models import NEGATIVE_TAGS, Evaluation
from govwatch.evaluations.rules import negative_levels
from govwatch.figures.catalog import catalog_table
from govwatch.figures.read import channel_counts, complaint_table, unit_filter, unit_table
from govwatch.figures.rows import COUNTS, Period, row
from govwatch.figures.rows import grouped as _grouped
from govwatch.figures.rows import in_units as _in_units
from govwatch.figures.rows import item_counts as _item_counts
from govwatch.figures.rows import task_counts as _task_counts
from govwatch.figures.rows import task_table as _task_table
from govwatch.figures.tables import UnitTable
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

TOTAL = "total"
TOTAL_NAME = "合计"

# The figures of contract section 4, in its order: never renamed, reordered or removed.
CONTRACT_FIGURES = (
    "received",
    "completed",
    "completed_on_time",
    "on_time_rate",
    "overdue_open",
    "evaluations",
    "evaluation_rate",
    "active_evaluation_rate",
    "satisfaction_rate",
    "negative",
    "time_limit_reduction",
    "online_rate",
    "full_online_rate",
)
# GovWatch's extension, appended after the contract's figures: the closed loop of negative reviews.
LOOP_FIGURES = (
    "rectification_tasks",
    "rectified_on_time",
    "rectified_on_time_rate",
    "callbacks_owed",
    "called_back",
    "callback_rate",
)
# GovWatch's extension, after those: complaints (govwatch.complaints.figures).
COMPLAINT_FIGURES = complaint_figures.FIGURES
# The figures of a row of `report kpi`; the command's exports write exactly these columns, in this order.
FIGURES = (*CONTRACT_FIGURES, *LOOP_FIGURES, *COMPLAINT_FIGURES)
# How many negative reviews `negative` leaves out because the office upheld the unit's appeal (the
# national rule: such a review is not counted as negative). Every row carries it; the pages and
# their exports for people show it after the others, the command's output does not (the contract
# has no such figure).
APPEAL_FIGURES = ("negative_excluded",)
RATES = frozenset(
    {
        "on_time_rate",
        "evaluation_rate",
        "active_evaluation_rate",
        "satisfaction_rate",
        "time_limit_reduction",
        "online_rate",
        "full_online_rate",
        "rectified_on_time_rate",
        "callback_rate",
        *complaint_figures.RATES,
    }
)
COLUMNS = ("unit_code", "unit_name", *FIGURES)
PAGE_COLUMNS = (*COLUMNS, *APPEAL_FIGURES)
# The Chinese names of the columns, as the pages and the XLSX export show them.
LABELS = {
    "unit_code": "单位编码",
    "unit_name": "单位名称",
    "received": "受理量",
    "completed": "办结量",
    "completed_on_time": "按时办结量",
    "on_time_rate": "按时办结率",
    "overdue_open": "逾期未办结",
    "evaluations": "评价数",
    "evaluation_rate": "评价率",
    "active_evaluation_rate": "主动评价率",
    "satisfaction_rate": "满意率",
    "negative": "差评数",
    "time_limit_reduction": "承诺时限压缩比",
    "online_rate": "网办率",
    "full_online_rate": "全程网办率",
    "rectification_tasks": "整改任务数",
    "rectified_on_time": "按时整改数",
    "rectified_on_time_rate": "按时整改率",
    "callbacks_owed": "应回访数",
    "called_back": "已回访数",
    "callback_rate": "回访率",
    **complaint_figures.LABELS,
    "negative_excluded": "申诉成立不计差评数",
}

# The counts behind the rows, summed for the total; the rates are then computed from them.
_COUNTS = (*COUNTS, *complaint_figures.COUNTS)


class UnknownUnit(LookupError):
    """The unit code names no unit of the selection (or a unit the user may not see)."""


def selected_units(unit_code: str | None = None, units_qs: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    """The units of the rows: `units_qs` (default all), narrowed to the subtree of `unit_code`."""
    units = Unit.objects.all() if units_qs is None else units_qs
    if unit_code is None:
        return units
    unit = units.filter(code=unit_code).first()
    if unit is None:
        raise UnknownUnit(unit_code)
    return units.filter(subtree(unit.path))


def kpi_rows(
    date_from: date,
    date_to: date,
    unit_code: str | None = None,
    *,
    units_qs: QuerySet[Unit] | None = None,
) -> list[dict[str, Any]]:
    """One row per unit of the selection, in tree order, then the `total` row (COLUMNS each).

    `units_qs` is what the caller may see (`Unit.objects.visible_to(scope(user))`); `unit_code` narrows it
    to that unit and its descendants. Raises UnknownUnit for a code outside `units_qs`.
    The case and evaluation figures come from the pre-computed daily figures (govwatch.figures),
    equal by construction and by test to `kpi_rows_raw`, which counts the raw rows.
    """
    return _kpi_rows(date_from, date_to, unit_code, units_qs, raw=False)


def contract_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as contract section 4 defines them, for `report kpi`: `negative` is every
    evaluation of level <= 2, whether or not an appeal was upheld (other programs count it so)."""
    return [{**r, "negative": r["negative"] + r["negative_excluded"]} for r in rows]


def kpi_rows_raw(
    date_from: date,
    date_to: date,
    unit_code: str | None = None,
    *,
    units_qs: QuerySet[Unit] | None = None,
) -> list[dict[str, Any]]:
    """`kpi_rows` counted from the raw cases and evaluations: the reference the aggregates equal."""
    return _kpi_rows(date_from, date_to, unit_code, units_qs, raw=True)


def _kpi_rows(
    date_from: date, date_to: date, unit_code: str | None, units_qs: QuerySet[Unit] | None, *, raw: bool
) -> list[dict[str, Any]]:
    period = Period(date_from, date_to)
    selection = selected_units(unit_code, units_qs)
    units = list(selection.order_by("path").values_list("pk", "code", "name"))
    # The whole region needs no unit filter: every case, evaluation and item has a unit.
    only = selection.values("pk") if unit_code is not None or units_qs is not None else None

    if raw:
        case_counts = _case_counts(period, only)
        completed = sum(values.get("completed", 0) for values in case_counts.values())
        activity = [
            case_counts,
            _overdue_open(period, only),
            _evaluation_counts(period, only),
            _evaluated_completions(period, only, completed),
        ]
    else:
        return _rows_of(_aggregated(period, only), units)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for by_unit in (
        *activity,
        _item_counts(only),
        _task_counts(period, only),
        complaint_figures.counts(period.start, period.end, only),
    ):
        for unit_id, values in by_unit.items():
            counts[unit_id].update(values)

    rows = []
    total = dict.fromkeys(_COUNTS, 0)
    zero = dict.fromkeys(_COUNTS, 0)
    for pk, code, name in units:
        found = counts.get(pk)
        if found:
            c = {**zero, **found}
            for key, n in found.items():
                total[key] += n
        else:
            c = zero
        rows.append(_row(code, name, c))
    rows.append(_row(TOTAL, TOTAL_NAME, total))
    return rows


def _aggregated(period: Period, only: QuerySet | None) -> UnitTable:
    """Every count of the rows (_COUNTS) per unit: the cases', evaluations' and complaints' from the
    pre-computed figures, the others read live, as one table."""
    return unit_table(period, only).joined(
        catalog_table(only), _task_table(period, only), complaint_table(period, only)
    )


def _rows_of(table: UnitTable, units: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """The rows of `units` (pk, code, name), in that order, then the total, from `table`.

    Units with the same counts have the same figures (on a province month, 16,336 rows hold about
    6,400 distinct ones, a third of them all zero), so each distinct set of counts is made into
    figures once and its rows copy them under their own code and name."""
    position = {unit_id: i for i, unit_id in enumerate(table.ids.tolist())}
    values = list(map(tuple, table.values.tolist()))
    zero = (0,) * len(table.names)
    shown = [position[pk] for pk, _code, _name in units if pk in position]
    made: dict[tuple[int, ...], dict[str, Any]] = {}
    rows = []
    for pk, code, name in units:
        counts = values[position[pk]] if pk in position else zero
        figures = made.get(counts)
        if figures is None:
            figures = made[counts] = _row("", "", dict(zip(table.names, counts, strict=True)))
        # The figures' own dict keeps its key order (unit_code, unit_name first) in the copy.
        rows.append({**figures, "unit_code": code, "unit_name": name})
    total = table.values[shown].sum(axis=0).tolist() if shown else list(zero)
    rows.append(_row(TOTAL, TOTAL_NAME, dict(zip(table.names, total, strict=True))))
    return rows


def evaluations_by_channel(
    date_from: date,
    date_to: date,
    unit_code: str | None = None,
    *,
    units_qs: QuerySet[Unit] | None = None,
) -> list[dict[str, Any]]:
    """Evaluations whose `at` is in the period by channel and level, for the same selection.

    One row per channel (every channel, in the contract's order, so the table keeps its shape):
    `{"channel", "channel_name", "levels": {5: n, ..., 1: n}, "evaluations", "negative",
    "satisfaction_rate"}`, `negative` without the reviews whose appeal was upheld, like the rows'.
    """
    only = None
    if unit_code is not None or units_qs is not None:
        only = unit_filter(selected_units(unit_code, units_qs))
    return channel_rows(Period(date_from, date_to), only)


def channel_rows(period: Period, only: QuerySet | None) -> list[dict[str, Any]]:
    """`evaluations_by_channel` of the units `only` (a readers' `only`: None for every unit)."""
    # From the channel table's month rows (govwatch.figures: UnitChannelMonth), not the evaluations.
    counted = channel_counts(period, only)
    grid: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    upheld: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for channel, values in counted.items():
        for i, level in enumerate(range(5, 0, -1)):
            grid[channel][level] = values[i]
            upheld[channel][level] = values[5 + i]
    rows = []
    for channel in EvalChannel:
        levels = {level.value: grid[channel.value][level.value] for level in EvalLevel}
        total = sum(levels.values())
        # As in the rows: an upheld appeal's review is neither negative nor satisfied.
        excluded = sum(upheld[channel.value][level] for level in negative_levels())
        negative = sum(levels[level] for level in negative_levels()) - excluded
        rows.append(
            {
                "channel": channel.value,
                "channel_name": str(channel.label),
                "levels": levels,
                "evaluations": total,
                "negative": negative,
                "satisfaction_rate": rate(total - negative - excluded, total),
            }
        )
    return rows


def top_negative_tags(
    date_from: date, date_to: date, units: QuerySet[Unit] | None = None
) -> list[tuple[str, str, int]]:
    """差评原因排行: the reasons (NEGATIVE_TAGS) of the negative evaluations of the period.

    Over the negative evaluations (`is_negative`) whose `at` is in the period and whose unit is among
    `units` (None: the whole region), `(tag, label, count)` for every reason given at least once,
    `count` being how many of those evaluations give it (one evaluation may give several reasons,
    so the counts may add up to more than the negative evaluations; imported evaluations carry
    none). Most frequent first, ties in the order of NEGATIVE_TAGS. One query grouped by the
    evaluations' lists of reasons, split here: there are few distinct lists, whatever the period.
    """
    period = Period(date_from, date_to)
    negative = Evaluation.objects.negative().filter(at__gte=period.start, at__lt=period.end)
    if units is not None:
        negative = negative.filter(unit__in=units.values("pk"))
    counts: dict[str, int] = defaultdict(int)
    for tags, n in negative.order_by().values_list("tags").annotate(n=Count("pk")):
        for tag in dict.fromkeys(tags) if isinstance(tags, list) else ():
            counts[str(tag)] += n
    order = {tag: i for i, tag in enumerate(NEGATIVE_TAGS)}
    ranked = sorted(counts.items(), key=lambda tc: (-tc[1], order.get(tc[0], len(order)), tc[0]))
    return [(tag, NEGATIVE_TAGS.get(tag, tag), n) for tag, n in ranked]


def _row(code: str, name: str, c: dict[str, int]) -> dict[str, Any]:
    """A row of the figures (govwatch.figures.rows.row), then the complaints' figures, in the order of
    PAGE_COLUMNS: the command's COLUMNS first."""
    figures = {**row(code, name, c), **complaint_figures.row(c)}
    return {key: figures[key] for key in PAGE_COLUMNS}


def _merge(a: dict[int, dict[str, int]], b: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
    """Per-unit counts of a and b, added where both have one."""
    merged = {unit_id: dict(values) for unit_id, values in a.items()}
    for unit_id, values in b.items():
        counts = merged.setdefault(unit_id, {})
        for key, n in values.items():
            counts[key] = counts.get(key, 0) + n
    return merged


def _case_counts(period: Period, only: QuerySet | None) -> dict[int, dict[str, int]]:
    days = (period.date_from, period.date_to)
    # "unit in (units)" even for the whole region: it lets SQLite count on the (unit, accepted_on)
    # index alone, without reading a case row (ten times faster on a province year).
    received = _grouped(
        Case.objects.filter(
            accepted_on__range=days, unit__in=Unit.objects.values("pk") if only is None else only
        ),
        "unit",
        received=Count("pk"),
    )
    # A case is completed exactly when its completed_on_time is set (true or false); counting on it
    # rather than filtering on status keeps SQLite on the closed_on index.
    completed = _grouped(
        _in_units(Case.objects.filter(closed_on__range=days), "unit", only),
        "unit",
        completed=Count("pk", filter=Q(completed_on_time__isnull=False)),
        completed_on_time=Count("pk", filter=Q(completed_on_time=True)),
    )
    return _merge(received, completed)


def _open_at_end(period: Period, only: QuerySet | None) -> list[QuerySet[Case]]:
    """Cases open at the end of the period and not suspended then (contract sections 3 and 4).

    Openness comes from the acceptance and closing dates, not from the stored (final) status: a
    case completed after the period was open at its end. Two querysets, still open and closed
    since, each an index lookup on closed_on where an OR of both would scan every case.
    """
    suspended_then = Suspension.objects.filter(case=OuterRef("case_no"), started_at__lt=period.end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=period.end)
    )
    cases = _in_units(Case.objects.filter(accepted_on__lte=period.date_to), "unit", only)
    # The upper bound of "closed since" bounds nothing; it tells SQLite's planner (no statistics)
    # that this is a narrow range of the closed_on index, not a scan better done in unit order.
    closed_since = Q(closed_on__range=(period.date_to + timedelta(days=1), date.max))
    return [
        cases.filter(closing, ~Exists(suspended_then))
        for closing in (Q(closed_on__isnull=True), closed_since)
    ]


def _overdue_open(period: Period, only: QuerySet | None) -> dict[int, dict[str, int]]:
    """Open, running cases whose due date at the end of the period is before its last date."""
    result: dict[int, dict[str, int]] = {}
    moved: list[tuple[int, str, date, int]] = []
    # A suspension begun after the period may have moved a due date since; cases with one are
    # few and recomputed below from their events up to the period's end.
    later = Suspension.objects.filter(case=OuterRef("case_no"), started_at__gte=period.end)
    for open_cases in _open_at_end(period, only):
        # A suspension only ever moves a due date later, so a final due date before the last
        # date was before it at the end of the period too.
        result = _merge(
            result, _grouped(open_cases.filter(due_date__lt=period.date_to), "unit", overdue_open=Count("pk"))
        )
        moved += open_cases.filter(Exists(later), due_date__gte=period.date_to).values_list(
            "unit", "case_no", "accepted_on", "item__promised_days"
        )
    if not moved:
        return result
    added: dict[str, int] = dict(
        Suspension.objects.filter(case__in=[case_no for _, case_no, _, _ in moved], ended_at__lt=period.end)
        .order_by()
        .values_list("case")
        .annotate(days=Sum("workdays"))
    )
    cal = get_calendar()
    for unit_id, case_no, accepted_on, promised_days in moved:
        due = due_date(cal, accepted_on, promised_days, added.get(case_no, 0)).date
        if due < period.date_to:
            result = _merge(result, {unit_id: {"overdue_open": 1}})
    return result


def _evaluation_counts(period: Period, only: QuerySet | None) -> dict[int, dict[str, int]]:
    evaluations = Evaluation.objects.filter(at__gte=period.start, at__lt=period.end)
    return _grouped(
        _in_units(evaluations, "unit", only),
        "unit",
        evaluations=Count("pk"),
        satisfied=Count("pk", filter=~Q(level__in=negative_levels())),
        negative=Count("pk", filter=Q(level__in=negative_levels(), appeal_upheld=False)),
        negative_excluded=Count("pk", filter=Q(level__in=negative_levels(), appeal_upheld=True)),
    )


def _evaluated_completions(
    period: Period, only: QuerySet | None, completed: int
) -> dict[int, dict[str, int]]:
    """Evaluations of the cases completed in the period (`completed` of them), whenever given.

    Counted under the case's unit, the unit of the rate's denominator, even when an evaluation
    names another unit.
    """
    completed_cases = Case.objects.filter(
        closed_on__range=(period.date_from, period.date_to), completed_on_time__isnull=False
    )
    # Whichever side is smaller drives the join: a month's completed cases, each looked up among
    # the evaluations, or for a long period every evaluation, each looked up among the cases
    # (on a province, 2 s instead of 15 s for a month; 18 s instead of 32 s for a year).
    if completed < Evaluation.objects.count():
        evaluations = Evaluation.objects.filter(case__in=completed_cases.values("case_no"))
    else:
        evaluations = Evaluation.objects.filter(
            case__closed_on__range=(period.date_from, period.date_to), case__completed_on_time__isnull=False
        )
    return _grouped(
        _in_units(evaluations, "case__unit", only),
        "case__unit",
        evaluated=Count("pk"),
        actively_evaluated=Count("pk", filter=Q(auto=False)),
    )
