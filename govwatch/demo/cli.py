"""`govwatch demo-data`: write a synthetic region's five files (contract section 5)."""

from __future__ import annotations

import argparse
import sys

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, UsageError, emit, parse_moment_arg

from .generator import SCALES, DemoError, generate


def _int(label: str):
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{label}应为整数: {text!r}") from None

    return parse


def _fraction(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"比例应为 0 到 1 之间的小数: {text!r}") from None


def _until(text: str | None):
    """`--until now` or an ISO 8601 moment (local time without an offset)."""
    if not text:
        return None
    if text == "now":
        from django.utils import timezone

        return timezone.now()
    return parse_moment_arg(text)


def cmd_demo_data(args: argparse.Namespace) -> int:
    def progress(message: str) -> None:
        sys.stderr.write(f"demo-data: {message}\n")
        sys.stderr.flush()

    try:
        report = generate(
            args.out,
            scale=args.scale,
            seed=args.seed,
            year=args.year,
            fraction=args.fraction,
            progress=progress,
            until=_until(args.until),
            faults=not args.no_faults,
        )
    except DemoError as exc:
        raise UsageError(str(exc)) from exc
    counts = report["counts"]
    sys.stderr.write(
        f"demo-data: {report['scale']} 规模，种子 {report['seed']}，{report['year']} 年，用时 {report['seconds']} 秒\n"
        f"  单位 {counts['units']:,} 个，事项 {counts['items']:,} 项\n"
        f"  办件 {counts['cases']:,} 件（事件 {counts['case_events']:,} 条，超期办结 {counts['completed_late']:,} 件，"
        f"期末未办结 {counts['open_at_end']:,} 件）\n"
        f"  评价 {counts['evaluations']:,} 条（差评 {counts['negative_evaluations']:,} 条），投诉 {counts['complaints']:,} 件\n"
        f"  输出目录 {report['out']}\n"
    )
    emit(report, args.format)
    return EXIT_OK


KIND_LABELS = {
    "units": "单位",
    "items": "事项",
    "cases": "办件过程",
    "evaluations": "好差评",
    "complaints": "投诉",
}


def describe(row: dict) -> str:
    """One line of what demo-load did with a file."""
    name, label = row["file"], KIND_LABELS.get(row["kind"], row["kind"])
    if row["status"] == "absent":
        return f"无 {name}（{label}），跳过"
    if row["status"] == "skipped":
        return f"{name}（{label}）此前已导入，跳过"
    return (
        f"已导入 {name}（{label}）：读取 {row['read']:,}，导入 {row['imported']:,}，"
        f"重复 {row['duplicates']:,}，拒绝 {row['rejected']:,}"
    )


def cmd_demo_load(args: argparse.Namespace) -> int:
    from .loading import DemoLoadError, load_demo

    # Text: what was done, file by file, on standard output. JSON: one document at the end, and
    # the same lines as progress on standard error.
    stream = sys.stdout if args.format == "text" else sys.stderr

    def report(row: dict) -> None:
        stream.write(describe(row) + "\n")
        stream.flush()

    try:
        rows = load_demo(args.dir, report=report)
    except DemoLoadError as exc:
        raise UsageError(str(exc)) from exc
    if args.format == "json":
        emit({"dir": args.dir, "files": rows}, "json")
    rejected = sum(r.get("rejected", 0) for r in rows)
    if rejected:
        sys.stderr.write(f"govwatch: 共拒绝 {rejected:,} 行，见各文件的错误列表\n")
    return EXIT_REJECTED if rejected else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo-data", help="生成演示数据：合成的区级或省级政务服务数据（单位、事项、办件、评价、投诉）"
    )
    p.add_argument(
        "--scale",
        default="district",
        help=f"规模: {' 或 '.join(SCALES)}（默认 district: 约38个部门和街道、2000项事项、年办件9.6万件）",
    )
    p.add_argument(
        "--seed", type=_int("随机种子"), default=1, help="随机种子，相同种子生成完全相同的文件（默认 1）"
    )
    p.add_argument(
        "--out",
        required=True,
        help="输出目录，写入 units.csv items.csv cases.csv evaluations.csv complaints.csv",
    )
    p.add_argument("--year", type=_int("年份"), default=2026, help="模拟的自然年（默认 2026）")
    p.add_argument(
        "--fraction",
        type=_fraction,
        default=1.0,
        help="办件、评价、投诉数量的比例（0-1，默认 1），用于快速试验；单位和事项不变",
    )
    p.add_argument(
        "--until",
        help="截止时刻（now 或 ISO 8601）：只写入此前发生的事，此时未办结的办件保持在办；默认写满全年",
    )
    p.add_argument(
        "--no-faults",
        action="store_true",
        help="不植入评价数据问题（默认植入各类问题，答案写入 evaluation_faults.json，供 checks score 使用）",
    )
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("demo-load", help="按依赖顺序导入演示数据目录中的文件（已导入的文件跳过）")
    p.add_argument("dir", metavar="DIR", help="演示数据目录（govwatch demo-data --out 的目录）")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_demo_load)
