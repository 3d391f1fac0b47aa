"""The figures' cells of a row of the reports page, written in one step.

A level of the tree shows a few hundred rows of twenty figures; formatting each through the
template's `intcomma` and `percent` filters cost more than reading the figures (0.4 s of a
province page). The cells are the same: counts with thousands separators, rates as 45.0%, a rate
whose denominator was 0 as "—".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from govwatch.complaints import figures as complaint_figures

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
    digits, or none; `intcomma` itself for any other grouping (checked on a sample, once per
    language and settings: a level of the tree is a few hundred rows)."""
    return _counts_shown_in(get_language(), settings.USE_THOUSAND_SEPARATOR, settings.NUMBER_GROUPING)


@lru_cache(maxsize=32)
def _counts_shown_in(language: str | None, use_separator: bool, grouping: object):
    separator = get_format("THOUSAND_SEPARATOR")
    for fast in (lambda n: f"{n:,}".replace(",", separator), str):
        if all(fast(n) == intcomma(n) for n in (0, 999, 1234, 1234567)):
            return fast
    return intcomma


# The columns of the complaints' table (reports/_complaints_table.html) after the unit.
COMPLAINT_CELLS = tuple((name, name in complaint_figures.RATES) for name in complaint_figures.FIGURES)


@register.filter
def figure_cells(row: dict[str, Any]) -> SafeString:
    """The row's figures as `<td class="num">` cells (numbers only: nothing to escape): counts as
    `intcomma` writes them, rates as the `percent` filter does."""
    return _cells(row, CELLS)


@register.filter
def complaint_cells(row: dict[str, Any]) -> SafeString:
    """`figure_cells` of the complaints' figures (govwatch.complaints.figures.row)."""
    return _cells(row, COMPLAINT_CELLS)


def _cells(row: dict[str, Any], columns: tuple[tuple[str, bool], ...]) -> SafeString:
    count = _counts_shown()
    cells = []
    for key, is_rate in columns:
        value = row[key]
        if is_rate:
            shown = NOTHING if value is None or value == "" else f"{value * 100:.1f}%"
        else:
            shown = count(value)
        cells.append(f'<td class="num">{shown}</td>')
    return mark_safe("".join(cells))
