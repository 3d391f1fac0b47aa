"""The pages of the predictive warning, as each role sees them: the 风险预测 page, the case list's
risk column and filter, the case page's reasons, the home tile."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from govwatch.prediction.models import CaseRisk, PredictedWarning, Replay, RiskModel
from govwatch.tests.fixtures import build_case

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def at_risk(region, people):
    """One open case of each department, the market's warned of with its reasons."""
    now = datetime.now(TZ)
    market = build_case("M-RISK", region["items"]["I9"], [("accept", now - timedelta(hours=3))])
    social = build_case("S-CALM", region["items"]["I2"], [("accept", now - timedelta(hours=2))])
    model = RiskModel.objects.create(
        as_of=now - timedelta(hours=1), threshold=0.3, false_alarm_target=0.05, library="test", payload=b"",
        metrics={"recall": 0.82, "false_alarm_rate": 0.047, "precision": 0.4, "lead_workdays_median": 3.0,
                 "validation_from": "2026-05-01", "validation_to": "2026-06-01", "history_from": "2026-01-04",
                 "cases": 900, "late": 40},
    )  # fmt: skip
    CaseRisk.objects.create(case=market, at=now, risk=0.62, warn=True, model=model,
                            reasons=["该事项近三月超期率 38%（19/50 件）", "本单位在办积压为平时的 2.1 倍（在办 42 件，平时约 20 件）"])  # fmt: skip
    CaseRisk.objects.create(case=social, at=now, risk=0.05, warn=False, model=model, reasons=[])
    PredictedWarning.objects.create(case=market, at=now, risk=0.62, due_date=market.due_date, model=model)
    return {"market": market, "social": social, "model": model}


def login(client, user):
    client.force_login(user)


def test_the_page_asks_who_you_are_first(client, db):
    response = client.get("/prediction/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_shows_the_models_measured_quality_and_the_replay(client, people, at_risk):
    Replay.objects.create(
        first_day="2026-03-01", last_day="2026-05-31",
        summary={"recall": 0.81, "false_alarm_rate": 0.048, "false_alarm_target": 0.05, "late": 120, "warned_late": 97,
                 "on_time": 4000, "warned_on_time": 190, "lead_workdays_median": 3.0, "lead_3_or_more": 0.76,
                 "precision": 0.34, "late_never_seen": 5, "moment_false_alarm_rate": 0.11},
        days=[{"day": "2026-03-02", "warned": 3, "warned_late": 1, "warned_on_time": 2, "candidates": 50, "late_candidates": 2}],
    )  # fmt: skip
    login(client, people.supervisor)
    page = client.get("/prediction/").content.decode()
    assert "82.0%" in page and "4.7%" in page  # the model's recall and false alarms
    assert "81.0%" in page and "97 / 120" in page  # the replay's
    assert "M-RISK" in page and "该事项近三月超期率 38%" in page


def test_unit_staff_see_only_their_units_warnings(client, people, at_risk):
    login(client, people.social_staff)
    page = client.get("/prediction/").content.decode()
    assert "M-RISK" not in page
    assert "当前没有预测预警的办件" in page
    login(client, people.market_staff)
    assert "M-RISK" in client.get("/prediction/").content.decode()


def test_the_case_list_shows_the_risk_and_filters_the_warned(client, people, at_risk):
    login(client, people.supervisor)
    page = client.get("/cases/").content.decode()
    assert "预警 62%" in page and "5%" in page
    warned = client.get("/cases/?risk=warn").content.decode()
    assert "M-RISK" in warned and "S-CALM" not in warned
    notable = client.get("/cases/?risk=notable").content.decode()
    assert "M-RISK" in notable and "S-CALM" not in notable
    assert (
        client.get("/cases/?risk=everything").status_code == 200
    )  # an unknown choice is an error shown, not a crash


def test_the_case_page_gives_the_reasons_in_words(client, people, at_risk):
    login(client, people.market_staff)
    page = client.get("/cases/M-RISK/").content.decode()
    assert "超期风险 62%" in page
    assert "本单位在办积压为平时的 2.1 倍" in page
    assert "已向办理单位发出超时风险预警" in page
    # Another unit's case stays out of sight.
    assert client.get("/cases/S-CALM/").status_code == 404


def test_the_home_page_counts_the_cases_at_risk(client, people, at_risk):
    login(client, people.market_staff)
    page = client.get("/").content.decode()
    assert "超时风险预警" in page and "?risk=warn" in page


@pytest.mark.parametrize("role", ["supervisor", "office", "leader"])
def test_the_regions_overseers_see_every_warning_of_their_region(client, people, at_risk, role):
    login(client, getattr(people, role))
    page = client.get("/prediction/").content.decode()
    assert "M-RISK" in page and "该事项近三月超期率 38%" in page
    warned = client.get("/cases/?risk=warn").content.decode()
    assert "M-RISK" in warned and "S-CALM" not in warned
    assert "S-CALM" in client.get("/cases/").content.decode()  # the calm case is listed, with its risk


def test_unit_staff_see_risks_only_of_their_units_cases(client, people, at_risk):
    login(client, people.social_staff)
    assert "M-RISK" not in client.get("/cases/?risk=warn").content.decode()
    assert "M-RISK" not in client.get("/cases/?risk=notable").content.decode()
    assert "S-CALM" in client.get("/cases/").content.decode()
    login(client, people.market_staff)
    listed = client.get("/cases/").content.decode()
    assert "M-RISK" in listed and "预警 62%" in listed
    assert "S-CALM" not in listed


def test_a_bad_risk_filter_is_told_in_chinese_and_lists_nothing(client, people, at_risk):
    login(client, people.supervisor)
    response = client.get("/cases/?risk=everything")
    assert response.status_code == 200
    page = response.content.decode()
    assert "选择一个有效的选项" in page  # the field's own error, in the user's language
    assert "M-RISK" not in page and "S-CALM" not in page  # nothing listed on a filter it cannot read


def test_the_page_ignores_what_it_does_not_ask_for(client, people, at_risk):
    login(client, people.supervisor)
    response = client.get("/prediction/?page=-1&risk=<script>&as_of=昨天")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    # A query no database can hold is refused before the page, in words, not with a server error.
    refused = client.get("/prediction/?unit=%00")
    assert refused.status_code == 400 and "控制字符" in refused.content.decode()


def test_the_risk_column_shows_no_figure_for_cases_not_predicted(client, people, at_risk):
    CaseRisk.objects.filter(case=at_risk["social"]).delete()  # low risks are not stored
    login(client, people.supervisor)
    listed = client.get("/cases/").content.decode()
    assert "预警 62%" in listed
    assert "S-CALM" in listed and "5%" not in listed
