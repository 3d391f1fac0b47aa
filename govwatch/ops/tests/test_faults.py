"""The fault suite: processes killed with SIGKILL at random points, a provider that accepts and then
loses its answer, PostgreSQL restarted under a running web server and worker.

After each crash the same command is simply run again, as an operator (or systemd) would; the
database must then equal that of an uninterrupted run (`govwatch checksum`: every table's rows,
the ids and timestamps of the runs aside) and every message must have reached the provider exactly
once. The kill moments are drawn from GOVWATCH_FAULT_SEED (printed with every failure; set it to
replay one). Run with `bash scripts/test -m faults` (CI runs it on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from govwatch.ops.fakesms import FakeSms
from govwatch.ops.pgcluster import PgCluster, free_port, pg_bin_dir

from .conftest import Scratch, installations

pytestmark = pytest.mark.faults
# The tests that share the `pair` of installations run on one xdist worker (`--dist loadgroup`), so
# the pair is set up once rather than once per worker.
on_the_pair = pytest.mark.xdist_group("fault-pair")

SEED = int(os.environ.get("GOVWATCH_FAULT_SEED") or random.randrange(1_000_000))
# The first scan re-evaluates every case (the long one); the second only what changed since.
SCAN_MOMENTS = ("2026-06-15T09:00:00", "2026-09-14T09:00:00")
# Leases short enough that a crashed holder is replaced within the test; the case file sorted
# through the on-disk table, as a province's is.
FAST = {
    "GOVWATCH_SCAN_LEASE_SECONDS": "1",
    "GOVWATCH_NOTIFY_LEASE_SECONDS": "1",
    "GOVWATCH_NOTIFY_TIMEOUT_SECONDS": "2",
    "GOVWATCH_IMPORT_MEMORY_ROWS": "20000",
}


def differences(a: dict, b: dict) -> list[str]:
    return [
        t for t in sorted(set(a["tables"]) | set(b["tables"])) if a["tables"].get(t) != b["tables"].get(t)
    ]


def killed_at_random_points(s: Scratch, rng: random.Random, args: tuple[str, ...], seconds: float,
                            kills: int = 3, env: dict | None = None) -> list[float]:  # fmt: skip
    """Start `govwatch *args`, SIGKILL it at a random moment of a run that takes about `seconds`,
    `kills` times; then run it once more to its end. Returns the moments."""
    moments = []
    for _ in range(kills):
        process = s.start(*args, env=env)
        moment = round(rng.uniform(0.1, 0.95) * seconds, 2)
        try:
            process.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        moments.append(moment)
    s.run(*args, env=env)
    return moments


def timed(s: Scratch, *args: str, env: dict | None = None) -> float:
    began = time.monotonic()
    s.run(*args, env=env)
    return time.monotonic() - began


class Pair:
    """Two installations fed the same data: `straight` runs each step once, `killed` is killed."""

    def __init__(self, straight: Scratch, killed: Scratch, demo: dict):
        self.straight, self.killed, self.demo = straight, killed, demo
        self.done: set[str] = set()

    def both(self, *args: str) -> None:
        for s in (self.straight, self.killed):
            s.run(*args)

    def imported(self) -> None:
        if "import" not in self.done:
            self.both("import", "cases", str(self.demo["cases"]))
            self.done.add("import")

    def scanned(self) -> None:
        self.imported()
        if "scan" not in self.done:
            for moment in SCAN_MOMENTS:
                self.both("scan", "--at", moment)
            self.done.add("scan")

    def assert_same(self, context: str) -> None:
        a, b = self.straight.checksum(), self.killed.checksum()
        assert a["sha256"] == b["sha256"], (
            f"{context} (GOVWATCH_FAULT_SEED={SEED}): differ in {differences(a, b)}"
        )


@pytest.fixture(scope="module")
def pair(tmp_path_factory, demo_files, migrated):
    with installations(tmp_path_factory.mktemp("faults"), migrated) as make:
        straight, killed = make("straight", **FAST), make("killed", **FAST)
        for s in (straight, killed):
            s.setup(demo_files)
        yield Pair(straight, killed, demo_files)


@pytest.fixture
def rng():
    return random.Random(SEED)


@on_the_pair
def test_an_import_killed_at_random_points_and_run_again_equals_an_uninterrupted_one(pair, rng):
    args = ("import", "cases", str(pair.demo["cases"]))
    seconds = timed(pair.straight, *args)
    moments = killed_at_random_points(pair.killed, rng, args, seconds)
    pair.done.add("import")
    pair.assert_same(f"import killed at {moments} s")
    # The re-run found what the killed runs had stored: nothing imported twice.
    assert pair.killed.json("audit", "verify")["ok"]
    # The evidence of each killed run is kept: found by the re-run, marked interrupted, audited.
    # The last line: Django's shell may first say what it imported.
    runs = json.loads(
        pair.killed.run("manage", "shell", "-c", RUNS_AND_ENTRIES).stdout.strip().splitlines()[-1]
    )
    assert "进行中" not in runs["statuses"], runs
    assert runs["statuses"].count("中断") == runs["interrupted_entries"], runs


RUNS_AND_ENTRIES = """
import json
from govwatch.audit.models import AuditEntry
from govwatch.imports.models import ImportRun
print(json.dumps({"statuses": [r.status for r in ImportRun.objects.order_by("id")],
                  "interrupted_entries": AuditEntry.objects.filter(action="import.interrupted").count()}))
