"""`govwatch demo-data`: the synthetic region keeps the contract and looks like the seed reports."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from datetime import date, datetime, time
from pathlib import Path

import pytest

from govwatch.cases.deadlines import status_after
from govwatch.cli import main
from govwatch.demo.generator import FILES, generate
from govwatch.workcal.calendar import WorkCalendar
from govwatch.workcal.schedule import shipped_schedule

# A district year (96,000 cases) and a province are generated here: run by scripts/test and CI.
# One xdist worker runs them all (`--dist loadgroup`): the district year is built once, not once per worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo-data")]

CONTRACT_HEADERS = {
    "units": "code,name,parent_code,kind,phone,hours",
    # Then GovWatch's catalog figures of the seeds (govwatch/demo/catalog_extras.py).
    "items": "code,name,unit_code,type,level,legal_days,promised_days,online,in_hall,themes,cross_region,e_licence,"
    "claimed",
    "cases": "case_no,event,at,item_code,unit_code,channel,applicant_type,window_code,staff_code,reason,event_id",
    "evaluations": "eval_id,level,at,case_no,unit_code,channel,window_code,evaluator,auto,comment",
    # Contract 1.1's kind and urgency, then GovWatch's outcome of complaints handled in the period.
    "complaints": "complaint_id,at,source,content,unit_code,case_no,category,contact,kind,urgency,closed_at,finding,"
    "reply,callback",
}


def read(directory: Path, key: str) -> list[dict[str, str]]:
    with open(directory / FILES[key][0], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name, _ in FILES.values()}


def shipped_calendar() -> WorkCalendar:
    days, years = shipped_schedule()
    return WorkCalendar(
        [d for d, k in days.items() if k == "holiday"], [d for d, k in days.items() if k == "workday"], years
    )


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> dict:
    """One full district year (seed 7) of honest data, read back from disk."""
    out = tmp_path_factory.mktemp("district")
    report = generate(out, scale="district", seed=7, faults=False, side_files=False)
    data = {key: read(out, key) for key in FILES}
    cases: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in data["cases"]:
        cases[row["case_no"]].append(row)
    # "cases" maps case_no to its event rows in file order.
    return {**data, "out": out, "report": report, "cases": cases}


# -- determinism ---------------------------------------------------------------------------------


def test_same_seed_gives_identical_files(tmp_path, district):
    """A full district year takes about two seconds, so determinism is checked at full scale."""
    generate(tmp_path, scale="district", seed=7, faults=False, side_files=False)
    assert digests(tmp_path) == digests(district["out"])


def test_different_seeds_give_different_files(tmp_path):
    generate(tmp_path / "a", seed=1, fraction=0.03, side_files=False)
    generate(tmp_path / "b", seed=2, fraction=0.03, side_files=False)
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert all(a[name] != b[name] for name in a)


def test_without_side_files_the_five_files_and_the_answers_are_the_same(tmp_path):
    # The tests above read only the five files and skip the others (half a district year's work).
    full = generate(tmp_path / "full", seed=3, fraction=0.05)
    five = generate(tmp_path / "five", seed=3, fraction=0.05, side_files=False)
    assert digests(tmp_path / "five") == digests(tmp_path / "full")
    answers = "evaluation_faults.json"
    assert (tmp_path / "five" / answers).read_bytes() == (tmp_path / "full" / answers).read_bytes()
    assert five["counts"] == full["counts"]
    assert five["evaluation_faults"]["planted"] == full["evaluation_faults"]["planted"]
    assert full["areas"] and full["windows"] and five["areas"] is None and five["windows"] is None
    assert sorted(p.name for p in (tmp_path / "five").iterdir()) == sorted(
        [*digests(tmp_path / "five"), answers]
    )


# -- the shape of a district ---------------------------------------------------------------------


def test_headers_are_the_contract_field_names(district):
    for key, header in CONTRACT_HEADERS.items():
        first_line = (district["out"] / FILES[key][0]).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == header


def test_district_has_about_38_departments_and_streets(district):
    kinds = Counter(u["kind"] for u in district["units"])
    assert kinds["district"] == kinds["center"] == kinds["supervisor"] == 1
    assert 34 <= kinds["department"] + kinds["street"] <= 42
    assert kinds["street"] * 5 <= kinds["community"] <= kinds["street"] * 10
    assert kinds["section"] > 0
    supervisor = next(u for u in district["units"] if u["kind"] == "supervisor")
    assert supervisor["phone"].isdigit() and len(supervisor["phone"]) == 11


def test_units_form_one_tree_with_unique_codes(district):
    codes = [u["code"] for u in district["units"]]
    assert len(codes) == len(set(codes))
    assert [u["code"] for u in district["units"] if not u["parent_code"]] == [codes[0]]
    assert all(u["parent_code"] in codes for u in district["units"] if u["parent_code"])


def test_district_has_about_2000_items_on_three_levels_with_their_units(district):
    items = district["items"]
    assert 1700 <= len(items) <= 2300
    assert len({i["code"] for i in items}) == len(items)
    kind = {u["code"]: u["kind"] for u in district["units"]}
    owner = {"district": "department", "town": "street", "village": "community"}
    assert {i["level"] for i in items} == set(owner)
    assert all(kind[i["unit_code"]] == owner[i["level"]] for i in items)


def test_item_types_and_online_levels_are_mixed_like_a_real_catalog(district):
    items = district["items"]
    types = Counter(i["type"] for i in items)
    assert 0.15 <= types["licensing"] / len(items) <= 0.35
    assert 0.3 <= types["public_service"] / len(items) <= 0.5
    assert len(types) == 8
    online = sum(i["online"] in ("partial", "full") for i in items) / len(items)
    assert online >= 0.95


def test_promised_days_never_exceed_legal_days_and_cut_them_by_about_90_percent(district):
    items = district["items"]
    assert all(0 <= int(i["promised_days"]) <= int(i["legal_days"]) for i in items)
    timed = [i for i in items if int(i["legal_days"]) > 0]
    reduction = 1 - sum(int(i["promised_days"]) for i in timed) / sum(int(i["legal_days"]) for i in timed)
    assert 0.85 <= reduction <= 0.95
    instant = sum(i["promised_days"] == "0" for i in items) / len(items)
    assert 0.2 <= instant <= 0.4


# -- a year of facts -----------------------------------------------------------------------------


def test_a_year_brings_about_96000_cases_30000_evaluations_and_3000_complaints(district):
    assert 86_400 <= len(district["cases"]) <= 105_600
    assert 27_000 <= len(district["evaluations"]) <= 33_000
    assert 2_000 <= len(district["complaints"]) <= 4_000
    report = district["report"]
    assert report["counts"]["cases"] == len(district["cases"])
    assert report["files"]["cases"]["rows"] == sum(len(events) for events in district["cases"].values())


def test_a_few_items_take_most_cases(district):
    per_item = Counter(rows[0]["item_code"] for rows in district["cases"].values())
    top = sum(n for _, n in per_item.most_common(50))
    assert top / len(district["cases"]) > 0.5


def test_every_case_obeys_the_order_rules(district):
    for case_no, rows in district["cases"].items():
        moments = [datetime.fromisoformat(r["at"]) for r in rows]
        assert moments == sorted(moments) and len(set(moments)) == len(moments), case_no
        assert rows[0]["event"] == "accept" and rows[0]["item_code"], case_no
        status = None
        for row in rows:
            status = status_after(status, row["event"])
            assert status is not None, (case_no, row["event"])


def test_references_resolve_and_evaluations_are_of_completed_cases(district):
    units = {u["code"] for u in district["units"]}
    items = {i["code"]: i for i in district["items"]}
    assert all(
        rows[0]["item_code"] in items and rows[0]["unit_code"] in units for rows in district["cases"].values()
    )
    completed = {
        case_no: datetime.fromisoformat(rows[-1]["at"])
        for case_no, rows in district["cases"].items()
        if rows[-1]["event"] == "complete"
    }
    for e in district["evaluations"]:
        assert e["case_no"] in completed and e["unit_code"] in units
        assert datetime.fromisoformat(e["at"]) > completed[e["case_no"]]
    assert len({e["eval_id"] for e in district["evaluations"]}) == len(district["evaluations"])
    for c in district["complaints"]:
        # Only the last days' complaints, not yet dispatched, name no unit.
        assert (c["unit_code"] in units or not (c["unit_code"] or c["closed_at"])) and c["content"]
        assert not c["case_no"] or c["case_no"] in district["cases"]


def test_cases_are_accepted_on_working_days_in_office_hours_with_the_shanghai_offset(district):
    calendar = shipped_calendar()
    for rows in district["cases"].values():
        moment = datetime.fromisoformat(rows[0]["at"])
        assert rows[0]["at"].endswith("+08:00") and moment.year == 2026
        assert calendar.is_workday(moment.date())
        assert time(8, 30) <= moment.time() < time(12) or time(13, 30) <= moment.time() < time(17, 30)
    for e in district["evaluations"]:
        assert e["at"].endswith("+08:00")


def test_about_five_percent_suspended_and_one_to_two_percent_completed_late(district):
    """Late by the contract's rule: due = acceptance date + promised working days, moved by each
    suspension's working days s < d <= r."""
    calendar = shipped_calendar()
    promised = {i["code"]: int(i["promised_days"]) for i in district["items"]}
    suspended = late = completed = 0
    for rows in district["cases"].values():
        accepted = datetime.fromisoformat(rows[0]["at"]).date()
        extension = 0
        suspended_on: date | None = None
        for row in rows[1:]:
            on = datetime.fromisoformat(row["at"]).date()
            if row["event"] == "suspend":
                suspended += 1
                suspended_on = on
                assert row["reason"]
            elif row["event"] == "resume":
                extension += calendar.workdays_between(suspended_on, on)
            elif row["event"] == "complete":
                completed += 1
                due = calendar.add_workdays(accepted, promised[rows[0]["item_code"]] + extension).date
                late += on > due
    assert 0.04 <= suspended / len(district["cases"]) <= 0.06
    assert 0.01 <= late / completed <= 0.02
    assert late == district["report"]["counts"]["completed_late"]


