"""The demo's complaint texts are varied enough to learn from: many wordings, items and units named
loosely or not at all, every kind, some noise, and outcomes only for what was handled in time."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest

from govwatch.demo.complaint_texts import Composer, loose_item, outcome
from govwatch.demo.generator import generate

# One xdist worker runs them all (`--dist loadgroup`): the generated region is built once, not once per worker.
pytestmark = pytest.mark.xdist_group("complaint-texts")


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> tuple[list[dict], dict[str, str]]:
    out = tmp_path_factory.mktemp("demo")
    generate(out, seed=4, fraction=0.2, side_files=False)
    with open(Path(out) / "complaints.csv", encoding="utf-8", newline="") as fh:
        complaints = list(csv.DictReader(fh))
    with open(Path(out) / "units.csv", encoding="utf-8", newline="") as fh:
        names = {u["code"]: u["name"] for u in csv.DictReader(fh)}
    return complaints, names


def test_almost_every_text_is_worded_differently(rows):
    complaints, _ = rows
    assert len(complaints) > 300
    assert len({c["content"] for c in complaints}) / len(complaints) > 0.9


def test_units_are_mostly_not_named_by_their_official_name(rows):
    complaints, names = rows
    official = sum(names.get(c["unit_code"], "?") in c["content"] for c in complaints)
    assert official / len(complaints) < 0.3


def test_every_kind_urgency_and_source_appears(rows):
    complaints, _ = rows
    kinds = Counter(c["kind"] for c in complaints)
    assert (
        set(kinds) == {"consult", "help", "suggest", "complaint", "report"}
        and kinds["complaint"] > kinds["consult"]
    )
    assert {c["urgency"] for c in complaints} == {"normal", "urgent"}
    assert {c["source"] for c in complaints} >= {"hotline", "web", "window", "mayor_line"}


def test_closed_complaints_carry_their_outcome_and_findings_only_where_they_apply(rows):
    complaints, _ = rows
    closed = [c for c in complaints if c["closed_at"]]
    assert 0.8 < len(closed) / len(complaints) < 1
    assert all(c["closed_at"] > c["at"] and c["reply"] and c["callback"] for c in closed)
    assert all(not c["finding"] for c in closed if c["kind"] in ("consult", "help", "suggest"))
    assert all(not (c["finding"] or c["reply"] or c["callback"]) for c in complaints if not c["closed_at"])


def test_items_are_named_loosely():
    rng = random.Random(1)
    names = {loose_item(rng, "企业设立登记") for _ in range(50)}
    assert "营业执照" in names and len(names) >= 4
    assert all("（" not in loose_item(rng, "食品经营许可（新办）") for _ in range(20) if rng.random() < 1)


def test_a_street_item_names_its_street_or_community_most_of_the_time():
    units = {
        "D": ("东湖区", "", "district"),
        "D-J01": ("青桥街道", "D", "street"),
        "D-J01-S01": ("金桂社区", "D-J01", "community"),
    }
    composer = Composer(units)
    rng = random.Random(2)
    texts = [composer.complaint(rng, "低保申请", "D-J01-S01", "delay", "hotline")[3] for _ in range(200)]
    assert sum("金桂" in t or "青桥" in t for t in texts) / len(texts) > 0.6


def test_an_outcome_after_the_end_of_the_period_is_left_open():
    workdays = list(range(700_000, 700_100))
    assert outcome(random.Random(3), "complaint", "normal", 700_099 * 86400, workdays, 700_100 * 86400) == (
        "",
        "",
        "",
        "",
    )


def test_the_last_days_complaints_await_triage(rows):
    complaints, _ = rows
    untriaged = [c for c in complaints if not c["unit_code"]]
    assert untriaged and all(not c["closed_at"] and c["at"] >= "2026-12-29" for c in untriaged)
