"""missing_evaluations (漏报): a unit's (or window's) completed cases of a month that carry far fewer
evaluations than its peers' rates predict.

Peers are the units of the same kind in the same district; a window's are its unit's other windows.
Rates are taken per case channel (a unit that works online is rated less at the window) from the
peers without the unit itself; where they have fewer than MIN_PEER_CASES completed cases, from the
same kind everywhere, then from every unit. A unit (window) whose other months are rated like its
peers' (not far less) is judged against the lower of its peers' and its own other months' rates:
units differ for reasons of their own, and an ordinary month of a unit always rated a little less
is not a unit that did not enter its evaluations. Every unit-month and window-month with at least
`missing_min_expected` evaluations expected is a test, and a region's `missing_alpha` is the number
of honest ones it accepts to see flagged per run (Bonferroni over the region's tests).

A window is judged by the ratings given at the window (the evaluation names the case's window: its
device, its QR code) where its unit's window cases were mostly rated there (`missing_window_share`):
those are what a window can leave out, while a rating by SMS, the hotline or the web reaches the
platform without it. Counting those too dilutes a window's silence to a dip that a month of a few
dozen cases cannot tell from chance.

Province scale: two grouped statements (completed cases, evaluated cases, per unit, window,
channel and month), then arrays: a cell is a (unit, window, month), a column a channel.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection

from govwatch.core.choices import CaseStatus

from .data import C, E, fetched, parts, rows, stream, unindexed
from .models import Kind
from .rules import Candidate, Context, _score
from .stats import binom_cdf, robust_floor

MIN_PEER_CASES = 100  # below this the peers' own rates are noise: the wider group's are used
MIN_OWN_CASES = 100  # below this a unit's (window's) other months are noise: only its peers judge


def _month_sql(column: str) -> str:
    return f"substr(CAST({column} AS TEXT), 1, 7)"


CELLS = "govwatch_checks_cells"
WINDOW_PART = 50_000  # window cells' rows judged at a time (whole units: a window's peers are its unit's)


def _cells_table(ctx: Context) -> str:
    """Completed and evaluated cases per (unit, window, month, case channel) in a temporary table,
    grouped by the database in one pass over the period's completed cases and one over `rated`:
    `at_window` counts the evaluated ones rated at the case's own window (its device or QR code).
    A case without a window is in the unit's cell of window ''."""
    bounds = [ctx.period.date_from, ctx.period.date_to]
    sql = (
        f"SELECT unit_id, window_code, channel, month, SUM(completed) AS completed, SUM(evaluated) AS evaluated, "
        "SUM(at_window) AS at_window FROM ("
        f"SELECT c.unit_id AS unit_id, COALESCE(c.window_code, '') AS window_code, c.channel AS channel, "
        f"{_month_sql('c.closed_on')} AS month, COUNT(*) AS completed, 0 AS evaluated, 0 AS at_window FROM {C} c "
        f"WHERE {unindexed('c.status')} = %s AND c.closed_on >= %s AND c.closed_on <= %s GROUP BY 1, 2, 3, 4 "
        f"UNION ALL SELECT case_unit, COALESCE(case_window, ''), case_channel, {_month_sql('closed_on')}, 0, "
        "COUNT(DISTINCT ck), COUNT(DISTINCT CASE WHEN window_code = case_window THEN ck END) "
        f"FROM {ctx.rated()} WHERE auto = %s AND case_status = %s AND closed_on >= %s AND closed_on <= %s "
        "GROUP BY 1, 2, 3, 4) x GROUP BY 1, 2, 3, 4"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CELLS}", [])
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CELLS} AS {sql}",
            [CaseStatus.COMPLETED, *bounds, False, CaseStatus.COMPLETED, *bounds],
        )
    return CELLS


