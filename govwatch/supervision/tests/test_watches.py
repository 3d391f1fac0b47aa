"""Watched deadlines: any area's subject carded by the rule of contract section 3, each flip
recorded and notified once, quiet hours kept, and one supervision order per overdue deadline."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest

from govwatch.supervision import kinds
from govwatch.supervision.kinds import UnknownKind, WatchKind, register_kind
from govwatch.supervision.models import (
    AlertRule,
    Notification,
    NotificationTemplate,
    SupervisionOrder,
    Watch,
    WatchFlip,
)
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import (
    close_watch,
    issue_for_overdue_watches,
    suspend_watch,
    watch,
    watch_of,
)

from .conftest import TZ, at

KIND = "feedback_form"
LAST_MOMENT = datetime.combine(date(2026, 3, 13), time.max, tzinfo=TZ)  # due Friday 13 March


@pytest.fixture(autouse=True)
def feedback_kind(monkeypatch):
    """An area's kind as an area registers it: inspection feedback forms (检查反馈表). The
    registry is restored after each test."""
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))
    return register_kind(WatchKind(KIND, "检查反馈表", yellow_days=3, order_after_workdays=1))


@pytest.fixture
def subject(make_case):
    """Any saved model serves as a subject; a case has its own page to link back to. This one is
    completed, so that the only cards are the watch's."""
    return make_case("SC-1", "I9", ("accept", at(2026, 2, 2)), ("complete", at(2026, 2, 3)))


def watched(subject, region, due=date(2026, 3, 13), **kw):
    kw.setdefault("label", "反馈表第1号")
    return watch(subject, kind=KIND, unit=region["market"], due_date=due, at=at(2026, 2, 2), **kw)


def watch_figures(moment):
    return scan(moment).watches


def card_of(subject) -> str:
    return watch_of(subject, KIND).card


def test_yellow_from_yellow_days_before_and_red_after_the_due_dates_last_moment(subject, region):
    watched(subject, region)
    scan(at(2026, 3, 9, 23, 59, 59))
    assert card_of(subject) == "none"  # four working days left
    assert watch_figures(at(2026, 3, 10, 0, 0))["new_yellow"] == 1  # three left: yellow from 00:00
    scan(LAST_MOMENT)
    assert card_of(subject) == "yellow"
    figures = watch_figures(LAST_MOMENT + timedelta(microseconds=1))
    assert (figures["red"], figures["new_red"], figures["yellow"]) == (1, 1, 0)
    assert card_of(subject) == "red"


def test_the_spring_festival_holiday_counts_no_working_day(subject, region):
    # Due Tuesday 24 February 2026: Saturday 14 February is a make-up working day, 15-23 are holidays.
    watched(subject, region, due=date(2026, 2, 24), yellow_days=2)
    scan(at(2026, 2, 12, 23, 59))
    assert card_of(subject) == "none"  # 13th, 14th and 24th left
    scan(at(2026, 2, 13, 0, 0))
    assert card_of(subject) == "yellow"
    scan(at(2026, 2, 20, 12))  # in the holiday
    assert card_of(subject) == "yellow"
    scan(at(2026, 2, 25, 0, 0))
    assert card_of(subject) == "red"


def test_without_yellow_days_a_watch_goes_straight_to_red(subject, region):
    watched(subject, region, yellow_days=None)
    scan(LAST_MOMENT)
    assert card_of(subject) == "none"
    scan(at(2026, 3, 14, 0, 0))
    assert card_of(subject) == "red"


def test_each_flip_is_recorded_once_and_its_messages_are_queued_once(subject, region):
    watched(subject, region)
    first = watch_figures(at(2026, 3, 10, 9))
    again = watch_figures(at(2026, 3, 10, 9))
    assert first["notifications_queued"] == 1 and again["notifications_queued"] == 0
    assert again["yellow"] == 1 and again["new_yellow"] == 0
    red = watch_figures(at(2026, 3, 16, 9))
    assert red["notifications_queued"] == 2  # the unit and the region's commission
    assert watch_figures(at(2026, 3, 16, 9))["notifications_queued"] == 0
    assert list(WatchFlip.objects.values_list("card", "previous")) == [("yellow", "none"), ("red", "yellow")]
    messages = Notification.objects.order_by("id")
    assert [(m.kind, m.unit.code) for m in messages] == [
        ("watch_yellow", "SC"),
        ("watch_red", "SC"),
        ("watch_red", "JW"),
    ]
    assert all(m.card_change_id is None and m.watch_flip_id for m in messages)


