"""Each demo role in a real browser: what it sees, what it does not, and the audit trail it leaves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from govwatch.demo.users import ensure_demo_users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logins(settings, tmp_path, cases) -> dict[str, str]:
    settings.VAR_DIR = tmp_path / "var"
    return {username: secret for username, secret, _ in ensure_demo_users()}


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page that records Content-Security-Policy violations and script errors."""
    page = context.new_page()
    page.problems = []
    # Refused pages (403, 404) log their status to the console too: those are expected here.
    page.on(
        "console", lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return page


def sign_in(page, live_server, username: str, password: str) -> None:
    # A late response (the favicon of an admin page) would set the old session cookie again.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


# What every role of a region sees in the navigation (web/navigation.py ENTRIES), in order.
AREAS = [
    "首页", "单位", "事项", "办件", "电子监察", "风险预测", "差评整改", "投诉", "重点项目", "双随机", "互联网+监管",
    "评议监督", "整改清单", "窗口", "统计报表",
]  # fmt: skip


def nav_links(page) -> list[str]:
    return page.get_by_role("navigation", name="主导航").get_by_role("link").all_inner_texts()


def test_each_role_sees_its_pages_and_not_the_others(page, live_server, logins):
    sign_in(page, live_server, "supervisor", logins["supervisor"])
    page.wait_for_url(live_server.url + "/")
    assert nav_links(page) == [*AREAS, "审计日志"]
    assert "纪检监察 · 测试区" in page.locator(".account").inner_text()
    page.goto(live_server.url + "/units/")
    assert (
        page.locator("table.tree tbody tr").count() == 6
    )  # one level at a time: the district and the units under it

    sign_in(page, live_server, "unitstaff", logins["unitstaff"])
    page.wait_for_url(live_server.url + "/")
    assert nav_links(page) == AREAS
    assert "单位工作人员 · 区人社局" in page.locator(".account").inner_text()
    page.goto(live_server.url + "/cases/")
    numbers = page.locator("table.cases tbody tr td:first-child").all_inner_texts()
    assert sorted(n.strip() for n in numbers) == ["RS2026020201", "RS2026030301"]
    assert page.goto(live_server.url + "/cases/SC2026030001/").status == 404
    assert page.goto(live_server.url + "/audit/").status == 403
    page.goto(live_server.url + "/admin/")
    assert "/admin/login/" in page.url

    sign_in(page, live_server, "leader", logins["leader"])
    page.wait_for_url(live_server.url + "/")
    assert "管理后台" not in nav_links(page) and "审计日志" not in nav_links(page)
    page.goto(live_server.url + "/units/")
    assert (
        page.locator("table.tree tbody tr").count() == 6
    )  # one level at a time: the district and the units under it, page.locator("body").inner_text()
    assert page.get_by_role("button", name="显示完整号码").count() == 0

    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("integration")
    page.get_by_label("密码").fill(logins["integration"])  # even the token is no page password
    page.get_by_role("button", name="登录").click()
    assert "正确的" in page.locator(".form-errors").inner_text()
    assert page.problems == []


def test_the_supervisor_sees_what_the_office_did_and_reveals_a_phone(page, live_server, logins):
    sign_in(page, live_server, "office", logins["office"])
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="管理后台").click()
    page.get_by_role("link", name="事项", exact=True).first.click()
    page.get_by_role("link", name="I9").click()
    page.get_by_label("承诺时限").fill("7")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/admin/catalog/item/")

    sign_in(page, live_server, "supervisor", logins["supervisor"])
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("操作", exact=True).select_option("admin.change")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.audit tbody tr").first
    assert "office" in row.inner_text() and "事项" in row.inner_text()
    row.get_by_text("修改后").click()
    assert '"promised_days": 7' in row.inner_text()
    page.get_by_role("button", name="校验哈希链").click()
    # The click returns once the answer starts loading: wait for the verdict, do not sample it.
    expect(page.get_by_text("哈希链完整")).to_be_visible()

    page.goto(live_server.url + "/units/SC/")
    facts = page.locator("dl.facts")
    assert "138****1111" in facts.inner_text()
    facts.get_by_role("button", name="显示完整号码").click()
    facts.get_by_text("13800001111").wait_for()
    page.goto(live_server.url + "/audit/?action=pii.reveal")
    assert "查看完整单位联系电话" in page.locator("table.audit tbody").inner_text()
    assert page.problems == []


@pytest.mark.parametrize("path", ["/admin/", "/admin/catalog/item/add/", "/api/docs/"])
def test_admin_and_api_docs_work_under_the_content_security_policy(page, live_server, logins, path):
    sign_in(page, live_server, "admin", logins["admin"])
    page.wait_for_url(live_server.url + "/")
    response = page.goto(live_server.url + path)
    assert response.status == 200 and "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    if path == "/api/docs/":
        page.locator(".swagger-ui .information-container").wait_for()
    assert page.problems == []


def test_five_wrong_passwords_lock_the_account_in_the_browser(page, live_server, logins):
    for _ in range(5):
        sign_in(page, live_server, "leader", "wrong-password")
    expect(page.get_by_text("登录失败次数过多")).to_be_visible()
    sign_in(page, live_server, "leader", logins["leader"])
    expect(page.get_by_text("登录失败次数过多")).to_be_visible()
