"""The figures' cells of a row of the reports page, written in one step.

A level of the tree shows a few hundred rows of twenty figures; formatting each through the
template's `intcomma` and `percent` filters cost more than reading the figures (0.4 s of a
province page). The cells are the same: counts with thousands separators, rates as 45.0%, a rate
whose denominator was 0 as "—".
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NOTHING = "—"
# The columns of reports/kpi.html after the unit, in its order; True for a rate.
CELLS = (
    ("received", False), ("completed", False), ("completed_on_time", False), ("on_time_rate", True),
    ("overdue_open", False), ("evaluations", False), ("evaluation_rate", True),
    ("active_evaluation_rate", True), ("satisfaction_rate", True), ("negative", False),
    ("negative_excluded", False), ("time_limit_reduction", True), ("online_rate", True),
    ("full_online_rate", True), ("rectification_tasks", False), ("rectified_on_time", False),
    ("rectified_on_time_rate", True), ("callbacks_owed", False), ("called_back", False),
    ("callback_rate", True),
)  # fmt: skip


def _counts_shown():
    """How the active language writes a count, as `intcomma` does: its separator every three
    digits, or none; `intcomma` itself for any other grouping (checked on a sample)."""
    separator = get_format("THOUSAND_SEPARATOR")
    for fast in (lambda n: f"{n:,}".replace(",", separator), str):
        if all(fast(n) == intcomma(n) for n in (0, 999, 1234, 1234567)):
            return fast
    return intcomma


@register.filter
def figure_cells(row: dict[str, Any]) -> SafeString:
    """The row's figures as `<td class="num">` cells (numbers only: nothing to escape): counts as
    `intcomma` writes them, rates as the `percent` filter does."""
    count = _counts_shown()
    cells = []
    for key, is_rate in CELLS:
        value = row[key]
        if is_rate:
            shown = NOTHING if value is None or value == "" else f"{value * 100:.1f}%"
        else:
            shown = count(value)
        cells.append(f'<td class="num">{shown}</td>')
    return mark_safe("".join(cells))
