"""An order's whole life in a real browser (Debian's headless Chromium driven by Playwright):
the supervisor drills down from the board and issues it, the unit replies, the supervisor accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_pages import PASSWORD, scanned  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    # Nothing may leave the machine, and nothing may break the Content-Security-Policy.
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


def test_board_to_order_to_reply_to_acceptance(page, live_server, people, scanned, tmp_path):  # noqa: F811
    sign_in(page, live_server, "jiwei")
    page.goto(live_server.url + "/supervision/")
    assert "截至 2026-03-20 09:00 扫描" in page.locator(".scan-info").inner_text()
    assert page.locator(".tile-red .tile-value").inner_text() == "3"

    page.locator("table.board-units tr", has_text="区市场监管局").locator("a.count-red").click()
    page.wait_for_url("**/cases/?card=red&unit=SC")
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("link", name="SC-RED").click()
    page.wait_for_url("**/cases/SC-RED/")

    # The case page's "下发督办单" link leads here (the link itself belongs to the case page).
    page.goto(live_server.url + "/supervision/orders/new/?case=SC-RED")
    assert "SC-RED" in page.get_by_label("督办要求").input_value()
    page.get_by_label("督办等级").select_option(label="黄色书面通知")
    page.get_by_role("button", name="下发").click()
    page.wait_for_url("**/supervision/orders/*/")
    order_url = page.url
    assert "已下发" in page.locator("h1").inner_text()
    sign_out(page)

    sign_in(page, live_server, "shichang")
    page.goto(live_server.url + "/supervision/inbox/")
    page.get_by_role("link", name="督办〔2026〕第0001号").click()
    page.wait_for_url(order_url)
    page.get_by_label("整改措施").fill("已补正审批流程，责任人已说明超时原因")
    page.get_by_label("办理结果").fill("已于当日办结并告知申请人")
    evidence = tmp_path / "整改说明.pdf"
    evidence.write_bytes("%PDF-1.4 整改说明".encode())
    page.get_by_label("附件（可多选，每个不超过 10 MB）").set_input_files(str(evidence))
    page.get_by_role("button", name="提交回复").click()
    page.wait_for_url(order_url)
    assert "已回复" in page.locator("h1").inner_text()
    # Under its reply round, and beside the reply in the timeline.
    expect(page.locator(".attachment-list").get_by_role("link", name="整改说明.pdf")).to_be_visible()
    expect(page.locator("ol").get_by_role("link", name="整改说明.pdf")).to_be_visible()
    sign_out(page)

    sign_in(page, live_server, "jiwei")
    page.goto(live_server.url + "/supervision/orders/")
    page.get_by_role("link", name="督办〔2026〕第0001号").click()
    page.wait_for_url(order_url)
    page.get_by_label("验收意见").fill("整改到位，同意办结")
    page.get_by_role("button", name="验收办结").click()
    page.wait_for_url(order_url)
    assert "已办结" in page.locator("h1").inner_text()
    steps = page.locator("ol.order-timeline li .event-kind")
    assert steps.all_inner_texts() == ["下发督办", "单位回复", "验收办结"]
    assert page.get_by_role("button", name="验收办结").count() == 0
