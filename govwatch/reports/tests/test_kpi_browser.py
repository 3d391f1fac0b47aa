"""The reports page (统计报表) in a real browser: one level of the tree at a time, the drill-down to
the next level and back by the trail, the sorting of the level's units, and a unit's staff seeing
only their own unit's level."""

from __future__ import annotations

import pytest

from govwatch.tests.fixtures import sign_in

from ...figures.tests.test_level import busy_region  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = "date_from=2026-01-01&date_to=2026-12-01"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def _units(page) -> list[str]:
    return [
        name.strip()
        for name in page.locator(
            "table.kpi-level tbody.unit-group tr:first-child td.unit-col"
        ).all_inner_texts()
    ]


def test_the_year_opens_one_level_drills_down_and_sorts(page, live_server, busy_region, people):  # noqa: F811
    sign_in(page, live_server, "ld")
    page.goto(f"{live_server.url}/reports/?{YEAR}")
    shown = _units(page)
    # The district's children, each with its roll-up; not the community below the street.
    assert len(shown) == 5 and any("城关街道" in u for u in shown)
    assert not any("东门社区" in u for u in shown)
    assert "测试区 合计（含下级）" in page.locator("table.kpi-level tfoot").inner_text()
    # The street has a unit below it: its name opens the next level.
    page.locator("table.kpi-level").get_by_role("link", name="城关街道").click()
    page.wait_for_url("**unit=ST**")
    assert [u.split()[0] for u in _units(page)] == ["东门社区", "西门社区"]
    assert "城关街道 合计（含下级）" in page.locator("table.kpi-level tfoot").inner_text()
    # The trail leads back to the top.
    page.locator("p.trail").get_by_role("link", name="全部").click()
    page.wait_for_url(f"**/reports/?{YEAR}")
    # Sorting by 受理量 moves whole units and keeps the total last.
    page.locator("table.kpi-level thead th", has_text="受理量").first.click()
    received = page.locator(
        "table.kpi-level tbody.unit-group tr:first-child td:nth-child(2)"
    ).all_inner_texts()
    values = [int(v.replace(",", "")) for v in received]
    assert values == sorted(values, reverse=True) and len(values) == 5
    assert page.problems == []


def test_a_units_staff_sees_their_unit_and_below_it_alone(page, live_server, busy_region, people):  # noqa: F811
    sign_in(page, live_server, "st")
    page.goto(f"{live_server.url}/reports/?{YEAR}")
    assert [u.split()[0] for u in _units(page)] == ["东门社区", "西门社区"]
    table = page.locator("table.kpi-level").inner_text()
    assert "城关街道 合计（含下级）" in table and "测试区" not in table and "区人社局" not in table
    # Another unit's level is not theirs to open.
    market = page.request.get(f"{live_server.url}/reports/?{YEAR}&unit=SC")
    assert market.status == 400 and "区市场监管局 合计" not in market.text()
    assert page.problems == []
