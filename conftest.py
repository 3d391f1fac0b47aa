"""Fixtures shared by every app's tests: the shipped calendar (loaded once per test database), a
small org tree, one named person per role (`people`), cases built the way the importer builds them
(`govwatch.tests.fixtures.build_case`), one browser.

The fast password hasher is set once, in govwatch/test_settings.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govwatch.tests.fixtures import People, person

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as `govwatch init` leaves it: migrated, the shipped calendar loaded. Once per
    database (each xdist worker has its own), not once per test."""
    from govwatch.workcal.schedule import load_shipped

    with django_db_blocker.unblock():
        load_shipped()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from govwatch.workcal import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture
def shipped_calendar(db):
    """The database seeded with the chinese-calendar years, as `govwatch init` does: loaded once per
    database by `django_db_setup`, loaded again only after a transactional test emptied the tables."""
    from govwatch.workcal.calendar import get_calendar
    from govwatch.workcal.models import ScheduledYear
    from govwatch.workcal.schedule import load_shipped

    if not ScheduledYear.objects.exists():
        load_shipped()
    return get_calendar()


@pytest.fixture
def region(shipped_calendar):
    """A district with a service center, two departments, a street with a community, a supervisor,
    and three items: a 9-day licence, a 2-day confirmation and an instant public service."""
    from govwatch.catalog.models import Item
    from govwatch.orgs.models import Unit

    root = Unit.objects.create(code="D", name="测试区", kind="district")
    center = Unit.objects.create(code="C", name="区政务服务中心", kind="center", parent=root)
    market = Unit.objects.create(
        code="SC", name="区市场监管局", kind="department", parent=root, phone="13800001111"
    )
    social = Unit.objects.create(
        code="RS", name="区人社局", kind="department", parent=root, phone="13800002222"
    )
    street = Unit.objects.create(code="ST", name="城关街道", kind="street", parent=root)
    community = Unit.objects.create(code="ST1", name="东门社区", kind="community", parent=street)
    supervisor = Unit.objects.create(
        code="JW", name="区纪委监委", kind="supervisor", parent=root, phone="13900009999"
    )
    items = {
        "I9": Item.objects.create(
            code="I9",
            name="食品经营许可",
            unit=market,
            type="licensing",
            legal_days=20,
            promised_days=9,
            online="full",
        ),
        "I2": Item.objects.create(
            code="I2",
            name="就业登记",
            unit=social,
            type="confirmation",
            legal_days=10,
            promised_days=2,
            online="partial",
        ),
        "I0": Item.objects.create(
            code="I0", name="社保卡补办", unit=community, type="public_service", legal_days=1, promised_days=0
        ),
    }
    return {
        "root": root,
        "center": center,
        "market": market,
        "social": social,
        "street": street,
        "community": community,
        "supervisor": supervisor,
        "items": items,
        "calendar": shipped_calendar,
    }


@pytest.fixture
def people(region, django_user_model) -> People:
    from govwatch.accounts.models import Role

    return People(
        supervisor=person(django_user_model, "jiwei", Role.SUPERVISOR, region["root"]),
        office=person(django_user_model, "zhengwuban", Role.OFFICE, region["root"]),
        leader=person(django_user_model, "lingdao", Role.LEADER, region["root"]),
        market_staff=person(django_user_model, "shichang", Role.UNIT_STAFF, region["market"]),
        social_staff=person(django_user_model, "renshe", Role.UNIT_STAFF, region["social"]),
    )


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test of the session."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test that
    # follow are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        yield browser
        browser.close()
