"""我的待办: the to-do providers of every area, collected for the home page and the navigation.

Each module listed here has `waiting(user, at) -> list[TodoGroup]` (govwatch.core.todo). A new
area adds its module to PROVIDERS, in the order its groups should appear on the home page.
"""

from __future__ import annotations

import importlib
from datetime import datetime

from django.utils import timezone

from govwatch.core.todo import TodoGroup

PROVIDERS = [
    "govwatch.ops.todo",
    "govwatch.supervision.todo",
    "govwatch.evaluations.todo",
    "govwatch.complaints.todo",
    "govwatch.clues.todo",
    "govwatch.projects.todo",
    "govwatch.randomchecks.todo",
    "govwatch.rectification.todo",
    "govwatch.hallchecks.todo",
    "govwatch.integrity.todo",
    "govwatch.cases.todo",
    "govwatch.reports.todo",
]


def collect(user, at: datetime | None = None) -> list[TodoGroup]:
    """Every group waiting for `user`, in PROVIDERS order."""
    at = at or timezone.now()
    return [group for name in PROVIDERS for group in importlib.import_module(name).waiting(user, at)]


def groups_of(request, module: str) -> list[TodoGroup]:
    """One provider's groups for the signed-in user, computed once per request: the home page and
    the navigation's counts share them."""
    cache = request.__dict__.setdefault("_todo_by_provider", {})
    if module not in cache:
        at = request.__dict__.setdefault("_todo_at", timezone.now())
        cache[module] = importlib.import_module(module).waiting(request.user, at)
    return cache[module]


def for_request(request) -> list[TodoGroup]:
    return [group for name in PROVIDERS for group in groups_of(request, name)]
