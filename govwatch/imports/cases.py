"""Importing case events (办件过程): the large, fast one.

Three stages, generators all the way so that memory stays flat whatever the file's size:

1. the rows are read as text tuples (no dict per row) and checked a block of rows at a time, a
   column at a time (stripping, enumerations, known items and units, timestamps, lengths: one
   C-level `map` per column); a block with a row at fault is checked again row by row for the
   messages. Each row becomes a compact tuple whose first fields are the sort key (case_no, at,
   kind order, line);
2. the tuples are sorted per case: in memory up to settings.IMPORT_MEMORY_ROWS rows, beyond that
   through a temporary SQLite file (not the main database) read back in order;
3. cases go in chunks: a chunk looks up its stored cases, their events and its event ids in a few
   IN queries, applies the order rules (merging with events stored by earlier files), and hands
   the accepted events to `govwatch.cases.events.apply_events`, one transaction per chunk.
"""

from __future__ import annotations

import gc
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, models, transaction

from govwatch.cases import deadlines
from govwatch.cases.bulkload import ensure_indexes, indexes_deferred
from govwatch.cases.events import (
    IN_BATCH,
    CaseChange,
    CaseHeader,
    NewCases,
    NewEvent,
    apply_events,
    insert_new_cases,
    micros,
    moment,
    moment_texts,
)
from govwatch.cases.models import Case, CaseEvent
from govwatch.catalog.models import Item
from govwatch.core.choices import ApplicantType, CaseChannel, EventKind, allowed, parse_choice
from govwatch.core.localtime import local_tz
from govwatch.core.parsing import parse_timestamp
from govwatch.core.rowfields import Row, RowError, digest_texts_many
from govwatch.core.tables import Table, TextRecord
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from .db import values_in
from .kinds import spec_of
from .models import ImportRun
from .results import ImportResult

# numpy is imported where arrays are made, not at import: `govwatch import` loads this module for
# every kind, and an import of units, items, evaluations or complaints makes no array here
# (numpy costs about 0.15 s of CPU at start).
if TYPE_CHECKING:
    import numpy as np

CHUNK_CASES = 20_000
# Rows checked together, a column at a time.
BLOCK = 4096
# The columns read, in this order.
NAMES = ("case_no", "event", "at", "item_code", "unit_code", "channel", "applicant_type", "window_code",
         "staff_code", "reason", "event_id")  # fmt: skip
_NO_ITEM = ("", 0, 0, "")
_NO_UNIT = ("", 0)
_WINDOW = CaseChannel.WINDOW.value
_PERSON = ApplicantType.PERSON.value
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# deadlines.Event and NewEvent from a tuple of their fields, without the Python-level __new__ of a
# NamedTuple: an import makes one of each per event.
_event = partial(tuple.__new__, deadlines.Event)
_new_event = partial(tuple.__new__, NewEvent)
_MICROSECOND = timedelta(microseconds=1)
# Deadlines are computed within the working-day calendar's range (1970-2199).
_FIRST_US = micros(datetime(1970, 1, 2, tzinfo=UTC))
_LAST_US = micros(datetime(2198, 12, 31, tzinfo=UTC))
_EPOCH_NAIVE = datetime(1970, 1, 1)  # noqa: DTZ001 - UTC wall time

# A checked row. The first four fields are the sort key; event_id is "" when the file gave none
# (the canonical one is computed when the case is processed, so as not to hold it in memory).
Rec = tuple[str, int, int, int, str, str, str, str, str, str, str, str, str]
CASE_NO, AT_US, ORDER, LINE, KIND, EVENT_ID, ITEM, UNIT, CHANNEL, APPLICANT, WINDOW, STAFF, REASON = range(13)
_kind_of = itemgetter(KIND)
_LIMITS = {
    "case_no": 64,
    "item_code": 64,
    "unit_code": 64,
    "window_code": 64,
    "staff_code": 64,
    "event_id": 200,
}


class _Choices(dict):
    """parse_choice remembered per distinct text: a file spells its enumerations a handful of ways."""

    def __init__(self, cls: type[models.TextChoices]):
        super().__init__()
        self.cls = cls

    def __missing__(self, text: str) -> str | None:
        code = self[text] = parse_choice(self.cls, text)
        return code


