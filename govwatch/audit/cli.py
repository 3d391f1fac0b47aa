"""`govwatch audit verify --format json` (contract section 5), `audit checkpoint`, `audit archive`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, UsageError, emit


def cmd_verify(args: argparse.Namespace) -> int:
    from .log import verify

    auditor_file = Path(args.checkpoints) if args.checkpoints else None
    if auditor_file is not None and not auditor_file.is_file():
        raise UsageError(f"检查点文件不存在：{auditor_file}")
    result = verify(auditor_file)
    emit(result.as_dict(), args.format)
    if result.problem:
        print(result.problem, file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_REJECTED


def cmd_checkpoint(args: argparse.Namespace) -> int:
    from .checkpoints import checkpoint_file
    from .log import Actor, make_checkpoint

    point = make_checkpoint(Actor.command())
    doc = {"checkpoint": None, "file": str(checkpoint_file())}
    if point is not None:
        doc["checkpoint"] = {
            "at": point.at.isoformat(), "head_id": point.head_id, "head_hash": point.head_hash,
            "signature": point.signature,
        }  # fmt: skip
    emit(doc, args.format)
    return EXIT_OK


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
    q.add_argument("--checkpoints", metavar="FILE", help="审计员保存的检查点文件副本，逐一核对")
    q.set_defaults(func=cmd_verify)
    q = a.add_parser("checkpoint", help="签署审计日志链的当前末端（检查点），写入日志和检查点文件")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_checkpoint)
    q = a.add_parser(
        "archive", help="把超过保存期（GOVWATCH_AUDIT_RETENTION_DAYS，至少 180 天）的日志移入归档文件"
    )
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_archive)
