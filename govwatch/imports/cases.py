"""Importing case events (办件过程): the large, fast one.

Three stages, generators all the way so that memory stays flat whatever the file's size:

1. every row is checked on its own (fields, enumerations, known item and unit) and becomes a
   compact tuple whose first fields are the sort key (case_no, at, kind order, line);
2. the tuples are sorted per case: in memory up to settings.IMPORT_MEMORY_ROWS rows, beyond that
   through a temporary SQLite file (not the main database) read back in order;
3. cases go in chunks: a chunk looks up its stored cases, their events and its event ids in a few
   IN queries, applies the order rules (merging with events stored by earlier files), and hands
   the accepted events to `govwatch.cases.events.apply_events`, one transaction per chunk.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby, islice
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.db import models

from govwatch.cases import deadlines
from govwatch.cases.events import IN_BATCH, CaseChange, CaseHeader, NewEvent, apply_events, micros, moment
from govwatch.cases.models import Case, CaseEvent
from govwatch.catalog.models import Item
from govwatch.core.choices import ApplicantType, CaseChannel, EventKind, allowed, parse_choice
from govwatch.core.localtime import local_tz
from govwatch.core.parsing import parse_timestamp
from govwatch.core.rowfields import Row, RowError, digest
from govwatch.core.tables import Record
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from .db import values_in
from .kinds import spec_of
from .models import ImportRun
from .results import ImportResult

CHUNK_CASES = 20_000
# Deadlines are computed within the working-day calendar's range (1970-2199).
_FIRST_US = micros(datetime(1970, 1, 2, tzinfo=UTC))
_LAST_US = micros(datetime(2198, 12, 31, tzinfo=UTC))
_EPOCH_NAIVE = datetime(1970, 1, 1)  # noqa: DTZ001 - UTC wall time

# A checked row. The first four fields are the sort key; event_id is "" when the file gave none
# (the canonical one is computed when the case is processed, so as not to hold it in memory).
Rec = tuple[str, int, int, int, str, str, str, str, str, str, str, str, str]
CASE_NO, AT_US, ORDER, LINE, KIND, EVENT_ID, ITEM, UNIT, CHANNEL, APPLICANT, WINDOW, STAFF, REASON = range(13)
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


def _checked(rows: Iterator[Record], result: ImportResult, checker: _Checker) -> Iterator[Rec]:
    for line, values in rows:
        result.read += 1
        try:
            if isinstance(values, RowError):
                raise values
            rec = checker.check(values)
        except RowError as exc:
            result.reject(line, exc.field, exc.message)
            continue
        yield (rec[0], rec[1], rec[2], line, *rec[4:])


def _sorted(recs: Iterator[Rec], limit: int) -> Iterator[Rec]:
    """Stage 2: the rows in (case_no, at, kind order, line) order, in memory or through a disk file."""
    held = list(islice(recs, limit + 1))
    if len(held) <= limit:
        held.sort()
        yield from held
        return
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
            del held
            db.executemany(insert, recs)  # consumes the generator row by row
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


def event_key(rec: Rec) -> str:
    """The event's idempotency key: its own event_id, else "case_no:event:at" with `at` in UTC
    (`utc_text`'s form, 2026-02-12T02:00:00Z), computed here from the sort key for speed."""
    if rec[EVENT_ID]:
        return rec[EVENT_ID]
    return f"{rec[CASE_NO]}:{rec[KIND]}:{(_EPOCH_NAIVE + timedelta(microseconds=rec[AT_US])).isoformat()}Z"


def _digest(rec: Rec) -> str:
    return digest(
        rec[CASE_NO], rec[KIND], rec[AT_US], rec[ITEM], rec[UNIT], rec[CHANNEL], rec[APPLICANT], rec[WINDOW],
        rec[STAFF], rec[REASON],
    )  # fmt: skip


def _new_event(rec: Rec, event_id: str, dg: str) -> NewEvent:
    return NewEvent(
        event_id, rec[CASE_NO], rec[KIND], rec[AT_US], rec[ITEM], rec[UNIT], rec[CHANNEL], rec[APPLICANT],
        rec[WINDOW], rec[STAFF], rec[REASON], dg,
    )  # fmt: skip


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

    def __init__(self, result: ImportResult, run: ImportRun, catalog: _Catalog):
        self.result = result
        self.run = run
        self.catalog = catalog
        self.calendar = get_calendar()

    def process(self, chunk: list[list[Rec]]) -> None:
        case_nos = [group[0][CASE_NO] for group in chunk]
        stored_cases = values_in(Case, "case_no", case_nos, "item_id")
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
        keyed = [[(rec, event_key(rec), _digest(rec)) for rec in group] for group in chunk]
        known = values_in(CaseEvent, "event_id", [k for group in keyed for _, k, _ in group], "digest")
        seen: dict[str, tuple[int, str]] = {}
        changes: list[CaseChange] = []
        for group in keyed:
            fresh = self._unseen(group, known, seen)
            if not fresh:
                continue
            case_no = group[0][0][CASE_NO]
            if case_no in stored_cases:
                change = self._extend(
                    case_no, stored_cases[case_no][0], stored_events.get(case_no, []), fresh
                )
            else:
                change = self._create(case_no, fresh)
            if change is not None:
                changes.append(change)
        self.result.imported += apply_events(changes, self.calendar, self.run.pk)

    def _unseen(
        self, group: list[tuple[Rec, str, str]], known: dict[str, tuple], seen: dict[str, tuple[int, str]]
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
            fresh.append((rec, _new_event(rec, key, dg)))
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
            [deadlines.Event(ev.kind, moment(ev.at_us), ev.reason) for _, ev in accepted],
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


def import_events(rows: Iterator[Record], result: ImportResult, run: ImportRun) -> None:
    catalog = _Catalog.load()
    recs = _sorted(_checked(rows, result, _Checker(catalog)), settings.IMPORT_MEMORY_ROWS)
    chunker = _Chunker(result, run, catalog)
    for chunk in _chunks(recs, CHUNK_CASES):
        chunker.process(chunk)
