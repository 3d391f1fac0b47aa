"""What the checks read, set-wise: the period, the org tree with its hours and thresholds, the local
clock, and the SQL fragments that differ between SQLite and PostgreSQL.

The checks run over a province year (millions of evaluations and cases), so they never walk rows
through the ORM: each reads what it needs in one or two statements, filtered and grouped by the
database, and works on numpy arrays or on the few rows that are left.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import OperationalError, connection

from govwatch.cases.models import Case
from govwatch.core.choices import UnitKind
from govwatch.core.localtime import local_tz, start_of_day
from govwatch.evaluations.models import Evaluation, PendingEvaluation
from govwatch.orgs.hours import HoursError, Span, parse_hours
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import _FIRST_ORD, get_calendar

from .models import RegionThresholds
from .thresholds import DEFAULTS, Thresholds

FETCH = 20_000
DAY = 86400


def q(name: str) -> str:
    return connection.ops.quote_name(name)


E = q(Evaluation._meta.db_table)
P = q(PendingEvaluation._meta.db_table)
C = q(Case._meta.db_table)


def epoch(column: str) -> str:
    """Seconds since 1970 (UTC) of a timestamp column, as an integer."""
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"  # the same seconds, without formatting them as text first
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def month_of(column: str) -> str:
    """'YYYY-MM' of a date column."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {column})"


def unindexed(column: str) -> str:
    """A column in a condition the planner must not answer from an index of it: SQLite takes the
    first index it can use (with no statistics, one on a column half the table shares), where
    another condition of the statement picks the few rows wanted."""
    return f"+{column}" if connection.vendor == "sqlite" else column


def moment(value: datetime) -> object:
    """A timestamp as the database compares it in raw SQL."""
    return connection.ops.adapt_datetimefield_value(value)


def _reading_cursor():
    """A cursor whose rows reach the client a batch at a time: SQLite steps its statement as rows
    are fetched; PostgreSQL's driver would fetch a whole result before the first row, so there it
    is a server-side (named) cursor, unless the database is set not to allow them (a pooler in
    transaction mode: DISABLE_SERVER_SIDE_CURSORS, as Django's own iterator has it)."""
    if connection.vendor == "postgresql" and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        return connection.chunked_cursor()
    return connection.cursor()


def stream(sql: str, params: list) -> Iterator[tuple]:
    """The rows of one statement, fetched in batches (memory stays flat)."""
    with _reading_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


def fetched(sql: str, params: list) -> Iterator[list[tuple]]:
    """The rows of one statement, a batch at a time (for arrays made a batch at a time)."""
    with _reading_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            yield batch


# SQLite's page cache and each sort's buffer during a run (KiB): a sort larger than this spills to a
# temporary file instead of growing in memory. The web's 64 MiB cache serves random index writes;
# the checks read in order and group, and two or three sorts run at once in one statement.
RUN_CACHE_KIB = 16_384
# SQLite's temp_store values: 0 the build's default, 1 files, 2 memory.
_TEMP_FILE, _TEMP_MEMORY = 1, 2


