"""Fixtures shared by every app's tests: a calendar loaded from the shipped schedule, a small org tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from govwatch.workcal import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shipped_calendar(db):
    """The database seeded with the chinese-calendar years, as `govwatch init` does."""
    from govwatch.workcal.calendar import get_calendar
    from govwatch.workcal.schedule import load_shipped

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
    market = Unit.objects.create(code="SC", name="区市场监管局", kind="department", parent=root, phone="13800001111")
    social = Unit.objects.create(code="RS", name="区人社局", kind="department", parent=root, phone="13800002222")
    street = Unit.objects.create(code="ST", name="城关街道", kind="street", parent=root)
    community = Unit.objects.create(code="ST1", name="东门社区", kind="community", parent=street)
    supervisor = Unit.objects.create(code="JW", name="区纪委监委", kind="supervisor", parent=root, phone="13900009999")
    items = {
        "I9": Item.objects.create(code="I9", name="食品经营许可", unit=market, type="licensing", legal_days=20, promised_days=9, online="full"),
        "I2": Item.objects.create(code="I2", name="就业登记", unit=social, type="confirmation", legal_days=10, promised_days=2, online="partial"),
        "I0": Item.objects.create(code="I0", name="社保卡补办", unit=community, type="public_service", legal_days=1, promised_days=0),
    }
    return {
        "root": root, "center": center, "market": market, "social": social, "street": street,
        "community": community, "supervisor": supervisor, "items": items, "calendar": shipped_calendar,
    }


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
