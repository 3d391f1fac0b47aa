"""`govwatch random draw PLAN --seed SEED --format json` (contract section 11) and `govwatch random
show NUMBER`: the stored draw of a plan, drawn once."""

from __future__ import annotations

import argparse
from pathlib import Path

from govwatch.core.console import EXIT_OK, UsageError, emit, parse_moment_arg


def cmd_draw(args: argparse.Namespace) -> int:
    from govwatch.audit.log import Actor
    from govwatch.orgs.models import Unit

    from .draw import PlanError, read_plan
    from .models import RandomPlan
    from .plans import RandomCheckError, do_draw

    try:
        plan = read_plan(args.plan, set(Unit.objects.values_list("code", flat=True)))
        stored, _ = do_draw(
            Actor.command(args.operator or ""), plan, args.seed, name=args.name or Path(args.plan).stem,
            source=RandomPlan.Source.FILE, filename=str(args.plan),
            at=parse_moment_arg(args.at) if args.at else None,
        )  # fmt: skip
    except (PlanError, RandomCheckError) as exc:
        raise UsageError(f"抽查计划无法抽取：{exc}") from exc
    emit(stored.result, args.format)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from .models import RandomPlan

    plan = RandomPlan.objects.filter(number=args.number).first()
    if plan is None:
        raise UsageError(f"抽查计划 {args.number} 不存在")
    results = [
        {"target_id": d.target_id, "unit_code": d.unit.code, "risk": d.risk, "inspectors": d.inspectors,
         "unstaffed": d.unstaffed, "outcome": d.outcome or None,
         "inspected_on": d.inspected_on.isoformat() if d.inspected_on else None,
         "published": d.published_at is not None}
        for d in plan.drawn.select_related("unit")
    ]  # fmt: skip
    emit(
        {"number": plan.number, "name": plan.name, "seed": plan.seed, "digest": plan.digest,
         "drawn_at": plan.drawn_at, "joint": plan.joint, "plan": plan.plan, "draw": plan.result,
         "results": results, "publish_due": plan.publish_due},
        args.format,
    )  # fmt: skip
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("random", help="双随机抽查：抽取与查看")
    rsub = p.add_subparsers(dest="random_command", required=True, parser_class=type(p))
    d = rsub.add_parser("draw", help="按契约第 11 节抽取检查对象和执法人员（同一计划和种子只抽取一次）")
    d.add_argument("plan", metavar="PLAN", help="计划文件（.json 或 .xlsx）")
    d.add_argument("--seed", required=True, help="随机种子（公开，任何人可据此复核）")
    d.add_argument("--name", default=None, help="计划名称（默认取文件名）")
    d.add_argument("--at", default=None, help="抽取时刻（ISO 8601，默认现在）")
    d.add_argument("--operator", default=None, help="记入审计日志的操作人")
    d.add_argument("--format", choices=["json", "text"], default="json")
    d.set_defaults(func=cmd_draw)
    s = rsub.add_parser("show", help="查看已存储的抽查计划、抽取结果和检查结果")
    s.add_argument("number", metavar="NUMBER", help="计划编号，如 双随机〔2026〕第0001号")
    s.add_argument("--format", choices=["json", "text"], default="json")
    s.set_defaults(func=cmd_show)
