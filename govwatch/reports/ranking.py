"""The ranking of units (综合排名, contract section 10): a weighted score of each unit's figures for a
period, its rank (ties share one) and its change against the previous period of the same length.

Each component is a figure between 0 and 1, higher is better, from the unit's own row of
`unit_figures` (the figures of `govwatch report kpi`) and the other areas' counts:

| component | figure |
| --- | --- |
| on_time 按时办结率 | on_time_rate |
| overdue 未逾期率 | 1 - overdue_open / (completed + overdue_open) |
| satisfaction 满意率 | satisfaction_rate |
| negative_loop 差评按时整改率 | rectified_on_time_rate |
| complaints 投诉控制率 | 1 - complaint matters / received, not below 0 (0 when complaints but no cases) |
| data_checks 评价数据真实率 | 1 - suspect evaluations / evaluations, not below 0 (0 when suspects but no evaluations) |
| rectification 整改按期完成率 | of the unit's problems on published rectification lists (contract section 9) due in the period, those signed off on time (below) |

The rectification figure is the quarterly assessment's 按时销号率 (govwatch.rectification.figures,
`period_scores`) over the ranking's period: the problems due are those signed off in the period
and those not signed off at its end whose deadline is by then; on time, those signed off in the
period on a request made no later than the deadline standing when it was made. A unit with no
problem due has no rectification figure (null, its weight left to the others).

A figure whose denominator is 0 is null and left out: the unit's score is then over the weights of
the figures it has, `score = 100 × Σ weight × figure / Σ weight` (so a unit is neither punished nor
favoured for what it had nothing of), rounded to 2 decimals. Units are ranked on that rounded
score, highest first; equal scores share a rank and the next rank skips (1, 2, 2, 4). A unit that
handled no case in the period (nothing received, completed or overdue) is not ranked. `change` is
the previous rank minus this one (positive: moved up), null when the unit was not ranked then.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import Collate

from govwatch.catalog.figures import rate
from govwatch.core.bulk import plain_rows
from govwatch.figures.read import complaint_table, unit_table
from govwatch.figures.rows import task_table
from govwatch.figures.tables import UnitTable
from govwatch.orgs.models import Unit
from govwatch.rectification.figures import period_scores

from .areas import suspect_evaluations
from .figures import Period, selected_units
from .models import COMPONENTS, RankingWeights

LABELS = {code: label for code, label, _default in COMPONENTS}
SCORE_DECIMALS = 2


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length that ends the day before `date_from`."""
    length = date_to - date_from
    end = date_from - timedelta(days=1)
    return end - length, end


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _clean_share(bad: int, base: int) -> float | None:
    """1 - bad / base, not below 0; 0 when there is bad but no base, None when neither."""
    if base:
        return max(0.0, 1 - bad / base)
    return 0.0 if bad else None


def component_figures(
    row: dict[str, Any], suspect: int = 0, rectification: float | None = None
) -> dict[str, float | None]:
    """The components' figures of one unit's row (see the module's table); `suspect` its
    evaluations named by standing data-check findings, `rectification` its rectification figure."""
    overdue_base = row["completed"] + row["overdue_open"]
    return {
        "on_time": row["on_time_rate"],
        "overdue": None if not overdue_base else 1 - row["overdue_open"] / overdue_base,
        "satisfaction": row["satisfaction_rate"],
        "negative_loop": row["rectified_on_time_rate"],
        "complaints": _clean_share(row["complaint_matters"], row["received"]),
        "data_checks": _clean_share(suspect, row["evaluations"]),
        "rectification": rectification,
    }


