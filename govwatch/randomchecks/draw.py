"""The double-random draw (双随机) of contract section 11, and the plan it draws from.

The algorithm is fixed so that anyone can re-run a published draw with the published plan and
seed:

1. per risk class with n targets, the targets sorted by sha256("{seed}:{target_id}") (lowercase
   hex of the UTF-8 bytes), ascending, and the first ceil(P × n / 100), in integers, taken;
2. all drawn targets in ascending order of that hash; for each, the inspectors of its unit_code
   with no declared conflict with it, sorted by sha256("{seed}:{target_id}:{inspector_id}"), the
   first two assigned; fewer than two eligible: none, and the target is `unstaffed`.

This module knows no database: `Plan` is the plan as read (from JSON, an XLSX workbook, or the
registers), `check_plan` refuses a bad one naming the row, `draw` computes the result document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RISKS = ("low", "medium", "high")
RISK_WORDS = {
    "low": "low", "medium": "medium", "high": "high",
    "低": "low", "中": "medium", "高": "high",
    "低风险": "low", "中风险": "medium", "高风险": "high",
}  # fmt: skip
RISK_LABELS = {"low": "低", "medium": "中", "high": "高"}
MAX_ID = 100

# The workbook form of a plan: sheet names and the columns of each (English or Chinese headers).
SHEETS = {"targets": "检查对象", "inspectors": "执法人员", "conflicts": "回避", "rates": "抽查比例"}
COLUMNS = {
    "targets": {"target_id": "对象编号", "name": "名称", "unit_code": "单位编码", "risk": "风险等级"},
    "inspectors": {"inspector_id": "人员编号", "name": "姓名", "unit_code": "单位编码"},
    "conflicts": {"inspector_id": "人员编号", "target_id": "对象编号"},
    "rates": {"risk": "风险等级", "rate": "抽查比例"},
}


class PlanError(Exception):
    """A plan that cannot be drawn; the message names the row at fault (exit status 2)."""


@dataclass(frozen=True)
class Target:
    target_id: str
    name: str
    unit_code: str
    risk: str


@dataclass(frozen=True)
class Inspector:
    inspector_id: str
    name: str
    unit_code: str


@dataclass
class Plan:
    targets: list[Target] = field(default_factory=list)
    inspectors: list[Inspector] = field(default_factory=list)
    conflicts: set[tuple[str, str]] = field(default_factory=set)  # (inspector_id, target_id)
    rates: dict[str, int] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        """The plan as the JSON of section 11 (what is published beside the seed)."""
        return {
            "targets": [
                {"target_id": t.target_id, "name": t.name, "unit_code": t.unit_code, "risk": t.risk}
                for t in self.targets
            ],
            "inspectors": [
                {"inspector_id": i.inspector_id, "name": i.name, "unit_code": i.unit_code}
                for i in self.inspectors
            ],
            "conflicts": [{"inspector_id": i, "target_id": t} for i, t in sorted(self.conflicts)],
            "rates": {risk: self.rates[risk] for risk in RISKS if risk in self.rates},
        }

    def digest(self) -> str:
        """The plan's identity: the same targets, inspectors, conflicts and rates give the same
        digest whatever the order of the rows or the form of the file."""
        doc = self.document()
        canonical = {
            "targets": sorted(doc["targets"], key=lambda t: t["target_id"]),
            "inspectors": sorted(doc["inspectors"], key=lambda i: i["inspector_id"]),
            "conflicts": doc["conflicts"],
            "rates": doc["rates"],
        }
        text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def target_hash(seed: str, target_id: str) -> str:
    return hashlib.sha256(f"{seed}:{target_id}".encode()).hexdigest()


def inspector_hash(seed: str, target_id: str, inspector_id: str) -> str:
    return hashlib.sha256(f"{seed}:{target_id}:{inspector_id}".encode()).hexdigest()


def sample_size(rate: int, n: int) -> int:
    """ceil(rate × n / 100) in integers."""
    return (rate * n + 99) // 100


def draw(plan: Plan, seed: str) -> dict[str, Any]:
    """The draw of section 11 for a checked plan: `{"seed", "draws", "unstaffed", "by_risk"}`."""
    by_risk: dict[str, dict[str, int]] = {}
    drawn: list[tuple[str, Target]] = []
    for risk in RISKS:
        members = sorted(
            ((target_hash(seed, t.target_id), t) for t in plan.targets if t.risk == risk), key=lambda p: p[0]
        )
        taken = members[: sample_size(plan.rates.get(risk, 0), len(members))]
        by_risk[risk] = {"targets": len(members), "drawn": len(taken)}
        drawn.extend(taken)
    drawn.sort(key=lambda p: p[0])
    by_unit: dict[str, list[Inspector]] = {}
    for i in plan.inspectors:
        by_unit.setdefault(i.unit_code, []).append(i)
    draws, unstaffed = [], []
    for _, target in drawn:
        chosen = assign(by_unit.get(target.unit_code, []), plan.conflicts, target, seed)
        if chosen is None:
            unstaffed.append(target.target_id)
        else:
            draws.append({"target_id": target.target_id, "inspectors": chosen})
    return {"seed": seed, "draws": draws, "unstaffed": unstaffed, "by_risk": by_risk}


def eligible(inspectors: list[Inspector], conflicts: set[tuple[str, str]], target: Target) -> list[Inspector]:
    """Of `inspectors`, those of the target's department with no declared conflict with it."""
    return [
        i
        for i in inspectors
        if i.unit_code == target.unit_code and (i.inspector_id, target.target_id) not in conflicts
    ]


