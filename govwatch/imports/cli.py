"""`govwatch import units|items|cases|evaluations|complaints FILE` (contract section 5)."""

from __future__ import annotations

import argparse
import sys

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, UsageError, emit

KINDS = (
    "units", "items", "cases", "evaluations", "complaints",
    "projects", "milestones", "targets", "inspectors", "officers", "regulatory_items", "supervision_actions",
    "windows", "staff", "attendance", "absences", "tickets", "assists", "kiosks", "kiosk_status", "kiosk_faults",
    "rectification",
)  # fmt: skip


def cmd_import(args: argparse.Namespace) -> int:
    from govwatch.core.tables import FileProblem

    from .runs import run_import

    try:
        result = run_import(args.kind, args.file, operator_label=args.operator)
    except FileProblem as exc:
        raise UsageError(str(exc)) from exc
    for warning in result.warnings:
        sys.stderr.write(f"govwatch: 警告: {warning}\n")
    if result.rejected > len(result.errors):
        sys.stderr.write(f"govwatch: 共拒绝 {result.rejected} 行，仅列出前 {len(result.errors)} 条错误\n")
    emit(result.document(), args.format)
    return EXIT_REJECTED if result.rejected else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="导入单位、事项、办件过程、好差评、投诉，重点项目及节点，双随机名录，监管事项、监管行为和执法人员，窗口、人员、考勤、排队取号、帮办代办，自助终端及其状态和报修(.csv/.xlsx/.jsonl)，整改清单(.xlsx/.csv)",
    )
    p.add_argument("kind", metavar="KIND", help=f"记录类型：{'|'.join(KINDS)}")
    p.add_argument("file", help="文件路径")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.add_argument("--operator", default=None, help="记入导入记录的操作人(默认 cli:<系统用户名>)")
    p.set_defaults(func=cmd_import)
