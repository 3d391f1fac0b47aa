"""What a run holds is bounded by its parts, not by the region: the device ratings, the evaluators
and the window cells are read in parts of whole units (or evaluators) of a set size, and the
findings are the same whatever that size."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from govwatch.checks import data, missing, rules

from .conftest import at

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _faulty_district(world) -> None:
    """March's honest district with a burst, a number rating many cases and a silent window."""
    world.honest(*MARCH, per_day=3)
    old = [world.case("B4", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(12)]
    for k, c in enumerate(old):
        world.rate(c, at(2026, 3, 18, 15, 0, 5 * k))
    fake = world.phone()
    done = [world.case("B5", "W3", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(18)]
    for n, c in enumerate(done):
        world.rate(c, at(2026, 3, 16 + n // 5, 9 + n % 6, n), channel="qr", evaluator=fake)
    for day in range(2, 28):
        if date(2026, 3, day).weekday() < 5:
            for n in range(6):
                world.case("B6", "W4", at(2026, 3, day, 9, n * 7), at(2026, 3, day, 9, n * 7 + 5))
    world.load()


def _found(check) -> set[tuple]:
    return {
        (o.candidate.kind, o.candidate.unit_id, o.candidate.window_code, o.candidate.key,
         tuple(sorted(o.candidate.eval_ids)), tuple(o.candidate.case_nos), o.candidate.score,
         tuple(o.candidate.reasons))
        for outcomes in check(*MARCH).values() for o in outcomes
    }  # fmt: skip


def test_parts_of_any_size_find_the_same_and_hold_no_more_than_a_part_or_one_unit(world, check, monkeypatch):
    _faulty_district(world)
    whole = _found(check)
    assert {f[0] for f in whole} >= {"burst", "evaluator_many", "missing_evaluations"}

    held: dict[str, list[tuple[int, int]]] = {"devices": [], "raters": [], "windows": []}

    def spy(name, fn, size_of, owners_of):
        def wrapped(*args):
            held[name].append((size_of(*args), owners_of(*args)))
            return fn(*args)

        return wrapped

    monkeypatch.setattr(data, "FETCH", 7)  # batches smaller than a part, parts cut inside a batch
    monkeypatch.setattr(rules, "DEVICE_PART", 40)
    monkeypatch.setattr(rules, "RATER_PART", 25)
    monkeypatch.setattr(missing, "WINDOW_PART", 5)
    monkeypatch.setattr(
        rules, "_devices", spy("devices", rules._devices, lambda c: len(c[0]), lambda c: len(np.unique(c[0])))
    )
    monkeypatch.setattr(
        rules, "_raters", spy("raters", rules._raters, lambda h, *_: len(h), lambda h, *_: len(np.unique(h)))
    )
    monkeypatch.setattr(
        missing,
        "_judge_windows",
        spy(
            "windows",
            missing._judge_windows,
            lambda r, w, *_: len(w.unit),
            lambda r, w, *_: len(np.unique(w.unit)),
        ),
    )
    assert _found(check) == whole
    for name, size in (("devices", 40), ("raters", 25)):
        assert len(held[name]) > 1, name
        # A part holds at most `size` rows, or the rows of a single unit (evaluator) that has more.
        assert all(rows <= size or owners == 1 for rows, owners in held[name]), (name, held[name])
    assert len(held["windows"]) > 1
    # Window parts are cut by rows (a window-month per channel), so a part's cells are at most that.
    assert all(cells <= 5 or units == 1 for cells, units in held["windows"]), held["windows"]


@pytest.mark.parametrize(
    "keys, size",
    [([1, 1, 2, 3, 3, 3, 4], 2), ([5] * 9 + [6], 3), ([1, 2, 3, 4, 5, 6, 7, 8], 3), ([2, 2, 2], 10), ([], 4)],
)
def test_parts_never_split_a_key_and_hold_at_most_their_size_or_one_key(keys, size, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(data, "FETCH", 2)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE test_parts_rows (k INTEGER, n INTEGER)", [])
        cursor.executemany(
            "INSERT INTO test_parts_rows (k, n) VALUES (%s, %s)", [(k, i) for i, k in enumerate(keys)]
        )
    got = list(
        data.parts(
            "SELECT k, n FROM test_parts_rows ORDER BY k, n",
            [],
            lambda batch: [np.array([r[0] for r in batch]), np.array([r[1] for r in batch])],
            size,
        )
    )
    assert [int(n) for part in got for n in part[1]] == list(range(len(keys)))  # every row, once, in order
    seen: set[int] = set()
    for part in got:
        mine = set(part[0].tolist())
        assert not mine & seen  # a key's rows are in one part
        seen |= mine
        assert len(part[0]) <= size or len(mine) == 1
