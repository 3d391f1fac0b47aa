"""What waits for a person (我的待办): the shape every area's to-do provider returns.

Each domain app has a module `todo.py` with one function::

    def waiting(user, at: datetime) -> list[TodoGroup]: ...

returning, for the person signed in, the groups of things that wait for them in that area (orders
to answer, reviews to verify, appeals to decide ...), each already limited to what the person may
see and do. The home page collects them from the explicit list govwatch.web.todo.PROVIDERS and
shows them; the navigation shows their counts. A provider returns no group for a role it has
nothing for, and may return a group whose count is 0 only when saying so matters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Value

# How many items a group shows on the home page; its link opens the rest.
SHOWN = 5


@dataclass(frozen=True)
class TodoItem:
    """One thing to do, reachable in one click: `url` opens it."""

    label: str
    url: str
    # The deadline and the working days left (0 on the due date; None once overdue or undated);
    # once overdue, by how many working days.
    due_date: date | None = None
    days_left: int | None = None
    overdue: bool = False
    note: str = ""
    late_days: int | None = None

    @classmethod
    def due(cls, label: str, url: str, due_date: date, today: date, cal, note: str = "") -> TodoItem:
        """An item with a deadline, counted in working days on `today` by the calendar `cal`
        (contract section 3: due by the end of its due date; remaining days d with today < d <= due)."""
        if today > due_date:
            return cls(label, url, due_date, None, True, note, cal.workdays_between(due_date, today))
        return cls(label, url, due_date, cal.workdays_between(today, due_date), False, note)


@dataclass(frozen=True)
class TodoGroup:
    """A kind of thing waiting (e.g. 待回复的督办单) with its count and its first items.

    - `key`: unique among all groups ("supervision.orders-to-answer");
    - `label`: in Chinese; `count`: how many there are (not only those shown);
    - `url`: the list filtered to exactly these;
    - `items`: the first few (a list, or a function giving it, so that counting costs no more);
    - `nav`: the navigation entry whose count this adds to (its key, e.g. "supervision");
    - `tone`: "red" when something in it is overdue, "yellow" when due soon, "" otherwise;
    - `figure`/`note`: for a group that is a figure rather than a list (a leader's "本月" figures),
      the value shown and what it is compared with.
    """

    key: str
    label: str
    count: int
    url: str
    items: Sequence[TodoItem] | Callable[[], Sequence[TodoItem]] = ()
    nav: str = ""
    tone: str = ""
    figure: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    def shown(self) -> list[TodoItem]:
        items = self.items() if callable(self.items) else self.items
        return list(items)[:SHOWN]

    @property
    def more(self) -> int:
        """How many are not among those shown."""
        return max(self.count - SHOWN, 0)


def grouped_counts(rows: QuerySet, by: str, late: Q | None = None) -> dict[Any, tuple[int, int]]:
    """(how many, how many late) of `rows` for each value of the field `by` (a status, a card), in
    one grouped statement: the navigation counts on every page, and each group counted and tested
    for lateness alone cost a pass each. `late`: the rows past their deadline (None: none are)."""
    counted = (
        rows.order_by()
        .values_list(by)
        .annotate(n=Count("pk"), late=Value(0) if late is None else Count("pk", filter=late))
    )
    return {key: (n, n_late) for key, n, n_late in counted}
