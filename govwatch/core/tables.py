"""Reading import files as a stream of records: CSV, XLSX (first sheet) and JSON Lines.

`open_table` checks what makes a file unusable before any row is read (missing, empty, unsupported,
undecodable, a header without a required column or with merged cells) and raises `FileProblem`;
then it yields `(line, values)` one record at a time, never holding the file in memory. Line
numbers are those a user sees: the header is line 1 in CSV and XLSX, the first record is line 1 in
JSON Lines. `values` maps the contract's English field names to text, or is a `RowError` for a
record that cannot be read at all (a JSON Lines line that is not an object, a CSV row whose quote
never closes) or holds a value no field takes (`rowfields.value_problem`: a NUL, a control
character, more than MAX_TEXT characters, a JSON object where text belongs).

A bad record costs that record only: the CSV reader is strict about quotes and starts again on the
line after a broken one, so an unterminated quote no longer swallows the rows after it; a title
row above the header (a merged cell) is skipped with a warning.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import count, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from .rowfields import MAX_TEXT, Field, RowError, value_problem

SUPPORTED = (".csv", ".xlsx", ".jsonl")
_CHUNK = 1 << 20
# Non-blank rows above the header that may be titles (a merged title cell, a date line).
_TITLE_ROWS = 10
# Any character that may make a value unusable: a record without one (nearly all) is checked at once.
_SUSPECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")

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
    _text_blocks: Callable[[Sequence[str], int], Iterator[list[TextRecord]]] | None = field(
        default=None, repr=False
    )

    _observers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def observe(self, each: Callable[[], None]) -> None:
        """Call `each()` before every record or block is read, whichever way it is read, and on
        every `tick()` of a long stage after the reading (a heartbeat)."""

        def watched(records: Iterator) -> Iterator:
            for record in records:
                each()
                yield record
                # The block (or record) is dropped before the next is read: one is held at a time.
                del record

        self._observers.append(each)
        self.rows = watched(self.rows)
        if self._texts is not None:
            texts = self._texts
            self._texts = lambda names: watched(texts(names))
        if self._text_blocks is not None:
            blocks = self._text_blocks
            self._text_blocks = lambda names, size: watched(blocks(names, size))

    def tick(self) -> None:
        """A sign of life from a stage that works on what was read (the observers of `observe`)."""
        for each in self._observers:
            each()

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

    def text_blocks(self, names: Sequence[str], size: int = 4096) -> Iterator[list[TextRecord]]:
        """`texts` a block of records at a time (about `size`): a reader that can (CSV) parses and
        checks a block at once. Use this, `texts` or `rows`, one of them."""
        if self._text_blocks is not None:
            return self._text_blocks(names, size)
        records = self.texts(names)
        return iter(lambda: list(islice(records, size)), [])


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
        warnings.append(f"已忽略未知列：{'、'.join(map(_printable, unknown))}")
    return _Header(columns, width)


def _header_row(rows: Iterator[Any], fields: tuple[Field, ...], warnings: list[str]) -> tuple[int, list[str]]:
    """The header and its line: the first non-blank row that names a field. Blank lines and title rows
    above it (a merged title cell, a date line) are tolerated, a title with a warning; with no such
    row among the first few, the first non-blank row is the header (and says what it lacks)."""
    names = {k.lower() for k in _names(fields)}
    first: tuple[int, list[str]] | None = None
    titles = 0
    for line, cells in enumerate(rows, start=1):
        if isinstance(cells, RowError):
            raise FileProblem(f"第 {line} 行（表头）无法读取：{cells.message}")
        if not any(c.strip() for c in cells):
            continue
        if first is None:
            first = (line, cells)
        if any(_clean_header(c) in names for c in cells):
            if titles:
                warnings.append(f"已跳过表头上方的 {titles} 行标题，表头在第 {line} 行")
            return line, cells
        titles += 1
        if titles >= _TITLE_ROWS:
            break
    if first is None:
        raise FileProblem("文件为空")
    return first


def checked(values: dict[str, str], spec: dict[str, Field]) -> dict[str, str] | RowError:
    """A record's values, or the row error of the first value no field takes (`value_problem`)."""
    joined = "".join(values.values())
    if len(joined) <= MAX_TEXT and not _SUSPECT.search(joined):
        return values
    for name, value in values.items():
        problem = value_problem(spec[name], value)
        if problem is not None:
            return problem
    return values


