"""Fixtures of the web tests: users, a few cases built the way the importer builds them, a browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.complaints.models import Complaint
from govwatch.core import pii
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit
from govwatch.tests.fixtures import build_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct-horse-battery"
EVALUATOR_PHONE = "13912345678"
COMPLAINT_CONTACT = "13787654321"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_case(
    case_no: str,
    item: Item,
    events: list[tuple[str, datetime, str]],
    *,
    unit: Unit | None = None,
    card: str = "none",
    card_at: datetime | None = None,
) -> Case:
    """A case and its events, stored as an import stores them (through apply_events); `card` as a
    scan at `card_at` left it."""
    case = build_case(case_no, item, events, unit=unit, event_window_code="W01")
    if card != "none" or card_at is not None:
        Case.objects.filter(pk=case.pk).update(card=card, card_at=card_at)
        case.refresh_from_db()
    return case


@dataclass
class Cases:
    red: Case
    yellow: Case
    done: Case
    late: Case
    suspended: Case
    community: Case


@pytest.fixture
def cases(region) -> Cases:
    """Six cases of 2026 across the market bureau, the social bureau and a community."""
    i9, i2, i0 = region["items"]["I9"], region["items"]["I2"], region["items"]["I0"]
    red = make_case(
        "SC2026030001",
        i9,
        [("accept", local(2026, 3, 2, 9, 30), "")],
        card="red",
        card_at=local(2026, 3, 20, 8, 0),
    )
    yellow = make_case(
        "SC2026031001",
        i9,
        [("accept", local(2026, 3, 10, 10, 0), "")],
        card="yellow",
        card_at=local(2026, 3, 18, 8, 0),
    )
    done = make_case(
        "RS2026030301",
        i2,
        [
            ("accept", local(2026, 3, 3, 9, 0), ""),
            ("complete", local(2026, 3, 4, 16, 0), ""),
        ],
    )
    late = make_case(
        "RS2026020201",
        i2,
        [
            ("accept", local(2026, 2, 2, 9, 0), ""),
            ("complete", local(2026, 2, 27, 11, 0), ""),
        ],
    )
    suspended = make_case(
        "SC2026030501",
        i9,
        [
            ("accept", local(2026, 3, 5, 9, 0), ""),
            ("suspend", local(2026, 3, 6, 10, 0), "申请人补正材料"),
            ("resume", local(2026, 3, 11, 9, 0), ""),
        ],
    )
    community = make_case(
        "ST2026040101",
        i0,
        [
            ("accept", local(2026, 4, 1, 9, 0), ""),
            ("complete", local(2026, 4, 1, 9, 20), ""),
        ],
    )
    ev_hash, ev_enc = pii.protect(EVALUATOR_PHONE)
    Evaluation.objects.create(
        eval_id="E1",
        level=5,
        at=local(2026, 3, 4, 16, 5),
        case=done,
        unit=done.unit,
        channel="qr",
        evaluator_hash=ev_hash,
        evaluator_enc=ev_enc,
        comment="办理很快，窗口态度好",
        digest="-",
    )
    ct_hash, ct_enc = pii.protect(COMPLAINT_CONTACT)
    Complaint.objects.create(
        complaint_id="T1",
        at=local(2026, 3, 19, 14, 0),
        source="hotline",
        content="食品经营许可超期未办",
        unit=red.unit,
        case=red,
        category="delay",
        contact_hash=ct_hash,
        contact_enc=ct_enc,
        digest="-",
    )
    return Cases(red=red, yellow=yellow, done=done, late=late, suspended=suspended, community=community)


@pytest.fixture
def user(db, django_user_model, region):
    """A supervisor of the whole region: sees everything, as the pages' tests expect."""
    from govwatch.accounts.models import Membership, Role

    person = django_user_model.objects.create_user("zhangsan", password=PASSWORD)
    Membership.objects.create(user=person, role=Role.SUPERVISOR, unit=region["root"])
    return person


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", password=PASSWORD)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def people(db, django_user_model, region) -> dict:
    """One user per role, bound as the demo region binds them; unit staff of two departments."""
    from govwatch.accounts.models import Membership, Role

    def person(name: str, role: str | None, unit: Unit | None = None):
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        if role is not None:
            Membership.objects.create(user=user, role=role, unit=unit)
        return user

    return {
        "supervisor": person("jw", Role.SUPERVISOR, region["root"]),
        "office": person("zwb", Role.OFFICE, region["root"]),
        "market": person("sc", Role.UNIT_STAFF, region["market"]),
        "social": person("rs", Role.UNIT_STAFF, region["social"]),
        "leader": person("ld", Role.LEADER, region["root"]),
        "integration": person("api", Role.INTEGRATION, region["root"]),
        "nobody": person("nobody", None),
        "admin": django_user_model.objects.create_superuser("root", password=PASSWORD),
    }


@pytest.fixture
def as_user(client):
    """as_user(user): the test client signed in as that user (the previous one signed out)."""

    def sign_in(user):
        client.logout()
        client.force_login(user)
        return client

    return sign_in
