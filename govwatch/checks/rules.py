"""The eight checks of contract section 8, each one named function yielding `Candidate`s.

A candidate is what one run suspects: a kind, a unit (and window), a stable group key, the
evaluations it names (or, for missing_evaluations, the cases left unevaluated), a score in [0, 1]
and the reasons in Chinese. `govwatch.checks.runs` turns candidates into findings, never twice.

The statistical checks measure a unit against its peers and a window against its own throughput,
never against a fixed count:
- burst: a run of top ratings at one window's device, seconds apart, most of them not following
  a completion of their case at that moment (the window did not serve those people then), and
  improbable at that window's own rate of evaluations that day (Poisson);
- off_hours: device ratings outside the unit's hours or on a rest day, unless the window was
  evidently serving (the rating follows its case's completion, near the hours or among others);
- evaluator_many: counts per evaluator (cases, units, cases in one day) beyond the tail of the
  region's own distribution of them;
- duplicate_comment: a comment long enough to be one person's words, on several cases, that the
  rest of the region does not use (a phrase many units' citizens write is common speech);
- missing_evaluations (its own module, `govwatch.checks.missing`): a unit's (or window's)
  completed cases of a month with far fewer evaluations than its peers' rates per case channel
  predict (binomial), and below their spread.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

import numpy as np
from django.db import connection

from govwatch.core.choices import CaseStatus
from govwatch.orgs.hours import format_hours as hours_text

from .data import DAY, C, Clock, E, P, Period, Units, epoch, fetched, moment, parts, rows, stream
from .models import Kind
from .stats import poisson_sf, tail_threshold
from .thresholds import DEFAULTS

# An evaluation a window's device records within a few minutes of its case's completion follows
# service at that window; a window where at least BUSY such ratings fall within BUSY_SECONDS
# either side of a moment was evidently serving then (a hall open late or on a rest day).
BUSY = 4
BUSY_SECONDS = 3600
TAIL_SUPPORT = 50


@dataclass
class Candidate:
    kind: str
    unit_id: int
    window_code: str
    key: str
    month: date
    eval_ids: list[str]
    case_nos: list[str]
    score: float
    reasons: list[str]


RATED = "govwatch_checks_rated"
PENDING_KEYS = 10**13  # the pending evaluations' keys in `rated` lie below minus this
# Evaluations of cases completed in the period count for missing_evaluations when given this long after.
LATE_RATINGS = timedelta(days=62)


@dataclass
class Context:
    period: Period
    units: Units
    now: datetime
    clock: Clock = field(init=False)
    _rated: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.clock = Clock(self.period)

    def month(self, second: int) -> date:
        return self.clock.date_of(second).replace(day=1)

    @property
    def start(self) -> int:
        return int(self.period.start.timestamp())

    @property
    def end(self) -> int:
        return int(self.period.end.timestamp())

    def rated(self) -> str:
        """The period's evaluations (pending ones too) joined once to their cases, in a temporary
        table every check that needs the join reads: one pass over millions of rows, not one per
        check. Moments are UTC seconds; evaluator hashes are cut to their first 16 hex digits (64
        bits: enough to tell a region's evaluators apart). `ck` is an integer for what was rated:
        the case's id; an evaluation without a case, minus its own id; a pending one, minus a big
        number and the first pending id of its case number (two of one unknown case are one)."""
        if not self._rated:
            t, closed = epoch("e.at"), epoch("c.closed_at")
            sql = (
                f"SELECT e.eval_id, e.unit_id, e.window_code, e.channel, e.level, e.auto, "
                f"substr(e.evaluator_hash, 1, 16) AS h, {t} AS t, COALESCE(e.case_no, '') AS case_no, 0 AS pending, "
                f"c.unit_id AS case_unit, c.window_code AS case_window, c.channel AS case_channel, "
                f"c.status AS case_status, {closed} AS closed, c.closed_on AS closed_on, "
                f"CASE WHEN COALESCE(e.case_no, '') = '' THEN -e.id ELSE COALESCE(c.id, -e.id) END AS ck "
                f"FROM {E} e LEFT JOIN {C} c ON c.case_no = e.case_no WHERE e.at >= %s AND e.at < %s "
                f"UNION ALL SELECT p.eval_id, p.unit_id, p.window_code, p.channel, p.level, p.auto, "
                f"substr(p.evaluator_hash, 1, 16), {epoch('p.at')}, p.case_no, 1, NULL, NULL, NULL, NULL, NULL, NULL, "
                f"CASE WHEN p.case_no = '' THEN -{PENDING_KEYS} - p.id ELSE -{2 * PENDING_KEYS} - "
                f"(SELECT MIN(o.id) FROM {P} o WHERE o.case_no = p.case_no) END "
                f"FROM {P} p WHERE p.at >= %s AND p.at < %s"
            )
            bounds = [moment(self.period.start), moment(self.period.end + LATE_RATINGS)]
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {RATED}", [])
                cursor.execute(f"CREATE TEMPORARY TABLE {RATED} AS {sql}", bounds * 2)
            self._rated = True
        return RATED

    def close(self) -> None:
        if self._rated:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {RATED}", [])
            self._rated = False


def _score(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


def _period_sql(alias: str) -> str:
    return f"{alias}.at >= %s AND {alias}.at < %s"


# -- unknown_case --------------------------------------------------------------------------------


def unknown_case(ctx: Context) -> Iterator[Candidate]:
    """Evaluations kept without their case: the case_no is not a case GovWatch has now."""
    sql = (
        f"SELECT p.eval_id, p.unit_id, p.window_code, {epoch('p.at')}, p.case_no FROM {P} p "
        f"WHERE {_period_sql('p')} AND NOT EXISTS (SELECT 1 FROM {C} c WHERE c.case_no = p.case_no) "
        "ORDER BY p.unit_id, p.window_code, p.at"
    )
    now = ctx.now.timestamp()
    for (unit_id, window, month), group in groupby(
        stream(sql, ctx.period.bounds()), key=lambda r: (r[1], r[2], ctx.month(r[3]))
    ):
        group = list(group)
        oldest = min(r[3] for r in group)
        age_days = (now - oldest) / DAY
        yield Candidate(
            Kind.UNKNOWN_CASE, unit_id, window, f"{unit_id}|{window}|{month:%Y-%m}", month,
            [r[0] for r in group], sorted({r[4] for r in group}),
            _score(0.6 + 0.4 * min(1.0, age_days / 14)),
            [f"{len(group)} 条评价指向的业务编号在系统中没有办件记录",
             f"最早一条评价于 {ctx.clock.text(oldest)}，已过 {max(0, int(age_days))} 天仍无办件数据"],
        )  # fmt: skip


# -- wrong_unit and before_completion ------------------------------------------------------------


def case_mismatches(ctx: Context, disagree: str, params: list) -> Iterator[tuple]:
    """Evaluations whose case disagrees with them as `disagree` says (SQL over `rated`), in
    (unit, window, time) order, streamed: (eval_id, unit, window, at, case_no, case unit, case
    status, case closed_at). Only the disagreeing rows leave the database, and the rules hold one
    unit-window-month of them at a time."""
    sql = (
        f"SELECT eval_id, unit_id, window_code, t, case_no, case_unit, case_status, closed FROM {ctx.rated()} "
        f"WHERE case_unit IS NOT NULL AND t < %s AND ({disagree}) ORDER BY unit_id, window_code, t"
    )
    return stream(sql, [ctx.end, *params])


def _monthly(
    ctx: Context, kind: str, found: Iterator[tuple[tuple, float, str]], reasons
) -> Iterator[Candidate]:
    """Candidates of a record-level kind, one per unit, window and month: `found` holds
    (row, score, why) with row = (eval_id, unit, window, at, case_no, ...)."""
    for (unit_id, window, month), group in groupby(
        found, key=lambda f: (f[0][1], f[0][2], ctx.month(f[0][3]))
    ):
        group = list(group)
        yield Candidate(
            kind, unit_id, window, f"{unit_id}|{window}|{month:%Y-%m}", month,
            [f[0][0] for f in group], sorted({f[0][4] for f in group if f[0][4]}),
            _score(sum(f[1] for f in group) / len(group)), reasons(group),
        )  # fmt: skip


def wrong_unit(ctx: Context) -> Iterator[Candidate]:
    """The evaluation's unit differs from its case's unit."""
    found = (
        (row, 0.6 if ctx.units.kin(row[1], row[5]) else 1.0, ctx.units[row[5]].name)
        for row in case_mismatches(ctx, "unit_id <> case_unit", [])
    )

    def reasons(group: list) -> list[str]:
        owners = Counter(f[2] for f in group)
        listed = "、".join(f"{name}（{n} 条）" for name, n in owners.most_common(5))
        return [f"{len(group)} 条评价记在本单位名下，其办件却属于其他单位：{listed}"]

    yield from _monthly(ctx, Kind.WRONG_UNIT, found, reasons)


def before_completion(ctx: Context) -> Iterator[Candidate]:
    """The evaluation is earlier than its case's completion, or its case is not completed."""

    def early_or_open() -> Iterator[tuple[tuple, float, str]]:
        for row in case_mismatches(ctx, "case_status <> %s OR t < closed", [CaseStatus.COMPLETED]):
            status, closed, at = row[6], row[7], row[3]
            grace = ctx.units[row[1]].thresholds.before_completion_grace_seconds
            if status != CaseStatus.COMPLETED:
                yield row, 0.9, f"办件{CaseStatus(status).label}"
            elif closed is not None and at < closed - grace:
                early = closed - at
                yield row, 0.5 + 0.5 * min(1.0, early / DAY), f"早于办结 {_duration(early)}"

    found = early_or_open()

    def reasons(group: list) -> list[str]:
        open_ = sum(1 for f in group if not f[2].startswith("早于"))
        early = len(group) - open_
        out = []
        if early:
            out.append(f"{early} 条评价的时间早于其办件的办结时间")
        if open_:
            out.append(f"{open_} 条评价的办件至今未办结（办理中、挂起、退件或撤回）")
        return out

    yield from _monthly(ctx, Kind.BEFORE_COMPLETION, found, reasons)


def _duration(seconds: float) -> str:
    if seconds >= DAY:
        return f"{seconds / DAY:.1f} 天"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} 小时"
    return f"{max(1, round(seconds / 60))} 分钟"


