"""Window operations in a real browser (Debian's headless Chromium driven by Playwright): the
supervisor ties an absence found at a window to the person; the unit's staff report a kiosk fault
and repair it; nothing leaves the machine, nothing breaks the Content-Security-Policy."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from govwatch.kiosks.models import Kiosk, KioskFault
from govwatch.tests.fixtures import PASSWORD
from govwatch.windows.models import AbsenceReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_an_absence_tied_to_the_person_from_the_attendance_page(page, live_server, hall, people):
    sign_in(page, live_server, "jiwei")
    page.get_by_role("link", name="窗口", exact=True).first.click()
    page.locator("nav.tabs").get_by_role("link", name="考勤").click()
    page.get_by_role("link", name="王芳").first.click()
    page.get_by_label("发现日期").fill("2026-03-02")
    page.get_by_label("发现时刻").fill("10:15")
    page.get_by_label("来源", exact=True).select_option(label="监督检查")
    page.get_by_label("投诉编号或检查记录编号").fill("JC2026-009")
    page.get_by_label("脱岗情况").fill("检查时窗口无人，经查擅自离岗")
    page.get_by_role("button", name="登记脱岗").click()
    assert "已登记 王芳 的脱岗情况" in page.locator(".messages").inner_text()
    assert AbsenceReport.objects.get().reference == "JC2026-009"


def test_a_kiosk_fault_reported_and_repaired(page, live_server, hall, people):
    Kiosk.objects.create(
        code="K1", name="24小时自助区1号机", unit=hall["market"], location="区政务服务中心东门"
    )
    sign_in(page, live_server, "shichang")
    page.goto(live_server.url + "/kiosks/")
    page.get_by_role("link", name="K1 24小时自助区1号机").click()
    page.get_by_label("故障类型").select_option(label="验证码收不到")
    page.get_by_label("故障描述").fill("群众反映收不到手机验证码")
    page.get_by_role("button", name="报修").click()
    assert "修复期限" in page.locator(".messages").inner_text()
    page.get_by_label("情况说明").fill("短信网关欠费，已续费恢复")
    page.get_by_role("button", name="已修复").click()
    page.wait_for_load_state()
    fault = KioskFault.objects.get()
    assert fault.status == "repaired" and fault.repaired_at <= datetime.now(ZoneInfo("UTC"))
    assert "短信网关欠费" in page.locator(".timeline").inner_text()
