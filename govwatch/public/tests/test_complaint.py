"""The public complaint page: a citizen's complaint with its guards and bad input, the receipt
with progress and the final reply, the window's QR flow, and the public clue page."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.urls import reverse

from govwatch.audit.log import Actor
from govwatch.clues.models import Clue
from govwatch.complaints import handling
from govwatch.complaints.models import Complaint
from govwatch.public.complaint_views import CLUE_SCOPE, SCOPE, receipt_token
from govwatch.public.tokens import STAMP_SALT, window_token

from .conftest import PHONE, aged_stamp

URL = "/e/complaint/"


def post(client, url: str = URL, scope: str = SCOPE, **fields):
    data = {"kind": "complaint", "content": "在区人社局办失业登记，窗口人员态度很差", "case_no": "", "contact": "",
            "website": "", "stamp": aged_stamp(scope)}  # fmt: skip
    data.update(fields)
    return client.post(url, data)


def test_the_page_is_phone_sized_and_asks_for_what_is_needed(client, db):
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="viewport"' in page.text and "我要反映" in page.text and 'name="website"' in page.text


def test_a_complaint_is_taken_and_its_receipt_shows_progress(client, region):
    response = post(client, contact=PHONE)
    assert response.status_code == 302 and "/e/complaint/r/" in response["Location"]
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.status, complaint.unit) == ("web", "received", None)
    assert complaint.contact_hash and PHONE not in complaint.contact_enc
    receipt = client.get(response["Location"])
    assert complaint.complaint_id in receipt.text and "正在分派给承办单位" in receipt.text
    assert PHONE not in receipt.text


def test_the_receipt_shows_the_final_reply(client, region):
    post(client)
    complaint = Complaint.objects.get()
    system = Actor("system:test")
    complaint = handling.do_triage(system, complaint, unit=region["social"])
    complaint = handling.do_find(system, complaint, finding="substantiated", text="内部核查：监控显示……")
    complaint = handling.do_reply(system, complaint, reply="经核查属实，已对窗口人员批评教育，向您致歉。")
    page = client.get(reverse("public:complaint-receipt", args=[receipt_token(complaint)])).text
    assert "经核查属实，已对窗口人员批评教育" in page and "内部核查" not in page
    complaint = handling.do_callback(system, complaint, result="satisfied", note="满意")
    handling.do_close(system, complaint)
    page = client.get(reverse("public:complaint-receipt", args=[receipt_token(complaint)])).text
    assert "已办结" in page and "回访" in page


def test_a_case_number_links_the_complaint_to_its_case(client, done):
    post(client, case_no=done.case_no)
    complaint = Complaint.objects.get()
    assert complaint.case == done


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": ""}, "请填写反映内容"),
        ({"content": "差"}, "至少 5 个字"),
        ({"content": "很" * 10_000}, "不能超过 1000 字"),
        ({"case_no": "OTHER-REGION-0001"}, "没有找到这个业务编号"),
        ({"contact": "not a phone"}, "请填写正确的电话号码"),
        ({"kind": "spam"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_kept(client, region, fields, message):
    response = post(client, **fields)
    assert response.status_code == 400 and message in response.text
    assert not Complaint.objects.exists()


def test_script_tags_are_kept_as_text_and_shown_escaped(client, region):
    response = post(client, content="<script>alert('x')</script> 窗口态度差，请处理")
    complaint = Complaint.objects.get()
    assert complaint.content.startswith("<script>")
    page = client.get(response["Location"]).text
    assert "<script>alert" not in page


def test_robots_are_refused(client, region, settings):
    settings.PUBLIC_COMPLAINTS_PER_ADDRESS_HOUR = 100
    assert post(client, website="http://spam.example").status_code == 400
    # A stamp without its one-use nonce was never shown by this GovWatch.
    unshown = post(
        client, stamp=signing.Signer(salt=STAMP_SALT).sign_object({"s": SCOPE, "t": time.time() - 5})
    )
    assert unshown.status_code == 400 and "页面已失效" in unshown.text
    stamp = aged_stamp(SCOPE)
    assert post(client, stamp=stamp).status_code == 302
    replayed = post(client, stamp=stamp)
    assert replayed.status_code == 400 and "该表单已提交过" in replayed.text
    settings.PUBLIC_MIN_FILL_SECONDS = 2  # a region that wants a minimum fill time
    too_fast = post(client, stamp=aged_stamp(SCOPE, 0.5))
    assert too_fast.status_code == 400 and "提交过快" in too_fast.text
    assert post(client, stamp="forged").status_code == 400
    assert Complaint.objects.count() == 1


def test_one_address_may_send_only_a_few_an_hour(client, region, settings):
    settings.PUBLIC_COMPLAINTS_PER_ADDRESS_HOUR = 2
    assert post(client).status_code == 302
    assert post(client).status_code == 302
    assert post(client).status_code == 429
    assert Complaint.objects.count() == 2


def test_a_windows_qr_code_takes_a_window_complaint(client, region):
    url = reverse("public:complaint-window", args=[window_token("W07")])
    assert "7 号窗口" in client.get(url).text or "W07" in client.get(url).text
    assert post(client, url=url).status_code == 302
    assert Complaint.objects.get().source == "window"
    assert client.get("/e/complaint/w/forged/").status_code == 403


def test_a_forged_receipt_is_refused(client, db):
    assert client.get("/e/complaint/r/TS2026000001:forged/").status_code == 403


def test_the_public_clue_page_registers_a_clue_for_the_supervisors(client, region):
    response = post(client, url="/e/clue/", scope=CLUE_SCOPE, field="bidding", summary="招标评审有人打招呼",
                    details="某项目评标时有工作人员打招呼", contact="")  # fmt: skip
    assert response.status_code == 200 and "线索编号" in response.text
    clue = Clue.objects.get()
    assert (clue.source, clue.field, clue.status) == ("public", "bidding", "registered")
    assert clue.number in response.text


def test_the_qr_sheet_can_carry_each_windows_complaint_code(client, staff, done):
    client.force_login(staff["office"])
    sheet = client.get("/e/sheet/", {"complaint": "1"}).text
    assert "不满意请找我" in sheet
    url = sheet.split('src="/e/complaint/w/')[1].split('"')[0]
    svg = client.get("/e/complaint/w/" + url)
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert "扫码反映问题" not in client.get("/e/sheet/").text
    assert client.get("/e/complaint/w/forged/qr.svg").status_code == 403