# -- the windows' devices: off_hours and burst ---------------------------------------------------


@dataclass
class WindowRatings:
    """One window's device ratings in the period, in time order, as arrays."""

    unit_id: int
    window_code: str
    eval_ids: np.ndarray
    at: np.ndarray  # UTC seconds
    level: np.ndarray
    served: np.ndarray  # the rating follows its case's completion within minutes
    delay: np.ndarray  # seconds since its case's completion; -1 without a completed case


@dataclass
class Devices:
    """The device ratings of a part of whole units (pending ones too) as arrays in (unit, window, time)
    order; window i holds the rows starts[i]:ends[i]."""

    windows: list[tuple[int, str]]
    starts: np.ndarray
    ends: np.ndarray
    index: np.ndarray  # each row's window
    eval_ids: np.ndarray
    at: np.ndarray  # UTC seconds
    level: np.ndarray
    closed: np.ndarray  # its case's completion (UTC seconds); -1 without a completed case

    def per_row(self, values: list) -> np.ndarray:
        """A value per window, for each of its rows."""
        return np.asarray(values)[self.index]

    def window(self, i: int, served: np.ndarray, delay: np.ndarray) -> WindowRatings:
        a, b = int(self.starts[i]), int(self.ends[i])
        unit_id, code = self.windows[i]
        return WindowRatings(
            unit_id, code, self.eval_ids[a:b], self.at[a:b], self.level[a:b], served[a:b], delay[a:b]
        )


