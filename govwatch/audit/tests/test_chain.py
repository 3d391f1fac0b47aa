"""The audit chain: appended in order, verified, and any tampering found at its first broken link."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from govwatch.audit.log import Actor, record, verify
from govwatch.audit.models import AuditEntry


@pytest.fixture
def entries(db):
    actor = Actor("user:office", None, "127.0.0.1")
    return [
        record(
            actor,
            "unit.update",
            target_type="orgs.unit",
            target_id=str(k),
            before={"name": f"旧{k}"},
            after={"name": f"新{k}"},
        )
        for k in range(5)
    ]


def test_an_untouched_chain_verifies(entries):
    assert verify().as_dict() == {"ok": True, "rows": 5, "first_broken": None}


def test_an_empty_chain_verifies(db):
    assert verify().as_dict() == {"ok": True, "rows": 0, "first_broken": None}


def _drop_guard():
    # The tamperer has the database: they remove the append-only trigger first.
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        else:
            c.execute("DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_auditentry")


def test_a_row_changed_in_the_database_is_detected(entries):
    _drop_guard()
    with connection.cursor() as c:
        c.execute("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["改过了", entries[2].id])
    assert verify().as_dict() == {"ok": False, "rows": 5, "first_broken": entries[2].id}


def test_a_row_removed_from_the_middle_is_detected(entries):
    _drop_guard()
    with connection.cursor() as c:
        c.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].id])
    assert verify().first_broken == entries[2].id


def test_the_newest_row_removed_is_detected(entries):
    _drop_guard()
    with connection.cursor() as c:
        c.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[4].id])
    assert verify().ok is False


def test_the_database_refuses_an_update(entries):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_auditentry SET summary = 'x' WHERE id = %s", [entries[0].id])


def test_the_model_refuses_to_change_or_delete(entries):
    with pytest.raises(PermissionError):
        entries[0].save()
    with pytest.raises(PermissionError):
        entries[0].delete()


def test_audit_verify_command_prints_the_contract_document(entries, capsys):
    from govwatch.cli import main

    assert main(["audit", "verify", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "rows": 5, "first_broken": None}
    _drop_guard()
    AuditEntry.objects.filter(id=entries[3].id).update(actor="user:someone-else")
    assert main(["audit", "verify", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == {"ok": False, "rows": 5, "first_broken": entries[3].id}
