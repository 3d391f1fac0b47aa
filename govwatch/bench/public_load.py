"""Load benchmark of the public evaluation form against a running `govwatch serve` on loopback.

Each token is one case to evaluate: its form is fetched first (the CSRF cookie, the form's CSRF
token and its signed stamp), then, once the minimum fill time has passed, the evaluations are
POSTed by `concurrency` threads, each on its own keep-alive connection, until every token is used
or `seconds` have passed. Only the POSTs are measured. A success is the redirect to the thank-you
page; anything else counts as an error (a 429 means the server's per-address limit is on: start it
with GOVWATCH_PUBLIC_SUBMITS_PER_MINUTE and GOVWATCH_PUBLIC_SUBMITS_PER_CASE_HOUR raised, as every
request comes from 127.0.0.1).

    from govwatch.bench.public_load import bench_public_submissions, evaluable_tokens
    tokens = evaluable_tokens(2000)          # in a process with the server's settings and database
    bench_public_submissions("http://127.0.0.1:8000", tokens, seconds=30, concurrency=8)
"""

from __future__ import annotations

import http.client
import ipaddress
import queue
import re
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

MAX_TOKENS = 100_000
MAX_CONCURRENCY = 64
MAX_SECONDS = 600
FIELD = re.compile(r'name="(csrfmiddlewaretoken|stamp)" value="([^"]+)"')


class _Client:
    """One keep-alive connection (re-opened by http.client when the server closes it)."""

    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response.status, response.getheaders(), response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise


def _loopback(base_url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not (host == "localhost" or ipaddress.ip_address(host).is_loopback):
        raise ValueError(f"the benchmark only runs against http:// on loopback, not {base_url!r}")
    return host, parts.port or 80


def _prepare(client: _Client, token: str) -> dict | None:
    """The cookie and the form fields of one token's form, or None if the form is not offered."""
    status, headers, body = client.request("GET", f"/e/{token}/")
    if status != 200:
        return None
    fields = dict(FIELD.findall(body.decode()))
    cookie = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            cookie.load(value)
    if "csrftoken" not in cookie or len(fields) != 2:
        return None
    return {"token": token, "cookie": cookie["csrftoken"].value, **fields}


def _run(workers: int, work) -> None:
    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _percentile(sorted_ms: list[float], fraction: float) -> float | None:
    if not sorted_ms:
        return None
    return round(sorted_ms[min(len(sorted_ms) - 1, int(fraction * len(sorted_ms)))], 1)


def bench_public_submissions(base_url: str, tokens: list[str], seconds: float, concurrency: int) -> dict:
    """POST one evaluation per token; {"requests", "rps", "p50_ms", "p99_ms", "errors"} of the POSTs,
    plus "prepared" (forms fetched) and "statuses" (count per HTTP status)."""
    host, port = _loopback(base_url)
    if not 0 < len(tokens) <= MAX_TOKENS:
        raise ValueError(f"between 1 and {MAX_TOKENS} tokens")
    if not 0 < concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency between 1 and {MAX_CONCURRENCY}")
    seconds = min(float(seconds), MAX_SECONDS)

    todo: queue.Queue[str] = queue.Queue()
    for token in tokens:
        todo.put(token)
    forms: list[dict] = []
    lock = threading.Lock()
    prepare_until = time.monotonic() + seconds

    def prepare() -> None:
        client = _Client(host, port)
        while time.monotonic() < prepare_until:
            try:
                token = todo.get_nowait()
            except queue.Empty:
                return
            try:
                form = _prepare(client, token)
            except (OSError, http.client.HTTPException):
                form = None
            if form is not None:
                with lock:
                    forms.append(form)

    _run(concurrency, prepare)
    # Every stamp must be older than the server's minimum fill time (2 s by default).
    time.sleep(2.2)

    ready: queue.Queue[dict] = queue.Queue()
    for form in forms:
        ready.put(form)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    started = time.monotonic()
    deadline = started + seconds

    def submit() -> None:
        client = _Client(host, port)
        while time.monotonic() < deadline:
            try:
                form = ready.get_nowait()
            except queue.Empty:
                return
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"], "stamp": form["stamp"], "level": "5",
                 "score_efficiency": "5", "comment": "", "website": ""}
            )  # fmt: skip
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={form['cookie']}",
            }
            t0 = time.perf_counter()
            try:
                status, _headers, _body = client.request("POST", f"/e/{form['token']}/", body, headers)
                key = str(status)
            except (OSError, http.client.HTTPException) as exc:
                key = type(exc).__name__
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[key] = statuses.get(key, 0) + 1

    _run(concurrency, submit)
    wall = time.monotonic() - started
    latencies.sort()
    requests = len(latencies)
    return {
        "requests": requests,
        "rps": round(requests / wall, 1) if wall > 0 else None,
        "p50_ms": _percentile(latencies, 0.50),
        "p99_ms": _percentile(latencies, 0.99),
        "errors": requests - statuses.get("302", 0),
        "prepared": len(forms),
        "statuses": statuses,
    }


def evaluable_tokens(limit: int) -> list[str]:
    """Web-channel tokens of up to `limit` completed cases still open for evaluation, not yet
    evaluated nor submitted (in a process configured like the server: same settings, same database)."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from govwatch.cases.models import Case
    from govwatch.core.choices import CaseStatus
    from govwatch.core.localtime import local_date, start_of_day
    from govwatch.evaluations.models import Evaluation
    from govwatch.public.models import Submission
    from govwatch.public.tokens import make_token

    now = timezone.now()
    opened_after = start_of_day(local_date(now) - timedelta(days=settings.EVALUATION_WINDOW_DAYS))
    case_nos = (
        Case.objects.filter(status=CaseStatus.COMPLETED, closed_at__gte=opened_after, closed_at__lte=now)
        .exclude(Exists(Evaluation.objects.filter(case_id=OuterRef("case_no"))))
        .exclude(Exists(Submission.objects.filter(case_no=OuterRef("case_no"))))
        .values_list("case_no", flat=True)[: min(limit, MAX_TOKENS)]
    )
    return [make_token(case_no) for case_no in case_nos]


def bench_floor(base_url: str, seconds: float, concurrency: int) -> dict:
    """GET /healthz (a view that touches no database, through every middleware) from `concurrency`
    keep-alive connections for `seconds`: the server's own floor, to quote the POSTs against."""
    host, port = _loopback(base_url)
    if not 0 < concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency between 1 and {MAX_CONCURRENCY}")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def warm() -> None:  # a fresh server loads its code on its first requests: not the floor
        for _ in range(5):
            _Client(host, port).request("GET", "/healthz")

    _run(concurrency, warm)
    started = time.monotonic()
    deadline = started + min(float(seconds), MAX_SECONDS)

    def get() -> None:
        client = _Client(host, port)
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                status = client.request("GET", "/healthz")[0]
            except (OSError, http.client.HTTPException):
                status = 0
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += status != 200

    _run(concurrency, get)
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies), "rps": round(len(latencies) / wall, 1) if wall > 0 else None,
        "p50_ms": _percentile(latencies, 0.50), "p99_ms": _percentile(latencies, 0.99), "errors": errors[0],
    }  # fmt: skip
