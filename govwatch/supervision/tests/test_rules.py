"""Alert rules per unit and item, and quiet hours that delay a message, never drop it."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from govwatch.supervision.dispatch import dispatch
from govwatch.supervision.models import AlertContact, AlertRule, Notification
from govwatch.supervision.scan import scan

from .conftest import at


def test_no_rule_takes_the_handling_unit_or_the_commission_off_a_red_card(make_case, region):
    # Contract section 6: a rule adds people and quiet hours; a red card always reaches both.
    AlertRule.objects.create(item=region["items"]["I9"], quiet_start=time(22), quiet_end=time(7))
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    assert scan(at(2026, 3, 20, 10)).notifications_queued == 2
    assert set(Notification.objects.values_list("unit__code", flat=True)) == {"SC", "JW"}


def test_a_units_leaders_are_told_of_its_red_cards_at_their_own_protected_numbers(make_case, region):
    AlertContact.objects.create(
        unit=region["market"], name="王局长", title="分管副局长", address="13711112222"
    )
    AlertContact.objects.create(
        unit=region["market"],
        name="李科长",
        channel="email",
        address="li@example.gov.cn",
        on_yellow=True,
        on_red=False,
    )
    AlertContact.objects.create(unit=region["market"], name="停用", address="13711113333", active=False)
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 11, 10))  # yellow: the unit and the person who asked for yellow cards
    scan(at(2026, 3, 20, 10))  # red: the unit, the commission and the leader
    sent = set(Notification.objects.values_list("kind", "channel", "recipient_masked"))
    assert sent == {
        ("red", "sms", "王局长 137****2222"),
        ("red", "sms", "138****1111"),
        ("red", "sms", "139****9999"),
        ("yellow", "email", "李科长 li@e*********v.cn"),
        ("yellow", "sms", "138****1111"),
    }
    # Kept encrypted: the clear number is nowhere in the row's stored text.
    leader = Notification.objects.get(recipient_masked__startswith="王局长")
    assert "13711112222" not in leader.recipient_enc and "13711112222" not in leader.recipient_masked


def test_a_unit_may_be_reached_by_dingtalk_and_the_nearest_rule_up_the_tree_applies(make_case, region):
    AlertRule.objects.create(unit=region["street"], channel="dingtalk")
    make_case("C0", "I0", ("accept", at(2026, 3, 2)))  # community under the street: no number
    region["community"].phone = "13600006666"
    region["community"].save()
    make_case("C9", "I9", ("accept", at(2026, 3, 2)))  # market department: defaults
    scan(at(2026, 3, 10, 8))
    assert set(Notification.objects.values_list("kind", "unit__code", "channel")) == {
        ("yellow", "SC", "sms"), ("red", "ST1", "dingtalk"), ("red", "JW", "sms")
    }  # fmt: skip


def test_a_unit_that_chose_email_without_a_mailbox_keeps_its_message_as_failed(make_case, region):
    rule = AlertRule(unit=region["market"], channel="email")
    with pytest.raises(ValidationError):
        rule.clean()
    rule.save()  # as if saved before the rule was checked: the message is kept, failed, with why
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 11, 10))
    message = Notification.objects.get(unit=region["market"])
    assert message.status == "failed" and "邮箱" in message.last_error


def test_quiet_hours_delay_the_message_until_they_end(make_case, region):
    AlertRule.objects.create(quiet_start=time(22, 0), quiet_end=time(7, 0))
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 14, 0, 0))  # red at midnight: inside 22:00-07:00
    waiting = Notification.objects.all()
    assert {n.next_attempt_at for n in waiting} == {at(2026, 3, 14, 7, 0)}
    assert dispatch(now=at(2026, 3, 14, 6, 59))["sent"] == 0
    assert dispatch(now=at(2026, 3, 14, 7, 0))["sent"] == 2


def test_a_rule_with_half_a_quiet_period_is_refused():
    with pytest.raises(ValidationError):
        AlertRule(quiet_start=time(22, 0)).clean()
    with pytest.raises(ValidationError):
        AlertContact(name="王", channel="sms", address="12345").clean()


def test_a_person_added_in_the_admin_is_audited_with_the_number_masked(people, region, client):
    from govwatch.audit.models import AuditEntry

    client.force_login(people.office)
    response = client.post(
        "/admin/supervision/alertcontact/add/",
        {"unit": region["market"].pk, "name": "王局长", "title": "分管副局长", "channel": "sms",
         "new_address": "13711112222", "on_red": "on", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin.add", target_type__endswith="alertcontact")
    assert entry.after["address"] == "137****2222"
    assert "13711112222" not in str(entry.after) and "13711112222" not in entry.summary
