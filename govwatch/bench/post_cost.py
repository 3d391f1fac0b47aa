"""The CPU cost of one public evaluation POST against the floor's, in process: the WSGI application
(govwatch.wsgi) called directly (no server, no network but the database's), so what is measured is
the request's own work: every middleware (or the POST's own path), the view and its statements.

    python -m govwatch.bench.post_cost [N] [--postgresql]

in a fresh GOVWATCH_VAR_DIR. It makes N cases completed an hour ago (bench.public's region), fetches
each one's form, then times N-20 GETs of `/healthz` (the floor) and N-20 POSTs (one evaluation per
case), after 20 of each to warm up, one after the other in one thread. --postgresql runs it on a
throw-away PostgreSQL cluster from Debian's packages (govwatch.ops.pgcluster) and also counts that
server's CPU time (every process of the cluster, from /proc). Prints one JSON document.

GOVWATCH_BENCH_THREADS=N shares the requests among N threads at once, as a gunicorn process's
threads do (so that the POSTs' group commit has batches to form). GOVWATCH_BENCH_PROFILE=1 posts
half of the forms again under cProfile and adds each part's share of a POST (`PARTS`).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie

FIELD = re.compile(r'name="(csrfmiddlewaretoken|stamp)" value="([^"]+)"')


def _cluster_cpu_seconds(data_dir: str) -> float:
    """User and system CPU seconds of the cluster's postmaster and all its children so far."""
    master = open(f"{data_dir}/postmaster.pid").readline().strip()
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if pid == master or fields[1] == master:
            total += sum(int(x) for x in fields[11:15])  # its reaped children's too (ended backends)
    return total / os.sysconf("SC_CLK_TCK")


# Where a POST's time goes: (part, the function whose cumulative time is the part's). Each is timed
# inclusive of what it calls, so parts nest (the statements are inside the view).
PARTS = [
    ("the whole request (WSGI application)", "govwatch/wsgi.py", "application"),
    ("request object and body (QueryDict)", "django/http/request.py", "_load_post_and_files"),
    ("CSRF check", "django/middleware/csrf.py", "process_view"),
    ("the POST's own path (an accepted one)", "govwatch/public/leanpost.py", "respond"),
    ("the view (a POST handed to Django)", "govwatch/public/views.py", "_submit"),
    ("the POST read", "govwatch/public/views.py", "read_post"),
    ("the POST taken in (its statements)", "govwatch/public/views.py", "take"),
    ("signed link read", "govwatch/public/tokens.py", "read_token"),
    ("stamp read", "govwatch/public/tokens.py", "read_stamp"),
    ("form validation", "django/forms/forms.py", "full_clean"),
    ("form built", "django/forms/forms.py", "__init__"),
    ("content rules", "govwatch/evaluations/intake.py", "check_content"),
    ("statement 1: the cases' states", "govwatch/public/intake.py", "case_states"),
    ("statement 2: limits and stamps", "govwatch/public/ratelimit.py", "over_many"),
    ("statement 3: the INSERT", "govwatch/public/intake.py", "_insert_many"),
    ("  of which: the fields prepared", "django/db/models/fields/__init__.py", "get_db_prep_save"),
    ("connection health check (SELECT 1)", "django/db/backends/postgresql/base.py", "is_usable"),
    ("every statement in the driver", "psycopg/cursor.py", "execute"),
    ("every statement in Django's cursor", "django/db/backends/utils.py", "execute"),
    ("the redirect", "django/shortcuts.py", "redirect"),
    ("request signals (connections closed or kept)", "django/db/__init__.py", "close_old_connections"),
    ("response headers (CSP)", "csp/middleware.py", "process_response"),
]


