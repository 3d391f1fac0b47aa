"""`govwatch import rectification FILE`: a rectification list in the form offices keep (contract
section 9).

Offices keep their lists in Excel with a title row or two above the header (often merged across
the table: "区行政审批局优化营商环境专项巡察问题整改清单"), aspects written as rows of their own
("（一）关于……方面存在的问题") or as a column merged down over its problems, units by name rather
than code, and dates as 2026年3月5日. So, unlike the other record kinds:

- the header is the first of the first ten rows that names at least two of the list's columns; the
  rows above it are titles (the first becomes the list's name when the rows give none) and are
  reported once as a warning; a header over two rows (merged cells across rows, or blank cells
  inside it) is refused with the cells to fix;
- a cell merged down a column (an aspect over its problems) gives its value to every row it covers;
- a row with a single value and no problem is an aspect heading: the rows after it take that aspect
  unless they name their own;
- `unit_code` may hold a unit's full name; `deadline` takes 2026-03-05, 2026/3/5, 2026.3.5 and
  2026年3月5日 (and Excel dates).

Line numbers are the rows as the spreadsheet shows them. Rows are keyed by list_code + no: a row
sent again unchanged is a duplicate; a changed row updates the problem (a step in its timeline)
unless the problem is signed off, then it is rejected with the reason.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from govwatch.audit.log import Actor, record
from govwatch.core.choices import allowed, parse_choice
from govwatch.core.localtime import start_of_day
from govwatch.core.parsing import parse_date
from govwatch.core.rowfields import Field, Row, RowError, digest
from govwatch.core.tables import (
    FileProblem,
    Record,
    Table,
    _clean_header,
    _column_letter,
    _parse_header,
    checked,
    detect_encoding,
    open_table,
)
from govwatch.orgs.models import Unit
from govwatch.rectification.actions import RectificationError, open_problem, update_problem
from govwatch.rectification.models import APPROVER_BY_SOURCE, Problem, RectificationList, Source

from .models import ImportRun
from .results import ImportResult

LIST_FIELDS = (
    Field("list_code", "清单编号", True, 64),
    Field("list_name", "清单名称", False, 200),
    Field("source", "来源"),
    Field("feedback_date", "反馈日期"),
    Field("no", "序号", True, 32),
    Field("aspect", "方面", False, 300),
    Field("problem", "问题", True, 5000),
    Field("leader", "责任领导", False, 100),
    Field("unit_code", "责任单位编码", True, 200),
    Field("deadline", "整改时限", True),
    Field("measures", "整改措施", False, 5000),
)
SPEC = {f.name: f for f in LIST_FIELDS}
# The header of the offices' form, in the contract's Chinese names (the export writes it too).
HEADER = [f.alias for f in LIST_FIELDS]
# Other headers offices write for the same columns.
ALIASES = {
    "问题描述": "problem", "存在问题": "problem", "问题表现": "problem", "反馈问题": "problem",
    "责任单位": "unit_code", "责任科室": "unit_code", "责任部门": "unit_code",
    "整改期限": "deadline", "完成时限": "deadline", "整改时间": "deadline",
    "问题类别": "aspect", "问题类型": "aspect", "整改措施及进展": "measures",
}  # fmt: skip
HEADER_SEARCH_ROWS = 10
_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*$")


@dataclass
class Sheet:
    """The cells of a small sheet as text, with its vertical merges filled down."""

    rows: list[list[str]]
    # (first row, last row, first column, last column), 0-based, of every merged range.
    merges: list[tuple[int, int, int, int]]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(path: Path) -> Sheet:
    import zipfile

    from openpyxl import load_workbook

    try:
        # Not read-only: the merged ranges are only known to a fully loaded sheet (lists are small).
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileProblem(f"无法读取 XLSX 文件（文件损坏或不是 Excel 2007+ 格式）：{exc}") from exc
    try:
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in r] for r in sheet.iter_rows(values_only=True)]
        merges = [
            (m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in sheet.merged_cells.ranges
        ]
    finally:
        book.close()
    return Sheet(rows, merges)


def _read_csv(path: Path) -> Sheet:
    with path.open(encoding=detect_encoding(path), newline="") as fh:
        try:
            return Sheet([[c.strip() for c in r] for r in csv.reader(fh)], [])
        except csv.Error as exc:
            raise FileProblem(f"CSV 格式错误：{exc}") from exc


def _known(text: str) -> str | None:
    names = {f.name: f.name for f in LIST_FIELDS} | {f.alias: f.name for f in LIST_FIELDS} | ALIASES
    return names.get(_clean_header(text)) or names.get(text.strip().rstrip("*＊").strip())


def _find_header(sheet: Sheet) -> int:
    for i, cells in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        if len({_known(c) for c in cells if c and _known(c)}) >= 2:
            return i
    raise FileProblem(
        f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头：表头应含 清单编号、序号、问题、责任单位编码、整改时限 等列"
    )


def _check_header_merges(sheet: Sheet, header: int) -> None:
    # A header over two rows says more about what to fix than one merged cell in it: reported first.
    for r0, r1, c0, c1 in sorted(sheet.merges, key=lambda m: m[1] == m[0]):
        if r0 <= header <= r1 and r1 > r0:
            cells = f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}"
            raise FileProblem(
                f"表头第 {header + 1} 行的 {cells} 为跨行合并单元格（表头分为两行）：请改为一行表头、每列一个字段名"
            )
        if r0 == header and c1 > c0:
            cells = f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}"
            raise FileProblem(
                f"表头第 {header + 1} 行的 {cells} 为合并单元格：请改为一行表头、每列一个字段名"
            )


def _fill_merges(sheet: Sheet, header: int) -> None:
    """Below the header, a merged range's value holds for every cell it covers."""
    for r0, r1, c0, c1 in sheet.merges:
        if r0 <= header:
            continue
        value = sheet.rows[r0][c0] if c0 < len(sheet.rows[r0]) else ""
        for r in range(r0, r1 + 1):
            row = sheet.rows[r]
            row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


