"""Why a case is at risk, in words a unit's staff reads: the figures behind the model's estimate.

Each reason is a plain fact from the history at the moment of the prediction ("该事项近三月超期率
38%", "本单位在办积压为平时的 2.1 倍"), stated only when it stands out from the region; a case
shows at most three, the most striking first. They explain; the risk itself is the model's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from .features import Features

MAX_REASONS = 3
MIN_CASES = 5  # a rate over fewer finished cases is not worth stating


def _rate_text(late: int, n: int) -> str:
    return f"{round(100 * late / n)}%（{late}/{n} 件）"


@dataclass
class Reasons:
    """The reasons of many cases: each distinct list once, and each case's list by its number.

    Cases of one item and unit at one point of their time share their figures, so their reasons: a
    province's half million open cases have some thousands of distinct lists between them, and what
    is done with the reasons (the JSON, the stored risks) is done once per list.
    """

    lists: list[tuple[str, ...]]
    codes: np.ndarray  # int64, one per case: its list in `lists`

    def __len__(self) -> int:
        return int(self.codes.size)

    def __getitem__(self, i: int) -> list[str]:
        return list(self.lists[int(self.codes[i])])

    def as_lists(self) -> list[list[str]]:
        return [list(self.lists[c]) for c in self.codes.tolist()]


def explain(f: Features, warn: np.ndarray, holiday_names: dict[int, str] | None = None) -> list[list[str]]:
    """For each row of `f`, up to MAX_REASONS sentences, most striking first (`reasons_of`, as lists)."""
    return reasons_of(f, warn, holiday_names).as_lists()


def reasons_of(f: Features, warn: np.ndarray, holiday_names: dict[int, str] | None = None) -> Reasons:
    """For each row of `f`, up to MAX_REASONS sentences, most striking first. A warned case always
    gets at least one: the figures nearest their bar, or else how much of its time it has used."""
    raw = f.raw
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
    # The strongest reasons first (stable: equal strengths keep the order of the kinds); the stated
    # ones are a prefix of that order, since a stated reason is stronger than any other.
    order = np.argsort(-strength, axis=1, kind="stable")[:, :MAX_REASONS]
    shown = np.take_along_axis(stated, order, axis=1)
    count = shown.sum(axis=1)
    # Each shown cell's sentence, as its number in `texts` (-1: none); sentences are written once.
    sentence = np.full(order.shape, -1, dtype=np.int64)
    texts: list[str] = []
    for k in range(strength.shape[1]):
        at = (order == k) & shown
        rows = np.flatnonzero(at.any(axis=1))
        if rows.size:
            # Each row holds kind k once: the mask's cells, row by row, are `rows` in order.
            written, which = _sentences(k, rows, raw, backlog, done_share, holiday_names or {})
            sentence[at] = which + len(texts)
            texts.extend(written)
    bare = np.flatnonzero(warn & (count == 0))
    if bare.size:
        written, which = _time_used(bare, raw)
        sentence[bare, 0] = which + len(texts)
        texts.extend(written)
    # The shown cells are a prefix of each row: a list is its row's sentences up to the first -1.
    distinct, codes = _distinct_rows(sentence + 1, len(texts) + 1)
    # Figures that differ can still read the same (rounded): each list of words is kept once.
    number: dict[tuple[str, ...], int] = {}
    renumber = [
        number.setdefault(tuple(texts[s - 1] for s in row if s > 0), len(number)) for row in distinct.tolist()
    ]
    return Reasons(list(number), np.array(renumber, dtype=np.int64)[codes])


def _distinct_rows(values: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a matrix of integers in [0, base), and each row's number among them."""
    if values.shape[0] == 0:
        return values, np.zeros(0, dtype=np.int64)
    if base ** values.shape[1] < 2**62:  # one integer per row: a sort of integers, not of rows
        key = np.zeros(values.shape[0], dtype=np.int64)
        for column in values.T:
            key = key * base + column
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return values[first], inverse.ravel().astype(np.int64)
    distinct, inverse = np.unique(values, axis=0, return_inverse=True)
    return distinct, inverse.ravel().astype(np.int64)


def _texts(columns: list[np.ndarray], sentence: Callable[..., str]) -> tuple[list[str], np.ndarray]:
    """`sentence(*values)` for each distinct row of the columns, and each row's number among them
    (cases of one item and unit at one level share their figures, so their sentences)."""
    # One integer key per row from the codes of its values in each column (a sort of integers is
    # much faster than numpy's unique over rows; three columns of distinct values fit in int64).
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        distinct, code = np.unique(np.asarray(column, dtype=np.float64), return_inverse=True)
        key = key * distinct.size + code.ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    picked = [np.asarray(column, dtype=np.float64)[first].tolist() for column in columns]
    return [sentence(*row) for row in zip(*picked, strict=True)], inverse.ravel().astype(np.int64)


def _time_used(rows: np.ndarray, raw: dict) -> tuple[list[str], np.ndarray]:
    def sentence(promised: float, remaining: float, used_share: float) -> str:
        if promised == 0:
            return "即办件当日未办结"
        return f"承诺时限 {int(promised)} 个工作日，已用去 {round(100 * used_share)}%，仍未办结（剩余 {int(remaining)} 个工作日）"

    return _texts([raw["promised"][rows], raw["remaining"][rows], raw["used_share"][rows]], sentence)


def _sentences(
    k: int, rows: np.ndarray, raw: dict, backlog: np.ndarray, done_share: np.ndarray, holidays: dict[int, str]
) -> tuple[list[str], np.ndarray]:
    """Reason `k` in words for each of `rows`."""

    def col(name: str) -> np.ndarray:
        return raw[name][rows]

    def rate(prefix: str, suffix: str = "") -> Callable[[float, float], str]:
        return lambda late, n: f"{prefix}{_rate_text(int(late), int(n))}{suffix}"

    if k == 0:
        return _texts([col("item_late"), col("item_n")], rate("该事项近三月超期率 "))
    if k == 1:
        return _texts([col("unit_late"), col("unit_n")], rate("本单位近三月超期率 "))
    if k == 2:
        return _texts([col("unit_recent_late"), col("unit_recent_n")], rate("本单位近两周超期率 "))
    if k == 3:
        return _texts(
            [backlog[rows], col("open_now"), col("usual_now")],
            lambda b, n, usual: (
                f"本单位在办积压为平时的 {b:.1f} 倍（在办 {int(n)} 件，平时约 {usual:.0f} 件）"
            ),
        )
    if k == 4:
        return _texts(
            [col("item_late_level"), col("item_n_level")],
            rate("同事项办到这一步仍未办结的办件中，", "最终超期"),
        )
    if k == 5:
        return _texts(
            [col("used_share"), done_share[rows]],
            lambda used, done: (
                f"已用去承诺时限的 {round(100 * used)}%，同事项办件此时已有 {round(100 * done)}% 办结"
            ),
        )
    if k == 7:

        def length(late: float, n: float, days: float) -> str:
            which = f"承诺时限 {int(days)} 个工作日" if days < 10 else "承诺时限 10 个工作日及以上"
            return f"{which}的事项近三月超期率 {_rate_text(int(late), int(n))}"

        return _texts([col("length_late"), col("length_n"), col("promised")], length)
    if k == 8:
        return _texts(
            [col("unit_late_level"), col("unit_n_level")],
            rate("本单位办到这一步仍未办结的办件中，", "最终超期"),
        )

    def holiday(day: float) -> str:
        name = holidays.get(int(day))
        when = date.fromordinal(int(day))
        return f"到期前遇{name or ''}长假（{when.month}月{when.day}日起）"

    return _texts([col("break_day")], holiday)
