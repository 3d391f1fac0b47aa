"""`govwatch calendar add-days` and `govwatch calendar import` (contract section 5)."""

from __future__ import annotations

import argparse
import sys

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, UsageError, emit, parse_date_arg


def cmd_add_days(args: argparse.Namespace) -> int:
    from .calendar import OutOfCalendar, get_calendar

    start = parse_date_arg(args.date)
    try:
        n = int(args.n)
    except ValueError as exc:
        raise UsageError(f"工作日数必须是非负整数: {args.n!r}") from exc
    if n < 0:
        raise UsageError(f"工作日数必须是非负整数: {args.n!r}")
    try:
        deadline = get_calendar().add_workdays(start, n)
    except OutOfCalendar as exc:
        raise UsageError(str(exc)) from exc
    emit({"date": deadline.date.isoformat(), "provisional": deadline.provisional}, args.format)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from govwatch.core.tables import FileProblem

    from .importing import import_schedule_file

    try:
        result = import_schedule_file(args.file, operator_label=args.operator)
    except FileProblem as exc:
        raise UsageError(str(exc)) from exc
    for warning in result.pop("warnings"):
        sys.stderr.write(f"govwatch: 警告: {warning}\n")
    emit(result, args.format)
    return EXIT_REJECTED if result["rejected"] else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calendar", help="工作日历：加工作日、导入节假日安排")
    cal = p.add_subparsers(dest="calendar_command", required=True, parser_class=type(p))

    q = cal.add_parser("add-days", help="日期加 N 个工作日")
    q.add_argument("date", help="YYYY-MM-DD")
    q.add_argument("n", help="工作日数 (>= 0)")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_add_days)

    q = cal.add_parser("import", help="导入某年的节假日与调休安排 (date,kind)")
    q.add_argument("file")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.add_argument("--operator", default="", help="操作人(审计)")
    q.set_defaults(func=cmd_import)
