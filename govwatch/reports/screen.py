"""The big screen (大屏): today and this month at a glance for the region or one unit's subtree.

`screen_data` is everything the screen shows, as one JSON document: the page draws it at once and
then fetches it again every REFRESH_SECONDS (the screen hangs on a wall for days). The month's
tiles are the total row of `unit_figures` for the month so far (so they equal `govwatch report kpi
--from <first> --to <today>`); today's tiles the same for today alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from govwatch.orgs.models import Unit

from . import charts
from .figures import selected_units
from .overview import (
    cards_chart,
    complaints_by,
    current_cards,
    loop_states,
    month_period,
    trend,
    trend_chart,
)
from .ranking import ranking
from .source import unit_figures

REFRESH_SECONDS = 60
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


def screen_data(
    unit_code: str | None, units_qs: QuerySet[Unit] | None, at: datetime | None = None
) -> dict[str, Any]:
    """The screen's document for the subtree of `unit_code` (None: all of `units_qs`) at `at`."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    first, _last = month_period(today)
    units = selected_units(unit_code, units_qs)
    scoped = units if (unit_code is not None or units_qs is not None) else None
    month_rows = unit_figures(first, today, unit_code, units_qs=units_qs)
    month = dict(month_rows[-1])
    month["complaints"] = month["complaints_received"]
    day = dict(unit_figures(today, today, unit_code, units_qs=units_qs)[-1])
    cards = current_cards(units)
    day["red"] = sum(c["red"] for c in cards.values())
    day["yellow"] = sum(c["yellow"] for c in cards.values())
    names = dict(units.values_list("code", "name"))
    every = [r for r in ranking(first, today, unit_code, units_qs=units_qs)["rows"] if r["rank"] is not None]
    ranked, bottom = every[:TOP_UNITS], every[-TOP_UNITS:]
    root = units.order_by("path").first()
    by_category = complaints_by(first, today, scoped, "category")
    option = {
        "trend": trend_chart(trend(today, unit_code, units_qs, last_day=today)),
        "cards": cards_chart(cards, names, TOP_UNITS),
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
