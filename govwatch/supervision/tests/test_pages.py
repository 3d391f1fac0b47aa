"""The e-supervision pages through the Django test client: board, inbox, orders, outbox, texts.

Real database, real scan, real services; forms are posted with their CSRF token as a browser would.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from govwatch.audit.log import Actor
from govwatch.audit.models import AuditEntry
from govwatch.core import downloads
from govwatch.core.attachments import MAX_ATTACHMENT_BYTES
from govwatch.core.pdf import PdfError
from govwatch.core.tests.pdfcheck import needs_libreoffice, pdf_text
from govwatch.supervision.models import Notification, NotificationTemplate, SupervisionOrder
from govwatch.supervision.orders import do_issue_order, do_reply
from govwatch.supervision.scan import scan
from govwatch.supervision.texts import DEFAULTS

from .conftest import at

PASSWORD = "correct-horse-battery"
SCANNED = at(2026, 3, 20, 9, 0)
CLEAR_PHONES = ("13800001111", "13800002222", "13900009999")
SYSTEM = Actor("user:jw", None, "127.0.0.1")


@pytest.fixture
def scanned(make_case) -> dict:
    """Red and yellow cards in the market bureau, red in the social bureau and in a community."""
    make_case("SC-RED", "I9", ("accept", at(2026, 3, 2)))  # due 13 March
    make_case("SC-YELLOW", "I9", ("accept", at(2026, 3, 10)))  # due 23 March: one working day left
    make_case("RS-RED", "I2", ("accept", at(2026, 3, 2)))  # due 4 March
    make_case("RS-NONE", "I2", ("accept", at(2026, 3, 19)))  # due 23 March: yellow only on that day
    make_case("ST1-RED", "I0", ("accept", at(2026, 3, 19, 10)))  # instant item, due the same day
    make_case("SC-DONE", "I9", ("accept", at(2026, 3, 2)), ("complete", at(2026, 3, 5)))
    return scan(SCANNED).as_dict()


def signed_in(user, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def post_form(client: Client, page_url: str, action_url: str, data: dict) -> object:
    """Post as the page's form does: with the CSRF token the page rendered."""
    page = client.get(page_url)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the page has no form with a CSRF token"
    return client.post(action_url, {**data, "csrfmiddlewaretoken": token.group(1)})


def order_url(order: SupervisionOrder, name: str = "order-detail") -> str:
    return reverse(f"supervision:{name}", args=[order.pk])


def text_of(response) -> str:
    return response.content.decode()


# -- 红黄牌看板 -----------------------------------------------------------------------------------


def test_board_counts_match_the_scan_and_each_count_drills_down_to_the_same_cases(people, scanned):
    client = signed_in(people.supervisor)
    response = client.get(reverse("supervision:board"))
    assert response.status_code == 200
    assert response["Refresh"] == "60"
    totals = {cell.card: cell.count for cell in response.context["totals"]}
    assert totals == {"yellow": scanned["yellow"], "red": scanned["red"]} == {"yellow": 1, "red": 3}
    html = text_of(response)
    assert "截至 2026-03-20 09:00 扫描" in html
    assert response.context["region_figures"]

    rows = {row.code: {c.card: c.count for c in row.cells} for row in response.context["unit_rows"]}
    # Rolled up the tree: the street counts its community's red card; one level at a time, the
    # community is on the street's board.
    assert rows == {
        "D": {"yellow": 1, "red": 3},
        "SC": {"yellow": 1, "red": 1},
        "RS": {"yellow": 0, "red": 1},
        "ST": {"yellow": 0, "red": 1},
    }
    street = next(row for row in response.context["unit_rows"] if row.code == "ST")
    assert street.drill == "?unit=ST"
    below = client.get(reverse("supervision:board") + street.drill).context["unit_rows"]
    assert {row.code: {c.card: c.count for c in row.cells} for row in below} == {
        "ST": {"yellow": 0, "red": 1},
        "ST1": {"yellow": 0, "red": 1},
    }
    for row in response.context["unit_rows"] + response.context["item_rows"]:
        for cell in row.cells:
            listed = client.get(cell.link)
            assert listed.context["page"].count == cell.count, cell.link
    assert 'href="/cases/?card=red&amp;unit=SC"' in html
    items = {row.code: {c.card: c.count for c in row.cells} for row in response.context["item_rows"]}
    # Most red first, then most yellow.
    assert list(items) == ["I9", "I2", "I0"]
    assert items["I9"] == {"yellow": 1, "red": 1} and items["I2"] == {"yellow": 0, "red": 1}


