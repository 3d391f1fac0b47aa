"""The watched deadlines on the e-supervision pages: beside the cases on the board, in their own
list, each kind's texts edited by the office, every row within the viewer's scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from govwatch.audit.models import AuditEntry
from govwatch.supervision import kinds
from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.models import Notification, NotificationTemplate
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import watch

from .conftest import at
from .test_pages import post_form, signed_in, text_of

KIND = "feedback_form"


@pytest.fixture(autouse=True)
def feedback_kind(monkeypatch):
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))
    return register_kind(WatchKind(KIND, "检查反馈表", yellow_days=3))


@pytest.fixture
def watched(make_case, region):
    """A red feedback form of the market bureau, a yellow one of the social bureau (scanned 16 March)."""
    subjects = {}
    for no, unit, due in (("SC-F", "market", date(2026, 3, 13)), ("RS-F", "social", date(2026, 3, 18))):
        subject = make_case(no, "I9", ("accept", at(2026, 2, 2)), ("complete", at(2026, 2, 3)))
        watch(subject, kind=KIND, unit=region[unit], due_date=due, label=f"反馈表{no}", at=at(2026, 3, 1))
        subjects[no] = subject
    scan(at(2026, 3, 16, 9))
    return subjects


def test_the_board_shows_each_kinds_cards_beside_the_cases(people, watched):
    response = signed_in(people.supervisor).get(reverse("supervision:board"))
    (row,) = response.context["watch_rows"]
    assert row.name == "检查反馈表" and {c.card: c.count for c in row.cells} == {"yellow": 1, "red": 1}
    red = next(c for c in row.cells if c.card == "red")
    listed = signed_in(people.supervisor).get(red.link)
    assert [w.label for w in listed.context["watches"].page] == ["反馈表SC-F"]
    assert 'href="/cases/SC-F/"' in text_of(listed)


def test_unit_staff_see_only_their_own_watched_deadlines(people, watched):
    client = signed_in(people.market_staff)
    rows = client.get(reverse("supervision:watch-list")).context["watches"].page
    assert [w.label for w in rows] == ["反馈表SC-F"]
    board = client.get(reverse("supervision:board")).context["watch_rows"]
    assert {c.card: c.count for c in board[0].cells} == {"yellow": 0, "red": 1}
    # Another unit's code in the filter is refused, not widened.
    refused = client.get(reverse("supervision:watch-list"), {"unit": "RS"})
    assert "不在您的查看范围内" in text_of(refused) and not list(refused.context["watches"].page)


def test_the_watch_list_filters_by_kind_card_and_day_of_the_card(people, watched):
    client = signed_in(people.supervisor)
    url = reverse("supervision:watch-list")
    assert [w.label for w in client.get(url, {"card": "yellow"}).context["watches"].page] == ["反馈表RS-F"]
    assert len(client.get(url, {"kind": KIND, "since": "2026-03-16"}).context["watches"].page) == 2
    assert len(client.get(url, {"since": "2026-03-17"}).context["watches"].page) == 0
    bad = client.get(url, {"since": "三月"})
    assert "日期格式应为 YYYY-MM-DD" in text_of(bad)


def test_the_office_edits_a_kinds_texts_refused_with_an_unknown_placeholder_and_audited(people, watched):
    office = signed_in(people.office, csrf=True)
    page_url, action = reverse("supervision:texts"), reverse("supervision:watch-texts", args=[KIND])
    page = office.get(page_url)
    assert "检查反馈表到期预警" in text_of(page) and "{remaining}" in text_of(page)
    defaults = {f"{KIND}-{t}": kinds.DEFAULT_TEXTS[t] for t in ("yellow", "red", "reminder")}
    refused = post_form(office, page_url, action, {**defaults, f"{KIND}-red": "超时了{phone}"})
    assert refused.status_code == 200 and "未知的占位符 {phone}" in text_of(refused)
    assert not NotificationTemplate.objects.exists()
    new_red = "【逾期】{unit_name}的{kind_label}{label}已超过期限{due_date}，{remaining}。"
    saved = post_form(office, page_url, action, {**defaults, f"{KIND}-red": new_red})
    assert saved.status_code == 302
    assert dict(NotificationTemplate.objects.values_list("kind", "text")) == {f"{KIND}.red": new_red}
    assert AuditEntry.objects.get(action="template.update").summary == "修改检查反馈表逾期提醒通知模板"
    scan(at(2026, 3, 19, 9))  # the social bureau's form goes red
    text = Notification.objects.filter(kind="watch_red").last().text
    assert text == "【逾期】区人社局的检查反馈表反馈表RS-F已超过期限2026-03-18，已逾期1个工作日。"


def test_only_the_office_edits_texts(people, watched):
    action = reverse("supervision:watch-texts", args=[KIND])
    for user in (people.supervisor, people.market_staff, people.leader):
        assert signed_in(user).post(action, {f"{KIND}-red": "x"}).status_code == 403
    assert (
        signed_in(people.office).post(reverse("supervision:watch-texts", args=["nothing"])).status_code == 404
    )