DEVICE_PART = (
    200_000  # device ratings held in arrays at a time (whole units): memory stays flat on any region
)


def device_parts(ctx: Context) -> Iterator[Devices]:
    """The device ratings in parts of whole units of about DEVICE_PART ratings, from one statement
    in (unit, window, time) order."""
    sql = (
        f"SELECT unit_id, window_code, eval_id, t, level, COALESCE(CASE WHEN case_status = %s THEN closed END, -1) "
        f"FROM {ctx.rated()} WHERE channel = %s AND auto = %s AND t < %s ORDER BY 1, 2, 4"
    )

    def arrays(batch: list[tuple]) -> list[np.ndarray]:
        unit, code, eval_id, at, level, closed = zip(*batch, strict=True)
        shared: dict[str, str] = {}  # a window's code once, not once per rating
        return [
            np.array(unit, dtype=np.int64), np.array([shared.setdefault(c, c) for c in code], dtype=object),
            np.array(eval_id, dtype=object), np.array(at, dtype=np.int64), np.array(level, dtype=np.int8),
            np.array(closed, dtype=np.int64),
        ]  # fmt: skip

    for columns in parts(sql, [CaseStatus.COMPLETED, "device", False, ctx.end], arrays, DEVICE_PART):
        yield _devices(columns)


def _devices(columns: list[np.ndarray]) -> Devices:
    """Whole units' device ratings (unit, window code, eval_id, at, level, closed) as `Devices`."""
    unit, code, eval_ids, at, level, closed = columns
    change = np.flatnonzero((unit[1:] != unit[:-1]) | (code[1:] != code[:-1])) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [len(unit)]))
    index = np.repeat(np.arange(len(starts)), ends - starts)
    windows = list(zip(unit[starts].tolist(), code[starts].tolist(), strict=True))
    return Devices(windows, starts, ends, index, eval_ids, at, level, closed)


def device_candidates(ctx: Context, want: set[str]) -> Iterator[Candidate]:
    """burst and off_hours over every window of a part of units at once, the part's bursts first;
    a part is let go before the next is read."""
    for part in device_parts(ctx):
        found = _device_candidates(ctx, part, want)
        found.sort(key=lambda c: (c.kind != Kind.BURST, c.unit_id, c.window_code, c.key))
        yield from found


def _device_candidates(ctx: Context, d: Devices, want: set[str]) -> list[Candidate]:
    """The rows' service, hours and runs in arrays; a window's own arrays are cut out only where
    it may hold a finding."""
    if not len(d.windows):
        return []
    th = [ctx.units[u].thresholds for u, _ in d.windows]
    within = d.per_row([t.served_within_minutes * 60 for t in th])
    delay = np.where((d.closed >= 0) & (d.at >= d.closed), d.at - d.closed, -1)
    served = (delay >= 0) & (delay <= within)
    found: list[Candidate] = []
    if Kind.BURST in want:
        # Only a window with a run of at least burst_min_run ratings burst_gap_seconds apart may hold one.
        gap = d.per_row([t.burst_gap_seconds for t in th])
        broken = np.ones(len(d.at), dtype=bool)
        broken[1:] = (np.diff(d.at) > gap[1:]) | (d.index[1:] != d.index[:-1])
        run_starts = np.flatnonzero(broken)
        run_sizes = np.diff(np.append(run_starts, len(d.at)))
        long_enough = run_sizes >= d.per_row([t.burst_min_run for t in th])[run_starts]
        for i in np.unique(d.index[run_starts[long_enough]]).tolist():
            found.extend(bursts(ctx, d.window(i, served, delay)))
    if Kind.OFF_HOURS in want:
        found.extend(_off_hours(ctx, d, th, served, delay))
    return found


def _first_start(unit) -> int:
    return unit.hours[0][0] if unit.hours else 0


