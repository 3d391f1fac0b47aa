"""The fields of a record read from a table and the checks every row goes through.

A check either returns the parsed value or raises `RowError(field, message)`; the importers turn
that into the `{"line", "field", "message"}` error of the contract. Messages are Chinese and never
repeat a personal value (evaluator, contact). `digest` and `utc_text` give a row's content the one
normalised form that idempotent imports compare.

Every value a reader gives passes `value_problem` first (govwatch.core.tables calls it for each
record of every format and of API batches): a NUL, a control character, a value longer than any
field may be is a row error of its own, before a query or a database sees the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import blake2b

from django.db import models

from .choices import allowed, parse_choice
from .parsing import parse_bool, parse_int, parse_timestamp

# The longest value any field holds (the CSV reader's own former limit, now a row error, not the end
# of the file). A field may set a shorter `max_length`.
MAX_TEXT = 131_072
# Fields of at most this many characters are single lines (codes, names, numbers) unless they say
# otherwise; longer ones and those without a length are free text, which may hold line breaks.
SHORT = 300
# The largest whole number a field takes: what every database's integer column holds.
MAX_INT = 2**31 - 1

# Control characters (C0, DEL, C1) and the invisible ones that reorder or break a line of text
# (bidirectional overrides and isolates, line and paragraph separators): never in a name or a code.
_ONE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Free text keeps its tabs and line breaks; the other control characters are refused all the same.
_FREE_TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Field:
    name: str
    alias: str
    required: bool = False
    max_length: int | None = None
    # None: a single line when max_length is at most SHORT (codes, names), else free text.
    multiline: bool | None = None

    @property
    def label(self) -> str:
        return f"{self.name}({self.alias})"

    @property
    def one_line(self) -> bool:
        if self.multiline is not None:
            return not self.multiline
        return self.max_length is not None and self.max_length <= SHORT


def _echo(value: str, limit: int = 40) -> str:
    """A value repeated in a message, cut short: a message is read, not a copy of the file."""
    return value if len(value) <= limit else value[:limit] + "…"


def _shown(char: str) -> str:
    return "NUL" if char == "\0" else f"U+{ord(char):04X}"


def control_character(text: str, *, one_line: bool = True) -> str | None:
    """The first character `text` may not hold ("NUL", "U+000A"), or None: in a single line (a code,
    a name) no control or line-breaking character at all, in free text none but tabs and breaks."""
    bad = (_ONE_LINE_BAD if one_line else _FREE_TEXT_BAD).search(text)
    return _shown(bad.group()) if bad else None


def value_problem(field: Field, value: str) -> RowError | None:
    """What makes `value` unusable for `field` whatever the field means, or None.

    Checked on the value as read, before it is stripped, trimmed or looked up: a NUL would end a
    PostgreSQL query in an error, a control character in a name breaks every page and export that
    shows it, a value past MAX_TEXT is no value any field holds.
    """
    if len(value) > MAX_TEXT:
        return RowError(field.name, f"{field.label} 过长（{len(value)} 个字符，最多 {MAX_TEXT} 个）")
    shown = control_character(value.strip() if field.one_line else value, one_line=field.one_line)
    if shown:
        what = "换行或控制字符" if field.one_line else "控制字符"
        return RowError(field.name, f"{field.label} 含有不允许的{what}（{shown}），请删除后重新导入")
    return None


class RowError(Exception):
    """One rejected row: the field at fault and the user's message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class Row:
    """A record's raw text values, with the checks of the contract."""

    __slots__ = ("values", "spec")

    def __init__(self, values: Mapping[str, str], spec: Mapping[str, Field]):
        self.values = values
        self.spec = spec

    def text(self, name: str) -> str:
        value = (self.values.get(name) or "").strip()
        field = self.spec[name]
        if not value and field.required:
            raise RowError(name, f"缺少必填字段 {field.label}")
        if field.max_length and len(value) > field.max_length:
            raise RowError(name, f"{field.label} 过长（最多 {field.max_length} 个字符）")
        return value

    def choice(self, name: str, cls: type[models.TextChoices], default: str = "") -> str:
        value = self.text(name)
        if not value:
            return default
        code = parse_choice(cls, value)
        if code is None:
            raise RowError(name, f"{self.spec[name].label} 的值“{_echo(value)}”无效，应为 {allowed(cls)}")
        return code

    def timestamp(self, name: str) -> datetime | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return parse_timestamp(value)
        except ValueError:
            raise RowError(
                name,
                f"{self.spec[name].label} 的值“{_echo(value)}”不是有效的时间（ISO 8601，如 2026-03-02T09:30:00）",
            ) from None

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.text(name)
        if not value:
            return default
        try:
            return parse_bool(value)
        except ValueError:
            raise RowError(
                name,
                f"{self.spec[name].label} 的值“{_echo(value)}”无效，应为 1/0、true/false、yes/no 或 是/否",
            ) from None

    def integer(self, name: str, minimum: int | None = None, maximum: int = MAX_INT) -> int | None:
        value = self.text(name)
        if not value:
            return None
        label = self.spec[name].label
        if len(value) > 20:  # past any integer a field holds (and Python's own limit on digits)
            raise RowError(name, f"{label} 的值不是有效的整数（{len(value)} 个字符）")
        try:
            number = parse_int(value)
        except ValueError:
            raise RowError(name, f"{label} 的值“{value}”不是整数") from None
        if minimum is not None and number < minimum:
            raise RowError(name, f"{label} 不能小于 {minimum}")
        if number > maximum:
            raise RowError(name, f"{label} 不能大于 {maximum}")
        return number


def utc_text(moment: datetime) -> str:
    """The canonical text of a moment: UTC, ISO 8601 with a Z (event keys and digests)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def digest(*values: object) -> str:
    """A short hash of a row's normalised content, stored to compare re-sent rows cheaply."""
    return digest_texts(["" if v is None else str(v) for v in values])


def digest_texts(texts: Iterable[str]) -> str:
    """`digest` of values that are text already."""
    return blake2b("\x1f".join(texts).encode(), digest_size=16).hexdigest()


def digest_texts_many(rows: Iterable[Iterable[str]]) -> list[str]:
    """`digest_texts` of each row (the case import's hot path: the rows joined a column at a time)."""
    return [blake2b(text.encode(), digest_size=16).hexdigest() for text in map("\x1f".join, rows)]
