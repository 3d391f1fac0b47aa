"""Alert rules per unit and item, and quiet hours that delay a message, never drop it."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from govwatch.supervision.dispatch import dispatch
from govwatch.supervision.models import AlertRule, Notification
from govwatch.supervision.scan import scan

from .conftest import at


def test_an_item_rule_can_keep_red_cards_to_the_commission_only(make_case, region):
    AlertRule.objects.create(item=region["items"]["I9"], notify_red=False)
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    assert scan(at(2026, 3, 20)).notifications_queued == 1
    assert Notification.objects.get().unit == region["supervisor"]


def test_the_nearest_unit_rule_up_the_tree_applies(make_case, region):
    AlertRule.objects.create(unit=region["street"], notify_yellow=False)
    make_case("C0", "I0", ("accept", at(2026, 3, 2)))  # community under the street
    make_case("C9", "I9", ("accept", at(2026, 3, 2)))  # market department: defaults
    result = scan(at(2026, 3, 10, 8))
    assert result.new_yellow == 1 and result.new_red == 1
    assert set(Notification.objects.values_list("kind", "unit__code")) == {
        ("yellow", "SC"),
        ("red", "ST1"),
        ("red", "JW"),
    }


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
        AlertRule(notify_red=False, red_to_supervisors=False).clean()
