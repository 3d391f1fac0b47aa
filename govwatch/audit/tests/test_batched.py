"""Entries appended in batches (the worker's bulk work): one lock of the head for a batch, the same
chain as one by one, and no entry kept for a piece of work that was rolled back."""

from __future__ import annotations

import pytest
from django.db import transaction

from govwatch.audit.log import Actor, batched, record, verify
from govwatch.audit.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db
WORKER = Actor("system:worker")


def test_a_batch_is_appended_in_order_on_a_chain_that_verifies():
    record(WORKER, "before.batch")
    with transaction.atomic(), batched():
        for k in range(4):
            record(WORKER, "in.batch", target_type="x", target_id=str(k))
        assert AuditEntry.objects.count() == 1  # kept until the batch ends
    record(WORKER, "after.batch")
    rows = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.target_id) for e in rows] == [
        ("before.batch", ""),
        *[("in.batch", str(k)) for k in range(4)],
        ("after.batch", ""),
    ]
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    head = AuditHead.objects.get(name="audit")
    assert (head.last_id, head.last_hash) == (rows[-1].id, rows[-1].hash)
    assert verify().ok


def test_a_failed_item_leaves_no_entry_and_a_failed_batch_none_at_all():
    with transaction.atomic(), batched() as batch:
        with batch.item():
            record(WORKER, "kept")
        with pytest.raises(ValueError), transaction.atomic(), batch.item():
            record(WORKER, "rolled.back")
            raise ValueError
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["kept"]
    with pytest.raises(RuntimeError), transaction.atomic(), batched():
        record(WORKER, "lost.with.its.transaction")
        raise RuntimeError
    assert AuditEntry.objects.count() == 1 and verify().ok
