"""The timeline chart in a real browser (Debian's headless Chromium): ECharts served by GovWatch
draws it, nothing is fetched from elsewhere and nothing breaks the Content-Security-Policy; the
unit reports its month from a phone."""

from __future__ import annotations

from datetime import date

import pytest

from govwatch.projects.models import KeyProject, Milestone, ProgressReport
from govwatch.tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    outside: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://localhost") else None)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert outside == [] and problems == []


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def test_the_timeline_is_drawn_and_a_month_is_reported_from_a_phone(page, live_server, people, region):
    project = KeyProject.objects.create(
        code="XM01", name="智能制造产业园一期", unit=region["market"], leader="王副区长",
        start_date=date(2025, 1, 1), planned_end=date(2027, 12, 31),
    )  # fmt: skip
    Milestone.objects.create(project=project, seq=1, name="施工许可", planned_date=date(2025, 3, 1))
    sign_in(page, live_server, "shichang")
    page.goto(live_server.url + "/projects/")
    chart = page.locator("[data-chart='chart-projects-timeline']")
    chart.locator("canvas").wait_for()
    assert chart.bounding_box()["height"] > 300
    page.get_by_role("link", name="智能制造产业园一期").click()
    page.get_by_label("月份").fill("2025-03")
    page.get_by_label("累计完成进度（%）").fill("10")
    page.get_by_label("本月进展").fill("完成场平")
    page.get_by_role("button", name="提交月报").click()
    page.wait_for_url("**/projects/*/#reports")
    assert ProgressReport.objects.get().percent == 10
    assert "已提交 2025年3月 月报" in page.content()
