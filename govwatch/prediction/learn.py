"""Training: from the region's history as of a moment, a calibrated model and its warning threshold.

The history is cut in two by time. The earlier part teaches the model: a few random moments in the
life of every case whose outcome was known before the later part begins, each with the case's
features then and whether it ran late. The later part (the last weeks whose outcomes are known)
is replayed at the warning moments, as the worker would have warned: its cases are split in two
halves; one half calibrates the probabilities (isotonic) and chooses the threshold that keeps the
false alarms within the region's setting, the other measures what the model is worth (recall,
false alarms, how many working days before the yellow card it warns). Nothing of the later part
reaches the model's fit, and nothing after the training moment reaches either part.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any

import numpy as np

from govwatch.cases.deadlines import cards, first_card_dates
from govwatch.workcal.calendar import FIRST_DAY, WorkCalendar

from . import features as feats
from .frame import DAY, NEVER, CaseFrame, local_ordinal, midnight
from .history import History

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier

# scikit-learn (and SciPy beneath it) is imported where a model is fitted or measured, not with this
# module: `govwatch predict` uses this module's rules and a stored `Scorer`, and starting it took
# longer than all its work when it imported them.

# At most this many (case, moment) pairs teach the model: every late pair and a sample of the others.
# A district's year is under 200,000 pairs; more than 250,000 made a province's fit slower, not better
# (the fit's time grows with the pairs, and the late pairs, all kept, are what it learns from).
FIT_ROWS = 250_000
VALIDATION_ROWS = 200_000
SAMPLES_PER_CASE = 3
VALIDATION_DAYS = 56
SETTLE_DAYS = 14  # outcomes of the last two weeks are mostly unknown: the validation ends before them
WARM_UP_DAYS = 28  # the first weeks of the history only serve as history
MIN_LATE = 20  # fewer late cases than this in either part: not enough history to learn from


def threads() -> int:
    """OpenMP threads for fitting and scoring (GOVWATCH_PREDICT_THREADS). On a shared machine a
    thread waiting for a busy core spins rather than sleeps: two threads fitted ten times slower
    than one there (measured), so one is the default."""
    from django.conf import settings

    return settings.PREDICT_THREADS


class NotEnoughHistory(Exception):
    """The history holds too few finished cases, or too few late ones, to learn from."""


@dataclass
class Trained:
    model: Any  # the calibrated classifier (CalibratedClassifierCV)
    threshold: float
    metrics: dict
    seconds: float = 0.0
    importances: dict = field(default_factory=dict)


# -- pairs ------------------------------------------------------------------------------------------


def eligible(frame: CaseFrame, rows: np.ndarray, times: np.ndarray, cal: WorkCalendar) -> np.ndarray:
    """Whether each case is, at each moment, open, not suspended and without a card (section 13)."""
    open_ = (frame.accepted_at[rows] <= times) & (frame.closed_at[rows] > times)
    due, suspended, _ = frame.due_at(cal, rows, times)
    card = cards(cal, local_ordinal(times), due, frame.promised[rows], frame.threshold[rows])
    return open_ & ~suspended & (card == 0)


def warning_moments(first_day: int, last_day: int, at: list[clock_time], cal: WorkCalendar) -> np.ndarray:
    """The warning moments of working days in [first_day, last_day] (ordinals), in order."""
    days = np.arange(first_day, last_day + 1)
    days = days[cal.is_work[days - FIRST_DAY.toordinal()]]
    base = midnight(days)
    offsets = np.array([t.hour * 3600 + t.minute * 60 for t in at], dtype=np.int64)
    return np.sort((base[:, None] + offsets[None, :]).ravel())


def grid_pairs(
    frame: CaseFrame, moments: np.ndarray, cases: np.ndarray, cal: WorkCalendar
) -> tuple[np.ndarray, np.ndarray]:
    """Every (case, moment) among `cases` where the case may be warned at the moment."""
    rows_out, times_out = [], []
    acc, closed = frame.accepted_at[cases], frame.closed_at[cases]
    order = np.argsort(acc, kind="stable")
    acc_sorted = acc[order]
    for m in moments:
        upto = np.searchsorted(acc_sorted, m, side="right")
        pick = order[:upto]
        pick = pick[closed[pick] > m]
        rows_out.append(cases[pick])
        times_out.append(np.full(pick.size, m, dtype=np.int64))
    rows = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
    times = np.concatenate(times_out) if times_out else np.zeros(0, dtype=np.int64)
    ok = eligible(frame, rows, times, cal)
    return rows[ok], times[ok]


def sampled_pairs(
    frame: CaseFrame, cases: np.ndarray, start: int, end: int, cal: WorkCalendar, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A few random moments in each case's time without a card, within [start, end)."""
    due = frame.base_due[cases]
    card_from = midnight(first_card_dates(cal, due, frame.promised[cases], frame.threshold[cases]))
    lo = np.maximum(frame.accepted_at[cases], start)
    hi = np.minimum(np.minimum(frame.closed_at[cases], card_from), end)
    live = hi > lo
    cases, lo, hi = cases[live], lo[live], hi[live]
    rows = np.repeat(cases, SAMPLES_PER_CASE)
    span = np.repeat(hi - lo, SAMPLES_PER_CASE)
    times = np.repeat(lo, SAMPLES_PER_CASE) + (rng.random(rows.size) * span).astype(np.int64)
    ok = eligible(frame, rows, times, cal)
    return rows[ok], times[ok]