def _parts(work, count: int) -> dict[str, float]:
    """Milliseconds per request of each part of PARTS, from cProfile (whose own overhead makes every
    part larger than it is: compare them with each other, and with `cpu_ms` measured without it)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)  # CPU, not the waits for the server
    profiler.runcall(work)
    stats = pstats.Stats(profiler).stats
    parts = {}
    for name, path, function in PARTS:
        total = sum(
            v[3] for (file, _line, func), v in stats.items() if file.endswith(path) and func == function
        )
        parts[name] = round(1000 * total / count, 3)
    return parts


def run(n: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govwatch.settings")
    os.environ.update(
        GOVWATCH_PUBLIC_SUBMITS_PER_MINUTE="100000000", GOVWATCH_PUBLIC_SUBMITS_PER_CASE_HOUR="100000000",
        GOVWATCH_LOG_LEVEL="WARNING",
    )  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from govwatch.bench.public import _region
    from govwatch.bench.public_load import evaluable_tokens

    call_command("migrate", verbosity=0)
    _region(n)
    # The deployment's application: the evaluation POST's own path first (govwatch.public.leanpost).
    from govwatch.wsgi import application as app

    def call(method: str, path: str, body: bytes = b"", cookie: str = "") -> tuple[str, list, bytes]:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
            "SERVER_PORT": "443", "HTTP_HOST": "localhost", "wsgi.url_scheme": "https", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_COOKIE": cookie,
            "HTTP_REFERER": "https://localhost" + path, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": sys.stderr,
        }  # fmt: skip
        answer: dict = {}

        def start(status: str, headers: list, exc_info=None) -> None:
            answer.update(status=status, headers=headers)

        content = b"".join(app(environ, start))
        return answer["status"], answer["headers"], content

    forms = []
    for token in evaluable_tokens(n):
        _status, headers, content = call("GET", f"/e/{token}/")
        cookie = SimpleCookie()
        for name, value in headers:
            if name.lower() == "set-cookie":
                cookie.load(value)
        fields = dict(FIELD.findall(content.decode()))
        body = (f"csrfmiddlewaretoken={fields['csrfmiddlewaretoken']}&stamp={fields['stamp']}&level=5"
                "&score_efficiency=5&comment=&website=").encode()  # fmt: skip
        forms.append((f"/e/{token}/", body, f"csrftoken={cookie['csrftoken'].value}"))
    time.sleep(max(0.0, float(os.environ.get("GOVWATCH_PUBLIC_MIN_FILL_SECONDS", 0))))

    def posts(batch: list) -> None:
        for path, body, cookie in batch:
            status, _headers, content = call("POST", path, body, cookie)
            if not status.startswith("302"):
                raise RuntimeError(f"POST answered {status}: {content[:300]!r}")

    def floor(count: int) -> None:
        for _ in range(count):
            call("GET", "/healthz")

    # GOVWATCH_BENCH_THREADS: the requests shared by that many threads at once, as a gunicorn
    # process's threads share them (the POSTs' group commit then has batches to form).
    threads = int(os.environ.get("GOVWATCH_BENCH_THREADS", "1"))

    def together(work, items: list) -> None:
        if threads == 1:
            work(items)
            return
        errors: list[BaseException] = []

        def one(part: list) -> None:
            try:
                work(part)
            except BaseException as exc:  # told after the join
                errors.append(exc)
            finally:
                connections.close_all()

        running = [threading.Thread(target=one, args=(items[k::threads],)) for k in range(threads)]
        for thread in running:
            thread.start()
        for thread in running:
            thread.join()
        if errors:
            raise errors[0]

    data_dir = os.environ.get("GOVWATCH_BENCH_PG_DATA", "")
    server = (lambda: _cluster_cpu_seconds(data_dir)) if data_dir else (lambda: 0.0)
    posts(forms[:20])
    floor(20)
    profile = bool(os.environ.get("GOVWATCH_BENCH_PROFILE"))
    # With a profile, the second half of the forms is posted again under cProfile, after the timing.
    measured, measured_again = (
        (forms[20:], []) if not profile else (forms[20 : (n + 20) // 2], forms[(n + 20) // 2 :])
    )
    figures = {}
    for name, work in (
        ("floor_healthz", lambda: together(lambda part: floor(len(part)), measured)),
        ("evaluation_post", lambda: together(posts, measured)),
    ):
        s0, c0, w0 = server(), time.process_time(), time.perf_counter()
        work()
        c, w, s = time.process_time() - c0, time.perf_counter() - w0, server() - s0
        figures[name] = {
            "cpu_ms": round(1000 * c / len(measured), 3), "wall_ms": round(1000 * w / len(measured), 3),
            "database_server_cpu_ms": round(1000 * s / len(measured), 3) if data_dir else None,
        }  # fmt: skip
    if profile:
        figures["post_parts"] = _parts(lambda: posts(measured_again), len(measured_again))
    floor_ms, post_ms = figures["floor_healthz"], figures["evaluation_post"]
    total = post_ms["cpu_ms"] + (post_ms["database_server_cpu_ms"] or 0)
    return {
        "database": connection.vendor, "requests": len(measured), "threads": threads, **figures,
        "post_vs_floor_cpu": round(floor_ms["cpu_ms"] / post_ms["cpu_ms"], 3),
        "post_vs_floor_cpu_with_database_server": round((floor_ms["cpu_ms"]) / total, 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 800
    if "--postgresql" in sys.argv and not os.environ.get("GOVWATCH_BENCH_PG_DATA"):
        from govwatch.ops.pgcluster import PgCluster

        cluster = PgCluster().init()
        try:
            env = {**os.environ, "DATABASE_URL": cluster.url(), "GOVWATCH_BENCH_PG_DATA": cluster.data}
            sys.exit(
                subprocess.run([sys.executable, "-m", "govwatch.bench.post_cost", str(n)], env=env).returncode
            )
        finally:
            cluster.destroy()
    sys.stdout.write(json.dumps(run(n), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