def score_of(figures: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """100 × Σ weight × figure / Σ weight over the figures that are not null; None if none is."""
    counted = [
        (weights[code], f) for code, f in figures.items() if f is not None and weights.get(code, 0) > 0
    ]
    total = sum(w for w, _f in counted)
    if not total:
        return None
    return round(100 * sum(w * f for w, f in counted) / total, SCORE_DECIMALS)


def ranks(scores: dict[str, float | None]) -> dict[str, int | None]:
    """Competition ranks of the scores (1, 2, 2, 4), highest first; None for no score."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    first = {}
    for position, s in enumerate(ordered, start=1):
        first.setdefault(s, position)
    return {key: (None if s is None else first[s]) for key, s in scores.items()}


@dataclass(frozen=True)
class Scoreboard:
    """Every ranked unit's score and rank for a period, as arrays (`scoreboard`).

    `ids`: the ranked units (those that handled a case), sorted; `scores` and `ranks` beside them
    (None where a unit has no figure to score); `counts`: every unit's counts of the period, the
    figures' and the components' (UnitTable), whose totals are the period's total row.
    """

    ids: np.ndarray
    scores: list[float | None]
    ranks: list[int | None]
    counts: UnitTable
    rectification: dict[int, float | None]

    def rank_of(self, unit_ids: list[int]) -> list[int | None]:
        if not len(self.ids):
            return [None] * len(unit_ids)
        at = np.minimum(np.searchsorted(self.ids, unit_ids), len(self.ids) - 1)
        return [
            self.ranks[a] if self.ids[a] == u else None for a, u in zip(at.tolist(), unit_ids, strict=True)
        ]

    def order(self) -> np.ndarray:
        """Positions of the ranked units with a rank, best first (ties in any order)."""
        ranked = np.array([r if r is not None else 0 for r in self.ranks], dtype=np.int64)
        positions = np.flatnonzero(ranked > 0)
        return positions[np.argsort(ranked[positions], kind="stable")]


def _divided(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where the denominator is not 0, else NaN (a figure left out)."""
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _clean_shares(bad: np.ndarray, base: np.ndarray) -> np.ndarray:
    """`_clean_share` over arrays: 1 - bad / base not below 0; 0 with bad but no base; else NaN."""
    share = np.maximum(0.0, 1 - _divided(bad, base))
    return np.where(base != 0, share, np.where(bad != 0, 0.0, np.nan))


def _looked_up(found: dict[int, float | None], ids: np.ndarray) -> np.ndarray:
    """found[unit] for each of `ids` as an array, NaN where there is none (or it is None)."""
    out = np.full(len(ids), np.nan)
    known = [(u, f) for u, f in found.items() if f is not None]
    if known and len(ids):
        keys = np.array([u for u, _f in known], dtype=np.int64)
        order = np.argsort(keys)
        keys, values = keys[order], np.array([f for _u, f in known], dtype=np.float64)[order]
        at = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
        hit = keys[at] == ids
        out[hit] = values[at[hit]]
    return out


def _rounded(raw: np.ndarray) -> np.ndarray:
    """Each value rounded to SCORE_DECIMALS as Python's round does it (`score_of`), so that equal
    scores tie alike. Over the array for all but the values within a hair of a half, where scaling
    by 100 could round the other way; those are rounded by Python."""
    scale = 10**SCORE_DECIMALS
    scaled = raw * scale
    out = np.rint(scaled) / scale
    near_half = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    for i in near_half.tolist():
        out[i] = round(float(raw[i]), SCORE_DECIMALS)
    return out


def scoreboard(
    date_from: date,
    date_to: date,
    units: QuerySet[Unit] | None,
    weights: dict[str, int],
    *,
    remember: bool = False,
) -> Scoreboard:
    """The scores and ranks of `ranking` for the period, computed over arrays: the same figures
    (`component_figures`), weights, sums, rounding (`score_of`) and ranks (`ranks`), without a row
    or a dict per unit, so that ranking a province for the screen or the previous period reads a
    few grouped queries. `units`: the selection (None: the whole region). `remember`: the counts of
    the aggregates are the region's kept for the period (govwatch.figures.memo), as for a previous
    period that every refresh of a screen ranks again; the live counts are read afresh."""
    period = Period(date_from, date_to)
    if units is not None and units.count() == Unit.objects.count():
        units = None  # every unit: no unit filter in any query
    only = None if units is None else units.values("pk")
    suspects = suspect_evaluations(date_from, date_to, units)
    counts = unit_table(period, only, remember=remember).joined(
        task_table(period, only),
        complaint_table(period, only, remember=remember),
        UnitTable.of(("suspect",), list(suspects.items())),
    )
    c = {name: counts.column(name) for name in counts.names}
    handled = (c["received"] != 0) | (c["completed"] != 0) | (c["overdue_open"] != 0)
    ids = counts.ids[handled]
    c = {name: column[handled] for name, column in c.items()}
    rectification = {
        unit_id: s.on_time_rate for unit_id, s in period_scores(date_from, date_to, units=units).items()
    }
    rect = _looked_up(rectification, ids)
    overdue_base = c["completed"] + c["overdue_open"]
    # In the order of `component_figures`: the sums below add the same terms in the same order.
    figures = {
        "on_time": _divided(c["completed_on_time"], c["completed"]),
        "overdue": np.where(overdue_base != 0, 1 - _divided(c["overdue_open"], overdue_base), np.nan),
        "satisfaction": _divided(c["satisfied"], c["evaluations"]),
        "negative_loop": _divided(c["rectified_on_time"], c["rectification_tasks"]),
        "complaints": _clean_shares(c["complaint_matters"], c["received"]),
        "data_checks": _clean_shares(c["suspect"], c["evaluations"]),
        "rectification": rect.reshape(len(ids)),
    }
    points = np.zeros(len(ids))
    weight = np.zeros(len(ids), np.int64)
    for code, figure in figures.items():
        w = weights.get(code, 0)
        if w > 0:
            counted = ~np.isnan(figure)
            points = np.where(counted, points + w * np.nan_to_num(figure), points)
            weight = weight + np.where(counted, w, 0)
    raw = np.divide(100 * points, weight, out=np.zeros(len(ids)), where=weight != 0)
    rounded = _rounded(raw)
    has = weight != 0
    scored = np.sort(rounded[has])
    above = len(scored) - np.searchsorted(scored, np.where(has, rounded, 0.0), side="right")
    scores = [x if w else None for x, w in zip(rounded.tolist(), has.tolist(), strict=True)]
    ranks_ = [int(n) + 1 if w else None for n, w in zip(above.tolist(), has.tolist(), strict=True)]
    return Scoreboard(ids=ids, scores=scores, ranks=ranks_, counts=counts, rectification=rectification)


def _selection(unit_code: str | None, units_qs: QuerySet[Unit] | None) -> QuerySet[Unit] | None:
    """The units ranked: None for the whole region (no unit filter), else the selection."""
    if unit_code is None and units_qs is None:
        return None
    return selected_units(unit_code, units_qs)


def _row_counts(c: dict[str, int]) -> dict[str, Any]:
    """The figures of a unit's row that `component_figures` reads, from its counts."""
    return {
        "on_time_rate": rate(c["completed_on_time"], c["completed"]),
        "completed": c["completed"],
        "overdue_open": c["overdue_open"],
        "satisfaction_rate": rate(c["satisfied"], c["evaluations"]),
        "rectified_on_time_rate": rate(c["rectified_on_time"], c["rectification_tasks"]),
        "complaint_matters": c["complaint_matters"],
        "received": c["received"],
        "evaluations": c["evaluations"],
    }


def _entry(
    code: str,
    name: str,
    rank: int | None,
    score: float | None,
    figures: dict[str, float | None],
    complaints: int,
    before: int | None,
    weights: dict[str, int],
) -> dict[str, Any]:
    """One row of the ranking document."""
    return {
        "unit_code": code,
        "unit_name": name,
        "rank": rank,
        "score": score,
        "components": {
            c: {
                "label": LABELS[c],
                "figure": None if f is None else round(f, 4),
                "weight": weights.get(c, 0),
                "points": None if f is None else round(weights.get(c, 0) * f, SCORE_DECIMALS),
            }
            for c, f in figures.items()
        },
        "complaints": complaints,
        "previous_rank": before,
        "change": None if before is None or rank is None else before - rank,
    }


# Unit ids per query when units are read by id (under the databases' parameter limits).
_IDS_PER_QUERY = 5000


def unit_names(ids: list[int]) -> dict[int, tuple[str, str]]:
    """{id: (code, name)} of the units `ids`."""
    named: dict[int, tuple[str, str]] = {}
    for chunk in range(0, len(ids), _IDS_PER_QUERY):
        for pk, code, name in Unit.objects.filter(pk__in=ids[chunk : chunk + _IDS_PER_QUERY]).values_list(
            "pk", "code", "name"
        ):
            named[pk] = (code, name)
    return named


def unit_codes(ids: np.ndarray) -> np.ndarray:
    """The codes of the units `ids`, in their order, as an array: the ranking's order among equal
    ranks. Many ids (a province's ranked units) are looked up among every unit's code, read in one
    query, rather than sent as parameters."""
    if not len(ids):
        return np.array([], dtype=str)
    if len(ids) <= _IDS_PER_QUERY:
        units = Unit.objects.filter(pk__in=ids.tolist())
    else:
        units = Unit.objects.all()
    found = plain_rows(units.order_by("pk").values_list("pk", "code"))
    pks = np.array([pk for pk, _code in found], dtype=np.int64)
    codes = np.array([code for _pk, code in found])
    return codes[np.searchsorted(pks, ids)]


# Units read per query when a few are sought in code order among many.
_CODES_PER_READ = 1000


def first_by_code(ids: np.ndarray, count: int, *, descending: bool = False) -> np.ndarray:
    """The `count` units of `ids` whose codes come first (with `descending`, last), in that order.
    A few ids are looked up by id; of many (thousands tied for the best score), the units are read
    in code order, a thousand at a time, until `count` of them are found."""
    if len(ids) <= _CODES_PER_READ:
        order = np.argsort(unit_codes(ids), kind="stable")
        return ids[order[::-1] if descending else order][:count]
    wanted = set(ids.tolist())
    found: list[int] = []
    # In code point order, as Python and numpy compare the codes: PostgreSQL's "C" collation (its
    # default may sort by locale); SQLite compares text byte by byte, which is that order in UTF-8.
    code = Collate("code", "C") if connection.vendor == "postgresql" else F("code")
    units = Unit.objects.order_by(code.desc() if descending else code.asc()).values_list("pk", flat=True)
    for start in itertools.count(0, _CODES_PER_READ):
        chunk = list(units[start : start + _CODES_PER_READ])
        found += [pk for pk in chunk if pk in wanted]
        if len(found) >= count or len(chunk) < _CODES_PER_READ:
            return np.array(found[:count], dtype=np.int64)
    raise AssertionError("unreachable")


class RankingRows(Sequence):
    """The rows of the ranking document in its order, each built when it is read: a page shows 50
    of a province's 16,000 ranked units, so only those 50 have their components worked out.

    The order and each row's rank and score are the scoreboard's (tested equal to the rows that
    `ranking` builds for every unit); the components are `component_figures`'.
    """

    def __init__(self, board: Scoreboard, previous: Scoreboard, weights: dict[str, int]) -> None:
        self._board, self._previous, self._weights = board, previous, weights
        # Ranked first (by rank), then the units with no score; by code among equals.
        ranks_ = np.array([len(board.ids) + 1 if r is None else r for r in board.ranks], dtype=np.int64)
        self._order = np.lexsort((unit_codes(board.ids), ranks_)).tolist()

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return self._rows(self._order[index])
        return self._rows([self._order[index]])[0]

    def _rows(self, positions: list[int]) -> list[dict[str, Any]]:
        board = self._board
        ids = [int(board.ids[p]) for p in positions]
        named = unit_names(ids)
        before = self._previous.rank_of(ids)
        counts = board.counts.on(np.array(ids, dtype=np.int64)).tolist()
        rows = []
        for p, unit_id, values, was in zip(positions, ids, counts, before, strict=True):
            c = dict(zip(board.counts.names, values, strict=True))
            figures = component_figures(_row_counts(c), c["suspect"], board.rectification.get(unit_id))
            code, name = named[unit_id]
            complaints = c["complaint_matters"]
            rows.append(
                _entry(code, name, board.ranks[p], board.scores[p], figures, complaints, was, self._weights)
            )
        return rows


def ranking(
    date_from: date,
    date_to: date,
    unit_code: str | None = None,
    *,
    units_qs: QuerySet[Unit] | None = None,
    weights: dict[str, int] | None = None,
    lazy: bool = False,
) -> dict[str, Any]:
    """The ranking document: period, previous period, weights and one row per ranked unit, best
    first (units with no score last, by code). Raises UnknownUnit for a code outside `units_qs`.

    Both periods' counts come from their scoreboards (the figures of `unit_figures`, read as
    columns); each ranked unit's components are then worked out by `component_figures` and scored
    by `score_of`, the rules the scoreboard's arrays follow (the tests hold the two equal). With
    `lazy` the rows are a RankingRows, built as they are read (a page of them)."""
    weights = weights if weights is not None else RankingWeights.current().as_dict()
    units = _selection(unit_code, units_qs)
    board = scoreboard(date_from, date_to, units, weights)
    prev_from, prev_to = previous_period(date_from, date_to)
    previous = scoreboard(prev_from, prev_to, units, weights, remember=True)
    doc = {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit": unit_code,
        "previous": {"from": prev_from.isoformat(), "to": prev_to.isoformat()},
        "weights": dict(weights),
        "weight_labels": dict(LABELS),
    }
    if lazy:
        return {**doc, "rows": RankingRows(board, previous, weights)}
    ids = board.ids.tolist()
    prev_rank = previous.rank_of(ids)
    named = unit_names(ids)
    names = board.counts.names
    entries, scores = [], {}
    for unit_id, values in zip(ids, board.counts.on(board.ids).tolist(), strict=True):
        c = dict(zip(names, values, strict=True))
        figures = component_figures(_row_counts(c), c["suspect"], board.rectification.get(unit_id))
        code = named[unit_id][0]
        scores[code] = score_of(figures, weights)
        entries.append((unit_id, code, figures, c["complaint_matters"]))
    rank = ranks(scores)
    rows = [
        _entry(code, named[unit_id][1], rank[code], scores[code], figures, complaints, before, weights)
        for (unit_id, code, figures, complaints), before in zip(entries, prev_rank, strict=True)
    ]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit_code"]))
    return {**doc, "rows": rows}


def weights_text(weights: dict[str, int]) -> str:
    """The weights in words, as printed beside a ranking: 按时办结率30、未逾期率15……"""
    return "、".join(f"{LABELS[c]}{w}" for c, w in weights.items() if c in LABELS)
