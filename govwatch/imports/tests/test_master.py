"""Units and items: references, the org tree's paths, updates of master data, re-imports."""

from __future__ import annotations

import pytest

from govwatch.catalog.models import Item
from govwatch.imports.models import ImportRun
from govwatch.imports.runs import run_import
from govwatch.orgs.models import Unit

from .helpers import write_csv, write_jsonl, write_xlsx

UNIT_HEADER = ["code", "name", "parent_code", "kind", "phone"]
ITEM_HEADER = ["事项编码", "事项名称", "实施单位编码", "事项类型", "层级", "法定时限", "承诺时限", "网办程度"]


def _units(tmp_path, rows, name="u.csv"):
    return run_import("units", write_csv(tmp_path / name, UNIT_HEADER, rows), operator_label="test")


def _paths():
    return dict(Unit.objects.values_list("code", "path"))


@pytest.mark.django_db
def test_parent_defined_later_in_the_same_file(tmp_path):
    result = _units(
        tmp_path,
        [["S1", "社区", "ST", "community", ""], ["ST", "街道", "D", "street", ""], ["D", "区", "", "区", ""]],
    )
    assert (result.read, result.imported, result.rejected) == (3, 3, 0)
    assert _paths() == {"D": "/D/", "ST": "/D/ST/", "S1": "/D/ST/S1/"}


@pytest.mark.django_db
def test_rejects_unknown_parent_and_its_children_and_cycles(tmp_path):
    result = _units(
        tmp_path,
        [
            ["D", "区", "", "district", ""],
            ["X", "x", "NOPE", "department", ""],
            ["X1", "x1", "X", "section", ""],
            ["A", "a", "B", "department", ""],
            ["B", "b", "A", "department", ""],
            ["S", "self", "S", "department", ""],
        ],
    )
    assert result.imported == 1
    errors = {e["line"]: e for e in result.document()["errors"]}
    assert errors[3]["message"] == "上级单位编码 NOPE 不存在"
    assert errors[4]["message"] == "上级单位编码 X 不存在"
    assert errors[5]["field"] == "parent_code" and "上级单位形成循环" in errors[5]["message"]
    assert "上级单位形成循环" in errors[6]["message"] and "上级单位形成循环：S → S" == errors[7]["message"]


@pytest.mark.django_db
def test_rejects_missing_required_field_and_unknown_enumeration(tmp_path):
    result = _units(tmp_path, [["D", "", "", "district", ""], ["E", "e", "", "ministry", ""]])
    assert result.document()["errors"] == [
        {"line": 2, "field": "name", "message": "缺少必填字段 name(单位名称)"},
        {
            "line": 3,
            "field": "kind",
            "message": "kind(类型) 的值“ministry”无效，应为 district(区)、department(部门)、street(街道)、community(社区)、section(科室)、center(政务服务中心)、supervisor(纪检监察)",
        },
    ]


@pytest.mark.django_db
def test_moving_a_unit_updates_its_subtree_paths(tmp_path):
    _units(
        tmp_path,
        [
            ["D", "区", "", "district", ""],
            ["ST", "街道", "D", "street", ""],
            ["S1", "社区", "ST", "community", ""],
            ["T", "镇", "D", "street", ""],
        ],
    )
    result = _units(tmp_path, [["ST", "街道", "T", "street", ""]], name="move.csv")
    assert (result.imported, result.duplicates) == (1, 0)
    assert _paths()["S1"] == "/D/T/ST/S1/"
    assert list(Unit.objects.get(code="T").subtree().values_list("code", flat=True)) == ["T", "ST", "S1"]


@pytest.mark.django_db
def test_reimport_of_units_changes_nothing(tmp_path):
    rows = [["D", "区", "", "district", ""], ["ST", "街道", "D", "street", "13800001111"]]
    _units(tmp_path, rows)
    before = list(Unit.objects.values())
    again = _units(tmp_path, rows)
    assert (again.imported, again.duplicates, again.rejected) == (0, 2, 0)
    assert list(Unit.objects.values()) == before


@pytest.mark.django_db
def test_units_from_jsonl_and_xlsx(tmp_path):
    run_import(
        "units", write_jsonl(tmp_path / "u.jsonl", [{"单位编码": "D", "单位名称": "区", "类型": "区"}])
    )
    result = run_import(
        "units",
        write_xlsx(
            tmp_path / "u.xlsx",
            ["单位编码", "单位名称", "上级单位编码", "类型"],
            [["ST", "街道", "D", "街道"]],
        ),
    )
    assert result.imported == 1 and _paths()["ST"] == "/D/ST/"