def _off_hours(
    ctx: Context, d: Devices, th: list, served: np.ndarray, delay: np.ndarray
) -> Iterator[Candidate]:
    """Device ratings outside the unit's hours on a working day, or on a rest day."""
    units = [ctx.units[u] for u, _ in d.windows]
    grace = d.per_row([t.off_hours_grace_minutes * 60 for t in th])
    day, sec = ctx.clock.local(d.at)
    work = ctx.clock.workday[day]
    n = len(d.at)
    inside = np.zeros(n, dtype=bool)
    near = np.zeros(n, dtype=bool)
    distance = np.full(n, DAY, dtype=np.int64)
    # A region's units share a few opening hours: the rows of each set of hours at once.
    kinds: dict[tuple, int] = {}
    hours_of = d.per_row([kinds.setdefault(u.hours, len(kinds)) for u in units])
    for hours, k in kinds.items():
        rows_ = np.flatnonzero(hours_of == k)
        s, g = sec[rows_], grace[rows_]
        ins, nr, dist = np.zeros(len(rows_), dtype=bool), np.zeros(len(rows_), dtype=bool), distance[rows_]
        for start, end in hours:
            ins |= (s >= start) & (s < end)
            nr |= (s >= start - g) & (s < end + g)
            dist = np.minimum(dist, np.maximum(start - s, s - end + 1).clip(min=0))
        inside[rows_], near[rows_], distance[rows_] = ins, nr, dist
    outside = ~(work & inside)
    # Served ratings of the same window within BUSY_SECONDS either side: windows kept apart on one
    # axis (each window its own span of it).
    axis = d.index.astype(np.int64) * (1 << 40) + (d.at - int(d.at.min()))
    served_axis = axis[served]
    around = np.searchsorted(served_axis, axis + BUSY_SECONDS, side="right") - np.searchsorted(
        served_axis, axis - BUSY_SECONDS
    )
    # The last citizens of a session: near the hours of a working day, rated within the grace of
    # their case's completion there (which happened within the grace of the hours too).
    first_start = d.per_row([_first_start(u) for u in units])
    last_served = work & near & (delay >= 0) & (delay <= grace) & (sec - delay >= first_start - grace)
    excused = last_served | (served & (around >= BUSY))
    flagged = np.flatnonzero(outside & ~excused)
    if not len(flagged):
        return
    # Rest days and the small hours are the clearest; a rating just past closing the least.
    score = np.where(~work, 0.9, 0.5 + 0.5 * np.minimum(1.0, distance / (3 * 3600)))
    night = (sec < 6 * 3600) | (sec >= 22 * 3600)
    score = np.where(night, 1.0, score)
    for i, members in groupby(flagged.tolist(), key=lambda r: int(d.index[r])):
        unit = units[i]
        unit_id, code = d.windows[i]
        members = list(members)
        months = [ctx.month(int(d.at[r])) for r in members]
        for month, group in groupby(zip(months, members, strict=True), key=lambda m: m[0]):
            idx = [r for _, r in group]
            rest = int((~work[idx]).sum())
            reasons = [f"{len(idx)} 条评价器评价不在服务时间（工作日 {hours_text(unit.hours)}）"]
            if rest:
                reasons.append(f"其中 {rest} 条在非工作日")
            reasons.append(
                f"最早 {ctx.clock.text(int(d.at[idx[0]]))}，最晚 {ctx.clock.text(int(d.at[idx[-1]]))}"
            )
            yield Candidate(
                Kind.OFF_HOURS, unit_id, code, f"{unit_id}|{code}|{month:%Y-%m}", month,
                list(d.eval_ids[idx]), [], _score(float(np.mean(score[idx]))), reasons,
            )  # fmt: skip


def bursts(ctx: Context, w: WindowRatings) -> Iterator[Candidate]:
    """Runs of top ratings seconds apart at one window's device that its service does not explain."""
    t = ctx.units[w.unit_id].thresholds
    n = len(w.at)
    if n < t.burst_min_run:
        return
    breaks = np.flatnonzero(np.diff(w.at) > t.burst_gap_seconds) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [n]))
    long_runs = np.flatnonzero(ends - starts >= t.burst_min_run)
    if not len(long_runs):
        return
    day, _ = ctx.clock.local(w.at)
    per_day = Counter(day.tolist())
    open_seconds = max(ctx.units[w.unit_id].open_seconds, 3600)
    by_day: dict[int, list[tuple[int, int, float, float]]] = defaultdict(list)
    for r in long_runs:
        a, b = int(starts[r]), int(ends[r])
        size = b - a
        top = float(np.mean(w.level[a:b] >= 4))
        unexplained = float(np.mean(~w.served[a:b]))
        if top < t.burst_top_share or unexplained < t.burst_unexplained_share:
            continue
        d = int(day[a])
        # The window's own pace that day, without the run: at least one rating a day.
        rate = max(per_day[d] - size, 1) / open_seconds
        span = int(w.at[b - 1] - w.at[a]) + 1
        expected = max(per_day[d], 1) * poisson_sf(size - 1, rate * span)
        if expected > t.burst_alpha:
            continue
        by_day[d].append((a, b, unexplained, expected))
    for d, runs in by_day.items():
        idx = [i for a, b, _, _ in runs for i in range(a, b) if not w.served[i]]
        worst = min(e for *_, e in runs)
        share = sum(u * (b - a) for a, b, u, _ in runs) / sum(b - a for a, b, *_ in runs)
        when = ctx.clock.dates[d]
        lines = [
            f"{ctx.clock.text(int(w.at[a]))} 起 {int(w.at[b - 1] - w.at[a]) + 1} 秒内连续 {b - a} 条评价"
            f"（满意及以上占 {np.mean(w.level[a:b] >= 4):.0%}）"
            for a, b, *_ in runs
        ]
        lines.append(f"其中 {len(idx)} 条的办件并非刚在该窗口办结（不是当场办完当场评价）")
        lines.append(f"按该窗口当天 {per_day[d]} 条评价的速度，出现如此密集评价的概率约为 {worst:.1g}")
        yield Candidate(
            Kind.BURST, w.unit_id, w.window_code, f"{w.unit_id}|{w.window_code}|{when:%Y-%m-%d}", when.replace(day=1),
            list(w.eval_ids[idx]), [],
            _score(0.55 + 0.45 * share * min(1.0, -math.log10(max(worst, 1e-300)) / 8)), lines,
        )  # fmt: skip


