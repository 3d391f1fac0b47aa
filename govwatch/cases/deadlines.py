"""The rules of a case's life (contract sections 2 and 3), as pure functions of its events.

`check` is the one place where the order rules live; `derive` turns a valid sequence of events into
the stored facts of the case (status, due date, suspensions, on-time); `card_at` gives the card at a
moment. The importer, the API and the pages all go through them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from govwatch.core.choices import Card, CaseStatus, EventKind
from govwatch.core.localtime import local_tz
from govwatch.workcal.calendar import Deadline, WorkCalendar

# numpy is imported where arrays are made, not at import: Django's set-up imports this module, and
# a command that makes no array (checksum, health, backup...) then starts without numpy (about 0.15 s of CPU).
if TYPE_CHECKING:
    import numpy as np

ACCEPT, SUSPEND, RESUME, COMPLETE, REJECT, WITHDRAW = (
    EventKind.ACCEPT.value,
    EventKind.SUSPEND.value,
    EventKind.RESUME.value,
    EventKind.COMPLETE.value,
    EventKind.REJECT.value,
    EventKind.WITHDRAW.value,
)
CLOSING = {
    COMPLETE: CaseStatus.COMPLETED.value,
    REJECT: CaseStatus.REJECTED.value,
    WITHDRAW: CaseStatus.WITHDRAWN.value,
}
# Among events at the same moment, the order in which they can have happened.
KIND_ORDER = {ACCEPT: 0, SUSPEND: 1, RESUME: 2, COMPLETE: 3, REJECT: 3, WITHDRAW: 3}


_OPEN, _SUSPENDED = CaseStatus.OPEN.value, CaseStatus.SUSPENDED.value


def status_after(status: str | None, kind: str) -> str | None:
    """Order rules: the status after `kind` from `status` (None before accept), or None if refused."""
    # Plain strings, not the enumeration's members: an import asks this for every event.
    if status is None:
        return _OPEN if kind == ACCEPT else None
    if status == _OPEN:
        if kind == SUSPEND:
            return _SUSPENDED
        return CLOSING.get(kind)
    if status == _SUSPENDED:
        if kind == RESUME:
            return _OPEN
        return CLOSING.get(kind)
    return None  # closed: nothing after complete, reject or withdraw


def refusal(status: str | None, kind: str, accepted: str = "") -> str:
    """The user's message for an event the order rules refuse; `accepted` is when the case was
    accepted (local time, as text), when it was, for an event dated before it."""
    if status is None and accepted and kind != ACCEPT:
        return f"该环节的时间早于办件的受理时间（{accepted}）：办件的环节不能早于受理"
    if status is None:
        return "办件尚未受理，受理之前不能有其他环节"
    if kind == ACCEPT:
        return "办件已受理，不能重复受理"
    if status == CaseStatus.SUSPENDED and kind == SUSPEND:
        return "办件已挂起，不能再次挂起"
    if status == CaseStatus.OPEN and kind == RESUME:
        return "办件未挂起，不能恢复"
    return f"办件{CaseStatus(status).label}，之后不能再有其他环节"


class Event(NamedTuple):
    # A tuple: an import builds one per event, a dataclass costs twice as much to make.
    kind: str
    at: datetime
    reason: str = ""


@dataclass
class SuspensionFacts:
    started_at: datetime
    ended_at: datetime | None
    workdays: int
    reason: str = ""


@dataclass
class CaseFacts:
    status: str
    accepted_at: datetime
    accepted_on: date
    closed_at: datetime | None
    closed_on: date | None
    due_date: date
    provisional: bool
    completed_on_time: bool | None
    suspended_days: int
    suspensions: list[SuspensionFacts] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.OPEN, CaseStatus.SUSPENDED)


def due_date(cal: WorkCalendar, accepted_on: date, promised_days: int, suspended_days: int = 0) -> Deadline:
    """The due date of a case (contract section 3): `promised_days` working days after the day of
    acceptance (that day not counted), then later by the working days its clock was stopped.
    Provisional when either step crosses a year without an imported schedule."""
    base = cal.add_workdays(accepted_on, promised_days)
    if not suspended_days:
        return base
    due = cal.add_workdays(base.date, suspended_days)
    return Deadline(due.date, base.provisional or due.provisional)


def sort_key(event: Event) -> tuple:
    return (event.at, KIND_ORDER[event.kind])


def derive(
    events: list[Event], promised_days: int, cal: WorkCalendar, tz: ZoneInfo | None = None
) -> CaseFacts:
    """The facts of a case from its accepted events, in order (checked with `status_after`)."""
    tz = tz or local_tz()
    accept = events[0]
    accepted_on = accept.at.astimezone(tz).date()
    provisional = False  # a suspension spanning a year without a schedule
    status = CaseStatus.OPEN.value
    suspensions: list[SuspensionFacts] = []
    added = 0
    closed_at = None
    for ev in events[1:]:
        if ev.kind == SUSPEND:
            suspensions.append(SuspensionFacts(ev.at, None, 0, ev.reason))
        elif ev.kind == RESUME or (ev.kind in CLOSING and status == CaseStatus.SUSPENDED):
            # A case closed while suspended ends its suspension at that moment.
            current = suspensions[-1]
            current.ended_at = ev.at
            s, r = current.started_at.astimezone(tz).date(), ev.at.astimezone(tz).date()
            current.workdays = cal.workdays_between(s, r)
            provisional = provisional or cal.is_provisional_span(s, r)
            added += current.workdays
        if ev.kind in CLOSING:
            closed_at = ev.at
        status = status_after(status, ev.kind) or status
    due = due_date(cal, accepted_on, promised_days, added)
    provisional = provisional or due.provisional
    closed_on = closed_at.astimezone(tz).date() if closed_at else None
    on_time = (closed_on <= due.date) if status == CaseStatus.COMPLETED and closed_on else None
    return CaseFacts(
        status=status,
        accepted_at=accept.at,
        accepted_on=accepted_on,
        closed_at=closed_at,
        closed_on=closed_on,
        due_date=due.date,
        provisional=provisional,
        completed_on_time=on_time,
        suspended_days=added,
        suspensions=suspensions,
    )


def yellow_threshold(promised_days: int, own: int | None = None) -> int:
    if own is not None:
        return own
    return min(3, promised_days // 3)


def card_at(
    status: str,
    due_date: date,
    promised_days: int,
    threshold: int,
    moment: datetime,
    cal: WorkCalendar,
    tz: ZoneInfo | None = None,
) -> str:
    """The card of a case at a moment (contract section 3): red, yellow or none."""
    if status != CaseStatus.OPEN:
        return Card.NONE.value  # closed, or suspended: no card
    today = moment.astimezone(tz or local_tz()).date()
    # An instant item (promised_days 0) is never yellow.
    return card_on(today, due_date, threshold if promised_days > 0 else None, cal)


def card_on(today: date, due_date: date, threshold: int | None, cal: WorkCalendar) -> str:
    """The card rule of contract section 3 for anything open and running with a due date (a case,
    or any watched deadline): red after the due date; yellow when not red and at most `threshold`
    working days remain (None: never yellow); none otherwise."""
    if today > due_date:
        return Card.RED.value
    if threshold is not None and cal.workdays_between(today, due_date) <= threshold:
        return Card.YELLOW.value
    return Card.NONE.value


def remaining_workdays(
    due_date: date, moment: datetime, cal: WorkCalendar, tz: ZoneInfo | None = None
) -> int | None:
    """Working days d with today < d <= due date; None once overdue."""
    today = moment.astimezone(tz or local_tz()).date()
    if today > due_date:
        return None
    return cal.workdays_between(today, due_date)


# -- the same rules over arrays (dates as ordinals), for the millions of cases a prediction scores --


def due_dates(
    cal: WorkCalendar, accepted_on: np.ndarray, promised: np.ndarray, suspended: np.ndarray
) -> np.ndarray:
    """`due_date` of many cases at once (the dates only)."""
    import numpy as np

    base, _ = cal.add_workdays_many(accepted_on, promised)
    moved = np.asarray(suspended) > 0
    if moved.any():
        base = base.copy()
        base[moved] = cal.add_workdays_many(base[moved], np.asarray(suspended)[moved])[0]
    return base


def yellow_thresholds(promised: np.ndarray, own: np.ndarray) -> np.ndarray:
    """`yellow_threshold` of many items at once; `own` < 0 where an item has none of its own."""
    import numpy as np

    return np.where(own >= 0, own, np.minimum(3, promised // 3))


def cards(
    cal: WorkCalendar, today: np.ndarray, due: np.ndarray, promised: np.ndarray, threshold: np.ndarray
) -> np.ndarray:
    """`card_at` of many open, running cases at once (their dates `today`): 0 none, 1 yellow, 2 red."""
    import numpy as np

    red = today > due
    yellow = ~red & (promised > 0) & (cal.workdays_between_many(today, due) <= threshold)
    return np.where(red, 2, np.where(yellow, 1, 0))


def first_card_dates(
    cal: WorkCalendar, due: np.ndarray, promised: np.ndarray, threshold: np.ndarray
) -> np.ndarray:
    """The date each case's first card appears if it stays open and running: yellow from the first
    date with at most `threshold` working days left, red the day after the due date for instant
    items (which have no yellow card)."""
    import numpy as np

    return np.where(promised > 0, cal.first_date_within_many(due, threshold), due + 1)


# -- `derive` for many new cases at once (the importer's bulk path) -------------------------------


@dataclass(frozen=True)
class Shape:
    """What the order rules make of a case's kinds of events, in order, when they accept every one:
    the status after the last, the index of the closing event and each suspension's (suspend, end)
    indices, end None while it lasts. Every case with the same kinds has the same shape."""

    status: str
    closing: int | None
    suspensions: tuple[tuple[int, int | None], ...]


@lru_cache(maxsize=1024)
def shape_of(kinds: tuple[str, ...]) -> Shape | None:
    """The shape of a sequence of kinds (sorted as `derive` takes them), None when `status_after`
    refuses any of them. Walks the rules of `derive` once per distinct sequence."""
    status = None
    closing = None
    suspensions: list[list[int | None]] = []
    for i, kind in enumerate(kinds):
        after = status_after(status, kind)
        if after is None:
            return None
        if kind == SUSPEND:
            suspensions.append([i, None])
        elif kind == RESUME or (kind in CLOSING and status == _SUSPENDED):
            suspensions[-1][1] = i
        if kind in CLOSING:
            closing = i
        status = after
    return Shape(status, closing, tuple((start, end) for start, end in suspensions))


@dataclass
class ManyFacts:
    """`CaseFacts` of many cases as arrays (dates as ordinals, event positions as indices into the
    events' arrays, -1 for none); the suspensions by case, then start."""

    status: list[str]
    closing: np.ndarray  # index of the closing event, -1 while open
    accepted_on: np.ndarray
    closed_on: np.ndarray  # -1 while open
    due_date: np.ndarray
    provisional: np.ndarray
    completed_on_time: list[bool | None]
    suspended_days: np.ndarray
    suspension_case: np.ndarray  # the case's position among the cases
    suspension_start: np.ndarray  # index of the suspend event
    suspension_end: np.ndarray  # index of the ending event, -1 while suspended
    suspension_workdays: np.ndarray


def derive_many(
    cal: WorkCalendar,
    local_days: np.ndarray,
    starts: np.ndarray,
    shapes: list[Shape],
    shape_ids: np.ndarray,
    promised_days: np.ndarray,
) -> ManyFacts:
    """`derive` of many cases at once. The events of all cases lie in one sequence of arrays, each
    case's together and in order from `starts[i]`, its kinds those of `shapes[shape_ids[i]]`;
    `local_days` holds each event's local date (an ordinal)."""
    import numpy as np

    n = len(starts)
    starts = np.asarray(starts, dtype=np.int64)
    closing = np.full(n, -1, dtype=np.int64)
    spans: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    # The cases of each shape together: one slice per shape, whatever the number of shapes.
    order = np.argsort(shape_ids, kind="stable")
    bounds = np.searchsorted(shape_ids[order], np.arange(len(shapes) + 1))
    for k, shape in enumerate(shapes):
        cases = order[bounds[k] : bounds[k + 1]]
        if not cases.size:
            continue
        first = starts[cases]
        if shape.closing is not None:
            closing[cases] = first + shape.closing
        for start, end in shape.suspensions:
            spans.append((cases, first + start, first + end if end is not None else np.full(cases.size, -1)))
    if spans:
        s_case, s_start, s_end = (np.concatenate(column) for column in zip(*spans, strict=True))
        by_case = np.lexsort((s_start, s_case))
        s_case, s_start, s_end = s_case[by_case], s_start[by_case], s_end[by_case]
    else:
        s_case = s_start = s_end = np.zeros(0, dtype=np.int64)
    ended = s_end >= 0
    began_on, ended_on = local_days[s_start], local_days[np.where(ended, s_end, s_start)]
    workdays = np.where(ended, cal.workdays_between_many(began_on, ended_on), 0)
    span_provisional = ended & cal.is_provisional_span_many(began_on, ended_on)
    suspended = np.bincount(s_case, weights=workdays, minlength=n).astype(np.int64)
    accepted_on = local_days[starts]
    base, base_provisional = cal.add_workdays_many(accepted_on, promised_days)
    due, moved_provisional = cal.add_workdays_many(base, suspended)
    provisional = (
        base_provisional
        | moved_provisional
        | (np.bincount(s_case, weights=span_provisional, minlength=n) > 0)
    )
    closed = closing >= 0
    closed_on = np.where(closed, local_days[np.where(closed, closing, 0)], -1)
    status = [shapes[k].status for k in shape_ids.tolist()]
    completed = CaseStatus.COMPLETED.value
    on_time = (closed_on <= due).tolist()
    return ManyFacts(
        status=status,
        closing=closing,
        accepted_on=accepted_on,
        closed_on=closed_on,
        due_date=due,
        provisional=provisional,
        completed_on_time=[t if st == completed else None for st, t in zip(status, on_time, strict=True)],
        suspended_days=suspended,
        suspension_case=s_case,
        suspension_start=s_start,
        suspension_end=s_end,
        suspension_workdays=workdays.astype(np.int64),
    )


def overdue_workdays(due_date: date, moment: datetime, cal: WorkCalendar, tz: ZoneInfo | None = None) -> int:
    """Working days d with due date < d <= the day of `moment`: how long an overdue case has been
    late (0 while it is not)."""
    today = moment.astimezone(tz or local_tz()).date()
    return cal.workdays_between(due_date, today)
