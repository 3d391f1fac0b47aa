"""What waits for the office in operations (govwatch.core.todo): the raised operational alerts
(govwatch.core.alerts), e.g. citizens' evaluations received and not recorded because no worker runs."""

from __future__ import annotations

from datetime import datetime

from govwatch.accounts.permissions import MANAGE_CATALOG, may
from govwatch.core.alerts import raised
from govwatch.core.todo import TodoGroup, TodoItem


def waiting(user, at: datetime) -> list[TodoGroup]:
    if not may(user, MANAGE_CATALOG):
        return []
    return [
        TodoGroup(f"ops.{a.key}", a.label, a.count, a.url, items=[TodoItem(a.note, a.url)], tone="red")
        for a in raised(at)
    ]
