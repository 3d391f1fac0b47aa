"""The main navigation, as data: one entry per area, shown to the roles it is for, with the count
of what waits there. A new area adds one NavEntry to ENTRIES (base.html draws whatever is here).

    NavEntry("complaints", "投诉", "complaints:list", count="govwatch.complaints.todo")

`key` is the `nav` value the area's pages put in their context (the entry is then marked current);
`roles` (Role values) or `action` (govwatch.accounts.permissions) limit who sees it, superusers see
every entry; `count` names a to-do provider module (govwatch.core.todo) whose groups with
`nav == key` are counted on the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from govwatch.accounts.permissions import MANAGE_CATALOG, VIEW_AUDIT, may, role_of

from .todo import groups_of


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    roles: frozenset[str] | None = None
    action: str | None = None
    # A to-do module, or several when an area's pages span apps (rectification lists, hall checks).
    count: str | tuple[str, ...] | None = None

    def counted(self) -> tuple[str, ...]:
        return (self.count,) if isinstance(self.count, str) else tuple(self.count or ())

    def visible_to(self, user) -> bool:
        if user.is_superuser:
            return True
        if self.roles is not None and role_of(user) not in self.roles:
            return False
        return self.action is None or may(user, action=self.action)


RECTIFICATION_TODO = ("govwatch.rectification.todo", "govwatch.hallchecks.todo", "govwatch.integrity.todo")
ENTRIES = [
    NavEntry("home", "首页", "home"),
    NavEntry("units", "单位", "unit-list"),
    NavEntry("items", "事项", "item-list"),
    NavEntry("cases", "办件", "case-list"),
    NavEntry("supervision", "电子监察", "supervision:board", count="govwatch.supervision.todo"),
    NavEntry("prediction", "风险预测", "prediction:overview"),
    NavEntry("evaluations", "差评整改", "evaluations:task-list", count="govwatch.evaluations.todo"),
    # The clue register's pages are under 投诉; its provider stands a floor above complaints'.
    NavEntry(
        "complaints", "投诉", "complaints:list", count=("govwatch.complaints.todo", "govwatch.clues.todo")
    ),
    NavEntry("projects", "重点项目", "projects:list", count="govwatch.projects.todo"),
    NavEntry("randomchecks", "双随机", "randomchecks:list", count="govwatch.randomchecks.todo"),
    NavEntry("regulation", "互联网+监管", "regulation:figures"),
    NavEntry("integrity", "评议监督", "checks:home"),
    NavEntry("rectification", "整改清单", "rectification:index", count=RECTIFICATION_TODO),
    NavEntry("windows", "窗口", "windows:overview"),
    # The ranking, the monthly bulletin and the big screen are tabs of 统计报表 (reports/_tabs.html).
    NavEntry("reports", "统计报表", "reports:kpi"),
    NavEntry("audit", "审计日志", "audit", action=VIEW_AUDIT),
    NavEntry("admin", "管理后台", "admin:index", action=MANAGE_CATALOG),
]


def entries(request, current: str) -> list[dict[str, Any]]:
    """The entries the signed-in user sees, with their address, whether current, and their count."""
    user = request.user
    shown = []
    for entry in ENTRIES:
        if not entry.visible_to(user):
            continue
        count = sum(
            g.count for module in entry.counted() for g in groups_of(request, module) if g.nav == entry.key
        )
        shown.append(
            {"key": entry.key, "label": entry.label, "url": reverse(entry.url_name), "current": entry.key == current,
             "count": count}
        )  # fmt: skip
    return shown