class Region:
    """The units as dense rows of arrays (kind, district, the thresholds missing_evaluations uses),
    and the period's months and the case channels as column numbers."""

    def __init__(self, ctx: Context, channels: list[str]) -> None:
        infos = list(ctx.units.by_id.values())
        self.ids = np.array([u.id for u in infos], dtype=np.int64)
        self.row = {u.id: i for i, u in enumerate(infos)}
        kinds: dict[str, int] = {}
        self.kind = np.array([kinds.setdefault(u.kind, len(kinds)) for u in infos], dtype=np.int64)
        self.region = np.array([u.region for u in infos], dtype=np.int64)
        th = [u.thresholds for u in infos]
        self.max_ratio = np.array([t.missing_max_ratio for t in th], dtype=np.float64)
        self.min_expected = np.array([t.missing_min_expected for t in th], dtype=np.float64)
        self.window_share = np.array([t.missing_window_share for t in th], dtype=np.float64)
        self.months = ctx.period.months()
        self.month = {m: i for i, m in enumerate(self.months)}
        self.channel = {c: i for i, c in enumerate(channels)}

    def rows(self, unit_ids: tuple) -> np.ndarray:
        return np.fromiter(map(self.row.__getitem__, unit_ids), dtype=np.int64, count=len(unit_ids))

    def columns(self, values: tuple, names: dict[str, int]) -> np.ndarray:
        return np.fromiter(map(names.__getitem__, values), dtype=np.int64, count=len(values))


@dataclass
class Members:
    """What `_judge` judges: units' or windows' months, one row each, with the cases per channel."""

    unit: np.ndarray  # the unit's dense row (`Region`)
    month: np.ndarray  # the month's number in the period
    window: list[str]  # '' for a unit as a whole
    completed: np.ndarray  # members x channels
    evaluated: np.ndarray


@dataclass
class Suspect:
    unit_id: int
    window: str
    month: str
    n: int
    k: int
    expected: float
    ratio: float
    at_window: bool = False  # k counts the ratings at the window only
    k_all: int = 0  # every evaluation of the cell, whatever its channel


