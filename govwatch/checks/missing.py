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
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection

from govwatch.core.choices import CaseStatus

from .data import FETCH, C, E, rows, unindexed
from .models import Kind
from .rules import Candidate, Context, _batches, _score
from .stats import binom_cdf, robust_floor

MIN_PEER_CASES = 100  # below this the peers' own rates are noise: the wider group's are used
MIN_OWN_CASES = 100  # below this a unit's (window's) other months are noise: only its peers judge


def _month_sql(column: str) -> str:
    return f"substr(CAST({column} AS TEXT), 1, 7)"


@dataclass
class Cells:
    """Completed and evaluated cases per (unit, window, month) cell and case channel; `at_window`
    counts the evaluated ones rated at the case's own window (its device or QR code)."""

    keys: list[tuple[int, str, str]]
    completed: np.ndarray  # cells x channels
    evaluated: np.ndarray
    at_window: np.ndarray


def _cells(ctx: Context) -> Cells:
    month = _month_sql("c.closed_on")
    bounds = [ctx.period.date_from, ctx.period.date_to]
    index: dict[tuple[int, str, str], int] = {}
    channels: dict[str, int] = {}
    found: dict[int, list[np.ndarray]] = {0: [], 1: [], 2: []}  # column: (cell, channel, count) per batch
    queries = (
        (f"SELECT c.unit_id, c.window_code, c.channel, {month}, COUNT(*) FROM {C} c "
         f"WHERE {unindexed('c.status')} = %s AND c.closed_on >= %s AND c.closed_on <= %s GROUP BY 1, 2, 3, 4",
         [CaseStatus.COMPLETED, *bounds], (0,)),
        (f"SELECT case_unit, case_window, case_channel, {_month_sql('closed_on')}, COUNT(DISTINCT ck), "
         "COUNT(DISTINCT CASE WHEN window_code = case_window THEN ck END) "
         f"FROM {ctx.rated()} WHERE auto = %s AND case_status = %s AND closed_on >= %s AND closed_on <= %s "
         "GROUP BY 1, 2, 3, 4", [False, CaseStatus.COMPLETED, *bounds], (1, 2)),
    )  # fmt: skip
    for sql, params, columns in queries:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(FETCH):
                units, windows, chans, months, *counts = zip(*batch, strict=True)
                keys = list(zip(units, [w or "" for w in windows], months, strict=True))
                for key in dict.fromkeys(keys):
                    index.setdefault(key, len(index))
                for c in dict.fromkeys(chans):
                    channels.setdefault(c, len(channels))
                # Arrays per batch, not a tuple per row: a province year has hundreds of thousands.
                cell_ids = np.fromiter(map(index.__getitem__, keys), dtype=np.int64, count=len(batch))
                chan_ids = np.fromiter(map(channels.__getitem__, chans), dtype=np.int64, count=len(batch))
                for column, column_counts in zip(columns, counts, strict=True):
                    found[column].append(
                        np.stack([cell_ids, chan_ids, np.array(column_counts, dtype=np.int64)])
                    )
    completed = np.zeros((len(index), max(len(channels), 1)), dtype=np.float64)
    evaluated = np.zeros_like(completed)
    at_window = np.zeros_like(completed)
    for column, target in ((0, completed), (1, evaluated), (2, at_window)):
        if found[column]:
            cell, chan, count = np.concatenate(found.pop(column), axis=1)
            np.add.at(target, (cell, chan), count)
    return Cells(list(index), completed, evaluated, at_window)


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


