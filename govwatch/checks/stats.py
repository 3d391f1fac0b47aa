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
    """The smallest m at which fewer than `alpha` honest units are expected to reach m.

    `counts` is a histogram {m: how many have exactly m} of something honest people mostly have
    little of (cases per evaluator, cases per evaluator and day). Its body is the evidence of what
    honest people do: the counts from the smallest m up, each held by at least `support` units and
    by fewer than the count before it. A second population further out (the very ones a check looks
    for: a province's few hundred made-up numbers, each rating twenty cases) is a bump after a dip,
    never a continuation of the body, however many stand in it: a crowd of fakes cannot pass for
    the region's habit by being numerous. Beyond the body the tail is extrapolated as a geometric
    one with the heaviest ratio of consecutive counts in the body's last three steps (a real tail
    thins out faster, so this overestimates it: a finding is never due to the model); a body of one
    count gives no ratio, and the next count is taken as if it had just missed the support.
    """
    present = sorted(m for m, n in counts.items() if n > 0)
    if not present:
        return 2
    top = present[-1]
    first = present[0]
    if counts[first] < support:
        return max(2, top + 1) if alpha < 1 else 2
    body = [first]
    while counts.get(body[-1] + 1, 0) >= support and counts.get(body[-1] + 1, 0) < counts[body[-1]]:
        body.append(body[-1] + 1)
    last = body[-1]
    tail = body[-4:]
    q = max(
        (counts[b] / counts[a] for a, b in zip(tail, tail[1:], strict=False)), default=support / counts[last]
    )
    if q >= 1:
        return top + 1
    # counts[last] * (q ** k + q ** (k + 1) + ...) <= alpha, k = m - last
    k = math.log(alpha * (1 - q) / counts[last]) / math.log(q)
    return last + max(1, math.ceil(k))


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