# -- evaluator_many ------------------------------------------------------------------------------

_SUSPECTS = "govwatch_checks_raters"


RATER_PART = 300_000  # ratings held in arrays at a time (whole evaluators): memory stays flat on any region


@dataclass
class Raters:
    """The evaluators of one part (each with all its ratings) and their counts."""

    hashes: np.ndarray  # the hash's 16 hex digits, as bytes
    cases: np.ndarray  # distinct cases (or evaluations without one)
    units: np.ndarray  # distinct units
    busiest: np.ndarray  # distinct cases in its busiest local day
    per_day: Counter  # histogram of distinct cases per evaluator and local day


def _rater_parts(ctx: Context) -> Iterator[Raters]:
    """The evaluators' counts in parts of about RATER_PART ratings (an evaluator's ratings in one
    part): one statement in evaluator order, read in batches into arrays (what was rated is `ck` of
    `rated`), each part counted by sorting."""
    # Local day numbers from UTC seconds with the zone's offset on the first day of the period.
    offset = (ctx.clock.dates[2] - date(1970, 1, 1)).days * DAY - int(ctx.clock.midnights[2])
    sql = f"SELECT h, ck, unit_id, t FROM {ctx.rated()} WHERE h <> '' AND auto = %s AND t < %s ORDER BY h"

    def arrays(batch: list[tuple]) -> list[np.ndarray]:
        h, k, u, t = zip(*batch, strict=True)
        return [np.array(h, dtype="S16"), np.array(k, dtype=np.int64), np.array(u, dtype=np.int64),
                (np.array(t, dtype=np.int64) + offset) // DAY]  # fmt: skip

    for columns in parts(sql, [False, ctx.end], arrays, RATER_PART):
        yield _raters(*columns)
        del columns


def _raters(h: np.ndarray, k: np.ndarray, u: np.ndarray, d: np.ndarray) -> Raters:
    """The counts of the evaluators of these ratings (each evaluator's every rating among them)."""
    hashes, rater = np.unique(h, return_inverse=True)
    raters = len(hashes)
    _, case = np.unique(k, return_inverse=True)
    _, unit = np.unique(u, return_inverse=True)
    _, day = np.unique(d, return_inverse=True)
    del h, k, u, d
    cases = _distinct_per(rater, case, raters)
    units = _distinct_per(rater, unit, raters)
    days = int(day.max()) + 1
    ncase = int(case.max()) + 1
    triples = _distinct((rater.astype(np.int64) * days + day) * ncase + case)  # (evaluator, day, case)
    rater_days, per_day = np.unique(triples // ncase, return_counts=True)  # cases per evaluator and day
    del triples
    busiest = np.zeros(raters, dtype=np.int64)
    np.maximum.at(busiest, rater_days // days, per_day)
    return Raters(hashes, cases, units, busiest, _histogram(per_day))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort: numpy's own unique takes many times longer on millions)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _distinct_per(owner: np.ndarray, member: np.ndarray, owners: int) -> np.ndarray:
    """Per owner (dense ids below `owners`), how many distinct members it has."""
    members = int(member.max()) + 1 if len(member) else 1
    pairs = _distinct(owner * members + member)
    return np.bincount(pairs // members, minlength=owners)


def _histogram(values: np.ndarray) -> Counter:
    found, counts = np.unique(values, return_counts=True)
    return Counter(dict(zip(found.tolist(), counts.tolist(), strict=True)))


def evaluator_many(ctx: Context) -> Iterator[Candidate]:
    """One evaluator rating far more cases, units or cases in a day than the region's evaluators do.

    Each evaluator's counts (distinct cases, distinct units, distinct cases in a local day) from
    arrays of one pass over the ratings: the region's histograms of them set the limits, and the
    evaluators beyond them are read back from the ratings with their evidence."""
    # Of a part only its histograms and the evaluators at a floor are kept: one below every floor
    # (most of a region's) is never a finding, whatever the region's limits turn out to be.
    thresholds = [u.thresholds for u in ctx.units.by_id.values()] or [DEFAULTS]
    floor_cases = min(t.evaluator_min_cases for t in thresholds)
    floor_units = min(t.evaluator_min_units for t in thresholds)
    floor_day = min(t.evaluator_min_day_cases for t in thresholds)
    cases_hist, units_hist, days_hist = Counter(), Counter(), Counter()
    counted: list[Raters] = []
    for r in _rater_parts(ctx):
        cases_hist.update(_histogram(r.cases))
        units_hist.update(_histogram(r.units))
        days_hist.update(r.per_day)
        keep = (r.cases >= floor_cases) | (r.units >= floor_units) | (r.busiest >= floor_day)
        counted.append(Raters(r.hashes[keep], r.cases[keep], r.units[keep], r.busiest[keep], Counter()))
        del r
    limits = _rater_limits(ctx, cases_hist, units_hist, days_hist)
    if not limits:
        return
    low_cases = min(m[0] for m in limits.values())
    low_units = min(m[1] for m in limits.values())
    low_day = min(m[2] for m in limits.values())
    suspects = [
        h.decode()
        for r in counted
        for h in r.hashes[(r.cases >= low_cases) | (r.units >= low_units) | (r.busiest >= low_day)].tolist()
    ]
    if not suspects:
        return
    # The suspects' ratings in one pass over the period's, whatever their number.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_SUSPECTS}", [])
        cursor.execute(f"CREATE TEMPORARY TABLE {_SUSPECTS} (h TEXT PRIMARY KEY)", [])
        try:
            cursor.executemany(f"INSERT INTO {_SUSPECTS} (h) VALUES (%s)", [(h,) for h in suspects])
            found = stream(
                f"SELECT h, eval_id, case_no, unit_id, t FROM {ctx.rated()} "
                f"WHERE h IN (SELECT h FROM {_SUSPECTS}) AND auto = %s AND t < %s ORDER BY 1, 5",
                [False, ctx.end],
            )
            # One suspect's ratings at a time.
            for h, group in groupby(found, key=lambda r: r[0]):
                candidate = _rater_candidate(ctx, h, list(group), limits)
                if candidate:
                    yield candidate
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {_SUSPECTS}", [])


def _rater_limits(
    ctx: Context, cases: Counter, units: Counter, days: Counter
) -> dict[float, tuple[int, int, int]]:
    """{alpha: (cases, units, cases in a day)} at which an evaluator stands out, per alpha in use."""
    out = {}
    for alpha in {u.thresholds.evaluator_alpha for u in ctx.units.by_id.values()}:
        out[alpha] = (
            tail_threshold(cases, alpha, TAIL_SUPPORT),
            tail_threshold(units, alpha, TAIL_SUPPORT),
            tail_threshold(days, alpha, TAIL_SUPPORT),
        )
    return out


def _rater_candidate(ctx: Context, h: str, group: list[tuple], limits: dict) -> Candidate | None:
    main_unit = Counter(r[3] for r in group).most_common(1)[0][0]
    th = ctx.units[main_unit].thresholds
    lim_cases, lim_units, lim_day = limits[th.evaluator_alpha]
    cases = {r[2] or r[1] for r in group}
    units = {r[3] for r in group}
    day_index, _ = ctx.clock.local(np.array([r[4] for r in group], dtype=np.int64))
    by_day: dict[int, set] = defaultdict(set)
    for r, d in zip(group, day_index.tolist(), strict=True):
        by_day[d].add(r[2] or r[1])
    busiest = max(len(v) for v in by_day.values())
    reasons = []
    if len(cases) >= max(lim_cases, th.evaluator_min_cases):
        reasons.append(
            f"同一评价人在期间内评价了 {len(cases)} 件办件（本区评价人达到 {lim_cases} 件即属罕见）"
        )
    if len(units) >= max(lim_units, th.evaluator_min_units):
        reasons.append(f"评价涉及 {len(units)} 个单位（本区评价人达到 {lim_units} 个即属罕见）")
    if busiest >= max(lim_day, th.evaluator_min_day_cases):
        day = ctx.clock.dates[max(by_day, key=lambda k: len(by_day[k]))]
        reasons.append(f"{day:%Y-%m-%d} 一天评价了 {busiest} 件（本区评价人单日达到 {lim_day} 件即属罕见）")
    if not reasons:
        return None
    # How far beyond the region's tail, on the measure that stands out most.
    excess = max(len(cases) / max(lim_cases, 1), len(units) / max(lim_units, 1), busiest / max(lim_day, 1))
    reasons.append(f"共涉及 {len(units)} 个单位、{len(by_day)} 天")
    first_month = ctx.month(min(r[4] for r in group))
    return Candidate(
        Kind.EVALUATOR_MANY, main_unit, "", f"rater|{h}", first_month,
        [r[1] for r in group], sorted({r[2] for r in group if r[2]}), _score(0.5 + 0.5 * min(1.0, (excess - 1) + 0.3)),
        reasons,
    )  # fmt: skip


# -- duplicate_comment ---------------------------------------------------------------------------

_STRIP = re.compile(r"\s+")


def normalise_comment(text: str) -> str:
    """A comment without spaces, punctuation and symbols (emoji), in lower case: what is compared."""
    text = unicodedata.normalize("NFKC", _STRIP.sub("", text)).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


def _comment_sql(select_e: str, select_p: str, extra: str = "") -> str:
    """The commented evaluations of a span (two bounds, twice) but defaults and negative reviews: a
    negative review is verified with the citizen in its rectification loop (差评整改), where a false
    one shows; what is copied from one evaluation to the next is made-up praise. Parameters: the
    bounds, False, 3, then the same for the pending table."""
    return (
        f"SELECT {select_e} FROM {E} e WHERE {_period_sql('e')} AND e.comment <> '' AND e.auto = %s "
        f"AND e.level >= %s {extra.format(a='e')} "
        f"UNION ALL SELECT {select_p} FROM {P} p WHERE {_period_sql('p')} AND p.comment <> '' AND p.auto = %s "
        f"AND p.level >= %s {extra.format(a='p')}"
    )


# Common speech is judged on at least a year up to the period's end, not only on the period.
SPEECH_SPAN = timedelta(days=365)


@dataclass
class Text:
    """One normalised comment: its spellings, its uses per unit in the period and in the span."""

    raw: set = field(default_factory=set)
    period: Counter = field(default_factory=Counter)
    span: Counter = field(default_factory=Counter)


def duplicate_comment(ctx: Context) -> Iterator[Candidate]:
    """The same comment, long enough to be someone's own words, on several cases of a unit, that
    the rest of the region does not write, or writes far more rarely than that unit's evaluations do.

    The region's comments are never held at once: their uses per unit go to a temporary table under
    their normalised text, and the texts are judged one at a time from it; what is held beyond a
    text is each unit's commented evaluations and the texts found copied."""
    table, written_period, written_span = _texts(ctx)
    try:
        fewest = min(u.thresholds.duplicate_min_cases for u in ctx.units.by_id.values())
        (tests,) = rows(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} GROUP BY text, unit_id HAVING SUM(inside) >= %s) x",
            [fewest],
        )[0]
        volumes = np.array([v for v in written_span.values() if v > 0], dtype=np.float64)
        copied: dict[str, tuple[Text, set[int]]] = {}
        for key, text in _each_text(table):
            units = _copied_in(ctx, key, text, written_period, volumes, max(tests, 1))
            if units:
                copied[key] = (text, units)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}", [])
    if not copied:
        return
    found = _commented(ctx, sorted(raw for text, _ in copied.values() for raw in text.raw))
    for key, (text, units) in copied.items():
        rows_ = sorted(
            (r for raw in text.raw for r in found.get(raw, []) if r[1] in units), key=lambda r: r[3]
        )
        raws = sorted(text.raw)
        if len(text.span) <= max(ctx.units[u].thresholds.duplicate_max_units for u in units):
            candidate = _duplicate_candidate(ctx, key, raws, rows_, "", "全区其他单位从未使用这句话")
            if candidate:
                yield candidate
            continue
        # Many units write it: each unit that copied it is a finding of its own.
        rate = _text_rate(len(text.span), volumes)
        for unit_id in sorted(units):
            mine = [r for r in rows_ if r[1] == unit_id]
            times = len(mine) / max(rate * written_period[unit_id], 1e-9)
            where = (f"全区另有 {len(text.span) - 1} 个单位用过这句话，但本单位评价中出现的频率"
                     f"约为全区的 {min(times, 9999):.0f} 倍")  # fmt: skip
            candidate = _duplicate_candidate(ctx, key, raws, mine, f"|{unit_id}", where)
            if candidate:
                yield candidate


def _batches(values: list, size: int = 500) -> Iterator[tuple[list, str]]:
    for i in range(0, len(values), size):
        batch = values[i : i + size]
        yield batch, ", ".join(["%s"] * len(batch))


TEXTS = "govwatch_checks_texts"


def _texts(ctx: Context) -> tuple[str, Counter, Counter]:
    """Every comment long enough to check, with its uses per unit in the period (`inside`) and over
    the span that judges common speech (`n`), under its normalised text, in a temporary table; and
    each unit's commented evaluations (any comment) in both. One grouped statement, read in order
    of the comment (its normalised text is worked out once) and written out a batch at a time."""
    shortest = min(u.thresholds.duplicate_min_length for u in ctx.units.by_id.values())
    start = min(ctx.period.start, ctx.period.end - SPEECH_SPAN)
    sql = _comment_sql(
        "e.comment, e.unit_id, CASE WHEN e.at >= %s THEN 1 ELSE 0 END AS inside",
        "p.comment, p.unit_id, CASE WHEN p.at >= %s THEN 1 ELSE 0 END",
    )
    grouped = (
        f"SELECT comment, unit_id, SUM(inside), COUNT(*) FROM ({sql}) x GROUP BY comment, unit_id "
        "ORDER BY comment, unit_id"
    )
    one = [moment(ctx.period.start), moment(start), moment(ctx.period.end), False, 3]
    written_period: Counter = Counter()
    written_span: Counter = Counter()
    last, key = None, ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TEXTS}", [])
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEXTS} (text TEXT, comment TEXT, unit_id BIGINT, inside BIGINT, n BIGINT)",
            [],
        )
        for batch in fetched(grouped, one * 2):
            out = []
            for comment, unit_id, in_period, count in batch:
                written_span[unit_id] += count
                written_period[unit_id] += in_period
                if comment != last:
                    last, key = comment, normalise_comment(comment)
                if len(key) >= shortest:
                    out.append((key, comment, unit_id, in_period, count))
            cursor.executemany(
                f"INSERT INTO {TEXTS} (text, comment, unit_id, inside, n) VALUES (%s, %s, %s, %s, %s)", out
            )
    return TEXTS, written_period, written_span


