"""The big screen (大屏): today and this month at a glance for the region or one unit's subtree.

`screen_data` is everything the screen shows, as one JSON document: the page draws it at once and
then fetches it again every REFRESH_SECONDS (the screen hangs on a wall for days). The month's
tiles are the total row of `unit_figures` for the month so far (so they equal `govwatch report kpi
--from <first> --to <today>`); today's tiles and the trend the same figures for today alone and for
each month (`scope_figures`: one sum over the daily aggregates, no row per unit). The ranking's
scoreboards (govwatch.reports.ranking.scoreboard: the month so far and the previous period, over
arrays) give both the ranked units and, summed, the month's tiles; only the units shown are read
by name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from govwatch.catalog.figures import rate
from govwatch.figures.fold import freshness
from govwatch.orgs.models import Unit

from . import charts
from .figures import selected_units
from .models import RankingWeights, ScreenSnapshot
from .overview import (
    TREND_MONTHS,
    cards_chart,
    complaints_by,
    current_cards,
    loop_states,
    month_period,
    most_carded,
    trend,
    trend_chart,
)
from .ranking import Scoreboard, first_by_code, previous_period, scoreboard, unit_names
from .source import scope_figures

REFRESH_SECONDS = 60
# How long a stored document serves the screens of its scope while no figure was marked stale.
SNAPSHOT_SECONDS = 20
TOP_UNITS = 10

# The tiles, in the order the screen shows them: (key, label, kind) with kind count or rate.
TODAY_TILES = (
    ("received", "今日受理", "count"),
    ("completed", "今日办结", "count"),
    ("evaluations", "今日评价", "count"),
    ("negative", "今日差评", "count"),
    ("red", "当前红牌", "count"),
    ("yellow", "当前黄牌", "count"),
)
MONTH_TILES = (
    ("received", "本月受理", "count"),
    ("completed", "本月办结", "count"),
    ("on_time_rate", "按时办结率", "rate"),
    ("overdue_open", "逾期未办结", "count"),
    ("satisfaction_rate", "满意率", "rate"),
    ("negative", "差评数", "count"),
    ("rectified_on_time_rate", "差评按时整改率", "rate"),
    ("complaints", "投诉", "count"),
)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.2f}%" if kind == "rate" else f"{value:,}"


def _month_tiles(board: Scoreboard) -> dict[str, Any]:
    """The month's tiles from the counts of the ranking's period: the total row of `unit_figures`."""
    c = board.counts.total()
    return {
        "received": c["received"],
        "completed": c["completed"],
        "on_time_rate": rate(c["completed_on_time"], c["completed"]),
        "overdue_open": c["overdue_open"],
        "satisfaction_rate": rate(c["satisfied"], c["evaluations"]),
        "negative": c["negative"],
        "rectified_on_time_rate": rate(c["rectified_on_time"], c["rectification_tasks"]),
        "complaints": c["complaints_received"],
    }


def _ends(board: Scoreboard, previous: Scoreboard, top: int) -> tuple[list[dict], list[dict]]:
    """The `top` best and the `top` last ranked units, in the ranking's order (rank, then code),
    with name, score and change. Thousands may share the best score: of a rank shared by more
    units than are shown, only those first (or last) by code are looked up (`first_by_code`);
    names are read for the units shown only."""
    order = board.order()
    if not len(order):
        return [], []
    ids = board.ids[order]
    ranks = np.array([board.ranks[p] for p in order.tolist()], dtype=np.int64)
    shown = np.union1d(_end_of(ids, ranks, top, last=False), _end_of(ids, ranks, top, last=True))
    found = unit_names(shown.tolist())
    before = previous.rank_of(shown.tolist())
    position = dict(zip(board.ids.tolist(), range(len(board.ids)), strict=True))
    entries = [
        {
            "rank": board.ranks[position[u]],
            "unit_code": found[u][0],
            "unit_name": found[u][1],
            "score": board.scores[position[u]],
            "change": None if was is None else was - board.ranks[position[u]],
        }
        for u, was in zip(shown.tolist(), before, strict=True)
    ]
    entries.sort(key=lambda e: (e["rank"], e["unit_code"]))
    return entries[:top], entries[-top:]


def _end_of(ids: np.ndarray, ranks: np.ndarray, top: int, *, last: bool) -> np.ndarray:
    """The units among the first `top` (with `last`, the last `top`) in (rank, code) order: whole
    rank groups while they fit, then those first (last) by code of the group that does not."""
    chosen: list[np.ndarray] = []
    taken = 0
    groups = np.unique(ranks)
    for r in (groups[::-1] if last else groups).tolist():
        group = ids[ranks == r]
        need = top - taken
        chosen.append(group if len(group) <= need else first_by_code(group, need, descending=last))
        taken += len(chosen[-1])
        if taken >= top:
            break
    return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)


def screen_data(
    unit_code: str | None, units_qs: QuerySet[Unit] | None, at: datetime | None = None
) -> dict[str, Any]:
    """The screen's document for the subtree of `unit_code` (None: all of `units_qs`) at `at`."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    first, _last = month_period(today)
    units = selected_units(unit_code, units_qs)
    scoped = units if (unit_code is not None or units_qs is not None) else None
    if scoped is not None and scoped.count() == Unit.objects.count():
        scoped = None  # every unit: no unit filter in any query
    weights = RankingWeights.current().as_dict()
    board = scoreboard(first, today, scoped, weights)
    # The previous period's counts and the trend's past months are kept between refreshes
    # (govwatch.figures.memo), computed again only after a fold rewrote one of their days.
    previous = scoreboard(*previous_period(first, today), scoped, weights, remember=True)
    month = _month_tiles(board)
    day = scope_figures(today, today, unit_code, units_qs=units_qs)
    cards = current_cards(scoped)
    day["red"] = sum(c["red"] for c in cards.values())
    day["yellow"] = sum(c["yellow"] for c in cards.values())
    ranked, bottom = _ends(board, previous, TOP_UNITS)
    root = units.order_by("path").first()
    by_category = complaints_by(first, today, scoped, "category")
    option = {
        # The months before, each one sum over the aggregates; this month's point is its tiles.
        "trend": trend_chart(
            [
                *trend(
                    first - timedelta(days=1), unit_code, units_qs, months=TREND_MONTHS - 1, remember=True
                ),
                (f"{first.year}年{first.month}月", month),
            ]
        ),
        "cards": cards_chart(most_carded(cards, TOP_UNITS)),
        "loop": charts.pie([(label, n) for label, n in loop_states(first, today, scoped) if n]),
        "complaints": charts.bars(
            [label for label, _n in by_category], [("投诉", [n for _l, n in by_category], charts.BLUE)]
        ),
        "ranking": charts.bars(
            [r["unit_name"] for r in ranked],
            [("综合得分", [r["score"] or 0 for r in ranked], charts.GREEN)],
            horizontal=True,
        ),
    }
    return {
        "at": timezone.localtime(at).isoformat(timespec="seconds"),
        "title": f"{root.name if root else ''}政务服务效能监督",
        "unit": unit_code,
        "period": {"from": first.isoformat(), "to": today.isoformat()},
        "refresh_seconds": REFRESH_SECONDS,
        "today": {key: day[key] for key, _l, _k in TODAY_TILES},
        "month": {key: month[key] for key, _l, _k in MONTH_TILES},
        "tiles": {
            "today": [
                {"key": k, "label": label, "shown": _shown(day[k], kind)} for k, label, kind in TODAY_TILES
            ],
            "month": [
                {"key": k, "label": label, "shown": _shown(month[k], kind)} for k, label, kind in MONTH_TILES
            ],
        },
        # Beside the chart of the best: the units at the bottom, who need a leader's word.
        "ranking": [
            {"rank": r["rank"], "unit_name": r["unit_name"], "score": r["score"], "change": r["change"]}
            for r in bottom
        ],
        "charts": {name: charts.dark(opt) for name, opt in option.items()},
    }


def stored_screen(key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The screen's document for `key` (a scope and unit): the stored snapshot while it is younger
    than SNAPSHOT_SECONDS and no day's figures were marked stale since, else `compute()`, stored.

    Stored in the database, not in a process's memory, so every web process serves the same
    document and computes it once per scope, however many screens and phones refresh.
    """
    now = timezone.now()
    snapshot = ScreenSnapshot.objects.filter(key=key).first()
    if (
        snapshot is not None
        and now - timedelta(seconds=SNAPSHOT_SECONDS) <= snapshot.computed_at <= now
        and snapshot.freshness == freshness()
    ):
        return snapshot.data
    data = compute()
    # The token after computing: the figures were folded on reading, so the marks they left are gone.
    ScreenSnapshot.objects.update_or_create(
        key=key, defaults={"computed_at": now, "freshness": freshness(), "data": data}
    )
    return data