@dataclass
class _Catalog:
    """Items and units by code, loaded once. The code strings are shared by every row naming them."""

    items: dict[str, tuple[str, int, int, str]]  # code -> (code, id, promised_days, unit code)
    units: dict[str, tuple[str, int]]  # code -> (code, id)
    promised: dict[int, int]  # item id -> promised_days

    @classmethod
    def load(cls) -> _Catalog:
        unit_code = {}
        units = {}
        for uid, code in Unit.objects.values_list("id", "code"):
            unit_code[uid] = code
            units[code] = (code, uid)
        items = {}
        promised = {}
        for iid, code, days, uid in Item.objects.values_list("id", "code", "promised_days", "unit_id"):
            items[code] = (code, iid, days, unit_code[uid])
            promised[iid] = days
        return cls(items, units, promised)


class _Checker:
    """Stage 1: one row on its own. Fast path inline; the `Row` checks give the messages."""

    def __init__(self, catalog: _Catalog):
        self.catalog = catalog
        self.spec = spec_of("cases")
        self.kinds = _Choices(EventKind)
        self.channels = _Choices(CaseChannel)
        self.applicants = _Choices(ApplicantType)
        self.tz = local_tz()
        # The block path's look-ups, where an empty cell is a value of its own.
        self.items = {**catalog.items, "": _NO_ITEM}
        self.units = {**catalog.units, "": _NO_UNIT}
        self.channel_codes = _Choices(CaseChannel)
        self.channel_codes[""] = ""
        self.applicant_codes = _Choices(ApplicantType)
        self.applicant_codes[""] = ""

    def block(self, block: list[TextRecord]) -> list[Rec] | None:
        """The checked rows of a block, or None when any row is at fault (then `check` each)."""
        lines, values = zip(*block, strict=True)
        try:
            columns = [[*map(str.strip, column)] for column in zip(*values, strict=True)]
        except TypeError:  # a record that could not be read at all (RowError)
            return None
        case_nos, events, ats, item_codes, unit_codes, channels, applicants, windows, staff, reasons, ids = (
            columns
        )
        if not all(case_nos) or max(map(len, ids)) > 200:
            return None
        if max(max(map(len, column)) for column in (case_nos, item_codes, unit_codes, windows, staff)) > 64:
            return None
        kinds = [*map(self.kinds.__getitem__, events)]
        at_us = [*map(self._micros, ats)]
        items = [*map(self.items.get, item_codes)]
        units = [*map(self.units.get, unit_codes)]
        channels = [*map(self.channel_codes.__getitem__, channels)]
        applicants = [*map(self.applicant_codes.__getitem__, applicants)]
        if (
            None in kinds
            or None in at_us
            or None in items
            or None in units
            or None in channels
            or None in applicants
        ):
            return None
        if min(at_us) < _FIRST_US or max(at_us) > _LAST_US:
            return None
        accept = deadlines.ACCEPT
        if any(k == accept and i is _NO_ITEM for k, i in zip(kinds, items, strict=True)):
            return None
        # The defaults of the contract for an accept event (see `check`); codes shared with the catalog.
        units = [u[0] or (i[3] if k == accept else "") for u, i, k in zip(units, items, kinds, strict=True)]
        if "" in channels:
            channels = [c or (_WINDOW if k == accept else "") for c, k in zip(channels, kinds, strict=True)]
        if "" in applicants:
            applicants = [
                a or (_PERSON if k == accept else "") for a, k in zip(applicants, kinds, strict=True)
            ]
        return [
            *zip(
                case_nos, at_us, map(deadlines.KIND_ORDER.__getitem__, kinds), lines, kinds, ids,
                [i[0] for i in items], units, channels, applicants, windows, staff, reasons, strict=True,
            )
        ]  # fmt: skip

    def _micros(self, text: str) -> int | None:
        """parse_timestamp's moment as epoch microseconds, None when it is not one."""
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            try:
                at = parse_timestamp(text)
            except ValueError:
                return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.tz)
        return (at - _EPOCH) // _MICROSECOND

    def check(self, values: dict[str, str]) -> Rec:
        get = values.get
        case_no = (get("case_no") or "").strip()
        kind = self.kinds[(get("event") or "").strip()]
        at_text = (get("at") or "").strip()
        item_code = (get("item_code") or "").strip()
        unit_code = (get("unit_code") or "").strip()
        channel_text = (get("channel") or "").strip()
        applicant_text = (get("applicant_type") or "").strip()
        window = (get("window_code") or "").strip()
        staff = (get("staff_code") or "").strip()
        reason = (get("reason") or "").strip()
        event_id = (get("event_id") or "").strip()
        if (
            not case_no
            or kind is None
            or not at_text
            or max(map(len, (case_no, item_code, unit_code, window, staff))) > 64
            or len(event_id) > 200
        ):
            self._explain(values)
        try:
            at_us = micros(parse_timestamp(at_text))
        except ValueError:
            raise RowError(
                "at",
                f"{self.spec['at'].label} 的值“{at_text}”不是有效的时间（ISO 8601，如 2026-03-02T09:30:00）",
            ) from None
        if not _FIRST_US <= at_us <= _LAST_US:
            raise RowError("at", f"时间 {at_text} 超出支持的范围（1970 年至 2198 年）")
        channel = self._choice("channel", channel_text, self.channels, CaseChannel)
        applicant = self._choice("applicant_type", applicant_text, self.applicants, ApplicantType)
        if item_code:
            item = self.catalog.items.get(item_code)
            if item is None:
                raise RowError("item_code", f"事项编码 {item_code} 不存在（请先导入事项）")
            item_code = item[0]
        elif kind == deadlines.ACCEPT:
            raise RowError("item_code", "受理环节必须填写事项编码 item_code(事项编码)")
        if unit_code:
            unit = self.catalog.units.get(unit_code)
            if unit is None:
                raise RowError("unit_code", f"办理单位编码 {unit_code} 不存在（请先导入单位）")
            unit_code = unit[0]
        if kind == deadlines.ACCEPT:
            # The defaults of the contract are part of what was recorded: a re-sent row that spells
            # them out is the same event.
            unit_code = unit_code or self.catalog.items[item_code][3]
            channel = channel or CaseChannel.WINDOW.value
            applicant = applicant or ApplicantType.PERSON.value
        return (
            case_no, at_us, deadlines.KIND_ORDER[kind], 0, kind, event_id, item_code, unit_code, channel,
            applicant, window, staff, reason,
        )  # fmt: skip

    def _choice(self, name: str, text: str, table: _Choices, cls: type[models.TextChoices]) -> str:
        if not text:
            return ""
        code = table[text]
        if code is None:
            raise RowError(name, f"{self.spec[name].label} 的值“{text}”无效，应为 {allowed(cls)}")
        return code

    def _explain(self, values: dict[str, str]) -> None:
        row = Row(values, self.spec)
        for name in (
            "case_no",
            "event",
            "at",
            "item_code",
            "unit_code",
            "window_code",
            "staff_code",
            "event_id",
        ):
            row.text(name)
        row.choice("event", EventKind)


