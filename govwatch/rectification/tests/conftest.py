"""Fixtures of the rectification tests: people of each role, a list imported through the real
importer, and files in the offices' own form."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import Workbook

from govwatch.accounts.models import Membership, Role
from govwatch.audit.log import Actor
from govwatch.imports.rectification import HEADER  # noqa: F401  (the tests import it from here)

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery"
PDF = ("整改报告.pdf", b"%PDF-1.4 evidence")


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=TZ)


def write_xlsx(path: Path, rows: list[list[object]], merges: list[str] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@dataclass
class People:
    supervisor: object
    office: object
    leader: object
    market_staff: object
    social_staff: object
    market_supervisor: object

    def actor(self, name: str) -> Actor:
        return Actor(f"user:{name}", getattr(self, name), "127.0.0.1")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(region, django_user_model) -> People:
    def person(name: str, role: str, unit):
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=user, role=role, unit=unit)
        return user

    return People(
        supervisor=person("jiwei", Role.SUPERVISOR, region["root"]),
        office=person("zhengwuban", Role.OFFICE, region["root"]),
        leader=person("lingdao", Role.LEADER, region["root"]),
        market_staff=person("shichang", Role.UNIT_STAFF, region["market"]),
        social_staff=person("renshe", Role.UNIT_STAFF, region["social"]),
        # A discipline inspector stationed in the market bureau (派驻纪检组): a supervisor, but of
        # the responsible unit itself.
        market_supervisor=person("paizhu", Role.SUPERVISOR, region["market"]),
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def import_list(tmp_path):
    """Import rows (under the Chinese header) through `govwatch import rectification`'s service."""
    from govwatch.imports.runs import run_import

    counter = iter(range(1, 1000))

    def run(
        rows: list[list[object]], *, header: list[str] = HEADER, title: str | None = None, fmt: str = "xlsx"
    ):
        table = ([[title]] if title else []) + [header] + rows
        path = tmp_path / f"list-{next(counter)}.{fmt}"
        if fmt == "xlsx":
            write_xlsx(path, table, ["A1:K1"] if title else [])
        else:
            write_csv(path, table)
        return run_import("rectification", path)

    return run


@pytest.fixture
def problems(region, import_list):
    """List XC1 of an inspection round: problem 1 of the market bureau due Thursday 5 March 2026,
    problem 2 of the social bureau due Friday 20 March 2026."""
    from govwatch.rectification.models import Problem

    result = import_list([
        ["XC1", "区委第一巡察组反馈意见整改清单", "巡察", "2026-02-10", "1", "学习贯彻方面", "学习不深入", "张局长", "SC", "2026年3月5日", "专题学习"],
        ["XC1", "区委第一巡察组反馈意见整改清单", "巡察", "2026-02-10", "2", "作风方面", "考勤不严", "李局长", "RS", "2026-03-20", "严格考勤"],
    ])  # fmt: skip
    assert result.rejected == 0, result.errors
    return {p.no: p for p in Problem.objects.select_related("rlist", "unit")}
