"""The big screen's figures equal `govwatch report kpi`, and who sees which screen."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from govwatch.cli import main
from govwatch.reports.screen import screen_data

from .leaders_fixtures import *  # noqa: F403  (the fixtures ranked and roles)

LAST_EVENING = datetime(2026, 3, 31, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _kpi_total(capsysbinary, *argv: str) -> dict:
    capsysbinary.readouterr()
    assert main(["report", "kpi", *argv, "--format", "json"]) == 0
    return json.loads(capsysbinary.readouterr().out)["rows"][-1]


def test_month_tiles_equal_report_kpi_for_the_month_so_far(march, capsysbinary):
    data = screen_data(None, None, LAST_EVENING)
    total = _kpi_total(capsysbinary, "--from", "2026-03-01", "--to", "2026-03-31")
    for key in ("received", "completed", "overdue_open", "negative"):
        assert data["month"][key] == total[key]
    for key in ("on_time_rate", "satisfaction_rate"):
        assert round(data["month"][key], 4) == total[key]
    shown = {t["key"]: t["shown"] for t in data["tiles"]["month"]}
    assert shown["received"] == "16" and shown["on_time_rate"] == "57.14%"
    day = _kpi_total(capsysbinary, "--from", "2026-03-31", "--to", "2026-03-31")
    assert data["today"]["received"] == day["received"] == 1  # A12, at 23:59:59
    assert data["today"]["completed"] == day["completed"]


def test_a_units_screen_holds_its_subtree_only(march, capsysbinary):
    data = screen_data("ST", None, LAST_EVENING)
    total = _kpi_total(capsysbinary, "--from", "2026-03-01", "--to", "2026-03-31", "--unit", "ST")
    assert data["month"]["received"] == total["received"] == 2
    assert [r["unit_name"] for r in data["ranking"]] == ["东门社区"]


def test_every_chart_is_in_the_document(march):
    data = screen_data(None, None, LAST_EVENING)
    assert set(data["charts"]) == {"trend", "cards", "loop", "complaints", "ranking"}
    assert data["charts"]["trend"]["xAxis"]["data"][-1] == "2026年3月"
    assert data["charts"]["trend"]["series"][0]["data"][-1] == 57.14


def test_screen_page_and_data_for_each_role(ranked, client, roles):
    client.force_login(roles.leader)
    page = client.get("/reports/screen/")
    assert page.status_code == 200 and "测试区政务服务效能监督" in page.content.decode()
    assert client.get("/reports/screen/data.json").json()["title"] == "测试区政务服务效能监督"
    assert client.get("/reports/screen/ST/").status_code == 200
    client.force_login(roles.market_staff)
    assert client.get("/reports/screen/data.json").json()["title"] == "区市场监管局政务服务效能监督"
    # Another unit's screen does not exist for them.
    assert client.get("/reports/screen/RS/").status_code == 404
    assert client.get("/reports/screen/RS/data.json").status_code == 404
    client.logout()
    assert client.get("/reports/screen/data.json").status_code == 302


def test_the_screen_document_is_stored_once_for_every_process(ranked):
    from datetime import date, timedelta

    from govwatch.cases.models import StaleDay
    from govwatch.orgs.models import Unit
    from govwatch.reports.models import ScreenSnapshot
    from govwatch.reports.screen import stored_screen

    computed = []

    def compute() -> dict:
        computed.append(1)
        return screen_data(None, None, LAST_EVENING)

    first = stored_screen("/:", compute)
    assert stored_screen("/:", compute) == first and len(computed) == 1
    assert ScreenSnapshot.objects.get(key="/:").data == first
    # A day marked stale (a case imported since): computed again.
    StaleDay.objects.create(unit=Unit.objects.get(code="SC"), day=date(2026, 3, 31))
    stored_screen("/:", compute)
    assert len(computed) == 2
    stored_screen("/:", compute)
    assert len(computed) == 2
    # Older than its 20 seconds: computed again.
    ScreenSnapshot.objects.update(
        computed_at=ScreenSnapshot.objects.get().computed_at - timedelta(seconds=21)
    )
    stored_screen("/:", compute)
    assert len(computed) == 3


def test_the_screens_ends_are_the_rankings_first_and_last_among_ties(ranked, monkeypatch):
    """The best and the last units on the screen are the ranking's first and last rows, ties broken
    by code, with the ranking's change since the previous period, however many share a rank."""
    from govwatch.audit.log import Actor
    from govwatch.reports import ranking as ranking_module
    from govwatch.reports import screen
    from govwatch.reports.bulletins import do_set_weights
    from govwatch.reports.ranking import ranking

    monkeypatch.setattr(ranking_module, "_CODES_PER_READ", 1)
    monkeypatch.setattr(screen, "TOP_UNITS", 2)
    for weights in ({}, {"complaints": 0}):  # the second: all three units share the first place
        if weights:
            do_set_weights(Actor.command("test"), weights)
        rows = ranking(date(2026, 3, 1), date(2026, 3, 31))["rows"]
        data = screen_data(None, None, LAST_EVENING)
        best = list(reversed(data["charts"]["ranking"]["yAxis"]["data"]))
        assert best == [r["unit_name"] for r in rows[:2]]
        assert data["ranking"] == [
            {"rank": r["rank"], "unit_name": r["unit_name"], "score": r["score"], "change": r["change"]}
            for r in rows[-2:]
        ]