def test_items_checks_time_limits_units_and_enumerations(region, tmp_path):
    path = write_csv(
        tmp_path / "i.csv",
        ITEM_HEADER,
        [
            ["N1", "新事项", "SC", "行政许可", "区级", 20, 5, "全程网办"],
            ["N2", "超时限", "SC", "", "", 5, 6, ""],
            ["N3", "无单位", "NOPE", "", "", 5, 1, ""],
            ["N4", "负数", "SC", "", "", -1, 0, ""],
            ["N5", "非整数", "SC", "", "", "十", 0, ""],
            ["N6", "坏类型", "SC", "许可证", "", 5, 0, ""],
        ],
    )
    result = run_import("items", path)
    assert result.imported == 1
    assert [(e["line"], e["field"], e["message"]) for e in result.document()["errors"]] == [
        (3, "promised_days", "承诺时限（6）不得超过法定时限（5）"),
        (4, "unit_code", "实施单位编码 NOPE 不存在"),
        (5, "legal_days", "legal_days(法定时限) 不能小于 0"),
        (6, "legal_days", "legal_days(法定时限) 的值“十”不是整数"),
        (
            7,
            "type",
            "type(事项类型) 的值“许可证”无效，应为 licensing(行政许可)、confirmation(行政确认)、payment(行政给付)、levy(行政征收)、adjudication(行政裁决)、reward(行政奖励)、other_power(其他行政权力)、public_service(公共服务)",
        ),
    ]
    item = Item.objects.get(code="N1")
    assert (item.type, item.level, item.online, item.unit.code) == ("licensing", "district", "full", "SC")


def test_items_update_master_data_and_reimport_is_a_duplicate(region, tmp_path):
    rows = [["I9", "食品经营许可（新）", "SC", "licensing", "district", 20, 7, "full"]]
    first = run_import("items", write_csv(tmp_path / "i.csv", ITEM_HEADER, rows))
    assert (first.imported, first.duplicates) == (1, 0)
    assert Item.objects.get(code="I9").promised_days == 7
    again = run_import("items", write_csv(tmp_path / "i.csv", ITEM_HEADER, rows))
    assert (again.imported, again.duplicates) == (0, 1)
    assert ImportRun.objects.filter(kind="items").count() == 2


# -- the region's tree ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_root_and_a_detached_unit_are_refused_rows(tmp_path):
    _units(tmp_path, [["D", "区", "", "district", ""], ["SC", "市场局", "D", "department", ""]])
    result = _units(
        tmp_path,
        [
            ["X", "影子区", "", "district", ""],
            ["SC", "市场局", "", "department", ""],
            ["Y", "y", "X", "section", ""],
        ],
        name="attack.csv",
    )
    assert result.imported == 0
    errors = {e["line"]: e for e in result.document()["errors"]}
    assert errors[2]["field"] == "parent_code" and "区域已有根单位 D" in errors[2]["message"]
    assert errors[3]["field"] == "parent_code" and "不能移出区域的组织树" in errors[3]["message"]
    assert errors[4]["message"] == "上级单位编码 X 不存在"
    assert _paths() == {"D": "/D/", "SC": "/D/SC/"}


@pytest.mark.django_db
def test_a_first_file_has_one_root(tmp_path):
    result = _units(tmp_path, [["D", "区", "", "district", ""], ["D2", "另一区", "", "district", ""]])
    assert result.imported == 1
    assert result.document()["errors"][0]["line"] == 3


@pytest.mark.django_db
def test_a_move_by_the_operators_command_is_audited_with_both_parents(tmp_path):
    from govwatch.audit.models import AuditEntry

    _units(
        tmp_path,
        [["D", "区", "", "district", ""], ["ST", "街道", "D", "street", ""], ["T", "镇", "D", "street", ""]],
    )
    _units(tmp_path, [["ST", "街道", "T", "street", ""]], name="move.csv")
    entry = AuditEntry.objects.get(action="unit.move")
    assert (entry.before, entry.after, entry.actor) == ({"parent": "D"}, {"parent": "T"}, "test")
    assert "ST 的上级单位由 D 改为 T" in entry.summary


@pytest.mark.django_db
def test_a_person_without_the_move_right_cannot_move_through_an_import(tmp_path, django_user_model):
    from govwatch.accounts.models import Membership, Role

    _units(
        tmp_path,
        [["D", "区", "", "district", ""], ["ST", "街道", "D", "street", ""], ["T", "镇", "D", "street", ""]],
    )
    office = django_user_model.objects.create_user("office")
    Membership.objects.create(user=office, role=Role.OFFICE, unit=Unit.objects.get(code="D"))
    path = write_csv(tmp_path / "move.csv", UNIT_HEADER, [["ST", "街道（改名）", "T", "street", ""]])
    result = run_import("units", path, operator_label="user:office", operator=office)
    assert result.imported == 0 and "须经审核" in result.document()["errors"][0]["message"]
    assert _paths()["ST"] == "/D/ST/"


@pytest.mark.django_db
def test_a_unit_phone_must_be_a_mobile_number_and_is_kept_normalised(tmp_path):
    result = _units(
        tmp_path,
        [
            ["D", "区", "", "district", "+86 138-0000-1111"],
            ["A", "a", "D", "department", "12345"],
            ["B", "b", "D", "department", "010-12345678"],
        ],
    )
    assert result.imported == 1
    assert [(e["line"], e["field"]) for e in result.document()["errors"]] == [(3, "phone"), (4, "phone")]
    message = result.document()["errors"][0]["message"]
    assert "11 位手机号码" in message and "12345" not in message
    assert Unit.objects.get(code="D").phone == "13800001111"
