"""`govwatch audit verify --format json` (contract section 5)."""

from __future__ import annotations

import argparse

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, emit


def cmd_verify(args: argparse.Namespace) -> int:
    from .log import verify

    result = verify()
    emit(result.as_dict(), args.format)
    return EXIT_OK if result.ok else EXIT_REJECTED


def cmd_archive(args: argparse.Namespace) -> int:
    from .archive import archive_expired, cutoff

    archive = archive_expired()
    doc = {"cutoff": cutoff().isoformat(), "archived": 0, "file": None}
    if archive is not None:
        doc.update(
            archived=archive.rows, file=archive.file, first_id=archive.first_id, last_id=archive.last_id
        )
    emit(doc, args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="审计日志")
    a = p.add_subparsers(dest="audit_command", required=True, parser_class=type(p))
    q = a.add_parser("verify", help="校验审计日志哈希链")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_verify)
    q = a.add_parser(
        "archive", help="把超过保存期（GOVWATCH_AUDIT_RETENTION_DAYS，至少 180 天）的日志移入归档文件"
    )
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_archive)
