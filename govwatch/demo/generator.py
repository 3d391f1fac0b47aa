"""Synthetic region for demos and load tests: the five files of contract section 2.

The region and its catalog are small and built in memory; the facts (case events, evaluations,
complaints) are simulated one working day at a time and streamed to disk. A case's whole life is
drawn when it is accepted and its future rows wait in a heap keyed by time; each day the rows due
before that day are written. The heap holds only what is still pending (open cases and their
coming evaluations), so memory is bounded by the cases open at one time, not by the cases written
(a province year of 20 million events peaks near 210 MB), and the files come out in time order.

Working-day arithmetic is done on indexes into the year's list of working days (from the shipped
chinese-calendar schedule): "accepted on working day i, promised p days" is due on working day
i + p, and a suspension from working day s to working day r moves it by r - s, which is exactly
the contract's rule (working days d with s < d <= r).

Scales: `district` is one district shaped after the seed reports (28 departments and about 10
streets, about 2,000 items, 96,000 cases a year). `province` is 100 such districts under a province
root (kind `district`, the contract has no province kind), each with its own org tree and its own
items (codes prefixed by the district's code, same catalog names), and 100 times the facts.
`fraction` scales the facts only, for quick tests and throughput measurements.
"""

from __future__ import annotations

import csv
import errno
import heapq
import math
import os
import random
import time
from bisect import bisect
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govwatch.evaluations.rules import is_negative

from . import complaint_texts, names, projects, rectification_lists, windows
from .catalog_extras import FIELDS as EXTRA_FIELDS
from .catalog_extras import catalog_extras
from .evaluation_faults import EvaluationRealism
from .lateness import Pace
from .names import TYPE_CODES, Base

UNIT_FIELDS = ["code", "name", "parent_code", "kind", "phone"]
ITEM_FIELDS = ["code", "name", "unit_code", "type", "level", "legal_days", "promised_days", "online"]
ITEM_FIELDS += EXTRA_FIELDS  # the seeds' catalog figures (catalog_extras)
CASE_FIELDS = [
    "case_no",
    "event",
    "at",
    "item_code",
    "unit_code",
    "channel",
    "applicant_type",
    "window_code",
    "staff_code",
    "reason",
    "event_id",
]
EVALUATION_FIELDS = [
    "eval_id",
    "level",
    "at",
    "case_no",
    "unit_code",
    "channel",
    "window_code",
    "evaluator",
    "auto",
    "comment",
]
COMPLAINT_FIELDS = ["complaint_id", "at", "source", "content", "unit_code", "case_no", "category", "contact"]
# Contract 1.1's kind and urgency, and GovWatch's outcome of a complaint handled before the period's end.
COMPLAINT_FIELDS += ["kind", "urgency", "closed_at", "finding", "reply", "callback"]
FILES = {
    "units": ("units.csv", UNIT_FIELDS),
    "items": ("items.csv", ITEM_FIELDS),
    "cases": ("cases.csv", CASE_FIELDS),
    "evaluations": ("evaluations.csv", EVALUATION_FIELDS),
    "complaints": ("complaints.csv", COMPLAINT_FIELDS),
}


@dataclass(frozen=True)
class Scale:
    """The shape of a region: how many districts, and how each is divided."""

    districts: int
    # Streets per district and communities per street (inclusive ranges).
    streets: tuple[int, int]
    communities: tuple[int, int]


SCALES = {
    "district": Scale(districts=1, streets=(10, 10), communities=(5, 10)),
    "province": Scale(districts=100, streets=(6, 14), communities=(5, 10)),
}

# Yearly volumes of one average district (seed reports: 9.6万余件 cases, 30401 evaluations).
CASES_PER_YEAR = 96_000
EVALUATION_SHARE = 0.335  # of completed cases
RANDOM_COMPLAINTS_PER_WORKDAY = 11  # 12345 and the other channels: about 3,000 a year

REJECT_SHARE = 0.02
WITHDRAW_SHARE = 0.01
SUSPEND_SHARE = 0.05  # of all cases; only promised (non-instant) cases are ever suspended
LATE_SHARE = 0.015
AUTO_SHARE = 0.04  # default ratings recorded when the citizen did not evaluate
AUTO_AFTER_DAYS = 5
NEGATIVE_SHARE = 0.0018  # on-time cases; late cases draw LATE_NEGATIVE_SHARE
LATE_NEGATIVE_SHARE = 0.03
BASIC_SHARE = 0.008  # level 3
SATISFIED_SHARE = 0.12  # level 4
NEGATIVE_COMPLAINT_SHARE = 0.25
LATE_COMPLAINT_SHARE = 0.06