def test_board_filters_by_unit_item_and_card(people, scanned):
    client = signed_in(people.supervisor)
    street = client.get(reverse("supervision:board"), {"unit": "ST", "card": "red"})
    assert [c.count for c in street.context["totals"]] == [1]
    assert [r.code for r in street.context["unit_rows"]] == ["ST", "ST1"]
    assert street.context["cards"] == ["red"]
    licence = client.get(reverse("supervision:board"), {"item": "I9"})
    assert {c.card: c.count for c in licence.context["totals"]} == {"yellow": 1, "red": 1}
    assert 'href="/cases/?card=yellow&amp;unit=SC&amp;item=I9"' in text_of(licence)
    unknown = client.get(reverse("supervision:board"), {"item": "NOPE"})
    assert "没有这个事项编码" in text_of(unknown)
    assert unknown.context["unit_rows"] == []


def test_board_before_any_scan_says_so(people, region):
    html = text_of(signed_in(people.supervisor).get(reverse("supervision:board")))
    assert "尚未进行电子监察扫描" in html


# -- scope: unit staff see their own unit only ----------------------------------------------------


@pytest.fixture
def orders(region, scanned) -> dict[str, SupervisionOrder]:
    market = do_issue_order(SYSTEM, region["market"], "请说明超时原因", at=at(2026, 3, 16, 10))
    social = do_issue_order(SYSTEM, region["social"], "请立即办结", at=at(2026, 3, 16, 11))
    do_reply(
        SYSTEM, social, "已补正", "已办结", files=[("说明.pdf", b"%PDF-1.4 evidence")], at=at(2026, 3, 17)
    )
    return {"market": market, "social": social}


def test_unit_staff_see_only_their_units_cards_orders_and_messages(people, orders):
    client = signed_in(people.market_staff)
    board = client.get(reverse("supervision:board"))
    assert {c.card: c.count for c in board.context["totals"]} == {"yellow": 1, "red": 1}
    assert [r.code for r in board.context["unit_rows"]] == ["SC"]
    # The scan's figures are the whole region's: not shown to a unit.
    assert not board.context["region_figures"] and "本次新增红牌" not in text_of(board)

    inbox = client.get(reverse("supervision:inbox"))
    assert [c.case_no for c in inbox.context["cases"].page] == ["SC-RED", "SC-YELLOW"]
    assert [o.number for o in inbox.context["orders"].page] == [orders["market"].number]
    assert "已逾期" in text_of(inbox)  # due 19 March, not replied

    listed = client.get(reverse("supervision:order-list"))
    assert [o.pk for o in listed.context["orders"].page] == [orders["market"].pk]
    outbox = client.get(reverse("supervision:outbox"))
    units = {n.unit.code for n in outbox.context["outbox"].page}
    assert units == {"SC"}

    social = orders["social"]
    assert client.get(order_url(social)).status_code == 404
    assert client.get(order_url(social, "order-notice")).status_code == 404
    attachment = social.attachments.get()
    assert client.get(reverse("supervision:attachment", args=[attachment.pk])).status_code == 404
    assert (
        signed_in(people.social_staff)
        .get(reverse("supervision:attachment", args=[attachment.pk]))
        .status_code
        == 200
    )
    other_message = Notification.objects.filter(unit__code="RS").first()
    assert client.post(reverse("supervision:requeue", args=[other_message.pk])).status_code == 404
    assert client.post(order_url(social, "order-reply"), {"measures": "x", "result": "y"}).status_code == 404


def test_inbox_lists_waiting_orders_before_replied_ones(people, orders):
    inbox = signed_in(people.supervisor).get(reverse("supervision:inbox"))
    assert [o.status for o in inbox.context["orders"].page] == ["issued", "replied"]
    assert [c.card for c in inbox.context["cases"].page] == ["red", "red", "red", "yellow"]


