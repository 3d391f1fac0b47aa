"""A complaint from the public page to the callback, in a real browser: a citizen on a phone writes
it; the office accepts the dispatch suggestion; the unit records its finding with evidence and
replies; the citizen reads the reply through the receipt; the office calls back and closes."""

from __future__ import annotations

import pytest

from govwatch.complaints import suggest
from govwatch.complaints.models import Complaint, DispatchRecord

from .conftest import PASSWORD, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["complaint_id", "at", "source", "content", "unit_code", "category", "closed_at"]
HISTORY = [
    ["H1", "2026-03-02T10:00:00", "hotline", "营业执照办了一个月还没下来，市场监管局一直拖", "SC", "delay", "2026-03-03T10:00:00"],
    ["H2", "2026-03-02T11:00:00", "web", "市监局窗口办个体户执照，工作人员态度很差", "SC", "attitude", "2026-03-03T10:00:00"],
    ["H3", "2026-03-02T12:00:00", "hotline", "失业金申请一个多月没到账，人社局不答复", "RS", "delay", "2026-03-03T10:00:00"],
]  # fmt: skip


@pytest.fixture
def trained(import_complaints):
    assert import_complaints(HEADER, HISTORY).rejected == 0
    suggest.forget()
    suggest.retrain(force=True)
    suggest.forget()
    yield
    suggest.forget()


def watch(page, live_server) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith(live_server.url) else None)
    return problems


def sign_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def test_a_complaint_from_the_public_page_to_the_callback(browser, live_server, people, trained):
    phone_context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    phone = phone_context.new_page()
    phone_problems = watch(phone, live_server)
    desk_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    desk = desk_context.new_page()
    desk_problems = watch(desk, live_server)

    # The citizen, on a phone.
    phone.goto(live_server.url + "/e/complaint/")
    assert phone.get_by_role("heading", name="我要反映").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("反映内容").fill("想办营业执照，市场监管局窗口让我跑了三趟还没办下来")
    phone.get_by_label("联系电话").fill(PHONE)
    phone.wait_for_timeout(2100)  # a person reads before sending
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url("**/e/complaint/r/**")
    receipt = phone.url
    assert "正在分派给承办单位" in phone.locator("main").inner_text()
    complaint = Complaint.objects.get(complaint_id__startswith="TS")

    # The office accepts the dispatch suggestion in one click.
    sign_in(desk, live_server, "zhengwuban")
    desk.goto(live_server.url + "/complaints/")
    desk.get_by_role("link", name=complaint.complaint_id).click()
    assert desk.get_by_text("智能派单建议").is_visible()
    assert PHONE not in desk.content()
    desk.get_by_role("button", name="采纳建议，分办至 区市场监管局").click()
    assert desk.get_by_text("已分办至 区市场监管局").is_visible()
    assert DispatchRecord.objects.get().accepted

    # The unit investigates, with evidence, and replies.
    sign_in(desk, live_server, "shichang")
    desk.goto(live_server.url + f"/complaints/{complaint.pk}/")
    desk.get_by_label("核查结论").select_option("partly")
    desk.get_by_label("核查（办理）情况").fill("调取窗口监控，首次办理时一次性告知不到位属实")
    desk.locator("input[type=file]").first.set_input_files(
        files=[{"name": "告知单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 evidence"}]
    )
    desk.get_by_role("button", name="提交核查情况").click()
    assert desk.get_by_text("已登记核查情况").is_visible()
    desk.get_by_label("答复内容").fill("已为您开通绿色通道办结营业执照，并对窗口人员批评教育。")
    desk.get_by_role("button", name="提交答复").click()
    assert desk.get_by_text("已答复群众，等待回访").is_visible()

    # The citizen reads the reply.
    phone.goto(receipt)
    text = phone.locator("main").inner_text()
    assert "已为您开通绿色通道" in text and "调取窗口监控" not in text

    # The office calls back and closes.
    sign_in(desk, live_server, "zhengwuban")
    desk.goto(live_server.url + f"/complaints/{complaint.pk}/")
    desk.get_by_label("满意", exact=True).check()
    desk.get_by_label("回访情况").fill("电话回访，群众表示满意")
    desk.get_by_role("button", name="提交回访结果").click()
    desk.get_by_role("button", name="办结", exact=True).click()
    assert desk.get_by_text("已办结").first.is_visible()
    timeline = desk.locator("ol.timeline").inner_text()
    for step in ("受理", "分办", "核查", "答复", "回访", "办结"):
        assert step in timeline

    phone.goto(receipt)
    assert "已办结" in phone.locator("main").inner_text()
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.closed_on_time
    phone_context.close()
    desk_context.close()
    assert phone_problems == [] and desk_problems == []
