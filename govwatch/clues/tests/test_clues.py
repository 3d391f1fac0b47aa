"""The clue register: registered from a complaint, a callback, an inspection or the public page,
assessed, transferred with a numbered DOCX form, followed to an outcome; only supervisors see it."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from docx import Document

from govwatch.audit.log import Actor
from govwatch.clues import handling
from govwatch.clues.models import Clue
from govwatch.complaints import handling as complaints

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def complaint(region):
    return complaints.receive(Actor("public:complaint"), source="web", content="反映市场监管局工作人员收受购物卡，电话13712345678",
                              unit=region["market"], kind="report", at=datetime(2026, 3, 6, 10, tzinfo=TZ))  # fmt: skip


def test_a_clue_from_a_complaint_goes_from_register_to_outcome(complaint, people, region):
    supervisor = people.actor("supervisor")
    clue = handling.do_register(supervisor, source="complaint", summary="收受购物卡", details=complaint.content,
                                unit=region["market"], complaint=complaint, field="service")  # fmt: skip
    assert clue.number.startswith("线索〔") and clue.status == "registered"
    with pytest.raises(handling.ClueError, match="不能移送"):
        handling.do_transfer(supervisor, clue)
    clue = handling.do_assess(supervisor, clue, decision="transfer", text="涉嫌违纪，移送")
    with pytest.raises(handling.ClueError, match="请先移送"):
        handling.do_conclude(supervisor, clue, outcome="filed", text="立案")
    clue = handling.do_transfer(supervisor, clue, note="请依规处置")
    assert clue.transfer_number.startswith("线索移送〔") and clue.transferred_to == "区纪委监委"
    clue = handling.do_conclude(supervisor, clue, outcome="filed", text="已立案审查")
    assert clue.status == "concluded"
    assert list(clue.steps.values_list("kind", flat=True)) == [
        "registered",
        "assessed",
        "transferred",
        "concluded",
    ]


def test_a_clue_not_transferred_is_concluded_by_the_supervisors(people):
    supervisor = people.actor("supervisor")
    clue = handling.do_register(supervisor, source="inspection", summary="窗口脱岗", details="明察暗访发现……")
    clue = handling.do_assess(supervisor, clue, decision="verify", text="自行核查")
    with pytest.raises(handling.ClueError, match="不能移送"):
        handling.do_transfer(supervisor, clue)
    assert (
        handling.do_conclude(supervisor, clue, outcome="not_substantiated", text="查无实据").status
        == "concluded"
    )


@pytest.mark.parametrize("who", ["office", "leader", "market_staff"])
def test_only_supervisors_see_and_handle_clues(people, who):
    with pytest.raises(PermissionDenied):
        handling.do_register(people.actor(who), source="other", summary="x", details="y")
    client = people.client(who)
    assert client.get(reverse("clues:list")).status_code == 403
    clue = handling.do_register(people.actor("supervisor"), source="other", summary="x", details="y")
    assert client.get(reverse("clues:detail", args=[clue.pk])).status_code == 403


def test_the_transfer_form_is_a_numbered_a4_document(complaint, people, region):
    supervisor = people.actor("supervisor")
    clue = handling.do_register(supervisor, source="complaint", summary="收受购物卡", details=complaint.content,
                                unit=region["market"], complaint=complaint)  # fmt: skip
    clue = handling.do_transfer(
        supervisor, handling.do_assess(supervisor, clue, decision="transfer", text="移送")
    )
    response = people.client("supervisor").get(reverse("clues:document", args=[clue.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert "问题线索移送函" in text and clue.transfer_number in text and clue.number in text
    assert "13712345678" not in text and "137****5678" in text
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_the_pages_register_from_a_complaint_and_transfer(complaint, people, region):
    client = people.client("supervisor")
    form = client.get(reverse("clues:new"), {"complaint": complaint.pk}).text
    assert "来源投诉" in form and complaint.complaint_id in form
    r = client.post(reverse("clues:new"), {"source": "complaint", "field": "service", "unit": "SC", "subject": "",
                                           "summary": "收受购物卡", "details": "……", "complaint": complaint.pk})  # fmt: skip
    assert r.status_code == 302
    clue = Clue.objects.get()
    assert clue.complaint == complaint
    client.post(reverse("clues:assess", args=[clue.pk]), {"decision": "transfer", "text": "移送"})
    r = client.post(reverse("clues:transfer", args=[clue.pk]), {"to": "", "note": ""})
    assert r.status_code == 302
    page = client.get(reverse("clues:detail", args=[clue.pk])).text
    assert "下载移送函" in page and Clue.objects.get().status == "transferred"
