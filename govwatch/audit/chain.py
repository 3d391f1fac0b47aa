"""The links of the audit chain: each entry's hash is HMAC-SM3, under the audit key kept outside
the database (GOVWATCH_AUDIT_KEY), over the previous entry's hash and the entry's own canonical
JSON. Someone who can write the database but has not the key cannot recompute the links after an
edit. Chains begun before the key (plain SM3) stay verifiable: the entries up to the signed re-key
checkpoint (govwatch.audit.checkpoints) are checked with plain SM3, the later ones with the key.
The table (govwatch.audit.log) and the archive files (govwatch.audit.archive) are checked with the
same functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings

from .models import AuditEntry

GENESIS = "0" * 64


def audit_key() -> bytes:
    key = bytes.fromhex(settings.AUDIT_KEY)
    if len(key) < 16:
        raise ValueError("GOVWATCH_AUDIT_KEY must be at least 16 bytes in hex")
    return key


def keyed_sm3(purpose: bytes, *parts: bytes) -> str:
    """HMAC-SM3 under the audit key; `purpose` keeps a link from ever passing for a signature."""
    h = hmac.HMAC(audit_key(), hashes.SM3())
    h.update(purpose)
    for part in parts:
        h.update(part)
    return h.finalize().hex()


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


def plain_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The link of the entries written before the chain was keyed."""
    h = hashes.Hash(hashes.SM3())
    h.update(prev_hash.encode())
    h.update(_canonical(entry))
    return h.finalize().hex()


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The link of every entry written now."""
    return keyed_sm3(b"govwatch-audit-link\n", prev_hash.encode(), _canonical(entry))


def linker(keyed_after: int) -> Callable[[str, AuditEntry], str]:
    """The link function for a chain keyed after entry `keyed_after` (0: keyed from the first)."""

    def link(prev_hash: str, entry: AuditEntry) -> str:
        return chain_hash(prev_hash, entry) if entry.id > keyed_after else plain_hash(prev_hash, entry)

    return link