def _checked(
    blocks: Iterator[list[TextRecord]], result: ImportResult, checker: _Checker
) -> Iterator[list[Rec]]:
    """Stage 1: each block of records as checked rows (the rows at fault rejected)."""
    for block in blocks:
        result.read += len(block)
        checked = checker.block(block)
        if checked is None:
            checked = []
            for line, values in block:
                try:
                    if isinstance(values, RowError):
                        raise values
                    rec = checker.check(dict(zip(NAMES, values, strict=True)))
                except RowError as exc:
                    result.reject(line, exc.field, exc.message)
                    continue
                checked.append((rec[0], rec[1], rec[2], line, *rec[4:]))
        # The block's records go before its rows are handed on, and its rows before the next block
        # is read: one block held at a time, whatever the file's size.
        del block
        yield checked
        del checked


def _sorted(blocks: Iterator[list[Rec]], limit: int) -> Iterator[Rec]:
    """Stage 2: the rows in (case_no, at, kind order, line) order, in memory or through a disk file."""
    held: list[Rec] = []
    for block in blocks:
        held += block
        if len(held) > limit:
            return _sorted_on_disk(held, blocks)
    held.sort()
    return iter(held)


def _sorted_on_disk(held: list[Rec], blocks: Iterator[list[Rec]]) -> Iterator[Rec]:
    with tempfile.TemporaryDirectory(prefix="govwatch-import-") as tmp:
        db = sqlite3.connect(Path(tmp) / "sort.sqlite3")
        try:
            # A scratch file: no journal, no syncing, sorting spills to disk rather than memory.
            db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE; PRAGMA cache_size=-65536;"
                "CREATE TABLE e (case_no TEXT, at_us INTEGER, ord INTEGER, line INTEGER, kind TEXT, event_id TEXT,"
                " item_code TEXT, unit_code TEXT, channel TEXT, applicant TEXT, window TEXT, staff TEXT, reason TEXT)"
            )
            insert = "INSERT INTO e VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            db.executemany(insert, held)
            held.clear()
            db.executemany(insert, chain.from_iterable(blocks))  # consumes the blocks one by one
            db.commit()
            yield from db.execute("SELECT * FROM e ORDER BY case_no, at_us, ord, line")
        finally:
            db.close()


