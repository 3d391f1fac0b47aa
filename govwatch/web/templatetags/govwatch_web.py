"""How GovWatch pages write times, rates, cards and personal data."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from govwatch.core import pii

register = template.Library()

NOTHING = "—"


@register.filter
def local(moment: datetime | None) -> str:
    """2026-03-24 09:30 in the local time zone (Asia/Shanghai by default)."""
    if moment is None:
        return NOTHING
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@register.filter
def percent(value: float | None) -> str:
    """A rate as 45.0%; a rate whose denominator was 0 is None and shows as "—", never 0%."""
    if value is None:
        return NOTHING
    return f"{value * 100:.1f}%"


@register.filter
def masked(value: str | None) -> str:
    return pii.mask(value or "") or NOTHING


@register.inclusion_tag("web/_card.html")
def card_badge(card: str) -> dict[str, str]:
    return {"card": card}


@register.inclusion_tag("web/_on_time.html")
def on_time(value: bool | None) -> dict[str, bool | None]:
    return {"value": value}
