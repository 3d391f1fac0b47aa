"""Audit retention: entries past the retention period leave the table for archive files, chained.

等保 2.0 asks that logs be kept for at least six months; GovWatch keeps GOVWATCH_AUDIT_RETENTION_DAYS
(at least 180) in the table and moves older ones, oldest first and only as an unbroken run of ids,
into gzipped JSON Lines files under MEDIA_ROOT/audit-archive (so `govwatch backup` carries them).
Each file is recorded with its first and last hash and its own SM3; the first entry of each file
links to the last of the one before, and the table's first entry to the last archive. `verify`
recomputes the whole chain, files and table, from the first entry ever.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS, chain_hash
from .models import AuditArchive, AuditEntry, AuditHead

FIELDS = ("id", "at", "actor", "user_id", "action", "target_type", "target_id", "summary", "before", "after",
          "source", "prev_hash", "hash")  # fmt: skip
BATCH = 5000


def archive_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "audit-archive"


def _sm3_file(path: Path) -> str:
    h = hashes.Hash(hashes.SM3())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.finalize().hex()


def _line(entry: dict) -> str:
    doc = {**entry, "at": entry["at"].astimezone(UTC).isoformat()}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str)


def _entry(doc: dict) -> AuditEntry:
    values = {k: v for k, v in doc.items() if k not in ("id",)}
    values["at"] = datetime.fromisoformat(doc["at"])
    return AuditEntry(id=doc["id"], **values)


def cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)


def archive_expired(now: datetime | None = None) -> AuditArchive | None:
    """Move the entries older than the retention period (an unbroken run from the oldest id) into
    one new archive file; None when there is nothing to move. Safe to run from several workers:
    the head of the chain is locked while it runs."""
    limit = cutoff(now)
    with transaction.atomic():
        # The same lock `record` takes: no entry is appended while the oldest ones move.
        list(AuditHead.objects.select_for_update().filter(name="audit"))
        first_young = (
            AuditEntry.objects.filter(at__gte=limit).order_by("id").values_list("id", flat=True).first()
        )
        old = AuditEntry.objects.order_by("id")
        if first_young is not None:
            old = old.filter(id__lt=first_young)
        first = old.values("id", "prev_hash", "at").first()
        if first is None:
            return None
        previous = AuditArchive.objects.order_by("-last_id").first()
        expected_prev = previous.last_hash if previous else GENESIS
        if first["prev_hash"] != expected_prev:
            raise ValueError(
                f"审计日志链在第 {first['id']} 条断开，不能归档（请先运行 govwatch audit verify）"
            )
        directory = archive_dir()
        directory.mkdir(parents=True, exist_ok=True)
        rows, prev, last, oldest, newest = 0, expected_prev, None, None, None
        tmp = directory / f".archive-{os.getpid()}.tmp"
        with gzip.open(tmp, "wt", encoding="utf-8") as out:
            for entry in _iterate(old):
                if entry["prev_hash"] != prev:
                    raise ValueError(f"审计日志链在第 {entry['id']} 条断开，不能归档")
                out.write(_line(entry) + "\n")
                rows += 1
                prev, last = entry["hash"], entry
                oldest = entry["at"] if oldest is None else min(oldest, entry["at"])
                newest = entry["at"] if newest is None else max(newest, entry["at"])
        name = f"audit-{first['id']:012d}-{last['id']:012d}.jsonl.gz"
        os.replace(tmp, directory / name)
        archive = AuditArchive.objects.create(
            first_id=first["id"], last_id=last["id"], rows=rows, first_prev_hash=expected_prev,
            last_hash=last["hash"], oldest_at=oldest, newest_at=newest, file=name,
            file_sm3=_sm3_file(directory / name), created_at=timezone.now(),
        )  # fmt: skip
        with connection.cursor() as cursor:
            # Raw SQL: the model refuses deletes; the database allows these only once archived.
            cursor.execute(
                "DELETE FROM audit_auditentry WHERE id >= %s AND id <= %s", [first["id"], last["id"]]
            )
    return archive


def _iterate(qs) -> Iterator[dict]:
    last_id = 0
    while True:
        batch = list(qs.filter(id__gt=last_id).values(*FIELDS)[:BATCH])
        if not batch:
            return
        yield from batch
        last_id = batch[-1]["id"]


@dataclass(frozen=True)
class ArchiveCheck:
    ok: bool
    rows: int
    last_hash: str
    first_broken: int | None = None
    problem: str = ""


def verify_archives(link=chain_hash, seen: dict[int, str | None] | None = None) -> ArchiveCheck:
    """Every archive file present, unaltered (its SM3) and chained by `link` (chain.linker), from
    the first entry ever. The hashes of the ids that are keys of `seen` are filled in on the way."""
    seen = {} if seen is None else seen
    prev, rows = GENESIS, 0
    for archive in AuditArchive.objects.order_by("first_id"):
        path = archive_dir() / archive.file
        if archive.first_prev_hash != prev:
            return ArchiveCheck(False, rows, prev, archive.first_id, f"归档 {archive.file} 与前一段不相连")
        if not path.exists():
            return ArchiveCheck(False, rows, prev, archive.first_id, f"归档文件 {archive.file} 不存在")
        if _sm3_file(path) != archive.file_sm3:
            return ArchiveCheck(False, rows, prev, archive.first_id, f"归档文件 {archive.file} 已被改动")
        count = 0
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                entry = _entry(doc)
                if doc["prev_hash"] != prev or link(prev, entry) != doc["hash"]:
                    return ArchiveCheck(
                        False, rows + count, prev, doc["id"], f"归档文件 {archive.file} 链断开"
                    )
                prev = doc["hash"]
                if doc["id"] in seen:
                    seen[doc["id"]] = prev
                count += 1
        if count != archive.rows or prev != archive.last_hash:
            return ArchiveCheck(
                False, rows + count, prev, archive.last_id, f"归档文件 {archive.file} 条数不符"
            )
        rows += count
    return ArchiveCheck(True, rows, prev)
