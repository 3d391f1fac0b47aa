"""The thresholds of the data checks: what each is, its default, and the region's own values.

Every threshold below is documented in docs/checks.md. A region (a unit and its subtree: the
province, one district) may set its own values; a unit takes the values of its nearest ancestor
that set any, then the defaults here. The statistical checks compare a unit with its peers and a
window with its own throughput, so the defaults hold on data of any size; these values say how
sure a check must be before it raises a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Threshold:
    name: str
    label: str
    help: str
    kind: type  # int or float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Thresholds:
    """The values in force for one unit."""

    before_completion_grace_seconds: int = 0
    evaluator_min_cases: int = 5
    evaluator_min_units: int = 3
    evaluator_min_day_cases: int = 3
    evaluator_alpha: float = 0.01
    burst_gap_seconds: int = 30
    burst_min_run: int = 5
    burst_top_share: float = 0.8
    burst_unexplained_share: float = 0.5
    burst_alpha: float = 0.01
    served_within_minutes: int = 10
    off_hours_grace_minutes: int = 60
    duplicate_min_length: int = 6
    duplicate_min_cases: int = 3
    duplicate_max_units: int = 2
    duplicate_min_ratio: float = 10.0
    duplicate_alpha: float = 0.01
    missing_max_ratio: float = 0.5
    missing_alpha: float = 0.05
    missing_min_expected: float = 10.0
    missing_window_share: float = 0.5

    def changed(self, values: dict[str, Any]) -> Thresholds:
        return replace(self, **values)


DEFAULTS = Thresholds()

DEFINITIONS: dict[str, Threshold] = {
    t.name: t
    for t in (
        Threshold("before_completion_grace_seconds", "办结前评价容差（秒）",
                  "评价时间早于办结时间超过此秒数才算办结前评价（两套系统时钟的误差）", int, 0, 86400),
        Threshold("evaluator_min_cases", "同一评价人最少办件数",
                  "评价人在期间内评价的办件少于此数时不作为刷评线索", int, 2, 1000),
        Threshold("evaluator_min_units", "同一评价人最少单位数",
                  "评价人评价的单位达到此数才按“跨多个单位”判断", int, 2, 100),
        Threshold("evaluator_min_day_cases", "同一评价人单日最少办件数",
                  "评价人一天内评价的办件达到此数才按“一天评价多件”判断（一家人一起办两件不算）", int, 2, 100),
        Threshold("evaluator_alpha", "刷评显著性",
                  "按本区评价人的实际分布，全区诚实评价人中预计被误判的人数上限", float, 1e-9, 1),
        Threshold("burst_gap_seconds", "集中评价间隔（秒）",
                  "同一窗口评价器相邻两条评价间隔不超过此秒数视为连续", int, 1, 600),
        Threshold("burst_min_run", "集中评价最少条数", "连续评价达到此条数才检查", int, 3, 1000),
        Threshold("burst_top_share", "集中评价好评占比", "连续评价中“满意”及以上所占比例至少为此值", float, 0, 1),
        Threshold("burst_unexplained_share", "集中评价无对应办结占比",
                  "连续评价中，其办件并非刚在该窗口办结的评价所占比例至少为此值", float, 0, 1),
        Threshold("burst_alpha", "集中评价显著性",
                  "按该窗口当天自身的评价速度，诚实窗口出现如此密集评价的预计次数上限", float, 1e-12, 1),
        Threshold("served_within_minutes", "办结后即时评价（分钟）",
                  "评价器评价在其办件办结后此分钟数内，视为刚办完当场评价", int, 1, 240),
        Threshold("off_hours_grace_minutes", "服务时间前后宽限（分钟）",
                  "服务时间前后此分钟数内、办件刚办结即当场评价的，视为延时服务，不算非服务时间", int, 0, 240),
        Threshold("duplicate_min_length", "重复内容最短字数",
                  "去掉标点空格后短于此字数的评价内容（如“满意”“很好”）不检查", int, 1, 200),
        Threshold("duplicate_min_cases", "重复内容最少办件数", "同一内容出现在至少此数目的不同办件上才算重复", int, 2, 1000),
        Threshold("duplicate_max_units", "重复内容最多单位数",
                  "同一内容只出现在不超过此数目的单位时，在某单位达到最少办件数即算重复；出现在更多单位的，按下面两项判断", int, 1, 1000),
        Threshold("duplicate_min_ratio", "重复内容集中倍数",
                  "多个单位都写的内容，某单位评价中出现的频率至少为全区频率的此倍数，才算该单位重复", float, 1, 100000),
        Threshold("duplicate_alpha", "重复内容显著性",
                  "按全区使用该内容的频率（泊松分布），每次核查全区诚实单位中预计被误判的个数上限", float, 1e-12, 1),
        Threshold("missing_max_ratio", "漏报比例",
                  "单位或窗口的评价数不超过按同类单位评价率预计数的此比例时才算漏报", float, 0, 1),
        Threshold("missing_alpha", "漏报显著性",
                  "按同类单位评价率（二项分布），每次核查全区诚实单位和窗口中预计被误判的个数上限", float, 1e-12, 1),
        Threshold("missing_min_expected", "漏报最少预计评价数",
                  "按同类单位评价率预计的评价数少于此数时，样本太小不作判断", float, 1, 100000),
        Threshold("missing_window_share", "窗口当场评价占比",
                  "单位各窗口办件的评价中，在办件窗口当场（评价器、窗口二维码）给出的至少占此比例时，窗口按当场评价判断漏报"
                  "（短信、热线、网上评价不经窗口，窗口无从漏报）；否则按全部评价判断。设为 1 即总按全部评价", float, 0, 1),
    )
}  # fmt: skip

assert set(DEFINITIONS) == {f.name for f in fields(Thresholds)}


class ThresholdError(ValueError):
    """A value that is not a valid threshold; the message is for the user."""


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """The values checked and converted to their kinds; ThresholdError for an unknown name or value."""
    cleaned: dict[str, Any] = {}
    for name, raw in values.items():
        definition = DEFINITIONS.get(name)
        if definition is None:
            raise ThresholdError(f"没有名为“{name}”的阈值（可选：{'、'.join(DEFINITIONS)}）")
        try:
            value = definition.kind(raw)
            if definition.kind is int and isinstance(raw, float) and raw != int(raw):
                raise ValueError
        except (TypeError, ValueError):
            raise ThresholdError(f"阈值 {name}（{definition.label}）的值“{raw}”无效") from None
        if not definition.minimum <= value <= definition.maximum:
            raise ThresholdError(
                f"阈值 {name}（{definition.label}）应在 {definition.minimum:g} 至 {definition.maximum:g} 之间"
            )
        cleaned[name] = value
    return cleaned
