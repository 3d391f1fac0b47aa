"""The pages through the Django test client: inbox and lists in scope, the task page with its
whole timeline, the forms each role sees, the steps posted, letters drafted, issued and printed."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from govwatch.audit.models import AuditEntry
from govwatch.core.tests.pdfcheck import needs_libreoffice, pdf_text
from govwatch.evaluations import rectification as loop
from govwatch.evaluations.letters import do_create_letter, do_issue_letter
from govwatch.evaluations.models import Letter, RectificationTask

from .conftest import PHONE, at, signed_in

Status = RectificationTask.Status
MARCH = ("2026-03-01", "2026-03-31")


def url(name: str, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


@pytest.fixture
def social_task(completed, submit):
    case = completed("RS-001", at(2026, 3, 2, 9), item="I2")
    return submit(case, 2, at(2026, 3, 3), tags=["attitude"], comment="人社窗口态度差").task


def test_the_units_inbox_holds_its_own_tasks_only(negative, social_task, people):
    page = signed_in(people.market_staff).get(url("task-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert negative.number in html and social_task.number not in html
    assert "办理时间长、多次跑动" in html


def test_unit_staff_of_another_unit_get_404_for_tasks_attachments_and_letters(
    negative, social_task, people, region
):
    social = signed_in(people.social_staff)
    assert social.get(url("task-detail", negative.pk)).status_code == 404
    assert (
        social.post(url("task-verify", negative.pk), {"substantiated": "1", "finding": "x"}).status_code
        == 404
    )
    loop.do_verify(people.actor("market_staff"), negative, substantiated=True, finding="属实",
                   files=[("证据.pdf", b"%PDF")], at=at(2026, 3, 9))  # fmt: skip
    attachment = negative.attachments.get()
    assert social.get(url("attachment", attachment.pk)).status_code == 404
    jw = people.actor("supervisor")
    letter = do_issue_letter(
        jw, do_create_letter(jw, "reminder", region["market"], date(2026, 3, 1), date(2026, 3, 31))
    )
    assert social.get(url("letter-detail", letter.pk)).status_code == 404
    assert social.get(url("letter-document", letter.pk)).status_code == 404
    assert letter.number not in social.get(url("letter-list")).content.decode()
    market = signed_in(people.market_staff)
    assert market.get(url("attachment", attachment.pk)).status_code == 200
    assert market.get(url("letter-detail", letter.pk)).status_code == 200


def test_supervisors_filter_all_tasks_by_status_unit_month_and_overdue(negative, social_task, people):
    client = signed_in(people.supervisor)
    html = client.get(url("task-list")).content.decode()
    assert negative.number in html and social_task.number in html
    by_unit = client.get(url("task-list"), {"unit": "RS"}).content.decode()
    assert social_task.number in by_unit and negative.number not in by_unit
    assert negative.number not in client.get(url("task-list"), {"month": "2026-04"}).content.decode()
    assert (
        negative.number
        in client.get(url("task-list"), {"month": "2026-03", "status": "open"}).content.decode()
    )
    overdue = client.get(url("task-list"), {"overdue": "on"}).content.decode()
    assert negative.number in overdue  # verification was due 10 March 2026
    bad = client.get(url("task-list"), {"month": "三月"})
    assert "月份格式应为 YYYY-MM" in bad.content.decode()


def test_the_task_page_shows_the_whole_timeline_with_the_evaluator_masked(negative, people):
    unit = people.actor("market_staff")
    loop.do_verify(unit, negative, substantiated=True, finding="未一次告知", files=[("核实.pdf", b"%PDF")],
                   at=at(2026, 3, 9))  # fmt: skip
    loop.do_rectify(unit, negative, measures="一次性告知单", at=at(2026, 3, 10))
    loop.supervise_overdue(at(2026, 3, 18))  # no callback by Tuesday 17 March
    html = signed_in(people.supervisor).get(url("task-detail", negative.pk)).content.decode()
    for text in (
        "非常不满意",
        "扫码",
        "办事效率",
        "办理时间长",
        "跑了三次才办完",
        "系统受理",
        "单位核实",
        "整改反馈",
        "逾期督办",
        "督办〔2026〕第0001号",
        "核实.pdf",
        "未一次告知",
        "一次性告知单",
    ):
        assert text in html, text
    assert PHONE not in html and "139****5678" in html


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("market_staff", ["task-verify", "task-appeal"], ["task-accept", "task-decide-appeal"]),
        ("supervisor", [], ["task-verify", "task-appeal", "task-accept", "task-decide-appeal"]),
        ("office", [], ["task-verify", "task-accept", "task-decide-appeal"]),
        ("leader", [], ["task-verify", "task-appeal", "task-accept"]),
    ],
)
def test_each_role_sees_only_its_own_forms(negative, people, who, shown, hidden):
    html = signed_in(getattr(people, who)).get(url("task-detail", negative.pk)).content.decode()
    for name in shown:
        assert url(name, negative.pk) in html
    for name in hidden:
        assert url(name, negative.pk) not in html


@pytest.mark.parametrize(
    ("who", "action", "data"),
    [
        ("supervisor", "task-verify", {"substantiated": "1", "finding": "核实"}),
        ("office", "task-rectify", {"measures": "措施"}),
        ("leader", "task-appeal", {"reason": "恶意"}),
        ("market_staff", "task-accept", {}),
        ("market_staff", "task-send-back", {"comment": "不到位"}),
        ("supervisor", "task-decide-appeal", {"decision": "upheld", "comment": "成立"}),
        ("market_staff", "task-contact", {}),
    ],
)
def test_a_step_posted_without_the_role_is_403(negative, people, who, action, data):
    assert signed_in(getattr(people, who)).post(url(action, negative.pk), data).status_code == 403
    negative.refresh_from_db()
    assert negative.status == Status.OPEN


def test_the_loop_through_the_pages(negative, people):
    unit, jw, office = (
        signed_in(people.market_staff),
        signed_in(people.supervisor),
        signed_in(people.office),
    )
    evidence = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8 photo")
    done = unit.post(url("task-verify", negative.pk), {"substantiated": "1", "finding": "窗口未一次告知",
                                                       "attachments": [evidence]}, follow=True)  # fmt: skip
    assert "已登记核实情况" in done.content.decode()
    refused = unit.post(url("task-callback", negative.pk), {"result": "satisfied", "note": "已回访"})
    assert "核实属实的差评须先整改，再回访" in refused.content.decode()
    missing = unit.post(url("task-rectify", negative.pk), {"measures": ""})
    assert "请填写整改措施" in missing.content.decode()
    unit.post(url("task-rectify", negative.pk), {"measures": "制作一次性告知单"})
    contact = unit.post(url("task-contact", negative.pk))
    assert contact.status_code == 200 and PHONE in contact.content.decode()
    revealed = AuditEntry.objects.get(action="evaluation.reveal_contact")
    assert PHONE not in str(revealed.summary) + str(revealed.after)
    unit.post(url("task-callback", negative.pk), {"result": "satisfied", "note": "电话回访，群众满意"})
    assert jw.post(url("task-send-back", negative.pk), {"comment": ""}).status_code == 200
    jw.post(url("task-accept", negative.pk), {"comment": "整改到位"})
    negative.refresh_from_db()
    assert negative.status == Status.CLOSED
    assert office.post(url("task-decide-appeal", negative.pk), {"decision": "upheld", "comment": "x"},
                       follow=True).content.decode().count("没有待复核的申诉") == 1  # fmt: skip
    entries = AuditEntry.objects.filter(target_id=str(negative.pk), action__startswith="rectification.")
    assert all(e.actor.startswith("user:") for e in entries.exclude(action="rectification.open"))


def test_an_appeal_decided_by_the_office_through_the_pages(negative, people):
    signed_in(people.market_staff).post(url("task-appeal", negative.pk), {"reason": "评价人并非申请人"})
    office = signed_in(people.office)
    assert (
        url("task-decide-appeal", negative.pk) in office.get(url("task-detail", negative.pk)).content.decode()
    )
    office.post(url("task-decide-appeal", negative.pk), {"decision": "upheld", "comment": "经查属实"})
    negative.refresh_from_db()
    assert negative.status == Status.APPEAL_UPHELD and negative.evaluation.appeal_upheld


def test_letters_drafted_edited_issued_printed_and_replied_through_the_pages(negative, people, region):
    jw = signed_in(people.supervisor)
    assert signed_in(people.market_staff).get(url("letter-new")).status_code == 403
    created = jw.post(url("letter-new"), {"kind": "recommendation", "unit": "SC", "date_from": MARCH[0],
                                          "date_to": MARCH[1]}, follow=True)  # fmt: skip
    letter = Letter.objects.get()
    assert "跑了三次才办完" in created.content.decode()
    # A draft is the supervisors' own: the unit neither sees nor prints it.
    unit = signed_in(people.market_staff)
    assert unit.get(url("letter-detail", letter.pk)).status_code == 404
    assert jw.get(url("letter-document", letter.pk)).status_code == 404
    jw.post(
        url("letter-edit", letter.pk),
        {"subject": "关于窗口作风问题的纪检监察建议书", "body": "区市场监管局：\n请整改。"},
    )
    jw.post(url("letter-issue", letter.pk))
    letter.refresh_from_db()
    assert (
        letter.number == "纪检建议〔2026〕第0001号" and letter.subject == "关于窗口作风问题的纪检监察建议书"
    )
    printed = unit.get(url("letter-document", letter.pk))
    assert printed.status_code == 200 and "attachment" in printed["Content-Disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(printed.content)).paragraphs]
    assert "纪检建议〔2026〕第0001号" in paragraphs and "请整改。" in paragraphs
    page = unit.get(url("letter-detail", letter.pk)).content.decode()
    assert (
        "发文机关" in page
        and "区纪委监委" in page
        and f"{url('letter-document', letter.pk)}?format=pdf" in page
    )
    page = unit.get(url("letter-detail", letter.pk)).content.decode()
    assert url("letter-reply", letter.pk) in page and url("letter-edit", letter.pk) not in page
    unit.post(url("letter-reply", letter.pk), {"measures": "批评教育", "institution": "修订考勤制度"})
    jw.post(url("letter-close", letter.pk), {"comment": ""})
    letter.refresh_from_db()
    assert letter.status == Letter.Status.CLOSED and letter.reply_institution == "修订考勤制度"
    assert (
        signed_in(people.social_staff).post(url("letter-reply", letter.pk), {"measures": "x"}).status_code
        == 404
    )


@needs_libreoffice
def test_the_issued_letter_downloads_as_a_pdf_with_its_chinese_text(negative, people, region):
    jw = people.actor("supervisor")
    draft = do_create_letter(jw, "reminder", region["market"], date(2026, 3, 1), date(2026, 3, 31))
    letter = do_issue_letter(jw, draft, at=at(2026, 4, 2))
    response = signed_in(people.market_staff).get(url("letter-document", letter.pk) + "?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(".pdf")
    text = re.sub(r"\s+", "", pdf_text(response.content))
    assert "区纪委监委" in text and "提醒函〔2026〕第0001号" in text and "回执" in text
    assert "关于区市场监管局差评整改工作的提醒函" in text and "2026年4月2日" in text
