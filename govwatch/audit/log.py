"""Writing and checking the audit chain.

Each entry's hash is HMAC-SM3, under a key kept outside the database, over the previous entry's
hash and the entry's own canonical JSON (govwatch.audit.chain), so changing, removing or reordering
any row breaks every link after it, and only the key's holder could recompute them; the signed
checkpoints an auditor keeps (govwatch.audit.checkpoints) catch even that. Personal data never goes in:
callers pass masked values (govwatch.core.pii.mask).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govwatch.core.bulk import insert_objects

from .archive import verify_archives
from .chain import GENESIS, chain_hash, linker
from .checkpoints import head_locked, keyed_after, known_points, write_checkpoint
from .models import AuditCheckpoint, AuditEntry, AuditHead


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (with the address they came from), a system token, or a command."""

    label: str
    user: Any = None
    source: str = ""

    @classmethod
    def of_request(cls, request) -> Actor:
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        label = f"user:{user.get_username()}" if user else "anonymous"
        return cls(label, user, request.META.get("REMOTE_ADDR", ""))

    @classmethod
    def command(cls, name: str = "") -> Actor:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(name or f"cli:{who}", None, "cli")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str)) if value is not None else None


def record(
    actor: Actor,
    action: str,
    target: Any = None,
    *,
    target_type: str = "",
    target_id: str = "",
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry, in the caller's transaction (so a rolled-back change leaves no entry).

    Inside `batched()` the entry is kept and appended with the batch's others when it ends (the
    entry returned has no id yet)."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    entry = AuditEntry(
        at=at or timezone.now(),
        actor=actor.label[:150],
        user=actor.user,
        action=action,
        target_type=target_type,
        target_id=target_id[:200],
        summary=summary,
        before=_jsonable(before),
        after=_jsonable(after),
        source=actor.source[:100],
    )
    batch = _BATCH.get()
    if batch is not None:
        batch.append(entry)
        return entry
    record_many([entry])
    return entry


def record_many(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Append entries (unsaved, without their links) in this order, in the caller's transaction,
    with one lock of the chain's head for all of them: the system's bulk work (the worker turning
    received evaluations into evaluations) appends a batch where a request would append one."""
    if not entries:
        return entries
    # No savepoint of its own: an entry that fails to be written fails the caller's transaction,
    # so no change is kept without its entry (and the two statements a savepoint costs are saved).
    with transaction.atomic(savepoint=False):
        heads = AuditHead.objects.select_for_update().filter(name="audit").values_list("last_hash", flat=True)
        last_hash = next(iter(heads), None)
        if last_hash is None:  # the first entry ever
            head, _ = AuditHead.objects.select_for_update().get_or_create(
                name="audit", defaults={"last_hash": GENESIS}
            )
            last_hash = head.last_hash
        for entry in entries:
            entry.prev_hash = last_hash
            entry.hash = last_hash = chain_hash(last_hash, entry)
        if len(entries) == 1:
            entries[0].save()
        else:
            # One INSERT: the ids come back in the order given, the chain's order (the head's lock
            # keeps every other writer of entries out meanwhile).
            insert_objects(entries)
        AuditHead.objects.filter(name="audit").update(last_hash=last_hash, last_id=entries[-1].id)
    return entries


class Batch:
    """The entries `record` kept inside `batched()`; `item()` runs a piece of work in a savepoint
    and, when it fails, rolls back its changes and drops its entries together, so no entry
    outlives its change."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    @contextmanager
    def item(self) -> Iterator[None]:
        mark = len(self.entries)
        try:
            with transaction.atomic():
                yield
        except BaseException:
            del self.entries[mark:]
            raise


_BATCH: ContextVar[Batch | None] = ContextVar("govwatch_audit_batch", default=None)


@contextmanager
def batched() -> Iterator[Batch]:
    """Keep the entries `record` is asked for and append them together, with one lock of the head,
    when the block ends without an error; inside the caller's transaction (required)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.batched() needs the caller's transaction")
    batch = Batch()
    token = _BATCH.set(batch)
    try:
        yield batch
    finally:
        _BATCH.reset(token)
    record_many(batch.entries)


@dataclass(frozen=True)
class Verification:
    ok: bool
    rows: int
    first_broken: int | None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        # Exactly the document of contract section 5; the problem is told apart (stderr, text).
        return {"ok": self.ok, "rows": self.rows, "first_broken": self.first_broken}


def verify(auditor_file: Path | None = None) -> Verification:
    """Recompute the chain in id order, through the archive files first, then hold it to every
    signed checkpoint known (the table's, the checkpoint file's and `auditor_file`'s). The first
    entry whose link does not hold is reported; for a checkpoint the chain no longer reaches, the
    first entry after the last checkpoint that still holds. `rows` counts the table's entries."""
    points = known_points(auditor_file)
    link = linker(keyed_after())
    seen: dict[int, str | None] = {p.head_id: None for p in points}
    archived = verify_archives(link, seen)
    if not archived.ok:
        return Verification(False, AuditEntry.objects.count(), archived.first_broken, archived.problem)
    prev = archived.last_hash
    rows = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        rows += 1
        if entry.prev_hash != prev or link(prev, entry) != entry.hash:
            return Verification(
                False, AuditEntry.objects.count(), entry.id, f"第 {entry.id} 条日志的链接不成立"
            )
        prev = entry.hash
        if entry.id in seen:
            seen[entry.id] = prev
    head = AuditHead.objects.filter(name="audit").first()
    if head is not None and head.last_hash != prev:
        # The newest rows were removed: the head remembers a hash the chain no longer reaches.
        return Verification(False, rows, head.last_id, "最新的日志被删除")
    held = 0
    for point in points:
        if not point.signed or seen.get(point.head_id) != point.head_hash:
            after = AuditEntry.objects.filter(id__gt=held).order_by("id").values_list("id", flat=True).first()
            problem = f"检查点（{point.origin}，第 {point.head_id} 条，{point.at}）" + (
                "签名不符" if not point.signed else "与日志不符：日志已被改写"
            )
            return Verification(False, rows, after or point.head_id, problem)
        held = point.head_id
    return Verification(True, rows, None)


def make_checkpoint(
    actor=None, *, now: datetime | None = None, only_if_due: bool = False
) -> AuditCheckpoint | None:
    """Sign the chain's head as it is now. With only_if_due (the worker), only when the last
    checkpoint is older than GOVWATCH_AUDIT_CHECKPOINT_HOURS and the chain has grown since.
    None when there is nothing to sign."""
    now = now or timezone.now()
    with transaction.atomic():
        head = head_locked()  # locks the head: one checkpoint at a time, no entry appended meanwhile
        if head is None:
            return None
        last = AuditCheckpoint.objects.order_by("-head_id", "-id").first()
        if only_if_due and last is not None:
            if last.head_id >= head[0] - 1 or now - last.at < timedelta(
                hours=settings.AUDIT_CHECKPOINT_HOURS
            ):
                # `- 1`: the last checkpoint's own log entry alone is no reason for another.
                return None
        point = write_checkpoint("periodic", now, *head)
        record(
            actor or Actor("system:worker"),
            "audit.checkpoint",
            point,
            summary=f"审计日志检查点：第 {point.head_id} 条，哈希 {point.head_hash}",
            after={"head_id": point.head_id, "head_hash": point.head_hash, "signature": point.signature},
            at=now,
        )
    return point
