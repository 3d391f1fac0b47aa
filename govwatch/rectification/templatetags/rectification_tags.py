"""How the rectification pages draw a share and a status (no inline styles: the CSP forbids them)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def tenths(rate: float | None) -> str:
    """A share as one of the bar widths w-0 .. w-10."""
    return f"w-{round((rate or 0) * 10)}"