# Office hours 08:30-12:00 and 13:30-17:30, as one 7.5-hour axis of seconds.
MORNING_START, MORNING_END, AFTERNOON_START = 8 * 3600 + 1800, 12 * 3600, 13 * 3600 + 1800
MORNING_LEN = MORNING_END - MORNING_START
OFFICE_LEN = MORNING_LEN + 4 * 3600
DAY = 86400

WEEKDAY_LOAD = (1.2, 1.05, 1.0, 0.95, 0.8)  # Monday is the busiest day in a service hall
MONTH_LOAD = (1.05, 0.8, 1.15, 1.0, 0.95, 1.0, 1.05, 1.0, 1.0, 0.9, 1.0, 1.1)

# Channel thresholds by online level: cumulative shares of window, online, mobile (kiosk: the rest).
CHANNELS = ("window", "online", "mobile", "kiosk")
CHANNEL_MIX = {"none": (1.0, 1.0, 1.0), "partial": (0.55, 0.75, 0.9), "full": (0.3, 0.6, 0.93)}
ENTERPRISE_SHARE = {"e": 0.85, "p": 0.03, "b": 0.4}
# Evaluation channels after each case channel, with their delay after completion (seconds, min-max).
EVALUATION_CHANNELS: dict[str, tuple[tuple[str, float, int, int], ...]] = {
    "window": (
        ("device", 0.55, 5, 120),
        ("qr", 0.3, 60, 1800),
        ("sms", 0.12, 600, 3 * DAY),
        ("hotline", 0.03, DAY, 10 * DAY),
    ),
    "kiosk": (("device", 0.5, 5, 120), ("qr", 0.4, 60, 1800), ("sms", 0.1, 600, 3 * DAY)),
    "online": (("web", 0.6, 600, 5 * DAY), ("sms", 0.3, 600, 3 * DAY), ("hotline", 0.1, DAY, 10 * DAY)),
    "mobile": (("app", 0.75, 300, 5 * DAY), ("sms", 0.2, 600, 3 * DAY), ("hotline", 0.05, DAY, 10 * DAY)),
}
COMPLAINT_SOURCES = (
    ("hotline", 0.45),
    ("mayor_line", 0.15),
    ("window", 0.15),
    ("web", 0.12),
    ("letter", 0.05),
    ("inspection", 0.08),
)
COMPLAINT_CATEGORIES = (
    ("attitude", 0.3),
    ("delay", 0.15),
    ("shirking", 0.15),
    ("absence", 0.12),
    ("rules", 0.15),
    ("integrity", 0.03),
    ("other", 0.1),
)
REJECT_REASONS = ("材料不齐全且逾期未补正", "不符合受理条件", "申请事项不属于本单位职权范围")
WITHDRAW_REASONS = ("申请人主动撤回", "申请人信息填写有误，撤回重新申请")

# Heap entry kinds.
ACCEPT, SUSPEND, RESUME, COMPLETE, REJECT, WITHDRAW, EVALUATION, COMPLAINT = range(8)
EVENT_NAMES = ("accept", "suspend", "resume", "complete", "reject", "withdraw")


class DemoError(ValueError):
    """Unusable arguments; the message is for the user."""


@dataclass(slots=True)
class Item:
    code: str
    name: str
    unit_code: str
    unit_name: str
    type: str
    level: str
    legal: int
    promised: int
    online: str
    enterprise: float
    windows: tuple[str, ...]
    staff: tuple[str, ...]
    # Processing speed: completion offset is (promised + 1) * U ** speed working days.
    speed: float
    late: float


@dataclass
class District:
    no: int
    code: str
    name: str
    units: list[tuple[str, str, str, str, str]]
    items: list[Item]
    cum_weights: list[float]
    yearly_cases: float
    suspend_chance: float = 0.0
    case_seq: int = 0

    def pick_item(self, rng: random.Random) -> Item:
        return self.items[bisect(self.cum_weights, rng.random() * self.cum_weights[-1])]


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FILES, 0))
    events: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EVENT_NAMES, 0))
    completed_late: int = 0
    negative_evaluations: int = 0
    auto_evaluations: int = 0


# -- the region ----------------------------------------------------------------------------------


def _weighted(rng: random.Random, choices: tuple[tuple[Any, float], ...] | tuple) -> Any:
    r = rng.random() * sum(c[1] for c in choices)
    for choice in choices:
        r -= choice[1]
        if r < 0:
            return choice
    return choices[-1]


