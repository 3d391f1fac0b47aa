"""Why a case is at risk, in words a unit's staff reads: the figures behind the model's estimate.

Each reason is a plain fact from the history at the moment of the prediction ("该事项近三月超期率
38%", "本单位在办积压为平时的 2.1 倍"), stated only when it stands out from the region; a case
shows at most three, the most striking first. They explain; the risk itself is the model's.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .features import Features

MAX_REASONS = 3
MIN_CASES = 5  # a rate over fewer finished cases is not worth stating


def _rate_text(late: int, n: int) -> str:
    return f"{round(100 * late / n)}%（{late}/{n} 件）"


def explain(f: Features, warn: np.ndarray, holiday_names: dict[int, str] | None = None) -> list[list[str]]:
    """For each row of `f`, up to MAX_REASONS sentences, most striking first. A warned case always
    gets at least one: the figures nearest their bar, or else how much of its time it has used."""
    raw = f.raw
    n = f.X.shape[0]
    region = np.maximum(raw["region_rate"], 0.002)
    with np.errstate(divide="ignore", invalid="ignore"):
        item_rate = np.where(raw["item_n"] > 0, raw["item_late"] / np.maximum(raw["item_n"], 1), 0.0)
        unit_rate = np.where(raw["unit_n"] > 0, raw["unit_late"] / np.maximum(raw["unit_n"], 1), 0.0)
        recent_rate = np.where(
            raw["unit_recent_n"] > 0, raw["unit_recent_late"] / np.maximum(raw["unit_recent_n"], 1), 0.0
        )
        level_rate = np.where(
            raw["item_n_level"] > 0, raw["item_late_level"] / np.maximum(raw["item_n_level"], 1), 0.0
        )
        backlog = np.where(raw["usual_now"] > 0, raw["open_now"] / raw["usual_now"], np.nan)
        done_share = 1 - np.where(raw["item_n"] > 0, raw["item_n_level"] / np.maximum(raw["item_n"], 1), 1.0)
        unit_level_rate = np.where(
            raw["unit_n_level"] > 0, raw["unit_late_level"] / np.maximum(raw["unit_n_level"], 1), 0.0
        )
        length_rate = np.where(raw["length_n"] > 0, raw["length_late"] / np.maximum(raw["length_n"], 1), 0.0)
    # Strength of each reason: how far past its bar the figure is (0 or less: not stated).
    strength = np.stack(
        [
            np.where(raw["item_n"] >= MIN_CASES, item_rate / np.maximum(0.1, 2 * region), 0),
            np.where(raw["unit_n"] >= 2 * MIN_CASES, unit_rate / np.maximum(0.05, 1.5 * region), 0),
            np.where(
                raw["unit_recent_n"] >= MIN_CASES,
                recent_rate / np.maximum(0.1, 2 * np.maximum(unit_rate, region)),
                0,
            ),
            np.where((raw["open_now"] >= 5) & ~np.isnan(backlog), np.nan_to_num(backlog) / 1.5, 0),
            np.where((raw["level"] >= 1) & (raw["item_n_level"] >= MIN_CASES), level_rate / 0.3, 0),
            np.where((raw["level"] >= 2) & (raw["item_n"] >= MIN_CASES), done_share / 0.7, 0),
            np.where(raw["long_holiday"], 1.0, 0),
            np.where(raw["length_n"] >= 4 * MIN_CASES, length_rate / np.maximum(0.05, 2 * region), 0),
            np.where((raw["level"] >= 1) & (raw["unit_n_level"] >= MIN_CASES), unit_level_rate / 0.3, 0),
        ],
        axis=1,
    )
    stated = strength >= 1
    # A warned case with nothing past its bar: the figures at least halfway there.
    bare = warn & ~stated.any(axis=1)
    stated[bare] = strength[bare] >= 0.5
    result: list[list[str]] = [[] for _ in range(n)]
    for i in np.flatnonzero(stated.any(axis=1)):
        order = np.argsort(-strength[i])
        words = []
        for k in order[:MAX_REASONS]:
            if not stated[i, k]:
                break
            words.append(_sentence(int(k), i, raw, backlog, done_share, holiday_names or {}))
        result[i] = words
    for i in np.flatnonzero(warn & ~stated.any(axis=1)):
        result[i] = [_time_used(i, raw)]
    return result


def _time_used(i: int, raw: dict) -> str:
    promised, remaining = int(raw["promised"][i]), int(raw["remaining"][i])
    if promised == 0:
        return "即办件当日未办结"
    return f"承诺时限 {promised} 个工作日，已用去 {round(100 * float(raw['used_share'][i]))}%，仍未办结（剩余 {remaining} 个工作日）"


def _sentence(
    k: int, i: int, raw: dict, backlog: np.ndarray, done_share: np.ndarray, holidays: dict[int, str]
) -> str:
    if k == 0:
        return f"该事项近三月超期率 {_rate_text(int(raw['item_late'][i]), int(raw['item_n'][i]))}"
    if k == 1:
        return f"本单位近三月超期率 {_rate_text(int(raw['unit_late'][i]), int(raw['unit_n'][i]))}"
    if k == 2:
        return (
            f"本单位近两周超期率 {_rate_text(int(raw['unit_recent_late'][i]), int(raw['unit_recent_n'][i]))}"
        )
    if k == 3:
        return f"本单位在办积压为平时的 {backlog[i]:.1f} 倍（在办 {int(raw['open_now'][i])} 件，平时约 {raw['usual_now'][i]:.0f} 件）"
    if k == 4:
        late, n = int(raw["item_late_level"][i]), int(raw["item_n_level"][i])
        return f"同事项办到这一步仍未办结的办件中，{_rate_text(late, n)}最终超期"
    if k == 5:
        used = round(100 * float(raw["used_share"][i]))
        return f"已用去承诺时限的 {used}%，同事项办件此时已有 {round(100 * done_share[i])}% 办结"
    if k == 7:
        late, n = int(raw["length_late"][i]), int(raw["length_n"][i])
        days = int(raw["promised"][i])
        which = f"承诺时限 {days} 个工作日" if days < 10 else "承诺时限 10 个工作日及以上"
        return f"{which}的事项近三月超期率 {_rate_text(late, n)}"
    if k == 8:
        late, n = int(raw["unit_late_level"][i]), int(raw["unit_n_level"][i])
        return f"本单位办到这一步仍未办结的办件中，{_rate_text(late, n)}最终超期"
    day = int(raw["break_day"][i])
    name = holidays.get(day)
    when = date.fromordinal(day)
    return f"到期前遇{name or ''}长假（{when.month}月{when.day}日起）"
