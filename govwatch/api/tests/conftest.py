"""Accounts of every role, their API clients, and facts loaded through the import service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govwatch.accounts.models import Membership, Role
from govwatch.core.tables import object_table
from govwatch.imports.kinds import FIELDS
from govwatch.imports.runs import run_import_records

EVALUATOR_PHONE = "13912345678"
COMPLAINT_CONTACT = "13787654321"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The push throttle counts in the cache; each test starts with a clean count.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(region) -> dict:
    User = get_user_model()

    def person(name: str, role: str, unit) -> object:
        # No password: the tests sign in by token or session, and hashing one costs a second each.
        user = User.objects.create_user(name)
        Membership.objects.create(user=user, role=role, unit=unit)
        return user

    return {
        "office": person("office", Role.OFFICE, region["root"]),
        "leader": person("leader", Role.LEADER, region["root"]),
        "supervisor": person("jw", Role.SUPERVISOR, region["root"]),
        "market": person("sc-staff", Role.UNIT_STAFF, region["market"]),
        "street": person("st-staff", Role.UNIT_STAFF, region["street"]),
        "hub": person("hub-system", Role.INTEGRATION, region["root"]),
        "street_system": person("st-system", Role.INTEGRATION, region["street"]),
        "market_system": person("sc-system", Role.INTEGRATION, region["market"]),
    }


@pytest.fixture
def token_client() -> Callable[[object], APIClient]:
    """A client that authenticates as a system does: `Authorization: Token <key>`."""

    def make(user) -> APIClient:
        client = APIClient(REMOTE_ADDR="10.1.2.3")
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    return make


@pytest.fixture
def session_client() -> Callable[[object], APIClient]:
    """A client logged in as a person is, with CSRF checks on as in a browser."""

    def make(user) -> APIClient:
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


def load(kind: str, records: list[dict]) -> None:
    result = run_import_records(
        kind, object_table(records, FIELDS[kind]), operator_label="test", filename="test"
    )
    assert result.rejected == 0, result.errors


@pytest.fixture
def facts(region) -> None:
    """A case of the market department, one of the community, one the street handles for the market
    (通办), each evaluated with a phone as evaluator, and complaints with a phone as contact."""
    load(
        "cases",
        [
            {"case_no": "M1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
            {"case_no": "M1", "event": "suspend", "at": "2026-03-03T09:00:00", "reason": "补正材料"},
            {"case_no": "M1", "event": "resume", "at": "2026-03-05T09:00:00"},
            {"case_no": "C1", "event": "accept", "at": "2026-03-02T10:00:00", "item_code": "I0"},
            {"case_no": "C1", "event": "complete", "at": "2026-03-02T11:00:00"},
            {
                "case_no": "S1",
                "event": "accept",
                "at": "2026-03-04T10:00:00",
                "item_code": "I9",
                "unit_code": "ST",
            },
        ],
    )
    load(
        "evaluations",
        [
            {"eval_id": "E-M1", "level": "2", "at": "2026-03-06T10:00:00", "case_no": "M1",
             "evaluator": EVALUATOR_PHONE, "comment": "等太久"},
            {"eval_id": "E-C1", "level": "5", "at": "2026-03-02T12:00:00", "case_no": "C1",
             "evaluator": EVALUATOR_PHONE},
        ],
    )  # fmt: skip
    load(
        "complaints",
        [
            {"complaint_id": "K-M1", "at": "2026-03-06T11:00:00", "source": "hotline", "content": "窗口推诿",
             "unit_code": "SC", "contact": COMPLAINT_CONTACT},
            {"complaint_id": "K-C1", "at": "2026-03-06T12:00:00", "source": "window", "content": "态度不好",
             "case_no": "C1", "contact": COMPLAINT_CONTACT},
        ],
    )  # fmt: skip
