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

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from govwatch.orgs.models import Unit
from govwatch.rectification.figures import period_scores

from .areas import suspect_evaluations
from .figures import selected_units
from .models import COMPONENTS, RankingWeights
from .source import unit_figures

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


def _scored(
    date_from: date,
    date_to: date,
    unit_code: str | None,
    units_qs: QuerySet[Unit] | None,
    weights: dict[str, int],
    rows: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
    if rows is None:
        rows = unit_figures(date_from, date_to, unit_code, units_qs=units_qs)[:-1]
    units = selected_units(unit_code, units_qs)
    ids = dict(units.values_list("code", "pk"))
    suspects = suspect_evaluations(date_from, date_to, units)
    rectification = {
        unit_id: s.on_time_rate for unit_id, s in period_scores(date_from, date_to, units=units).items()
    }
    scored, scores = [], {}
    for row in rows:
        if not (row["received"] or row["completed"] or row["overdue_open"]):
            continue
        unit_id = ids[row["unit_code"]]
        figures = component_figures(row, suspects.get(unit_id, 0), rectification.get(unit_id))
        scores[row["unit_code"]] = score_of(figures, weights)
        scored.append({"row": row, "figures": figures, "complaints": row["complaint_matters"]})
    return scored, scores


def ranking(
    date_from: date,
    date_to: date,
    unit_code: str | None = None,
    *,
    units_qs: QuerySet[Unit] | None = None,
    weights: dict[str, int] | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ranking document: period, previous period, weights and one row per ranked unit, best
    first (units with no score last, by code). Raises UnknownUnit for a code outside `units_qs`.
    `rows`: the units' rows of `unit_figures` for the period when the caller has them already."""
    weights = weights if weights is not None else RankingWeights.current().as_dict()
    scored, scores = _scored(date_from, date_to, unit_code, units_qs, weights, rows)
    rank = ranks(scores)
    prev_from, prev_to = previous_period(date_from, date_to)
    _prev_rows, prev_scores = _scored(prev_from, prev_to, unit_code, units_qs, weights)
    prev_rank = ranks(prev_scores)
    rows = []
    for entry in scored:
        row, figures = entry["row"], entry["figures"]
        code = row["unit_code"]
        before = prev_rank.get(code)
        rows.append(
            {
                "unit_code": code,
                "unit_name": row["unit_name"],
                "rank": rank[code],
                "score": scores[code],
                "components": {
                    c: {
                        "label": LABELS[c],
                        "figure": None if f is None else round(f, 4),
                        "weight": weights.get(c, 0),
                        "points": None if f is None else round(weights.get(c, 0) * f, SCORE_DECIMALS),
                    }
                    for c, f in figures.items()
                },
                "complaints": entry["complaints"],
                "previous_rank": before,
                "change": None if before is None or rank[code] is None else before - rank[code],
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit_code"]))
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit": unit_code,
        "previous": {"from": prev_from.isoformat(), "to": prev_to.isoformat()},
        "weights": dict(weights),
        "weight_labels": dict(LABELS),
        "rows": rows,
    }


def weights_text(weights: dict[str, int]) -> str:
    """The weights in words, as printed beside a ranking: 按时办结率30、未逾期率15……"""
    return "、".join(f"{LABELS[c]}{w}" for c, w in weights.items() if c in LABELS)
