"""The draw of contract section 11: the algorithm on a small plan computed by hand, the stored draw
never redrawn, eligibility, unstaffed targets, and bad plans refused naming the row (exit 2)."""

from __future__ import annotations

import hashlib
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from govwatch.cli import main
from govwatch.randomchecks import draw as algorithm
from govwatch.randomchecks.models import DrawnTarget, RandomPlan

SMALL = {
    "targets": [
        {"target_id": "T1", "name": "甲公司", "unit_code": "SC", "risk": "low"},
        {"target_id": "T2", "name": "乙公司", "unit_code": "SC", "risk": "low"},
        {"target_id": "T3", "name": "丙公司", "unit_code": "SC", "risk": "low"},
        {"target_id": "T4", "name": "丁公司", "unit_code": "SC", "risk": "high"},
        {"target_id": "T5", "name": "戊公司", "unit_code": "RS", "risk": "medium"},
    ],
    "inspectors": [
        {"inspector_id": "P1", "name": "张三", "unit_code": "SC"},
        {"inspector_id": "P2", "name": "李四", "unit_code": "SC"},
        {"inspector_id": "P3", "name": "王五", "unit_code": "SC"},
        {"inspector_id": "P4", "name": "赵六", "unit_code": "RS"},
    ],
    "conflicts": [{"inspector_id": "P1", "target_id": "T4"}],
    "rates": {"low": 50, "medium": 100, "high": 100},
}
# Worked out by hand with `echo -n "S1:T3" | sha256sum` and the like, before the code ran:
#   low: T3 00cfa3d4…, T2 5a1b9e14…, T1 86ae33e1…; ceil(50 × 3 / 100) = 2 → T3, T2
#   high: T4 bd880249… (1 of 1); medium: T5 ff4ca26d… (1 of 1)
#   step 2 in hash order T3, T2, T4, T5:
#   T3: P2 31f6abcc…, P1 475598de…, P3 6c6eca38… → P2, P1
#   T2: P1 406504d4…, P3 7a37bc80…, P2 f723c24b… → P1, P3
#   T4: P1 declared a conflict; P3 4ec8334e…, P2 d1437d7f… → P3, P2
#   T5: only P4 in its department → unstaffed
EXPECTED = {
    "seed": "S1",
    "draws": [
        {"target_id": "T3", "inspectors": ["P2", "P1"]},
        {"target_id": "T2", "inspectors": ["P1", "P3"]},
        {"target_id": "T4", "inspectors": ["P3", "P2"]},
    ],
    "unstaffed": ["T5"],
    "by_risk": {
        "low": {"targets": 3, "drawn": 2},
        "medium": {"targets": 1, "drawn": 1},
        "high": {"targets": 1, "drawn": 1},
    },
}


def run(*argv: str) -> tuple[int, dict | None]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(list(argv))
    text = out.getvalue()
    return status, json.loads(text) if text.strip() else None


