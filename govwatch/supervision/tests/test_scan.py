"""The scan (contract sections 3 and 5): cards at their boundaries, recorded once, notified once."""

from __future__ import annotations

import json

from govwatch.cases.models import Case
from govwatch.supervision.models import CardChange, Notification
from govwatch.supervision.scan import scan
from govwatch.supervision.texts import DEFAULTS

from .conftest import at


def figures(moment):
    d = scan(moment).as_dict()
    del d["at"]
    return d


def test_red_card_the_day_after_due_date(make_case):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))  # due Friday 13 March
    assert figures(at(2026, 3, 13, 23, 59, 59))["red"] == 0
    result = figures(at(2026, 3, 14, 0, 0))
    assert result["red"] == 1 and result["new_red"] == 1 and result["yellow"] == 0


def test_yellow_then_red_gives_one_notification_set_for_each(make_case, region):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    assert figures(at(2026, 3, 9, 23, 59)) == {
        "open": 1,
        "suspended": 0,
        "yellow": 0,
        "red": 0,
        "new_yellow": 0,
        "new_red": 0,
        "notifications_queued": 0,
    }
    y = figures(at(2026, 3, 10, 0, 0))
    assert (y["yellow"], y["new_yellow"], y["notifications_queued"]) == (1, 1, 1)  # the handling unit
    r = figures(at(2026, 3, 16, 8, 0))
    assert (r["red"], r["yellow"], r["new_red"], r["notifications_queued"]) == (1, 0, 1, 2)  # unit + 纪委
    kinds = list(Notification.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["yellow", "red", "red"]


def test_scanning_twice_at_the_same_moment_queues_nothing(make_case):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    first = figures(at(2026, 3, 20))
    second = figures(at(2026, 3, 20))
    assert first["notifications_queued"] == 2 and second["notifications_queued"] == 0
    assert second["red"] == 1 and second["new_red"] == 0
    assert CardChange.objects.count() == 1


def test_red_text_is_the_seed_reports_words_and_the_phone_is_masked(make_case, region):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 20))
    sms = Notification.objects.filter(kind="red").order_by("id")
    assert sms[0].text == DEFAULTS["red"].format(item_name="食品经营许可", case_no="C1")
    assert sms[0].text == "政务服务网食品经营许可的业务办理已经超时，业务编号：C1，请及时登录系统跟踪督察。"
    assert {n.recipient_masked for n in sms} == {"138****1111", "139****9999"}
    assert all("13800001111" not in (n.recipient_enc + n.recipient_hash) for n in sms)


def test_suspended_case_has_no_card_and_resuming_yellow_is_a_new_yellow(make_case):
    case = make_case(
        "C1", "I9", ("accept", at(2026, 3, 2)), ("suspend", at(2026, 3, 11)), ("resume", at(2026, 3, 12))
    )
    # Due 13 March + 1 working day (12 March) = 16 March once resumed; before the suspension the
    # due date was the 13th, so on the 10th three working days remained: yellow.
    assert case.due_date.isoformat() == "2026-03-16"
    assert figures(at(2026, 3, 10, 12))["new_yellow"] == 1
    s = figures(at(2026, 3, 11, 10))
    assert (s["suspended"], s["yellow"]) == (1, 0)
    r = figures(at(2026, 3, 12, 10))
    assert (r["yellow"], r["new_yellow"], r["suspended"]) == (1, 1, 0)


def test_goes_yellow_is_suspended_and_resumes_yellow_twice(make_case):
    make_case(
        "C1", "I9", ("accept", at(2026, 3, 2)), ("suspend", at(2026, 3, 11)), ("resume", at(2026, 3, 11, 15))
    )
    assert figures(at(2026, 3, 11, 8))["new_yellow"] == 1
    assert figures(at(2026, 3, 11, 12))["yellow"] == 0
    assert figures(at(2026, 3, 11, 16))["new_yellow"] == 1
    assert list(CardChange.objects.values_list("card", flat=True)) == ["yellow", "none", "yellow"]