def time_limits(rng: random.Random, type_: str) -> tuple[int, int]:
    """(legal_days, promised_days) of an item of that type: promised far below legal, as catalogs
    report after the 减时限 reforms (seed: 承诺时限较法定时限缩减92.4%)."""
    instant = {"S": 0.5, "C": 0.3, "P": 0.1, "V": 0.7, "L": 0.08, "O": 0.3}.get(type_, 0.0)
    if rng.random() < instant:
        return rng.choice((1, 1, 3, 5, 5, 10)), 0
    legal_choices = {
        "L": (5, 10, 15, 20, 20, 20, 20, 30, 30, 60),
        "C": (10, 15, 20, 20, 30),
        "P": (15, 20, 30, 60),
        "V": (5, 10),
        "A": (60,),
        "R": (30, 60),
        "O": (5, 10, 20, 20, 30),
        "S": (5, 10, 15, 20, 30),
    }[type_]
    legal = rng.choice(legal_choices)
    if type_ == "A":
        return legal, rng.randint(20, 45)
    promised = max(1, round(legal * rng.uniform(0.02, 0.14)))
    return legal, min(promised, legal)


def _online(rng: random.Random) -> str:
    r = rng.random()
    return "full" if r < 0.6 else "partial" if r < 0.97 else "none"


@cache
def _district_names() -> tuple[str, ...]:
    return tuple(f"{a}{b}区" for a in names.DISTRICT_FIRST for b in names.DISTRICT_SECOND)


