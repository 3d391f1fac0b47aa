"""Audit retention: old entries leave the table for chained archive files; the chain still verifies."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from govwatch.audit.archive import archive_dir, archive_expired
from govwatch.audit.log import Actor, record, verify
from govwatch.audit.models import AuditArchive, AuditEntry

ACTOR = Actor("user:office", None, "127.0.0.1")


def _entries(days_ago: list[int]) -> list[AuditEntry]:
    now = timezone.now()
    return [record(ACTOR, "unit.update", target_type="orgs.unit", target_id=str(k), summary=f"第{k}条",
                   at=now - timedelta(days=d)) for k, d in enumerate(days_ago)]  # fmt: skip


def test_entries_older_than_the_retention_leave_for_an_archive_and_the_chain_verifies(db):
    entries = _entries([400, 300, 200, 10, 0])
    archive = archive_expired()
    assert archive.rows == 3 and (archive.first_id, archive.last_id) == (entries[0].id, entries[2].id)
    assert list(AuditEntry.objects.order_by("id").values_list("id", flat=True)) == [e.id for e in entries[3:]]
    with gzip.open(archive_dir() / archive.file, "rt", encoding="utf-8") as f:
        assert len(f.readlines()) == 3
    assert verify().as_dict() == {"ok": True, "rows": 2, "first_broken": None}
    # Appending goes on from the head, and a second archive links to the first.
    record(ACTOR, "unit.update", target_id="x")
    assert archive_expired() is None
    with override_settings(AUDIT_RETENTION_DAYS=180):
        assert archive_expired(timezone.now() + timedelta(days=185)).first_prev_hash == archive.last_hash
    assert AuditArchive.objects.count() == 2 and verify().ok


def test_an_entry_younger_than_the_retention_keeps_the_older_ones_behind_it(db):
    # Ids and times disagree (an entry recorded with an earlier `at`): only the unbroken run moves.
    entries = _entries([400, 5, 400])
    archive = archive_expired()
    assert (archive.first_id, archive.last_id) == (entries[0].id, entries[0].id)
    assert AuditEntry.objects.count() == 2 and verify().ok


def test_a_changed_archive_file_breaks_verification(db):
    _entries([400, 300, 0])
    archive = archive_expired()
    path = archive_dir() / archive.file
    with gzip.open(path, "rt", encoding="utf-8") as f:
        text = f.read()
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(text.replace("第0条", "第9条"))
    result = verify()
    assert not result.ok and result.first_broken == archive.first_id


def test_a_missing_archive_file_breaks_verification(db):
    _entries([400, 0])
    archive = archive_expired()
    (archive_dir() / archive.file).unlink()
    assert not verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_database_refuses_to_delete_an_entry_not_archived(db):
    from django.db import DatabaseError, transaction

    entries = _entries([0])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[0].id])


def test_a_retention_under_180_days_is_refused(monkeypatch):
    import importlib

    import govwatch.settings as s

    monkeypatch.setenv("GOVWATCH_AUDIT_RETENTION_DAYS", "90")
    with pytest.raises(ValueError, match="180"):
        importlib.reload(s)
    monkeypatch.delenv("GOVWATCH_AUDIT_RETENTION_DAYS")
    importlib.reload(s)
