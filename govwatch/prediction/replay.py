"""The replay (回放): what the model would have warned on each past day, and what then happened.

Over a period of the past, at each warning moment of each working day, every case that could be
warned then is scored by the model the worker would have had: one trained as of the last retraining
moment before (every `retrain_days`), from the history as it stood then (`CaseFrame.truncate`). A
case is warned at the first moment its risk reaches that model's threshold. Afterwards the frame
says how each case ended: late (still open after its due date) or on time. Cases whose outcome is
not known yet are left out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock_time

import numpy as np
from threadpoolctl import threadpool_limits

from govwatch.workcal.calendar import WorkCalendar

from . import features as feats
from . import learn
from .frame import NEVER, CaseFrame, local_ordinal, midnight
from .history import History


@dataclass
class ReplayResult:
    first_day: date
    last_day: date
    summary: dict
    days: list[dict] = field(default_factory=list)  # one row per working day
    models: list[dict] = field(default_factory=list)  # each retraining: its moment, threshold, quality
    seconds: float = 0.0
    # The replayed (case row, moment) pairs with their features and risks, for comparisons.
    pairs: dict = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "summary": self.summary,
            "days": self.days,
            "models": self.models,
            "seconds": round(self.seconds, 1),
        }


def replay(
    frame: CaseFrame, cal: WorkCalendar, first_day: date, last_day: date, moments_of_day: list[clock_time],
    target: float, retrain_days: int = 7, seed: int = 0, progress=None,
) -> ReplayResult:  # fmt: skip
    started = time.monotonic()
    history = History(frame, cal)
    out = history.outcomes
    moments = learn.warning_moments(first_day.toordinal(), last_day.toordinal(), moments_of_day, cal)
    retrain_at = midnight(np.arange(first_day.toordinal(), last_day.toordinal() + 1, retrain_days))
    # Only cases whose outcome the frame knows can be judged.
    cases = np.flatnonzero(out.known)
    all_rows, all_times, all_risk, all_warn, all_x = [], [], [], [], []
    models = []
    import sklearn.ensemble  # noqa: F401  (its OpenMP runtime loaded, for the limit to reach it)

    with threadpool_limits(learn.threads()):
        for k, start in enumerate(retrain_at):
            end = retrain_at[k + 1] if k + 1 < retrain_at.size else NEVER
            segment = moments[(moments >= start) & (moments < end)]
            if segment.size == 0:
                continue
            trained = learn.train(frame.truncate(int(start)), cal, target, moments_of_day, seed)
            models.append({"at": _day(local_ordinal(np.array([start]))[0]), "threshold": round(trained.threshold, 4),
                           "seconds": round(trained.seconds, 1), **{k: trained.metrics.get(k) for k in
                           ("recall", "false_alarm_rate", "lead_workdays_median", "auc")}})  # fmt: skip
            if progress:
                progress(f"回放：{models[-1]['at']} 起的模型，阈值 {trained.threshold:.3f}")
            rows, times = learn.grid_pairs(frame, segment, cases, cal)
            if rows.size == 0:
                continue
            X = feats.build(frame, rows, times, history, cal).X
            risk = trained.model.predict_proba(X)[:, 1]
            all_x.append(X)
            all_rows.append(rows)
            all_times.append(times)
            all_risk.append(risk)
            all_warn.append(risk >= trained.threshold)
    rows = np.concatenate(all_rows) if all_rows else np.zeros(0, dtype=np.int64)
    times = np.concatenate(all_times) if all_times else np.zeros(0, dtype=np.int64)
    risk = np.concatenate(all_risk) if all_risk else np.zeros(0)
    warn = np.concatenate(all_warn) if all_warn else np.zeros(0, dtype=bool)
    summary = learn.measure(frame, history, rows, times, risk, warn, cal)
    summary.update(_missed(frame, history, cal, moments, rows))
    summary["false_alarm_target"] = target
    days = _per_day(frame, history, rows, times, risk, warn)
    X = np.concatenate(all_x) if all_x else np.zeros((0, len(feats.NAMES)), dtype=np.float32)
    pairs = {"rows": rows, "times": times, "risk": risk, "warn": warn, "X": X, "history": history}
    return ReplayResult(first_day, last_day, summary, days, models, time.monotonic() - started, pairs)


def _day(ordinal) -> str:
    return date.fromordinal(int(ordinal)).isoformat()


def _missed(
    frame: CaseFrame, history: History, cal: WorkCalendar, moments: np.ndarray, seen: np.ndarray
) -> dict:
    """Late cases of the period that no warning moment saw without a card (they went from
    acceptance to their first card between two moments): no warning could have reached them."""
    if moments.size == 0:
        return {"late_never_seen": 0}
    out = history.outcomes
    in_period = (frame.accepted_at < moments[-1]) & (frame.closed_at > moments[0]) & out.known & out.late
    unseen = np.setdiff1d(np.flatnonzero(in_period), np.unique(seen))
    return {"late_never_seen": int(unseen.size)}


def _per_day(frame: CaseFrame, history: History, rows, times, risk, warn) -> list[dict]:
    """For each working day of the replay: cases that could be warned, first warnings, and how the
    warned cases ended."""
    if rows.size == 0:
        return []
    case_rows, _, first_warn = learn.first_warnings(risk, rows, times, warn)
    late = history.outcomes.late
    day_of_pair = local_ordinal(times)
    warned = first_warn != NEVER
    warn_day = local_ordinal(np.where(warned, first_warn, 0))
    result = []
    for day in np.unique(day_of_pair):
        on_day = day_of_pair == day
        new = warned & (warn_day == day)
        result.append({
            "day": _day(day),
            "candidates": int(np.unique(rows[on_day]).size),
            "warned": int(new.sum()),
            "warned_late": int((new & late[case_rows]).sum()),
            "warned_on_time": int((new & ~late[case_rows]).sum()),
            "late_candidates": int(np.unique(rows[on_day & late[rows]]).size),
        })  # fmt: skip
    return result
