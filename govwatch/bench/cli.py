"""`govwatch bench`: the speed and memory figures of docs/benchmarks.md, measured in one run.

Every figure is quoted beside a baseline measured in the same run, because the machines this runs
on are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import datetime
from typing import Any

from govwatch.cli import EXIT_OK, UsageError, emit

SECTIONS = ("deadlines", "import", "province")


def _progress(text: str) -> None:
    sys.stderr.write(f"[bench] {text}\n")
    sys.stderr.flush()


def run_sections(names: list[str], args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
    }
    for name in names:
        _progress(f"{name} ...")
        if name == "deadlines":
            from . import deadlines

            results["deadlines"] = deadlines.run(n_cases=args.cases)
        elif name == "import":
            from . import importing

            results["import"] = importing.run_district(seed=args.seed)
        elif name == "province":
            from . import importing

            results["province"] = importing.run_province(seed=args.seed, fraction=args.province_fraction)
        _progress(f"{name}: {json.dumps(results[name], ensure_ascii=False)}")
    return results


def cmd_bench(args: argparse.Namespace) -> int:
    names = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else ["deadlines", "import"]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise UsageError(f"未知的基准测试项: {', '.join(unknown)}（可选: {', '.join(SECTIONS)}）")
    emit(run_sections(names, args), args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="性能基准测试 (结果见 docs/benchmarks.md)")
    p.add_argument("--only", default="", help=f"逗号分隔: {', '.join(SECTIONS)}；默认 deadlines,import")
    p.add_argument("--cases", type=int, default=1_000_000, help="到期日计算的办件数")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--province-fraction", type=float, default=1.0, help="省级规模导入的比例 (1 = 全量)")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_bench)
