"""SQLite with its connections kept across requests, each let go when the file under the
database's name is no longer the file it opened.

Opening and closing a connection per request cost more than the busiest POST's own work (closing
the last one also checkpoints the WAL). A kept connection goes on reading the file it opened,
though: if another file is moved into place under the same name (an operator's `mv`, a copy
restored by hand), it would serve the old, unlinked one. So the file's identity (device and inode)
is noted when a connection opens and compared before each request's first query (Django's health
check, `CONN_HEALTH_CHECKS`): a connection to another file is closed and opened again. `govwatch
restore` writes into the live file under its lock (SQLite's backup API), which kept connections
see by themselves.
"""

from __future__ import annotations

import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _opened: tuple[int, int] | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self._opened = self._file()
        return connection

    def _file(self) -> tuple[int, int] | None:
        """The device and inode of the file under the database's name (None: in memory, or none)."""
        if self.is_in_memory_db():
            return None
        try:
            stat = os.stat(self.settings_dict["NAME"])
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def is_usable(self) -> bool:
        return self._opened == self._file()