def checked_texts(
    names: Sequence[str], texts: tuple[str, ...], spec: dict[str, Field]
) -> tuple[str, ...] | RowError:
    """`checked` for a record read as a tuple of the texts of `names`."""
    joined = "".join(texts)
    if len(joined) <= MAX_TEXT and not _SUSPECT.search(joined):
        return texts
    problem = checked(dict(zip(names, texts, strict=True)), spec)
    return problem if isinstance(problem, RowError) else texts


def _printable(text: str) -> str:
    """A name from a file, fit to be repeated in a warning (and stored as JSON by any database)."""
    clean = _SUSPECT.sub("\ufffd", text)
    return clean if len(clean) <= 40 else clean[:40] + "…"


def _records(
    header: _Header, rows: Iterator[Any], first_line: int, warnings: list[str], fields: tuple[Field, ...]
) -> Iterator[Record]:
    names = [name for _, name in header.columns]
    for line, texts in _text_records(header, rows, first_line, warnings, names, fields):
        yield line, texts if isinstance(texts, RowError) else dict(zip(names, texts, strict=True))


class _TextReader:
    """Records of the columns `names` from rows of cells under a header, one row or a block at once."""

    def __init__(self, header: _Header, names: Sequence[str], fields: tuple[Field, ...], warnings: list[str]):
        self.names = names
        self.spec = {f.name: f for f in fields}
        index = {name: i for i, name in header.columns}
        self.width = width = header.width
        self.positions = [index.get(n) for n in names]
        self.absent = any(p is None for p in self.positions)
        # A column the file does not have is read from the cell just past the header, blanked.
        positions = [width if p is None else p for p in self.positions]
        self.pick = itemgetter(*positions) if len(positions) > 1 else (lambda cells: (cells[positions[0]],))
        self.need = width + 1 if self.absent else width
        self.warnings = warnings
        self.warned_extra = False

    def record(self, line: int, cells: list[str] | RowError) -> TextRecord | None:
        """The record of one row; None for a blank row (layout, not a record)."""
        if isinstance(cells, RowError):
            return line, cells
        if not any(cells):
            return None
        n = len(cells)
        width = self.width
        if n < self.need:
            cells += [""] * (self.need - n)
        elif n > width:
            if not self.warned_extra and any(cells[width:]):
                self.warnings.append(f"第 {line} 行起有超出表头的单元格，其内容已忽略")
                self.warned_extra = True
            if self.absent:
                cells[width] = ""
        return line, checked_texts(self.names, self.pick(cells), self.spec)

    def records(self, first_line: int, rows: Iterable[list[str] | RowError]) -> list[TextRecord]:
        """`record` of each row, the line counting records (a blank row takes its line too)."""
        return [r for r in map(self.record, count(first_line), rows) if r is not None]

    def block(self, first_line: int, rows: list[list[str]]) -> list[TextRecord] | None:
        """The records of rows that each fill the header exactly, none blank and every value clean
        (`checked_texts` would pass each): a column at a time. None when any row is not so."""
        if (
            not rows
            or RowError in map(type, rows)
            or set(map(len, rows)) != {self.width}
            or not all(map(any, rows))
        ):
            return None
        columns = [*zip(*rows, strict=True)]
        blank = ("",) * len(rows)
        texts = [*zip(*(blank if p is None else columns[p] for p in self.positions), strict=True)]
        joined = [*map("".join, texts)]
        if max(map(len, joined)) > MAX_TEXT or _SUSPECT.search("".join(joined)):
            return None
        return [*zip(count(first_line), texts)]


def _text_records(
    header: _Header,
    rows: Iterator[Any],
    first_line: int,
    warnings: list[str],
    names: Sequence[str],
    fields: tuple[Field, ...],
) -> Iterator[TextRecord]:
    reader = _TextReader(header, names, fields, warnings)
    for line, cells in enumerate(rows, start=first_line):
        record = reader.record(line, cells)
        if record is not None:
            yield record