def _each_text(table: str) -> Iterator[tuple[str, Text]]:
    """The texts of `table` one at a time, in order, with their spellings and uses per unit."""
    sql = f"SELECT text, comment, unit_id, inside, n FROM {table} ORDER BY text"
    for key, uses in groupby(stream(sql, []), key=lambda r: r[0]):
        text = Text()
        for _key, comment, unit_id, in_period, count in uses:
            text.raw.add(comment)
            text.span[unit_id] += count
            if in_period:
                text.period[unit_id] += in_period
        yield key, text


def _copied_in(ctx: Context, key: str, text: Text, written_period: Counter, volumes: np.ndarray,
               tests: int) -> set[int]:  # fmt: skip
    """The units whose evaluations of the period carry this text as a copy.

    A text few units write (at most `duplicate_max_units`) is a copy wherever it stands on
    `duplicate_min_cases` cases. A text many units write may still be copied in some of them: the
    region's rate of it per commented evaluation is estimated from how many units write it at all
    (a unit counts once, however often its own evaluations repeat it, so copies elsewhere do not
    make it common), and a unit whose evaluations carry it at least `duplicate_min_ratio` times
    that rate and improbably often (Poisson, `duplicate_alpha` over the region's tests) copied it.
    """
    out: set[int] = set()
    rate = None
    for unit_id, n in text.period.items():
        th = ctx.units[unit_id].thresholds
        if n < th.duplicate_min_cases or len(key) < th.duplicate_min_length:
            continue
        if len(text.span) <= th.duplicate_max_units:
            out.add(unit_id)
            continue
        if rate is None:
            rate = _text_rate(len(text.span), volumes)
        expected = rate * written_period[unit_id]
        if n >= th.duplicate_min_ratio * expected and poisson_sf(n, expected) <= th.duplicate_alpha / tests:
            out.add(unit_id)
    return out


