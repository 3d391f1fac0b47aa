"""Keyset pagination (分页): a page of a long list found by the last row shown, not by an offset.

An offset page makes the database read and skip every row before it, so page 2,000 of a province's
cases costs 2,000 pages; a keyset page is an index range from the previous page's last row, the same
cost at any depth. The list's order must be unique (end it with the primary key). The cursor in the
address is the ordering values of a boundary row, so a page has a shareable address. The total
is counted up to COUNT_LIMIT only: beyond it the page says "more than".

    page = keyset_page(rows, ("-accepted_on", "-pk"), request.GET, per_page=50)
    page.rows, page.count, page.count_capped, page.next_query, page.previous_query, page.first_query
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

COUNT_LIMIT = 10_000
AFTER, BEFORE = "after", "before"


@dataclass
class KeysetPage:
    rows: list[Any]
    count: int
    count_capped: bool
    next_query: str | None = None
    previous_query: str | None = None
    first_query: str | None = None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _value(obj: Any, name: str) -> Any:
    """The ordering value of a row, following relations ("risk__risk")."""
    for part in name.split("__"):
        obj = getattr(obj, part)
    return obj


def _encode(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _condition(order: tuple[str, ...], values: list[str], forward: bool) -> Q:
    """Rows after (forward) or before the boundary row in the list's order."""
    condition = Q()
    for i, spec in enumerate(order):
        name = spec.lstrip("-")
        descending = spec.startswith("-") == forward
        equal = Q(**{name: values[j] for j, name in enumerate(n.lstrip("-") for n in order[:i])})
        beyond = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        condition |= equal & beyond
    return condition


def keyset_page(
    rows: QuerySet,
    order: tuple[str, ...],
    params: Mapping[str, str],
    per_page: int = 50,
    counted: QuerySet | None = None,
) -> KeysetPage:
    """The page of `rows` (in `order`) after or before the cursor in `params` (the first page without).

    `counted`, when given, is the same rows written so that the database counts them through an
    index (e.g. `Case.objects.counted_for`, without the join on the unit tree)."""
    kept = {k: v for k, v in params.items() if k not in (AFTER, BEFORE, "page")}
    cursor, forward = (params.get(AFTER), True) if params.get(AFTER) else (params.get(BEFORE), False)
    values = cursor.split("~") if cursor else None
    if values is None or len(values) != len(order):
        values, forward = None, True
    try:
        if values is None:
            found = list(rows.order_by(*order)[: per_page + 1])
        else:
            reversed_order = tuple(n[1:] if n.startswith("-") else f"-{n}" for n in order)
            after = rows.filter(_condition(order, values, forward))
            found = list(after.order_by(*(order if forward else reversed_order))[: per_page + 1])
    except (ValueError, TypeError, ValidationError):  # a cursor that does not fit: the first page
        values, forward = None, True
        found = list(rows.order_by(*order)[: per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    if not forward:
        found.reverse()
    at_start = values is None or (not forward and not more)
    at_end = forward and not more

    def cursor_of(obj: Any) -> str:
        return "~".join(_encode(_value(obj, n.lstrip("-"))) for n in order)

    def query(**extra: str) -> str:
        return "?" + urlencode({**kept, **extra})

    counted = (rows if counted is None else counted).order_by()[: COUNT_LIMIT + 1].count()
    return KeysetPage(
        rows=found,
        count=min(counted, COUNT_LIMIT),
        count_capped=counted > COUNT_LIMIT,
        next_query=query(after=cursor_of(found[-1])) if found and not at_end else None,
        previous_query=query(before=cursor_of(found[0])) if found and not at_start else None,
        first_query=query() if not at_start else None,
    )


class MergedNewest:
    """The rows of several querysets, each read newest first in its own index's order and merged
    here, sliced as a paginator slices a list: a filter `level IN (1, 2, 3)` ordered by moment makes
    the database sort every matching row (it has no index in that order), where each level alone is
    a range of a (level, at) index already in order. A page then costs the index entries up to it,
    at most COUNT_LIMIT per part since pages stop there, and the rows shown are read by id.

    `parts` are the querysets (no ordering needed), `order` the two fields of the list's order,
    newest first ("-at", "-id"; the last one unique), `rows` the queryset that reads the shown rows
    by id (with its select_related).
    """

    def __init__(self, parts: list[QuerySet], order: tuple[str, str], rows: QuerySet) -> None:
        self.parts = parts
        self.order = order
        self.rows = rows

    def _keys(self, stop: int):
        names = [n.lstrip("-") for n in self.order]
        return heapq.merge(
            *(part.order_by(*self.order).values_list(*names)[:stop] for part in self.parts), reverse=True
        )

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        if stop is None or window.step is not None:
            raise TypeError("a MergedNewest is sliced with a start and a stop only")
        ids = [key[-1] for key in itertools.islice(self._keys(stop), start, stop)]
        found = self.rows.order_by().in_bulk(ids)
        return [found[i] for i in ids if i in found]

    def count(self) -> int:
        return sum(part.order_by()[: COUNT_LIMIT + 1].count() for part in self.parts)
