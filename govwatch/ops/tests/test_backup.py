"""`govwatch backup` and `govwatch restore`: the real commands, in processes of their own."""

from __future__ import annotations

import time

SCAN_AT = "2026-06-15T09:00:00"


def test_a_restored_backup_has_every_row_the_media_and_an_intact_audit_chain(scratch, small_demo, tmp_path):
    source = scratch("source").setup(small_demo, ("units", "items", "cases", "evaluations", "complaints"))
    source.run("scan", "--at", SCAN_AT)
    evidence = source.dir / "var" / "media" / "replies" / "回复.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 evidence")
    backup = tmp_path / "govwatch.tar.gz"
    made = source.json("backup", str(backup))
    assert made["rows"] > 10_000 and made["media_files"] == 1

    target = scratch("target")
    report = target.json("restore", str(backup))
    assert report["counts_match"] and report["mismatched"] == {}
    assert report["audit"] == {"ok": True, "rows": 5, "first_broken": None}  # one entry per import
    assert report["media_files"] == 1
    assert (target.dir / "var" / "media" / "replies" / "回复.pdf").read_bytes() == b"%PDF-1.4 evidence"
    assert target.checksum() == source.checksum()
    assert target.json("audit", "verify")["ok"]


def test_a_backup_taken_while_an_import_writes_is_a_consistent_snapshot(scratch, demo_files, tmp_path):
    source = scratch("busy").setup(demo_files)
    importing = source.start("import", "cases", str(demo_files["cases"]))
    time.sleep(1.0)
    backup = tmp_path / "online.tar"
    source.json("backup", str(backup))
    importing.wait(timeout=300)
    report = scratch("copy").json("restore", str(backup))
    # Whatever the moment, the snapshot restores to exactly what its manifest counted.
    assert report["counts_match"] and report["audit"]["ok"]


def test_restore_refuses_a_database_with_data_a_foreign_key_and_a_file_that_is_no_backup(
    scratch, small_demo, tmp_path
):
    source = scratch("one").setup(small_demo)
    backup = tmp_path / "b.tar"
    source.json("backup", str(backup))
    refused = source.run("restore", str(backup), ok=(2,))
    assert "已有数据" in refused.stderr and "--replace" in refused.stderr
    assert source.json("restore", str(backup), "--replace")["counts_match"]

    other_key = scratch("two", GOVWATCH_PII_KEY="ffeeddccbbaa99887766554433221100")
    assert "密钥" in other_key.run("restore", str(backup), ok=(2,)).stderr

    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file")
    assert "无法读取备份文件" in scratch("three").run("restore", str(junk), ok=(2,)).stderr
