"""What waits in the clue register (govwatch.core.todo), for the supervisors only: clues to assess
(研判), clues assessed for transfer whose form is not yet issued, and transferred clues awaiting the
commission's outcome. Counted on the 投诉 navigation entry, where the register's pages are."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse

from govwatch.accounts.permissions import MANAGE_CLUES, scope
from govwatch.core.todo import SHOWN, TodoGroup, TodoItem

from .models import Clue

S = Clue.Status
NAV = "complaints"


def _group(key: str, label: str, clues, status: S, order: str) -> TodoGroup | None:
    n = clues.count()
    if not n:
        return None
    url = reverse("clues:list") + "?" + urlencode({"status": status.value})
    return TodoGroup(
        f"clues.{key}", label, n, url, nav=NAV,
        items=lambda: [TodoItem(f"{c.number} {c.summary}", c.get_absolute_url(), note=c.get_source_display())
                       for c in clues.order_by(order, "id")[:SHOWN]],
    )  # fmt: skip


def waiting(user, at: datetime) -> list[TodoGroup]:
    mine = scope(user)
    if not mine.may(MANAGE_CLUES):
        return []
    clues = Clue.objects.visible_to(mine)
    groups = [
        _group(
            "to-assess", "待研判的问题线索", clues.filter(status=S.REGISTERED), S.REGISTERED, "registered_at"
        ),
        _group(
            "to-transfer",
            "已研判待移送的问题线索",
            clues.filter(status=S.ASSESSED, decision=Clue.Decision.TRANSFER),
            S.ASSESSED,
            "assessed_at",
        ),  # fmt: skip
        _group(
            "awaiting-outcome",
            "已移送待反馈结果的问题线索",
            clues.filter(status=S.TRANSFERRED),
            S.TRANSFERRED,
            "transferred_at",
        ),  # fmt: skip
    ]
    return [g for g in groups if g is not None]
