"""The rectification loop in a real browser: an inspector records a check on a phone, a unit
reports progress and asks for sign-off, the supervisor signs off, a look-back reopens the problem;
the reminders reach the outbox and the quarterly scores the reports page."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from govwatch.hallchecks.models import Inspection
from govwatch.rectification.models import Problem
from govwatch.rectification.rhythm import daily_reminders
from govwatch.tests.fixtures import sign_in
from govwatch.workcal.calendar import get_calendar

from .conftest import TZ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.problems = []
    page.on(
        "console", lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return page


def jpeg() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (120, 140, 160)).save(out, format="JPEG")
    return {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_an_inspector_records_a_check_on_a_phone(context, page, live_server, region, people):
    from govwatch.hallchecks.shipped import ensure_shipped

    ensure_shipped()  # an earlier test that flushed the database took the migration's rows
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "jiwei")
    page.goto(live_server.url + "/halls/new/")
    page.get_by_role("link", name="适老化服务检查表").click()
    page.get_by_label("被检查单位（服务大厅、窗口单位）").select_option(label="\u3000区政务服务中心")
    cards = page.locator(".check-item")
    for i in range(cards.count()):
        cards.nth(i).get_by_label("符合", exact=True).check()
    magnifier = cards.nth(3)
    magnifier.get_by_label("不符合").check()
    magnifier.get_by_label("情况说明").fill("咨询台未配备放大镜、老花镜")
    magnifier.get_by_label("照片").set_input_files(jpeg())
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="提交检查记录").click()

    expect(page.locator(".messages")).to_contain_text("检查已记录：1 项不符合")
    inspection = Inspection.objects.get()
    problem = inspection.rlist.problems.get()
    assert problem.unit.code == "C" and "放大镜" in problem.description
    assert page.locator(".photos img").count() == 1
    assert page.problems == []


def test_progress_sign_off_and_a_look_back_that_reopens(page, live_server, problems, people, tmp_path):
    problem = problems["1"]
    url = f"{live_server.url}/rectification/problems/{problem.pk}/"
    evidence = tmp_path / "学习记录.pdf"
    evidence.write_bytes(b"%PDF-1.4 minutes of the study session")

    sign_in(page, live_server, "shichang")
    page.goto(url)
    page.get_by_label("整改进展").fill("已召开党组理论学习中心组专题学习会")
    page.get_by_role("button", name="提交进展").click()
    expect(page.locator(".messages")).to_contain_text("已报告整改进展")
    page.get_by_label("整改完成情况").fill("专题学习已列入年度计划并落实")
    page.locator("form[action$='/submit/'] input[type=file]").set_input_files(str(evidence))
    page.get_by_role("button", name="申请销号").click()
    expect(page.locator("h1")).to_contain_text("待销号审核")
    assert page.get_by_role("button", name="审核通过，予以销号").count() == 0

    sign_in(page, live_server, "jiwei")
    page.goto(url)
    assert page.get_by_role("link", name="学习记录.pdf").count() >= 1
    page.get_by_role("button", name="审核通过，予以销号").click()
    expect(page.locator("h1")).to_contain_text("已销号")

    page.get_by_label("问题反弹，重新整改").check()
    page.get_by_label("回头看情况").fill("回头看发现专题学习流于形式")
    new_deadline = timezone.localdate() + timedelta(days=30)
    page.get_by_label("新的整改时限（问题反弹时填写）").fill(new_deadline.isoformat())
    page.get_by_role("button", name="登记回头看").click()

    expect(page.locator("h1")).to_contain_text("反弹重新整改")
    timeline = page.locator(".timeline").inner_text()
    for words in ("报告进展", "申请销号", "审核销号", "回头看：问题反弹"):
        assert words in timeline
    assert Problem.objects.get(pk=problem.pk).reopen_count == 1
    assert page.problems == []


def test_reminders_in_the_outbox_and_scores_on_the_reports_page(page, live_server, problems, people):
    today = timezone.localdate()
    cal = get_calendar()
    workday = cal.add_workdays(today, 1).date
    daily_reminders(datetime.combine(workday, time(9), tzinfo=TZ))

    sign_in(page, live_server, "jiwei")
    assert "整改清单" in page.get_by_role("navigation", name="主导航").inner_text()
    page.goto(live_server.url + "/supervision/outbox/?kind=reminder")
    outbox = page.locator("table").inner_text()
    assert "整改问题提醒" in outbox and "区市场监管局" in outbox

    sign_in(page, live_server, "lingdao")
    page.goto(live_server.url + "/reports/")
    # The assessment is a tab of 统计报表.
    page.get_by_role("navigation", name="统计报表").get_by_role("link", name="整改考核").click()
    page.get_by_label("年度").fill("2026")
    page.get_by_label("季度").select_option(label="第1季度")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**quarter=1**")
    assert "按时销号率" in page.locator(".formula").inner_text()
    assert "区市场监管局" in page.locator("table.assessment").inner_text()
    assert page.problems == []
