"""The demo's evaluation data: honest data that looks real, faults of every kind of contract section 8
planted in it with their answers, and the checks finding them (recall >= 0.95 at precision >= 0.9)."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import datetime, time

import pytest

from govwatch.demo.generator import FILES, generate

# A whole district year is generated, and for the last test imported and checked.
# One xdist worker runs them all (`--dist loadgroup`): the district year is built once, not once per worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("evaluation-faults")]

KINDS = {"unknown_case", "wrong_unit", "before_completion", "evaluator_many", "burst", "off_hours",
         "duplicate_comment", "missing_evaluations"}  # fmt: skip


def read(directory, key: str) -> list[dict[str, str]]:
    with open(directory / FILES[key][0], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("faults")
    report = generate(out, scale="district", seed=3, side_files=False)
    return {"out": out, "report": report, "answers": json.loads((out / "evaluation_faults.json").read_text()),
            **{key: read(out, key) for key in ("units", "cases", "evaluations")}}  # fmt: skip


def test_every_kind_is_planted_and_answered_in_a_file_of_its_own(region):
    answers = region["answers"]
    assert {f["kind"] for f in answers["faults"]} == KINDS
    assert answers["from"] == "2026-01-01" and answers["to"] == "2026-12-31"
    ids = {e["eval_id"] for e in region["evaluations"]}
    planted = [e for f in answers["faults"] for e in f.get("eval_ids", [])]
    assert set(planted) <= ids and len(planted) == len(set(planted))
    assert region["report"]["evaluation_faults"]["answers"].endswith("evaluation_faults.json")


def test_planted_evaluations_show_their_own_kind(region):
    cases = {r["case_no"]: r for r in region["cases"] if r["event"] == "accept"}
    completed = {r["case_no"]: r["at"] for r in region["cases"] if r["event"] == "complete"}
    by_id = {e["eval_id"]: e for e in region["evaluations"]}
    for fault in region["answers"]["faults"]:
        rows = [by_id[i] for i in fault.get("eval_ids", [])]
        if fault["kind"] == "unknown_case":
            assert all(r["case_no"] not in cases and r["unit_code"] for r in rows)
        elif fault["kind"] == "wrong_unit":
            assert all(cases[r["case_no"]]["unit_code"] != r["unit_code"] for r in rows)
        elif fault["kind"] == "before_completion":
            assert all(r["case_no"] not in completed or r["at"] < completed[r["case_no"]] for r in rows)
        elif fault["kind"] == "evaluator_many":
            assert len({r["evaluator"] for r in rows}) == 1 and len(rows) >= 15
        elif fault["kind"] == "burst":
            assert {r["channel"] for r in rows} == {"device"} and len({r["window_code"] for r in rows}) == 1
        elif fault["kind"] == "duplicate_comment":
            assert len({r["comment"] for r in rows}) == 1 and len({r["evaluator"] for r in rows}) == len(rows)


def test_honest_data_looks_real(region):
    units = {u["code"]: u for u in region["units"]}
    assert units[region["units"][0]["code"]]["hours"] == "08:30-12:00,13:30-17:30"
    planted = {e for f in region["answers"]["faults"] for e in f.get("eval_ids", [])}
    honest = [e for e in region["evaluations"] if e["eval_id"] not in planted and e["auto"] == "false"]
    device = [e for e in honest if e["channel"] == "device"]
    # A device rates only while the hall is open (or the last citizen, just after closing).
    assert all(time(8, 30) <= datetime.fromisoformat(e["at"]).time() <= time(18) for e in device)
    assert sum(not e["evaluator"] for e in device) / len(device) > 0.5
    # Citizens come back under the same number, a few times a year.
    uses = Counter(e["evaluator"] for e in honest if e["evaluator"])
    assert 0.03 < sum(1 for n in uses.values() if n >= 2) / len(uses) and max(uses.values()) <= 6
    # The short comments everyone writes, many times over.
    comments = Counter(e["comment"] for e in honest if e["comment"])
    assert comments["满意"] > 10 and comments["很好"] > 10
    # Busy windows really record ratings seconds apart.
    by_window = defaultdict(list)
    for e in device:
        by_window[(e["unit_code"], e["window_code"])].append(datetime.fromisoformat(e["at"]))
    close = sum(1 for ts in by_window.values() for a, b in zip(sorted(ts), sorted(ts)[1:], strict=False)
                if (b - a).total_seconds() <= 30)  # fmt: skip
    assert close > 100


def test_no_faults_when_asked(tmp_path):
    report = generate(tmp_path, scale="district", seed=3, fraction=0.02, faults=False)
    assert report["evaluation_faults"]["answers"] is None
    assert not (tmp_path / "evaluation_faults.json").exists()


@pytest.mark.django_db
def test_the_checks_find_the_planted_faults(region, shipped_calendar):
    from govwatch.audit.log import Actor
    from govwatch.checks.runs import contract_document, run_checks
    from govwatch.checks.scoring import score
    from govwatch.imports.runs import run_import

    for kind in ("units", "items", "cases", "evaluations"):
        assert run_import(kind, region["out"] / FILES[kind][0]).rejected == 0
    answers = region["answers"]
    result = run_checks(datetime.fromisoformat(answers["from"]).date(), datetime.fromisoformat(answers["to"]).date(),
                        Actor("test"))  # fmt: skip
    report = score(answers, contract_document(result)["findings"])
    for kind, entry in report["kinds"].items():
        assert entry["recall"] >= 0.95 and entry["precision"] >= 0.9, (kind, entry)
