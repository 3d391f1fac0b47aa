"""`govwatch checks run|score|thresholds` (contract section 8).

govwatch checks run --from DATE --to DATE [--kind K,...] --format json
govwatch checks score ANSWERS [--findings FILE] --format json
govwatch checks thresholds [--unit CODE] [--set NAME=VALUE ...] [--unset NAME ...] --format json
"""

from __future__ import annotations

import argparse
import json
import sys

from govwatch.core.console import EXIT_OK, UsageError, emit, parse_date_arg


def _kinds(text: str | None) -> set[str] | None:
    return {k.strip() for k in text.split(",") if k.strip()} if text else None


def cmd_run(args: argparse.Namespace) -> int:
    from govwatch.audit.log import Actor

    from .runs import CheckError, contract_document, run_checks

    date_from, date_to = parse_date_arg(args.date_from), parse_date_arg(args.date_to)
    try:
        result = run_checks(date_from, date_to, Actor.command(), kinds=_kinds(args.kind))
    except CheckError as exc:
        raise UsageError(str(exc)) from exc
    doc = contract_document(result, streamed=True)
    sys.stderr.write(
        f"核查 {date_from} 至 {date_to}：线索 {result.run.findings} 条（新 {result.run.new_findings} 条），"
        f"用时 {result.run.seconds} 秒\n"
    )
    if args.format == "json":
        _emit_run(doc)
    else:
        emit(doc["run"], args.format)
    return EXIT_OK


def _emit_run(doc: dict) -> None:
    """The run's one JSON document, exactly as `emit` prints it, written a finding at a time: a
    province's findings as one string (and the encoder's pieces of it) would be the run's largest
    allocation at its very end."""
    out = sys.stdout
    out.write('{"findings": [')
    for i, finding in enumerate(doc["findings"]):
        out.write((", " if i else "") + json.dumps(finding, ensure_ascii=False))
    rest = json.dumps({k: v for k, v in doc.items() if k != "findings"}, ensure_ascii=False)
    out.write("]" + (", " + rest[1:] if rest != "{}" else "}") + "\n")
    out.flush()


def cmd_score(args: argparse.Namespace) -> int:
    from govwatch.audit.log import Actor

    from .runs import contract_document, run_checks
    from .scoring import AnswersError, load_json, read_answers, score

    try:
        answers = read_answers(args.answers)
        if args.findings:
            doc = load_json(args.findings, "核查结果")
            findings = doc.get("findings") if isinstance(doc, dict) else None
            if not isinstance(findings, list):
                raise AnswersError('核查结果文件应为 checks run 的输出 {"findings": [...]}')
        else:
            if not answers.get("from") or not answers.get("to"):
                raise AnswersError("答案文件没有 from/to 期间，请用 --findings 指定 checks run 的输出")
            result = run_checks(
                parse_date_arg(answers["from"]), parse_date_arg(answers["to"]), Actor.command()
            )
            findings = contract_document(result)["findings"]
    except AnswersError as exc:
        raise UsageError(str(exc)) from exc
    report = score(answers, findings)
    if args.format == "json":
        emit(report)
    else:
        for kind, e in report["kinds"].items():
            emit(
                f"{kind:20s} 植入 {e['planted']:6d}  标出 {e['flagged']:6d}  "
                f"查准率 {_pct(e['precision'])}  查全率 {_pct(e['recall'])}  {'达标' if e['met'] else '未达标'}",
                "text",
            )
    return EXIT_OK


def _pct(value: float | None) -> str:
    return "  —  " if value is None else f"{value:6.1%}"


def cmd_thresholds(args: argparse.Namespace) -> int:
    from govwatch.audit.log import Actor
    from govwatch.orgs.models import Unit

    from .data import Units
    from .decisions import do_set_thresholds
    from .thresholds import DEFINITIONS, ThresholdError

    unit = None
    if args.unit:
        unit = Unit.objects.filter(code=args.unit).first()
        if unit is None:
            raise UsageError(f"单位编码 {args.unit} 不存在")
    changes: dict = {}
    for pair in args.set or []:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--set 应为 名称=值，而不是 {pair!r}")
        changes[name.strip()] = value.strip()
    for name in args.unset or []:
        changes[name.strip()] = None
    if changes:
        if unit is None:
            raise UsageError("修改阈值需用 --unit 指定区域（单位编码），其下级单位一并适用")
        try:
            do_set_thresholds(Actor.command(), unit, changes)
        except ThresholdError as exc:
            raise UsageError(str(exc)) from exc
    values = Units()[unit.pk].thresholds if unit else None
    from .thresholds import DEFAULTS

    shown = values or DEFAULTS
    emit(
        {
            "unit_code": unit.code if unit else None,
            "thresholds": [
                {
                    "name": name,
                    "label": d.label,
                    "value": getattr(shown, name),
                    "default": getattr(DEFAULTS, name),
                    "help": d.help,
                }
                for name, d in DEFINITIONS.items()
            ],
        },  # fmt: skip
        args.format,
    )
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("checks", help="评价数据核查（双评议：数据比对、真实性核查）")
    checks = p.add_subparsers(dest="checks_command", required=True, parser_class=type(p))
    q = checks.add_parser("run", help="核查期间内的评价，发现的线索记入核查台账（同一线索不重复提出）")
    q.add_argument(
        "--from", dest="date_from", required=True, metavar="DATE", help="开始日期 YYYY-MM-DD（含）"
    )
    q.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="结束日期 YYYY-MM-DD（含）")
    q.add_argument("--kind", metavar="K,...", help="只运行这些类型的核查（默认全部）")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_run)
    q = checks.add_parser("score", help="对照植入的问题答案，计算各类核查的查准率和查全率")
    q.add_argument("answers", metavar="ANSWERS", help="答案文件（demo-data 生成的 evaluation_faults.json）")
    q.add_argument("--findings", metavar="FILE", help="checks run 的输出；不指定则按答案期间运行核查")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_score)
    q = checks.add_parser("thresholds", help="查看或修改某区域的核查阈值（下级单位继承）")
    q.add_argument("--unit", metavar="CODE", help="区域（单位编码）；不指定则显示默认值")
    q.add_argument("--set", action="append", metavar="NAME=VALUE", help="设置阈值，可多次使用")
    q.add_argument("--unset", action="append", metavar="NAME", help="恢复继承，可多次使用")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_thresholds)
