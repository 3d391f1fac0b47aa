"""The fields of a record read from a table and the checks every row goes through.

A check either returns the parsed value or raises `RowError(field, message)`; the importers turn
that into the `{"line", "field", "message"}` error of the contract. Messages are Chinese and never
repeat a personal value (evaluator, contact). `digest` and `utc_text` give a row's content the one
normalised form that idempotent imports compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import blake2b

from django.db import models

from .choices import allowed, parse_choice
from .parsing import parse_bool, parse_int, parse_timestamp


@dataclass(frozen=True)
class Field:
    name: str
    alias: str
    required: bool = False
    max_length: int | None = None

    @property
    def label(self) -> str:
        return f"{self.name}({self.alias})"


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
            raise RowError(name, f"{self.spec[name].label} 的值“{value}”无效，应为 {allowed(cls)}")
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
                f"{self.spec[name].label} 的值“{value}”不是有效的时间（ISO 8601，如 2026-03-02T09:30:00）",
            ) from None

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.text(name)
        if not value:
            return default
        try:
            return parse_bool(value)
        except ValueError:
            raise RowError(
                name, f"{self.spec[name].label} 的值“{value}”无效，应为 1/0、true/false、yes/no 或 是/否"
            ) from None

    def integer(self, name: str, minimum: int | None = None) -> int | None:
        value = self.text(name)
        if not value:
            return None
        try:
            number = parse_int(value)
        except ValueError:
            raise RowError(name, f"{self.spec[name].label} 的值“{value}”不是整数") from None
        if minimum is not None and number < minimum:
            raise RowError(name, f"{self.spec[name].label} 不能小于 {minimum}")
        return number


def utc_text(moment: datetime) -> str:
    """The canonical text of a moment: UTC, ISO 8601 with a Z (event keys and digests)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def digest(*values: object) -> str:
    """A short hash of a row's normalised content, stored to compare re-sent rows cheaply."""
    return digest_texts(["" if v is None else str(v) for v in values])


def digest_texts(texts: Iterable[str]) -> str:
    """`digest` of values that are text already (the case import's hot path)."""
    return blake2b("\x1f".join(texts).encode(), digest_size=16).hexdigest()
