"""The tail probabilities and thresholds the statistical checks stand on."""

from __future__ import annotations

from collections import Counter

from govwatch.checks.stats import tail_threshold

# Cases per evaluator in a twentieth of the demo province: citizens, and the planted numbers.
CITIZENS = {1: 99_881, 2: 11_539, 3: 1_667, 4: 20}
FAKES = {15: 7, 16: 24, 17: 28, 18: 17, 19: 14, 20: 11, 21: 7, 22: 8, 23: 13, 24: 4, 25: 11, 30: 8}


def test_the_threshold_lies_beyond_what_citizens_do_and_below_the_fakes():
    limit = tail_threshold(CITIZENS, 0.01, 50)
    assert max(CITIZENS) < limit < min(FAKES)


def test_a_crowd_of_fakes_far_out_does_not_move_the_threshold():
    # Each bump count alone is under the support; together they are hundreds of evaluators.
    assert tail_threshold(Counter(CITIZENS) + Counter(FAKES), 0.01, 50) == tail_threshold(CITIZENS, 0.01, 50)


def test_a_supported_bump_after_a_dip_is_not_part_of_the_body():
    # Sixty numbers at eight cases each: enough to be supported, but after a dip, not a tail.
    assert tail_threshold({1: 507, 2: 40, 8: 60}, 0.01, 50) <= 8


def test_a_heavier_honest_tail_raises_the_threshold():
    thin = tail_threshold({1: 10_000, 2: 1_000, 3: 100}, 0.01, 50)
    heavy = tail_threshold({1: 10_000, 2: 5_000, 3: 2_500, 4: 1_250}, 0.01, 50)
    assert heavy > thin


def test_without_evidence_nothing_stands_out():
    assert tail_threshold({1: 10, 2: 3}, 0.01, 50) == 3
    assert tail_threshold({}, 0.01, 50) == 2
