"""我的待办: what waits for each role, limited to what the person may see and do, each item one
click from the home page, and the counts in the navigation."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse

from govwatch.audit.log import Actor
from govwatch.core import pii
from govwatch.evaluations import rectification
from govwatch.evaluations.letters import do_create_letter, do_issue_letter
from govwatch.evaluations.models import Evaluation, RectificationTask
from govwatch.supervision.models import Notification, SupervisionOrder
from govwatch.supervision.orders import do_issue_order, do_reply, escalate_overdue
from govwatch.supervision.scan import scan
from govwatch.web import todo
from govwatch.web.navigation import ENTRIES

from .conftest import local, make_case

SYSTEM = Actor("system:test")
BEFORE_ESCALATION = local(2026, 3, 16, 10)  # Monday


@dataclass
class Waiting:
    market_order: SupervisionOrder
    social_order: SupervisionOrder
    replied: SupervisionOrder
    market_task: RectificationTask
    social_task: RectificationTask


def actor(user) -> Actor:
    return Actor(f"user:{user.username}", user, "127.0.0.1")


def negative(case_no: str, item, unit, at):
    case = make_case(
        case_no, item, [("accept", local(2026, 3, 2, 9), ""), ("complete", local(2026, 3, 3, 9), "")]
    )
    evaluation = Evaluation.objects.create(
        eval_id=f"E-{case_no}", level=1, at=at, case=case, unit=unit, digest="-"
    )
    return rectification.open_task(evaluation, at, SYSTEM)


@pytest.fixture
def waiting(region, people) -> Waiting:
    """Orders to both departments, one replied; a negative review in each; a red case in the market
    bureau scanned on Monday 16 March 2026; a letter to the market bureau."""
    market, social = region["market"], region["social"]
    market_order = do_issue_order(
        SYSTEM, market, "请说明超时原因", at=local(2026, 3, 12, 9)
    )  # reply due 17 March
    social_order = do_issue_order(SYSTEM, social, "请加快办理", at=local(2026, 3, 12, 9))
    replied = do_issue_order(SYSTEM, market, "请整改", at=local(2026, 3, 10, 9))
    do_reply(actor(people["market"]), replied, "已整改", "已办结", at=local(2026, 3, 11, 9))
    make_case("SC-LATE", region["items"]["I9"], [("accept", local(2026, 3, 2, 9), "")])  # due 13 March
    scan(local(2026, 3, 16, 8))
    market_task = negative("SC-NEG", region["items"]["I9"], market, local(2026, 3, 12, 10))
    social_task = negative("RS-NEG", region["items"]["I2"], social, local(2026, 3, 12, 10))
    rectification.do_appeal(
        actor(people["social"]), social_task, "恶意评价，附录音", at=local(2026, 3, 13, 9)
    )
    letter = do_create_letter(
        actor(people["supervisor"]), "reminder", market, local(2026, 3, 1).date(), local(2026, 3, 31).date()
    )
    do_issue_letter(actor(people["supervisor"]), letter, at=local(2026, 3, 12, 9))
    return Waiting(market_order, social_order, replied, market_task, social_task)


def groups(user, at=BEFORE_ESCALATION) -> dict[str, object]:
    return {g.key: g for g in todo.collect(user, at)}


def counts(user, at=BEFORE_ESCALATION) -> dict[str, int]:
    return {key: g.count for key, g in groups(user, at).items() if not g.figure}


def test_unit_staff_see_their_orders_reviews_and_letters_and_nothing_of_another_unit(waiting, people):
    mine = counts(people["market"])
    assert mine == {
        "supervision.orders-to-answer": 1, "supervision.red-cases": 1, "supervision.yellow-cases": 0,
        "evaluations.tasks-open": 1, "evaluations.tasks-verified": 0, "evaluations.tasks-returned": 0,
        "evaluations.tasks-rectified": 0,
        "evaluations.letters-to-answer": 1,
    }  # fmt: skip
    order = groups(people["market"])["supervision.orders-to-answer"].shown()[0]
    assert waiting.market_order.number in order.label and order.url.endswith(
        f"/orders/{waiting.market_order.pk}/"
    )
    assert (order.due_date.isoformat(), order.days_left, order.overdue) == ("2026-03-17", 1, False)
    late = groups(people["market"])["supervision.red-cases"].shown()[0]
    assert (late.url, late.overdue, late.late_days) == ("/cases/SC-LATE/", True, 1)  # Friday 13, Monday 16
    theirs = counts(people["social"])
    assert theirs["supervision.orders-to-answer"] == 1 and theirs["evaluations.tasks-open"] == 0  # appealing
    assert theirs["supervision.red-cases"] == 0  # SC-LATE is the market bureau's
    assert theirs["evaluations.letters-to-answer"] == 0
    shown = groups(people["social"])["supervision.orders-to-answer"].shown()
    assert [i.label.split(" · ")[0] for i in shown] == [waiting.social_order.number]


def test_working_days_left_at_the_deadline_and_after_it(waiting, people):
    def first(at):
        return groups(people["market"], at)["supervision.orders-to-answer"].shown()[0]

    assert (first(local(2026, 3, 17, 23, 59)).days_left, first(local(2026, 3, 17, 23, 59)).overdue) == (
        0,
        False,
    )
    late = first(local(2026, 3, 18, 0, 0))
    assert (late.days_left, late.overdue, late.late_days) == (None, True, 1)
    assert groups(people["market"], local(2026, 3, 18, 0, 0))["supervision.orders-to-answer"].tone == "red"


def test_supervisors_see_replies_to_accept_new_red_cards_escalations_and_reviews(waiting, people):
    mine = counts(people["supervisor"])
    assert mine["supervision.replies-to-accept"] == 1
    assert mine["supervision.new-red-cases"] == 1  # SC-LATE, red at Monday's scan
    assert mine["supervision.escalations"] == 0
    assert "supervision.orders-to-answer" not in mine and "evaluations.tasks-open" not in mine
    assert "supervision.units-without-phone" not in mine
    red = groups(people["supervisor"])["supervision.new-red-cases"]
    assert red.url == "/cases/?card=red&card_since=2026-03-13" and red.shown()[0].url == "/cases/SC-LATE/"
    # On Thursday the card is no longer new; the replies still wait. Orders unanswered escalate.
    escalate_overdue(local(2026, 3, 18, 9))
    later = counts(people["supervisor"], local(2026, 3, 19, 9))
    assert later["supervision.new-red-cases"] == 0 and later["supervision.escalations"] == 2


def test_the_office_sees_appeals_to_decide_and_units_alerts_cannot_reach(waiting, people, region):
    mine = groups(people["office"])
    assert mine["evaluations.tasks-appealing"].count == 1
    units = mine["supervision.units-without-phone"]
    # The center, the street and its community have no alert number; of those only the community
    # handles cases (it has an item), so only it would miss its alerts.
    assert units.count == 1 and units.url == "/admin/orgs/unit/?phone=none"
    assert [(i.label, i.url) for i in units.shown()] == [
        ("东门社区", f"/admin/orgs/unit/{region['community'].pk}/change/")
    ]
    assert "evaluations.tasks-open" not in mine and "supervision.orders-to-answer" not in mine


def test_the_office_sees_which_messages_failed_to_whom_masked_and_why(region, people):
    phone = "13912345678"
    digest, token = pii.protect(phone)
    Notification.objects.create(
        kind="red", channel="sms", unit=region["market"], recipient_hash=digest, recipient_enc=token,
        recipient_masked=pii.mask(phone), text="超时提醒", status=Notification.Status.FAILED,
        last_error="网关拒绝：签名无效",
    )  # fmt: skip
    failed = groups(people["office"])["supervision.failed-messages"]
    assert (failed.count, failed.tone, failed.url) == (1, "red", "/supervision/outbox/?status=failed")
    (item,) = failed.shown()
    assert pii.mask(phone) in item.label and phone not in item.label + item.note
    assert item.url == failed.url and "网关拒绝：签名无效" in item.note and region["market"].name in item.note


def test_the_office_is_told_which_kinds_of_sms_the_cloud_service_cannot_send(region, people, settings):
    assert groups(people["office"])["supervision.sms-templates"].count == 0  # the file transport needs none
    settings.SMS_TRANSPORT = "aliyun"
    templates = dict.fromkeys(
        ["red", "yellow", "order", "watch_yellow", "watch_red", "reminder", "invite"], "SMS_1"
    )
    settings.ALIYUN_SMS = {**settings.ALIYUN_SMS, "templates": {**templates, "watch_red": "", "reminder": ""}}
    missing = groups(people["office"])["supervision.sms-templates"]
    assert missing.count == 2 and missing.url == "/supervision/outbox/?status=failed"
    assert [i.label for i in missing.shown()] == ["逾期提醒短信", "催办提醒短信"]
    assert "GOVWATCH_ALIYUN_TEMPLATE_WATCH_RED" in missing.shown()[0].note
    assert "supervision.sms-templates" not in groups(people["supervisor"])


def test_leaders_see_the_few_figures_that_moved_and_nothing_to_do(waiting, people):
    mine = groups(people["leader"], local(2026, 3, 20, 9))
    assert all(g.figure and g.count == 0 for g in mine.values()) and 0 < len(mine) <= 4
    orders = mine.get("reports.orders")
    assert orders is not None and orders.figure == "3" and "上月同期为 0" in orders.note
    assert all(g.nav == "" for g in mine.values())


def test_the_same_days_of_last_month_are_compared():
    from datetime import date

    from govwatch.reports.todo import same_days_last_month

    this, last = same_days_last_month(date(2026, 3, 31))
    assert (this.date_from, this.date_to, last.date_from, last.date_to) == (
        date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28),
    )  # fmt: skip


def test_each_group_opens_the_list_of_exactly_its_rows(waiting, people, as_user):
    supervisor = as_user(people["supervisor"])
    listed = supervisor.get("/supervision/orders/", {"status": "waiting"}).context["orders"].page
    assert {o.pk for o in listed} == {waiting.market_order.pk, waiting.social_order.pk}
    assert not list(
        supervisor.get("/supervision/orders/", {"status": "waiting", "escalated": "on"})
        .context["orders"]
        .page
    )
    escalate_overdue(local(2026, 3, 18, 9))
    escalated = (
        supervisor.get("/supervision/orders/", {"status": "waiting", "escalated": "on"})
        .context["orders"]
        .page
    )
    assert len(escalated) == 2
    cases = supervisor.get("/cases/", {"card": "red", "card_since": "2026-03-13"}).context["page"]
    assert [c.case_no for c in cases] == ["SC-LATE"]
    assert not list(supervisor.get("/cases/", {"card": "red", "card_since": "2026-03-17"}).context["page"])
    office = as_user(people["office"])
    html = office.get("/admin/orgs/unit/", {"phone": "none"}).content.decode()
    assert "城关街道" in html and "区市场监管局" not in html


LINK = re.compile(r'<article class="todo-group[^"]*" data-key="([^"]+)">(.*?)</article>', re.S)


@pytest.mark.parametrize("role", ["market", "social", "supervisor", "office", "leader", "admin"])
def test_every_waiting_item_on_the_home_page_opens_in_one_click(waiting, people, as_user, role):
    client = as_user(people[role])
    html = client.get(reverse("home")).content.decode()
    found = LINK.findall(html)
    if role != "leader":
        assert found, html
    for key, block in found:
        for href in re.findall(r'href="([^"]+)"', block):
            href = href.replace("&amp;", "&")
            assert client.get(href).status_code == 200, (role, key, href)


def test_the_navigation_counts_what_waits_in_each_area(waiting, people, as_user):
    html = as_user(people["market"]).get(reverse("home")).content.decode()
    assert 'data-count="2" aria-label="电子监察（2 项待办）"' in html  # an order and a red case
    assert 'data-count="2" aria-label="差评整改（2 项待办）"' in html
    html = as_user(people["leader"]).get(reverse("home")).content.decode()
    assert "data-count" not in html and "本月变化较大的指标" in html


def test_someone_with_nothing_waiting_is_told_so(region, people, as_user):
    html = as_user(people["social"]).get(reverse("home")).content.decode()
    assert "目前没有等待您处理的事项" in html


# -- in a real browser ---------------------------------------------------------------------------


def browser_page(browser, width: int = 1440, height: int = 900):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.problems = []
    page.on(
        "console", lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return page


def sign_in(page, live_server, user) -> None:
    from .conftest import PASSWORD

    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["market", "supervisor", "office", "leader"])
def test_each_role_reaches_every_waiting_item_from_the_home_page_in_one_click(
    browser, live_server, waiting, people, role
):
    page = browser_page(browser)
    sign_in(page, live_server, people[role])
    selector = ".figure-moved" if role == "leader" else ".todo-group a"
    links = page.locator(selector)
    total = links.count()
    assert total > 0
    for i in range(total):
        page.goto(live_server.url + "/")
        link = page.locator(selector).nth(i)
        label = link.inner_text()
        with page.expect_navigation() as arrived:
            link.click()
        assert arrived.value.status == 200, (role, label, page.url)
        assert page.locator("h1").first.is_visible(), (role, label, page.url)
    assert page.problems == []
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_every_navigation_entry_is_in_view_without_a_sideways_scroll(
    browser, live_server, waiting, people
):
    page = browser_page(browser, 390, 844)
    sign_in(page, live_server, people["admin"])  # the longest navigation, with counts
    links = page.get_by_role("navigation", name="主导航").get_by_role("link")
    assert links.count() == len(ENTRIES)
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, links.nth(i).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The last entry is one tap away, like the first.
    with page.expect_navigation():
        links.last.click()
    assert "/admin/" in page.url
    assert page.problems == []
    page.context.close()
