"""The region's cases as numpy arrays, as GovWatch held them at one moment.

A `CaseFrame` holds, for every case accepted by its moment `as_of`, what was known then: the
acceptance, the closing only if it happened by `as_of`, the suspensions that had started by then
(and their end only if it had come). The stored status, due date and card of a case are never read:
they reflect events after `as_of`. Due dates and cards are recomputed from the item's promised days,
the acceptance date and the suspensions ended by the moment asked, exactly as contract section 3
says; so nothing later than `as_of` can reach a prediction (`truncate` gives the frame of an earlier
moment without going back to the database, for training and replays).

Moments are int64 seconds since the epoch (UTC), dates are proleptic ordinals (`date.toordinal`).
Due dates and cards come from the array forms of the rules in `govwatch.cases.deadlines`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import repeat

import numpy as np
from django.db import connection

from govwatch.cases.deadlines import due_dates, yellow_thresholds
from govwatch.core.localtime import local_tz
from govwatch.workcal.calendar import WorkCalendar

NEVER = np.int64(2**62)  # "not (yet) happened": later than any moment
DAY = 86400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


# -- local time, vectorised ------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _offsets(tz_key: str, first_day: int, last_day: int) -> np.ndarray:
    """The zone's UTC offset (seconds) at noon of each UTC day in [first_day, last_day]."""
    tz = local_tz()
    return np.array(
        [datetime.fromtimestamp(d * DAY + DAY // 2, UTC).astimezone(tz).utcoffset().total_seconds()
         for d in range(first_day, last_day + 1)],
        dtype=np.int64,
    )  # fmt: skip


def _offset_of(days: np.ndarray) -> np.ndarray:
    if days.size == 0:
        return np.zeros(0, dtype=np.int64)
    # Whole years of the table at a time, so that one table serves many calls.
    first = int(days.min()) // 366 * 366
    last = (int(days.max()) // 366 + 1) * 366
    table = _offsets(str(local_tz()), first, last)
    return table[days - first]


def local_ordinal(moments: np.ndarray) -> np.ndarray:
    """The local date (ordinal) of each moment."""
    moments = np.asarray(moments, dtype=np.int64)
    return (moments + _offset_of(moments // DAY)) // DAY + EPOCH_ORDINAL


def midnight(ordinals: np.ndarray) -> np.ndarray:
    """The moment local time 00:00 of each date begins."""
    days = np.asarray(ordinals, dtype=np.int64) - EPOCH_ORDINAL
    return days * DAY - _offset_of(days)


def local_hour(moments: np.ndarray) -> np.ndarray:
    moments = np.asarray(moments, dtype=np.int64)
    return ((moments + _offset_of(moments // DAY)) % DAY) / 3600.0


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def moment_of(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


# -- the frame -------------------------------------------------------------------------------------


@dataclass
class CaseFrame:
    as_of: int
    id: np.ndarray  # case primary keys
    item: np.ndarray  # item ids
    unit: np.ndarray  # handling unit ids
    accepted_at: np.ndarray
    accepted_on: np.ndarray
    closed_at: np.ndarray  # NEVER when not closed by as_of
    closed_on: np.ndarray  # NEVER when not closed by as_of
    promised: np.ndarray
    threshold: np.ndarray  # yellow threshold, working days
    base_due: np.ndarray  # due date before any suspension
    # Suspensions, ordered by case row then start: row index into the frame, start, end (NEVER while
    # it lasts) and the working days it moved the due date (0 until it ended).
    s_row: np.ndarray
    s_start: np.ndarray
    s_end: np.ndarray
    s_days: np.ndarray
    case_no: np.ndarray | None = None  # the case numbers, when loaded (`load(only_open=True)`)

    def __len__(self) -> int:
        return int(self.id.size)

    def truncate(self, as_of: int) -> CaseFrame:
        """The frame as it was at an earlier moment: later acceptances dropped, later closings and
        resumptions forgotten."""
        if as_of > self.as_of:
            raise ValueError("a frame cannot look past its own moment")
        keep = self.accepted_at <= as_of
        rows = np.flatnonzero(keep)
        renumber = np.full(len(self), -1, dtype=np.int64)
        renumber[rows] = np.arange(rows.size)
        closed = self.closed_at[rows] <= as_of
        s_keep = (self.s_start <= as_of) & (renumber[self.s_row] >= 0)
        s_ended = self.s_end[s_keep] <= as_of
        return CaseFrame(
            as_of=as_of,
            id=self.id[rows], item=self.item[rows], unit=self.unit[rows],
            accepted_at=self.accepted_at[rows], accepted_on=self.accepted_on[rows],
            closed_at=np.where(closed, self.closed_at[rows], NEVER),
            closed_on=np.where(closed, self.closed_on[rows], NEVER),
            promised=self.promised[rows], threshold=self.threshold[rows], base_due=self.base_due[rows],
            s_row=renumber[self.s_row[s_keep]], s_start=self.s_start[s_keep],
            s_end=np.where(s_ended, self.s_end[s_keep], NEVER), s_days=np.where(s_ended, self.s_days[s_keep], 0),
            case_no=None if self.case_no is None else self.case_no[rows],
        )  # fmt: skip

    def take(self, rows: np.ndarray) -> CaseFrame:
        """A frame of some of the cases (suspensions follow their cases)."""
        renumber = np.full(len(self), -1, dtype=np.int64)
        renumber[rows] = np.arange(rows.size)
        s_keep = renumber[self.s_row] >= 0
        order = np.argsort(renumber[self.s_row[s_keep]], kind="stable")
        case_fields = {
            f.name: getattr(self, f.name)[rows]
            for f in fields(self)
            if f.name not in ("as_of",) and not f.name.startswith("s_") and getattr(self, f.name) is not None
        }
        return replace(
            self, **case_fields,
            s_row=renumber[self.s_row[s_keep]][order], s_start=self.s_start[s_keep][order],
            s_end=self.s_end[s_keep][order], s_days=self.s_days[s_keep][order],
        )  # fmt: skip

    # -- state at moments --

    def suspension_state(self, rows: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each (case row, moment): working days added by suspensions ended by then, whether the
        case is suspended at that moment, and how many suspensions it has had."""
        added = np.zeros(rows.size, dtype=np.int64)
        suspended = np.zeros(rows.size, dtype=bool)
        count = np.zeros(rows.size, dtype=np.int64)
        if self.s_row.size == 0 or rows.size == 0:
            return added, suspended, count
        first = np.searchsorted(self.s_row, rows, side="left")
        last = np.searchsorted(self.s_row, rows, side="right")
        have = np.flatnonzero(last > first)
        for j in range(int((last - first)[have].max()) if have.size else 0):
            pick = have[first[have] + j < last[have]]
            s = first[pick] + j
            started = self.s_start[s] <= at[pick]
            ended = self.s_end[s] <= at[pick]
            added[pick] += np.where(ended, self.s_days[s], 0)
            suspended[pick] |= started & ~ended
            count[pick] += started
        return added, suspended, count

    def due_at(
        self, cal: WorkCalendar, rows: np.ndarray, at: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(due date, suspended now, suspensions so far) of each (case row, moment)."""
        added, suspended, count = self.suspension_state(rows, at)
        return due_dates(cal, self.accepted_on[rows], self.promised[rows], added), suspended, count


# -- loading ---------------------------------------------------------------------------------------


def _sql_epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}))::bigint"
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"  # the same whole seconds as strftime('%s'), twice as fast
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def _sql_ordinal(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


OPEN_STATUSES = ("open", "suspended")


def _where(kind: str) -> str:
    # Two index ranges rather than an OR: the open cases by status, the others by closing date.
    if kind == "open":
        return "c.status IN ('open', 'suspended') AND c.accepted_at <= %s"
    if kind == "history":
        return "c.accepted_at <= %s AND (c.status IN ('open', 'suspended') OR c.closed_on >= %s)"
    return "c.closed_on >= %s AND c.status NOT IN ('open', 'suspended') AND c.accepted_at <= %s"


def _columns(sql: str, params: list, width: int, texts: int = 0) -> list[np.ndarray]:
    """The query's `width` integer columns as int64 arrays, then its `texts` text columns.

    Rows are turned into columns by one zip: per-value Python work is most of a large load's time.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return [np.zeros(0, dtype=np.int64)] * width + [np.zeros(0, dtype=object)] * texts
    columns = list(zip(*rows, strict=True))
    del rows
    out = [np.array(c, dtype=np.int64) for c in columns[:width]]
    out.extend(np.array(c, dtype=object) for c in columns[width:])
    return out


def _item_limits(items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The promised days and the yellow-card days (-1 when the item has none) of each case's item:
    read once from the catalog rather than joined to every case row."""
    ids, promised, yellow = read(
        Read(["id", "promised_days", "COALESCE(yellow_days + 1, 0)"], [], [], [], "catalog_item", "1 = 1", [])
    )
    yellow = yellow - 1
    if ids.size == 0:
        return np.zeros(items.size, dtype=np.int64), np.zeros(items.size, dtype=np.int64)
    # Each item's row by a table of ids (a gather), not a binary search per case.
    lookup = np.zeros(int(ids.max()) + 1, dtype=np.int64)
    lookup[ids] = np.arange(ids.size)
    at = lookup[items]
    return promised[at], yellow[at]


# -- reading columns ---------------------------------------------------------------------------------
#
# A province's year is millions of rows: turned into Python tuples, one object per value, reading
# them took most of a training's time. On SQLite each block of rows comes instead as one string built
# by SQLite itself (`group_concat` of one `printf` per row): numbers, moments and dates as fixed-width
# text whose digits numpy turns into numbers column-wise. Any other database, or a value of another
# shape (the block's length tells), takes the plain path: one tuple per row.

BLOCK_IDS = 500_000  # rows of a block read by primary-key range: a block's text stays some 50 MB
INT_WIDTH = 12  # non-negative integers (ids, days) below 10**12
MOMENT_WIDTH = 19  # 'YYYY-MM-DD HH:MM:SS', as Django stores a datetime in SQLite (UTC)
DATE_WIDTH = 10  # 'YYYY-MM-DD'
_NO_MOMENT = "0000-00-00 00:00:00"
_NO_DATE = "0000-00-00"
_TEXT_SEP = "\x1f"


@dataclass
class Read:
    """What to read: integer columns (never NULL), moments (epoch seconds, -1 when NULL), dates
    (ordinals, -1 when NULL) and text columns, as SQL expressions over `source` (the cases are `c`)."""

    ints: list[str]
    moments: list[str]
    dates: list[str]
    texts: list[str]
    source: str
    where: str
    params: list

    def plain_sql(self) -> str:
        columns = [
            *self.ints,
            *(f"COALESCE({_sql_epoch(m)}, -1)" for m in self.moments),
            *(f"COALESCE({_sql_ordinal(d)}, -1)" for d in self.dates),
            *self.texts,
        ]
        return f"SELECT {', '.join(columns)} FROM {self.source} WHERE {self.where}"


def read(spec: Read, by_id: bool = False) -> list[np.ndarray]:
    """The columns of `spec` as arrays: int64 for numbers, object for texts. `by_id` reads the case
    table in blocks of its primary key (a scan in table order, not through an index)."""
    if connection.vendor == "sqlite":
        got = _read_sqlite(spec, by_id)
        if got is not None:
            return got
    width = len(spec.ints) + len(spec.moments) + len(spec.dates)
    return _columns(spec.plain_sql(), spec.params, width, len(spec.texts))


def _read_sqlite(spec: Read, by_id: bool) -> list[np.ndarray] | None:
    formats = [f"%0{INT_WIDTH}d"] * len(spec.ints) + [f"%.{MOMENT_WIDTH}s"] * len(spec.moments)
    formats += [f"%.{DATE_WIDTH}s"] * len(spec.dates)
    values = [*spec.ints, *(f"COALESCE({m}, '{_NO_MOMENT}')" for m in spec.moments)]
    values += [f"COALESCE({d}, '{_NO_DATE}')" for d in spec.dates]
    # As a blob: its bytes reach numpy as they are, not decoded into a string and encoded back.
    aggregates = [f"CAST(group_concat(printf('{''.join(formats)}', {', '.join(values)}), '') AS BLOB)"]
    aggregates += [f"group_concat({t}, char(31))" for t in spec.texts]
    # The block's own count: its text must be exactly so many rows long.
    sql = f"SELECT count(*), {', '.join(aggregates)} FROM {spec.source}"
    blocks = []
    with connection.cursor() as cursor:
        if by_id:
            cursor.execute("SELECT MIN(id), MAX(id) FROM cases_case")
            lo, hi = cursor.fetchone()
            ranges = [] if lo is None else [(k, k + BLOCK_IDS) for k in range(lo - 1, hi, BLOCK_IDS)]
            for first, last in ranges:
                cursor.execute(
                    f"{sql} NOT INDEXED WHERE c.id > %s AND c.id <= %s AND {spec.where}",
                    [first, last, *spec.params],
                )
                blocks.append(cursor.fetchone())
        else:
            cursor.execute(f"{sql} WHERE {spec.where}", spec.params)
            blocks.append(cursor.fetchone())
    parts = [_parse_block(spec, block) for block in blocks if block[0]]
    if any(p is None for p in parts):
        return None
    width = len(spec.ints) + len(spec.moments) + len(spec.dates)
    if not parts:
        return [np.zeros(0, dtype=np.int64)] * width + [np.zeros(0, dtype=object)] * len(spec.texts)
    return [np.concatenate(columns) for columns in zip(*parts, strict=True)]


def _parse_block(spec: Read, block: tuple) -> list[np.ndarray] | None:
    n = block[0]
    row = INT_WIDTH * len(spec.ints) + MOMENT_WIDTH * len(spec.moments) + DATE_WIDTH * len(spec.dates)
    fixed = block[1] or b""
    if isinstance(fixed, str):  # a build that gives the cast back as text
        fixed = fixed.encode()
    if len(fixed) != n * row or not fixed.isascii():
        return None
    # Column-major: each character position of the rows is one contiguous array.
    chars = np.ascontiguousarray(np.frombuffer(fixed, dtype=np.uint8).reshape(n, row).T)
    out: list[np.ndarray] = []
    at = 0
    for _ in spec.ints:
        if (chars[at] == ord("-")).any():  # a negative number: not this path's
            return None
        out.append(_digits(chars, at, INT_WIDTH))
        at += INT_WIDTH
    parsers = [(_moments, MOMENT_WIDTH)] * len(spec.moments) + [(_ordinals, DATE_WIDTH)] * len(spec.dates)
    for parse, width in parsers:
        values = parse(chars[at : at + width])
        if values is None:  # not the shape Django stores
            return None
        out.append(values)
        at += width
    for k in range(len(spec.texts)):
        texts = (block[2 + k] or "").split(_TEXT_SEP)
        if len(texts) != n:
            return None
        out.append(np.array(texts, dtype=object))
    return out


def _digits(chars: np.ndarray, first: int, count: int) -> np.ndarray:
    """The number written in character positions [first, first + count) of each row (column-major
    characters: chars[k] is position k of every row)."""
    value = chars[first].astype(np.int64) - 48
    for k in range(first + 1, first + count):
        value *= 10
        value += chars[k]
        value -= 48
    return value


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _date_shape_ok(chars: np.ndarray) -> bool:
    # With the block's exact length, separators in place mean every value has the stored shape.
    return bool((chars[4] == ord("-")).all() and (chars[7] == ord("-")).all())


def _ordinals(chars: np.ndarray) -> np.ndarray | None:
    """Ordinals of 'YYYY-MM-DD' values (characters column-major); -1 for the NULL placeholder."""
    if not _date_shape_ok(chars):
        return None
    y, m, d = _digits(chars, 0, 4), _digits(chars, 5, 2), _digits(chars, 8, 2)
    missing = y == 0
    days = _days_from_civil(np.where(missing, 1970, y), np.where(missing, 1, m), np.where(missing, 1, d))
    return np.where(missing, -1, days + EPOCH_ORDINAL)


def _moments(chars: np.ndarray) -> np.ndarray | None:
    """Epoch seconds of 'YYYY-MM-DD HH:MM:SS' values (UTC, characters column-major); -1 for NULL."""
    if not (
        _date_shape_ok(chars)
        and (chars[10] == ord(" ")).all()
        and (chars[13] == ord(":")).all()
        and (chars[16] == ord(":")).all()
    ):
        return None
    days = _ordinals(chars[:DATE_WIDTH])
    seconds = _digits(chars, 11, 2) * 3600 + _digits(chars, 14, 2) * 60 + _digits(chars, 17, 2)
    return np.where(days < 0, -1, (days - EPOCH_ORDINAL) * DAY + seconds)


def load(as_of: datetime, since: date | None, cal: WorkCalendar, only_open: bool = False) -> CaseFrame:
    """Every case accepted by `as_of` that was open then or closed on or after `since`.

    `since` None takes every closed case; `only_open` only the cases open at `as_of` (with their
    case numbers, in `case_no`).
    """
    at = connection.ops.adapt_datetimefield_value(as_of)
    day = as_of.astimezone(local_tz()).date()
    # A case closed after `as_of` was open then: its closing date is on or after `as_of`'s date.
    closed_from = day if only_open else min(since or date(1970, 1, 2), day)

    def spec(where: str, params: list) -> Read:
        return Read(
            ints=["c.id", "c.item_id", "c.unit_id"], moments=["c.accepted_at", "c.closed_at"],
            dates=["c.accepted_on", "c.closed_on"], texts=["c.case_no"] if only_open else [],
            source="cases_case c", where=where, params=params,
        )  # fmt: skip

    if only_open:
        # Few rows of a large table: through the indexes, the open ones by status, the others by date.
        parts = [(_where("open"), [at]), (_where("closed"), [closed_from.isoformat(), at])]
        blocks = [read(spec(where, params)) for where, params in parts]
        data = [np.concatenate(block) for block in zip(*blocks, strict=True)]
    else:
        # Most of the table: read in table order, a block of ids at a time.
        parts = [(_where("history"), [at, closed_from.isoformat()])]
        data = read(spec(*parts[0]), by_id=True)
    # Columns: id, item, unit, accepted_at, closed_at, accepted_on, closed_on (, case_no).
    if data[0].size and not (np.diff(data[0]) > 0).all():
        order = np.argsort(data[0], kind="stable")
        data = [column[order] for column in data]
    as_of_s = epoch(as_of)
    closed = (data[4] >= 0) & (data[4] <= as_of_s)
    if only_open:
        data = [column[~closed] for column in data]
        closed = closed[~closed]
    promised, yellow = _item_limits(data[1])
    frame = CaseFrame(
        as_of=as_of_s,
        id=data[0], item=data[1], unit=data[2], accepted_at=data[3], accepted_on=data[5],
        closed_at=np.where(closed, data[4], NEVER), closed_on=np.where(closed, data[6], NEVER),
        promised=promised, threshold=yellow_thresholds(promised, yellow),
        base_due=due_dates(cal, data[5], promised, np.zeros_like(promised)),
        s_row=np.zeros(0, dtype=np.int64), s_start=np.zeros(0, dtype=np.int64),
        s_end=np.zeros(0, dtype=np.int64), s_days=np.zeros(0, dtype=np.int64),
        case_no=data[7] if only_open else None,
    )  # fmt: skip
    return _with_suspensions(frame, parts, at)


def _with_suspensions(frame: CaseFrame, parts: list[tuple[str, list]], at: str) -> CaseFrame:
    if frame.case_no is not None:
        return _with_own_suspensions(frame, at)
    blocks = []
    for where, params in parts:
        columns = read(
            Read(
                ints=["c.id", "s.workdays"], moments=["s.started_at", "s.ended_at"], dates=[], texts=[],
                # Every suspension, each finding its case by number: not every case probing for one.
                source="cases_suspension s CROSS JOIN cases_case c",
                where=f"c.case_no = s.case_no AND s.started_at <= %s AND {where}", params=[at, *params],
            )
        )  # fmt: skip
        blocks.append(np.stack([columns[0], columns[2], columns[3], columns[1]], axis=1))
    data = np.concatenate(blocks)
    rows = np.searchsorted(frame.id, data[:, 0])
    rows = np.minimum(rows, max(len(frame) - 1, 0))
    known = (
        (len(frame) > 0) & (frame.id[rows] == data[:, 0]) if len(frame) else np.zeros(len(data), dtype=bool)
    )
    return _suspended(frame, data[known], rows[known])


def _with_own_suspensions(frame: CaseFrame, at: str) -> CaseFrame:
    """The suspensions of a frame that holds its case numbers (the open cases): one scan of the
    suspensions begun by `at`, matched to the frame's cases by number. The join it replaces probed
    the case table once per suspension of the year, most of them of long-closed cases."""
    if len(frame) == 0:
        return frame
    # A case is suspended only after it was accepted (the order rules refuse any event before the
    # acceptance): suspensions begun before the earliest acceptance of the frame are none of its own.
    first = connection.ops.adapt_datetimefield_value(moment_of(int(frame.accepted_at.min())))
    workdays, started, ended, numbers = read(
        Read(
            ints=["s.workdays"], moments=["s.started_at", "s.ended_at"], dates=[], texts=["s.case_no"],
            source="cases_suspension s", where="s.started_at <= %s AND s.started_at >= %s", params=[at, first],
        )
    )  # fmt: skip
    row_of = dict(zip(frame.case_no.tolist(), range(len(frame)), strict=True))
    rows = np.fromiter(map(row_of.get, numbers.tolist(), repeat(-1)), dtype=np.int64, count=numbers.size)
    known = rows >= 0
    data = np.stack([np.zeros(numbers.size, dtype=np.int64), started, ended, workdays], axis=1)
    return _suspended(frame, data[known], rows[known])


def _suspended(frame: CaseFrame, data: np.ndarray, rows: np.ndarray) -> CaseFrame:
    """The frame with its suspensions: `data` rows (case id, start, end or -1, working days), each
    with the frame row of its case."""
    order = np.lexsort((data[:, 1], rows))
    data, rows = data[order], rows[order]
    ended = (data[:, 2] >= 0) & (data[:, 2] <= frame.as_of)
    return replace(
        frame, s_row=rows.astype(np.int64), s_start=data[:, 1].copy(),
        s_end=np.where(ended, data[:, 2], NEVER), s_days=np.where(ended, data[:, 3], 0),
    )  # fmt: skip


def case_numbers(ids: np.ndarray) -> list[str]:
    """The case numbers of some case ids, in the same order."""
    if ids.size == 0:
        return []
    ids = np.asarray(ids, dtype=np.int64)
    lo, hi = int(ids.min()), int(ids.max())
    rows: list[tuple[int, str]] = []
    with connection.cursor() as cursor:
        # One range scan of the primary key when the ids are dense (they are: open cases of a region).
        if hi - lo < 4 * ids.size:
            cursor.execute("SELECT id, case_no FROM cases_case WHERE id >= %s AND id <= %s", [lo, hi])
            rows = cursor.fetchall()
        else:
            wanted = np.unique(ids).tolist()
            for k in range(0, len(wanted), 900):
                chunk = wanted[k : k + 900]
                cursor.execute(
                    f"SELECT id, case_no FROM cases_case WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                rows.extend(cursor.fetchall())
    found = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    numbers = np.array([r[1] for r in rows], dtype=object)
    order = np.argsort(found, kind="stable")
    found, numbers = found[order], numbers[order]
    at = np.searchsorted(found, ids)
    if at.size and (at.max() >= found.size or (found[at] != ids).any()):
        raise KeyError("case ids not in cases_case")
    return numbers[at].tolist()


def since_days(as_of: datetime, days: int) -> date:
    return (as_of - timedelta(days=days)).astimezone(local_tz()).date()
