"""A small district with honest evaluation data, built through the real importers, and the means to
add faults (and their innocent look-alikes) to it."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
DEPARTMENTS = [f"B{i}" for i in range(1, 9)]
WINDOWS = ("W1", "W2", "W3")
CASE_FIELDS = ["case_no", "event", "at", "item_code", "unit_code", "channel", "window_code", "event_id"]
EVAL_FIELDS = [
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


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    """A local moment; minutes and seconds may run over (9:00 plus 70 seconds)."""
    return datetime(y, m, d, tzinfo=TZ) + timedelta(hours=hh, minutes=mm, seconds=ss)


def workdays(first: date, last: date) -> list[date]:
    from govwatch.workcal.calendar import get_calendar

    cal = get_calendar()
    return [
        first + timedelta(n) for n in range((last - first).days + 1) if cal.is_workday(first + timedelta(n))
    ]


@dataclass
class Case:
    case_no: str
    unit: str
    window: str
    accepted: datetime
    completed: datetime | None


@dataclass
class World:
    """Rows to import: cases (accept and complete events) and evaluations."""

    tmp: Path
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    cases: list[Case] = field(default_factory=list)
    evaluations: list[list] = field(default_factory=list)
    seq: int = 0
    loaded: int = 0

    def case(self, unit: str, window: str, accepted: datetime, completed: datetime | None = None,
             channel: str = "window") -> Case:  # fmt: skip
        self.seq += 1
        case = Case(f"C{self.seq:06d}", unit, window, accepted, completed)
        case.channel = channel  # type: ignore[attr-defined]
        self.cases.append(case)
        return case

    def rate(self, case: Case | str, when: datetime, *, level: int = 5, channel: str = "device",
             window: str | None = None, evaluator: str = "", comment: str = "", unit: str = "",
             auto: bool = False) -> str:  # fmt: skip
        self.seq += 1
        eval_id = f"E{self.seq:07d}"
        case_no = case.case_no if isinstance(case, Case) else case
        if window is None:
            window = case.window if isinstance(case, Case) and channel in ("device", "qr") else ""
        self.evaluations.append(
            [eval_id, level, when.isoformat(), case_no, unit, channel, window, evaluator, "true" if auto else "false", comment]
        )  # fmt: skip
        return eval_id

    def phone(self) -> str:
        return f"139{self.rng.randrange(10**8):08d}"

    def honest(self, first: date, last: date, per_day: int = 6, share: float = 0.4,
               units: list[str] | None = None) -> None:  # fmt: skip
        """Each department's windows serve `per_day` cases a working day; `share` of them are rated,
        most on the window's device a moment after completion, some later by SMS."""
        rng = self.rng
        for day in workdays(first, last):
            for unit in units or DEPARTMENTS:
                for window in WINDOWS:
                    for _ in range(per_day):
                        start = at(day.year, day.month, day.day, 8, 40) + timedelta(
                            seconds=rng.randrange(8 * 3600)
                        )
                        if start.hour in (12, 13) or start.hour >= 17:
                            start -= timedelta(hours=4)
                        done = start + timedelta(minutes=rng.randint(5, 40))
                        case = self.case(unit, window, start, done)
                        if rng.random() < share:
                            if rng.random() < 0.7:
                                self.rate(
                                    case,
                                    done + timedelta(seconds=rng.randint(5, 90)),
                                    level=rng.choice((5, 5, 5, 4)),
                                )
                            else:
                                self.rate(case, done + timedelta(hours=rng.randint(1, 30)), channel="sms",
                                          evaluator=self.phone(), level=rng.choice((5, 5, 4)))  # fmt: skip

    def load(self):
        """Import what was added since the last load through the real importers."""
        from govwatch.imports.runs import run_import

        self.loaded += 1
        events = []
        for c in self.cases:
            channel = getattr(c, "channel", "window")
            events.append(
                [c.case_no, "accept", c.accepted.isoformat(), "I-" + c.unit, c.unit, channel, c.window, ""]
            )
            if c.completed:
                events.append([c.case_no, "complete", c.completed.isoformat(), "", "", "", "", ""])
        results = {}
        for kind, header, rows in (
            ("cases", CASE_FIELDS, events),
            ("evaluations", EVAL_FIELDS, self.evaluations),
        ):
            if not rows:
                continue
            path = self.tmp / f"{kind}-{self.loaded}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(rows)
            results[kind] = run_import(kind, path)
        self.cases, self.evaluations = [], []
        return results


@pytest.fixture
def town(shipped_calendar):
    """A district (hours 08:30-12:00,14:00-17:30) with eight departments of three windows each,
    every department with one instant item, and a supervisor unit."""
    from govwatch.catalog.models import Item
    from govwatch.orgs.models import Unit

    root = Unit.objects.create(code="D", name="测试区", kind="district", hours="08:30-12:00,14:00-17:30")
    Unit.objects.create(code="JW", name="区纪委监委", kind="supervisor", parent=root)
    for i, code in enumerate(DEPARTMENTS, 1):
        unit = Unit.objects.create(code=code, name=f"第{i}局", kind="department", parent=root)
        Item.objects.create(code=f"I-{code}", name=f"事项{i}", unit=unit, legal_days=5, promised_days=0)
    return root


@pytest.fixture
def world(town, tmp_path) -> World:
    return World(tmp_path)


@pytest.fixture
def check():
    """Run the checks over a period: {kind: [candidates]} of what they found."""
    from govwatch.audit.log import Actor
    from govwatch.checks.runs import run_checks

    def run(first: date, last: date, **kwargs) -> dict:
        result = run_checks(first, last, Actor("test"), **kwargs)
        found: dict[str, list] = {}
        for o in result.outcomes:
            found.setdefault(o.candidate.kind, []).append(o)
        run.last = result  # type: ignore[attr-defined]
        return found

    return run


def named(found: dict, kind: str) -> set[str]:
    """The evaluations the findings of a kind name."""
    return {e for o in found.get(kind, []) for e in o.candidate.eval_ids}


@dataclass
class People:
    supervisor: object
    office: object
    leader: object
    staff: object  # of B1
    other_staff: object  # of B2


@pytest.fixture
def people(town, django_user_model) -> People:
    from govwatch.accounts.models import Membership, Role
    from govwatch.orgs.models import Unit

    def person(name: str, role: str, code: str):
        user = django_user_model.objects.create_user(name, password="correct-horse-battery")
        Membership.objects.create(user=user, role=role, unit=Unit.objects.get(code=code))
        return user

    return People(
        supervisor=person("jiwei", Role.SUPERVISOR, "D"), office=person("zwb", Role.OFFICE, "D"),
        leader=person("lingdao", Role.LEADER, "D"), staff=person("b1", Role.UNIT_STAFF, "B1"),
        other_staff=person("b2", Role.UNIT_STAFF, "B2"),
    )  # fmt: skip


def actor(user) -> Actor:  # noqa: F821 - imported late: Django is set up by then
    from govwatch.audit.log import Actor

    return Actor(f"user:{user.get_username()}", user, "127.0.0.1")


def client_of(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
