"""A leader's home page (govwatch.core.todo): the few figures that moved, this month so far
against the same days of last month, each one click from the rows behind it."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse

from govwatch.accounts.models import Role
from govwatch.accounts.permissions import EVERYTHING, role_of, scope
from govwatch.complaints.models import Complaint
from govwatch.core.localtime import local_date
from govwatch.core.todo import TodoGroup
from govwatch.figures.read import scope_totals
from govwatch.orgs.models import Unit
from govwatch.supervision.models import CardChange, SupervisionOrder

from .figures import Period

# How many moved figures a leader's page shows; the reports page has them all.
SHOWN_FIGURES = 4


def same_days_last_month(today: date) -> tuple[Period, Period]:
    """This month up to today, and last month from its first day to the same day (its last day
    when shorter): two spans of equal length, so the comparison is fair mid-month."""
    first = today.replace(day=1)
    previous_first = (first - timedelta(days=1)).replace(day=1)
    last_day = calendar.monthrange(previous_first.year, previous_first.month)[1]
    return Period(first, today), Period(previous_first, previous_first.replace(day=min(today.day, last_day)))


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    # (scope, period, the period's daily figures summed) -> the value; rates give a fraction or None.
    value: Callable[[object, Period, dict[str, int]], float | int | None]
    url: Callable[[Period], str]
    # Whether a rise is good news (True), bad news (False) or neither (None).
    rise_is_good: bool | None = None
    rate: bool = False


def _query(name: str, **params: object) -> str:
    return reverse(name) + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _totals(mine, p: Period) -> dict[str, int]:
    """The period's counts summed from the pre-computed daily figures of the scope's units (the
    cases closed and evaluations given in a month of a province are not counted row by row)."""
    return scope_totals(p.date_from, p.date_to, None if mine.everything else Unit.objects.visible_to(mine))


def _on_time_rate(mine, p: Period, t: dict[str, int]) -> float | None:
    return t["completed_on_time"] / t["completed"] if t["completed"] else None


def _levels(t: dict[str, int], *levels: int) -> int:
    return sum(t[f"level_{level}"] for level in levels)


def _satisfaction(mine, p: Period, t: dict[str, int]) -> float | None:
    """The share of the period's evaluations rated 3 (基本满意) or above."""
    given = _levels(t, 1, 2, 3, 4, 5)
    return _levels(t, 3, 4, 5) / given if given else None


def _new_red(mine, p: Period, t: dict[str, int]) -> int:
    return mine.filter(
        CardChange.objects.filter(card="red", at__gte=p.start, at__lt=p.end), "case__unit"
    ).count()


FIGURES = [
    Figure(
        "received", "受理办件",
        lambda mine, p, t: t["received"],
        lambda p: _query("case-list", accepted_from=p.date_from, accepted_to=p.date_to),
    ),
    Figure("on_time_rate", "按时办结率", _on_time_rate, lambda p: _query("reports:kpi", date_from=p.date_from, date_to=p.date_to),
           rise_is_good=True, rate=True),
    Figure("new_red", "新增红牌（超时）", _new_red, lambda p: _query("case-list", status="open", card="red"), rise_is_good=False),
    Figure(
        "negative", "差评",
        lambda mine, p, t: _levels(t, 1, 2),
        lambda p: _query("evaluations:task-list", month=p.date_from.strftime("%Y-%m")), rise_is_good=False,
    ),
    Figure("satisfaction_rate", "满意率", _satisfaction, lambda p: _query("reports:kpi", date_from=p.date_from, date_to=p.date_to),
           rise_is_good=True, rate=True),
    Figure(
        "orders", "下发督办单",
        lambda mine, p, t: SupervisionOrder.objects.visible_to(mine).filter(issued_at__gte=p.start, issued_at__lt=p.end).count(),
        lambda p: _query("supervision:order-list"), rise_is_good=False,
    ),
    Figure(
        "complaints", "投诉",
        lambda mine, p, t: Complaint.objects.visible_to(mine).filter(at__gte=p.start, at__lt=p.end).count(),
        lambda p: _query("reports:kpi", date_from=p.date_from, date_to=p.date_to), rise_is_good=False,
    ),
]  # fmt: skip


def _shown(value: float | int | None, rate: bool) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if rate else f"{value:,}"


def _change(now: float | int | None, before: float | int | None, rate: bool) -> tuple[float, str]:
    """How much a figure moved (for ranking) and the words for it."""
    if now is None or before is None or now == before:
        return 0.0, "与上月同期持平" if now == before and now is not None else "上月同期无可比数据"
    if rate:
        points = (now - before) * 100
        return abs(
            points
        ) / 10, f"上月同期 {before * 100:.1f}%，{'上升' if points > 0 else '下降'} {abs(points):.1f} 个百分点"
    if before == 0:
        return float(now), "上月同期为 0"
    share = (now - before) / before
    return abs(share), f"上月同期 {before:,}，{'增加' if share > 0 else '减少'} {abs(share) * 100:.0f}%"


def waiting(user, at: datetime) -> list[TodoGroup]:
    """For leaders only: the figures of this month that moved most against last month's same days."""
    if role_of(user) != Role.LEADER:
        return []
    mine = scope(user)
    if Unit.objects.all_visible_to(mine):
        # A leader of the whole region: the same rows without a join on the unit tree per figure.
        mine = EVERYTHING
    this, last = same_days_last_month(local_date(at))
    moved = []
    totals = {p: _totals(mine, p) for p in (this, last)}
    for f in FIGURES:
        now, before = f.value(mine, this, totals[this]), f.value(mine, last, totals[last])
        size, words = _change(now, before, f.rate)
        rose = now is not None and before is not None and now > before
        tone = "" if f.rise_is_good is None or not size else ("green" if rose == f.rise_is_good else "red")
        group = TodoGroup(
            f"reports.{f.key}", f.label, 0, f.url(this), figure=_shown(now, f.rate), note=words, tone=tone,
        )  # fmt: skip
        moved.append((size, group))
    moved.sort(key=lambda pair: -pair[0])
    return [group for size, group in moved[:SHOWN_FIGURES]]