def _text_rate(units: int, volumes: np.ndarray) -> float:
    """The rate r per commented evaluation at which `units` of the region's units (of commented
    evaluations `volumes`) would be expected to write a text at least once: the sum over units of
    1 - exp(-r * volume) = units (bisection on the log scale)."""
    if not len(volumes) or units >= len(volumes):
        return 1.0
    low, high = 1e-9, 1.0
    for _ in range(60):
        mid = math.sqrt(low * high)
        if float(np.sum(-np.expm1(-mid * volumes))) < units:
            low = mid
        else:
            high = mid
    return high


def _commented(ctx: Context, comments: list[str]) -> dict[str, list[tuple]]:
    """The period's evaluations carrying each of these comments, in one statement for them all:
    {comment: [(eval_id, unit, window, at, case_no, evaluator_hash)]}."""
    out: dict[str, list[tuple]] = defaultdict(list)
    wanted = "govwatch_checks_comments"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {wanted}", [])
        cursor.execute(f"CREATE TEMPORARY TABLE {wanted} (comment TEXT PRIMARY KEY)", [])
        try:
            cursor.executemany(f"INSERT INTO {wanted} (comment) VALUES (%s)", [(c,) for c in comments])
            sql = _comment_sql(
                f"e.comment, e.eval_id, e.unit_id, e.window_code, {epoch('e.at')}, COALESCE(e.case_no, ''), e.evaluator_hash",
                f"p.comment, p.eval_id, p.unit_id, p.window_code, {epoch('p.at')}, p.case_no, p.evaluator_hash",
                extra=f"AND {{a}}.comment IN (SELECT comment FROM {wanted})",
            )
            one = [*ctx.period.bounds(), False, 3]
            for row in stream(sql, one * 2):
                out[row[0]].append(row[1:])
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {wanted}", [])
    return out