def test_instant_cases_are_mostly_completed_the_same_day(district):
    instant = {i["code"] for i in district["items"] if i["promised_days"] == "0"}
    same_day = total = 0
    for rows in district["cases"].values():
        if rows[0]["item_code"] in instant and rows[-1]["event"] == "complete":
            total += 1
            same_day += rows[-1]["at"][:10] == rows[0]["at"][:10]
    assert total > 10_000 and same_day / total > 0.97


def test_some_cases_are_rejected_withdrawn_or_still_open_at_year_end(district):
    last = Counter(rows[-1]["event"] for rows in district["cases"].values())
    assert 0.01 <= last["reject"] / len(district["cases"]) <= 0.03
    assert 0.005 <= last["withdraw"] / len(district["cases"]) <= 0.02
    still_open = last["accept"] + last["suspend"] + last["resume"]
    assert 50 <= still_open <= 2000
    # Some open cases are already overdue on the last day: red cards for a scan at year end.
    calendar = shipped_calendar()
    promised = {i["code"]: int(i["promised_days"]) for i in district["items"]}
    overdue = sum(
        calendar.add_workdays(
            datetime.fromisoformat(rows[0]["at"]).date(), promised[rows[0]["item_code"]]
        ).date
        < date(2026, 12, 31)
        for rows in district["cases"].values()
        if rows[-1]["event"] == "accept"
    )
    assert overdue > 0