def _titles(sheet: Sheet, header: int) -> list[str]:
    titles = []
    for cells in sheet.rows[:header]:
        values = list(dict.fromkeys(c for c in cells if c))
        if values:
            titles.append(" ".join(values))
    return titles


def open_list_table(path: str | Path) -> Table:
    """The list's records, with its title (as `Table.title`) and warnings; raises FileProblem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        table = open_table(path, LIST_FIELDS)
        table.title = ""  # type: ignore[attr-defined]
        return table
    if suffix not in (".csv", ".xlsx"):
        raise FileProblem(f"不支持的文件类型“{path.suffix or path.name}”：整改清单请使用 .xlsx 或 .csv 文件")
    if not path.is_file():
        raise FileProblem(f"文件不存在：{path}")
    if path.stat().st_size == 0:
        raise FileProblem("文件为空")
    sheet = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    if not any(any(c for c in r) for r in sheet.rows):
        raise FileProblem("文件为空")
    header = _find_header(sheet)
    _check_header_merges(sheet, header)
    table = Table(iter(()))
    titles = _titles(sheet, header)
    if titles:
        table.warnings.append(f"已跳过表头上方的标题行（第 1 至 {header} 行）：{titles[0]}")
    # Aliases beyond the contract's one per field are renamed before the common header check.
    # An alias is taken only for a column the header does not name by the contract's own names (a
    # form with both 责任单位编码 and 责任单位 imports the codes and ignores the names).
    own = {f.name: f.name for f in LIST_FIELDS} | {f.alias: f.name for f in LIST_FIELDS}
    named = {own.get(_clean_header(c)) for c in sheet.rows[header] if c}
    cells = [c if not c or c in own or _known(c) in named else (_known(c) or c) for c in sheet.rows[header]]
    parsed = _parse_header(cells, LIST_FIELDS, table.warnings)
    _fill_merges(sheet, header)
    table.title = titles[0] if titles else ""  # type: ignore[attr-defined]
    table.rows = _records(parsed.columns, sheet.rows, header)
    return table


def _records(columns: list[tuple[int, str]], rows: list[list[str]], header: int) -> Iterator[Record]:
    for index in range(header + 1, len(rows)):
        cells = rows[index]
        if not any(cells):
            continue
        yield index + 1, checked({name: cells[i] if i < len(cells) else "" for i, name in columns}, SPEC)


# -- rows ----------------------------------------------------------------------------------------


def parse_list_date(text: str) -> date:
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, or an Excel date; raises ValueError."""
    match = _CN_DATE.match(text)
    if match:
        return date(*(int(g) for g in match.groups()))
    return parse_date(text)


