"""Benchmark: every page of the navigation and the main detail pages, as each role, at province scale.

The section uses a region already loaded (`--pages-region DIR`, a GOVWATCH_VAR_DIR holding one,
e.g. from `govwatch demo-data --scale province --fraction 0.2` and `govwatch demo-load`), or makes
one in its temporary directory with `--province-fraction`. It starts `govwatch serve` on a free
loopback port, signs each demo role in (a session made as the login view makes it), reads the
pages linked from that role's navigation, then the first detail page each list links to and a few
pages people open from there (a report for the year and one level down, a unit search), and times
`requests` sequential GETs of each on one keep-alive connection, after one untimed GET. The baseline
is the trivial page of the same server in the same run: the login form, which reads nothing.

Also timed, in this process on the same database: `report kpi` for a month and a year from the
pre-computed figures and from the raw rows (`kpi_rows_raw`), and the command itself in a process of
its own beside the start-up of a command that reads nothing (`govwatch calendar add-days`).
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from govwatch.bench import duck
from govwatch.bench.public import _free_port, _wait_for

ROLES = ("office", "supervisor", "leader", "unitstaff")
# Links that are not pages to read: leaving, static files, the admin, downloads.
SKIP = re.compile(r"^/(logout|static|admin|api|e/)|\.(csv|xlsx|docx|pdf|png|svg|zip)(\?|$)|/download/")
HREF = re.compile(r'href="([/?][^"#]*)"')
NAV = re.compile(r"<nav[^>]*>(.*?)</nav>", re.S)


def _region(fraction: float, seed: int) -> None:
    from govwatch.demo.generator import generate
    from govwatch.demo.loading import load_demo

    out = Path(settings.VAR_DIR) / "demo"
    generate(out, scale="province", seed=seed, fraction=fraction)
    load_demo(out, report=lambda row: None)


def _sessions() -> dict[str, str]:
    """A signed-in session per demo role, as django.contrib.auth.login makes it (in the session
    engine of the settings: the database's, or signed cookies when the region is read as it is)."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from govwatch.demo.users import ensure_demo_users

    if not getattr(settings, "READ_ONLY", False):
        ensure_demo_users()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = {}
    for user in get_user_model().objects.filter(username__in=ROLES):
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        sessions[user.username] = store.session_key
    missing = set(ROLES) - set(sessions)
    if missing:
        raise RuntimeError(f"数据目录缺少演示账号: {', '.join(sorted(missing))}")
    return sessions


class Browser:
    """One keep-alive connection with a session cookie."""

    def __init__(self, port: int, session: str | None):
        self.port = port
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session}" if session else ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def get(self, path: str) -> tuple[int, bytes, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        began = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
            body = response.read()
        return response.status, body, time.perf_counter() - began

    def time(self, path: str, requests: int) -> dict[str, Any]:
        status, body, _ = self.get(path)  # untimed: caches warm, the session saved once
        times = []
        for _ in range(requests):
            status, body, seconds = self.get(path)
            times.append(seconds * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return {"path": path, "status": status, "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1), "kib": round(len(body) / 1024, 1)}  # fmt: skip


def _links(html: str, base: str = "/") -> list[str]:
    """The page's links to pages of the site; a bare query is on the page's own path."""
    return [base + unescape(h) if h.startswith("?") else unescape(h) for h in HREF.findall(html)]


def _pages_of(browser: Browser) -> list[str]:
    """The role's navigation, then the first detail page of each list and the pages people open next."""
    _, body, _ = browser.get("/")
    html = body.decode("utf-8", "replace")
    nav = "".join(NAV.findall(html)) or html
    pages = ["/"] + [h for h in dict.fromkeys(_links(nav)) if h != "/" and not SKIP.search(h)]
    details = []
    for page in list(pages):
        _, body, _ = browser.get(page)
        base = urlsplit(page).path
        deeper = [
            h
            for h in _links(body.decode("utf-8", "replace"), base)
            if urlsplit(h).path.startswith(base)
            and urlsplit(h).path != base
            and not urlsplit(h).query
            and not SKIP.search(h)
        ]
        # A record's own page first (its last segment holds a number or a code), else a sub-page.
        records = [h for h in deeper if re.search(r"\d", h.rstrip("/").rsplit("/", 1)[-1])]
        details += (records or deeper)[:1]
    today = timezone.localdate()
    extra = [
        f"/reports/?date_from={today.year}-01-01&date_to={today:%Y-%m-%d}",
        "/units/?q=%E8%A1%97%E9%81%93",
    ]
    _, body, _ = browser.get("/reports/")
    drill = [
        h
        for h in _links(body.decode("utf-8", "replace"), "/reports/")
        if h.startswith("/reports/?") and "unit=" in h
    ]
    return list(dict.fromkeys(pages + details + extra + drill[:1]))


def _kpi_timings() -> dict[str, Any]:
    from govwatch.reports.figures import kpi_rows, kpi_rows_raw

    today = timezone.localdate()
    month = (today.replace(day=1), today)
    year = (today.replace(month=1, day=1), today)
    kpi_rows(*month)  # folds anything left stale, so that what follows reads only
    result: dict[str, Any] = {}
    for name, period in (("month", month), ("year", year)):
        for label, function in (("aggregates", kpi_rows), ("raw", kpi_rows_raw)):
            began = time.perf_counter()
            rows = function(*period)
            result[f"{name}_{label}_s"] = round(time.perf_counter() - began, 3)
        result[f"{name}_rows"] = len(rows)
        result[f"{name}_ratio_raw_to_aggregates"] = round(
            result[f"{name}_raw_s"] / result[f"{name}_aggregates_s"], 1
        )
    env = {**os.environ, "GOVWATCH_VAR_DIR": str(settings.VAR_DIR)}

    def command(*args: str) -> float:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "govwatch.cli", *args], env=env, stdout=subprocess.DEVNULL, check=True
        )
        return round(time.perf_counter() - began, 3)

    result["command_month_s"] = command(
        "report", "kpi", "--from", month[0].isoformat(), "--to", month[1].isoformat(), "--format", "json"
    )
    result["command_startup_s"] = command(
        "calendar", "add-days", month[0].isoformat(), "1", "--format", "json"
    )
    return result