"""


@on_the_pair
def test_a_scan_killed_at_random_points_and_run_again_equals_an_uninterrupted_one(pair, rng):
    pair.imported()
    moments = {}
    for moment in SCAN_MOMENTS:
        seconds = timed(pair.straight, "scan", "--at", moment)
        moments[moment] = killed_at_random_points(
            pair.killed, rng, ("scan", "--at", moment), seconds, kills=2
        )
    pair.done.add("scan")
    pair.assert_same(f"scans killed at {moments}")


def all_sent(s: Scratch) -> tuple[int, int]:
    rows = s.json("notifications", "list")
    return sum(r["status"] == "sent" for r in rows), len(rows)


@on_the_pair
def test_a_dispatching_worker_killed_anywhere_sends_every_message_exactly_once(pair, rng):
    pair.scanned()
    straight_sms, killed_sms = FakeSms().start(), FakeSms().start()
    try:
        for fake in (straight_sms, killed_sms):
            fake.delay = 0.02
        began = time.monotonic()
        pair.straight.run("worker", "--once", "--only", "dispatch", env=straight_sms.environment("aliyun"))
        seconds = time.monotonic() - began
        sent, total = all_sent(pair.straight)
        assert total > 50 and sent == total and set(straight_sms.deliveries().values()) == {1}

        env = killed_sms.environment("aliyun")
        # The crash between the provider's acceptance and the commit: the provider takes the third
        # message, then the worker dies before it hears the answer.
        killed_sms.mode = lambda now: "accept_kill" if len(killed_sms.requests) == 2 else "ok"
        worker = pair.killed.start("worker", "--only", "dispatch", env=env, log="worker.log")
        killed_sms.kill_pid = worker.pid
        assert worker.wait(timeout=120) == -signal.SIGKILL
        killed_sms.mode = "ok"
        moments = []
        for _ in range(2):
            worker = pair.killed.start("worker", "--only", "dispatch", env=env, log="worker.log")
            moment = round(rng.uniform(0.5, max(seconds, 1.0)), 2)
            time.sleep(moment)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            moments.append(moment)
        worker = pair.killed.start("worker", "--only", "dispatch", env=env, log="worker.log")
        deadline = time.monotonic() + 90
        while all_sent(pair.killed)[0] < total and time.monotonic() < deadline:
            time.sleep(1)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        deliveries = killed_sms.deliveries()
        context = f"GOVWATCH_FAULT_SEED={SEED}, kills at {moments} s"
        assert all_sent(pair.killed) == (total, total), context
        assert len(deliveries) == total and {n for n in deliveries.values()} == {1}, (
            f"{context}: sent twice: {[i for i, n in deliveries.items() if n > 1]}"
        )
        assert killed_sms.queries >= 1  # the message in doubt was looked up, not sent again
        pair.assert_same(f"dispatch killed at {moments} s")
    finally:
        straight_sms.stop()
        killed_sms.stop()


# Received evaluations of completed cases, as the public page writes them (one per case, an hour
# after the case was completed, every level; the negative ones open the negative loop).
SUBMISSIONS = 400
RECEIVE = f"""
SUBMISSIONS = {SUBMISSIONS}
from datetime import timedelta
from govwatch.cases.models import Case
from govwatch.core.choices import CaseStatus
from govwatch.public.intake import receive
cases = Case.objects.filter(status=CaseStatus.COMPLETED).order_by("case_no")[:SUBMISSIONS]
for i, case in enumerate(cases):
    level = i % 5 + 1
    receive(case_no=case.case_no, channel="web", window_code="", level=level, scores={{}},
            tags=["slow"] if level <= 2 else [], comment="", source="127.0.0.1",
            at=case.closed_at + timedelta(hours=1))
