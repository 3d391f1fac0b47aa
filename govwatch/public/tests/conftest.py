"""Fixtures of the public channels' tests: cases completed relative to the real clock (the links
and the evaluation window run on it), a registered applicant phone, signed-form helpers."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from govwatch.cases.models import Case
from govwatch.public.contacts import register_applicant_phone
from govwatch.public.tokens import STAMP_SALT
from govwatch.tests.fixtures import build_case

PHONE = "13912345678"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _public_settings(settings):
    settings.EVALUATION_WINDOW_DAYS = 7
    settings.PUBLIC_BASE_URL = ""


@pytest.fixture
def make_case(region) -> Callable[..., Case]:
    """make_case(no, completed_ago=2 h): a case of the 2-day item, completed that long ago (None: open)."""

    def make(
        case_no: str,
        completed_ago: timedelta | None = timedelta(hours=2),
        *,
        item: str = "I2",
        window_code: str = "W01",
        channel: str = "window",
    ) -> Case:
        now = timezone.now()
        the_item = region["items"][item]
        completed = now - completed_ago if completed_ago is not None else None
        events = [("accept", (completed or now) - timedelta(hours=30))]
        if completed is not None:
            events.append(("complete", completed))
        return build_case(case_no, the_item, events, channel=channel, window_code=window_code)

    return make


@pytest.fixture
def done(make_case) -> Case:
    """A case completed two hours ago whose applicant left a phone."""
    case = make_case("RS2026110001")
    register_applicant_phone(case.case_no, PHONE)
    return case


def aged_stamp(scope: str, seconds: float = 5) -> str:
    """A form stamp as if the form had been shown `seconds` ago (a person's filling time)."""
    nonce = secrets.token_urlsafe(9)
    return signing.Signer(salt=STAMP_SALT).sign_object({"s": scope, "t": time.time() - seconds, "n": nonce})


def token_of(path: str) -> str:
    """The token of /e/<token>/."""
    return path.removeprefix("/e/").strip("/")


def evaluation_post(token: str, **fields) -> dict:
    data = {"level": "5", "comment": "", "website": "", "stamp": aged_stamp(token)}
    data.update(fields)
    return data


@pytest.fixture
def staff(db, django_user_model, region) -> dict:
    """Signed-in staff by role: the service office, a unit's staff (social bureau), another unit's."""
    from govwatch.accounts.models import Membership, Role

    def person(name: str, role: str, unit) -> object:
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=user, role=role, unit=unit)
        return user

    return {
        "office": person("zwb", Role.OFFICE, region["root"]),
        "social": person("rs", Role.UNIT_STAFF, region["social"]),
        "market": person("sc", Role.UNIT_STAFF, region["market"]),
    }


@pytest.fixture
def client():
    """The test client, its evaluation POSTs through the lean WSGI path first, as deployed."""
    from .lean import LeanClient

    return LeanClient()