def _rates(evaluated: np.ndarray, completed: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(completed > 0, evaluated / np.where(completed > 0, completed, 1), np.nan)


def _layer(*rates: np.ndarray) -> np.ndarray:
    """Per channel the first rate that is known."""
    out = rates[-1].copy()
    for r in reversed(rates[:-1]):
        out = np.where(np.isnan(r), out, r)
    return np.nan_to_num(out)


def _sums(groups: np.ndarray, comp: np.ndarray, ev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group the completed and evaluated cases of all its members, per channel."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    g_comp = np.zeros((n_groups, comp.shape[1]))
    g_ev = np.zeros_like(g_comp)
    np.add.at(g_comp, groups, comp)
    np.add.at(g_ev, groups, ev)
    return g_comp, g_ev


def _own_months(owners: np.ndarray, comp: np.ndarray, ev: np.ndarray, rates: np.ndarray,
                o_comp: np.ndarray, o_ev: np.ndarray) -> np.ndarray:  # fmt: skip
    """Each member's expected evaluations at its own rates of the period's other months (per
    channel; a channel it has no other month of takes `rates`); NaN when those months hold fewer
    than MIN_OWN_CASES completed cases. `o_comp`, `o_ev`: each owner's sums over its months."""
    rest_comp, rest_ev = o_comp[owners] - comp, o_ev[owners] - ev
    own = _rates(rest_ev, rest_comp)
    expected = (comp * np.where(np.isnan(own), rates, own)).sum(axis=1)
    return np.where(rest_comp.sum(axis=1) >= MIN_OWN_CASES, expected, np.nan)


JUDGED = 20_000  # members whose per-channel arrays are worked out at a time


def _judge(region: Region, groups: np.ndarray, m: Members, fallback: np.ndarray, tests: dict[int, int],
           owners: np.ndarray, at_window: np.ndarray | None = None,
           ev_all: np.ndarray | None = None) -> list[Suspect]:  # fmt: skip
    """The members far below their group's other members (leave-one-out rates per channel) and,
    where its other months are like its peers', below its own other months too.

    The groups' and owners' sums are taken over every member; the arrays per member and channel
    derived from them are worked out JUDGED members at a time, keeping a few numbers per member."""
    comp, ev = m.completed, m.evaluated
    g_comp, g_ev = _sums(groups, comp, ev)
    o_comp, o_ev = _sums(owners, comp, ev)
    with np.errstate(invalid="ignore", divide="ignore"):
        g_rates = _rates(g_ev, g_comp)
    size = len(groups)
    expected, tested_expected, own_expected = np.zeros(size), np.zeros(size), np.zeros(size)
    max_ratio = region.max_ratio[m.unit]
    for a in range(0, size, JUDGED):
        b = min(a + JUDGED, size)
        part, c, e, fb = groups[a:b], comp[a:b], ev[a:b], fallback[a:b]
        rest_comp, rest_ev = g_comp[part] - c, g_ev[part] - e
        enough = rest_comp.sum(axis=1) >= MIN_PEER_CASES
        peer = _rates(rest_ev, rest_comp)
        rates = np.where(enough[:, None], _layer(peer, fb), np.nan_to_num(fb))
        del rest_comp, rest_ev, peer
        peers_expect = (c * rates).sum(axis=1)
        # A unit (window) whose other months are rated less than its peers' but not far less is
        # rated less for reasons of its own (its people, its items): a month is judged against its
        # own months then, whichever expects fewer. One far below its peers all year is judged by
        # its peers.
        own = _own_months(owners[a:b], c, e, rates, o_comp, o_ev)
        own_like_peers = ~np.isnan(own) & (np.nan_to_num(own) >= max_ratio[a:b] * peers_expect)
        tested_expected[a:b] = peers_expect
        expected[a:b] = np.where(own_like_peers, np.minimum(peers_expect, np.nan_to_num(own)), peers_expect)
        # The group's spread: each member against the whole group's rates.
        own_expected[a:b] = (c * _layer(g_rates[part], fb)).sum(axis=1)
    k = ev.sum(axis=1)
    n = comp.sum(axis=1)
    tested = tested_expected >= region.min_expected[m.unit]
    districts, counts = np.unique(region.region[m.unit[tested]], return_counts=True)
    for district, count in zip(districts.tolist(), counts.tolist(), strict=True):
        tests[district] = tests.get(district, 0) + count
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(expected > 0, k / np.where(expected > 0, expected, 1), 1.0)
    spread_ratio = (k + 0.5) / (own_expected + 0.5)
    low = tested & (ratio <= max_ratio)
    suspects = []
    floors = _group_floors(groups, tested, low, spread_ratio)
    for i in np.flatnonzero(low):
        floor = floors[int(groups[i])]
        if floor is not None and ratio[i] >= floor:
            continue
        suspects.append(
            Suspect(int(region.ids[m.unit[i]]), m.window[i], region.months[m.month[i]], int(n[i]), int(k[i]),
                    float(expected[i]), float(ratio[i]),
                    bool(at_window[i]) if at_window is not None else False,
                    int(ev_all[i].sum()) if ev_all is not None else int(k[i]))
        )  # fmt: skip
    return suspects


def _group_floors(groups: np.ndarray, tested: np.ndarray, low: np.ndarray, spread: np.ndarray) -> dict:
    """{group: the robust floor of its tested members' spread ratios} for the groups with a low
    member: the members of every group at once (one sort), not one scan of all cells per group."""
    members = np.flatnonzero(tested)
    members = members[np.argsort(groups[members], kind="stable")]
    ordered = groups[members]
    wanted = np.unique(groups[low])
    first = np.searchsorted(ordered, wanted, side="left")
    last = np.searchsorted(ordered, wanted, side="right")
    return {
        int(g): robust_floor(spread[members[a:b]].tolist())
        for g, a, b in zip(wanted.tolist(), first.tolist(), last.tolist(), strict=True)
    }


@dataclass
class UnitMonths:
    """Every unit-month of the region with completed cases (the units' cells summed over their
    windows): dense arrays, a row per unit and month of the period, a column per case channel."""

    present: np.ndarray  # the unit-month has completed cases (or evaluations) in the period
    completed: np.ndarray
    evaluated: np.ndarray
    at_window: np.ndarray


def _unit_months(region: Region, cells: str) -> UnitMonths:
    """The unit-months, grouped by the database from the cells, read in batches into arrays."""
    shape = (len(region.ids) * len(region.months), max(len(region.channel), 1))
    out = UnitMonths(np.zeros(shape[0], dtype=bool), *(np.zeros(shape) for _ in range(3)))
    sql = (
        "SELECT unit_id, month, channel, SUM(completed), SUM(evaluated), SUM(at_window) "
        f"FROM {cells} GROUP BY 1, 2, 3"
    )
    for batch in fetched(sql, []):
        units, months, chans, *counts = zip(*batch, strict=True)
        row = region.rows(units) * len(region.months) + region.columns(months, region.month)
        col = region.columns(chans, region.channel)
        out.present[row] = True
        for target, values in zip((out.completed, out.evaluated, out.at_window), counts, strict=True):
            np.add.at(target, (row, col), np.array(values, dtype=np.float64))
    return out


def missing_evaluations(ctx: Context) -> Iterator[Candidate]:
    """Units' months judged against their peers' (the region's unit-months as arrays), then the
    windows of the units not suspected as a whole, a part of units at a time."""
    cells = _cells_table(ctx)
    try:
        channels = [c for (c,) in rows(f"SELECT DISTINCT channel FROM {cells} ORDER BY 1", [])]
        region = Region(ctx, channels)
        um = _unit_months(region, cells)
        if not um.present.any():
            return
        present = np.flatnonzero(um.present)
        n_months = len(region.months)
        units = Members(present // n_months, present % n_months, [""] * len(present),
                        um.completed[present], um.evaluated[present])  # fmt: skip
        kind = region.kind[units.unit]
        fallback = _fallback(kind, units.month, units.completed, units.evaluated)
        fallback_at = _fallback(kind, units.month, units.completed, um.at_window[present])
        groups = _dense((region.region[units.unit] * (int(kind.max()) + 1) + kind) * n_months + units.month)
        tests: dict[int, int] = {}
        suspects = _judge(region, groups, units, fallback, tests, units.unit)
        # Per unit-month row of `um`: its row among the judged units, and whether it was suspected.
        judged = np.full(len(um.present), -1, dtype=np.int64)
        judged[present] = np.arange(len(present))
        whole = np.zeros(len(um.present), dtype=bool)
        for s in suspects:
            whole[region.row[s.unit_id] * n_months + region.month[s.month]] = True
        del um
        for part in _window_parts(region, cells):
            suspects += _judge_windows(region, part, judged, whole, fallback, fallback_at, tests)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {cells}", [])
    flagged = []
    for s in suspects:
        th = ctx.units[s.unit_id].thresholds
        p = binom_cdf(s.k, s.n, min(s.expected / s.n, 1.0)) if s.n else 1.0
        if p <= th.missing_alpha / max(tests.get(ctx.units[s.unit_id].region, 1), 1):
            flagged.append((s, p))
    yield from _candidates(ctx, flagged)


def _dense(keys: np.ndarray) -> np.ndarray:
    """Keys numbered 0, 1, ... in their sorted order."""
    return np.unique(keys, return_inverse=True)[1].reshape(-1)


def _window_parts(region: Region, cells: str) -> Iterator[WindowCells]:
    """The window cells (unit, window, month) with their cases per channel, in parts of whole units
    of about WINDOW_PART rows: only the part in hand is held."""
    sql = (
        f"SELECT unit_id, window_code, month, channel, completed, evaluated, at_window FROM {cells} "
        "WHERE window_code <> '' ORDER BY unit_id, window_code, month"
    )

    def arrays(batch: list[tuple]) -> list[np.ndarray]:
        units, windows, months, chans, *counts = zip(*batch, strict=True)
        shared: dict[str, str] = {}  # a window's code once, not once per row
        return [
            region.rows(units), np.array([shared.setdefault(w, w) for w in windows], dtype=object),
            region.columns(months, region.month), region.columns(chans, region.channel),
            *(np.array(c, dtype=np.float64) for c in counts),
        ]  # fmt: skip

    for columns in parts(sql, [], arrays, WINDOW_PART):
        yield _window_cells(region, *columns)


def _window_cells(region: Region, unit: np.ndarray, windows: np.ndarray, month: np.ndarray, col: np.ndarray,
                  completed: np.ndarray, evaluated: np.ndarray, at_window: np.ndarray) -> WindowCells:  # fmt: skip
    """Rows ordered by unit, window and month (a row per channel) as one member per window-month,
    with its window's number in the part."""
    other_window = np.ones(len(unit), dtype=bool)
    other_window[1:] = (unit[1:] != unit[:-1]) | (windows[1:] != windows[:-1])
    change = other_window.copy()
    change[1:] |= month[1:] != month[:-1]
    cell = np.cumsum(change) - 1
    first = np.flatnonzero(change)
    shape = (len(first), max(len(region.channel), 1))
    comp, ev, at = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for target, values in ((comp, completed), (ev, evaluated), (at, at_window)):
        np.add.at(target, (cell, col), values)
    owner = (np.cumsum(other_window) - 1)[first]
    return WindowCells(unit[first], month[first], windows[first].tolist(), comp, ev, at, owner)


@dataclass
class WindowCells(Members):
    at_window: np.ndarray  # the evaluated cases rated at the case's own window
    owner: np.ndarray  # the window's number in the part (its months share it)


def _judge_windows(region: Region, w: WindowCells, judged: np.ndarray, whole: np.ndarray,
                   fallback: np.ndarray, fallback_at: np.ndarray, tests: dict[int, int]) -> list[Suspect]:  # fmt: skip
    """Windows of units not suspected as a whole, against the unit's other windows that month."""
    um = w.unit * len(region.months) + w.month  # the unit-month row of `UnitMonths`
    picked = np.flatnonzero(~whole[um])
    siblings = np.bincount(um[picked], minlength=len(whole))
    idx = picked[siblings[um[picked]] >= 2]
    if not len(idx):
        return []
    rows_ = judged[um[idx]]  # the unit-month's row among the judged units
    at_window = _rated_at_window(region, w, idx)
    w_fallback = np.where(at_window[:, None], fallback_at[rows_], fallback[rows_])
    w_ev = np.where(at_window[:, None], w.at_window[idx], w.evaluated[idx])
    members = Members(w.unit[idx], w.month[idx], [w.window[i] for i in idx.tolist()], w.completed[idx], w_ev)
    return _judge(region, _dense(um[idx]), members, w_fallback, tests, _dense(w.owner[idx]), at_window,
                  w.evaluated[idx])  # fmt: skip


def _rated_at_window(region: Region, w: WindowCells, idx: np.ndarray) -> np.ndarray:
    """Per window cell of `idx`, whether its window is judged by the ratings given at the window:
    when at least `missing_window_share` of the evaluations of its unit's window cases over the
    period were given at their own window. Those are what a window can leave out (its device, its
    QR code); a rating by SMS, the hotline or the web reaches the platform without it. A region
    whose evaluations name no window, or few, has its windows judged by all their evaluations."""
    ids, of = np.unique(w.unit[idx], return_inverse=True)
    at = np.bincount(of, weights=w.at_window[idx].sum(axis=1), minlength=len(ids))
    every = np.bincount(of, weights=w.evaluated[idx].sum(axis=1), minlength=len(ids))
    share = region.window_share[ids]
    with np.errstate(invalid="ignore", divide="ignore"):
        judged = (every > 0) & (at > 0) & (at >= share * every)
    return judged[of]


def _fallback(kind: np.ndarray, month: np.ndarray, comp: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """Per unit-month, the rates per channel of its kind that month, then of every unit that month."""
    by_kind = _dense(kind * (int(month.max()) + 1) + month)
    k_comp, k_ev = _sums(by_kind, comp, ev)
    m_comp, m_ev = _sums(month, comp, ev)
    return _layer(_rates(k_ev, k_comp)[by_kind], _rates(m_ev, m_comp)[month])


CANDIDATES_AT_ONCE = 100  # findings whose unevaluated cases are read (and held) at a time


def _candidates(ctx: Context, flagged: list[tuple[Suspect, float]]) -> Iterator[Candidate]:
    """The findings with their cases left unevaluated, CANDIDATES_AT_ONCE findings at a time: one
    statement reads the unevaluated cases of exactly their unit-months (never a flagged unit's
    other months), and only the lists the findings name are held."""
    for i in range(0, len(flagged), CANDIDATES_AT_ONCE):
        yield from _with_cases(ctx, flagged[i : i + CANDIDATES_AT_ONCE])


def _with_cases(ctx: Context, flagged: list[tuple[Suspect, float]]) -> Iterator[Candidate]:
    if not flagged:
        return
    wanted = {(s.unit_id, s.window, s.month) for s, _ in flagged}
    unevaluated: dict[tuple[int, str, str], list[str]] = {key: [] for key in wanted}
    pairs = sorted({(s.unit_id, s.month) for s, _ in flagged})
    unit_ids = sorted({unit_id for unit_id, _ in pairs})
    # The flagged units' cases through the unit's index (never a scan of every completed case),
    # only those of a flagged unit-month probing the evaluations' index.
    closed_month = _month_sql("c.closed_on")
    pair = f"({unindexed('c.unit_id')} = %s AND {closed_month} = %s)"
    sql = (
        f"SELECT c.unit_id, c.window_code, {closed_month}, c.case_no FROM {C} c "
        f"WHERE c.unit_id IN ({', '.join(['%s'] * len(unit_ids))}) AND {unindexed('c.status')} = %s "
        f"AND {unindexed('c.closed_on')} >= %s AND {unindexed('c.closed_on')} <= %s "
        f"AND ({' OR '.join([pair] * len(pairs))}) "
        f"AND NOT EXISTS (SELECT 1 FROM {E} e WHERE e.case_no = c.case_no AND e.auto = %s) ORDER BY c.case_no"
    )
    params = [*unit_ids, CaseStatus.COMPLETED, ctx.period.date_from, ctx.period.date_to]
    params += [value for unit_month in pairs for value in unit_month]
    for unit_id, window, month, case_no in stream(sql, [*params, False]):
        cases = unevaluated.get((unit_id, "", month))
        if cases is not None:
            cases.append(case_no)
        if window:
            cases = unevaluated.get((unit_id, window, month))
            if cases is not None:
                cases.append(case_no)
    for s, p in flagged:
        case_nos = unevaluated[(s.unit_id, s.window, s.month)]
        month = date.fromisoformat(f"{s.month}-01")
        who = f"窗口 {s.window}" if s.window else "单位"
        peers = "本单位其他窗口" if s.window else "同类单位"
        rated = "在窗口（评价器、二维码）评价" if s.at_window else "主动评价"
        reasons = [
            f"{s.month} 该{who}办结 {s.n} 件，{rated} {s.k} 件；按{peers}的评价率应有约 {s.expected:.0f} 件",
            f"仅为预计的 {s.ratio:.0%}，如此之少的概率约为 {p:.1g}（二项分布）",
        ]
        if s.at_window and s.k_all > s.k:
            reasons.append(f"另有 {s.k_all - s.k} 件经短信、热线、网上等不经窗口的渠道评价")
        reasons.append(f"{len(case_nos)} 件已办结办件没有评价")
        yield Candidate(
            Kind.MISSING_EVALUATIONS, s.unit_id, s.window, f"{s.unit_id}|{s.window}|{s.month}", month, [], case_nos,
            _score(0.5 + 0.5 * (1 - s.ratio) * min(1.0, -math.log10(max(p, 1e-300)) / 6)), reasons,
        )  # fmt: skip