"""
RECORDED = """
import json
from django.db.models import Count
from govwatch.evaluations.models import Evaluation
from govwatch.public.models import Submission
print(json.dumps({"states": dict(Submission.objects.values_list("state").annotate(n=Count("id"))),
                  "evaluations": Evaluation.objects.count(),
                  "of_submitted_cases": Evaluation.objects.filter(
                      case_id__in=Submission.objects.values("case_no")).values("case_id").distinct().count()}))
"""


def recorded(s: Scratch) -> dict:
    return json.loads(s.run("manage", "shell", "-c", RECORDED).stdout.strip().splitlines()[-1])


@on_the_pair
def test_an_intake_worker_killed_anywhere_records_every_received_evaluation_exactly_once(pair, rng):
    pair.imported()
    intake = ("worker", "--once", "--only", "public-evaluation-intake")
    for s in (pair.straight, pair.killed):
        s.run("manage", "shell", "-c", RECEIVE)
    seconds = timed(pair.straight, *intake)
    assert recorded(pair.straight)["states"] == {"taken": SUBMISSIONS}

    # Killed twice at random moments of its run, then run again to its end.
    moments = killed_at_random_points(pair.killed, rng, intake, seconds, kills=2)
    context = f"GOVWATCH_FAULT_SEED={SEED}, intake killed at {moments} s of {seconds:.1f} s"
    got = recorded(pair.killed)
    assert got["states"] == {"taken": SUBMISSIONS}, context
    # One evaluation per submission, none recorded twice nor lost (the case's eval_id is unique).
    assert got["of_submitted_cases"] == SUBMISSIONS, context
    assert got["evaluations"] == recorded(pair.straight)["evaluations"], context
    assert pair.killed.json("audit", "verify")["ok"], context
    pair.assert_same(f"intake killed at {moments} s")


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def wait_for(predicate, seconds: float, what: str = "did not recover in time") -> float:
    """Seconds until predicate() held; fails after `seconds`."""
    began = time.monotonic()
    while not predicate():
        assert time.monotonic() - began < seconds, what
        time.sleep(0.25)
    return time.monotonic() - began


@pytest.mark.skipif(pg_bin_dir() is None, reason="PostgreSQL is not installed (apt-get install postgresql)")
def test_postgresql_restarted_under_a_running_web_server_and_worker_both_recover_by_themselves(
    tmp_path, small_demo, migrated
):
    cluster = PgCluster().init()
    sms = FakeSms().start()
    try:
        s = Scratch(
            tmp_path,
            "pg",
            cluster.url(),
            {**FAST, **sms.environment("aliyun"), "GOVWATCH_WEB_WORKERS": "2"},
            migrated,
        )
        s.setup(small_demo, ("units", "items", "cases"))
        port = free_port()
        web = s.start("serve", "--host", "127.0.0.1", "--port", str(port), log="web.log")
        worker = s.start("worker", "--only", "dispatch", log="worker.log")
        base = f"http://127.0.0.1:{port}"
        # Two gunicorn workers booting Django: a minute or more on a loaded machine.
        wait_for(lambda: get(f"{base}/healthz/db") == 200, 120, "the web server did not answer")

        log = s.dir / "worker.log"
        before = log.stat().st_size
        cluster.stop()
        assert get(f"{base}/healthz/db") == 503  # the web says so, and stays up
        assert get(f"{base}/healthz") == 200
        # The worker's next dispatch (every 10 s) meets the outage; on a loaded machine it may come later.
        wait_for(
            lambda: b"job dispatch failed" in log.read_bytes()[before:],
            120,
            "the worker never met the outage",
        )
        cluster.start()

        recovered = wait_for(lambda: get(f"{base}/healthz/db") == 200, 30)
        assert get(f"{base}/login/") == 200
        queued = s.json("scan", "--at", SCAN_MOMENTS[0])["notifications_queued"]
        assert queued > 0
        wait_for(lambda: sum(sms.deliveries().values()) >= queued, 60)
        assert web.poll() is None and worker.poll() is None, "neither process died"
        assert set(sms.deliveries().values()) == {1}
        print(f"web answered again {recovered:.2f} s after PostgreSQL was back")
    finally:
        sms.stop()
        for process in getattr(locals().get("s"), "processes", []):
            process.kill()
        cluster.destroy()
