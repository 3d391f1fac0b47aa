"""The links of the audit chain: each entry's hash is SM3 over the previous entry's hash and the
entry's own canonical JSON. The table (govwatch.audit.log) and the archive files
(govwatch.audit.archive) are checked with the same two functions."""

from __future__ import annotations

import json
from datetime import UTC

from cryptography.hazmat.primitives import hashes

from .models import AuditEntry

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    doc = {
        # In UTC: the database gives the moment back in UTC whatever zone it was written in.
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "user": entry.user_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "summary": entry.summary,
        "before": entry.before,
        "after": entry.after,
        "source": entry.source,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(prev_hash.encode())
    h.update(_canonical(entry))
    return h.finalize().hex()
