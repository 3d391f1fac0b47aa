"""Dispatch suggestions from the region's own history: `govwatch complaints suggest` (contract
section 7), the stored model the worker retrains, and the suggestion shown at triage."""

from __future__ import annotations

import json

import pytest

from govwatch.cli import main
from govwatch.complaints import suggest
from govwatch.complaints.models import Complaint
from govwatch.dispatch.models import TrainedModel

from .conftest import write_csv

HEADER = ["complaint_id", "at", "source", "content", "unit_code", "case_no", "category", "contact"]
HISTORY = [
    ["H1", "2026-03-02T10:00:00", "hotline", "失业金申请了一个多月还没到账，人社局一直说在审核", "RS", "", "delay", ""],
    ["H2", "2026-03-02T11:00:00", "hotline", "人社窗口工作人员态度很差，问就业登记要什么不耐烦", "RS", "", "attitude", ""],
    ["H3", "2026-03-03T10:00:00", "web", "营业执照办了一个月还没下来，市场监管局一直拖", "SC", "", "delay", ""],
    ["H4", "2026-03-03T11:00:00", "web", "市监局窗口让我补办事指南上没有的材料办食品经营许可证", "SC", "", "rules", ""],
    ["H5", "2026-03-04T10:00:00", "hotline", "东门社区办社保卡的窗口下午没人", "ST1", "", "absence", ""],
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    suggest.forget()
    yield
    suggest.forget()


@pytest.fixture
def history(import_complaints):
    result = import_complaints(HEADER, HISTORY)
    assert result.rejected == 0, result.errors


def run(capsys, *args: str) -> tuple[int, dict]:
    code = main(list(args))
    return code, json.loads(capsys.readouterr().out)


def test_suggest_prints_the_contracts_document_and_stores_nothing(history, tmp_path, capsys):
    path = write_csv(
        tmp_path / "new.csv", ["complaint_id", "content", "unit_code", "category"],
        [["N1", "我想问一下失业保险金怎么领", "SC", "rules"], ["N2", "开饭店的食品许可证一直批不下来", "", ""]],
    )  # fmt: skip
    before = (Complaint.objects.count(), TrainedModel.objects.count())
    code, doc = run(capsys, "complaints", "suggest", str(path), "--format", "json")
    assert code == 0
    assert [s["complaint_id"] for s in doc["suggestions"]] == ["N1", "N2"]
    first = doc["suggestions"][0]
    assert set(first) == {"complaint_id", "units", "category"}
    assert first["units"][0]["unit_code"] == "RS"  # the file's unit_code is ignored
    assert doc["suggestions"][1]["units"][0]["unit_code"] == "SC"
    assert 1 <= len(first["units"]) <= 3 and all(0 <= u["score"] <= 1 for u in first["units"])
    assert first["category"] in {"delay", "attitude", "rules", "absence"}
    assert (Complaint.objects.count(), TrainedModel.objects.count()) == before


def test_rows_without_content_are_reported_and_the_rest_suggested(history, tmp_path, capsys):
    path = write_csv(tmp_path / "new.csv", ["complaint_id", "content"], [["N1", "失业金"], ["N2", ""]])
    code, doc = run(capsys, "complaints", "suggest", str(path))
    assert code == 1
    assert [s["complaint_id"] for s in doc["suggestions"]] == ["N1"]
    assert doc["errors"] == [{"line": 3, "field": "content", "message": "缺少必填字段 content(内容)"}]


def test_an_unusable_file_or_an_empty_region_exits_2(db, tmp_path, capsys):
    assert main(["complaints", "suggest", str(tmp_path / "missing.csv")]) == 2
    path = write_csv(tmp_path / "new.csv", ["complaint_id", "content"], [["N1", "失业金"]])
    assert main(["complaints", "suggest", str(path)]) == 2
    assert "没有可学习" in capsys.readouterr().err


def test_suggestions_stay_within_the_unit_given(history, tmp_path, capsys):
    path = write_csv(tmp_path / "new.csv", ["complaint_id", "content"], [["N1", "失业金一直没到账"]])
    code, doc = run(capsys, "complaints", "suggest", str(path), "--unit", "ST")
    assert {u["unit_code"] for u in doc["suggestions"][0]["units"]} <= {"ST", "ST1"}


def test_the_worker_trains_once_enough_has_happened(history, settings):
    settings.DISPATCH_RETRAIN_AFTER = 3
    first = suggest.retrain()
    assert first is not None and first.complaints == 5
    assert Complaint.objects.exclude(terms="").count() == 5  # segmented once, kept
    assert suggest.retrain() is None  # nothing new
    assert suggest.suggestion_for("失业金没到账")["units"][0]["unit_code"] == "RS"
    assert suggest.suggestion_for("失业金没到账")["model_id"] == first.pk


def test_no_model_no_suggestion(db):
    assert suggest.suggestion_for("失业金没到账") is None


def test_the_training_job_registers_with_the_worker():
    from govwatch.core.worker import discover_jobs

    jobs = discover_jobs()
    assert "dispatch_model" in jobs


def test_a_stored_model_that_cannot_be_read_gives_no_suggestion_rather_than_an_error(db):
    from django.utils import timezone

    TrainedModel.objects.create(
        trained_at=timezone.now(), complaints=0, units=0, seconds=0, blob=b"not a model"
    )
    assert suggest.suggestion_for("失业金没到账") is None
