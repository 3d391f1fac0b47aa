"""The texts of many moments at once, made from tables that a web process's threads share."""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from govwatch.cases import events
from govwatch.cases.events import micros, moment_texts

UTC = ZoneInfo("UTC")


def test_moment_texts_are_the_isoformat_of_each_moment():
    moments = [datetime(2026, 5, 11, 23, 59, 59, tzinfo=UTC), datetime(2026, 2, 16, 0, 0, 1, 250, tzinfo=UTC)]
    texts = moment_texts(np.array([micros(m) for m in moments]), "T")
    assert texts == ["2026-05-11T23:59:59", "2026-02-16T00:00:01.000250"]


def _race(moments: np.ndarray, threads: int) -> tuple[list[list[str]], list[Exception]]:
    """`moment_texts` called by `threads` threads released at the same instant."""
    start, results, failures = threading.Barrier(threads), [], []

    def work() -> None:
        start.wait()
        try:
            results.append(moment_texts(moments, "T"))
        except Exception as error:  # noqa: BLE001 - what a thread raised is the finding
            failures.append(error)

    running = [threading.Thread(target=work) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return results, failures


def test_threads_that_first_need_the_clock_at_once_all_get_whole_texts():
    # Gunicorn's threads share the module: one used to read the clock table while another was still
    # filling it (IndexError, a 500 to the case-events API under load).
    last_second = micros(datetime(2026, 5, 11, tzinfo=UTC) + timedelta(seconds=86_399))
    moments = np.array([last_second] * 4)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(5):
            events._CLOCK = type(events._CLOCK)()
            results, failures = _race(moments, 8)
            assert failures == []
            assert results == [["2026-05-11T23:59:59"] * 4] * 8
    finally:
        sys.setswitchinterval(switch)
