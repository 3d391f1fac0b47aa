"""The registers' imports: key projects and milestones from XLSX, the double-random registers, the
regulatory items and the national system's supervision actions; idempotent, bad rows reported."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from govwatch.cli import main
from govwatch.imports.models import ImportRun
from govwatch.projects.models import KeyProject, Milestone
from govwatch.randomchecks.models import Inspector, Target
from govwatch.regulation.models import RegulatoryItem, SupervisionAction


def xlsx(path: Path, header: list[str], *rows: list) -> str:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return str(path)


def run(kind: str, path: str) -> tuple[int, dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["import", kind, path, "--format", "json"])
    return status, json.loads(out.getvalue())


def test_projects_and_milestones_from_xlsx_with_chinese_headers_twice(region, tmp_path):
    projects = xlsx(
        tmp_path / "项目.xlsx",
        [
            "项目编号",
            "项目名称",
            "责任单位编码",
            "责任领导",
            "项目类别",
            "总投资",
            "计划开工日期",
            "计划完工日期",
        ],
        ["XM01", "智能制造产业园", "SC", "王副区长", "产业项目", 52000, "2026-01-05", "2026年12月31日"],
        ["XM02", "城东污水处理厂", "NOPE", "李副区长", "基础设施", 8000, "2026-02-01", "2026-11-30"],
        ["XM03", "人才公寓", "RS", "赵副区长", "民生工程", "", "2026-06-01", "2026-03-01"],
    )
    assert run("projects", projects) == (1, {
        "read": 3, "imported": 1, "duplicates": 0, "rejected": 2,
        "errors": [
            {"line": 3, "field": "unit_code", "message": "单位编码 NOPE 不存在"},
            {"line": 4, "field": "planned_end", "message": "计划完工日期不能早于计划开工日期"},
        ],
    })  # fmt: skip
    project = KeyProject.objects.get()
    assert project.planned_end == date(2026, 12, 31) and project.category == "industry"
    milestones = xlsx(
        tmp_path / "节点.xlsx",
        ["项目编号", "序号", "节点名称", "计划完成日期", "实际完成日期", "计划累计进度"],
        ["XM01", 1, "施工许可", "2026-03-16", "2026-03-12", 20],
        ["XM01", 2, "主体封顶", "2026-08-31", "", "70%"],
        ["XM09", 1, "立项", "2026-01-10", "", ""],
        ["XM01", 3, "竣工验收", "2026-13-01", "", ""],
    )
    status, doc = run("milestones", milestones)
    assert (status, doc["imported"], doc["rejected"]) == (1, 2, 2)
    assert [e["field"] for e in doc["errors"]] == ["project_code", "planned_date"]
    assert list(Milestone.objects.values_list("name", "planned_percent")) == [
        ("施工许可", 20),
        ("主体封顶", 70),
    ]
    # The same files again change nothing; a changed milestone updates it.
    assert run("projects", projects)[1]["duplicates"] == 1
    assert run("milestones", milestones)[1]["duplicates"] == 2
    again = xlsx(
        tmp_path / "节点2.xlsx",
        ["project_code", "seq", "name", "planned_date"],
        ["XM01", 2, "主体封顶", "2026-09-30"],
    )
    assert run("milestones", again)[1]["imported"] == 1
    assert Milestone.objects.get(seq=2).planned_date == date(2026, 9, 30)
    assert ImportRun.objects.filter(kind="milestones").count() == 3


def test_targets_then_inspectors_with_their_declared_conflicts(region, tmp_path):
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "对象编号,名称,单位编码,风险等级\nT1,甲餐饮店,SC,高\nT2,乙超市,SC,low\nT3,丙药店,SC,极高\n",
        encoding="utf-8",
    )
    assert run("targets", str(targets))[1]["errors"] == [
        {
            "line": 4,
            "field": "risk",
            "message": "risk(风险等级) 的值“极高”无效，应为 low(低)、medium(中)、high(高)",
        }
    ]
    inspectors = tmp_path / "inspectors.csv"
    inspectors.write_text(
        "人员编号,姓名,单位编码,执法证号,回避对象\nP1,张三,SC,42010001,T1、T2\nP2,李四,SC,42010002,\nP3,王五,SC,,T9\n",
        encoding="utf-8",
    )
    status, doc = run("inspectors", str(inspectors))
    assert status == 1 and doc["errors"][0]["line"] == 4 and "T9" in doc["errors"][0]["message"]
    assert set(Inspector.objects.get(inspector_id="P1").conflicts.values_list("target_id", flat=True)) == {
        "T1",
        "T2",
    }
    assert Target.objects.count() == 2


def test_supervision_actions_are_facts_a_changed_one_is_refused(region, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text(
        "监管事项编码,监管事项名称,实施部门编码,纳入双随机,退回原因,退回日期\n"
        "JG1,食品经营监督检查,SC,是,,\nJG2,无对象事项,SC,否,无监管对象,2026-02-01\nJG3,缺日期,SC,否,无监管职权,\n",
        encoding="utf-8",
    )
    assert run("regulatory_items", str(items))[1]["rejected"] == 1
    assert RegulatoryItem.objects.get(code="JG2").return_reason == "no_object"
    actions = tmp_path / "actions.csv"
    actions.write_text(
        "行为编号,监管事项编码,监管日期,监管类型,联合监管\nA1,JG1,2026-03-02,双随机抽查,是\nA2,JG9,2026-03-02,日常检查,否\n",
        encoding="utf-8",
    )
    status, doc = run("supervision_actions", str(actions))
    assert status == 1 and doc["imported"] == 1 and "JG9" in doc["errors"][0]["message"]
    action = SupervisionAction.objects.get()
    assert action.kind == "random" and action.joint and action.unit == region["market"]
    changed = tmp_path / "changed.csv"
    changed.write_text("行为编号,监管事项编码,监管日期\nA1,JG1,2026-03-03\n", encoding="utf-8")
    status, doc = run("supervision_actions", str(changed))
    assert status == 1 and "已导入，内容不同" in doc["errors"][0]["message"]
    assert SupervisionAction.objects.get().on == date(2026, 3, 2)
