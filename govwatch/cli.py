"""The `govwatch` console command (contract section 5).

Every reporting command takes `--format json` and prints exactly one JSON document on standard
output; logs and progress go to standard error. Exit status: 0 all good, 1 done with rejected rows,
2 unusable arguments, file or configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """Unusable arguments, file or configuration: exit status 2 with this message."""


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its status, say it plainly
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"govwatch: 参数错误: {message}\n")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govwatch.settings")
    import django

    django.setup()


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
    from govwatch.core.parsing import parse_timestamp

    try:
        return parse_timestamp(text)
    except ValueError as exc:
        raise UsageError(f"时间格式错误: {text!r}，应为 ISO 8601") from exc


# -- commands ------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from govwatch.workcal.services import load_shipped

    call_command("migrate", interactive=False, verbosity=0)
    years = load_shipped()
    emit({"migrated": True, "calendar_years_loaded": sorted(years)}, args.format)
    return EXIT_OK


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["govwatch manage", *args.rest])
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def build_parser() -> argparse.ArgumentParser:
    from govwatch import commands

    parser = ChineseArgumentParser(prog="govwatch", description="GovWatch 政务服务效能监督平台")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)

    p = sub.add_parser("init", help="创建或升级数据库，载入内置节假日安排")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("manage", help="Django 管理命令")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    setup_django()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        sys.stderr.write(f"govwatch: {exc}\n")
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