def _half(rows: np.ndarray) -> np.ndarray:
    """A fixed split of cases in two halves, by a hash of the case's row in the frame (the same case
    always falls alike). Rows follow the cases' order, not their ids, which a database's sequences
    offset (PostgreSQL does not give back the ids of rolled-back rows): the same history splits
    the same way on any database."""
    return ((rows * 2654435761) >> 7) % 2 == 0


# -- the threshold ----------------------------------------------------------------------------------


def choose_threshold(risk: np.ndarray, rows: np.ndarray, late: np.ndarray, target: float) -> float:
    """The lowest threshold at which at most `target` of the cases that finish on time are warned.

    A case is warned once, the first time its risk reaches the threshold, so a case counts as a
    false alarm when its highest risk over the replayed moments reaches it (contract section 13:
    "at most 5% of the cases that will finish on time").
    """
    case_ids, inverse = np.unique(rows, return_inverse=True)
    top = np.full(case_ids.size, -1.0)
    np.maximum.at(top, inverse, risk)
    case_late = np.zeros(case_ids.size, dtype=bool)
    case_late[inverse] = late
    top_on_time = np.sort(top[~case_late])
    if top_on_time.size == 0:
        return float(np.min(risk, initial=1.0))
    # The k-th highest on-time risk may be warned for k = floor(target * n) cases: the threshold lies
    # just above the next one.
    allowed = int(np.floor(target * top_on_time.size))
    if allowed >= top_on_time.size:
        return float(top_on_time[0])
    return float(np.nextafter(top_on_time[top_on_time.size - 1 - allowed], 2.0))


# -- measuring --------------------------------------------------------------------------------------


