"""Writing cases: the one place Case, CaseEvent and Suspension rows are written.

`apply_events` takes, for a batch of cases, the events the order rules accepted, derives each
case's facts with `deadlines.derive` and writes the rows with plain `executemany` (COPY on PostgreSQL): the importer
sends a district year (about 200,000 events) through here, where the ORM's per-object work would
dominate. The SQL uses %s placeholders and values adapted for the connection's backend, so it runs
on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from operator import add
from typing import TYPE_CHECKING, NamedTuple

from django.db import connection, transaction

from govwatch.core.bulk import insert_rows, update_rows
from govwatch.core.localtime import local_date, local_ordinals, local_tz
from govwatch.workcal.calendar import WorkCalendar

from . import deadlines
from .models import Case, CaseEvent, Suspension
from .stale import mark_stale

# numpy is imported where arrays are made, not at import: Django's set-up imports this module, and
# a command that makes no array (checksum, health, backup...) then starts without numpy (about 0.15 s of CPU).
if TYPE_CHECKING:
    import numpy as np

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)  # noqa: DTZ001 - UTC wall time, the form SQLite stores
# SQLite accepts at most 999 parameters per statement in older builds.
IN_BATCH = 900


def moment(us: int) -> datetime:
    """An aware UTC datetime from microseconds since the epoch (the importer's sort key)."""
    return _EPOCH + timedelta(microseconds=us)


def micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


_DAY_US = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_CLOCK: tuple[str, ...] = ()


def _clock() -> tuple[str, ...]:
    """The text HH:MM:SS by second of the day, made on first use. Made whole and then bound: the threads of a
    web process share it, and one must never read a table another is still filling (that was an
    IndexError under load, a 500 to the case-events API)."""
    global _CLOCK
    if not _CLOCK:
        _CLOCK = tuple(
            f"{h:02d}:{m:02d}:{sec:02d}" for h in range(24) for m in range(60) for sec in range(60)
        )
    return _CLOCK


class _DayTexts(dict):
    """The text YYYY-MM-DD and a separator by day since the epoch, made once per distinct day."""

    def __init__(self, sep: str) -> None:
        super().__init__()
        self.sep = sep

    def __missing__(self, day: int) -> str:
        text = self[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat() + self.sep
        return text


def moment_texts(at_us: np.ndarray, sep: str = " ") -> list[str]:
    """`str(moment(us))` without its offset, for many moments: "YYYY-MM-DD HH:MM:SS[.ffffff]", the
    form SQLite stores (with sep "T": the naive ISO text of event keys). A day's text and a time
    of day's are each made once: joining two strings costs a fraction of formatting a datetime."""
    import numpy as np

    clock = _clock()
    days, rest = np.divmod(np.asarray(at_us, dtype=np.int64), _DAY_US)
    seconds, fraction = np.divmod(rest, 1_000_000)
    texts = list(
        map(add, map(_DayTexts(sep).__getitem__, days.tolist()), map(clock.__getitem__, seconds.tolist()))
    )
    for i in np.flatnonzero(fraction).tolist():
        texts[i] += f".{int(fraction[i]):06d}"
    return texts


class NewEvent(NamedTuple):
    """An event accepted by the order rules, to be stored: the columns of EVENT_INSERT, `at` as
    epoch microseconds (a tuple: an import makes one per event)."""

    event_id: str
    case_no: str
    kind: str
    at_us: int
    item_code: str
    unit_code: str
    channel: str
    applicant_type: str
    window_code: str
    staff_code: str
    reason: str
    digest: str


@dataclass(slots=True)
class CaseHeader:
    """What a case takes from its accept event when it is first stored."""

    item_id: int
    unit_id: int
    channel: str
    applicant_type: str
    window_code: str
    staff_code: str


@dataclass(slots=True)
class CaseChange:
    """A case whose events changed: all its events in order, and the new ones among them."""

    case_no: str
    events: list[deadlines.Event]
    promised_days: int
    new_events: list[NewEvent]
    # Set for a case not stored yet; None for a stored case that gained events.
    header: CaseHeader | None = None
    facts: deadlines.CaseFacts | None = field(default=None, repr=False)


def _adapters() -> tuple[Callable[[int | None], object], Callable[[date | None], object]]:
    """Formatters from epoch microseconds and dates to what the backend's driver expects.

    Equivalent to connection.ops.adapt_datetimefield_value / adapt_datefield_value (a test checks
    it), without their per-value timezone checks: every moment here is UTC already.
    """
    if connection.vendor == "sqlite":

        def at(us: int | None) -> object:
            return None if us is None else str(_EPOCH_NAIVE + timedelta(microseconds=us))

        def day(d: date | None) -> object:
            return None if d is None else d.isoformat()

        return at, day
    return (lambda us: None if us is None else moment(us)), (lambda d: d)


def _adapters_many() -> tuple[Callable[[np.ndarray], list], Callable[[np.ndarray], list]]:
    """`_adapters` for arrays: epoch microseconds and date ordinals to the driver's values."""
    import numpy as np

    if connection.vendor == "sqlite":
        return moment_texts, lambda ordinals: list(
            map(_DayTexts("").__getitem__, (np.asarray(ordinals) - _EPOCH_ORDINAL).tolist())
        )
    return (
        lambda us: list(map(moment, np.asarray(us).tolist())),
        lambda ordinals: list(map(date.fromordinal, np.asarray(ordinals).tolist())),
    )


CASE_INSERT = (
    "case_no", "item_id", "unit_id", "channel", "applicant_type", "window_code", "staff_code",
    "status", "accepted_at", "accepted_on", "closed_at", "closed_on", "due_date", "provisional",
    "completed_on_time", "suspended_days", "card", "next_card_at",
)  # fmt: skip
# next_card_at is written NULL: "evaluate me at the next scan", which then stores the exact moment.
CASE_UPDATE = (
    "status", "closed_at", "closed_on", "due_date", "provisional", "completed_on_time",
    "suspended_days", "next_card_at",
)  # fmt: skip
EVENT_INSERT = (
    "event_id", "case_no", "kind", "at", "item_code", "unit_code", "channel", "applicant_type",
    "window_code", "staff_code", "reason", "digest", "import_run_id",
)  # fmt: skip
SUSPENSION_INSERT = ("case_no", "started_at", "ended_at", "workdays", "reason")


def apply_events(changes: Iterable[CaseChange], cal: WorkCalendar, import_run_id: int | None = None) -> int:
    """Derive and store the facts of each changed case, its suspensions and its new events.

    One transaction for the batch. Returns the number of events stored.
    """
    fmt, day = _adapters()
    tz = local_tz()
    # A case's accepted, closed and suspension moments are those of its events: format each once.
    formatted: dict[int, object] = {}

    def at(us: int | None) -> object:
        if us is None:
            return None
        value = formatted.get(us)
        if value is None:
            value = formatted[us] = fmt(us)
        return value

    case_rows: list[tuple] = []
    updated: list[tuple] = []
    suspension_rows: list[tuple] = []
    event_rows: list[tuple] = []
    replaced: list[str] = []
    # The figures each change may alter start on its first new event's date (a recomputed case with
    # no new event: its acceptance date); marked with the facts, in the same transaction.
    stale: list[tuple[int, date]] = []
    stale_of_stored: dict[str, date] = {}
    for change in changes:
        facts = change.facts = deadlines.derive(change.events, change.promised_days, cal, tz)
        first_new = min((e.at_us for e in change.new_events), default=None)
        since = local_date(moment(first_new), tz) if first_new is not None else facts.accepted_on
        if change.header is None:
            stale_of_stored[change.case_no] = since
        else:
            stale.append((change.header.unit_id, since))
        closed_us = micros(facts.closed_at) if facts.closed_at else None
        values = (
            facts.status, at(closed_us), day(facts.closed_on), day(facts.due_date), facts.provisional,
            facts.completed_on_time, facts.suspended_days, None,
        )  # fmt: skip
        if change.header is None:
            updated.append((*values, change.case_no))
            replaced.append(change.case_no)  # its suspensions are rewritten whole
        else:
            h = change.header
            case_rows.append(
                (
                    change.case_no,
                    h.item_id,
                    h.unit_id,
                    h.channel,
                    h.applicant_type,
                    h.window_code,
                    h.staff_code,
                    facts.status,
                    at(micros(facts.accepted_at)),
                    day(facts.accepted_on),
                    at(closed_us),
                    day(facts.closed_on),
                    day(facts.due_date),
                    facts.provisional,
                    facts.completed_on_time,
                    facts.suspended_days,
                    "none",
                    None,
                )  # fmt: skip
            )
        for s in facts.suspensions:
            suspension_rows.append(
                (
                    change.case_no,
                    at(micros(s.started_at)),
                    at(micros(s.ended_at)) if s.ended_at else None,
                    s.workdays,
                    s.reason,
                )  # fmt: skip
            )
        for e in change.new_events:
            event_rows.append((*e[:3], at(e[3]), *e[4:], import_run_id))
    with transaction.atomic(), connection.cursor() as cursor:
        insert_rows(cursor, Case, CASE_INSERT, case_rows)
        if updated:
            update_rows(cursor, Case, CASE_UPDATE, "case_no", updated)
        q = connection.ops.quote_name
        for i in range(0, len(replaced), IN_BATCH):
            batch = replaced[i : i + IN_BATCH]
            cursor.execute(
                f"DELETE FROM {q(Suspension._meta.db_table)} WHERE {q('case_no')} IN ({', '.join(['%s'] * len(batch))})",
                batch,
            )
        insert_rows(cursor, Suspension, SUSPENSION_INSERT, suspension_rows)
        insert_rows(cursor, CaseEvent, EVENT_INSERT, event_rows)
        stored = list(stale_of_stored)
        for i in range(0, len(stored), IN_BATCH):
            units = Case.objects.filter(case_no__in=stored[i : i + IN_BATCH]).values_list(
                "case_no", "unit_id"
            )
            stale += [(unit_id, stale_of_stored[case_no]) for case_no, unit_id in units]
        mark_stale(stale)
    return len(event_rows)


@dataclass
class NewCases:
    """Cases not stored yet whose events the order rules all accept, as columns: the importer's bulk
    path, the same rows `apply_events` writes for each CaseChange with a header.

    `events` holds the columns of EVENT_INSERT but the run (at as epoch microseconds), each case's
    events together and in order from `starts[i]`, their kinds those of `shapes[shape_ids[i]]`."""

    case_nos: Sequence[str]
    headers: Sequence[Sequence]  # the columns of CaseHeader
    promised_days: np.ndarray
    starts: np.ndarray
    shapes: list[deadlines.Shape]
    shape_ids: np.ndarray
    events: Sequence[Sequence]

    def __len__(self) -> int:
        return len(self.case_nos)


def insert_new_cases(cases: NewCases, cal: WorkCalendar, import_run_id: int | None = None) -> int:
    """Derive the facts of new cases at once (`deadlines.derive_many`) and store them, their
    suspensions and their events, in the caller's transaction. Returns the number of events."""
    import numpy as np

    if not len(cases):
        return 0
    moments, days = _adapters_many()
    event_id, case_no, kind, at_us, *rest = cases.events
    at_us = np.asarray(at_us, dtype=np.int64)
    facts = deadlines.derive_many(
        cal,
        local_ordinals(at_us, local_tz()),
        cases.starts,
        cases.shapes,
        cases.shape_ids,
        cases.promised_days,
    )
    at = moments(at_us)
    closed = facts.closing >= 0
    closed_on = days(np.where(closed, facts.closed_on, facts.accepted_on))
    case_rows = [
        *zip(
            cases.case_nos, *cases.headers, facts.status, [at[i] for i in cases.starts.tolist()],
            days(facts.accepted_on), [at[i] if i >= 0 else None for i in facts.closing.tolist()],
            [d if c else None for d, c in zip(closed_on, closed.tolist(), strict=True)], days(facts.due_date),
            facts.provisional.tolist(), facts.completed_on_time, facts.suspended_days.tolist(),
            repeat("none"), repeat(None), strict=False,
        )
    ]  # fmt: skip
    reason = rest[6]
    suspension_rows = [
        (cases.case_nos[c], at[s], at[e] if e >= 0 else None, w, reason[s])
        for c, s, e, w in zip(
            facts.suspension_case.tolist(), facts.suspension_start.tolist(), facts.suspension_end.tolist(),
            facts.suspension_workdays.tolist(), strict=True,
        )
    ]  # fmt: skip
    event_rows = [*zip(event_id, case_no, kind, at, *rest, repeat(import_run_id), strict=False)]
    with connection.cursor() as cursor:
        insert_rows(cursor, Case, CASE_INSERT, case_rows)
        insert_rows(cursor, Suspension, SUSPENSION_INSERT, suspension_rows)
        insert_rows(cursor, CaseEvent, EVENT_INSERT, event_rows)
        # New cases change their units' figures from their acceptance dates on (date ordinals).
        mark_stale(
            zip(
                cases.headers[1], (date.fromordinal(int(o)) for o in facts.accepted_on.tolist()), strict=False
            )
        )
    return len(event_rows)
