"""`govwatch report kpi --from DATE --to DATE [--unit CODE] --format json|csv|xlsx [--out FILE]`
and `govwatch report attendance --from DATE --to DATE [--unit CODE] --format json` (contract 12).

The figures of contract section 4 and GovWatch's closed-loop figures, one row per unit plus the
`total` row, and in JSON the ranking of negative reasons (govwatch.reports.exports for the three
formats). JSON is printed on standard output, also when --out writes it to a file too;
CSV and XLSX go to --out, or else to standard output (XLSX only when that is not a terminal).
Every argument is checked before anything is written: an unusable one exits 2 with nothing on
standard output.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from datetime import date

from govwatch.core.collector import collector_paused
from govwatch.core.console import EXIT_OK, UsageError, emit, output_path, parse_date_arg, write_output
from govwatch.core.sheets import csv_dict_writer

from .leaders_cli import register_leaders

FORMATS = ("json", "csv", "xlsx")


def cmd_kpi(args: argparse.Namespace) -> int:
    from .figures import UnknownUnit

    if args.format not in FORMATS:
        raise UsageError(f"不支持的输出格式“{args.format}”，应为 json、csv 或 xlsx")
    date_from, date_to = parse_date_arg(args.date_from), parse_date_arg(args.date_to)
    if date_from > date_to:
        raise UsageError(f"开始日期 {date_from} 晚于结束日期 {date_to}")
    out = output_path(args.out)
    if out is None and args.format == "xlsx" and sys.stdout.isatty():
        raise UsageError("XLSX 是二进制文件，不能输出到终端，请用 --out 指定输出文件")
    try:
        with collector_paused():
            if args.format == "json":
                from .kpi import json_document

                data = json_document(date_from, date_to, args.unit) + b"\n"
            else:
                data = _kpi_file(args.format, date_from, date_to, args.unit)
    except UnknownUnit as exc:
        raise UsageError(f"单位编码 {exc} 不存在") from exc

    if args.format == "json":
        if out is not None:
            write_output(out, data)
        # What emit() prints for the document: the same text, in standard output's encoding.
        if codecs.lookup(sys.stdout.encoding or "ascii").name == "utf-8" and hasattr(sys.stdout, "buffer"):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
        return EXIT_OK
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_output(out, data)
    return EXIT_OK


def _kpi_file(fmt: str, date_from: date, date_to: date, unit: str | None) -> bytes:
    """The CSV (from the counts' table: govwatch.reports.kpi) or XLSX (from the rows) of `report kpi`."""
    if fmt == "csv":
        from .kpi import kpi_csv, kpi_figures

        return kpi_csv(kpi_figures(date_from, date_to, unit))
    from .exports import export_file
    from .figures import contract_rows, kpi_rows

    return export_file(fmt, date_from, date_to, contract_rows(kpi_rows(date_from, date_to, unit)), unit)


def cmd_attendance(args: argparse.Namespace) -> int:
    """Contract section 12: one row per staff member of the selection (all staff, or the staff of
    --unit and its sub-units), `workdays` the working days of the period."""
    from govwatch.orgs.models import Unit
    from govwatch.windows.attendance import count_attendance
    from govwatch.windows.models import Staff

    if args.format not in ("json", "csv"):
        raise UsageError(f"不支持的输出格式“{args.format}”，应为 json 或 csv")
    date_from, date_to = parse_date_arg(args.date_from), parse_date_arg(args.date_to)
    if date_from > date_to:
        raise UsageError(f"开始日期 {date_from} 晚于结束日期 {date_to}")
    staff = Staff.objects.all()
    if args.unit:
        unit = Unit.objects.filter(code=args.unit).first()
        if unit is None:
            raise UsageError(f"单位编码 {args.unit} 不存在")
        staff = staff.filter(unit__in=unit.subtree())
    rows = [r.row for r in count_attendance(staff, date_from, date_to)]
    if args.format == "json":
        emit({"rows": rows})
    else:
        writer = csv_dict_writer(
            sys.stdout, ["staff_code", "workdays", "late", "early", "absent"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    return EXIT_OK


def cmd_rebuild(args: argparse.Namespace) -> int:
    from govwatch.figures.fold import rebuild

    emit(rebuild(), args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="统计报表")
    reports = p.add_subparsers(dest="report_command", required=True, parser_class=type(p))
    q = reports.add_parser("kpi", help="各单位办件、好差评与事项目录指标（每单位一行，另加合计行）")
    q.add_argument(
        "--from", dest="date_from", required=True, metavar="DATE", help="开始日期 YYYY-MM-DD（含）"
    )
    q.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="结束日期 YYYY-MM-DD（含）")
    q.add_argument("--unit", metavar="CODE", help="只统计该单位及其下级单位，合计为该范围之和")
    # Checked by cmd_kpi rather than by choices=, for a message in Chinese.
    q.add_argument("--format", default="json", help="json（默认）、csv 或 xlsx")
    q.add_argument("--out", metavar="FILE", help="写入文件；json 同时输出到标准输出")
    q.set_defaults(func=cmd_kpi)
    a = reports.add_parser(
        "attendance", help="窗口人员考勤：每人工作日数、迟到、早退、缺勤次数（按单位服务时间）"
    )
    a.add_argument(
        "--from", dest="date_from", required=True, metavar="DATE", help="开始日期 YYYY-MM-DD（含）"
    )
    a.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="结束日期 YYYY-MM-DD（含）")
    a.add_argument("--unit", metavar="CODE", help="只统计该单位及其下级单位的人员")
    a.add_argument("--format", default="json", help="json（默认）或 csv")
    a.set_defaults(func=cmd_attendance)
    register_leaders(reports)
    r = reports.add_parser(
        "rebuild", help="从办件与评价原始记录重算每日各单位预计算指标（平时由后台任务逐日更新）"
    )
    r.add_argument("--format", choices=["json", "text"], default="json")
    r.set_defaults(func=cmd_rebuild)
