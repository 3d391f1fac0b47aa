"""`govwatch accountability figures --from DATE --to DATE [--unit CODE] --format json`: the figures of
the inspection group and of accountability, per unit and in total (the seed's 65 checks, 23
problems in 17 units; 31 people held accountable, 7 of them sanctioned; 15 institutional fixes)."""

from __future__ import annotations

import argparse

from govwatch.core.console import EXIT_OK, UsageError, emit, parse_date_arg


def figures_document(date_from, date_to, unit_code: str | None) -> dict:
    from govwatch.inspections.figures import inspection_figures
    from govwatch.orgs.models import Unit

    from .figures import accountability_figures

    units = None
    if unit_code:
        top = Unit.objects.filter(code=unit_code).first()
        if top is None:
            raise UsageError(f"单位编码 {unit_code} 不存在")
        units = top.subtree()
    checks = inspection_figures(date_from, date_to, units)
    people = accountability_figures(date_from, date_to, units)
    codes = dict(
        Unit.objects.filter(pk__in=set(checks.by_unit) | set(people.by_unit)).values_list("pk", "code")
    )
    rows = []
    for unit_id, code in sorted(codes.items(), key=lambda kv: kv[1]):
        c = checks.by_unit.get(unit_id, {})
        p = people.by_unit.get(unit_id, {})
        rows.append({
            "unit_code": code, "inspections": c.get("inspections", 0), "problems": c.get("problems", 0),
            "fixed": c.get("fixed", 0), "matters": p.get("matters", 0), "people": p.get("people", 0),
            "sanctioned": p.get("sanctioned", 0), "fixes": p.get("fixes", 0),
        })  # fmt: skip
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit_code": unit_code,
        "total": {**checks.as_dict(), **people.as_dict()},
        "rows": rows,
    }


def cmd_figures(args: argparse.Namespace) -> int:
    date_from, date_to = parse_date_arg(args.date_from), parse_date_arg(args.date_to)
    if date_from > date_to:
        raise UsageError(f"开始日期 {date_from} 晚于结束日期 {date_to}")
    emit(figures_document(date_from, date_to, args.unit), args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("accountability", help="专项检查与问责统计")
    cmds = p.add_subparsers(dest="accountability_command", required=True, parser_class=type(p))
    q = cmds.add_parser(
        "figures", help="期间内的检查、发现问题、涉及单位、整改、问责人数、处分人数、建章立制"
    )
    q.add_argument(
        "--from", dest="date_from", required=True, metavar="DATE", help="开始日期 YYYY-MM-DD（含）"
    )
    q.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="结束日期 YYYY-MM-DD（含）")
    q.add_argument("--unit", metavar="CODE", help="只统计该单位及其下级单位")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_figures)
