"""`govwatch backup FILE` and `govwatch restore FILE`: the database and the media files in one tar.

SQLite: a consistent snapshot taken online with SQLite's backup API (web and workers may keep
writing meanwhile). PostgreSQL: `pg_dump --format=custom` inside a snapshot that the row counts of
the manifest are read in too (`pg_export_snapshot`), so the counts are those of the dump. The media
files (evidence, audit archives) go beside the database. The keys are not in the backup: they are
kept apart (docs/operations.md); the manifest holds a fingerprint of the personal-data key, and a
restore under another key is refused, since the personal data would not decrypt.

The archive: `manifest.json`, `database.sqlite3` or `database.pgdump`, `media/...`; gzip-compressed
when FILE ends in .gz or .tgz.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

FORMAT = "govwatch-backup"
VERSION = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """An unusable backup or target; the message is for the user."""


def key_fingerprint() -> str:
    """Which personal-data key the data was encrypted with, without telling the key."""
    from govwatch.core import pii

    return pii.keyed_hash("govwatch-backup-key-check")


def table_counts(cursor) -> dict[str, int]:
    """Rows per table of every model, read through `cursor` (its transaction's snapshot)."""
    q = connection.ops.quote_name
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed})
    existing = set(connection.introspection.table_names(cursor))
    counts = {}
    for table in tables:
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {q(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _audit_summary(cursor) -> dict[str, Any]:
    cursor.execute("SELECT last_hash, last_id FROM audit_audithead WHERE name = 'audit'")
    head = cursor.fetchone()
    return {"last_hash": head[0] if head else None, "last_id": head[1] if head else None}


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                     ("PGDATABASE", "NAME")):  # fmt: skip
        if db.get(key):
            env[var] = str(db[key])
    return env


def pg_tool(name: str) -> str:
    """Debian's client of the server's major version (pg_dump refuses an older client), else PATH's."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}（请安装 PostgreSQL {major} 的客户端：apt-get install postgresql-client-{major}）"
        )
    return found


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".archive-"))


def _manifest(
    engine: str, counts: dict[str, int], audit: dict[str, Any], media: list[Path]
) -> dict[str, Any]:
    from django.db.migrations.recorder import MigrationRecorder

    applied = sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations())
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "engine": engine,
        "tables": counts,
        "rows": sum(counts.values()),
        "audit": audit,
        "media_files": len(media),
        "migrations": applied,
        "pii_key": key_fingerprint(),
    }


def backup(path: str | Path) -> dict[str, Any]:
    """Write a backup of the database and the media files to `path`; returns its manifest."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="govwatch-backup-", dir=path.parent) as tmp:
        if connection.vendor == "sqlite":
            db_file = Path(tmp) / "database.sqlite3"
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            target = sqlite3.connect(db_file)
            try:
                # The backup API copies a consistent snapshot while other connections keep writing.
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                counts = table_counts(target.cursor())
                audit = _audit_summary(target.cursor())
            finally:
                target.close()
                source.close()
        elif connection.vendor == "postgresql":
            db_file = Path(tmp) / "database.pgdump"
            with connection.cursor() as cursor:
                connection.set_autocommit(False)
                try:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                    counts = table_counts(cursor)
                    audit = _audit_summary(cursor)
                    run = subprocess.run(
                        [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                         "--no-privileges", "--file", str(db_file)],
                        env=_pg_env(), capture_output=True, text=True, check=False,
                    )  # fmt: skip
                finally:
                    connection.rollback()
                    connection.set_autocommit(True)
            if run.returncode != 0:
                raise BackupError(f"pg_dump 失败: {run.stderr.strip()[:500]}")
        else:
            raise BackupError(f"不支持备份 {connection.vendor} 数据库")
        media = _media_files()
        manifest = _manifest(connection.vendor, counts, audit, media)
        (Path(tmp) / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        partial = path.with_name(path.name + ".partial")
        mode = "w:gz" if path.name.endswith((".gz", ".tgz")) else "w"
        with tarfile.open(partial, mode) as tar:
            tar.add(Path(tmp) / MANIFEST, MANIFEST)
            tar.add(db_file, db_file.name)
            root = Path(settings.MEDIA_ROOT)
            for file in media:
                tar.add(file, f"media/{file.relative_to(root).as_posix()}")
        os.chmod(partial, 0o600)  # personal data, encrypted, but a backup is still evidence
        os.replace(partial, path)  # never a half-written file under the name asked for
    return manifest


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
        manifest = json.loads(member.read().decode("utf-8")) if member else None
    except (KeyError, ValueError) as exc:
        raise BackupError("不是 GovWatch 备份文件（缺少 manifest.json）") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("不是 GovWatch 备份文件")
    if manifest.get("version") != VERSION:
        raise BackupError(f"备份格式版本 {manifest.get('version')} 不受支持（本程序为 {VERSION}）")
    return manifest


def database_is_empty() -> bool:
    existing = set(connection.introspection.table_names())
    if "cases_case" not in existing:
        return True
    with connection.cursor() as cursor:
        for table in ("cases_case", "orgs_unit", "audit_auditentry"):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                return False
    return True


def restore(path: str | Path, replace: bool = False) -> dict[str, Any]:
    """Restore the database and the media files from a backup, then check the row counts against
    the manifest and verify the audit chain. Stop the web and the workers first."""
    path = Path(path)
    try:
        tar = tarfile.open(path)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 {path}: {exc}") from exc
    with tar, tempfile.TemporaryDirectory(prefix="govwatch-restore-") as tmp:
        manifest = read_manifest(tar)
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"这是 {manifest['engine']} 数据库的备份，当前数据库是 {connection.vendor}")
        if manifest["pii_key"] != key_fingerprint():
            raise BackupError("备份数据使用的个人信息密钥与当前 GOVWATCH_PII_KEY 不同：请先配置备份时的密钥")
        if not replace and not database_is_empty():
            raise BackupError("当前数据库已有数据；确认用备份覆盖请加 --replace")
        tar.extractall(tmp, filter="data")
        if connection.vendor == "sqlite":
            _restore_sqlite(Path(tmp) / "database.sqlite3")
        else:
            _restore_postgresql(Path(tmp) / "database.pgdump")
        media = _restore_media(Path(tmp) / "media")
    connections.close_all()
    with connection.cursor() as cursor:
        counts = table_counts(cursor)
    from govwatch.audit.log import verify

    audit = verify()
    mismatched = {
        t: {"backup": n, "restored": counts.get(t)}
        for t, n in manifest["tables"].items()
        if counts.get(t) != n
    }
    return {
        "restored": str(path),
        "created_at": manifest["created_at"],
        "rows": sum(counts.values()),
        "tables": len(counts),
        "counts_match": not mismatched,
        "mismatched": mismatched,
        "media_files": media,
        "audit": audit.as_dict(),
    }


def _restore_sqlite(snapshot: Path) -> None:
    target_name = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    source = sqlite3.connect(snapshot)
    target = sqlite3.connect(target_name, timeout=30)
    try:
        # Page by page into the live file, under its write lock: other connections see the old
        # database or the restored one, never a mixture.
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgresql(dump: Path) -> None:
    connections.close_all()
    run = subprocess.run(
        [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", "--dbname", settings.DATABASES["default"]["NAME"], str(dump)],
        env=_pg_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0:
        raise BackupError(f"pg_restore 失败（数据库未改动）: {run.stderr.strip()[:500]}")


def _restore_media(source: Path) -> int:
    if not source.exists():
        return 0
    root = Path(settings.MEDIA_ROOT)
    count = 0
    for file in source.rglob("*"):
        if file.is_file():
            target = root / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
            count += 1
    return count
