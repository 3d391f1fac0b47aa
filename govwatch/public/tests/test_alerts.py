"""Evaluations received through the public pages and left unrecorded (no worker running) raise an
alert: on the office's home page and in `govwatch health`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from govwatch.cli import main
from govwatch.core.alerts import raised
from govwatch.public.intake import receive, take_all


def _receive(case, ago: timedelta):
    return receive(
        case_no=case.case_no, channel="web", window_code="", level=5, scores={}, tags=[], comment="",
        source="127.0.0.1", at=timezone.now() - ago,
    )  # fmt: skip


@pytest.fixture
def office_client(client, people):
    client.force_login(people.office)
    return client


def test_no_alert_while_the_worker_keeps_up(done, settings):
    settings.PUBLIC_INTAKE_ALERT_MINUTES = 10
    assert raised(timezone.now()) == []
    _receive(done, timedelta(minutes=3))
    assert raised(timezone.now()) == []


def test_a_submission_waiting_longer_than_the_limit_raises_the_alert(done, settings):
    settings.PUBLIC_INTAKE_ALERT_MINUTES = 10
    _receive(done, timedelta(minutes=11))
    [alert] = raised(timezone.now())
    assert alert.key == "public.intake"
    assert alert.count == 1
    assert "govwatch worker" in alert.note
    take_all()  # a worker runs again: the alert goes away by itself
    assert raised(timezone.now()) == []


def test_the_office_sees_the_alert_on_its_home_page(office_client, done, settings):
    settings.PUBLIC_INTAKE_ALERT_MINUTES = 10
    _receive(done, timedelta(minutes=30))
    html = office_client.get(reverse("home")).content.decode()
    assert "公众评价未登记" in html
    assert reverse("admin:public_submission_changelist") in html


def test_unit_staff_are_not_shown_the_alert(client, people, done, settings):
    settings.PUBLIC_INTAKE_ALERT_MINUTES = 10
    _receive(done, timedelta(minutes=30))
    client.force_login(people.market_staff)
    assert "公众评价未登记" not in client.get(reverse("home")).content.decode()


def test_health_command_exits_1_while_an_alert_is_raised(done, settings, capsys):
    settings.PUBLIC_INTAKE_ALERT_MINUTES = 10
    assert main(["health", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "alerts": []}
    _receive(done, timedelta(minutes=12))
    assert main(["health", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [(a["key"], a["count"]) for a in report["alerts"]] == [("public.intake", 1)]