def test_leader_reads_everything_but_may_not_act(people, orders):
    client = signed_in(people.leader)
    for name in ("board", "inbox", "order-list", "outbox"):
        assert client.get(reverse(f"supervision:{name}")).status_code == 200
    page = client.get(order_url(orders["social"]))
    assert page.status_code == 200
    assert page.context["reply_form"] is None and page.context["accept_form"] is None
    assert "验收办结" not in text_of(page) and "提交回复" not in text_of(page)
    assert client.get(reverse("supervision:texts")).status_code == 403
    assert client.get(reverse("supervision:order-new")).status_code == 403
    refused = [
        client.post(order_url(orders["market"], "order-reply"), {"measures": "x", "result": "y"}),
        client.post(order_url(orders["social"], "order-accept"), {}),
        client.post(order_url(orders["social"], "order-send-back"), {"comment": "理由"}),
        client.post(
            reverse("supervision:order-new"), {"unit": "SC", "demand": "d", "level": 1, "reply_days": 3}
        ),
        client.post(reverse("supervision:requeue", args=[Notification.objects.first().pk])),
        client.post(reverse("supervision:texts"), {"yellow": "x", "red": "y"}),
    ]
    assert [r.status_code for r in refused] == [403] * 6
    assert SupervisionOrder.objects.count() == 2
    assert orders["social"].steps.count() == 2


def test_anonymous_visitors_are_sent_to_the_login_page(orders):
    for url in (reverse("supervision:board"), order_url(orders["social"]), reverse("supervision:outbox")):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# -- 督办单: issue, reply, accept, send back --------------------------------------------------------


