"""A complaint from the public page to the callback, in a real browser: a citizen on a phone writes
it; the office accepts the dispatch suggestion; the late unit gets a red card and an order; the unit
records its finding with evidence and replies; the citizen reads the reply through the receipt; the
office calls back and closes. Then the supervisors draw a callback sample and work it, and transfer
a clue with its numbered form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from docx import Document
from playwright.sync_api import expect

from govwatch.complaints import suggest
from govwatch.complaints.models import Complaint, DispatchRecord
from govwatch.core.localtime import end_of_day
from govwatch.supervision.models import SupervisionOrder
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import issue_for_overdue_watches
from govwatch.tests.fixtures import sign_in

from .conftest import PHONE

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
    expect(phone.get_by_role("heading", name="我要反映")).to_be_visible()
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
    expect(desk.get_by_text("智能派单建议")).to_be_visible()
    assert PHONE not in desk.content()
    desk.get_by_role("button", name="采纳建议，分办至 区市场监管局").click()
    expect(desk.get_by_text("已分办至 区市场监管局")).to_be_visible()
    assert DispatchRecord.objects.get().accepted

    # The unit lets it run late: the scan cards it red the day after its deadline and the orders
    # job supervises it the working day after (as a case); the unit sees both on the complaint.
    complaint.refresh_from_db()
    overdue = end_of_day(complaint.due_date)
    assert scan(overdue + timedelta(minutes=1)).watches["new_red"] == 1
    assert issue_for_overdue_watches(overdue + timedelta(days=7)) == 1
    order = SupervisionOrder.objects.get()
    sign_in(desk, live_server, "shichang")
    desk.goto(live_server.url + f"/complaints/{complaint.pk}/")
    assert desk.locator("dl.facts .badge-red").inner_text() == "红牌"
    timeline = desk.locator("ol.timeline").inner_text()
    assert "红牌超时" in timeline and "超期督办" in timeline and order.number in timeline
    desk.get_by_role("link", name=order.number).click()
    expect(desk.get_by_text("自动督办：投诉逾期")).to_be_visible()
    desk.get_by_role("link", name=f"投诉{complaint.complaint_id}").click()
    desk.wait_for_url(f"**/complaints/{complaint.pk}/")

    # The unit investigates, with evidence, and replies.
    desk.get_by_label("核查结论").select_option("partly")
    desk.get_by_label("核查（办理）情况").fill("调取窗口监控，首次办理时一次性告知不到位属实")
    desk.locator("input[type=file]").first.set_input_files(
        files=[{"name": "告知单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 evidence"}]
    )
    desk.get_by_role("button", name="提交核查情况").click()
    expect(desk.get_by_text("已登记核查情况")).to_be_visible()
    desk.get_by_label("答复内容").fill("已为您开通绿色通道办结营业执照，并对窗口人员批评教育。")
    desk.get_by_role("button", name="提交答复").click()
    expect(desk.get_by_text("已答复群众，等待回访")).to_be_visible()

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
    expect(desk.get_by_text("已办结").first).to_be_visible()
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


@pytest.fixture
def closed_complaint(receive, region, people):
    """A complaint closed last month, its complainant's number on file: one to call back."""
    from .conftest import at, handled

    complaint = receive(at(2026, 3, 2, 10), kind="consult", unit=region["market"], contact=PHONE)
    return handled(people, complaint, at(2026, 3, 3, 10))


def test_a_callback_sample_is_drawn_and_worked_and_a_clue_transferred_with_its_form(
    browser, live_server, people, closed_complaint
):
    from govwatch.clues.models import Clue
    from govwatch.complaints.models import SampledCall

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    page = context.new_page()
    problems = watch(page, live_server)
    sign_in(page, live_server, "jiwei")
    assert page.locator('nav a[aria-label="投诉（1 项待办）"]').count() == 0  # nothing drawn yet

    # A plan for March, every closed complaint, drawn from a seed.
    page.goto(live_server.url + "/complaints/sampling/new/")
    page.get_by_label("计划名称").fill("2026年3月回访抽查")
    page.get_by_label("期间自").fill("2026-03-01")
    page.get_by_label("期间至").fill("2026-03-31")
    page.get_by_label("实名评价抽取比例（%）").fill("0")
    page.get_by_label("办结投诉抽取比例（%）").fill("100")
    page.get_by_label("随机种子（选填）").fill("20260301")
    page.get_by_role("button", name="创建").click()
    page.get_by_role("button", name="按种子抽取样本").click()
    expect(page.get_by_text("已按种子抽取样本，请逐一回访")).to_be_visible()
    call = SampledCall.objects.get()
    assert call.complaint == closed_complaint
    sheet = page.locator(f"#call-{call.pk}").inner_text()
    assert PHONE not in sheet and PHONE[-4:] in sheet  # masked on the call sheet
    assert page.locator('nav a[aria-label="投诉（1 项待办）"]').count() == 1

    # The caller reveals the number (audited), calls, and the citizen denies the record.
    page.locator(f"#call-{call.pk}").get_by_role("button", name="显示完整号码").click()
    assert page.locator(".contact-value").inner_text() == PHONE
    page.get_by_role("link", name="返回回访清单").click()
    item = page.locator(f"#call-{call.pk}")
    item.get_by_label("与记录不符").check()
    item.get_by_label("回访情况").fill("群众称从未接到答复电话")
    item.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记回访结果")).to_be_visible()
    call.refresh_from_db()
    assert call.outcome == "denied"

    # The denied record becomes a clue, assessed and transferred with its numbered form.
    page.locator(f"#call-{call.pk}").get_by_role("link", name="转为问题线索").click()
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记问题线索")).to_be_visible()
    page.get_by_label("移送纪检监察机关").check()
    page.get_by_label("研判情况").fill("答复记录涉嫌造假，移送")
    page.get_by_role("button", name="提交研判意见").click()
    page.get_by_role("button", name="移送并生成移送函").click()
    clue = Clue.objects.get()
    assert (clue.status, clue.call) == ("transferred", call)
    expect(page.get_by_text(clue.transfer_number).first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载移送函（Word）").click()
    path = download.value.path()
    document = Document(path)
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert clue.transfer_number in text and clue.number in text and "问题线索移送函" in text
    context.close()
    assert problems == []
