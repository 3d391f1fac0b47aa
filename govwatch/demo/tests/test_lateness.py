"""The demo region's lateness has the structure a supervisor would recognise, and a model can learn."""

from __future__ import annotations

from datetime import date, timedelta

from govwatch.demo import lateness
from govwatch.demo.lateness import Pace

# Working days of 2026 by the weekday rule: enough for the pace's own arithmetic.
DAYS = [d.toordinal() for d in (date(2026, 1, 1) + timedelta(n) for n in range(365)) if d.weekday() < 5]


def late_share(pace: Pace, item: str, unit: str, promised: int, index: int, n: int) -> float:
    """The share of n cases drawn alike that run late; the draws do not add to the unit's backlog."""
    late = 0
    for _ in range(n):
        running = list(pace.units[unit].running) if unit in pace.units else []
        late += pace.draw(item, unit, promised, 1.0, index)[0]
        pace.units[unit].running = running
    return late / n


def test_instant_items_are_almost_never_late():
    pace = Pace(1, DAYS)
    assert late_share(pace, "I0", "U", 0, 100, 20_000) <= 3 * lateness.UNFORESEEABLE


def test_long_items_run_late_far_more_often_than_short_ones():
    pace = Pace(2, DAYS)
    short = sum(late_share(pace, f"S{k}", f"U{k % 5}", 1, 100 + k, 400) for k in range(40)) / 40
    long = sum(late_share(pace, f"L{k}", f"U{k % 5}", 10, 100 + k, 400) for k in range(40)) / 40
    assert long > 10 * short
    assert short < 0.01 < long < 0.5


def test_slow_units_are_late_more_often_with_the_same_item():
    pace = Pace(3, DAYS)
    shares = {f"U{k}": late_share(pace, "L", f"U{k}", 10, 60, 300) for k in range(60)}
    slow = [s for u, s in shares.items() if pace.units[u].logit > 1]
    other = [s for u, s in shares.items() if pace.units[u].logit <= 1]
    assert slow and other
    assert sum(slow) / len(slow) > 2 * sum(other) / len(other)


def test_a_backlog_above_the_usual_makes_cases_late_more_often():
    pace = Pace(4, DAYS)
    # A steady month: a few cases a day, each done in two days.
    for index in range(20, 60):
        for _ in range(5):
            pace.draw("R", "U", 2, 1.0, index)
    calm = late_share(pace, "L", "U", 10, 60, 2_000)
    # Then a pile of cases that stay open for weeks.
    for _ in range(200):
        unit = pace.units["U"]
        unit.running.append(90)
    unit.running.sort()
    swamped = late_share(pace, "L", "U", 10, 61, 2_000)
    assert swamped > 1.5 * calm