def write(tmp_path: Path, doc: dict, name: str = "plan.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_hashes_are_sha256_of_seed_and_ids_in_lowercase_hex():
    assert algorithm.target_hash("S1", "T3") == hashlib.sha256(b"S1:T3").hexdigest()
    assert algorithm.target_hash("S1", "T3").startswith("00cfa3d4d5421fc6")
    assert algorithm.inspector_hash("S1", "T4", "P3") == hashlib.sha256(b"S1:T4:P3").hexdigest()
    assert algorithm.inspector_hash("S1", "T4", "P3").startswith("4ec8334e605821397")
    assert algorithm.target_hash("种子", "对象") == hashlib.sha256("种子:对象".encode()).hexdigest()


def test_the_sample_is_the_ceiling_of_rate_times_count_in_integers():
    assert [algorithm.sample_size(50, n) for n in (0, 1, 2, 3)] == [0, 1, 1, 2]
    assert algorithm.sample_size(7, 100) == 7 and algorithm.sample_size(7, 101) == 8
    assert algorithm.sample_size(0, 50) == 0 and algorithm.sample_size(100, 50) == 50
    assert algorithm.sample_size(3, 34) == 2  # 1.02 → 2, not the float's rounding


def test_a_small_plan_draws_as_computed_by_hand(region, tmp_path):
    status, doc = run("random", "draw", write(tmp_path, SMALL), "--seed", "S1", "--format", "json")
    assert status == 0
    assert doc == EXPECTED


def test_the_hand_computed_draw_follows_from_the_hashes_themselves(region):
    plan = algorithm.plan_from_records(
        [(f"t{n}", t) for n, t in enumerate(SMALL["targets"])],
        [(f"i{n}", i) for n, i in enumerate(SMALL["inspectors"])],
        [("c0", SMALL["conflicts"][0])],
        [(k, k, v) for k, v in SMALL["rates"].items()],
        {"SC", "RS"},
    )
    low = sorted(["T1", "T2", "T3"], key=lambda t: hashlib.sha256(f"S1:{t}".encode()).hexdigest())
    assert [d["target_id"] for d in algorithm.draw(plan, "S1")["draws"]][:2] == low[:2]
    for d in algorithm.draw(plan, "S1")["draws"]:
        pool = [i["inspector_id"] for i in SMALL["inspectors"] if i["unit_code"] == "SC"]
        pool = [p for p in pool if (p, d["target_id"]) != ("P1", "T4")]
        ranked = sorted(pool, key=lambda p: hashlib.sha256(f"S1:{d['target_id']}:{p}".encode()).hexdigest())
        assert d["inspectors"] == ranked[:2]


def test_the_same_plan_and_seed_print_the_stored_draw_and_store_it_once(region, tmp_path):
    path = write(tmp_path, SMALL)
    first = run("random", "draw", path, "--seed", "S1")
    # The same plan with its rows in another order is the same plan.
    shuffled = {**SMALL, "targets": list(reversed(SMALL["targets"]))}
    second = run("random", "draw", write(tmp_path, shuffled, "again.json"), "--seed", "S1")
    assert first == second == (0, EXPECTED)
    assert RandomPlan.objects.count() == 1
    stored = RandomPlan.objects.get()
    assert stored.seed == "S1" and stored.result == EXPECTED and stored.joint
    assert list(DrawnTarget.objects.values_list("target_id", "unstaffed")) == [
        ("T3", False),
        ("T2", False),
        ("T4", False),
        ("T5", True),
    ]


def test_a_stored_draw_is_never_redrawn_even_when_the_algorithm_would_now_differ(region, tmp_path):
    path = write(tmp_path, SMALL)
    run("random", "draw", path, "--seed", "S1")
    RandomPlan.objects.update(result={**EXPECTED, "draws": EXPECTED["draws"][:1]})
    status, doc = run("random", "draw", path, "--seed", "S1")
    assert status == 0 and doc["draws"] == EXPECTED["draws"][:1]


def test_another_seed_is_another_draw(region, tmp_path):
    path = write(tmp_path, SMALL)
    _, one = run("random", "draw", path, "--seed", "S1")
    _, two = run("random", "draw", path, "--seed", "S2")
    assert one["seed"] == "S1" and two["seed"] == "S2"
    assert RandomPlan.objects.count() == 2


def test_unstaffed_when_fewer_than_two_inspectors_are_eligible(region, tmp_path):
    doc = {
        "targets": [{"target_id": "A", "name": "", "unit_code": "SC", "risk": "high"}],
        "inspectors": [
            {"inspector_id": "P1", "name": "", "unit_code": "SC"},
            {"inspector_id": "P2", "name": "", "unit_code": "SC"},
            {"inspector_id": "Q1", "name": "", "unit_code": "RS"},
        ],
        "conflicts": [{"inspector_id": "P2", "target_id": "A"}],
        "rates": {"low": 0, "medium": 0, "high": 100},
    }
    _, result = run("random", "draw", write(tmp_path, doc), "--seed", "x")
    assert result["draws"] == [] and result["unstaffed"] == ["A"]
    assert result["by_risk"]["high"] == {"targets": 1, "drawn": 1}


def small_plan_book(chinese: bool, rates: list[list[object]]) -> Workbook:
    """SMALL as a workbook: headers and risk words in Chinese or in English, `rates` the rows of
    the 抽查比例 sheet."""
    words = {"low": "低", "medium": "中", "high": "高"} if chinese else {r: r for r in algorithm.RISKS}
    headers = {
        "检查对象": ["对象编号", "名称", "单位编码", "风险等级"]
        if chinese
        else ["target_id", "name", "unit_code", "risk"],
        "执法人员": ["人员编号", "姓名", "单位编码"] if chinese else ["inspector_id", "name", "unit_code"],
        "回避": ["人员编号", "对象编号"] if chinese else ["inspector_id", "target_id"],
    }
    rows = {
        "检查对象": [[t["target_id"], t["name"], t["unit_code"], words[t["risk"]]] for t in SMALL["targets"]],
        "执法人员": [[i["inspector_id"], i["name"], i["unit_code"]] for i in SMALL["inspectors"]],
        "回避": [["P1", "T4"]],
        "抽查比例": rates,
    }
    book = Workbook()
    book.active.title = "检查对象"
    for title, sheet_rows in rows.items():
        sheet = book[title] if title in book.sheetnames else book.create_sheet(title)
        for row in ([headers[title]] if title in headers else []) + sheet_rows:
            sheet.append(row)
    return book


def test_an_xlsx_plan_with_chinese_sheets_and_headers_draws_like_its_json(region, tmp_path):
    book = small_plan_book(True, [["风险等级", "抽查比例"], ["低", 50], ["中", 100], ["高", "100%"]])
    book.save(tmp_path / "计划.xlsx")
    assert run("random", "draw", str(tmp_path / "计划.xlsx"), "--seed", "S1") == (0, EXPECTED)


@pytest.mark.parametrize("header", [["low", "medium", "high"], ["低", "中", "高"]])
def test_an_xlsx_plan_whose_rates_sheet_has_the_jsons_columns_draws_like_its_json(region, tmp_path, header):
    # Section 11: the sheets hold "the same columns" as the JSON, whose rates are one object
    # {"low": P, "medium": P, "high": P}: a header of risk classes over one row of rates.
    small_plan_book(False, [header, [50, 100, "100%"]]).save(tmp_path / "plan.xlsx")
    assert run("random", "draw", str(tmp_path / "plan.xlsx"), "--seed", "S1") == (0, EXPECTED)


def test_a_rates_sheet_with_the_jsons_columns_and_two_rows_is_refused_naming_the_sheet(
    region, tmp_path, capsys
):
    book = Workbook()
    book.active.title = "检查对象"
    book.active.append(["target_id", "name", "unit_code", "risk"])
    book.create_sheet("执法人员").append(["inspector_id", "name", "unit_code"])
    rates = book.create_sheet("抽查比例")
    for row in (["low", "medium", "high"], [5, 10, 30], [6, 10, 30]):
        rates.append(row)
    book.save(tmp_path / "plan.xlsx")
    status, out = run("random", "draw", str(tmp_path / "plan.xlsx"), "--seed", "S1")
    err = capsys.readouterr().err
    assert status == 2 and out is None
    assert "工作表“抽查比例”" in err and "2 行" in err, err
    assert not RandomPlan.objects.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["targets"][1].update(unit_code="NOPE"), ["targets[1]", "NOPE"]),
        (lambda d: d["targets"][2].update(risk="extreme"), ["targets[2]", "extreme"]),
        (lambda d: d["rates"].update(high=101), ["rates.high", "101"]),
        (lambda d: d["rates"].update(low=-1), ["rates.low"]),
        (lambda d: d["rates"].update(low=12.5), ["rates.low", "12.5"]),
        (lambda d: d["conflicts"].append({"inspector_id": "P9", "target_id": "T1"}), ["conflicts[1]", "P9"]),
        (lambda d: d["conflicts"].append({"inspector_id": "P1", "target_id": "T9"}), ["conflicts[1]", "T9"]),
        (lambda d: d["targets"].append(dict(d["targets"][0])), ["targets[5]", "T1", "targets[0]"]),
        (lambda d: d["inspectors"].append(dict(d["inspectors"][3])), ["inspectors[4]", "P4"]),
        (lambda d: d["inspectors"][0].update(unit_code="ZZ"), ["inspectors[0]", "ZZ"]),
        (lambda d: d["rates"].pop("medium"), ["medium"]),
    ],
)
def test_a_bad_plan_is_refused_with_status_2_naming_the_row(region, tmp_path, capsys, change, words):
    doc = json.loads(json.dumps(SMALL))
    change(doc)
    status, out = run("random", "draw", write(tmp_path, doc), "--seed", "S1")
    err = capsys.readouterr().err
    assert status == 2 and out is None
    assert all(w in err for w in words), err
    assert not RandomPlan.objects.exists()


