"""`govwatch report ranking` and `govwatch report bulletin` (contract section 10).

- `report ranking --from DATE --to DATE [--unit CODE] --format json|xlsx [--out FILE]`: the
  ranking document (govwatch.reports.ranking) on standard output (and in --out), or its XLSX in
  --out (or on standard output when that is not a terminal).
- `report bulletin --month YYYY-MM [--unit CODE] --out FILE` (.docx, .pdf, or .xlsx for its
  tables): the month's issued bulletin as archived when there is one, else the bulletin made now
  from the figures with the default words and no number. Prints one JSON document: `{"month",
  "unit", "out", "status": "issued"|"draft", "number", "figures": the month's total row as
  `report kpi` prints it, "warnings": [...]}`.
Every argument is checked before anything is written: an unusable one exits 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date

from govwatch.core.console import EXIT_OK, UsageError, emit, output_path, parse_date_arg, write_output

RANKING_FORMATS = ("json", "xlsx")
BULLETIN_SUFFIXES = (".docx", ".pdf", ".xlsx")


def _known_unit(code: str | None) -> None:
    from govwatch.orgs.models import Unit

    if code is not None and not Unit.objects.filter(code=code).exists():
        raise UsageError(f"单位编码 {code} 不存在")


def cmd_ranking(args: argparse.Namespace) -> int:
    from .ranking import ranking
    from .workbooks import ranking_xlsx

    if args.format not in RANKING_FORMATS:
        raise UsageError(f"不支持的输出格式“{args.format}”，应为 json 或 xlsx")
    date_from, date_to = parse_date_arg(args.date_from), parse_date_arg(args.date_to)
    if date_from > date_to:
        raise UsageError(f"开始日期 {date_from} 晚于结束日期 {date_to}")
    out = output_path(args.out)
    if out is None and args.format == "xlsx" and sys.stdout.isatty():
        raise UsageError("XLSX 是二进制文件，不能输出到终端，请用 --out 指定输出文件")
    _known_unit(args.unit)
    doc = ranking(date_from, date_to, args.unit)
    if args.format == "json":
        if out is not None:
            write_output(out, (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
        emit(doc)
        return EXIT_OK
    data = ranking_xlsx(doc)
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_output(out, data)
    return EXIT_OK


def parse_month(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"月份“{text}”无效，应为 YYYY-MM，如 2026-10")
    return date(int(match.group(1)), int(match.group(2)), 1)


def cmd_bulletin(args: argparse.Namespace) -> int:
    from govwatch.core.pdf import PdfError, available, docx_to_pdf

    from .bulletin import bulletin_content, bulletin_docx, bulletin_xlsx, default_organ, default_title
    from .bulletins import archived_pdf
    from .exports import rounded
    from .models import Bulletin

    if args.format != "json":
        raise UsageError(f"不支持的输出格式“{args.format}”，应为 json")
    month = parse_month(args.month)
    out = output_path(args.out)
    suffix = out.suffix.lower()
    if suffix not in BULLETIN_SUFFIXES:
        raise UsageError(f"输出文件应为 .docx、.pdf 或 .xlsx：{out}")
    if suffix == ".pdf" and not available():
        raise UsageError(
            "未安装 LibreOffice，无法生成 PDF：请运行 scripts/start 或安装 libreoffice-writer-nogui 和 fonts-noto-cjk"
        )
    _known_unit(args.unit)
    content = bulletin_content(month, args.unit)
    # A region's bulletin covers the tree from its root.
    of_month = Bulletin.objects.filter(month=content.month, status=Bulletin.Status.ISSUED)
    of_month = (
        of_month.filter(unit__code=args.unit) if args.unit else of_month.filter(unit__parent__isnull=True)
    )
    issued = of_month.order_by("-issued_at").first()
    warnings: list[str] = []
    try:
        if issued is not None:
            data = {".docx": lambda: bytes(issued.docx), ".pdf": lambda: archived_pdf(issued),
                    ".xlsx": lambda: bytes(issued.xlsx)}[suffix]()  # fmt: skip
        elif suffix == ".xlsx":
            data = bulletin_xlsx(content)
        else:
            docx, warnings = bulletin_docx(
                content, organ=default_organ(args.unit), title=default_title(content), addressee="各有关单位"
            )
            data = docx_to_pdf(docx) if suffix == ".pdf" else docx
    except PdfError as exc:
        raise UsageError(str(exc)) from exc
    write_output(out, data)
    for warning in warnings:
        sys.stderr.write(f"注意: {warning}\n")
    emit(
        {
            "month": f"{content.month:%Y-%m}",
            "unit": args.unit,
            "out": str(out),
            "status": "issued" if issued is not None else "draft",
            "number": issued.number if issued is not None else None,
            "figures": rounded([content.total])[0],
            "warnings": warnings,
        }
    )
    return EXIT_OK


def register_leaders(reports: argparse._SubParsersAction) -> None:
    """The ranking and the bulletin, under `govwatch report`."""
    q = reports.add_parser("ranking", help="各单位综合排名（权重由本区设定，含与上一周期相比的名次变化）")
    q.add_argument(
        "--from", dest="date_from", required=True, metavar="DATE", help="开始日期 YYYY-MM-DD（含）"
    )
    q.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="结束日期 YYYY-MM-DD（含）")
    q.add_argument("--unit", metavar="CODE", help="只排该单位及其下级单位")
    q.add_argument("--format", default="json", help="json（默认）或 xlsx")
    q.add_argument("--out", metavar="FILE", help="写入文件；json 同时输出到标准输出")
    q.set_defaults(func=cmd_ranking)
    b = reports.add_parser("bulletin", help="月通报（Word 或 PDF；已印发的输出存档文件）")
    b.add_argument("--month", required=True, metavar="YYYY-MM", help="月份，如 2026-10")
    b.add_argument("--unit", metavar="CODE", help="只通报该单位及其下级单位")
    b.add_argument(
        "--out", required=True, metavar="FILE", help="输出文件：.docx、.pdf（或 .xlsx：通报中的表格）"
    )
    b.add_argument("--format", default="json", help="标准输出的格式：json（默认）")
    b.set_defaults(func=cmd_bulletin)
