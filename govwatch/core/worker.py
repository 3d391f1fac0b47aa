"""`govwatch worker`: the background process that runs the periodic jobs.

An app registers its jobs in a module `jobs.py` (found in every installed app when the worker
starts) or anywhere imported at start-up::

    from govwatch.core.worker import register_job

    register_job("scan", 60, run_scan)

A job is a function without arguments. The worker keeps no state of its own, so several worker
processes may run side by side: a job claims its work in the database (a conditional UPDATE), never
in the worker. A job that raises is logged with its traceback and runs again at its next turn; it
never stops the worker. SIGTERM or SIGINT lets the running job finish, then the worker exits 0; a
second signal exits at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, UsageError

logger = logging.getLogger("govwatch.worker")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    func: Callable[[], object]


JOBS: dict[str, Job] = {}


def register_job(name: str, every_seconds: float, func: Callable[[], object]) -> Job:
    """Run `func()` every `every_seconds` in each worker; registering a name again replaces it."""
    if every_seconds <= 0:
        raise ValueError(f"every_seconds must be positive, got {every_seconds!r}")
    job = Job(name, float(every_seconds), func)
    JOBS[name] = job
    return job


def discover_jobs() -> dict[str, Job]:
    """Import the `jobs` module of every installed app, which registers its jobs."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")
    return JOBS


def run_job(job: Job) -> bool:
    """Run one job; True when it succeeded. Database connections are fresh around it."""
    from django.db import close_old_connections

    close_old_connections()
    started = time.monotonic()
    try:
        job.func()
    except Exception:
        logger.exception("job %s failed after %.2f s", job.name, time.monotonic() - started)
        return False
    finally:
        close_old_connections()
    elapsed = time.monotonic() - started
    # Frequent quick turns (dispatch every few seconds) would bury the log at INFO.
    logger.log(logging.INFO if elapsed >= 1 else logging.DEBUG, "job %s done in %.2f s", job.name, elapsed)
    return True


def run_once(jobs: list[Job]) -> bool:
    """Run every job once, in order; True when all succeeded."""
    results = [run_job(job) for job in jobs]
    return all(results)


def run_forever(jobs: list[Job], stop: threading.Event) -> None:
    """Run each job now and then every `every_seconds` (fixed rate, missed turns are skipped) until
    `stop` is set. A running job is never interrupted."""
    now = time.monotonic()
    due = {job.name: now for job in jobs}
    while not stop.is_set():
        for job in jobs:
            if stop.is_set():
                break
            now = time.monotonic()
            if due[job.name] <= now:
                run_job(job)
                due[job.name] += job.every_seconds
                if due[job.name] <= time.monotonic():  # it overran its period: skip the missed turns
                    due[job.name] = time.monotonic() + job.every_seconds
        wait = min(due.values(), default=now + 3600) - time.monotonic()
        stop.wait(max(0.0, wait))


def _install_stop_signals(stop: threading.Event) -> dict:
    def handle(signum, _frame):
        name = signal.Signals(signum).name
        if stop.is_set():  # asked twice: do not wait for a stuck job
            logger.warning("received %s again: exiting now", name)
            raise KeyboardInterrupt
        logger.info("received %s: stopping after the running job", name)
        stop.set()

    # A signal ignored at start stays ignored: a background job of a shell ignores Ctrl-C (SIGINT)
    # and is stopped by its script with SIGTERM; two signals would mean "exit at once".
    return {
        sig: signal.signal(sig, handle)
        for sig in (signal.SIGTERM, signal.SIGINT)
        if signal.getsignal(sig) is not signal.SIG_IGN
    }


def cmd_worker(args: argparse.Namespace) -> int:
    if not os.environ.get("GOVWATCH_LOG_LEVEL"):
        logging.getLogger("govwatch").setLevel(logging.INFO)
    discover_jobs()
    names = sorted(JOBS)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in JOBS]
        if unknown:
            raise UsageError(f"未知的任务: {', '.join(unknown)}（可选: {', '.join(sorted(JOBS))}）")
    jobs = [JOBS[name] for name in names]
    if args.once:
        return EXIT_OK if run_once(jobs) else EXIT_REJECTED

    stop = threading.Event()
    previous = _install_stop_signals(stop)
    try:
        if jobs:
            logger.info(
                "worker %d started: %s",
                os.getpid(),
                ", ".join(f"{j.name} every {j.every_seconds:g} s" for j in jobs),
            )
        else:
            logger.warning("worker %d started with no registered jobs", os.getpid())
        run_forever(jobs, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    logger.info("worker %d stopped", os.getpid())
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="后台任务进程（定时扫描、发送通知等）")
    p.add_argument("--once", action="store_true", help="每个任务运行一次后退出（有任务失败时退出码为 1）")
    # Dedicated workers: e.g. one process that only sends (dispatch) beside one that scans.
    p.add_argument("--only", default="", help="只运行这些任务（逗号分隔，如 dispatch 或 scan,orders）")
    p.set_defaults(func=cmd_worker)