def _own_months(owners: np.ndarray, comp: np.ndarray, ev: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Each member's expected evaluations at its own rates of the period's other months (per
    channel; a channel it has no other month of takes `rates`); NaN when those months hold fewer
    than MIN_OWN_CASES completed cases."""
    o_comp, o_ev = _sums(owners, comp, ev)
    rest_comp, rest_ev = o_comp[owners] - comp, o_ev[owners] - ev
    own = _rates(rest_ev, rest_comp)
    expected = (comp * np.where(np.isnan(own), rates, own)).sum(axis=1)
    return np.where(rest_comp.sum(axis=1) >= MIN_OWN_CASES, expected, np.nan)


def _judge(ctx: Context, groups: np.ndarray, comp: np.ndarray, ev: np.ndarray, fallback: np.ndarray,
           labels: list[tuple[int, str, str]], regions: list[int], tests: dict[int, int],
           owners: np.ndarray, at_window: np.ndarray | None = None,
           ev_all: np.ndarray | None = None) -> list[Suspect]:  # fmt: skip
    """The members far below their group's other members (leave-one-out rates per channel) and,
    where its other months are like its peers', below its own other months too."""
    g_comp, g_ev = _sums(groups, comp, ev)
    rest_comp, rest_ev = g_comp[groups] - comp, g_ev[groups] - ev
    enough = rest_comp.sum(axis=1) >= MIN_PEER_CASES
    peer = _rates(rest_ev, rest_comp)
    rates = np.where(enough[:, None], _layer(peer, fallback), np.nan_to_num(fallback))
    expected = (comp * rates).sum(axis=1)
    th = [ctx.units[u].thresholds for u, _, _ in labels]
    max_ratio = np.array([t.missing_max_ratio for t in th])
    # A unit (window) whose other months are rated less than its peers' but not far less is rated
    # less for reasons of its own (its people, its items): a month is judged against its own
    # months then, whichever expects fewer. One far below its peers all year is judged by its peers.
    own = _own_months(owners, comp, ev, rates)
    own_like_peers = ~np.isnan(own) & (np.nan_to_num(own) >= max_ratio * expected)
    tested_expected = expected
    expected = np.where(own_like_peers, np.minimum(expected, np.nan_to_num(own)), expected)
    k = ev.sum(axis=1)
    n = comp.sum(axis=1)
    min_expected = np.array([t.missing_min_expected for t in th])
    tested = tested_expected >= min_expected
    for i in np.flatnonzero(tested):
        tests[regions[i]] = tests.get(regions[i], 0) + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(expected > 0, k / np.where(expected > 0, expected, 1), 1.0)
        # The group's spread: each member against the whole group's rates.
        group_rates = _layer(_rates(g_ev, g_comp)[groups], fallback)
        own_expected = (comp * group_rates).sum(axis=1)
    spread_ratio = (k + 0.5) / (own_expected + 0.5)
    low = tested & (ratio <= max_ratio)
    suspects = []
    floors = _group_floors(groups, tested, low, spread_ratio)
    for i in np.flatnonzero(low):
        floor = floors[int(groups[i])]
        if floor is not None and ratio[i] >= floor:
            continue
        unit_id, window, month = labels[i]
        suspects.append(
            Suspect(unit_id, window, month, int(n[i]), int(k[i]), float(expected[i]), float(ratio[i]),
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


def missing_evaluations(ctx: Context) -> Iterator[Candidate]:
    cells = _cells(ctx)
    if not cells.keys:
        return
    units_info = ctx.units
    # The units: their cells summed over windows.
    unit_keys: dict[tuple[int, str], int] = {}
    cell_unit = np.array(
        [unit_keys.setdefault((u, m), len(unit_keys)) for u, _w, m in cells.keys], dtype=np.int64
    )
    u_comp = np.zeros((len(unit_keys), cells.completed.shape[1]))
    u_ev = np.zeros_like(u_comp)
    np.add.at(u_comp, cell_unit, cells.completed)
    np.add.at(u_ev, cell_unit, cells.evaluated)
    ukeys = list(unit_keys)
    kinds = [units_info[u].kind for u, _ in ukeys]
    regions = [units_info[u].region for u, _ in ukeys]
    fallback = _fallback(ukeys, kinds, u_comp, u_ev)
    group_of: dict[tuple, int] = {}
    groups = np.array(
        [
            group_of.setdefault((r, kd, m), len(group_of))
            for (_, m), r, kd in zip(ukeys, regions, kinds, strict=True)
        ]
    )
    tests: dict[int, int] = {}
    labels = [(u, "", m) for u, m in ukeys]
    owner_of: dict[object, int] = {}
    owners = np.array([owner_of.setdefault(u, len(owner_of)) for u, _ in ukeys], dtype=np.int64)
    suspects = _judge(ctx, groups, u_comp, u_ev, fallback, labels, regions, tests, owners)
    # Windows of units not suspected as a whole, against the unit's other windows.
    whole = {(s.unit_id, s.month) for s in suspects}
    picked = [i for i, (u, w, m) in enumerate(cells.keys) if w and (u, m) not in whole]
    if picked:
        w_groups = cell_unit[picked]
        siblings = np.bincount(w_groups, minlength=len(unit_keys))
        keep = siblings[w_groups] >= 2
        idx = np.array(picked)[keep]
        if len(idx):
            windows = np.array(
                [owner_of.setdefault(cells.keys[i][:2], len(owner_of)) for i in idx], dtype=np.int64
            )
            at_window = _rated_at_window(ctx, cells, idx)
            u_at = np.zeros_like(u_comp)
            np.add.at(u_at, cell_unit, cells.at_window)
            w_fallback = np.where(at_window[:, None], _fallback(ukeys, kinds, u_comp, u_at)[cell_unit[idx]],
                                  fallback[cell_unit[idx]])  # fmt: skip
            w_ev = np.where(at_window[:, None], cells.at_window[idx], cells.evaluated[idx])
            suspects += _judge(
                ctx, cell_unit[idx], cells.completed[idx], w_ev, w_fallback,
                [cells.keys[i] for i in idx], [units_info[cells.keys[i][0]].region for i in idx], tests,
                windows, at_window, cells.evaluated[idx],
            )  # fmt: skip
    flagged = []
    for s in suspects:
        th = units_info[s.unit_id].thresholds
        p = binom_cdf(s.k, s.n, min(s.expected / s.n, 1.0)) if s.n else 1.0
        if p <= th.missing_alpha / max(tests.get(units_info[s.unit_id].region, 1), 1):
            flagged.append((s, p))
    yield from _candidates(ctx, flagged)


def _rated_at_window(ctx: Context, cells: Cells, idx: np.ndarray) -> np.ndarray:
    """Per window cell of `idx`, whether its window is judged by the ratings given at the window:
    when at least `missing_window_share` of the evaluations of its unit's window cases over the
    period were given at their own window. Those are what a window can leave out (its device, its
    QR code); a rating by SMS, the hotline or the web reaches the platform without it. A region
    whose evaluations name no window, or few, has its windows judged by all their evaluations."""
    units = np.array([cells.keys[i][0] for i in idx], dtype=np.int64)
    ids, of = np.unique(units, return_inverse=True)
    at = np.bincount(of, weights=cells.at_window[idx].sum(axis=1), minlength=len(ids))
    every = np.bincount(of, weights=cells.evaluated[idx].sum(axis=1), minlength=len(ids))
    share = np.array([ctx.units[int(u)].thresholds.missing_window_share for u in ids.tolist()])
    with np.errstate(invalid="ignore", divide="ignore"):
        judged = (every > 0) & (at > 0) & (at >= share * every)
    return judged[of]


def _fallback(ukeys, kinds, u_comp, u_ev) -> np.ndarray:
    """Per unit-month, the rates per channel of its kind that month, then of every unit that month."""
    by_kind: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_month: dict[str, list[int]] = defaultdict(list)
    for i, ((_, m), kind) in enumerate(zip(ukeys, kinds, strict=True)):
        by_kind[(kind, m)].append(i)
        by_month[m].append(i)
    out = np.zeros_like(u_comp)
    month_rates = {m: _rates(u_ev[idx].sum(axis=0), u_comp[idx].sum(axis=0)) for m, idx in by_month.items()}
    for (_kind, m), idx in by_kind.items():
        out[idx] = _layer(_rates(u_ev[idx].sum(axis=0), u_comp[idx].sum(axis=0)), month_rates[m])
    return out


def _candidates(ctx: Context, flagged: list[tuple[Suspect, float]]) -> Iterator[Candidate]:
    """The findings' cases left unevaluated, for all of them in one statement per few units."""
    if not flagged:
        return
    unit_ids = sorted({s.unit_id for s, _ in flagged})
    unevaluated: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    # The flagged units' cases through the unit's index (never a scan of every completed case),
    # only those of a month flagged in the batch probing the evaluations' index.
    closed_month = _month_sql("c.closed_on")
    for batch, marks in _batches(unit_ids, 200):
        in_batch = set(batch)
        months = sorted({s.month for s, _ in flagged if s.unit_id in in_batch})
        sql = (
            f"SELECT c.unit_id, c.window_code, {closed_month}, c.case_no FROM {C} c "
            f"WHERE c.unit_id IN ({marks}) AND {unindexed('c.status')} = %s "
            f"AND {unindexed('c.closed_on')} >= %s AND {unindexed('c.closed_on')} <= %s "
            f"AND {closed_month} IN ({', '.join(['%s'] * len(months))}) "
            f"AND NOT EXISTS (SELECT 1 FROM {E} e WHERE e.case_no = c.case_no AND e.auto = %s) ORDER BY c.case_no"
        )
        for unit_id, window, month, case_no in rows(
            sql, [*batch, CaseStatus.COMPLETED, ctx.period.date_from, ctx.period.date_to, *months, False]
        ):
            unevaluated[(unit_id, "", month)].append(case_no)
            if window:
                unevaluated[(unit_id, window, month)].append(case_no)
    for s, p in flagged:
        case_nos = unevaluated.get((s.unit_id, s.window, s.month), [])
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