def build_district(
    rng: random.Random, no: int, name: str, parent: str, scale: Scale, yearly_cases: float
) -> District:
    code = f"D{no:03d}"
    units: list[tuple[str, str, str, str, str]] = []
    phone_seq = 0

    def phone() -> str:
        nonlocal phone_seq
        phone_seq += 1
        return f"1380{no:03d}{phone_seq:04d}"

    units.append((code, name, parent, "district", phone()))
    units.append((f"{code}-ZX", f"{name}政务服务中心", code, "center", phone()))
    units.append((f"{code}-JW", f"{name}纪委监委", code, "supervisor", phone()))

    items: list[Item] = []
    weights: list[float] = []
    item_seq = {"district": 0, "town": 0, "village": 0}
    level_letter = {"district": "Q", "town": "Z", "village": "C"}
    window_seq = 0

    def windows(count: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        nonlocal window_seq
        codes = []
        staff = []
        for _ in range(count):
            window_seq += 1
            codes.append(f"W{window_seq:02d}")
            staff.extend(f"S{no:03d}{window_seq:03d}{k}" for k in (1, 2))
        return tuple(codes), tuple(staff)

    def add_item(
        base: Base,
        name_: str,
        unit_code: str,
        unit_name: str,
        level: str,
        limits: tuple[int, int],
        online: str,
        place: tuple[tuple[str, ...], tuple[str, ...]],
        demand: float,
    ) -> None:
        """Add an item; its popularity is its listed yearly volume or a draw from the long tail."""
        item_seq[level] += 1
        items.append(
            Item(
                code=f"{code}-{level_letter[level]}{item_seq[level]:04d}",
                name=name_,
                unit_code=unit_code,
                unit_name=unit_name,
                type=TYPE_CODES[base.type],
                level=level,
                legal=limits[0],
                promised=limits[1],
                online=online,
                enterprise=ENTERPRISE_SHARE[base.who],
                windows=place[0],
                staff=place[1],
                speed=rng.uniform(0.6, 2.5),
                late=LATE_SHARE * rng.uniform(0.6, 1.4),
            )
        )
        hot = (
            names.HOT_ITEMS if level == "district" else names.HOT_TOWN_ITEMS if level == "town" else {}
        ).get(name_)
        weights.append(hot or names.TAIL_CASES[level] * demand * rng.lognormvariate(0, 1.0))

    # Departments: the center's 60 windows shared out by demand, at least one each.
    total_demand = sum(d.demand for d in names.DEPARTMENTS)
    for i, dept in enumerate(names.DEPARTMENTS, 1):
        dept_code = f"{code}-B{i:02d}"
        dept_name = name + dept.name[1:]
        units.append((dept_code, dept_name, code, "department", phone()))
        for k, section in enumerate(dept.sections, 1):
            units.append((f"{dept_code}-K{k}", section, dept_code, "section", ""))
        place = windows(max(1, round(60 * dept.demand / total_demand)))
        for base in dept.bases:
            for variant in base.variants:
                if rng.random() < 0.95:  # each district's catalog claims nearly all of the common one
                    add_item(
                        base,
                        base.name + variant,
                        dept_code,
                        dept_name,
                        "district",
                        time_limits(rng, base.type),
                        _online(rng),
                        place,
                        dept.demand,
                    )

    # Streets and their communities implement the town and village catalogs; a catalog entry has
    # the same time limits in every street of the district.
    town_limits = [time_limits(rng, base.type) for base in names.TOWN_ITEMS]
    town_online = [_online(rng) for _ in names.TOWN_ITEMS]
    village_limits = [time_limits(rng, base.type) for base in names.VILLAGE_ITEMS]
    street_names = rng.sample(names.STREET_NAMES, rng.randint(*scale.streets))
    community_names = [a + b for a in names.COMMUNITY_FIRST for b in names.COMMUNITY_SECOND]
    rng.shuffle(community_names)
    for j, street in enumerate(street_names, 1):
        street_code = f"{code}-J{j:02d}"
        street_name = f"{street}街道"
        units.append((street_code, street_name, code, "street", phone()))
        place = windows(rng.randint(2, 4))
        for k, base in enumerate(names.TOWN_ITEMS):
            if rng.random() < 0.9:
                add_item(
                    base,
                    base.name,
                    street_code,
                    street_name,
                    "town",
                    town_limits[k],
                    town_online[k],
                    place,
                    1.0,
                )
        for m in range(1, rng.randint(*scale.communities) + 1):
            community_code = f"{street_code}-S{m:02d}"
            community_name = f"{community_names.pop()}社区"
            units.append((community_code, community_name, street_code, "community", phone()))
            place = windows(1)
            for k in sorted(rng.sample(range(len(names.VILLAGE_ITEMS)), rng.randint(7, 12))):
                base = names.VILLAGE_ITEMS[k]
                add_item(
                    base,
                    base.name,
                    community_code,
                    community_name,
                    "village",
                    village_limits[k],
                    "partial",
                    place,
                    1.0,
                )

    district = District(no, code, name, units, items, list(accumulate(weights)), yearly_cases)
    # Suspensions concern promised cases only; scale their chance so that SUSPEND_SHARE of all
    # cases are suspended whatever this district's mix of instant items.
    promised_share = sum(w for w, item in zip(weights, items, strict=True) if item.promised) / sum(weights)
    district.suspend_chance = min(0.5, SUSPEND_SHARE / max(promised_share, 0.01))
    return district


def build_region(
    rng: random.Random, scale: Scale, fraction: float
) -> tuple[list[tuple[str, str, str, str, str]], list[District]]:
    """The units above the districts, and the districts."""
    district_names = rng.sample(_district_names(), scale.districts)
    if scale.districts == 1:
        return [], [build_district(rng, 1, district_names[0], "", scale, CASES_PER_YEAR * fraction)]
    root = ("P00", "示范省", "", "district", "")
    sizes = [rng.lognormvariate(0, 0.5) for _ in range(scale.districts)]
    mean = sum(sizes) / len(sizes)
    districts = [
        build_district(
            rng, no, district_names[no - 1], root[0], scale, CASES_PER_YEAR * fraction * size / mean
        )
        for no, size in enumerate(sizes, 1)
    ]
    return [root], districts


# -- time ----------------------------------------------------------------------------------------


@cache
def _clock() -> tuple[str, ...]:
    """ "HH:MM:SS+08:00" for every second of a day: formatting is the hot path of the writer."""
    return tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08:00" for s in range(DAY))


def from_office(o: int) -> int:
    """Second of the day of a position on the office-hours axis."""
    return MORNING_START + o if o < MORNING_LEN else AFTERNOON_START + o - MORNING_LEN


def to_office(sec: int) -> int:
    if sec < MORNING_START:
        return 0
    if sec < MORNING_END:
        return sec - MORNING_START
    if sec < AFTERNOON_START:
        return MORNING_LEN
    return min(MORNING_LEN + sec - AFTERNOON_START, OFFICE_LEN)


def office_after(rng: random.Random, sec: int) -> int:
    """A moment later the same day, in office hours when some are left (else a little overtime)."""
    o = to_office(sec)
    if o >= OFFICE_LEN - 120:
        return sec + 60 + int(rng.random() * 1800)
    return from_office(o + 60 + int(rng.random() * (OFFICE_LEN - o - 60)))


def working_days(year: int) -> list[date]:
    from govwatch.workcal.calendar import WorkCalendar
    from govwatch.workcal.schedule import shipped_schedule

    schedule, years = shipped_schedule()
    holidays = [d for d, kind in schedule.items() if kind == "holiday"]
    workdays = [d for d, kind in schedule.items() if kind == "workday"]
    calendar = WorkCalendar(holidays, workdays, years)
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    return [d for d in (first + timedelta(n) for n in range(days)) if calendar.is_workday(d)]


def day_loads(days: list[date]) -> list[float]:
    """Each working day's share of the year's cases: weekday and month rhythm, and the rush on
    the first working day after a long holiday."""
    loads = []
    previous = None
    for d in days:
        load = WEEKDAY_LOAD[min(d.weekday(), 4)] * MONTH_LOAD[d.month - 1]
        if previous is not None and (d - previous).days > 3:
            load *= 1.4
        loads.append(load)
        previous = d
    total = sum(loads)
    return [x / total for x in loads]


# -- the simulation ------------------------------------------------------------------------------


class Simulation:
    def __init__(
        self,
        rng: random.Random,
        year: int,
        districts: list[District],
        writers: dict[str, Any],
        summary: Summary,
        until: int | None = None,
    ):
        self.rng = rng
        self.year = year
        self.districts = districts
        self.writers = writers
        self.summary = summary
        self.workdays = [d.toordinal() for d in working_days(year)]
        # Hard items, slow units, backlogs and holidays decide who runs late (lateness.py).
        self.pace = Pace(rng.random(), self.workdays)
        first = date(year, 1, 1).toordinal()
        self.first_ordinal = first
        year_end = date(year + 1, 1, 1).toordinal() * DAY
        # The first moment after the period: the year's end, or `until` (a demo "as of now"): what
        # would happen later is not written, and cases still running then stay open.
        self.end = year_end if until is None else min(year_end, until)
        self.prefixes = [
            date.fromordinal(first + n).isoformat() + "T" for n in range(year_end // DAY - first)
        ]
        self.clock = _clock()
        self.heap: list[tuple] = []
        self.seq = 0
        self.eval_seq = 0
        self.complaint_seq = 0
        self.composer = complaint_texts.Composer(
            {u[0]: (u[1], u[2], u[3]) for d in districts for u in d.units}
        )

    def stamp(self, t: int) -> str:
        d, s = divmod(t, DAY)
        return self.prefixes[d - self.first_ordinal] + self.clock[s]

    def push(self, t: int, kind: int, case: tuple, n: int, extra: Any) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, kind, case, n, extra))

    def run(self, progress: Callable[[str], None] | None) -> None:
        loads = day_loads([date.fromordinal(o) for o in self.workdays])
        month = 0
        for index, ordinal in enumerate(self.workdays):
            if ordinal * DAY >= self.end:
                break
            self.flush(ordinal * DAY)
            for district in self.districts:
                self.new_cases(district, index, loads[index])
                self.random_complaints(district, index)
            current = date.fromordinal(ordinal).month
            if progress and current != month:
                month = current
                progress(f"{self.year}-{month:02d}: 已写入办件事件 {sum(self.summary.events.values()):,} 条")
        self.flush(self.end)
        # Left: only rows of cases accepted on the last day after `until`, whose accept was not written.
        self.heap.clear()

    # -- writing --

    def flush(self, before: int) -> None:
        heap = self.heap
        pop = heapq.heappop
        cases = self.writers["cases"].writerow
        stamp = self.stamp
        summary = self.summary
        events = summary.events
        while heap and heap[0][0] < before:
            t, _, kind, case, n, extra = pop(heap)
            if kind <= WITHDRAW:
                case_no, item, channel, applicant, window, staff = case
                name = EVENT_NAMES[kind]
                events[name] += 1
                if kind == ACCEPT:
                    cases(
                        (
                            case_no,
                            name,
                            stamp(t),
                            item.code,
                            item.unit_code,
                            channel,
                            applicant,
                            window,
                            staff,
                            "",
                            f"{case_no}-{n}",
                        )
                    )
                else:
                    if kind == COMPLETE and extra:
                        summary.completed_late += 1
                    reason = extra if isinstance(extra, str) else ""
                    cases((case_no, name, stamp(t), "", "", "", "", "", staff, reason, f"{case_no}-{n}"))
            elif kind == EVALUATION:
                self.write_evaluation(t, case, extra)
            else:
                self.write_complaint(t, case, extra)

    def write_evaluation(self, t: int, case: tuple, extra: tuple) -> None:
        level, channel, auto, comment, evaluator = extra
        self.eval_seq += 1
        case_no, item, _, _, window, _ = case
        window_code = window if channel in ("device", "qr") else ""
        self.writers["evaluations"].writerow(
            (
                f"PJ{self.year}{self.eval_seq:08d}",
                level,
                self.stamp(t),
                case_no,
                item.unit_code,
                channel,
                window_code,
                evaluator,
                "true" if auto else "false",
                comment,
            )
        )
        self.summary.counts["evaluations"] += 1
        self.summary.negative_evaluations += is_negative(level)
        self.summary.auto_evaluations += auto

    def write_complaint(self, t: int, case: tuple | None, extra: tuple) -> None:
        source, category, content, unit_code, contact, kind, urgency = extra
        closed, *outcome = complaint_texts.outcome(self.rng, kind, urgency, t, self.workdays, self.end)
        if complaint_texts.awaiting_triage(closed, case, source, t, self.end):
            unit_code = ""
        self.complaint_seq += 1
        self.writers["complaints"].writerow(
            (
                f"TS{self.year}{self.complaint_seq:07d}",
                self.stamp(t),
                source,
                content,
                unit_code,
                case[0] if case else "",
                category,
                contact,
                kind,
                urgency,
                self.stamp(closed) if closed else "",
                *outcome,
            )
        )
        self.summary.counts["complaints"] += 1

    # -- cases --

    def new_cases(self, district: District, index: int, load: float) -> None:
        rng = self.rng
        expected = district.yearly_cases * load
        count = max(0, round(rng.gauss(expected, math.sqrt(expected)))) if expected > 0 else 0
        day = self.workdays[index] * DAY
        # Case numbers follow acceptance time, as a real numbering does.
        for o in sorted(int(rng.random() * OFFICE_LEN) for _ in range(count)):
            self.new_case(district, index, day + from_office(o))

    def new_case(self, district: District, index: int, t0: int) -> None:
        rng = self.rng
        item = district.pick_item(rng)
        district.case_seq += 1
        case_no = f"{self.year}{district.no:03d}{district.case_seq:07d}"
        mix = CHANNEL_MIX[item.online]
        r = rng.random()
        channel = CHANNELS[0 if r < mix[0] else 1 if r < mix[1] else 2 if r < mix[2] else 3]
        applicant = "enterprise" if rng.random() < item.enterprise else "person"
        slot = int(rng.random() * len(item.windows))
        window = item.windows[slot] if channel == "window" else ""
        staff = item.staff[2 * slot + (rng.random() < 0.5)]
        case = (case_no, item, channel, applicant, window, staff)
        self.push(t0, ACCEPT, case, 1, None)

        promised = item.promised
        # Plan: (working-day offset from acceptance, kind, reason or late flag); times come after.
        plan: list[tuple[int, int, Any]] = []
        due = index + promised  # working-day index of the due date, moved by a suspension
        u = rng.random()
        if u < REJECT_SHARE + WITHDRAW_SHARE:
            kind, reasons = (REJECT, REJECT_REASONS) if u < REJECT_SHARE else (WITHDRAW, WITHDRAW_REASONS)
            plan.append((min(promised, int(rng.random() * 3)), kind, rng.choice(reasons)))
        else:
            late, days = self.pace.draw(item.code, item.unit_code, promised, item.speed, index)
            pause = 0
            if promised and rng.random() < district.suspend_chance:
                reason, _, fewest, most = _weighted(rng, names.SUSPEND_REASONS)
                pause = rng.randint(fewest, most)
                start = int(rng.random() * (min(days, promised) + 1))
                plan.append((start, SUSPEND, reason))
                plan.append((start + pause, RESUME, ""))
                due += pause
            plan.append((days + pause, COMPLETE, late))

        day0 = self.workdays[index]
        sec = t0 - day0 * DAY
        previous_offset = 0
        n = 1
        workdays = self.workdays
        for offset, kind, extra in plan:
            if index + offset >= len(workdays):
                return  # after the period: the case stays open
            if offset == previous_offset:
                if kind == COMPLETE and promised == 0 and n == 1:
                    # Instant items: done at the window within minutes, rarely a few hours.
                    sec = min(sec + max(60, int(rng.lognormvariate(6.8, 0.9))), max(sec + 60, 20 * 3600))
                else:
                    sec = office_after(rng, sec)
            else:
                sec = from_office(int(rng.random() * OFFICE_LEN))
            previous_offset = offset
            n += 1
            t = workdays[index + offset] * DAY + sec
            self.push(t, kind, case, n, extra)
        if kind == COMPLETE:
            self.follow_up(case, t, late, due)

    def follow_up(self, case: tuple, done: int, late: bool, due_index: int) -> None:
        """The completed case's evaluation, and the complaints a late or badly rated case draws."""
        rng = self.rng
        item = case[1]
        if late and rng.random() < LATE_COMPLAINT_SHARE and due_index + 1 < len(self.workdays):
            t = self.workdays[due_index + 1] * DAY + 8 * 3600 + int(rng.random() * 7200)
            source = rng.choice(("hotline", "mayor_line", "web"))
            self.push(t, COMPLAINT, case, 0, self.complaint(rng, item, "delay", source))
        if rng.random() >= EVALUATION_SHARE:
            return
        if rng.random() < AUTO_SHARE:
            t = done + AUTO_AFTER_DAYS * DAY
            if t < self.end:
                self.push(t, EVALUATION, case, 0, (5, "sms", True, "", self.phone(rng, 1700)))
            return
        channel, _, soonest, latest = _weighted(rng, EVALUATION_CHANNELS[case[2]])
        t = done + rng.randint(soonest, latest)
        if t >= self.end:
            return
        r = rng.random()
        negative = LATE_NEGATIVE_SHARE if late else NEGATIVE_SHARE
        if r < negative:
            level = 1 if rng.random() < 0.4 else 2
            if late:
                comment, category = rng.choice(names.LATE_NEGATIVE_COMMENTS), "delay"
            else:
                comment, category = rng.choice(names.NEGATIVE_COMMENTS)
            if rng.random() < NEGATIVE_COMPLAINT_SHARE and t + 2 * DAY < self.end:
                source = rng.choice(("window", "hotline", "hotline", "web"))
                self.push(
                    t + rng.randint(3600, 2 * DAY),
                    COMPLAINT,
                    case,
                    0,
                    self.complaint(rng, item, category, source),
                )
        elif r < negative + BASIC_SHARE:
            level, comment = 3, rng.choice(names.BASIC_COMMENTS)
        elif r < negative + BASIC_SHARE + SATISFIED_SHARE:
            level, comment = 4, rng.choice(names.GOOD_COMMENTS) if rng.random() < 0.1 else ""
        else:
            level, comment = 5, rng.choice(names.GOOD_COMMENTS) if rng.random() < 0.15 else ""
        self.push(t, EVALUATION, case, 0, (level, channel, False, comment, self.phone(rng, 1700)))

    # -- complaints --

    @staticmethod
    def phone(rng: random.Random, prefix: int) -> str:
        """A synthetic mobile number in a block no real subscriber is given in these files."""
        return f"{prefix}{int(rng.random() * 10_000_000):07d}"

    def complaint(self, rng: random.Random, item: Item, category: str, source: str) -> tuple:
        kind, urgency, category, content = self.composer.complaint(
            rng, item.name, item.unit_code, category, source
        )
        return (source, category, content, item.unit_code, self.phone(rng, 1701), kind, urgency)

    def random_complaints(self, district: District, index: int) -> None:
        """Complaints not tied to a case; hotline, web and letters arrive on rest days too."""
        rng = self.rng
        rate = RANDOM_COMPLAINTS_PER_WORKDAY * district.yearly_cases / CASES_PER_YEAR
        # Poisson by inversion: rates are small.
        count, p, r = 0, math.exp(-rate), rng.random()
        cumulative = p
        while r > cumulative and count < 50:
            count += 1
            p *= rate / count
            cumulative += p
        ordinal = self.workdays[index]
        gap = (self.workdays[index + 1] if index + 1 < len(self.workdays) else self.end // DAY) - ordinal
        for _ in range(count):
            item = district.pick_item(rng)
            source = _weighted(rng, COMPLAINT_SOURCES)[0]
            category = _weighted(rng, COMPLAINT_CATEGORIES)[0]
            if source in ("window", "inspection"):
                t = ordinal * DAY + from_office(int(rng.random() * OFFICE_LEN))
            else:
                t = (ordinal + int(rng.random() * gap)) * DAY + 7 * 3600 + int(rng.random() * 15 * 3600)
            self.push(t, COMPLAINT, None, 0, self.complaint(rng, item, category, source))


# -- entry point ---------------------------------------------------------------------------------


OS_ERRORS = {
    errno.ENOTDIR: "路径中有一段是文件而不是目录",
    errno.EEXIST: "已存在同名文件",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘空间不足",
}


def prepare_out(out: str | os.PathLike) -> Path:
    """The output directory, created if need be; DemoError when it cannot be written."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".govwatch-demo-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        why = OS_ERRORS.get(exc.errno, exc.strerror or str(exc))
        raise DemoError(f"输出目录不可写: {path}（{why}）") from exc
    return path


def write_catalog(
    writers: dict[str, Any], top: list[tuple[str, ...]], districts: list[District], summary: Summary
) -> None:
    """The master data: units (the province root first, then each district's tree) and items."""
    writers["units"].writerows(top)
    summary.counts["units"] += len(top)
    for district in districts:
        writers["units"].writerows(district.units)
        summary.counts["units"] += len(district.units)
        writers["items"].writerows(
            (i.code, i.name, i.unit_code, i.type, i.level, i.legal, i.promised, i.online, *extras)
            for i in district.items
            for extras in [catalog_extras(i.code, i.level, i.online)]
        )
        summary.counts["items"] += len(district.items)


def _moment(until: datetime | None) -> int | None:
    """A moment in the simulation's units: local (Asia/Shanghai) day ordinal * DAY + seconds."""
    if until is None:
        return None
    local = until.astimezone(ZoneInfo("Asia/Shanghai"))
    return local.date().toordinal() * DAY + local.hour * 3600 + local.minute * 60 + local.second


def generate(
    out: str | os.PathLike,
    scale: str = "district",
    seed: int = 1,
    year: int = 2026,
    fraction: float = 1.0,
    progress: Callable[[str], None] | None = None,
    until: datetime | None = None,
    faults: bool = True,
    side_files: bool = True,
) -> dict[str, Any]:
    """Write the five files into `out` and return the report: counts per file, paths, figures.

    With `until`, the year stops at that moment: the region as it stands then, open cases open.
    With `faults`, evaluation faults of every kind are planted, their answers in a file of their own.
    Without `side_files`, only those: no area, window or rectification files (`areas` and `windows`
    of the report are None). They draw from random generators of their own, after the five files
    are written, so the five are the same either way; tests that read only the five skip about half a
    district year's work.
    """
    if scale not in SCALES:
        raise DemoError(f"未知的规模: {scale!r}，可选 district（区级）或 province（省级）")
    if not 2000 <= year <= 2100:
        raise DemoError(f"年份超出范围: {year}，应在 2000 至 2100 之间")
    if not 0 < fraction <= 1:
        raise DemoError(f"比例应大于 0 且不大于 1: {fraction}")
    directory = prepare_out(out)
    started = time.monotonic()
    rng = random.Random(seed)
    top, districts = build_region(rng, SCALES[scale], fraction)
    summary = Summary()
    paths = {key: directory / filename for key, (filename, _) in FILES.items()}
    # Written under temporary names and renamed at the end: a failed run leaves no half files.
    parts = {key: path.with_suffix(".csv.part") for key, path in paths.items()}
    try:
        with ExitStack() as stack:
            writers = {
                key: csv.writer(
                    stack.enter_context(open(part, "w", encoding="utf-8", newline="", buffering=1 << 20)),
                    lineterminator="\n",
                )
                for key, part in parts.items()
            }
            realism = EvaluationRealism(
                seed, year, districts, _moment(until), working_days(year), plant=faults
            )
            writers = realism.wrap(writers)
            for key, (_, header) in FILES.items():
                writers[key].writerow(header)
            write_catalog(writers, top, districts, summary)
            Simulation(rng, year, districts, writers, summary, _moment(until)).run(progress)
            realism.finish(summary)
    except OSError as exc:
        for part in parts.values():
            part.unlink(missing_ok=True)
        why = OS_ERRORS.get(exc.errno, exc.strerror or str(exc))
        raise DemoError(f"写入输出目录失败: {directory}（{why}）") from exc
    for key, path in paths.items():
        os.replace(parts[key], path)
    end = until or datetime(year, 12, 31, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    areas = window_files = None
    if side_files:
        areas = projects.write_area_files(directory, districts[0].code, end, seed)
        window_files = windows.write_window_files(directory, districts[0], end, seed, fraction)
    planted = realism.write_answers(directory)
    if side_files:
        rectification_lists.write_lists(directory, districts[0].code, end)
    summary.counts["cases"] = sum(summary.events.values())  # one row per event
    elapsed = time.monotonic() - started
    return {
        "scale": scale,
        "seed": seed,
        "year": year,
        "fraction": fraction,
        "out": str(directory),
        "files": {key: {"path": str(paths[key]), "rows": summary.counts[key]} for key in FILES},
        "areas": areas,
        "windows": window_files,
        "counts": {
            "units": summary.counts["units"],
            "items": summary.counts["items"],
            "cases": summary.events["accept"],
            "case_events": sum(summary.events.values()),
            "events": summary.events,
            "completed_late": summary.completed_late,
            "open_at_end": summary.events["accept"]
            - summary.events["complete"]
            - summary.events["reject"]
            - summary.events["withdraw"],
            "evaluations": summary.counts["evaluations"],
            "negative_evaluations": summary.negative_evaluations,
            "auto_evaluations": summary.auto_evaluations,
            "complaints": summary.counts["complaints"],
        },
        "seconds": round(elapsed, 1),
        "evaluation_faults": planted,
    }