def first_warnings(
    risk: np.ndarray, rows: np.ndarray, times: np.ndarray, warn: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per case seen: (case row, its highest risk, the moment it was first warned or NEVER)."""
    order = np.lexsort((times, rows))
    rows, times, risk, warn = rows[order], times[order], risk[order], warn[order]
    case_rows, first = np.unique(rows, return_index=True)
    if rows.size == 0:
        return case_rows, np.zeros(0), np.zeros(0, dtype=np.int64)
    top = np.maximum.reduceat(risk, first)
    first_warn = np.minimum.reduceat(np.where(warn, times, NEVER), first)
    return case_rows, top, first_warn


def measure(
    frame: CaseFrame, history: History, rows: np.ndarray, times: np.ndarray, risk: np.ndarray,
    warn: np.ndarray, cal: WorkCalendar,
) -> dict:  # fmt: skip
    """Recall, false alarms and warning lead of warnings over replayed (case, moment) pairs.

    A case is warned once, at its first pair with `warn`; it is late when it was still open after
    its due date (as far as `frame` knows), on time otherwise. The lead is the number of working
    days from the warning's date to the date of the case's first card (yellow; red for instant
    items, which have none).
    """
    late_pair = history.outcomes.late[rows]
    case_rows, top, first_warn = first_warnings(risk, rows, times, warn)
    late = history.outcomes.late[case_rows]
    warned = first_warn != NEVER
    due_then = frame.due_at(cal, case_rows, np.where(warned, first_warn, frame.as_of))[0]
    card_day = first_card_dates(cal, due_then, frame.promised[case_rows], frame.threshold[case_rows])
    lead = cal.workdays_between_many(local_ordinal(np.where(warned, first_warn, 0)), card_day)
    hits = warned & late
    on_time = ~late
    result = {
        "cases": int(case_rows.size),
        "late": int(late.sum()),
        "on_time": int(on_time.sum()),
        "warned": int(warned.sum()),
        "warned_late": int(hits.sum()),
        "warned_on_time": int((warned & on_time).sum()),
        "recall": _rate(hits.sum(), late.sum()),
        "false_alarm_rate": _rate((warned & on_time).sum(), on_time.sum()),
        "moment_false_alarm_rate": _rate((warn & ~late_pair).sum(), (~late_pair).sum()),
        "precision": _rate(hits.sum(), warned.sum()),
        "lead_workdays_median": float(np.median(lead[hits])) if hits.any() else None,
        "lead_workdays_mean": round(float(np.mean(lead[hits])), 2) if hits.any() else None,
        "lead_3_or_more": _rate((lead[hits] >= 3).sum(), hits.sum()),
    }
    if late_pair.any() and (~late_pair).any():
        from sklearn.metrics import roc_auc_score

        result["auc"] = round(float(roc_auc_score(late_pair, risk)), 4)
    return result


def _rate(numerator, denominator) -> float | None:
    return round(float(numerator) / float(denominator), 4) if denominator else None


# -- training ---------------------------------------------------------------------------------------


# A small model: the history of one region is small beside the number of features' combinations, and
# in the replays smaller trees warned as well as larger ones, with less to store and faster.
HYPER = {
    "learning_rate": 0.1,
    "max_iter": 150,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 80,
    "l2_regularization": 1.0,
}


def new_estimator(seed: int = 0) -> HistGradientBoostingClassifier:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        **HYPER, early_stopping=True, validation_fraction=0.1, n_iter_no_change=20, random_state=seed,
    )  # fmt: skip


def train(
    frame: CaseFrame, cal: WorkCalendar, target: float, moments_of_day: list[clock_time], seed: int = 0,
    history: History | None = None,
) -> Trained:  # fmt: skip
    """A calibrated model and threshold from `frame` (the region as of its moment)."""
    # scikit-learn first: its OpenMP runtime must be loaded for the limit to reach it (without the
    # limit, threads spinning on a shared machine's busy cores made a fit several times slower).
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(threads()):
        return _train(frame, cal, target, moments_of_day, seed, history)


def _train(frame, cal, target, moments_of_day, seed, history) -> Trained:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    started = time.monotonic()
    rng = np.random.default_rng(seed)
    history = history or History(frame, cal)
    out = history.outcomes
    if len(frame) == 0:
        raise NotEnoughHistory("没有办件历史")
    first_day = int(frame.accepted_on.min())
    last_day = int(local_ordinal(np.array([frame.as_of]))[0])
    settle_day = last_day - SETTLE_DAYS
    span = settle_day - first_day - WARM_UP_DAYS
    if span < 28:
        raise NotEnoughHistory("办件历史不足六周，无法训练")
    validation_days = min(VALIDATION_DAYS, span // 3)
    val_first = settle_day - validation_days
    val_start = int(midnight(np.array([val_first]))[0])
    fit_start = int(midnight(np.array([first_day + WARM_UP_DAYS]))[0])

    # The earlier part: cases whose outcome was known before the later part begins.
    fit_cases = np.flatnonzero(out.known & (out.at < val_start) & (frame.accepted_at >= fit_start))
    fit_cases = _presample(fit_cases, out.late[fit_cases], FIT_ROWS, rng)
    rows, times = sampled_pairs(frame, fit_cases, fit_start, val_start, cal, rng)
    y = out.late[rows]
    if y.sum() < MIN_LATE:
        raise NotEnoughHistory(f"训练期内超期办件仅 {int(y.sum())} 件，不足以学习")
    rows, times = _balance(rows, times, y, FIT_ROWS, rng)
    y = out.late[rows]
    X = feats.build(frame, rows, times, history, cal).X
    # Unweighted: on-time pairs sampled down only shift the odds, and the calibration on the later
    # part puts them back; weights would cost a weighted percentile per feature per split (slow).
    estimator = new_estimator(seed).fit(X, y)

    # The later part, replayed at the warning moments.
    moments = warning_moments(val_first, settle_day - 1, moments_of_day, cal)
    settle_start = int(midnight(np.array([settle_day]))[0])
    val_cases = np.flatnonzero(out.known & (frame.closed_at > val_start) & (frame.accepted_at < settle_start))
    val_cases = _limit_cases(val_cases, frame, moments, VALIDATION_ROWS, rng)
    vrows, vtimes = grid_pairs(frame, moments, val_cases, cal)
    vy = out.late[vrows]
    a = _half(vrows)
    if vy[a].sum() < MIN_LATE // 2 or vy[~a].sum() < MIN_LATE // 2:
        raise NotEnoughHistory(f"验证期内超期办件仅 {int(vy.sum())} 件，不足以校准阈值")
    VX = feats.build(frame, vrows, vtimes, history, cal).X
    model = CalibratedClassifierCV(FrozenEstimator(estimator), method="sigmoid").fit(VX[a], vy[a])
    risk = model.predict_proba(VX)[:, 1]
    threshold = choose_threshold(risk[a], vrows[a], vy[a], target)
    metrics = measure(frame, history, vrows[~a], vtimes[~a], risk[~a], risk[~a] >= threshold, cal)
    chosen = measure(frame, history, vrows[a], vtimes[a], risk[a], risk[a] >= threshold, cal)
    metrics["chosen_on"] = {k: chosen[k] for k in ("cases", "late", "on_time", "recall", "false_alarm_rate")}
    metrics.update(
        fit_pairs=int(rows.size), fit_late_pairs=int(y.sum()), validation_pairs=int(vrows.size),
        validation_from=_iso(val_first), validation_to=_iso(settle_day - 1), history_from=_iso(first_day),
        false_alarm_target=target,
    )  # fmt: skip
    return Trained(model, threshold, metrics, time.monotonic() - started)


def _iso(ordinal: int) -> str:
    from datetime import date

    return date.fromordinal(int(ordinal)).isoformat()


def _presample(cases: np.ndarray, late: np.ndarray, limit: int, rng) -> np.ndarray:
    """Every late case, and on-time cases sampled down to about twice what `_balance` will keep of
    their pairs: a province's pairs are not all made (and checked) only to be thrown away. A region
    whose pairs are under the cap anyway keeps every case (and the random draws are as before)."""
    late_pairs = SAMPLES_PER_CASE * int(late.sum())
    room = max(limit - late_pairs, limit // 2)
    on_time = int((~late).sum())
    rate = 2 * room / max(SAMPLES_PER_CASE * on_time, 1)
    if rate >= 1.0:
        return cases
    keep = late | (rng.random(cases.size) < rate)
    return cases[keep]


def _balance(rows, times, y, limit, rng) -> tuple[np.ndarray, np.ndarray]:
    """Every late pair, and on-time pairs sampled down to `limit` in all."""
    late = np.flatnonzero(y)
    on_time = np.flatnonzero(~y)
    room = max(limit - late.size, limit // 2)
    rate = min(1.0, room / max(on_time.size, 1))
    if rate < 1.0:
        on_time = on_time[rng.random(on_time.size) < rate]
    keep = np.sort(np.concatenate([late, on_time]))
    return rows[keep], times[keep]


def _limit_cases(cases: np.ndarray, frame: CaseFrame, moments: np.ndarray, limit: int, rng) -> np.ndarray:
    """A random share of the cases, so that their pairs stay near `limit` (whole cases are kept:
    a case's warning is decided over all its moments)."""
    if moments.size == 0 or cases.size == 0:
        return cases
    # Expected moments per case: its open time over the spacing of the moments, at least one.
    spacing = max((moments[-1] - moments[0]) / max(moments.size - 1, 1), 1)
    end = np.minimum(frame.closed_at[cases], moments[-1])
    expected = np.maximum((end - frame.accepted_at[cases]) / spacing, 1).sum()
    if expected <= limit:
        return cases
    return cases[rng.random(cases.size) < limit / expected]


__all__ = ["DAY", "Trained", "NotEnoughHistory", "train", "measure", "choose_threshold"]
