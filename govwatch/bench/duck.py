"""`report kpi` beside DuckDB on the same rows (issue 18: a month of a province within 5x of it).

The rows `report kpi` counts (cases and evaluations) are read once from GovWatch's database into
column arrays and handed to an in-memory DuckDB; the same figures are then counted there by one
grouped query per table, and timed as the query alone (the best of three), as a column store that
already holds the rows would answer. The counts are compared with `kpi_rows`' unit by unit, so
that the ratio compares the same work.

The case figures counted here: received, completed, completed on time, overdue and open at the
period's end (final due dates; a case with a suspension begun after the period is left out of the
comparison, as `kpi_rows` recomputes its due date from its events), evaluations and negative ones,
and the evaluations of the cases completed in the period.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

NAT = np.iinfo(np.int64).min
FIGURES = (
    "received", "completed", "completed_on_time", "overdue_open", "evaluations", "negative", "evaluated",
    "actively_evaluated",
)  # fmt: skip


def _days(values: list) -> np.ndarray:
    """Dates (or None) as days since 1970-01-01, NAT for None."""
    return np.array(values, dtype="datetime64[D]").astype(np.int64)


def _micros(values: list) -> np.ndarray:
    """Aware datetimes as UTC microseconds since the epoch."""
    naive = [v.astimezone(UTC).replace(tzinfo=None) for v in values]
    return np.array(naive, dtype="datetime64[us]").astype(np.int64)


def _day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _micro(moment: datetime) -> int:
    return int(np.datetime64(moment.astimezone(UTC).replace(tzinfo=None), "us").astype(np.int64))


def load(suspended: set[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float]:
    """The cases' and evaluations' columns (`suspended`: the case numbers to mark suspended), and
    the seconds it took to read them."""
    from govwatch.cases.models import Case
    from govwatch.evaluations.models import Evaluation
    from govwatch.evaluations.rules import negative_levels

    began = time.perf_counter()
    rows = list(
        Case.objects.order_by().values_list(
            "case_no", "unit_id", "accepted_on", "closed_on", "completed_on_time", "due_date"
        )
    )
    number = {case_no: i for i, (case_no, *_) in enumerate(rows)}
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    cases = {
        "id": np.arange(len(rows), dtype=np.int64),
        "unit": np.array(columns[1], dtype=np.int64),
        "accepted_on": _days(list(columns[2])),
        "closed_on": _days(list(columns[3])),
        # 1 on time, 0 late, -1 not completed
        "on_time": np.array([-1 if v is None else int(v) for v in columns[4]], dtype=np.int8),
        "due": _days(list(columns[5])),
        "suspended": np.array([c in suspended for c in columns[0]], dtype=np.bool_),
    }
    negative = set(negative_levels())
    evals = list(Evaluation.objects.order_by().values_list("unit_id", "at", "level", "auto", "case_id"))
    columns = list(zip(*evals, strict=True)) if evals else [()] * 5
    evaluations = {
        "unit": np.array(columns[0], dtype=np.int64),
        "at_us": _micros(list(columns[1])),
        "negative": np.array([level in negative for level in columns[2]], dtype=np.bool_),
        "auto": np.array(columns[3], dtype=np.bool_),
        "case_id": np.array([number.get(c, -1) for c in columns[4]], dtype=np.int64),
    }
    return cases, evaluations, time.perf_counter() - began


CASES_SQL = """
SELECT unit,
       count(*) FILTER (WHERE accepted_on BETWEEN $1 AND $2) AS received,
       count(*) FILTER (WHERE closed_on BETWEEN $1 AND $2 AND on_time >= 0) AS completed,
       count(*) FILTER (WHERE closed_on BETWEEN $1 AND $2 AND on_time = 1) AS completed_on_time,
       count(*) FILTER (WHERE accepted_on <= $2 AND (closed_on = $3 OR closed_on > $2) AND due < $2
                        AND NOT suspended) AS overdue_open
FROM cases GROUP BY unit
"""
EVALUATIONS_SQL = """
SELECT unit, count(*) AS evaluations, count(*) FILTER (WHERE negative) AS negative
FROM evaluations WHERE at_us >= $1 AND at_us < $2 GROUP BY unit
"""
EVALUATED_SQL = """
SELECT c.unit, count(*) AS evaluated, count(*) FILTER (WHERE NOT e.auto) AS actively_evaluated
FROM evaluations e JOIN cases c ON c.id = e.case_id
WHERE c.closed_on BETWEEN $1 AND $2 AND c.on_time >= 0 GROUP BY c.unit
"""


def compare(date_from: date, date_to: date, repeat: int = 3) -> dict[str, Any]:
    """DuckDB's time for the figures of [date_from, date_to] beside `kpi_rows`' in this process,
    and how many unit rows differ between the two (0 expected)."""
    import duckdb
    from django.db.models import Q

    from govwatch.cases.models import Suspension
    from govwatch.figures.rows import Period
    from govwatch.orgs.models import Unit
    from govwatch.reports.figures import contract_rows, kpi_rows

    period = Period(date_from, date_to)
    # Suspended at the end of the period (not counted overdue), and suspended later (left out).
    suspended_then = set(
        Suspension.objects.filter(started_at__lt=period.end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=period.end))
        .values_list("case", flat=True)
    )
    later = set(Suspension.objects.filter(started_at__gte=period.end).values_list("case", flat=True))
    cases, evaluations, read_s = load(suspended_then)
    con = duckdb.connect()
    con.register("cases", cases)
    con.register("evaluations", evaluations)
    day_from, day_to = _day(date_from), _day(date_to)
    start, end = _micro(period.start), _micro(period.end)

    def query() -> dict[int, dict[str, int]]:
        counts: dict[int, dict[str, int]] = {}
        for sql, params in (
            (CASES_SQL, [day_from, day_to, NAT]),
            (EVALUATIONS_SQL, [start, end]),
            (EVALUATED_SQL, [day_from, day_to]),
        ):
            result = con.execute(sql, params)
            names = [d[0] for d in result.description][1:]
            for unit, *values in result.fetchall():
                counts.setdefault(unit, {}).update(zip(names, values, strict=True))
        return counts

    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        counts = query()
        timings.append(time.perf_counter() - began)
    kpi_rows(date_from, date_to)  # folds what is stale: the next call reads only
    kpi_timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        rows = contract_rows(kpi_rows(date_from, date_to))  # negative by level, as `report kpi` prints
        kpi_timings.append(time.perf_counter() - began)
    # Units whose cases had a suspension begun after the period: kpi_rows moves their due dates.
    skip = set(Unit.objects.filter(cases__case_no__in=later).values_list("pk", flat=True)) if later else set()
    code_to_pk = dict(Unit.objects.values_list("code", "pk"))
    differ = 0
    compared = 0
    for r in rows[:-1]:
        pk = code_to_pk[r["unit_code"]]
        theirs = counts.get(pk, {})
        for figure in FIGURES:
            if figure == "overdue_open" and pk in skip:
                continue
            if figure not in r:
                continue
            compared += 1
            if (theirs.get(figure) or 0) != (r[figure] or 0):
                differ += 1
    duck_s, kpi_s = min(timings), min(kpi_timings)
    return {
        "cases": len(cases["unit"]),
        "evaluations": len(evaluations["unit"]),
        "read_rows_s": round(read_s, 2),
        "duckdb_s": round(duck_s, 4),
        "kpi_rows_s": round(kpi_s, 3),
        "ratio_kpi_to_duckdb": round(kpi_s / duck_s, 1) if duck_s else None,
        "figures_compared": compared,
        "figures_differing": differ,
    }