def test_evaluations_are_nearly_all_satisfied_with_about_two_per_thousand_negative(district):
    evaluations = district["evaluations"]
    levels = Counter(int(e["level"]) for e in evaluations)
    negative = (levels[1] + levels[2]) / len(evaluations)
    assert 0.001 <= negative <= 0.0035
    assert levels[3] > 0 and levels[5] > levels[4] > levels[3]
    assert all(e["comment"] for e in evaluations if int(e["level"]) <= 2)
    auto = sum(e["auto"] == "true" for e in evaluations) / len(evaluations)
    assert 0.01 <= auto <= 0.08
    assert {e["channel"] for e in evaluations} >= {"device", "qr", "sms", "web", "app"}


# -- the command ---------------------------------------------------------------------------------


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse refuses before the command runs
        return int(exc.code)


def test_command_prints_one_json_document_with_counts_and_paths(tmp_path, capsys):
    assert (
        run(["demo-data", "--scale", "district", "--seed", "3", "--out", str(tmp_path), "--fraction", "0.01"])
        == 0
    )
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    for key, (filename, _) in FILES.items():
        assert report["files"][key]["path"] == str(tmp_path / filename)
        assert report["files"][key]["rows"] == len(read(tmp_path, key))
    assert "办件" in captured.err
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    "argv",
    [
        ["--scale", "city"],
        ["--seed", "abc"],
        ["--fraction", "0"],
        ["--year", "1900"],
    ],
)
def test_bad_arguments_exit_2_with_a_chinese_message(tmp_path, capsys, argv):
    assert run(["demo-data", "--out", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err)


def test_unwritable_output_directory_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert run(["demo-data", "--out", str(blocker / "out"), "--fraction", "0.01"]) == 2
    assert "输出目录不可写" in capsys.readouterr().err


def test_province_has_100_districts_with_their_own_units_and_items(tmp_path):
    report = generate(tmp_path, scale="province", seed=5, fraction=0.002, side_files=False)
    units = read(tmp_path, "units")
    items = read(tmp_path, "items")
    assert sum(u["kind"] == "district" for u in units) == 101  # the province root and its districts
    assert sum(u["kind"] == "supervisor" for u in units) == 100
    assert len({u["code"] for u in units}) == len(units)
    assert len({i["code"] for i in items}) == len(items)
    assert 150_000 <= len(items) <= 250_000
    # 100 districts at 0.2 % of a year each: about 100 * 192 cases.
    assert 15_000 <= report["counts"]["cases"] <= 23_000


def test_until_stops_the_year_at_that_moment_and_leaves_running_cases_open(tmp_path):
    import csv
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from govwatch.demo.generator import generate

    until = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    report = generate(tmp_path, scale="district", seed=3, fraction=0.05, until=until, side_files=False)
    with (tmp_path / "cases.csv").open(encoding="utf-8") as f:
        moments = [datetime.fromisoformat(r["at"]) for r in csv.DictReader(f)]
    assert moments and max(moments) < until
    with (tmp_path / "evaluations.csv").open(encoding="utf-8") as f:
        assert all(datetime.fromisoformat(r["at"]) < until for r in csv.DictReader(f))
    assert report["counts"]["open_at_end"] > 0
