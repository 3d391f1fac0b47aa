"""The pages in a real browser: Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("zhangsan")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    # Nothing may leave the machine: any request to another host fails the test.
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://localhost") else None)
    yield page
    context.close()
    assert outside == []


def test_sign_in_filter_red_cards_and_read_a_case_timeline(page, live_server, user, cases):
    sign_in(page, live_server)
    nav = page.get_by_role("navigation", name="主导航")
    for label in ("首页", "单位", "事项", "办件"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_text("zhangsan")).to_be_visible()

    nav.get_by_role("link", name="办件").click()
    page.wait_for_url("**/cases/")
    assert page.locator("table.cases tbody tr").count() == 6

    page.get_by_label("亮牌").select_option("red")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/cases/?*card=red*")
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 1
    assert rows.first.locator(".badge-red").inner_text() == "红牌"

    rows.first.get_by_role("link", name="SC2026030001").click()
    page.wait_for_url("**/cases/SC2026030001/")
    timeline = page.locator("ol.timeline")
    assert "受理" in timeline.inner_text()
    assert "2026-03-02 09:30" in timeline.inner_text()
    expect(page.get_by_role("heading", name="投诉")).to_be_visible()


def test_a_suspended_case_shows_its_suspension_in_the_timeline(page, live_server, user, cases):
    sign_in(page, live_server)
    page.goto(live_server.url + "/cases/SC2026030501/")
    events = page.locator("ol.timeline li")
    assert [e.locator(".event-kind").inner_text() for e in events.all()] == ["受理", "挂起", "恢复"]
    assert "申请人补正材料" in events.nth(1).inner_text()


def test_nav_fits_a_phone_screen(browser, live_server, user, region):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, live_server)
        nav = page.get_by_role("navigation", name="主导航")
        for label in ("首页", "单位", "事项", "办件"):
            link = nav.get_by_role("link", name=label)
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 375
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        # The stylesheet came from GovWatch itself: the bar has its colour.
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
            == "rgb(158, 27, 20)"
        )
        # The page itself does not scroll sideways; wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.goto(live_server.url + "/cases/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_logout_returns_to_the_login_page(page, live_server, user, region):
    sign_in(page, live_server)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
