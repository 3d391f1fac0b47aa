"""The keyed chain and its signed checkpoints: a rewrite is found by whoever lacks the key, and by
the auditor's copy of the checkpoints even when the rewriter holds the key."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from govwatch.audit.chain import GENESIS, chain_hash, plain_hash
from govwatch.audit.checkpoints import checkpoint_file, introduce_key, read_file
from govwatch.audit.log import Actor, make_checkpoint, record, verify
from govwatch.audit.models import AuditCheckpoint, AuditEntry, AuditHead

from .test_chain import _drop_guard

ACTOR = Actor("user:office", None, "127.0.0.1")


def _record(k: int) -> AuditEntry:
    return record(ACTOR, "unit.update", target_type="orgs.unit", target_id=str(k), after={"name": f"新{k}"})


@pytest.fixture
def entries(db):
    return [_record(k) for k in range(5)]


def _rewrite(from_id: int, link) -> None:
    """Edit one entry's summary and recompute every link from it on with `link`, head included."""
    _drop_guard()
    AuditEntry.objects.filter(id=from_id).update(summary="改写过的记录")
    prev = AuditEntry.objects.filter(id__lt=from_id).order_by("-id").values_list("hash", flat=True).first()
    prev = prev or GENESIS
    for entry in AuditEntry.objects.filter(id__gte=from_id).order_by("id"):
        new = link(prev, entry)
        AuditEntry.objects.filter(id=entry.id).update(prev_hash=prev, hash=new)
        prev = new
    AuditHead.objects.filter(name="audit").update(last_hash=prev)


def test_a_chain_recomputed_without_the_key_is_detected(entries):
    # Drop the trigger, edit, recompute SM3, restore: without the key the links cannot be remade.
    _rewrite(entries[2].id, plain_hash)
    assert verify().as_dict() == {"ok": False, "rows": 5, "first_broken": entries[2].id}


def test_a_rewrite_by_a_key_holder_is_found_by_the_auditors_copy_of_the_checkpoints(entries, tmp_path):
    make_checkpoint(ACTOR)
    auditor_copy = tmp_path / "auditor.jsonl"
    shutil.copy(checkpoint_file(), auditor_copy)
    later = _record(9)
    # The rewriter holds the database, the server's file and the key: they recompute the links and
    # remove the checkpoints within their reach, so the server alone sees nothing wrong.
    _rewrite(entries[1].id, chain_hash)
    AuditCheckpoint.objects.all().delete()
    checkpoint_file().unlink()
    assert verify().ok is True
    result = verify(auditor_copy)
    assert result.as_dict() == {"ok": False, "rows": 7, "first_broken": entries[0].id}
    assert "日志已被改写" in result.problem
    assert later.id > entries[-1].id


def test_checkpoints_in_the_table_and_the_file_are_held_against_the_chain(entries):
    make_checkpoint(ACTOR)
    _rewrite(entries[3].id, chain_hash)  # with the key, but the checkpoint still says otherwise
    assert verify().ok is False


def test_a_forged_line_in_the_checkpoint_file_fails_verification(entries):
    make_checkpoint(ACTOR)
    line = json.loads(checkpoint_file().read_text().splitlines()[0])
    line["head_hash"] = "f" * 64
    with checkpoint_file().open("a") as f:
        f.write(json.dumps(line) + "\n")
    result = verify()
    assert result.ok is False and "签名不符" in result.problem


