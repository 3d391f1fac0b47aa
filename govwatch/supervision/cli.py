"""`govwatch scan` and `govwatch notifications list` (contract section 5)."""

from __future__ import annotations

import argparse

from govwatch.core.console import EXIT_OK, emit, parse_moment_arg


def cmd_scan(args: argparse.Namespace) -> int:
    from .scan import scan

    emit(scan(parse_moment_arg(args.at) if args.at else None).document(), args.format)
    return EXIT_OK


def cmd_notifications_list(args: argparse.Namespace) -> int:
    from .models import Notification

    qs = Notification.objects.order_by("id")
    if args.status:
        qs = qs.filter(status=args.status)
    rows = [
        {
            "id": n["id"],
            "channel": n["channel"],
            "recipient": n["recipient_masked"],
            "kind": n["kind"],
            "case_no": n["case_id"],
            "text": n["text"],
            "status": n["status"],
            "attempts": n["attempts"],
            "last_error": n["last_error"],
        }
        for n in qs.values(
            "id", "channel", "recipient_masked", "kind", "case_id", "text", "status", "attempts", "last_error"
        ).iterator()
    ]
    emit(rows, args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="电子监察扫描：计算红黄牌并生成提醒")
    p.add_argument("--at", help="扫描时刻 (ISO 8601，无时区按本地时间)；默认当前时间")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("notifications", help="通知发件箱")
    n = p.add_subparsers(dest="notifications_command", required=True, parser_class=type(p))
    q = n.add_parser("list", help="列出通知")
    q.add_argument("--status", choices=["queued", "sending", "sent", "failed"])
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_notifications_list)
