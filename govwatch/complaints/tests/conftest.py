"""Fixtures of complaint handling: the test region, people of each role, complaints in each state."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from govwatch.accounts.models import Membership, Role
from govwatch.audit.log import Actor

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery"
PHONE = "13712345678"


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass
class People:
    supervisor: object
    office: object
    leader: object
    market_staff: object
    social_staff: object

    def actor(self, name: str) -> Actor:
        return Actor(f"user:{name}", getattr(self, name), "127.0.0.1")

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(getattr(self, name))
        return client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person(django_user_model, name: str, role: str, unit) -> object:
    user = django_user_model.objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def people(region, django_user_model) -> People:
    return People(
        supervisor=person(django_user_model, "jiwei", Role.SUPERVISOR, region["root"]),
        office=person(django_user_model, "zhengwuban", Role.OFFICE, region["root"]),
        leader=person(django_user_model, "lingdao", Role.LEADER, region["root"]),
        market_staff=person(django_user_model, "shichang", Role.UNIT_STAFF, region["market"]),
        social_staff=person(django_user_model, "renshe", Role.UNIT_STAFF, region["social"]),
    )


@pytest.fixture
def receive(region):
    """A complaint taken by GovWatch (the public web page by default), at a moment."""
    from govwatch.complaints.handling import receive as take

    def run(when: datetime, content: str = "窗口工作人员态度生硬，多次询问不予理睬", **fields):
        fields.setdefault("source", "web")
        return take(Actor("public:complaint"), content=content, at=when, **fields)

    return run


@pytest.fixture
def import_complaints(region, tmp_path):
    """Import complaint rows through the real importer; returns the result."""
    from govwatch.imports.runs import run_import

    counter = iter(range(1, 10_000))

    def run(header: list[str], rows: list[list[object]]):
        return run_import("complaints", write_csv(tmp_path / f"complaints-{next(counter)}.csv", header, rows))

    return run


@pytest.fixture
def import_cases_one(region, tmp_path):
    """One case of the market bureau's licence, accepted Monday 2 March 2026, imported."""
    from govwatch.cases.models import Case
    from govwatch.imports.runs import run_import

    path = write_csv(tmp_path / "cases.csv", ["case_no", "event", "at", "item_code"],
                     [["SC-001", "accept", "2026-03-02T09:00:00", "I9"]])  # fmt: skip
    assert run_import("cases", path).rejected == 0
    return Case.objects.get(case_no="SC-001")


def handled(
    people: People, complaint, start: datetime, *, callback: str = "satisfied", until: str = "closed"
):
    """The complaint worked through by the market bureau and the office an hour a step from
    `start`: found, replied, called back (`callback`), then closed, up to the step `until`."""
    from datetime import timedelta

    from govwatch.complaints import handling

    staff, office = people.actor("market_staff"), people.actor("office")
    steps = [
        ("found", lambda c, t: handling.do_find(staff, c, finding="", text="已核查", at=t)),
        ("replied", lambda c, t: handling.do_reply(staff, c, reply="已电话答复", at=t)),
        ("called_back", lambda c, t: handling.do_callback(office, c, result=callback, note="电话回访", at=t)),
        ("closed", lambda c, t: handling.do_close(office, c, at=t)),
    ]
    for n, (status, step) in enumerate(steps):
        complaint = step(complaint, start + timedelta(hours=n))
        if status == until:
            break
    return complaint
