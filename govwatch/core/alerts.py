"""Operational alerts: work piling up that nobody is doing (no worker running, a job failing).

An app registers a check when it is loaded (its AppConfig.ready), as it registers its worker jobs::

    from govwatch.core.alerts import register_alert

    register_alert("public.intake", received_not_recorded)   # check(at) -> Alert | None

The office sees every raised alert on its home page (govwatch.ops.todo) and `govwatch health`
prints them for a monitoring system (exit 1 while one is raised).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Alert:
    key: str
    label: str  # what is wrong, in Chinese
    count: int  # how many things wait
    note: str  # since when, and what to do
    url: str = ""  # where to look
    since: datetime | None = None


ALERTS: dict[str, Callable[[datetime], Alert | None]] = {}


def register_alert(key: str, check: Callable[[datetime], Alert | None]) -> None:
    ALERTS[key] = check


def raised(at: datetime) -> list[Alert]:
    return [alert for check in ALERTS.values() if (alert := check(at)) is not None]