def _date(row: Row, name: str) -> date | None:
    value = row.text(name)
    if not value:
        return None
    try:
        return parse_list_date(value)
    except ValueError:
        raise RowError(
            name, f"{SPEC[name].label} 的值“{value}”不是有效的日期（如 2026-03-05 或 2026年3月5日）"
        ) from None


@dataclass
class ProblemRow:
    line: int
    list_code: str
    list_name: str
    source: str
    feedback_date: date | None
    no: str
    aspect: str
    problem: str
    leader: str
    unit: Unit
    deadline: date
    measures: str

    def content(self) -> dict:
        return {"aspect": self.aspect, "description": self.problem, "leader": self.leader, "unit": self.unit,
                "deadline": self.deadline, "measures": self.measures}  # fmt: skip

    def digest(self) -> str:
        c = self.content()
        return digest(
            c["aspect"], c["description"], c["leader"], self.unit.code, c["deadline"], c["measures"]
        )


class Units:
    """Units by code, and by full name where the name is unique."""

    def __init__(self) -> None:
        self.by_code = {u.code: u for u in Unit.objects.all()}
        names: dict[str, list[Unit]] = {}
        for u in self.by_code.values():
            names.setdefault(u.name, []).append(u)
        self.by_name = names

    def find(self, text: str) -> Unit:
        if text in self.by_code:
            return self.by_code[text]
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise RowError("unit_code", f"有 {len(named)} 个单位名为“{text}”，请填写责任单位编码")
        raise RowError("unit_code", f"责任单位“{text}”不存在（应为单位编码或单位全称）")


def _parse(line: int, values: dict[str, str], units: Units, aspect: str) -> ProblemRow:
    row = Row(values, SPEC)
    source = row.text("source")
    code = parse_choice(Source, source) if source else Source.INSPECTION.value
    if code is None:
        raise RowError("source", f"{SPEC['source'].label} 的值“{source}”无效，应为 {allowed(Source)}")
    deadline = _date(row, "deadline")
    feedback = _date(row, "feedback_date")
    if feedback and deadline < feedback:
        raise RowError("deadline", f"整改时限 {deadline:%Y-%m-%d} 早于反馈日期 {feedback:%Y-%m-%d}")
    return ProblemRow(
        line=line, list_code=row.text("list_code"), list_name=row.text("list_name"), source=code,
        feedback_date=feedback, no=row.text("no"), aspect=row.text("aspect") or aspect,
        problem=row.text("problem"), leader=row.text("leader"), unit=units.find(row.text("unit_code")),
        deadline=deadline, measures=row.text("measures"),
    )  # fmt: skip


def _heading(values: dict[str, str], first: str) -> str | None:
    """An aspect heading: one value and nothing else, in the first column or repeated across the row
    (a merged row), that reads as words rather than a code or a number."""
    filled = [v.strip() for v in values.values() if v and v.strip()]
    distinct = set(filled)
    if len(distinct) != 1:
        return None
    only = filled[0]
    wordy = not only.replace(".", "").isdigit() and (" " in only or re.search(r"[\u4e00-\u9fff]", only))
    if wordy and (len(filled) > 1 or (values.get(first) or "").strip() == only):
        return only
    return None


