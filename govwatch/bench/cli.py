"""`govwatch bench`: the speed and memory figures of docs/benchmarks.md, measured in one run.

Every figure is quoted beside a baseline measured in the same run, because the machines this runs
on are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime
from typing import Any

from govwatch.core.console import EXIT_OK, UsageError, emit

SECTIONS = (
    "deadlines",
    "import",
    "scan",
    "province",
    "public",
    "areas",
    "load",
    "partitions",
    "checks",
    "dispatch",
    "predict",
    "leaders",
    "pages",
    "qrsheet",
)
# Sections made of parts, each in a process and a fresh database of its own.
PARTS = {"predict": ("predict-quality", "predict-speed")}
DEFAULT = ("deadlines", "import", "scan")


def _progress(text: str) -> None:
    sys.stderr.write(f"[bench] {text}\n")
    sys.stderr.flush()


def run_section(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """One section in a child process on a fresh SQLite database in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix=f"govwatch-bench-{name}-") as tmp:
        # A fresh SQLite file per section; the public section alone keeps DATABASE_URL, because its
        # target is PostgreSQL (give it an empty database).
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" or name == "public"}
        env["GOVWATCH_VAR_DIR"] = tmp
        if name in ("pages", "leaders", "predict-speed") and params.get("region"):
            # A region loaded before (its GOVWATCH_VAR_DIR): read, not rebuilt, by the section.
            env["GOVWATCH_VAR_DIR"] = params["region"]
            if name == "pages":
                # Read as it is: opened read-only, sessions in signed cookies, not migrated.
                env["DJANGO_SETTINGS_MODULE"] = "govwatch.bench.readonly_settings"
        proc = subprocess.run(
            [sys.executable, "-m", "govwatch.bench.section", name, json.dumps(params)],
            env=env, stdout=subprocess.PIPE, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise UsageError(f"基准测试 {name} 失败（退出码 {proc.returncode}）")
        return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def run_sections(names: list[str], args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": "govwatch bench " + " ".join(sys.argv[2:]),
    }
    params = {
        "deadlines": {"n_cases": args.cases},
        "import": {"seed": args.seed},
        "scan": {"open_cases": args.open_cases, "seed": args.seed},
        "province": {"seed": args.seed, "fraction": args.province_fraction},
        "public": {"seconds": args.seconds, "concurrency": args.concurrency},
        "areas": {"seed": args.seed},
        "load": {"seconds": args.seconds, "connections": args.concurrency},
        "partitions": {"seed": args.seed, "fraction": args.partition_fraction},
        "checks": {"seed": args.seed, "fraction": args.checks_fraction, "keep": args.checks_keep},
        "dispatch": {"seed": args.seed, "complaints": args.dispatch_complaints, "what": args.dispatch},
        "predict-quality": {"seed": args.seed, "replay_from": args.replay_from, "replay_to": args.replay_to,
                            "retrain_days": args.retrain_days},
        "predict-speed": {"seed": args.seed, "fraction": args.predict_fraction, "open_cases": args.open_cases,
                          "region": os.path.abspath(args.predict_region) if args.predict_region else ""},
        "leaders": {"seed": args.seed, "scale": args.leaders_scale, "fraction": args.leaders_fraction,
                    "region": os.path.abspath(args.leaders_region) if args.leaders_region else ""},
        "pages": {
            "region": os.path.abspath(args.pages_region) if args.pages_region else "",
            "fraction": args.province_fraction if args.province_fraction != 1.0 else 0.2,
            "seed": args.seed,
            "requests": args.page_requests,
            "kpi": not args.pages_skip_kpi,
        },
        "qrsheet": {"seed": args.seed},
    }  # fmt: skip
    for name in names:
        _progress(f"{name} ...")
        if name in PARTS:
            results[name] = {part: run_section(part, params[part]) for part in PARTS[name]}
        elif name == "load":
            # Each shape on a deployment and in a process of its own, one after the other.
            shapes = ("shared", "split") if args.load_cpus == "both" else (args.load_cpus,)
            results[name] = {
                f"cpus_{shape}": run_section(name, {**params[name], "split": shape == "split"})
                for shape in shapes
            }
        else:
            results[name] = run_section(name, params[name])
        _progress(f"{name}: {json.dumps(results[name], ensure_ascii=False)}")
    return results


def cmd_bench(args: argparse.Namespace) -> int:
    names = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else list(DEFAULT)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise UsageError(f"未知的基准测试项: {', '.join(unknown)}（可选: {', '.join(SECTIONS)}）")
    emit(run_sections(names, args), args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="性能基准测试 (结果见 docs/benchmarks.md)")
    p.add_argument("--only", default="", help=f"逗号分隔: {', '.join(SECTIONS)}；默认 {','.join(DEFAULT)}")
    p.add_argument("--cases", type=int, default=1_000_000, help="到期日计算的办件数")
    p.add_argument("--open-cases", type=int, default=500_000, help="扫描与风险预测基准的在办件数")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seconds", type=float, default=20, help="公众评价压测的时长（秒）")
    p.add_argument("--concurrency", type=int, default=16, help="公众评价压测的并发连接数")
    p.add_argument(
        "--load-cpus",
        choices=["shared", "split", "both"],
        default="both",
        help="压测的部署形态: shared 所有进程共用全部 CPU；split Web 与数据库/后台进程各用一半 CPU；both 两者依次",
    )
    p.add_argument("--partition-fraction", type=float, default=0.1, help="分区基准的省级数据比例")
    p.add_argument("--province-fraction", type=float, default=1.0, help="省级规模导入的比例 (1 = 全量)")
    p.add_argument(
        "--checks-fraction", type=float, default=1.0, help="评价数据核查基准的省级规模比例 (1 = 全量)"
    )
    p.add_argument("--checks-keep", default="", help="评价数据核查基准的数据目录：首次生成并导入，之后复用")
    p.add_argument(
        "--dispatch-complaints", type=int, default=300_000, help="智能派单训练速度测试的省级投诉数"
    )
    p.add_argument(
        "--dispatch", default="accuracy,speed", help="智能派单测试内容: accuracy,speed（逗号分隔）"
    )
    p.add_argument(
        "--predict-fraction", type=float, default=0.1, help="风险预测训练所用省级历史的比例 (1 = 全年全量)"
    )
    p.add_argument(
        "--predict-region",
        metavar="DIR",
        help="风险预测速度基准：使用已导入省级演示数据的数据目录（GOVWATCH_VAR_DIR），其在办件会被复制到 --open-cases 件；不给则按 --predict-fraction 生成",
    )
    p.add_argument("--replay-from", default="2026-09-14", help="风险预测回放起始日（演示区 2026 年）")
    p.add_argument("--replay-to", default="2026-12-13", help="风险预测回放截止日")
    p.add_argument("--retrain-days", type=int, default=7, help="回放中每隔几天重新训练一次")
    p.add_argument("--leaders-scale", default="district", help="大屏与月通报基准的规模：district 或 province")
    p.add_argument("--leaders-fraction", type=float, default=1.0, help="大屏与月通报基准的省级数据比例")
    p.add_argument(
        "--leaders-region",
        metavar="DIR",
        help="大屏与月通报基准：使用已导入演示数据的数据目录（GOVWATCH_VAR_DIR）；不给则按 --leaders-scale 生成",
    )
    p.add_argument(
        "--pages-region",
        metavar="DIR",
        help="页面基准：使用已导入省级演示数据的数据目录（GOVWATCH_VAR_DIR）；不给则按 --province-fraction 生成（默认 0.2）",
    )
    p.add_argument("--page-requests", type=int, default=5, help="页面基准：每个页面计时的请求数")
    p.add_argument(
        "--pages-skip-kpi",
        action="store_true",
        help="页面基准：只计时页面，不计时 report kpi 与 DuckDB 对照（后者在省级数据上需数分钟）",
    )
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_bench)