def test_watch_texts_are_in_chinese_with_full_width_punctuation_and_the_office_may_edit_them(subject, region):
    watched(subject, region)
    scan(at(2026, 3, 10, 9))
    yellow = Notification.objects.get(kind="watch_yellow")
    assert yellow.text == "检查反馈表即将到期：反馈表第1号，办理期限：2026-03-13，剩余3个工作日，请及时办理。"
    assert yellow.recipient_masked == "138****1111" and "13800001111" not in yellow.recipient_enc
    assert yellow.params["remaining"] == "剩余3个工作日" and yellow.case_id is None
    NotificationTemplate.objects.create(
        kind=f"{KIND}.red", text="【超时】{unit_name}{kind_label}{label}已超过期限{due_date}。"
    )
    scan(at(2026, 3, 16, 9))
    red = Notification.objects.filter(kind="watch_red").first()
    assert red.text == "【超时】区市场监管局检查反馈表反馈表第1号已超过期限2026-03-13。"


def test_a_watch_names_the_case_it_concerns_in_its_messages(subject, region):
    watched(subject, region, case=subject)
    scan(at(2026, 3, 10, 9))
    message = Notification.objects.get()
    assert message.case_id == "SC-1" and message.params["case_no"] == "SC-1"


def test_quiet_hours_delay_a_message_to_their_end_and_drop_nothing(subject, region):
    AlertRule.objects.create(unit=region["market"], quiet_start=time(22), quiet_end=time(7))
    watched(subject, region)
    scan(at(2026, 3, 14, 0, 0))  # red at midnight
    to_unit = Notification.objects.get(kind="watch_red", unit=region["market"])
    assert to_unit.next_attempt_at == at(2026, 3, 14, 7, 0)
    # The commission has no quiet hours of its own.
    assert Notification.objects.get(kind="watch_red", unit=region["supervisor"]).next_attempt_at is None


def test_a_kind_may_keep_red_cards_from_the_supervisors_and_name_more_units(subject, region):
    register_kind(
        WatchKind(KIND, "检查反馈表", red_to_supervisors=False, recipients=lambda w, card: [region["center"]])
    )
    region["center"].phone = "13700003333"
    region["center"].save()
    watched(subject, region, yellow_days=None)
    scan(at(2026, 3, 16, 9))
    assert sorted(Notification.objects.values_list("unit__code", flat=True)) == ["C", "SC"]


def test_an_overdue_deadline_becomes_one_order_after_the_kinds_working_days(subject, region, client):
    w = watched(subject, region)
    # Red from Saturday 14 March; overdue for more than one working day from Tuesday 17 March.
    assert w.order_at == at(2026, 3, 17, 0, 0)
    assert issue_for_overdue_watches(at(2026, 3, 16, 23, 59, 59)) == 0
    assert issue_for_overdue_watches(at(2026, 3, 17, 0, 0)) == 1
    assert issue_for_overdue_watches(at(2026, 3, 18, 9)) == 0
    order = SupervisionOrder.objects.get()
    w.refresh_from_db()
    assert (order.watch, order.unit, order.origin, w.order, w.order_at) == (
        w, region["market"], SupervisionOrder.Origin.WATCH, order, None,
    )  # fmt: skip
    assert order.demand.startswith("检查反馈表“反馈表第1号”已超过办理期限（2026年3月13日）")
    assert Notification.objects.filter(kind="order", unit=region["market"]).count() == 1


def test_the_order_page_links_back_to_the_subject(subject, region, django_user_model, client):
    from govwatch.accounts.models import Membership, Role

    watched(subject, region)
    issue_for_overdue_watches(at(2026, 3, 17, 9))
    user = django_user_model.objects.create_user("jw", password="correct-horse-battery")
    Membership.objects.create(user=user, role=Role.SUPERVISOR, unit=region["root"])
    client.force_login(user)
    order = SupervisionOrder.objects.get()
    html = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "督办对象" in html and 'href="/cases/SC-1/"' in html and "反馈表第1号" in html
    assert "自动督办：逾期未办结" in html


