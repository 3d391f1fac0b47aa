"""Reading import files as a stream of records: CSV, XLSX (first sheet) and JSON Lines.

`open_table` checks what makes a file unusable before any row is read (missing, empty, unsupported,
undecodable, a header without a required column or with merged cells) and raises `FileProblem`;
then it yields `(line, values)` one record at a time, never holding the file in memory. Line
numbers are those a user sees: the header is line 1 in CSV and XLSX, the first record is line 1 in
JSON Lines. `values` maps the contract's English field names to text, or is a `RowError` for a
record that cannot be read at all (a JSON Lines line that is not an object).
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter
from pathlib import Path
from typing import Any

from .rowfields import Field, RowError

SUPPORTED = (".csv", ".xlsx", ".jsonl")
_CHUNK = 1 << 20

Record = tuple[int, "dict[str, str] | RowError"]
TextRecord = tuple[int, "tuple[str, ...] | RowError"]


class FileProblem(Exception):
    """The file cannot be imported at all (exit status 2)."""


@dataclass
class Table:
    rows: Iterator[Record]
    # Filled while reading too (unknown JSON Lines keys appear record by record).
    warnings: list[str] = field(default_factory=list)
    # Set by a reader that gives the records as tuples without building a dict each (CSV).
    _texts: Callable[[Sequence[str]], Iterator[TextRecord]] | None = field(default=None, repr=False)

    def texts(self, names: Sequence[str]) -> Iterator[TextRecord]:
        """The records as `(line, texts)`, the texts in the order of `names` ("" for a column the file
        lacks), or `(line, RowError)`: for a reader of columns rather than dicts. Use either this or
        `rows`, not both."""
        if self._texts is not None:
            return self._texts(names)
        return (
            (line, v if isinstance(v, RowError) else tuple([v.get(n) or "" for n in names]))
            for line, v in self.rows
        )


def open_table(path: str | Path, fields: Iterable[Field]) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise FileProblem(f"不支持的文件类型“{path.suffix or path.name}”：请使用 .csv、.xlsx 或 .jsonl 文件")
    if not path.is_file():
        raise FileProblem(f"文件不存在：{path}")
    try:
        if path.stat().st_size == 0:
            raise FileProblem("文件为空")
        fields = tuple(fields)
        if suffix == ".csv":
            return _csv_table(path, fields)
        if suffix == ".xlsx":
            return _xlsx_table(path, fields)
        return _jsonl_table(path, fields)
    except OSError as exc:
        raise FileProblem(f"无法读取文件 {path}：{exc.strerror or exc}") from exc


# -- header ---------------------------------------------------------------------------------------


def _names(fields: tuple[Field, ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for f in fields:
        names[f.name] = f.name
        names[f.alias] = f.name
    return names


def _clean_header(text: str) -> str:
    # A leading BOM, surrounding spaces and a "*" marking a required column are not part of the name.
    return text.replace("\ufeff", "").strip().rstrip("*＊").strip().lower()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Header:
    columns: list[tuple[int, str]]  # (cell index, field name)
    width: int  # cells covered by the header; values beyond have no column name


def _parse_header(cells: list[str], fields: tuple[Field, ...], warnings: list[str]) -> _Header:
    names = {k.lower(): v for k, v in _names(fields).items()}
    texts = [_clean_header(c) for c in cells]
    width = max((i + 1 for i, t in enumerate(texts) if t), default=0)
    for i, t in enumerate(texts[:width]):
        if not t:
            # openpyxl's streaming mode gives merged cells as empty ones; a blank name is unusable.
            raise FileProblem(
                f"表头第 {i + 1} 列（{_column_letter(i)} 列）为空：表头可能含合并单元格或分两行，"
                "请改为一行表头、每列一个字段名"
            )
    columns: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    unknown: list[str] = []
    for i, t in enumerate(texts[:width]):
        name = names.get(t)
        if name is None:
            unknown.append(cells[i].strip())
            continue
        if name in seen:
            raise FileProblem(f"表头第 {seen[name] + 1} 列与第 {i + 1} 列是同一字段 {name}，请删去一列")
        seen[name] = i
        columns.append((i, name))
    missing = [f.label for f in fields if f.required and f.name not in seen]
    if missing:
        raise FileProblem(f"表头缺少必填列：{'、'.join(missing)}")
    if unknown:
        warnings.append(f"已忽略未知列：{'、'.join(unknown)}")
    return _Header(columns, width)


def _header_row(rows: Iterator[list[str]]) -> tuple[int, list[str]]:
    """The first non-blank row and its line; blank lines above a header are tolerated."""
    for line, cells in enumerate(rows, start=1):
        if any(c.strip() for c in cells):
            return line, cells
    raise FileProblem("文件为空")


def _records(
    header: _Header, rows: Iterator[list[str]], first_line: int, warnings: list[str]
) -> Iterator[Record]:
    names = [name for _, name in header.columns]
    for line, texts in _text_records(header, rows, first_line, warnings, names):
        yield line, dict(zip(names, texts, strict=True))


def _text_records(
    header: _Header, rows: Iterator[list[str]], first_line: int, warnings: list[str], names: Sequence[str]
) -> Iterator[tuple[int, tuple[str, ...]]]:
    index = {name: i for i, name in header.columns}
    width = header.width
    absent = any(n not in index for n in names)
    # A column the file does not have is read from the cell just past the header, blanked.
    positions = [index.get(n, width) for n in names]
    pick = itemgetter(*positions) if len(positions) > 1 else (lambda cells: (cells[positions[0]],))
    need = width + 1 if absent else width
    warned_extra = False
    for line, cells in enumerate(rows, start=first_line):
        if not any(cells):
            continue  # blank rows are layout, not records
        n = len(cells)
        if n < need:
            cells += [""] * (need - n)
        elif n > width:
            if not warned_extra and any(cells[width:]):
                warnings.append(f"第 {line} 行起有超出表头的单元格，其内容已忽略")
                warned_extra = True
            if absent:
                cells[width] = ""
        yield line, pick(cells)


# -- CSV --------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) unless the file is not valid UTF-8, then GB18030; checked chunk by chunk."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileProblem("无法识别文件编码：CSV 文件应为 UTF-8 或 GB18030 编码")


def _csv_table(path: Path, fields: tuple[Field, ...]) -> Table:
    fh = path.open(encoding=detect_encoding(path), newline="")
    reader = csv.reader(fh)
    try:
        line, header = _header_row(reader)
        table = Table(iter(()))
        parsed = _parse_header(header, fields, table.warnings)
    except csv.Error as exc:
        fh.close()
        raise FileProblem(f"CSV 格式错误：{exc}") from exc
    except BaseException:
        fh.close()
        raise
    table.rows = _closing(fh, _csv_errors(reader, _records(parsed, reader, line + 1, table.warnings)))
    table._texts = lambda names: _closing(
        fh, _csv_errors(reader, _text_records(parsed, reader, line + 1, table.warnings, names))
    )
    return table


def _csv_errors(reader: Any, records: Iterator[Any]) -> Iterator[Any]:
    try:
        yield from records
    except csv.Error as exc:
        raise FileProblem(f"CSV 格式错误（第 {reader.line_num} 行附近）：{exc}") from exc


def _closing(source: Any, rows: Iterator[Record]) -> Iterator[Record]:
    """The rows, then the file (or workbook) closed, however the reading ends."""
    try:
        yield from rows
    finally:
        source.close()


# -- XLSX -------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_table(path: Path, fields: tuple[Field, ...]) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FileProblem(f"无法读取 XLSX 文件（文件损坏或不是 Excel 2007+ 格式）：{exc}") from exc
    try:
        if not book.worksheets:
            raise FileProblem("文件为空")
        rows = (list(map(_cell_text, r)) for r in book.worksheets[0].iter_rows(values_only=True))
        line, header = _header_row(rows)
        table = Table(iter(()))
        parsed = _parse_header(header, fields, table.warnings)
    except BaseException:
        book.close()
        raise
    table.rows = _closing(book, _records(parsed, rows, line + 1, table.warnings))
    return table


# -- JSON Lines -------------------------------------------------------------------------------


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _jsonl_table(path: Path, fields: tuple[Field, ...]) -> Table:
    encoding = detect_encoding(path)
    fh = path.open(encoding=encoding)
    first = fh.readline()
    while first and not first.strip():
        first = fh.readline()
    fh.close()
    if not first:
        raise FileProblem("文件为空")
    table = Table(iter(()))
    table.rows = _jsonl_records(path, encoding, fields, table.warnings)
    return table


def _jsonl_records(
    path: Path, encoding: str, fields: tuple[Field, ...], warnings: list[str]
) -> Iterator[Record]:
    names = _names(fields)
    unknown: set[str] = set()
    with path.open(encoding=encoding) as fh:
        for line, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError:
                yield line, RowError("", "该行不是有效的 JSON")
                continue
            if not isinstance(obj, dict):
                yield line, RowError("", "该行应为一个 JSON 对象")
                continue
            yield line, _object_values(obj, names, unknown, warnings)


def _object_values(
    obj: dict[str, Any], names: dict[str, str], unknown: set[str], warnings: list[str]
) -> dict[str, str]:
    """A JSON object's values by field name, as text; unknown keys are reported once each."""
    values: dict[str, str] = {}
    for key, value in obj.items():
        name = names.get(_clean_header(key)) or names.get(key.strip())
        if name is None:
            if key not in unknown:
                unknown.add(key)
                warnings.append(f"已忽略未知字段：{key}")
            continue
        values[name] = _json_text(value)
    return values


# -- objects already parsed (API batches) -----------------------------------------------------


def object_table(objects: Iterable[Any], fields: Iterable[Field]) -> Table:
    """Records pushed as a JSON array: the n-th object is line n, read like a JSON Lines line."""
    table = Table(iter(()))
    table.rows = _object_records(objects, tuple(fields), table.warnings)
    return table


def _object_records(
    objects: Iterable[Any], fields: tuple[Field, ...], warnings: list[str]
) -> Iterator[Record]:
    names = _names(fields)
    unknown: set[str] = set()
    for line, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            yield line, RowError("", "该记录应为一个 JSON 对象")
            continue
        yield line, _object_values(obj, names, unknown, warnings)