def test_issue_reply_accept_through_the_pages_with_the_whole_timeline(people, scanned):
    supervisor = signed_in(people.supervisor, csrf=True)
    new_url = reverse("supervision:order-new") + "?case=SC-RED"
    form = supervisor.get(new_url)
    assert "已超过办理期限 2026-03-13" in text_of(form)  # the demand is prefilled from the case
    issued = post_form(
        supervisor, new_url, new_url, {"demand": "请说明超时原因并立即办结", "level": 2, "reply_days": 3}
    )
    order = SupervisionOrder.objects.get()
    assert issued.status_code == 302 and issued.url == order_url(order)
    assert (order.case_id, order.unit.code, order.level, order.reply_days) == ("SC-RED", "SC", 2, 3)

    staff = signed_in(people.market_staff, csrf=True)
    page = staff.get(order_url(order))
    assert page.context["reply_form"] is not None and page.context["accept_form"] is None
    evidence = SimpleUploadedFile("整改说明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    replied = post_form(
        staff, order_url(order), order_url(order, "order-reply"),
        {"measures": "已补正审批流程", "result": "已于当日办结", "attachments": [evidence]},
    )  # fmt: skip
    assert replied.status_code == 302
    order.refresh_from_db()
    assert order.status == "replied"
    attachment = order.attachments.get()
    shown = staff.get(order_url(order))
    assert attachment.sha256 in text_of(shown) and "已于当日办结" in text_of(shown)
    download = staff.get(reverse("supervision:attachment", args=[attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"

    accepted = post_form(
        supervisor, order_url(order), order_url(order, "order-accept"), {"comment": "同意办结"}
    )
    assert accepted.status_code == 302
    final = supervisor.get(order_url(order))
    assert final.context["order"].status == "closed"
    assert [label for _, label in final.context["steps"]] == ["下发督办", "单位回复", "验收办结"]
    html = text_of(final)
    assert "已办结" in html and "同意办结" in html and "督办单 督办〔2026〕第0001号 已验收办结" in html
    assert AuditEntry.objects.filter(action__in=["order.issue", "order.reply", "order.close"]).count() == 3
    assert AuditEntry.objects.filter(actor="user:shichang", action="order.reply").exists()


def test_send_back_needs_a_reason_and_nothing_changes_without_one(people, orders):
    order = orders["social"]
    supervisor = signed_in(people.supervisor, csrf=True)
    refused = post_form(supervisor, order_url(order), order_url(order, "order-send-back"), {"comment": "  "})
    assert refused.status_code == 200
    assert "退回时请说明理由" in text_of(refused)
    order.refresh_from_db()
    assert order.status == "replied" and order.steps.count() == 2

    back = post_form(
        supervisor, order_url(order), order_url(order, "order-send-back"), {"comment": "未说明超时原因"}
    )
    assert back.status_code == 302
    order.refresh_from_db()
    assert order.status == "returned"
    unit_page = signed_in(people.social_staff).get(order_url(order))
    assert unit_page.context["reply_form"] is not None
    assert "未说明超时原因" in text_of(unit_page) and "退回重办" in text_of(unit_page)


def test_a_step_the_order_does_not_allow_shows_the_services_message(people, orders):
    order = orders["market"]  # issued, not replied
    response = signed_in(people.supervisor).post(order_url(order, "order-accept"), {"comment": ""})
    assert response.status_code == 200
    assert "单位尚未回复，不能验收办结" in text_of(response)
    order.refresh_from_db()
    assert order.status == "issued"


def test_attachment_over_ten_megabytes_is_refused_and_nothing_is_stored(people, orders):
    order = orders["market"]
    big = SimpleUploadedFile("扫描件.pdf", b"0" * (MAX_ATTACHMENT_BYTES + 1))
    response = signed_in(people.market_staff).post(
        order_url(order, "order-reply"), {"measures": "措施", "result": "结果", "attachments": [big]}
    )
    assert response.status_code == 200
    assert "附件“扫描件.pdf”超过 10 MB" in text_of(response)
    assert "措施" in text_of(response)  # what was typed is kept
    order.refresh_from_db()
    assert order.status == "issued" and not order.attachments.exists()


def test_notice_downloads_as_a_word_document(people, orders):
    response = signed_in(people.market_staff).get(order_url(orders["market"], "order-notice"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "督办通知单" in text and orders["market"].number in text


@needs_libreoffice
def test_notice_downloads_as_a_pdf_with_its_chinese_text(people, orders):
    response = signed_in(people.market_staff).get(order_url(orders["market"], "order-notice") + "?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(".pdf")
    text = re.sub(r"\s+", "", pdf_text(response.content))
    for piece in (
        "区纪委监委",
        orders["market"].number,
        "督办通知单",
        "区市场监管局：",
        "请说明超时原因",
        "回执",
    ):
        assert piece in text, piece


def test_a_pdf_that_cannot_be_made_sends_the_user_back_with_the_reason(people, orders, monkeypatch):
    def missing(_docx: bytes) -> bytes:
        raise PdfError("未安装 LibreOffice，无法生成 PDF")

    monkeypatch.setattr(downloads, "docx_to_pdf", missing)
    client = signed_in(people.market_staff)
    response = client.get(order_url(orders["market"], "order-notice") + "?format=pdf", follow=True)
    assert response.redirect_chain[-1][0] == order_url(orders["market"])
    assert "未安装 LibreOffice，无法生成 PDF" in text_of(response)
    assert "下发机关" in text_of(response) and "区纪委监委" in text_of(response)


def test_orders_can_be_issued_to_a_unit_and_filtered(people, orders):
    office = signed_in(people.office)
    new = office.post(
        reverse("supervision:order-new"),
        {"unit": "ST1", "demand": "请核查窗口作风问题", "level": 1, "reply_days": 5},
    )
    assert new.status_code == 302
    assert SupervisionOrder.objects.filter(unit__code="ST1", case=None).exists()
    listed = office.get(reverse("supervision:order-list"), {"unit": "ST"})
    assert [o.unit.code for o in listed.context["orders"].page] == ["ST1"]
    replied = office.get(reverse("supervision:order-list"), {"status": "replied"})
    assert [o.pk for o in replied.context["orders"].page] == [orders["social"].pk]
    assert office.get(reverse("supervision:order-new"), {"case": "NO-SUCH-CASE"}).status_code == 404
    zero = office.post(
        reverse("supervision:order-new"), {"unit": "SC", "demand": "d", "level": 1, "reply_days": 0}
    )
    assert "回复时限至少为 1 个工作日" in text_of(zero)


# -- 发件箱 -----------------------------------------------------------------------------------------


def test_outbox_never_shows_a_phone_in_clear(people, orders):
    for user in (people.supervisor, people.market_staff):
        client = signed_in(user)
        pages = [
            client.get(reverse("supervision:outbox")),
            client.get(reverse("supervision:outbox"), {"status": "failed"}),
        ]
        pages.append(client.get(order_url(orders["market"])))
        for page in pages:
            html = text_of(page)
            assert not any(phone in html for phone in CLEAR_PHONES)
    html = text_of(signed_in(people.supervisor).get(reverse("supervision:outbox")))
    assert "138****1111" in html and "139****9999" in html


def test_failed_messages_are_highlighted_and_can_be_sent_again(people, orders):
    message = Notification.objects.filter(unit__code="SC", kind="red").get()
    Notification.objects.filter(pk=message.pk).update(
        status="failed", attempts=3, last_error="网关拒绝：号码停机"
    )
    office = signed_in(people.office, csrf=True)
    failed = office.get(reverse("supervision:outbox"), {"status": "failed"})
    html = text_of(failed)
    assert "row-failed" in html and "网关拒绝：号码停机" in html and "重新发送" in html
    assert "红牌超时" in html and "短信" in html
    # The community has no alert number: its message failed at once and cannot be sent again.
    assert "该单位未设置接收提醒的联系电话" in html

    assert (
        signed_in(people.market_staff).post(reverse("supervision:requeue", args=[message.pk])).status_code
        == 403
    )
    before = timezone.now()
    back = post_form(
        office, reverse("supervision:outbox") + "?status=failed", reverse("supervision:requeue", args=[message.pk]),
        {"query": "status=failed"},
    )  # fmt: skip
    assert back.status_code == 302 and back.url == reverse("supervision:outbox") + "?status=failed"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 3)
    assert message.next_attempt_at >= before
    entry = AuditEntry.objects.get(action="notification.requeue")
    assert entry.before["status"] == "failed" and entry.after["status"] == "queued"

    office = signed_in(people.office)
    again = office.post(reverse("supervision:requeue", args=[message.pk]), follow=True)
    assert "只有发送失败的通知可以重新发送" in text_of(again)
    no_number = Notification.objects.get(unit__code="ST1")
    refused = office.post(reverse("supervision:requeue", args=[no_number.pk]), follow=True)
    assert "无法重新发送" in text_of(refused)
    no_number.refresh_from_db()
    assert no_number.status == "failed"


# -- 通知模板 ---------------------------------------------------------------------------------------


def test_templates_refuse_unknown_placeholders_and_the_saved_one_is_used_by_the_next_scan(
    people, make_case, region
):
    office = signed_in(people.office, csrf=True)
    page = office.get(reverse("supervision:texts"))
    assert page.context["form"]["yellow"].value() == DEFAULTS["yellow"]
    assert "当前使用默认模板" in text_of(page)
    url = reverse("supervision:texts")

    refused = post_form(office, url, url, {"yellow": "请办理{case_no}，联系{phone}", "red": DEFAULTS["red"]})
    assert refused.status_code == 200
    assert "未知的占位符 {phone}" in text_of(refused)
    assert not NotificationTemplate.objects.exists()

    new_text = "【预警】{unit_name}：{item_name}办件{case_no}将于{due_date}到期，请抓紧办理。"
    saved = post_form(office, url, url, {"yellow": new_text, "red": DEFAULTS["red"]})
    assert saved.status_code == 302
    assert dict(NotificationTemplate.objects.values_list("kind", "text")) == {"yellow": new_text}
    entry = AuditEntry.objects.get(action="template.update")
    assert entry.before["text"] == DEFAULTS["yellow"] and entry.after["text"] == new_text

    make_case("SC-Y", "I9", ("accept", at(2026, 3, 10)))
    scan(SCANNED)
    message = Notification.objects.get(kind="yellow")
    assert message.text == "【预警】区市场监管局：食品经营许可办件SC-Y将于2026-03-23到期，请抓紧办理。"


def test_only_the_office_manages_templates(people):
    for user in (people.supervisor, people.market_staff, people.leader):
        assert signed_in(user).get(reverse("supervision:texts")).status_code == 403
    assert "通知模板" not in text_of(signed_in(people.supervisor).get(reverse("supervision:board")))
    assert "通知模板" in text_of(signed_in(people.office).get(reverse("supervision:board")))


def test_attachments_are_grouped_by_reply_round_without_a_raw_digest_column(people, orders):
    from govwatch.supervision import orders as services

    order = next(iter(orders.values()))
    unit, jw = people.actor("market_staff"), people.actor("supervisor")
    services.do_reply(unit, order, "措施一", "结果一", files=[("第一次.pdf", b"%PDF-1 first")])
    services.do_send_back(jw, order, "证据不足")
    services.do_reply(unit, order, "措施二", "结果二", files=[("第二次.pdf", b"%PDF-1 second")])
    page = signed_in(people.supervisor).get(order_url(order))
    rounds = [(n, [a.name for a in files]) for n, _step, files in page.context["rounds"]]
    assert rounds == [(1, ["第一次.pdf"]), (2, ["第二次.pdf"])]
    html = page.content.decode()
    assert "第 1 次回复" in html and "第 2 次回复" in html and "<th>SHA-256</th>" not in html


def test_a_radio_choice_sits_inside_the_label_with_its_words(people, region):
    from django.template.loader import render_to_string

    from govwatch.evaluations.forms import VerifyForm

    html = render_to_string("supervision/_fields.html", {"form": VerifyForm()})
    assert "<legend>核实结论</legend>" in html
    assert re.search(
        r'<label class="choice-option" for="[^"]+"><input type="radio"[^>]*><span>属实</span></label>', html
    )