def test_an_unreadable_plan_file_is_refused_with_status_2(region, tmp_path, capsys):
    bad = tmp_path / "plan.json"
    bad.write_text("{not json", encoding="utf-8")
    assert run("random", "draw", str(bad), "--seed", "S1")[0] == 2
    assert run("random", "draw", str(tmp_path / "missing.json"), "--seed", "S1")[0] == 2
    assert run("random", "draw", write(tmp_path, SMALL), "--seed", "  ")[0] == 2
    assert "不存在" in capsys.readouterr().err


IDS = st.text(alphabet="ABCDEF0123456789", min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    targets=st.lists(st.tuples(IDS, st.sampled_from(["SC", "RS"]), st.sampled_from(algorithm.RISKS)),
                     unique_by=lambda t: t[0], max_size=25),
    inspectors=st.lists(st.tuples(IDS, st.sampled_from(["SC", "RS"])), unique_by=lambda i: i[0], max_size=8),
    rates=st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)),
    seed=st.text(min_size=1, max_size=12),
    conflict_share=st.integers(0, 3),
)  # fmt: skip
def test_every_assigned_inspector_is_eligible_and_the_counts_hold(
    targets, inspectors, rates, seed, conflict_share
):
    plan = algorithm.Plan(
        targets=[algorithm.Target(t, "", u, r) for t, u, r in targets],
        inspectors=[algorithm.Inspector("I" + i, "", u) for i, u in inspectors],
        rates=dict(zip(algorithm.RISKS, rates, strict=True)),
    )
    plan.conflicts = {
        (i.inspector_id, t.target_id)
        for n, t in enumerate(plan.targets)
        for i in plan.inspectors
        if n % 4 < conflict_share
    }
    result = algorithm.draw(plan, seed)
    assert result == algorithm.draw(plan, seed)  # same plan and seed, same draw
    units = {t.target_id: t.unit_code for t in plan.targets}
    for d in result["draws"]:
        assert len(d["inspectors"]) == 2 and len(set(d["inspectors"])) == 2
        for iid in d["inspectors"]:
            inspector = next(i for i in plan.inspectors if i.inspector_id == iid)
            assert inspector.unit_code == units[d["target_id"]]  # own department
            assert (iid, d["target_id"]) not in plan.conflicts  # no declared conflict
    for tid in result["unstaffed"]:
        pool = [
            i
            for i in plan.inspectors
            if i.unit_code == units[tid] and (i.inspector_id, tid) not in plan.conflicts
        ]
        assert len(pool) < 2
    for risk, rate in zip(algorithm.RISKS, rates, strict=True):
        n = sum(1 for t in plan.targets if t.risk == risk)
        assert result["by_risk"][risk] == {"targets": n, "drawn": -(-rate * n // 100)}
    order = [d["target_id"] for d in result["draws"]]
    assert order == sorted(order, key=lambda t: algorithm.target_hash(seed, t))


def test_a_bad_row_of_an_xlsx_plan_is_named_by_its_sheet_and_line(region, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.title = "检查对象"
    sheet.append(["对象编号", "名称", "单位编码", "风险等级"])
    sheet.append(["T1", "甲", "SC", "低"])
    sheet.append(["T2", "乙", "SC", "很高"])
    book.create_sheet("执法人员").append(["人员编号", "姓名", "单位编码"])
    rates = book.create_sheet("抽查比例")
    rates.append(["风险等级", "抽查比例"])
    rates.append(["低", 10])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    assert run("random", "draw", str(path), "--seed", "S")[0] == 2
    assert "工作表“检查对象”第 3 行" in capsys.readouterr().err
    del book["抽查比例"]
    book.save(path)
    assert run("random", "draw", str(path), "--seed", "S")[0] == 2
    assert "抽查比例" in capsys.readouterr().err


def test_show_prints_the_stored_plan_its_seed_and_results(region, tmp_path):
    run("random", "draw", write(tmp_path, SMALL), "--seed", "S1", "--name", "小计划")
    number = RandomPlan.objects.get().number
    status, doc = run("random", "show", number)
    assert status == 0 and doc["seed"] == "S1" and doc["draw"] == EXPECTED and doc["name"] == "小计划"
    assert [r["target_id"] for r in doc["results"]] == ["T3", "T2", "T4", "T5"]
    assert doc["plan"]["rates"] == SMALL["rates"]
    assert run("random", "show", "双随机〔1999〕第0001号")[0] == 2


def test_a_plan_with_no_targets_draws_nothing(region, tmp_path):
    doc = {"targets": [], "inspectors": [], "conflicts": [], "rates": {"low": 10, "medium": 10, "high": 10}}
    zero = {"targets": 0, "drawn": 0}
    assert run("random", "draw", write(tmp_path, doc), "--seed", "S") == (
        0, {"seed": "S", "draws": [], "unstaffed": [], "by_risk": {"low": zero, "medium": zero, "high": zero}},
    )  # fmt: skip
