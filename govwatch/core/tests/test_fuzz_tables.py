"""Hypothesis against the file readers (CSV in UTF-8 and GB18030, XLSX, JSON Lines): whatever a file
holds, reading it never crashes (a file that cannot be read at all is a FileProblem in Chinese), every
record comes back once with its line, and a record with a value no field takes is a row error on that
line while the records around it are read as written. Bounded by FUZZ_EXAMPLES per property."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govwatch.core.rowfields import Field, RowError, value_problem
from govwatch.core.tables import FileProblem, open_table

FUZZ_EXAMPLES = int(os.environ.get("GOVWATCH_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELDS = (
    Field("code", "编码", True, 32),
    Field("name", "名称", True, 100),
    Field("note", "备注", False, 2000),
)
SPEC = {f.name: f for f in FIELDS}
CJK = re.compile(r"[\u4e00-\u9fff]")

# What a cell may hold: ordinary text, CSV's own syntax, Chinese, and what no field takes.
alphabet = st.sampled_from(list("abcXYZ019 -_.,;\"'\t\r\n\x00\x01\x1b\x7f\u0085\u2028\u202e中文名称测试（）"))
texts = st.text(alphabet, max_size=12)


def expected(row: dict[str, str]) -> RowError | None:
    for name, value in row.items():
        problem = value_problem(SPEC[name], value)
        if problem is not None:
            return problem
    return None


rows = st.lists(
    st.builds(
        # A code that is never blank, so that no row is a blank line the readers skip as layout.
        lambda i, name, note: {"code": f"R{i}", "name": name, "note": note},
        st.integers(0, 999),
        texts,
        texts,
    ),
    max_size=8,
)


def _read(path: Path) -> tuple[list, list[str]]:
    table = open_table(path, FIELDS)
    return list(table.rows), table.warnings


def _assert_read_as_written(records: list, written: list[dict[str, str]], first_line: int) -> None:
    assert [line for line, _ in records] == list(range(first_line, first_line + len(written)))
    for (line, values), row in zip(records, written, strict=True):
        problem = expected(row)
        if problem is None:
            assert values == row, line
        else:
            assert isinstance(values, RowError), (line, row)
            assert values.field == problem.field and CJK.search(values.message)


def _temp(suffix: str, data: bytes) -> Path:
    handle, name = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(handle, "wb") as fh:
        fh.write(data)
    return Path(name)


def _csv_bytes(written: list[dict[str, str]], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["code", "名称", "note"])
    for row in written:
        writer.writerow([row["code"], row["name"], row["note"]])
    return out.getvalue().encode(encoding)


def _reads_as_a_swallowed_row(value: str) -> bool:
    """A quoted cell with a line holding as many commas as a row: the reader takes it for an
    unterminated quote that swallowed the rows after it, refuses the row and reads those lines again
    (`tables._CsvRows`); a guess, so the round trip below leaves such values out."""
    return any(part.count(",") >= len(FIELDS) - 1 for part in value.splitlines()[1:])


@FUZZ
@given(written=rows, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_csv_records_come_back_as_written_or_as_the_error_of_their_line(written, encoding):
    assume(not any(_reads_as_a_swallowed_row(v) for row in written for v in row.values()))
    data = _csv_bytes(written, encoding)
    path = _temp(".csv", data)
    try:
        records, _ = _read(path)
    finally:
        path.unlink()
    try:
        data.decode("utf-8")
        misread = encoding == "gb18030" and not data.isascii()  # GB18030 bytes that are valid UTF-8 too
    except UnicodeDecodeError:
        misread = False
    if not misread:
        _assert_read_as_written(records, written, first_line=2)


@FUZZ
@given(
    lines=st.lists(st.text(st.sampled_from(list('ab,"\x00\r\n中 ')), max_size=10), max_size=8),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
)
def test_a_broken_csv_never_crashes_and_each_error_names_its_line(lines, encoding):
    data = ("code,name,note\n" + "\n".join(lines)).encode(encoding)
    path = _temp(".csv", data)
    try:
        records, _ = _read(path)
    except FileProblem as problem:
        assert CJK.search(str(problem))
        return
    finally:
        path.unlink()
    seen = [line for line, _ in records]
    assert seen == sorted(set(seen)) and all(line >= 2 for line in seen)
    for line, values in records:
        if isinstance(values, RowError):
            assert CJK.search(values.message), (line, values.message)


# openpyxl cannot store the control characters below U+0020 but tab and line breaks.
xlsx_texts = st.text(st.sampled_from(list("abc019 -_.,\t\n中文名称\u0085\u2028\x7f")), max_size=12)
xlsx_values = st.one_of(xlsx_texts, st.integers(-(10**12), 10**12), st.booleans(), st.none())


@FUZZ
@given(sheet=st.lists(st.tuples(st.integers(0, 999), xlsx_values, xlsx_values), max_size=8))
def test_xlsx_records_come_back_with_their_line(sheet):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["code", "名称", "note"])
    for i, name, note in sheet:
        ws.append([f"R{i}", name, note])
    buffer = io.BytesIO()
    book.save(buffer)
    path = _temp(".xlsx", buffer.getvalue())
    try:
        records, _ = _read(path)
    finally:
        path.unlink()

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    written = [{"code": f"R{i}", "name": text(name), "note": text(note)} for i, name, note in sheet]
    _assert_read_as_written(records, written, first_line=2)


@FUZZ
@given(data=st.binary(max_size=200))
def test_a_file_that_is_no_workbook_is_a_file_problem(data):
    path = _temp(".xlsx", b"PK\x03\x04" + data)
    try:
        _read(path)
    except FileProblem as problem:
        assert CJK.search(str(problem))
    finally:
        path.unlink()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
jsonl_lines = st.one_of(
    st.dictionaries(st.sampled_from(["code", "name", "note", "名称", "x"]), json_values, max_size=4).map(
        lambda d: json.dumps(d, ensure_ascii=False)
    ),
    json_values.map(json.dumps),
    st.text(st.sampled_from(list('{}[]":,ab1中 \x00')), max_size=12),  # no JSON, or half of it
    st.just(""),
)


@FUZZ
@given(lines=st.lists(jsonl_lines, min_size=1, max_size=8), encoding=st.sampled_from(["utf-8", "gb18030"]))
def test_json_lines_give_one_record_per_non_blank_line_with_its_number(lines, encoding):
    path = _temp(".jsonl", "\n".join(lines).encode(encoding))
    try:
        records, _ = _read(path)
    except FileProblem as problem:
        assert not any(line.strip() for line in lines) and CJK.search(str(problem))
        return
    finally:
        path.unlink()
    assert [line for line, _ in records] == [n for n, text in enumerate(lines, start=1) if text.strip()]
    for (line, values), text in zip(records, [t for t in lines if t.strip()], strict=True):
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            assert isinstance(values, RowError) and CJK.search(values.message), line
