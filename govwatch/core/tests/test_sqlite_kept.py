"""SQLite connections kept across requests (govwatch.core.sqlite): usable while the file under the
database's name is the one they opened, let go when another is moved in."""

from __future__ import annotations

import os
import sqlite3

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These tests open SQLite files of their own, not the test database."""
    with django_db_blocker.unblock():
        yield


def _database(path, value: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES (?)", [value])
    db.close()


def _kept(path):
    settings = {
        "ENGINE": "govwatch.core.sqlite",
        "NAME": str(path),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    return ConnectionHandler({"default": settings})["default"]


def _read(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM t")
        return cursor.fetchone()[0]


def test_a_kept_connection_is_let_go_when_another_file_is_moved_in(tmp_path):
    path, other = tmp_path / "govwatch.sqlite3", tmp_path / "restored.sqlite3"
    _database(path, "old")
    connection = _kept(path)
    try:
        assert _read(connection) == "old" and connection.is_usable()
        _database(other, "new")
        os.replace(other, path)
        assert not connection.is_usable()
        # What Django does before a request's first query on a kept connection.
        connection.health_check_done = False
        connection.close_if_health_check_failed()
        assert _read(connection) == "new" and connection.is_usable()
    finally:
        connection.close()


def test_a_restore_into_the_live_file_keeps_the_connection_and_shows_the_restored_rows(tmp_path):
    path, snapshot = tmp_path / "govwatch.sqlite3", tmp_path / "snapshot.sqlite3"
    _database(path, "old")
    _database(snapshot, "restored")
    connection = _kept(path)
    try:
        assert _read(connection) == "old"
        source, target = sqlite3.connect(snapshot), sqlite3.connect(path)
        source.backup(target)  # as `govwatch restore` writes a SQLite backup
        source.close()
        target.close()
        assert connection.is_usable()
        assert _read(connection) == "restored"
    finally:
        connection.close()
