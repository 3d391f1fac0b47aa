"""The few tail probabilities the statistical checks need, exact and in log space."""

from __future__ import annotations

import math
from collections.abc import Mapping


def poisson_sf(m: int, mu: float) -> float:
    """P(N >= m) for N ~ Poisson(mu)."""
    if m <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    # Sum the upper tail from its first term: exact for the tiny values this is asked about.
    log_term = -mu + m * math.log(mu) - math.lgamma(m + 1)
    total, j = 0.0, m
    while True:
        term = math.exp(log_term)
        total += term
        j += 1
        log_term += math.log(mu) - math.log(j)
        if term < total * 1e-12 or j > m + 10_000:
            break
    return min(1.0, total)


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if k >= n or p <= 0:
        return 1.0
    if k < 0:
        return 0.0
    if p >= 1:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    log_c = math.lgamma(n + 1)
    terms = [
        log_c - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * lp + (n - j) * lq for j in range(k + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def tail_threshold(counts: Mapping[int, int], alpha: float, support: int = 30) -> int:
    """The smallest m at which fewer than `alpha` of the observed units would reach m by chance.

    `counts` is a histogram {m: how many have exactly m} of something honest people mostly have
    little of (cases per evaluator, cases per evaluator and day). The body of the histogram, where
    at least `support` units stand, is the evidence; beyond it the tail is extrapolated as a
    geometric one with the heaviest continuation ratio seen in the last three supported steps
    (a real tail thins out, so this overestimates it: a finding is never due to the model).
    """
    at_least: dict[int, int] = {}
    running = 0
    for m in sorted(counts, reverse=True):
        running += counts[m]
        at_least[m] = running
    top = max(counts, default=1)

    def reach(m: int) -> int:
        return next((at_least[j] for j in sorted(at_least) if j >= m), 0)

    supported = [m for m in range(1, top + 1) if reach(m) >= support]
    if not supported:
        return max(2, top + 1) if alpha < 1 else 2
    last = supported[-1]
    ratios = [reach(m + 1) / reach(m) for m in supported[-3:] if reach(m)]
    q = max(ratios) if ratios else 0.0
    if q <= 0:
        return last + 1
    if q >= 1:
        return top + 1
    # reach(last) * q ** (m - last) <= alpha
    steps = math.log(alpha / reach(last)) / math.log(q)
    return last + max(1, math.ceil(steps))


def robust_floor(ratios: list[float], spread: float = 3.0) -> float | None:
    """The low end of what peers' rate ratios spread over, on the log scale (ratios multiply):
    exp(median - spread * 1.4826 * MAD) of their logarithms; None with fewer than five peers."""
    if len(ratios) < 5:
        return None
    logs = sorted(math.log(max(r, 1e-6)) for r in ratios)
    median = _median(logs)
    mad = _median(sorted(abs(v - median) for v in logs))
    return math.exp(median - spread * 1.4826 * mad)


def _median(ordered: list[float]) -> float:
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