def _chunks(recs: Iterator[Rec], size: int) -> Iterator[list[list[Rec]]]:
    chunk: list[list[Rec]] = []
    for _case_no, group in groupby(recs, key=itemgetter(CASE_NO)):
        chunk.append(list(group))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def event_keys(columns: list[tuple], at_us: np.ndarray) -> list[str]:
    """Each event's idempotency key: its own event_id, else "case_no:event:at" with `at` in UTC
    (`utc_text`'s form, 2026-02-12T02:00:00Z), made from the sort key a column at a time."""
    texts = moment_texts(at_us, "T")
    return [
        event_id or f"{case_no}:{kind}:{at}Z"
        for event_id, case_no, kind, at in zip(
            columns[EVENT_ID], columns[CASE_NO], columns[KIND], texts, strict=True
        )
    ]


def _local_text(at_us: int) -> str:
    return moment(at_us).astimezone(local_tz()).strftime("%Y-%m-%d %H:%M:%S")


def _first_refused(events: list[tuple]) -> int | None:
    """Index of the first event (sorted) the order rules refuse, or None when all hold."""
    status = None
    for i, e in enumerate(events):
        status = deadlines.status_after(status, e[3])
        if status is None:
            return i
    return None


class _Chunker:
    """Stage 3: the order rules and the writes, one chunk of cases at a time."""

    def __init__(self, result: ImportResult, run: ImportRun, catalog: _Catalog, bulk: bool = False):
        self.result = result
        self.run = run
        self.catalog = catalog
        self.calendar = get_calendar()
        # The case tables were empty when the import began, and chunks never share a case: no
        # chunk's case or event can be stored already, unless someone else writes meanwhile (or
        # the file repeats an event id under another case): then the insert fails on the unique
        # case number or event id, and the chunk is done again the careful way.
        self.bulk = bulk
        # The shapes of the kinds of events met so far (deadlines.shape_of), -1 for refused ones.
        self.shapes: list[deadlines.Shape] = []
        self.shape_ids: dict[tuple[str, ...], int] = {}

    def process(self, chunk: list[list[Rec]]) -> None:
        if not self.bulk:
            return self._process(chunk)
        counts = (self.result.read, self.result.imported, self.result.duplicates, self.result.rejected,
                  len(self.result.errors))  # fmt: skip
        try:
            return self._process(chunk)
        except IntegrityError:
            self.bulk = False
            r = self.result
            r.read, r.imported, r.duplicates, r.rejected = counts[:4]
            del r.errors[counts[4] :]
            return self._process(chunk)

    def _process(self, chunk: list[list[Rec]]) -> None:
        case_nos = [group[0][CASE_NO] for group in chunk]
        stored_cases = {} if self.bulk else values_in(Case, "case_no", case_nos, "item_id")
        stored_events: dict[str, list[tuple]] = {}
        stored_nos = list(stored_cases)
        for i in range(0, len(stored_nos), IN_BATCH):
            query = CaseEvent.objects.filter(case_id__in=stored_nos[i : i + IN_BATCH])
            for n, (case_no, at, kind, reason) in enumerate(
                query.values_list("case_id", "at", "kind", "reason")
            ):
                # Stored events sort before new ones at the same moment (negative, distinct lines).
                entry = (micros(at), deadlines.KIND_ORDER[kind], n - 10**9, kind, reason, None)
                stored_events.setdefault(case_no, []).append(entry)
        import numpy as np

        # The chunk's events as columns: keys and digests made a column at a time.
        columns = [*zip(*(rec for group in chunk for rec in group), strict=True)]
        at_us = np.fromiter(columns[AT_US], dtype=np.int64, count=len(columns[AT_US]))
        keys = event_keys(columns, at_us)
        digests = digest_texts_many(
            zip(columns[CASE_NO], columns[KIND], map(str, columns[AT_US]), *columns[ITEM:], strict=True)
        )
        known = {} if self.bulk else values_in(CaseEvent, "event_id", keys, "digest")
        # With no event seen before (the usual case), each new case whose events all keep the order
        # rules goes in with the others at once (`insert_new_cases`); the rest one case at a time.
        every_event_new = not known and len(set(keys)) == len(keys)
        seen: dict[str, tuple[int, str]] = {}
        changes: list[CaseChange] = []
        fast: list[int] = []  # the chunk's groups that go in at once
        shape_ids: list[int] = []
        pos = 0
        for g, group in enumerate(chunk):
            n = len(group)
            case_no = group[0][CASE_NO]
            if every_event_new and case_no not in stored_cases:
                kinds = tuple(map(_kind_of, group))
                shape_id = self.shape_ids.get(kinds)
                if shape_id is None:
                    shape_id = self.shape_ids[kinds] = self._shape_id(kinds)
                if shape_id >= 0:
                    fast.append(g)
                    shape_ids.append(shape_id)
                    pos += n
                    continue
            fresh = self._unseen(
                zip(group, keys[pos : pos + n], digests[pos : pos + n], strict=True), known, seen
            )
            pos += n
            if not fresh:
                continue
            if case_no in stored_cases:
                change = self._extend(
                    case_no, stored_cases[case_no][0], stored_events.get(case_no, []), fresh
                )
            else:
                change = self._create(case_no, fresh)
            if change is not None:
                changes.append(change)
        new = self._new_cases(chunk, fast, shape_ids, keys, digests, at_us)
        with transaction.atomic():
            imported = apply_events(changes, self.calendar, self.run.pk)
            imported += insert_new_cases(new, self.calendar, self.run.pk)
        self.result.imported += imported

    def _shape_id(self, kinds: tuple[str, ...]) -> int:
        """The index of the kinds' shape in self.shapes; -1 when the order rules refuse an event."""
        shape = deadlines.shape_of(kinds)
        if shape is None:
            return -1
        self.shapes.append(shape)
        return len(self.shapes) - 1

    def _new_cases(
        self, chunk: list[list[Rec]], fast: list[int], shape_ids: list[int], keys: list[str],
        digests: list[str], at_us: np.ndarray,
    ) -> NewCases:  # fmt: skip
        """The chunk's groups `fast` as columns, for `insert_new_cases`."""
        import numpy as np

        groups = [chunk[g] for g in fast]
        if len(groups) < len(chunk):
            # Some cases went the careful way: the others' events only.
            bounds = np.cumsum([0, *map(len, chunk)]).tolist()
            rows = [i for g in fast for i in range(bounds[g], bounds[g + 1])]
            keys, digests, at_us = [keys[i] for i in rows], [digests[i] for i in rows], at_us[rows]
        columns = [*zip(*(rec for group in groups for rec in group), strict=True)] or [()] * (REASON + 1)
        lengths = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
        accepts = [group[0] for group in groups]
        items = [self.catalog.items[rec[ITEM]] for rec in accepts]
        units = self.catalog.units
        headers = [
            [item[1] for item in items], [units[rec[UNIT]][1] for rec in accepts],
            [rec[CHANNEL] for rec in accepts], [rec[APPLICANT] for rec in accepts],
            [rec[WINDOW] for rec in accepts], [rec[STAFF] for rec in accepts],
        ]  # fmt: skip
        return NewCases(
            case_nos=[rec[CASE_NO] for rec in accepts],
            headers=headers,
            promised_days=np.fromiter((item[2] for item in items), dtype=np.int64, count=len(items)),
            starts=np.cumsum(lengths) - lengths,
            shapes=self.shapes,
            shape_ids=np.asarray(shape_ids, dtype=np.int64),
            events=[keys, columns[CASE_NO], columns[KIND], at_us, *columns[ITEM:], digests],
        )

    def _unseen(
        self, group: Iterable[tuple[Rec, str, str]], known: dict[str, tuple], seen: dict[str, tuple[int, str]]
    ) -> list[tuple[Rec, NewEvent]]:
        """The group's events not stored yet; same key and content is a duplicate, other content an error."""
        fresh = []
        for rec, key, dg in group:
            line = rec[LINE]
            if key in known:
                if known[key][0] == dg:
                    self.result.duplicates += 1
                else:
                    self.result.reject(
                        line, "event_id", f"事件编号 {key} 已导入，内容不同（已导入的办件过程不能修改）"
                    )
                continue
            if key in seen:
                if seen[key][1] == dg:
                    self.result.duplicates += 1
                else:
                    self.result.reject(
                        line, "event_id", f"事件编号 {key} 已在第 {seen[key][0]} 行出现，内容不同"
                    )
                continue
            seen[key] = (line, dg)
            fresh.append((rec, _new_event((key, rec[CASE_NO], rec[KIND], rec[AT_US], *rec[ITEM:], dg))))
        return fresh

    def _create(self, case_no: str, fresh: list[tuple[Rec, NewEvent]]) -> CaseChange | None:
        status = None
        accepted: list[tuple[Rec, NewEvent]] = []
        accept_at = next((_local_text(ev.at_us) for _, ev in fresh if ev.kind == deadlines.ACCEPT), "")
        for rec, ev in fresh:
            after = deadlines.status_after(status, ev.kind)
            if after is None:
                self.result.reject(rec[LINE], "event", deadlines.refusal(status, ev.kind, accept_at))
                continue
            status = after
            accepted.append((rec, ev))
        if not accepted:
            return None
        accept = accepted[0][1]
        _code, item_id, promised, _unit = self.catalog.items[accept.item_code]
        header = CaseHeader(
            item_id, self.catalog.units[accept.unit_code][1], accept.channel, accept.applicant_type,
            accept.window_code, accept.staff_code,
        )  # fmt: skip
        return CaseChange(
            case_no,
            [_event((ev.kind, _EPOCH + timedelta(microseconds=ev.at_us), ev.reason)) for _, ev in accepted],
            promised,
            [ev for _, ev in accepted],
            header,
        )

    def _extend(
        self, case_no: str, item_id: int, stored: list[tuple], fresh: list[tuple[Rec, NewEvent]]
    ) -> CaseChange | None:
        """New events of a stored case: each must keep the rules for itself and for every stored event."""
        events = sorted(stored)
        added: list[NewEvent] = []
        for rec, ev in fresh:
            entry = (ev.at_us, rec[ORDER], rec[LINE], ev.kind, ev.reason, ev)
            candidate = sorted([*events, entry])
            refused = _first_refused(candidate)
            if refused is None:
                events = candidate
                added.append(ev)
                continue
            if candidate[refused] is entry:
                status = None
                for e in candidate[:refused]:
                    status = deadlines.status_after(status, e[3])
                accept_at = next((_local_text(e[0]) for e in events if e[3] == deadlines.ACCEPT), "")
                message = deadlines.refusal(status, ev.kind, accept_at)
            else:
                broken = candidate[refused]
                when = _local_text(broken[0])
                message = f"与已导入的办件过程冲突：加入该环节后，{when} 的“{EventKind(broken[3]).label}”环节不再成立"
            self.result.reject(rec[LINE], "event", message)
        if not added:
            return None
        return CaseChange(
            case_no,
            [deadlines.Event(e[3], moment(e[0]), e[4]) for e in events],
            self.catalog.promised[item_id],
            added,
        )


def import_events(table: Table, result: ImportResult, run: ImportRun) -> None:
    # The import holds up to IMPORT_MEMORY_ROWS tuples and makes a few per row, none in a cycle:
    # the cyclic garbage collector would walk them all again and again for nothing (a fifth of the
    # time). Reference counting still frees every one.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _import_events(table, result, run)
    finally:
        if collecting:
            gc.enable()


def _import_events(table: Table, result: ImportResult, run: ImportRun) -> None:
    catalog = _Catalog.load()
    ensure_indexes()  # a bulk load killed before it rebuilt them left some missing
    recs = _sorted(
        _checked(table.text_blocks(NAMES, BLOCK), result, _Checker(catalog)), settings.IMPORT_MEMORY_ROWS
    )
    # Into empty case tables (a region's first import): nothing stored to look up, and the
    # secondary indexes built once at the end (govwatch.cases.bulkload).
    bulk = not Case.objects.exists()
    chunker = _Chunker(result, run, catalog, bulk=bulk)
    with indexes_deferred() if bulk else nullcontext():
        for chunk in _chunks(recs, CHUNK_CASES):
            chunker.process(chunk)
            table.tick()  # the run's heartbeat, while the writes go on after the reading
