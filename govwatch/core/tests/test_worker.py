"""`govwatch worker`: the job registry, --once, failures, and graceful stop on SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from govwatch.cli import build_parser
from govwatch.core import worker

# run_job refreshes the database connections around each job, as it must in a long-lived process.
pytestmark = pytest.mark.django_db


def govwatch(*argv: str) -> int:
    """The console command in this process (Django is already set up by pytest-django)."""
    args = build_parser().parse_args(argv)
    return args.func(args)


@pytest.fixture
def registry(monkeypatch):
    """An empty job registry; the apps' own `jobs` modules are not discovered."""
    monkeypatch.setattr(worker, "JOBS", {})
    monkeypatch.setattr(worker, "discover_jobs", lambda: worker.JOBS)
    return worker.JOBS


def test_register_job_rejects_a_period_that_is_not_positive(registry):
    with pytest.raises(ValueError):
        worker.register_job("never", 0, lambda: None)
    assert registry == {}


def test_once_runs_every_registered_job_once(registry):
    ran = []
    worker.register_job("b", 60, lambda: ran.append("b"))
    worker.register_job("a", 3600, lambda: ran.append("a"))

    assert govwatch("worker", "--once") == 0
    assert ran == ["a", "b"]


def test_once_with_no_jobs_exits_0(registry):
    assert govwatch("worker", "--once") == 0


def test_a_failing_job_is_logged_and_the_others_still_run(registry, caplog):
    ran = []

    def boom():
        raise RuntimeError("database went away")

    worker.register_job("boom", 60, boom)
    worker.register_job("ok", 60, lambda: ran.append("ok"))

    with caplog.at_level(logging.INFO, logger="govwatch.worker"):
        assert govwatch("worker", "--once") == 1
    assert ran == ["ok"]
    failed = [r for r in caplog.records if "job boom failed" in r.getMessage()]
    assert failed and failed[0].exc_info and "database went away" in str(failed[0].exc_info[1])


def test_the_loop_repeats_jobs_survives_failures_and_stops_when_asked(registry):
    stop = threading.Event()
    calls = {"tick": 0, "boom": 0}

    def tick():
        calls["tick"] += 1
        # Stopped once both ran again: a loaded machine may give one job several turns in a row.
        if calls["tick"] >= 3 and calls["boom"] >= 2:
            stop.set()

    def boom():
        calls["boom"] += 1
        raise ValueError("bad row")

    worker.register_job("tick", 0.01, tick)
    worker.register_job("boom", 0.01, boom)
    thread = threading.Thread(target=worker.run_forever, args=(list(worker.JOBS.values()), stop))
    thread.start()
    thread.join(timeout=5)

    assert not thread.is_alive()
    assert calls["tick"] >= 3
    assert calls["boom"] >= 2  # it failed, and ran again at its next turn


def test_the_loop_waits_for_the_period(registry):
    stop = threading.Event()
    calls = []
    worker.register_job("hourly", 3600, lambda: calls.append(time.monotonic()))
    thread = threading.Thread(target=worker.run_forever, args=(list(worker.JOBS.values()), stop))
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join(timeout=5)

    assert not thread.is_alive()
    assert len(calls) == 1  # ran at start, then waited (and the wait ended at once on stop)


WORKER_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, time
    # As started by a shell in the foreground, or (argv[2] == "ignore") in the background.
    signal.signal(signal.SIGINT, signal.SIG_IGN if sys.argv[2] == "ignore" else signal.SIG_DFL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govwatch.settings")
    import django
    django.setup()
    from govwatch.cli import main
    from govwatch.core import worker

    marker = sys.argv[1]

    def slow():
        open(marker + ".started", "w").close()
        time.sleep(1.0)
        with open(marker, "a") as fh:
            fh.write("done\\n")

    worker.discover_jobs = lambda: worker.JOBS
    worker.register_job("slow", 0.05, slow)
    sys.exit(main(["worker"]))
    """
)


def _start_worker(tmp_path, sigint: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GOVWATCH_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, str(tmp_path / "marker"), sigint],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_first_turn(proc: subprocess.Popen, tmp_path) -> None:
    deadline = time.monotonic() + 15
    while not (tmp_path / "marker.started").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_lets_the_running_job_finish_then_exits_0(tmp_path, signum):
    proc = _start_worker(tmp_path, "default")
    try:
        _wait_for_first_turn(proc, tmp_path)
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == 0, stderr
    assert (tmp_path / "marker").read_text() == "done\n"  # the running job finished; no new turn began
    assert f"received {signal.Signals(signum).name}" in stderr
    assert "stopped" in stderr


@pytest.mark.slow
def test_a_worker_started_with_sigint_ignored_keeps_ignoring_it(tmp_path):
    """scripts/start runs the worker in the background: Ctrl-C is for the web server, and the
    script then stops the worker with SIGTERM alone."""
    proc = _start_worker(tmp_path, "ignore")
    try:
        _wait_for_first_turn(proc, tmp_path)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == 0, stderr
    assert "received SIGINT" not in stderr and "received SIGTERM" in stderr


@pytest.mark.slow
def test_a_second_signal_exits_at_once(tmp_path):
    proc = _start_worker(tmp_path, "default")
    try:
        _wait_for_first_turn(proc, tmp_path)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == 130, stderr
    assert not (tmp_path / "marker").exists()  # the stuck job was not waited for
    assert "again: exiting now" in stderr


def test_only_runs_the_named_jobs_and_refuses_unknown_ones(registry):
    ran = []
    worker.register_job("a", 60, lambda: ran.append("a"))
    worker.register_job("b", 60, lambda: ran.append("b"))
    assert govwatch("worker", "--once", "--only", "b") == 0
    assert ran == ["b"]
    from govwatch.core.console import UsageError

    with pytest.raises(UsageError, match="未知的任务"):
        govwatch("worker", "--once", "--only", "nope")
