"""Settings for timing pages on a region that must stay as it is (`bench --only pages --pages-region`).

The database is opened read-only (SQLite's `mode=ro`), so a page that writes fails with an error
the benchmark reports as its status instead of changing the region, and the sessions the benchmark
signs its roles in with live in signed cookies, not in the database. Sessions last a day, so a
long run on a whole province keeps them.
"""

from __future__ import annotations

from urllib.parse import quote

from govwatch.settings import *  # noqa: F403
from govwatch.settings import DATABASES, VAR_DIR

READ_ONLY = True
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_AGE = 24 * 3600

if DATABASES["default"]["ENGINE"] == "govwatch.core.sqlite":
    DATABASES["default"]["NAME"] = "file:" + quote(str(VAR_DIR / "govwatch.sqlite3")) + "?mode=ro"
    DATABASES["default"]["OPTIONS"]["uri"] = True