def import_rectification(table: Table, result: ImportResult, run: ImportRun) -> None:
    title = getattr(table, "title", "")
    units = Units()
    actor = Actor(run.operator_label or "cli", run.operator, "import")
    now = timezone.now()
    aspect = ""
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    lists: dict[str, RectificationList] = {}
    first_column = ""
    for line, values in table.rows:
        if not isinstance(values, RowError):
            first_column = first_column or next(iter(values), "")
            heading = _heading(values, first_column)
            if heading is not None:
                aspect = heading
                result.warnings.append(f"第 {line} 行“{heading}”作为其下问题的“方面”")
                continue
        result.read += 1
        try:
            if isinstance(values, RowError):
                raise values
            parsed = _parse(line, values, units, aspect)
            key = (parsed.list_code, parsed.no)
            if key in seen:
                earlier, earlier_digest = seen[key]
                if earlier_digest == parsed.digest():
                    result.duplicates += 1
                    continue
                raise RowError(
                    "no", f"清单 {parsed.list_code} 的序号 {parsed.no} 已在第 {earlier} 行出现，内容不同"
                )
            seen[key] = (line, parsed.digest())
            if parsed.list_code not in lists:
                with transaction.atomic():
                    lists[parsed.list_code] = _list_for(parsed, title, actor)
            with transaction.atomic():
                _store(lists[parsed.list_code], parsed, actor, now, result)
        except RowError as exc:
            result.reject(line, exc.field, exc.message)
        except RectificationError as exc:
            result.reject(line, "no", str(exc))


def _list_for(row: ProblemRow, title: str, actor: Actor) -> RectificationList:
    rlist = RectificationList.objects.select_for_update().filter(code=row.list_code).first()
    if rlist is None:
        rlist = RectificationList.objects.create(
            code=row.list_code, name=row.list_name or title or row.list_code, source=row.source,
            feedback_date=row.feedback_date, approver_role=APPROVER_BY_SOURCE[Source(row.source)],
        )  # fmt: skip
        record(actor, "rectification_list.create", rlist, summary=f"建立整改清单 {rlist.code}《{rlist.name}》",
               after={"code": rlist.code, "name": rlist.name, "source": rlist.source})  # fmt: skip
        return rlist
    changes = {
        k: v
        for k, v in (("name", row.list_name), ("feedback_date", row.feedback_date))
        if v and getattr(rlist, k) != v
    }
    if changes:
        before = {k: str(getattr(rlist, k)) for k in changes}
        for k, v in changes.items():
            setattr(rlist, k, v)
        rlist.save()
        record(actor, "rectification_list.update", rlist, summary=f"更新整改清单 {rlist.code}", before=before,
               after={k: str(v) for k, v in changes.items()})  # fmt: skip
    return rlist


def _store(rlist: RectificationList, row: ProblemRow, actor: Actor, now, result: ImportResult) -> None:
    existing = Problem.objects.filter(rlist=rlist, no=row.no).first()
    if existing is None:
        # The problem stands from the day its finding was handed over (so that `list --at` a moment
        # between then and the import sees it), never later than now.
        opened = min(now, start_of_day(row.feedback_date)) if row.feedback_date else now
        open_problem(rlist, no=row.no, description=row.problem, unit=row.unit, deadline=row.deadline,
                     aspect=row.aspect, leader=row.leader, measures=row.measures, digest=row.digest(),
                     actor=actor, at=opened)  # fmt: skip
        result.imported += 1
        return
    if existing.digest == row.digest():
        result.duplicates += 1
        return
    changes = {k: v for k, v in row.content().items() if getattr(existing, k) != v}
    if not changes:
        result.duplicates += 1
        return
    update_problem(existing, changes, actor=actor, at=now, digest=row.digest())
    result.imported += 1