@contextmanager
def run_memory() -> Iterator[None]:
    """SQLite's own memory held to a bound for a run, whatever the region, and put back after.

    - `cache_size` (the page cache, and the buffer of each sort, which SQLite sizes by it) is
      RUN_CACHE_KIB;
    - temporary tables and sorts' spills go to files (`temp_store` FILE) where the build or the
      connection would keep them in memory, where they would grow with the region: the period's
      evaluations joined to their cases alone are hundreds of MiB on a province. SQLite can only
      change it outside a transaction that has used temporary storage (changing it drops the
      connection's temporary tables); where it cannot, the run goes on as the store is.

    PostgreSQL sizes its sorts on the server (`work_mem`): nothing to change there."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cache, store = _pragma(cursor, "cache_size"), _pragma(cursor, "temp_store")
        cursor.execute(f"PRAGMA cache_size = {-RUN_CACHE_KIB}")
        changed = False
        if _temp_in_memory(cursor, store):
            try:
                cursor.execute(f"PRAGMA temp_store = {_TEMP_FILE}")
                changed = True
            except OperationalError:
                pass
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache}")
            if changed:
                try:
                    cursor.execute(f"PRAGMA temp_store = {store}")
                except OperationalError:
                    pass  # inside a transaction that used temporary storage: files it stays


def _pragma(cursor, name: str) -> int:
    cursor.execute(f"PRAGMA {name}")
    return int(cursor.fetchone()[0])


def _temp_in_memory(cursor, store: int) -> bool:
    """Whether temporary tables would be kept in memory: set so on the connection, or by the build
    (SQLITE_TEMP_STORE 2 when the connection leaves it at the default; 3 cannot be changed)."""
    if store == _TEMP_MEMORY:
        return True
    if store != 0:
        return False
    cursor.execute("PRAGMA compile_options")
    options = {row[0] for row in cursor.fetchall()}
    return "TEMP_STORE=2" in options


def parts(
    sql: str, params: list, arrays: Callable[[list[tuple]], list[np.ndarray]], size: int
) -> Iterator[list[np.ndarray]]:
    """The rows of one statement ordered by its first column, as arrays (`arrays` makes them of a
    fetched batch, the first the ordering key), in parts of about `size` rows that never split a
    key's rows: a part is handed on as soon as the next key begins, and only the rows of the key
    still being read are carried over. What is held is a part and a batch, whatever the rows."""
    held: list[np.ndarray] | None = None
    for batch in fetched(sql, params):
        columns = arrays(batch)
        held = columns if held is None else [np.concatenate(pair) for pair in zip(held, columns, strict=True)]
        while len(held[0]) >= size:
            starts = np.flatnonzero(held[0][1:] != held[0][:-1]) + 1  # where a key begins
            if not len(starts):
                break  # one key so far: its rows go on
            before = starts[starts <= size]
            cut = int(before[-1] if len(before) else starts[0])
            yield [c[:cut] for c in held]
            held = [c[cut:] for c in held]
    if held is not None and len(held[0]):
        yield held


def rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return start_of_day(self.date_from)

    @property
    def end(self) -> datetime:
        return start_of_day(self.date_to + timedelta(days=1))

    def bounds(self) -> list:
        return [moment(self.start), moment(self.end)]

    def months(self) -> list[str]:
        out, d = [], self.date_from.replace(day=1)
        while d <= self.date_to:
            out.append(f"{d:%Y-%m}")
            d = (d + timedelta(days=32)).replace(day=1)
        return out


class Clock:
    """Local days and times of UTC seconds over the period: exact in any time zone.

    `midnights[i]` is the UTC second at which local day `first + i` begins; a moment's local day is
    found by `searchsorted`, its second of the day by subtraction, whether it is a working day from
    the working-day calendar.
    """

    def __init__(self, period: Period):
        tz = local_tz()
        self.first = period.date_from - timedelta(days=2)
        days = (period.date_to - self.first).days + 4
        self.dates = [self.first + timedelta(days=i) for i in range(days)]
        self.midnights = np.array(
            [int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()) for d in self.dates], dtype=np.int64
        )
        cal = get_calendar()
        ordinals = np.array([d.toordinal() - _FIRST_ORD for d in self.dates], dtype=np.int64)
        self.workday = cal.is_work[ordinals]

    def day_index(self, seconds: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self.midnights, seconds, side="right") - 1, 0, len(self.dates) - 1)

    def local(self, seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(local day index, second of the local day) of each moment."""
        day = self.day_index(seconds)
        return day, seconds - self.midnights[day]

    def date_of(self, second: int) -> date:
        return self.dates[int(self.day_index(np.array([second]))[0])]

    def text(self, second: int) -> str:
        return datetime.fromtimestamp(int(second), local_tz()).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class UnitInfo:
    id: int
    code: str
    name: str
    kind: str
    path: str
    hours: tuple[Span, ...] = ()
    region: int = 0  # the unit's district: the peers of missing_evaluations share it
    thresholds: Thresholds = field(default=DEFAULTS)

    @property
    def open_seconds(self) -> int:
        return sum(end - start for start, end in self.hours)


class Units:
    """The org tree as the checks need it: hours and thresholds resolved up the tree."""

    def __init__(self) -> None:
        units = list(Unit.objects.values_list("id", "code", "name", "kind", "path", "hours"))
        by_code = {u[1]: u for u in units}
        overrides = {
            unit_id: values for unit_id, values in RegionThresholds.objects.values_list("unit_id", "values")
        }
        try:
            default_hours = parse_hours(settings.DEFAULT_HOURS)
        except HoursError:
            default_hours = parse_hours("08:30-12:00,14:00-17:30")
        self.by_id: dict[int, UnitInfo] = {}
        parsed: dict[str, tuple[Span, ...]] = {"": default_hours}  # a region's units share a few hours
        for uid, code, name, kind, path, _own in units:
            chain = [by_code[c] for c in path.strip("/").split("/") if c in by_code]
            own_hours = next((h for *_, h in reversed(chain) if h), "")
            spans = parsed.get(own_hours)
            if spans is None:
                try:
                    spans = parsed[own_hours] = parse_hours(own_hours)
                except HoursError:
                    spans = parsed[own_hours] = default_hours
            values: dict = {}
            for ancestor in chain:
                values.update(overrides.get(ancestor[0], {}))
            districts = [a[0] for a in chain if a[3] == UnitKind.DISTRICT]
            self.by_id[uid] = UnitInfo(
                id=uid, code=code, name=name, kind=kind, path=path, hours=spans,
                region=districts[-1] if districts else chain[0][0],
                thresholds=DEFAULTS.changed(values) if values else DEFAULTS,
            )  # fmt: skip

    def __getitem__(self, unit_id: int) -> UnitInfo:
        return self.by_id[unit_id]

    def kin(self, a: int, b: int) -> bool:
        """True when one unit is the other's ancestor (a department and its section)."""
        pa, pb = self.by_id[a].path, self.by_id[b].path
        return pa.startswith(pb) or pb.startswith(pa)