def assign(
    inspectors: list[Inspector], conflicts: set[tuple[str, str]], target: Target, seed: str
) -> list[str] | None:
    """The two eligible inspectors first by sha256("{seed}:{target_id}:{inspector_id}"), or None
    when fewer than two are eligible."""
    ranked = sorted(
        eligible(inspectors, conflicts, target),
        key=lambda i: inspector_hash(seed, target.target_id, i.inspector_id),
    )
    if len(ranked) < 2:
        return None
    return [ranked[0].inspector_id, ranked[1].inspector_id]


# -- reading and checking a plan ------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rate(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise PlanError(f"{where}：抽查比例应为 0 到 100 的整数")
    text = _text(value).rstrip("%％").strip()
    try:
        rate = int(text)
    except ValueError:
        raise PlanError(f"{where}：抽查比例“{_text(value)}”不是整数（应为 0 到 100 的整数百分比）") from None
    if not 0 <= rate <= 100:
        raise PlanError(f"{where}：抽查比例 {rate} 超出 0 到 100")
    return rate


def _id(value: Any, name: str, where: str) -> str:
    text = _text(value)
    if not text:
        raise PlanError(f"{where}：缺少 {name}")
    if len(text) > MAX_ID:
        raise PlanError(f"{where}：{name} 过长（最多 {MAX_ID} 个字符）")
    return text


def plan_from_records(
    targets: list[tuple[str, dict[str, Any]]],
    inspectors: list[tuple[str, dict[str, Any]]],
    conflicts: list[tuple[str, dict[str, Any]]],
    rates: list[tuple[str, str, Any]],
    units: set[str],
) -> Plan:
    """A checked plan from its rows, each with the words that name it in a message ("检查对象第 3
    行", "targets[2]"); `units` the unit codes GovWatch has. Raises PlanError at the first bad row."""
    plan = Plan()
    seen_targets: dict[str, str] = {}
    for where, row in targets:
        tid = _id(row.get("target_id"), "target_id（对象编号）", where)
        if tid in seen_targets:
            raise PlanError(f"{where}：对象编号 {tid} 与{seen_targets[tid]}重复")
        seen_targets[tid] = where
        unit = _id(row.get("unit_code"), "unit_code（单位编码）", where)
        if unit not in units:
            raise PlanError(f"{where}：单位编码 {unit} 不存在（应为 GovWatch 中的监管部门）")
        risk_text = _text(row.get("risk"))
        risk = RISK_WORDS.get(risk_text.lower()) or RISK_WORDS.get(risk_text)
        if risk is None:
            raise PlanError(f"{where}：风险等级“{risk_text}”无效，应为 low(低)、medium(中) 或 high(高)")
        plan.targets.append(Target(tid, _text(row.get("name")), unit, risk))
    seen_inspectors: dict[str, str] = {}
    for where, row in inspectors:
        iid = _id(row.get("inspector_id"), "inspector_id（人员编号）", where)
        if iid in seen_inspectors:
            raise PlanError(f"{where}：人员编号 {iid} 与{seen_inspectors[iid]}重复")
        seen_inspectors[iid] = where
        unit = _id(row.get("unit_code"), "unit_code（单位编码）", where)
        if unit not in units:
            raise PlanError(f"{where}：单位编码 {unit} 不存在（应为 GovWatch 中的监管部门）")
        plan.inspectors.append(Inspector(iid, _text(row.get("name")), unit))
    for where, row in conflicts:
        iid = _id(row.get("inspector_id"), "inspector_id（人员编号）", where)
        tid = _id(row.get("target_id"), "target_id（对象编号）", where)
        if iid not in seen_inspectors:
            raise PlanError(f"{where}：回避记录中的人员编号 {iid} 不在执法人员名单中")
        if tid not in seen_targets:
            raise PlanError(f"{where}：回避记录中的对象编号 {tid} 不在检查对象名单中")
        if (iid, tid) in plan.conflicts:
            raise PlanError(f"{where}：回避记录 {iid}—{tid} 重复")
        plan.conflicts.add((iid, tid))
    for where, risk_text, value in rates:
        risk = RISK_WORDS.get(_text(risk_text).lower()) or RISK_WORDS.get(_text(risk_text))
        if risk is None:
            raise PlanError(
                f"{where}：风险等级“{_text(risk_text)}”无效，应为 low(低)、medium(中) 或 high(高)"
            )
        if risk in plan.rates:
            raise PlanError(f"{where}：风险等级 {risk} 的抽查比例重复")
        plan.rates[risk] = _rate(value, where)
    for risk in RISKS:
        if risk not in plan.rates and any(t.risk == risk for t in plan.targets):
            raise PlanError(f"抽查比例缺少风险等级 {risk}({RISK_LABELS[risk]})，而检查对象中有该等级的对象")
    return plan


