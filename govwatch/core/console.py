"""What every subcommand of the `govwatch` console command shares (contract section 5).

Every reporting command takes `--format json` and prints exactly one JSON document on standard
output (`emit`); logs and progress go to standard error. Exit status: 0 all good, 1 done with
rejected rows, 2 unusable arguments, file or configuration (`UsageError`).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .parsing import parse_timestamp

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """Unusable arguments, file or configuration: exit status 2 with this message."""


def configuration_problem(exc: BaseException) -> str | None:
    """What makes `exc` a configuration that cannot be used (exit status 2, contract section 5), said
    plainly, or None for any other failure: a database GovWatch cannot reach or that `govwatch
    init` has not created, a setting Django refuses. A traceback with status 1 would read as "done,
    some rows rejected" to the programs that run GovWatch."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import InterfaceError, OperationalError, ProgrammingError, connection

    if isinstance(exc, ImproperlyConfigured):
        return f"配置错误：{exc}"
    if not isinstance(exc, OperationalError | ProgrammingError | InterfaceError):
        return None  # integrity and data errors are the command's own failures
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else type(exc).__name__
    if connection.connection is None:  # never connected: the address, the server or the file
        return f"无法连接数据库（请检查 DATABASE_URL 或数据目录）：{first_line}"
    if "no such table" in first_line or ("relation" in first_line and "does not exist" in first_line):
        return f"数据库尚未初始化或需要升级，请先运行 govwatch init：{first_line}"
    return None


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its status, say it plainly
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"govwatch: 参数错误: {message}\n")


def output_path(text: str | None) -> Path | None:
    """An `--out` argument: None when absent; a path whose folder must exist (else exit 2)."""
    out = Path(text) if text else None
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"输出目录不存在: {out.parent}")
    return out


def write_output(path: Path, data: bytes) -> None:
    """Write a command's file; a write that fails is exit 2 with the reason. Said on stderr."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"无法写入文件 {path}: {exc.strerror}") from exc
    sys.stderr.write(f"已写入 {path}\n")


def emit(doc: Any, fmt: str = "json") -> None:
    """Print one JSON document (or a short text form) on standard output."""
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=_json_default) + "\n")
    else:
        if isinstance(doc, dict):
            for key, value in doc.items():
                sys.stdout.write(f"{key}: {value}\n")
        else:
            sys.stdout.write(f"{doc}\n")
    sys.stdout.flush()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def parse_date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"日期格式错误: {text!r}，应为 YYYY-MM-DD") from exc


def parse_moment_arg(text: str) -> datetime:
    """An ISO 8601 timestamp; without an offset it is local time."""
    try:
        return parse_timestamp(text)
    except ValueError as exc:
        raise UsageError(f"时间格式错误: {text!r}，应为 ISO 8601") from exc
