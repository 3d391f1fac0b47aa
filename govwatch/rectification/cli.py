"""`govwatch rectification list|export|assess` (contract section 9, and the quarterly assessment).

- `list [--list CODE] [--at TIMESTAMP] --format json`: every problem's status at the moment;
- `export --list CODE --out FILE.xlsx`: the list written back with its progress;
- `assess --year YYYY --quarter Q --format json` (an extension): the quarterly score per unit.

The list import itself is `govwatch import rectification FILE` (govwatch.imports).
"""

from __future__ import annotations

import argparse

from govwatch.core.console import EXIT_OK, UsageError, emit, output_path, parse_moment_arg, write_output


def cmd_list(args: argparse.Namespace) -> int:
    from .figures import list_items
    from .models import RectificationList

    at = parse_moment_arg(args.at) if args.at else None
    if args.list and not RectificationList.objects.filter(code=args.list).exists():
        raise UsageError(f"整改清单 {args.list} 不存在")
    emit(list_items(args.list, at), args.format)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .exports import list_workbook
    from .models import RectificationList

    out = output_path(args.out)
    assert out is not None  # --out is required
    if out.suffix.lower() != ".xlsx":
        raise UsageError("导出文件应为 .xlsx")
    rlist = RectificationList.objects.filter(code=args.list).first()
    if rlist is None:
        raise UsageError(f"整改清单 {args.list} 不存在")
    write_output(out, list_workbook(rlist))
    emit({"list_code": rlist.code, "problems": rlist.problems.count(), "out": str(out)}, args.format)
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    from .figures import FORMULA, quarterly_scores

    if args.quarter not in (1, 2, 3, 4):
        raise UsageError("季度应为 1 至 4")
    at = parse_moment_arg(args.at) if args.at else None
    scores = quarterly_scores(args.year, args.quarter, at=at)
    emit({"year": args.year, "quarter": args.quarter, "formula": FORMULA,
          "units": [s.as_dict() for s in scores]}, args.format)  # fmt: skip
    return EXIT_OK


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数: {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rectification", help="整改清单：问题状态、导出清单与进展、季度考核")
    commands = p.add_subparsers(dest="rectification_command", required=True, parser_class=type(p))
    q = commands.add_parser("list", help="各问题在某一时刻的状态（open|overdue|signed_off|reopened）")
    q.add_argument("--list", metavar="CODE", help="只列出该清单")
    q.add_argument("--at", metavar="TIMESTAMP", help="时刻（ISO 8601，无时区为本地时间；默认现在）")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_list)
    q = commands.add_parser("export", help="导出整改清单及整改进展（XLSX）")
    q.add_argument("--list", metavar="CODE", required=True, help="清单编号")
    q.add_argument("--out", metavar="FILE.xlsx", required=True)
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_export)
    q = commands.add_parser("assess", help="季度考核：各责任单位的得分及计算公式")
    q.add_argument("--year", type=_int, required=True)
    q.add_argument("--quarter", type=_int, required=True, help="1-4")
    q.add_argument("--at", metavar="TIMESTAMP", help="计算时刻（默认现在；未结束的季度计至该日）")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_assess)