def _csv_text_blocks(
    header: _Header,
    rows: _CsvRows,
    first_line: int,
    warnings: list[str],
    names: Sequence[str],
    fields: tuple[Field, ...],
    size: int,
) -> Iterator[list[TextRecord]]:
    reader = _TextReader(header, names, fields, warnings)
    line = first_line
    while batch := rows.batch(size):
        records = reader.block(line, batch)  # type: ignore[arg-type]
        if records is None:
            records = reader.records(line, batch)
        line += len(batch)
        # Neither the cells nor the records of a block may outlive it: held while the next block
        # is read, they would double what the reader holds (two blocks, not one).
        del batch
        if records:
            yield records
        del records


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


class _Lines:
    """A text file's lines for the CSV reader, with the lines of a broken record given back to be
    read again. A class, not a generator: it goes on after the end of the file when lines return."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.returned: list[str] = []
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        text = self.returned.pop() if self.returned else self.fh.readline()
        if not text:
            raise StopIteration
        self.taken.append(text)
        return text

    def read_again(self) -> None:
        """The lines of the last record after its first go back: a broken record costs one line."""
        self.returned.extend(reversed(self.taken[1:]))


_CSV_MESSAGES = {
    "unexpected end of data": "该行的引号直到文件末尾都没有闭合：该行未导入，其后的行已照常读取，请检查该行的引号",
    "expected after": "引号括起的内容之后应是逗号或行尾：该行未导入，请检查该行的引号",
}
SWALLOWED = "该行的引号没有闭合，其后的行被读进了 {label}：该行未导入，其后的行已照常读取，请检查该行的引号"


class _CsvRows:
    """The rows of a CSV file as lists of cells, or a `RowError` for a row that cannot be read.

    Quotes are read strictly. A quoted cell may run over several lines (free text with line breaks);
    one that holds what reads as a whole row of the file is an unterminated quote: the row is refused
    and the lines it swallowed are read again as the rows they are.
    """

    def __init__(self, fh: Any) -> None:
        self.lines = _Lines(fh)
        self.reader = csv.reader(self.lines, strict=True)
        self.columns: dict[int, Field] = {}  # once the header is known
        self.width = 0

    def know(self, header: _Header, fields: tuple[Field, ...]) -> None:
        spec = {f.name: f for f in fields}
        self.columns = {i: spec[name] for i, name in header.columns}
        self.width = header.width

    def __iter__(self) -> _CsvRows:
        return self

    def __next__(self) -> list[str] | RowError:
        self.lines.taken = []
        try:
            cells = next(self.reader)
        except csv.Error as exc:
            if not self.lines.taken:
                raise StopIteration from None
            self.lines.read_again()
            text = str(exc)
            message = next((m for k, m in _CSV_MESSAGES.items() if k in text), "CSV 格式错误，该行无法读取")
            return RowError("", message)
        if len(self.lines.taken) > 1:
            field = self._swallowing(cells)
            if field is not None:
                self.lines.read_again()
                return RowError(field.name, SWALLOWED.format(label=field.label))
        return cells

    def batch(self, size: int) -> list[list[str] | RowError]:
        """About the next `size` rows (none at the end). The lines are read a batch at a time and
        parsed by one csv reader when each holds exactly one record, as nearly always; otherwise
        they go back to be read row by row (`__next__`), up to the end of the last of them."""
        if not self.lines.returned:
            lines = self.lines.fh.readlines(size * 128)
            if not lines:
                return []
            try:
                rows = [*csv.reader(lines, strict=True)]
            except csv.Error:
                rows = []
            if len(rows) == len(lines):
                return rows  # type: ignore[return-value]
            self.lines.returned.extend(reversed(lines))
        batch: list[list[str] | RowError] = []
        for row in self:
            batch.append(row)
            if not self.lines.returned:
                break
        return batch

    def _swallowing(self, cells: list[str]) -> Field | None:
        """The field of a cell that holds rows of the file after its own (a line of it reads as a whole
        row): an unterminated quote. A line break in a one-line field that swallowed nothing is left to
        the field's own check (`value_problem`)."""
        if self.width < 2:
            return None
        for i, cell in enumerate(cells):
            field = self.columns.get(i)
            if field is None or ("\n" not in cell and "\r" not in cell):
                continue
            if any(part.count(",") >= self.width - 1 for part in cell.splitlines()[1:]):
                return field
        return None