def test_audit_checkpoint_command_signs_the_head_into_the_log_and_the_file(entries, capsys):
    from govwatch.cli import main

    assert main(["audit", "checkpoint", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["checkpoint"]["head_id"] == entries[-1].id
    assert doc["checkpoint"]["head_hash"] == entries[-1].hash
    (point,) = read_file(checkpoint_file())
    assert (
        point.signed and point.head_hash == entries[-1].hash and point.at.startswith(str(timezone.now().year))
    )
    logged = AuditEntry.objects.get(action="audit.checkpoint")
    assert logged.after["signature"] == point.signature and logged.actor.startswith("cli:")
    assert main(["audit", "verify", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "rows": 6, "first_broken": None}


def test_verify_checks_an_auditors_file_given_on_the_command_line(entries, capsys, tmp_path):
    from govwatch.cli import main

    make_checkpoint(ACTOR)
    copy = tmp_path / "copy.jsonl"
    shutil.copy(checkpoint_file(), copy)
    assert main(["audit", "verify", "--checkpoints", str(copy)]) == 0
    _rewrite(entries[0].id, chain_hash)
    AuditCheckpoint.objects.all().delete()
    checkpoint_file().unlink()
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoints", str(copy)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["ok"] is False and "检查点" in err
    assert main(["audit", "verify", "--checkpoints", str(tmp_path / "none.jsonl")]) == 2


def test_the_worker_signs_a_checkpoint_once_per_period_and_only_when_the_chain_grew(entries):
    now = timezone.now()
    first = make_checkpoint(only_if_due=True, now=now)
    assert first is not None and first.head_id == entries[-1].id
    assert make_checkpoint(only_if_due=True, now=now + timedelta(hours=1)) is None
    # A day on, but nothing new beyond the checkpoint's own log entry: nothing to sign.
    assert make_checkpoint(only_if_due=True, now=now + timedelta(hours=25)) is None
    _record(7)
    second = make_checkpoint(only_if_due=True, now=now + timedelta(hours=25))
    assert second is not None and second.head_id > first.head_id
    assert verify().ok is True


def test_an_empty_chain_has_nothing_to_sign(db):
    assert make_checkpoint(ACTOR) is None
    assert introduce_key() is None


@pytest.fixture
def sm3_chain(db):
    """A chain as written before the key: plain SM3 links."""
    prev = GENESIS
    old = []
    for k in range(4):
        entry = AuditEntry(at=timezone.now(), actor="user:office", action="unit.update", target_id=str(k),
                           summary=f"旧记录{k}", prev_hash=prev)  # fmt: skip
        entry.hash = plain_hash(prev, entry)
        entry.save()
        prev = entry.hash
        old.append(entry)
    AuditHead.objects.update_or_create(name="audit", defaults={"last_hash": prev, "last_id": old[-1].id})
    return old


def test_an_existing_sm3_chain_is_keyed_from_a_dated_checkpoint_and_still_verifies(sm3_chain):
    assert verify().ok is False  # today's entries are keyed; the old ones need the re-key checkpoint
    point = introduce_key()
    assert point.kind == "rekey" and point.head_id == sm3_chain[-1].id
    assert introduce_key() is None  # once
    new = [_record(k) for k in range(3)]
    assert verify().as_dict() == {"ok": True, "rows": 7, "first_broken": None}
    assert new[0].prev_hash == sm3_chain[-1].hash


def test_the_old_sm3_part_cannot_be_rewritten_behind_the_re_key_checkpoint(sm3_chain):
    introduce_key()
    _record(1)
    _drop_guard()
    AuditEntry.objects.filter(id=sm3_chain[1].id).update(summary="改写")
    prev = sm3_chain[0].hash
    for entry in AuditEntry.objects.filter(id__gte=sm3_chain[1].id, id__lte=sm3_chain[-1].id).order_by("id"):
        AuditEntry.objects.filter(id=entry.id).update(prev_hash=prev, hash=plain_hash(prev, entry))
        prev = plain_hash(prev, entry)
    assert verify().ok is False


def test_removing_or_moving_the_re_key_checkpoint_breaks_the_old_part(sm3_chain):
    introduce_key()
    _record(1)
    AuditCheckpoint.objects.filter(kind="rekey").update(head_id=sm3_chain[1].id)
    assert verify().ok is False
    AuditCheckpoint.objects.filter(kind="rekey").delete()
    assert verify().as_dict()["first_broken"] == sm3_chain[0].id
