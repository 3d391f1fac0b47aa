"""Runs of the checks: a finding is never raised twice, a dismissed one stays dismissed, the daily
run takes the months new data arrived in, and the command line keeps contract section 8."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from govwatch.audit.log import Actor
from govwatch.checks.models import CheckRun, Evidence, Finding, Kind
from govwatch.cli import main

from .conftest import at, named

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def night_ratings(world, day: int, n: int = 1) -> set[str]:
    old = [world.case("B1", "W1", at(2026, 3, 2, 9, k), at(2026, 3, 2, 10, k)) for k in range(n)]
    return {world.rate(c, at(2026, 3, day, 21, 10 * k)) for k, c in enumerate(old)}


def test_a_second_run_over_the_same_data_raises_nothing_new(world, check):
    night_ratings(world, 10)
    world.load()
    first = check(*MARCH)
    second = check(*MARCH)
    assert first[Kind.OFF_HOURS][0].new and not second[Kind.OFF_HOURS][0].new
    assert Finding.objects.count() == 1 and Evidence.objects.count() == 1
    assert second[Kind.OFF_HOURS][0].finding == first[Kind.OFF_HOURS][0].finding


def test_a_dismissed_finding_stays_dismissed_when_new_evidence_joins_it(world, check):
    from govwatch.checks.decisions import do_dismiss_finding

    night_ratings(world, 10)
    world.load()
    finding = check(*MARCH)[Kind.OFF_HOURS][0].finding
    do_dismiss_finding(Actor("test"), finding, "该窗口当晚经批准延时服务")
    later = night_ratings(world, 12)
    world.load()
    again = check(*MARCH)[Kind.OFF_HOURS][0]
    finding.refresh_from_db()
    assert again.finding == finding and not again.new
    assert finding.status == Finding.Status.DISMISSED and finding.decision == "该窗口当晚经批准延时服务"
    assert later <= set(finding.evidence.values_list("eval_id", flat=True))
    assert finding.steps.filter(kind="grew").exists()


def test_after_a_finding_was_raised_new_evidence_is_a_new_finding(world, check):
    from govwatch.checks.decisions import mark_raised

    night_ratings(world, 10)
    world.load()
    finding = check(*MARCH)[Kind.OFF_HOURS][0].finding
    mark_raised(Actor("test"), finding, "转专项检查", at(2026, 4, 1))
    later = night_ratings(world, 12)
    world.load()
    again = check(*MARCH)[Kind.OFF_HOURS][0]
    assert again.new and again.finding != finding
    assert set(again.finding.evidence.values_list("eval_id", flat=True)) == later


def test_a_missing_month_is_raised_once_whatever_becomes_of_it(world, check):
    from govwatch.checks.decisions import do_dismiss_finding

    world.honest(*MARCH, units=["B1", "B2", "B3", "B4", "B5", "B6"])
    world.honest(*MARCH, units=["B8"], share=0.0)
    world.load()
    finding = check(*MARCH)[Kind.MISSING_EVALUATIONS][0].finding
    do_dismiss_finding(Actor("test"), finding, "该月评价器故障，已报修")
    again = check(*MARCH)[Kind.MISSING_EVALUATIONS][0]
    assert again.finding == finding and not again.new
    assert Finding.objects.filter(kind=Kind.MISSING_EVALUATIONS).count() == 1


def test_dismissing_needs_a_reason_and_happens_once(world, check):
    from govwatch.checks.decisions import FindingError, do_dismiss_finding

    night_ratings(world, 10)
    world.load()
    finding = check(*MARCH)[Kind.OFF_HOURS][0].finding
    with pytest.raises(FindingError, match="理由"):
        do_dismiss_finding(Actor("test"), finding, "  ")
    do_dismiss_finding(Actor("test"), finding, "已核实")
    with pytest.raises(FindingError, match="已排除"):
        do_dismiss_finding(Actor("test"), finding, "再次排除")


def test_the_run_is_audited(world, check):
    from govwatch.audit.models import AuditEntry

    night_ratings(world, 10)
    world.load()
    check(*MARCH)
    entry = AuditEntry.objects.filter(action="checks.run").get()
    assert "新线索 1 条" in entry.summary


# -- the daily run -------------------------------------------------------------------------------


def test_daily_run_is_claimed_by_one_worker_a_day(world):
    from govwatch.checks.daily import run_daily

    night_ratings(world, 10)
    world.load()
    now = at(2026, 4, 1, 3)
    assert run_daily(now) is not None
    assert run_daily(now + timedelta(minutes=10)) is None  # the same day: already taken
    night_ratings(world, 12)
    world.load()
    result = run_daily(at(2026, 4, 2, 2, 5))
    assert result is not None and result.run.date_from == date(2026, 3, 1)
    assert result.run.new_findings == 0  # the new rating joined March's finding


def test_daily_run_without_new_data_checks_nothing(world):
    from govwatch.checks.daily import run_daily

    night_ratings(world, 10)
    world.load()
    run_daily(at(2026, 4, 1, 3))
    assert run_daily(at(2026, 4, 2, 3)) is None
    assert CheckRun.objects.count() == 1


def test_a_backfill_of_an_earlier_month_is_checked_as_that_month(world):
    from govwatch.checks.daily import run_daily

    night_ratings(world, 10)
    world.load()
    run_daily(at(2026, 4, 1, 3))
    old = world.case("B2", "W1", at(2026, 1, 5, 9), at(2026, 1, 5, 9, 30))
    world.rate(old, at(2026, 1, 10, 10))  # a Saturday
    world.load()
    result = run_daily(at(2026, 4, 2, 3))
    assert result.run.date_from == date(2026, 1, 1)
    assert result.run.counts[Kind.OFF_HOURS]["new"] == 1


# -- the command line ----------------------------------------------------------------------------


def test_checks_run_prints_the_contract_document(world, capsys):
    ids = night_ratings(world, 10)
    world.load()
    assert main(["checks", "run", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (finding,) = doc["findings"]
    assert set(finding) >= {"kind", "unit_code", "window_code", "eval_ids", "case_nos", "score", "reasons"}
    assert finding["kind"] == "off_hours" and finding["unit_code"] == "B1" and finding["window_code"] == "W1"
    assert set(finding["eval_ids"]) == ids and 0 <= finding["score"] <= 1 and finding["reasons"]


def test_checks_run_refuses_bad_dates_with_exit_2(world, capsys):
    assert main(["checks", "run", "--from", "2026-03-31", "--to", "2026-03-01", "--format", "json"]) == 2
    assert "开始日期" in capsys.readouterr().err
    assert main(["checks", "run", "--from", "2026-13-01", "--to", "2026-03-01"]) == 2


def test_checks_score_prints_precision_and_recall_per_kind(world, tmp_path, capsys):
    ids = sorted(night_ratings(world, 10, 2))
    world.load()
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"from": "2026-03-01", "to": "2026-03-31", "faults": [
        {"kind": "off_hours", "unit_code": "B1", "window_code": "W1", "eval_ids": ids[:1] + ["E-NOT-FLAGGED"]},
    ]}))  # fmt: skip
    assert main(["checks", "score", str(answers), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)["kinds"]["off_hours"]
    assert (report["planted"], report["flagged"], report["right"]) == (2, 2, 1)
    assert report["precision"] == 0.5 and report["recall"] == 0.5 and not report["met"]


def test_checks_score_refuses_a_file_that_is_not_answers(world, tmp_path, capsys):
    bad = tmp_path / "answers.json"
    bad.write_text("[1, 2]")
    assert main(["checks", "score", str(bad)]) == 2
    assert "答案文件" in capsys.readouterr().err
    assert main(["checks", "score", str(tmp_path / "none.json")]) == 2


def test_thresholds_are_set_per_region_and_refused_when_invalid(world, capsys, town):
    assert main(["checks", "thresholds", "--unit", "B1", "--set", "burst_min_run=8", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    values = {t["name"]: t["value"] for t in doc["thresholds"]}
    assert values["burst_min_run"] == 8 and values["burst_gap_seconds"] == 30
    assert main(["checks", "thresholds", "--unit", "B1", "--set", "burst_min_run=0"]) == 2
    assert "burst_min_run" in capsys.readouterr().err
    assert main(["checks", "thresholds", "--unit", "B1", "--set", "nonsense=1"]) == 2
    assert main(["checks", "thresholds", "--unit", "NOPE", "--set", "burst_min_run=8"]) == 2


def test_score_of_missing_evaluations_counts_units_and_months(world):
    from govwatch.checks.scoring import score

    answers = {"faults": [{"kind": "missing_evaluations", "unit_code": "B8", "window_code": None, "month": "2026-03"},
                          {"kind": "missing_evaluations", "unit_code": "B4", "window_code": "W2", "month": "2026-05"}]}  # fmt: skip
    findings = [{"kind": "missing_evaluations", "unit_code": "B8", "window_code": None, "month": "2026-03"},
                {"kind": "missing_evaluations", "unit_code": "B4", "window_code": "W3", "month": "2026-05"}]  # fmt: skip
    entry = score(answers, findings)["kinds"]["missing_evaluations"]
    assert (entry["precision"], entry["recall"]) == (0.5, 0.5)
    assert named({}, Kind.BURST) == set()
