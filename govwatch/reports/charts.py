"""The ECharts options of the leaders' charts, as plain data: the pages and the big screen draw them
in the browser (web/charts.js), the bulletin as images on the server (chartimages). One builder
per kind of chart, so a figure looks the same on a page, on the screen and on paper.

Rates arrive as fractions (0.9875) or None and are drawn as percentages with two decimals; a
missing rate is a gap in a line, never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

RED, YELLOW, BLUE, GREEN, GREY = "#d9363e", "#e6a23c", "#3464c4", "#2e9d5b", "#8a94a6"
PALETTE = [BLUE, GREEN, YELLOW, RED, "#7d4cc4", "#1f9bb3", "#c45a1a", GREY]


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _legend(names: Sequence[str]) -> dict[str, Any]:
    return {"data": list(names), "top": 0, "type": "scroll"}


def _grid(horizontal: bool = False) -> dict[str, Any]:
    return {"left": 12, "right": 24, "top": 36, "bottom": 8, "containLabel": True}


def line_trend(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> dict[str, Any]:
    """Rates over periods: one line per (name, rates as fractions)."""
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": _legend([name for name, _ in series]),
        "grid": _grid(),
        "xAxis": {"type": "category", "data": list(labels), "boundaryGap": False},
        "yAxis": {"type": "value", "scale": True, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {"name": name, "type": "line", "data": [percent(v) for v in values], "connectNulls": False,
             "symbolSize": 6, "label": {"show": len(labels) <= 12, "formatter": "{c}%", "fontSize": 10}}
            for name, values in series
        ],
    }  # fmt: skip


def bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | float], str]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
    rates: bool = False,
) -> dict[str, Any]:
    """Bars per category: one series per (name, values, colour); `horizontal` for long names
    (the first category on top); `stacked` to add them up; `rates` for fractions as percentages."""
    cats = list(reversed(categories)) if horizontal else list(categories)
    category_axis = {"type": "category", "data": cats, "axisLabel": {"interval": 0}}
    if not horizontal:
        category_axis["axisLabel"]["rotate"] = 30 if len(cats) > 6 else 0
    value_axis: dict[str, Any] = {"type": "value", "minInterval": 1}
    if rates:
        value_axis = {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}}
    out = []
    for name, values, colour in series:
        data = [percent(v) for v in values] if rates else list(values)
        out.append(
            {"name": name, "type": "bar", "data": list(reversed(data)) if horizontal else data,
             "itemStyle": {"color": colour}, "barMaxWidth": 28,
             "label": {"show": not stacked, "position": "right" if horizontal else "top",
                       "formatter": "{c}%" if rates else "{c}", "fontSize": 10}}
        )  # fmt: skip
        if stacked:
            out[-1]["stack"] = "total"
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": _legend([name for name, _v, _c in series]),
        "grid": _grid(horizontal),
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": out,
    }


def pie(data: Sequence[tuple[str, int]], *, colours: Sequence[str] | None = None) -> dict[str, Any]:
    """Shares of a whole: a ring with its labels outside (names and counts); "暂无数据" when the
    whole is nothing."""
    if not any(value for _name, value in data):
        return {"title": {"text": "暂无数据", "left": "center", "top": "middle", "textStyle": {"color": GREY}},
                "series": []}  # fmt: skip
    return {
        "color": list(colours or PALETTE),
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}（{d}%）"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [
            {"type": "pie", "radius": ["38%", "66%"], "center": ["50%", "45%"],
             "label": {"formatter": "{b}\n{c}"},
             "data": [{"name": name, "value": value} for name, value in data]}
        ],
    }  # fmt: skip


def dark(option: dict[str, Any]) -> dict[str, Any]:
    """The same option for the big screen's dark background: light text, faint grid lines."""
    light = "#d8e2f3"
    option = dict(option, backgroundColor="transparent", textStyle={"color": light, "fontSize": 14})
    if "legend" in option:
        option["legend"] = dict(option["legend"], textStyle={"color": light, "fontSize": 14})
    for axis in ("xAxis", "yAxis"):
        if axis in option:
            option[axis] = dict(
                option[axis],
                axisLabel={**option[axis].get("axisLabel", {}), "color": light, "fontSize": 13},
                splitLine={"lineStyle": {"color": "rgba(216,226,243,0.15)"}},
            )
    for series in option.get("series", []):
        if "label" in series:
            series["label"] = {**series["label"], "color": light}
    return option