def test_a_new_due_date_is_a_new_deadline_ordered_in_its_own_right_the_same_one_never_twice(subject, region):
    watched(subject, region)
    issue_for_overdue_watches(at(2026, 3, 17, 9))
    # The same deadline again (re-saved, or closed and reopened): still the one order.
    close_watch(subject, at(2026, 3, 18))
    watched(subject, region)
    assert issue_for_overdue_watches(at(2026, 3, 19, 9)) == 0
    # Moved to Friday 20 March: a new deadline.
    watched(subject, region, due=date(2026, 3, 20))
    assert issue_for_overdue_watches(at(2026, 3, 23, 9)) == 0
    assert issue_for_overdue_watches(at(2026, 3, 24, 0, 0)) == 1
    assert SupervisionOrder.objects.count() == 2


def test_a_kind_without_an_order_policy_is_carded_but_never_ordered(subject, region):
    register_kind(WatchKind(KIND, "检查反馈表", order_after_workdays=None))
    w = watched(subject, region)
    assert w.order_at is None
    assert issue_for_overdue_watches(at(2026, 4, 30)) == 0


def test_suspended_and_closed_watches_have_no_card_and_no_order(subject, region):
    watched(subject, region)
    scan(at(2026, 3, 16, 9))
    assert card_of(subject) == "red"
    suspend_watch(subject, at(2026, 3, 16, 10))
    figures = watch_figures(at(2026, 3, 16, 11))
    assert (figures["suspended"], figures["red"], card_of(subject)) == (1, 0, "none")
    assert issue_for_overdue_watches(at(2026, 3, 20)) == 0
    watched(subject, region, due=date(2026, 3, 27))  # resumed with the deadline moved on
    scan(at(2026, 3, 20, 9))
    assert card_of(subject) == "none"
    close_watch(subject, at(2026, 3, 26))
    figures = watch_figures(at(2026, 3, 30))
    assert (figures["open"], card_of(subject)) == (0, "none")
    assert issue_for_overdue_watches(at(2026, 4, 30)) == 0


def test_a_deadline_moved_later_is_evaluated_again_at_the_next_scan(subject, region):
    watched(subject, region)
    scan(at(2026, 3, 16, 9))
    watched(subject, region, due=date(2026, 3, 31))
    assert Watch.objects.get().next_card_at is None
    scan(at(2026, 3, 16, 10))
    assert card_of(subject) == "none"
    assert list(WatchFlip.objects.values_list("card", flat=True)) == ["red", "none"]


def test_a_replay_scan_earlier_than_the_last_evaluates_every_watch_again(subject, region):
    watched(subject, region)
    scan(at(2026, 3, 20))
    figures = watch_figures(at(2026, 3, 11))
    assert (figures["yellow"], figures["red"]) == (1, 0)


def test_scan_command_adds_the_watches_key_once_deadlines_are_watched(subject, region, capsys):
    from govwatch.cli import main

    watched(subject, region)
    assert main(["scan", "--at", "2026-03-20T09:00:00", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == [
        "at", "open", "suspended", "yellow", "red", "new_yellow", "new_red", "notifications_queued", "watches",
    ]  # fmt: skip
    assert doc["red"] == 0  # the contract's figures are the cases' alone
    assert doc["watches"] == {
        "open": 1, "suspended": 0, "yellow": 0, "red": 1, "new_yellow": 0, "new_red": 1, "notifications_queued": 2,
    }  # fmt: skip


def test_watching_needs_a_registered_kind_a_saved_subject_and_a_date(subject, region):
    with pytest.raises(UnknownKind):
        watch(subject, kind="nothing", unit=region["market"], due_date=date(2026, 3, 13))
    with pytest.raises(TypeError):
        watch(subject, kind=KIND, unit=region["market"], due_date=at(2026, 3, 13))
    with pytest.raises(ValueError):
        watch(type(subject)(), kind=KIND, unit=region["market"], due_date=date(2026, 3, 13))
    with pytest.raises(ValueError):
        register_kind(WatchKind("a.b", "坏的类型"))
    assert not Watch.objects.exists()


def test_one_subject_may_be_watched_under_several_kinds(subject, region):
    register_kind(WatchKind("kiosk_repair", "自助终端报修", order_after_workdays=None))
    watched(subject, region)
    watch(subject, kind="kiosk_repair", unit=region["social"], due_date=date(2026, 3, 20), at=at(2026, 3, 2))
    assert Watch.objects.count() == 2
    assert close_watch(subject, at(2026, 3, 3), kind="kiosk_repair") == 1
    assert watch_of(subject, KIND).status == "open"