def read_json_plan(path: Path, units: set[str]) -> Plan:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise PlanError("计划文件不是 UTF-8 编码的 JSON") from None
    except ValueError as exc:
        raise PlanError(f"计划文件不是有效的 JSON：{exc}") from None
    if not isinstance(doc, dict):
        raise PlanError("计划文件应为一个 JSON 对象，含 targets、inspectors、conflicts 和 rates")

    def rows(key: str) -> list[tuple[str, dict[str, Any]]]:
        value = doc.get(key, [])
        if not isinstance(value, list):
            raise PlanError(f"{key} 应为数组")
        out = []
        for n, row in enumerate(value):
            if not isinstance(row, dict):
                raise PlanError(f"{key}[{n}]：应为一个 JSON 对象")
            out.append((f"{key}[{n}]", row))
        return out

    rates = doc.get("rates", {})
    if not isinstance(rates, dict):
        raise PlanError('rates 应为对象，如 {"low": 5, "medium": 10, "high": 30}')
    return plan_from_records(
        rows("targets"), rows("inspectors"), rows("conflicts"),
        [(f"rates.{k}", k, v) for k, v in rates.items()], units,
    )  # fmt: skip


def _sheet_rows(book: Any, kind: str, required: bool) -> list[tuple[str, dict[str, Any]]]:
    label = SHEETS[kind]
    sheet = next((s for s in book.worksheets if s.title.strip() in (label, kind)), None)
    if sheet is None:
        if required:
            raise PlanError(f"工作簿缺少工作表“{label}”（{kind}）")
        return []
    names = {**{k: k for k in COLUMNS[kind]}, **{v: k for k, v in COLUMNS[kind].items()}}
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    columns = {i: names.get(_text(h).rstrip("*＊").strip().lower()) or names.get(_text(h).rstrip("*＊").strip())
               for i, h in enumerate(header)}  # fmt: skip
    out = []
    for line, cells in enumerate(rows, start=2):
        if not any(_text(c) for c in cells):
            continue
        out.append(
            (f"工作表“{label}”第 {line} 行", {columns[i]: c for i, c in enumerate(cells) if columns.get(i)})
        )
    return out


def _risk_of(cell: Any) -> str | None:
    text = _text(cell).rstrip("*＊").strip()
    return RISK_WORDS.get(text.lower()) or RISK_WORDS.get(text)


def _wide_rates(book: Any) -> list[tuple[str, str, Any]] | None:
    """The rates sheet in the JSON's own shape (section 11: "the same columns"): a header of risk
    classes (low/medium/high or 低/中/高) over one row of rates. None when the sheet is the long
    form (风险等级, 抽查比例 per row) or missing, which `_sheet_rows` reads and judges."""
    sheet = next((s for s in book.worksheets if s.title.strip() in (SHEETS["rates"], "rates")), None)
    if sheet is None:
        return None
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    named = [(i, _risk_of(h)) for i, h in enumerate(header or ()) if _text(h)]
    if not named or any(risk is None for _, risk in named):
        return None
    label = SHEETS["rates"]
    values = [(line, cells) for line, cells in enumerate(rows, start=2) if any(_text(c) for c in cells)]
    if len(values) != 1:
        raise PlanError(f"工作表“{label}”按风险等级分列时应恰有一行抽查比例，现有 {len(values)} 行")
    line, cells = values[0]
    where = f"工作表“{label}”第 {line} 行"
    return [(where, _text(header[i]), cells[i] if i < len(cells) else None) for i, _ in named]


def read_xlsx_plan(path: Path, units: set[str]) -> Plan:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanError(f"无法读取 XLSX 文件（文件损坏或不是 Excel 2007+ 格式）：{exc}") from None
    try:
        rates = _wide_rates(book)
        if rates is None:
            rates = [
                (where, row.get("risk"), row.get("rate")) for where, row in _sheet_rows(book, "rates", True)
            ]
        return plan_from_records(
            _sheet_rows(book, "targets", True), _sheet_rows(book, "inspectors", True),
            _sheet_rows(book, "conflicts", False), rates, units,
        )  # fmt: skip
    finally:
        book.close()


def read_plan(path: str | Path, units: set[str]) -> Plan:
    """A plan file (.json or .xlsx), checked; PlanError names what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"计划文件不存在：{path}")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json_plan(path, units)
    if suffix == ".xlsx":
        return read_xlsx_plan(path, units)
    raise PlanError(f"不支持的计划文件类型“{path.suffix or path.name}”：请使用 .json 或 .xlsx")