def _csv_table(path: Path, fields: tuple[Field, ...]) -> Table:
    # A field may be as long as the file: a long one is a row error (MAX_TEXT), not the file's end.
    size = path.stat().st_size
    if csv.field_size_limit() <= size:
        csv.field_size_limit(min(size + 1, 2**31 - 1))
    fh = path.open(encoding=detect_encoding(path), newline="")
    rows = _CsvRows(fh)
    try:
        table = Table(iter(()))
        line, header = _header_row(rows, fields, table.warnings)
        parsed = _parse_header(header, fields, table.warnings)
    except BaseException:
        fh.close()
        raise
    rows.know(parsed, fields)
    table.rows = _closing(fh, _records(parsed, rows, line + 1, table.warnings, fields))
    table._texts = lambda names: _closing(
        fh, _text_records(parsed, rows, line + 1, table.warnings, names, fields)
    )
    table._text_blocks = lambda names, size: _closing(
        fh, _csv_text_blocks(parsed, rows, line + 1, table.warnings, names, fields, size)
    )
    return table


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
        table = Table(iter(()))
        line, header = _header_row(rows, fields, table.warnings)
        parsed = _parse_header(header, fields, table.warnings)
    except BaseException:
        book.close()
        raise
    table.rows = _closing(book, _records(parsed, rows, line + 1, table.warnings, fields))
    return table


# -- JSON Lines -------------------------------------------------------------------------------


class JsonProblem(ValueError):
    """Text that is no JSON document GovWatch reads, with the reason in the user's words."""


def _int_or_text(digits: str) -> int | str:
    # Python refuses to make an int of more than 4,300 digits (and to print one): such a number is
    # no value any field holds, so it stays text and fails the field's own check.
    return int(digits) if len(digits) <= 20 else digits


def parse_json(text: str | bytes) -> Any:
    """A JSON document (a push body, a JSON Lines line); JsonProblem says in Chinese why not.

    Numbers too long for any field stay text; nesting too deep to read (a document crafted to
    exhaust the parser) is refused rather than crashing the request.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        return json.loads(text, parse_int=_int_or_text)
    except RecursionError:
        raise JsonProblem("JSON 嵌套层数过多") from None
    except UnicodeDecodeError:
        raise JsonProblem("不是 UTF-8 编码的文本") from None
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    except ValueError:
        raise JsonProblem("JSON 格式错误") from None


def _json_text(value: Any) -> str | None:
    """A JSON value as the text a field reads; None for an object or an array, which no field takes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return None
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
    reader = _ObjectReader(fields, warnings)
    with path.open(encoding=encoding) as fh:
        for line, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                obj = parse_json(text)
            except JsonProblem as exc:
                yield line, RowError("", f"该行不是有效的 JSON：{exc}")
                continue
            if not isinstance(obj, dict):
                yield line, RowError("", "该行应为一个 JSON 对象")
                continue
            yield line, reader.values(obj)


class _ObjectReader:
    """JSON objects' values by field name, as text; unknown keys are reported once each."""

    def __init__(self, fields: tuple[Field, ...], warnings: list[str]) -> None:
        self.names = _names(fields)
        self.spec = {f.name: f for f in fields}
        self.unknown: set[str] = set()
        self.warnings = warnings

    def values(self, obj: dict[str, Any]) -> dict[str, str] | RowError:
        values: dict[str, str] = {}
        for key, value in obj.items():
            name = self.names.get(_clean_header(key)) or self.names.get(key.strip())
            if name is None:
                if key not in self.unknown and len(self.unknown) < 100:
                    self.unknown.add(key)
                    self.warnings.append(f"已忽略未知字段：{_printable(key)}")
                continue
            text = _json_text(value)
            if text is None:
                label = self.spec[name].label
                return RowError(name, f"{label} 应为文本、数字或布尔值，不能是 JSON 对象或数组")
            values[name] = text
        return checked(values, self.spec)


# -- objects already parsed (API batches) -----------------------------------------------------


def object_table(objects: Iterable[Any], fields: Iterable[Field]) -> Table:
    """Records pushed as a JSON array: the n-th object is line n, read like a JSON Lines line."""
    table = Table(iter(()))
    table.rows = _object_records(objects, tuple(fields), table.warnings)
    return table


def _object_records(
    objects: Iterable[Any], fields: tuple[Field, ...], warnings: list[str]
) -> Iterator[Record]:
    reader = _ObjectReader(fields, warnings)
    for line, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            yield line, RowError("", "该记录应为一个 JSON 对象")
            continue
        yield line, reader.values(obj)