def test_instant_item_is_never_yellow_and_red_the_next_day(make_case):
    make_case("C0", "I0", ("accept", at(2026, 3, 2, 10)))
    assert figures(at(2026, 3, 2, 23, 59))["yellow"] == 0
    assert figures(at(2026, 3, 3, 0, 0))["new_red"] == 1


def test_closed_cases_leave_the_counts_and_state_follows_the_scan_moment(make_case):
    make_case("C1", "I2", ("accept", at(2026, 3, 2)), ("complete", at(2026, 3, 10)))
    early = figures(at(2026, 3, 5))  # due 4 March: red while still open on the 5th
    assert (early["open"], early["red"]) == (1, 1)
    later = figures(at(2026, 3, 11))
    assert (later["open"], later["red"], later["new_red"]) == (0, 0, 0)
    assert Case.objects.get().card == "none"


def test_a_case_accepted_after_the_scan_moment_is_not_open_yet(make_case):
    make_case("C1", "I2", ("accept", at(2026, 3, 2)))
    assert figures(at(2026, 3, 1))["open"] == 0
    assert figures(at(2026, 3, 2, 10))["open"] == 1


def test_a_replay_at_an_earlier_moment_reevaluates_every_case(make_case):
    make_case("C1", "I2", ("accept", at(2026, 3, 2)))
    assert figures(at(2026, 3, 20))["red"] == 1
    back = figures(at(2026, 3, 4))
    assert (back["red"], back["yellow"]) == (0, 1)  # promised 2: yellow on the due date (4 March) only
    assert figures(at(2026, 3, 3, 10))["yellow"] == 0


def test_unit_without_a_phone_gets_a_failed_message_that_says_why(make_case, region):
    region["market"].phone = ""
    region["market"].save()
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 20))
    failed = Notification.objects.get(status="failed")
    assert "未设置" in failed.last_error and failed.unit == region["market"]


def test_scan_command_prints_exactly_the_contract_document(make_case, capsys):
    from govwatch.cli import main

    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    assert main(["scan", "--at", "2026-03-20T09:00:00", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == {
        "at": "2026-03-20T09:00:00+08:00",
        "open": 1,
        "suspended": 0,
        "yellow": 0,
        "red": 1,
        "new_yellow": 0,
        "new_red": 1,
        "notifications_queued": 2,
    }
    assert main(["notifications", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["recipient"] for r in rows] == ["138****1111", "139****9999"]
    assert set(rows[0]) >= {"id", "channel", "recipient", "kind", "case_no", "text", "status", "attempts"}


def test_only_one_scan_runs_at_a_time_and_a_dead_scans_lease_runs_out(make_case):
    from datetime import timedelta

    import pytest
    from django.utils import timezone

    from govwatch.supervision.models import ScanLock
    from govwatch.supervision.scan import ScanBusy

    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    ScanLock.objects.update_or_create(
        name="scan", defaults={"holder": "other", "until": timezone.now() + timedelta(minutes=5)}
    )
    with pytest.raises(ScanBusy):
        scan(at(2026, 3, 20), wait=0)
    assert CardChange.objects.count() == 0
    ScanLock.objects.filter(name="scan").update(until=timezone.now() - timedelta(seconds=1))  # holder died
    assert scan(at(2026, 3, 20), wait=0).new_red == 1
    assert ScanLock.objects.get(name="scan").holder == ""


def test_a_scan_killed_between_batches_is_finished_by_the_next_one(make_case, monkeypatch):
    from govwatch.supervision import scan as scan_module

    for k in range(5):
        make_case(f"C{k}", "I9", ("accept", at(2026, 3, 2)))
    monkeypatch.setattr(scan_module, "BATCH", 2)
    original = scan_module._scan_batch
    calls = []

    def dies_after_two_batches(*args):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        original(*args)

    monkeypatch.setattr(scan_module, "_scan_batch", dies_after_two_batches)
    try:
        scan(at(2026, 3, 20))
    except KeyboardInterrupt:
        pass
    monkeypatch.setattr(scan_module, "_scan_batch", original)
    assert CardChange.objects.count() == 4
    result = scan(at(2026, 3, 20, 0, 1))
    assert (result.red, result.new_red) == (5, 1)
    assert Notification.objects.filter(kind="red").count() == 10  # each case's two messages, once
