"""The complaint pages as each role sees them: what is listed, which forms show, which POSTs are
refused, and the triage with the dispatch suggestion accepted in one click."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govwatch.audit.models import AuditEntry
from govwatch.complaints import handling, suggest
from govwatch.complaints.models import Complaint, DispatchRecord

from .conftest import PHONE, at


@pytest.fixture
def triaged(receive, region):
    return receive(
        at(2026, 3, 6, 10), "在市场监管局办营业执照，窗口人员态度很差", unit=region["market"], contact=PHONE
    )


@pytest.fixture
def untriaged(receive):
    return receive(at(2026, 3, 6, 10), "营业执照办了一个月，市场监管局一直拖", contact=PHONE)


def test_unit_staff_see_only_their_units_complaints(triaged, untriaged, people):
    page = people.client("market_staff").get(reverse("complaints:list"))
    assert page.status_code == 200
    assert triaged.complaint_id in page.text and untriaged.complaint_id not in page.text
    other = people.client("social_staff")
    assert triaged.complaint_id not in other.get(reverse("complaints:list")).text
    assert other.get(reverse("complaints:detail", args=[triaged.pk])).status_code == 404


def test_the_office_sees_untriaged_complaints_and_the_supervisors_see_all(triaged, untriaged, people):
    for who in ("office", "supervisor"):
        text = people.client(who).get(reverse("complaints:list")).text
        assert triaged.complaint_id in text and untriaged.complaint_id in text


def test_the_detail_page_masks_the_contact_and_numbers_in_the_text(receive, people, region):
    complaint = receive(at(2026, 3, 6, 10), f"请回电 {PHONE}，身份证 420102199001011234", unit=region["market"],
                        contact=PHONE)  # fmt: skip
    text = people.client("supervisor").get(reverse("complaints:detail", args=[complaint.pk])).text
    assert PHONE not in text and "420102199001011234" not in text
    assert "137****5678" in text and "4201**********1234" in text


def test_each_role_sees_only_its_forms(triaged, people):
    url = reverse("complaints:detail", args=[triaged.pk])
    staff = people.client("market_staff").get(url).text
    assert "登记核查情况" in staff and "退回" in staff and "登记回访结果" not in staff
    office = people.client("office").get(url).text
    assert "登记核查情况" not in office and "分办" not in office.split("办理过程")[1]
    leader = people.client("leader").get(url).text
    assert "登记核查情况" not in leader and "查看投诉人联系方式" not in leader


@pytest.mark.parametrize("who", ["office", "supervisor", "leader", "social_staff"])
def test_a_finding_posted_by_another_role_is_refused(triaged, people, who):
    response = people.client(who).post(reverse("complaints:find", args=[triaged.pk]),
                                       {"finding": "substantiated", "text": "属实"})  # fmt: skip
    assert response.status_code in (403, 404)
    assert Complaint.objects.get(pk=triaged.pk).status == "assigned"


def test_the_unit_finds_and_replies_and_the_office_calls_back_and_closes(triaged, people):
    staff, office = people.client("market_staff"), people.client("office")
    r = staff.post(reverse("complaints:find", args=[triaged.pk]), {"finding": "partly", "text": "部分属实"})
    assert r.status_code == 302
    r = staff.post(reverse("complaints:reply", args=[triaged.pk]), {"reply": "已批评教育"})
    assert r.status_code == 302
    r = office.post(
        reverse("complaints:callback", args=[triaged.pk]), {"result": "satisfied", "note": "满意"}
    )
    assert r.status_code == 302
    r = office.post(reverse("complaints:close", args=[triaged.pk]), {"comment": ""})
    assert r.status_code == 302
    assert Complaint.objects.get(pk=triaged.pk).status == "closed"


def test_a_step_with_missing_input_shows_the_form_again_with_the_message(triaged, people):
    r = people.client("market_staff").post(
        reverse("complaints:find", args=[triaged.pk]), {"finding": "", "text": ""}
    )
    assert r.status_code == 200 and "请填写核查（办理）情况" in r.text
    r = people.client("market_staff").post(
        reverse("complaints:find", args=[triaged.pk]), {"finding": "", "text": "看了"}
    )
    assert "请选择核查结论" in r.text


@pytest.fixture
def trained(import_complaints):
    header = ["complaint_id", "at", "source", "content", "unit_code", "category", "closed_at"]
    rows = [
        ["H1", "2026-03-02T10:00:00", "hotline", "营业执照办不下来，市场监管局拖延", "SC", "delay", "2026-03-03T10:00:00"],
        ["H2", "2026-03-02T10:00:00", "hotline", "市监局窗口办个体执照态度差", "SC", "attitude", "2026-03-03T10:00:00"],
        ["H3", "2026-03-02T10:00:00", "hotline", "失业金一直没到账，人社局不管", "RS", "delay", "2026-03-03T10:00:00"],
    ]  # fmt: skip
    assert import_complaints(header, rows).rejected == 0
    suggest.forget()
    model = suggest.retrain(force=True)
    suggest.forget()
    yield model
    suggest.forget()


def test_the_office_accepts_the_suggestion_in_one_click(untriaged, people, trained, region):
    office = people.client("office")
    page = office.get(reverse("complaints:detail", args=[untriaged.pk])).text
    assert "智能派单建议" in page and "采纳建议，分办至 区市场监管局" in page
    signed = page.split('name="suggestion" value="')[1].split('"')[0]
    r = office.post(reverse("complaints:triage", args=[untriaged.pk]),
                    {"unit": "SC", "kind": "complaint", "urgency": "normal", "category": "delay", "suggestion": signed})  # fmt: skip
    assert r.status_code == 302
    record = DispatchRecord.objects.get()
    assert record.accepted and record.rank == 1 and record.model_id == trained.pk
    assert Complaint.objects.get(pk=untriaged.pk).unit == region["market"]


def test_the_office_picks_another_unit_by_typing_its_name(untriaged, people, trained, region):
    office = people.client("office")
    page = office.get(reverse("complaints:detail", args=[untriaged.pk])).text
    assert '<datalist id="unit-options"' in page and "RS 区人社局" in page
    signed = page.split('name="suggestion" value="')[1].split('"')[0]
    r = office.post(reverse("complaints:triage", args=[untriaged.pk]),
                    {"unit": "区人社局", "kind": "consult", "urgency": "normal", "category": "", "suggestion": signed})  # fmt: skip
    assert r.status_code == 302
    record = DispatchRecord.objects.get()
    assert not record.accepted and record.chosen_unit == region["social"]
    assert "智能派单记录" in office.get(reverse("complaints:dispatch")).text


def test_a_unit_outside_the_scope_or_unknown_is_refused_at_triage(untriaged, people):
    r = people.client("office").post(reverse("complaints:triage", args=[untriaged.pk]),
                                     {"unit": "NOPE", "kind": "complaint", "urgency": "normal"})  # fmt: skip
    assert r.status_code == 200 and "没有这个单位" in r.text
    assert Complaint.objects.get(pk=untriaged.pk).status == "received"


def test_the_type_ahead_lists_units_of_the_scope(people, region):
    r = people.client("office").get(reverse("complaints:unit-options"), {"q": "人社"})
    assert r.json() == {"units": [{"code": "RS", "name": "区人社局"}]}
    assert (
        people.client("market_staff").get(reverse("complaints:unit-options"), {"q": "人社"}).status_code
        == 403
    )


def test_the_contact_is_revealed_to_whoever_owes_a_call_and_audited(triaged, people):
    url = reverse("complaints:contact", args=[triaged.pk])
    assert people.client("office").post(url).status_code == 403  # the unit's turn, not the callback's
    r = people.client("market_staff").post(url)
    assert r.status_code == 200 and PHONE in r.text
    assert AuditEntry.objects.filter(action="complaint.reveal_contact").count() == 1
    assert PHONE not in str(AuditEntry.objects.get(action="complaint.reveal_contact").summary)


def test_the_office_registers_a_complaint_from_the_phone(people, region):
    r = people.client("office").post(reverse("complaints:register"),
                                     {"source": "hotline", "kind": "help", "urgency": "urgent",
                                      "content": "老人行动不便，请求上门办理社保卡", "case_no": "", "contact": "13700000000"})  # fmt: skip
    assert r.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.kind, complaint.urgency, complaint.status) == (
        "hotline",
        "help",
        "urgent",
        "received",
    )
    assert people.client("market_staff").get(reverse("complaints:register")).status_code == 403


def test_the_matter_is_shown_as_a_chain(receive, people, region):
    first = receive(at(2026, 3, 2), "营业执照拖延", unit=region["market"], contact=PHONE)
    second = receive(at(2026, 3, 9), "还是没办", unit=region["market"], contact=PHONE, source="hotline")
    text = people.client("supervisor").get(reverse("complaints:detail", args=[second.pk])).text
    assert "同一事项（重复件 1 件）" in text and first.complaint_id in text and "首件" in text


def test_services_and_pages_agree_on_the_timeline(triaged, people):
    handling.do_find(people.actor("market_staff"), triaged, finding="substantiated", text="属实")
    text = people.client("supervisor").get(reverse("complaints:detail", args=[triaged.pk])).text
    assert "核查结论：属实。属实" in text


def test_an_imported_complaints_page_starts_with_its_intake_and_shows_its_cards(import_complaints, people):
    from govwatch.supervision.scan import scan

    header = ["complaint_id", "at", "source", "content", "unit_code", "category", "contact", "kind"]
    assert import_complaints(
        header, [["T1", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "", "consult"]]
    ).imported
    scan(at(2026, 3, 11, 8))
    complaint = Complaint.objects.get(complaint_id="T1")
    page = people.client("office").get(complaint.get_absolute_url()).content.decode()
    timeline = page[page.index('<ol class="timeline') :]
    assert timeline.index("12345热线受理咨询，办理期限 2026-03-10，交 区市场监管局 办理") < timeline.index(
        "超时（红牌）"
    )
    assert "badge-red" in page[: page.index('<ol class="timeline')]
    listed = people.client("office").get("/complaints/", {"card": "red"}).context["complaints"].page
    assert [c.complaint_id for c in listed] == ["T1"]
    assert people.client("office").get("/complaints/").context["red"] == 1
    assert not people.client("office").get("/complaints/", {"card": "yellow"}).context["complaints"].page
