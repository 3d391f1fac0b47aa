"""Signed checkpoints of the audit chain, and the key's introduction into an existing chain.

A checkpoint is the head of the chain (last id, last hash) at a moment, signed with HMAC-SM3 under
the audit key. It is kept in three places: the AuditCheckpoint table, an `audit.checkpoint` entry
of the log itself, and one JSON line appended to GOVWATCH_AUDIT_CHECKPOINT_FILE, which an auditor
copies away from the server. `govwatch audit verify` checks every checkpoint it knows (the table's
and the file's, or the auditor's copy given with --checkpoints) against the chain: someone who
holds both the database and the key can recompute links and signatures, but not the head hashes
already in the auditor's hands.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .chain import keyed_sm3
from .models import AuditArchive, AuditCheckpoint, AuditEntry, AuditHead

logger = logging.getLogger("govwatch.audit")


def _statement(at: datetime, kind: str, head_id: int, head_hash: str) -> dict:
    return {"at": at.astimezone(UTC).isoformat(), "kind": kind, "head_id": head_id, "head_hash": head_hash}


def sign(statement: dict) -> str:
    text = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    return keyed_sm3(b"govwatch-audit-checkpoint\n", text)


@dataclass(frozen=True)
class Point:
    """A checkpoint as verify reads it, from the table or from a file line."""

    at: str
    kind: str
    head_id: int
    head_hash: str
    signature: str
    origin: str

    @property
    def statement(self) -> dict:
        return {"at": self.at, "kind": self.kind, "head_id": self.head_id, "head_hash": self.head_hash}

    @property
    def signed(self) -> bool:
        return sign(self.statement) == self.signature


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def _append_to_file(point: dict) -> None:
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(point, ensure_ascii=False, sort_keys=True) + "\n")
        f.flush()


MODELS = {"AuditHead": AuditHead, "AuditEntry": AuditEntry, "AuditArchive": AuditArchive,
          "AuditCheckpoint": AuditCheckpoint}  # fmt: skip


def _models(apps=None):
    """The audit models, or a migration's historical ones."""
    return (lambda name: apps.get_model("audit", name)) if apps is not None else MODELS.__getitem__


def head_locked(model=MODELS.__getitem__) -> tuple[int, str] | None:
    """(last id, last hash) of the chain, under the append lock; None for an empty chain."""
    head = model("AuditHead").objects.select_for_update().filter(name="audit").first()
    if head is None:
        return None
    last_id = max(
        head.last_id,
        model("AuditEntry").objects.order_by("-id").values_list("id", flat=True).first() or 0,
        model("AuditArchive").objects.order_by("-last_id").values_list("last_id", flat=True).first() or 0,
    )
    return (last_id, head.last_hash) if last_id else None


def write_checkpoint(kind: str, at: datetime, head_id: int, head_hash: str, model=MODELS.__getitem__):
    statement = _statement(at, kind, head_id, head_hash)
    signature = sign(statement)
    point = model("AuditCheckpoint").objects.create(
        at=at, kind=kind, head_id=head_id, head_hash=head_hash, signature=signature
    )
    _append_to_file({**statement, "signature": signature})
    logger.info("audit checkpoint %s #%s %s signature %s", kind, head_id, head_hash, signature)
    return point


def keyed_after() -> int:
    """The last entry linked by plain SM3: the head of the signed re-key checkpoint, 0 when the chain
    was keyed from its first entry. An unsigned or altered re-key row is ignored, so moving the
    boundary or deleting it makes the old entries fail as keyed ones."""
    for point in AuditCheckpoint.objects.filter(kind="rekey").order_by("id"):
        if _point(point).signed:
            return point.head_id
    return 0


def introduce_key(apps=None, now: datetime | None = None) -> AuditCheckpoint | None:
    """Key an existing chain from now on: sign its head as the dated `rekey` checkpoint (the entries
    up to it keep their SM3 links and stay verifiable); None when the chain is empty or already
    keyed. Run once by the migration that brought the key (with its historical `apps`)."""
    model = _models(apps)
    with transaction.atomic():
        head = head_locked(model)
        if head is None or model("AuditCheckpoint").objects.filter(kind="rekey").exists():
            return None
        return write_checkpoint("rekey", now or timezone.now(), *head, model=model)


def _point(row: AuditCheckpoint) -> Point:
    return Point(
        row.at.astimezone(UTC).isoformat(), row.kind, row.head_id, row.head_hash, row.signature, "table"
    )


def read_file(path: Path) -> list[Point]:
    """The checkpoints of a file; a line that cannot be read counts as a forged one (signature '')."""
    points = []
    if not path.exists():
        return points
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            fields = (str(doc["at"]), str(doc["kind"]), int(doc["head_id"]), str(doc["head_hash"]))
            points.append(Point(*fields, str(doc["signature"]), f"{path.name}:{n}"))
        except (ValueError, KeyError, TypeError):
            points.append(Point("", "", 0, "", "", f"{path.name}:{n}"))
    return points


def known_points(auditor_file: Path | None = None) -> list[Point]:
    """Every checkpoint verify holds the chain to: the table's, the server's file, the auditor's copy."""
    points = [_point(row) for row in AuditCheckpoint.objects.order_by("head_id", "id")]
    points += read_file(checkpoint_file())
    if auditor_file is not None:
        points += read_file(auditor_file)
    return sorted(points, key=lambda p: p.head_id)
