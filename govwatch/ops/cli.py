"""`govwatch backup`, `govwatch restore`, `govwatch checksum` and `govwatch health` (docs/operations.md)."""

from __future__ import annotations

import argparse

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, UsageError, emit


def cmd_backup(args: argparse.Namespace) -> int:
    from .backup import BackupError, backup

    try:
        manifest = backup(args.file)
    except (BackupError, OSError) as exc:
        raise UsageError(f"备份失败: {exc}") from exc
    emit({"file": args.file, **{k: manifest[k] for k in ("engine", "rows", "media_files", "audit", "created_at")}},
         args.format)  # fmt: skip
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from .backup import BackupError, restore

    try:
        report = restore(args.file, replace=args.replace)
    except (BackupError, OSError) as exc:
        raise UsageError(f"恢复失败: {exc}") from exc
    emit(report, args.format)
    return EXIT_OK if report["counts_match"] and report["audit"]["ok"] else EXIT_REJECTED


def cmd_checksum(args: argparse.Namespace) -> int:
    from .checksum import database_checksum

    emit(database_checksum(), args.format)
    return EXIT_OK


def cmd_health(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from govwatch.core.alerts import raised

    alerts = [
        {"key": a.key, "label": a.label, "count": a.count, "note": a.note,
         "since": a.since.isoformat() if a.since else None}
        for a in raised(timezone.now())
    ]  # fmt: skip
    emit({"ok": not alerts, "alerts": alerts}, args.format)
    return EXIT_REJECTED if alerts else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="在线备份数据库与附件到一个文件（SQLite 快照或 pg_dump）")
    p.add_argument("file", help="备份文件（以 .gz/.tgz 结尾则压缩）")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复数据库与附件，并核对行数与审计日志链")
    p.add_argument("file")
    p.add_argument("--replace", action="store_true", help="当前数据库已有数据时仍然覆盖")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "checksum", help="数据库内容校验和（除去运行记录、自增编号与写入时间），用于比对两个库"
    )
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_checksum)

    p = sub.add_parser(
        "health", help="运行告警：例如公众评价收到后长时间未登记（后台进程未运行）；有告警时退出码 1"
    )
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_health)