def run(
    region: str = "", fraction: float = 0.2, seed: int = 1, requests: int = 5, kpi: bool = True
) -> dict[str, Any]:
    from govwatch.orgs.models import Unit

    if not region:
        _region(fraction, seed)
    sessions = _sessions()
    port = _free_port()
    env = {**os.environ, "GOVWATCH_VAR_DIR": str(settings.VAR_DIR), "GOVWATCH_WEB_WORKERS": "2"}
    server = subprocess.Popen(
        [sys.executable, "-m", "govwatch.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    report: dict[str, Any] = {"units": Unit.objects.count(), "requests_per_page": requests}
    try:
        _wait_for(port)
        anonymous = Browser(port, None)
        report["baseline_login_page"] = anonymous.time("/login/", requests)
        roles = {}
        for role in ROLES:
            browser = Browser(port, sessions[role])
            roles[role] = [browser.time(page, requests) for page in _pages_of(browser)]
        report["roles"] = roles
        report["baseline_login_page_after"] = anonymous.time("/login/", requests)
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = [page for pages in report["roles"].values() for page in pages]
    report["slowest_p95_ms"] = max(p["p95_ms"] for p in every)
    report["largest_kib"] = max(p["kib"] for p in every)
    report["over_500_ms"] = sorted({p["path"] for p in every if p["p95_ms"] > 500})
    report["over_300_kib"] = sorted({p["path"] for p in every if p["kib"] > 300})
    report["read_only"] = getattr(settings, "READ_ONLY", False)
    if kpi:
        report["kpi"] = _kpi_timings()
        today = timezone.localdate()
        report["kpi"]["duckdb_month"] = duck.compare(today.replace(day=1), today)
    return report