def _duplicate_candidate(ctx: Context, key: str, raws: list[str], found: list[tuple], group: str,
                         where: str) -> Candidate | None:  # fmt: skip
    if not found:
        return None
    unit_counts = Counter(r[1] for r in found)
    main_unit = unit_counts.most_common(1)[0][0]
    th = ctx.units[main_unit].thresholds
    cases = {r[4] or r[0] for r in found}
    # One person writing the same words on their own cases (a family's two) is not a copy.
    authors = {r[5] for r in found if r[5]} | {r[0] for r in found if not r[5]}
    if len(cases) < th.duplicate_min_cases or len(authors) < 2:
        return None
    quoted = raws[0] if len(raws[0]) <= 40 else raws[0][:40] + "…"
    names = "、".join(ctx.units[u].name for u, _ in unit_counts.most_common(3))
    return Candidate(
        Kind.DUPLICATE_COMMENT, main_unit, "", f"comment|{hashlib.sha1(key.encode()).hexdigest()[:24]}{group}",
        ctx.month(found[0][3]), [r[0] for r in found], sorted({r[4] for r in found if r[4]}),
        _score(0.5 + 0.25 * min(1.0, (len(cases) - 2) / 8) + 0.25 * min(1.0, len(key) / 20)),
        [f"{len(cases)} 件不同办件的评价内容相同：“{quoted}”",
         f"出自 {len(authors)} 个不同评价人或匿名评价，集中在 {names}；{where}"],
    )  # fmt: skip
