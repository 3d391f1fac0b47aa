"""`govwatch case show CASE_NO` (contract section 5)."""

from __future__ import annotations

import argparse
from typing import Any

from govwatch.core.console import EXIT_OK, UsageError, emit


def case_document(case_no: str) -> dict[str, Any]:
    from django.utils import timezone

    from .models import Case

    case = Case.objects.select_related("item", "unit").filter(case_no=case_no).first()
    if case is None:
        raise UsageError(f"办件不存在: {case_no}")

    def local(moment):
        return timezone.localtime(moment).isoformat() if moment else None

    return {
        "case_no": case.case_no,
        "item_code": case.item.code,
        "unit_code": case.unit.code,
        "status": case.status,
        "accepted_at": local(case.accepted_at),
        "due_date": case.due_date.isoformat(),
        "completed_at": local(case.completed_at),
        "completed_on_time": case.completed_on_time,
        "provisional": case.provisional,
        "card": case.card,
        "card_scanned_at": local(case.card_at),
        "closed_at": local(case.closed_at),
        "suspended_days": case.suspended_days,
        "suspensions": [
            {"started_at": local(s.started_at), "ended_at": local(s.ended_at), "workdays": s.workdays}
            for s in case.suspensions.all()
        ],
    }


def cmd_show(args: argparse.Namespace) -> int:
    emit(case_document(args.case_no), args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("case", help="办件")
    cases = p.add_subparsers(dest="case_command", required=True, parser_class=type(p))
    q = cases.add_parser("show", help="显示办件的期限与状态")
    q.add_argument("case_no")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_show)
