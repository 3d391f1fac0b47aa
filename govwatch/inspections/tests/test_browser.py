"""The data check to accountability in a real browser (Debian's headless Chromium): the supervisor
sees a burst with its timeline, raises it, issues the feedback form; the unit answers; the
supervisor accepts and records who is held to account."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from govwatch.checks.models import Kind
from govwatch.checks.tests.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    outside: list[str] = []
    refused: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://localhost") else None)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert outside == [] and refused == []


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")


def test_a_burst_found_raised_answered_and_held_to_account(page, live_server, people, world, check):
    world.honest(date(2026, 3, 2), date(2026, 3, 20), units=["B1", "B2"])
    old = [world.case("B1", "W2", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(10)]
    for k, c in enumerate(old):
        world.rate(c, at(2026, 3, 18, 15, 0, 4 * k))
    world.load()
    finding = check(date(2026, 3, 1), date(2026, 3, 31))[Kind.BURST][0].finding

    sign_in(page, live_server, "jiwei")
    page.get_by_role("link", name="评议监督").click()
    page.wait_for_url("**/checks/findings/")
    page.get_by_role("link", name=finding.number).click()
    # a click does not wait for the page it opens: expect() waits, count() would read the list
    expect(page.locator("figure.rating-timeline").first.locator("circle.flagged")).to_have_count(10)
    page.get_by_role("button", name="立查").click()
    page.get_by_label("检查人员").fill("专项检查组（王伟）")
    page.get_by_role("button", name="立查").click()
    page.wait_for_url("**/inspections/*/")
    inspection_url = page.url
    page.get_by_role("button", name="下发检查反馈表").click()
    expect(page.locator("body")).to_contain_text("检查反馈〔2026〕第0001号")
    sign_out(page)

    sign_in(page, live_server, "b1")
    page.goto(inspection_url)
    page.get_by_label("问题1的整改措施").fill("已调取监控，评价器由窗口人员代评，已停用并整改")
    page.get_by_label("总体整改情况").fill("已召开专题会议整改")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator("h1")).to_contain_text("待审核")
    sign_out(page)

    sign_in(page, live_server, "jiwei")
    page.goto(inspection_url)
    page.get_by_role("button", name="验收销号").click()
    expect(page.locator("h1")).to_contain_text("已整改")
    page.get_by_role("link", name="登记问责").click()
    page.get_by_label("姓名").fill("周小平")
    page.get_by_label("问责方式").select_option(label="诫勉谈话")
    page.get_by_label("问题事实").fill("在评价器上代群众评价")
    page.get_by_label("决定机关").fill("区纪检监察工委")
    page.get_by_role("button", name="登记").click()
    page.wait_for_url("**/accountability/*/")
    expect(page.locator("h1")).to_contain_text("周小平")
