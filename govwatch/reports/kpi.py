"""`govwatch report kpi` as JSON or CSV from the counts' table, without a dict per row.

A province has 16,336 rows of 34 figures: building each row as a dict (`kpi_rows`), then rounding
and writing it, took most of the command's time after its start-up. Here the counts stay a matrix
(govwatch.figures.tables.UnitTable), each figure is computed over a column at a time, and each
distinct rate is rounded and written once; the text is what `exports.kpi_json` and
`exports.kpi_csv` write of `contract_rows(kpi_rows(...))` (tested against them, figure by figure
against `figures._row`).

How each figure is made of the counts is FORMULAS, the same arithmetic as govwatch.figures.rows.row
and govwatch.complaints.figures.row: a count as it is; a rate `n / d`, None when `d` is 0; the
time-limit reduction `1 - promised / legal`, None when `legal` is 0. Python's int division and
numpy's float64 division give the same float for counts under 2**53 (both correctly rounded).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from govwatch.core.bulk import plain_rows
from govwatch.core.sheets import table_csv
from govwatch.figures.rows import Period
from govwatch.figures.tables import UnitTable

from .exports import RATE_DECIMALS
from .figures import COLUMNS, FIGURES, TOTAL, TOTAL_NAME, _aggregated, selected_units, top_negative_tags

# A figure: the name of a count, ("rate", numerator, denominator) or ("reduction", legal, promised).
FORMULAS: dict[str, str | tuple[str, str, str]] = {
    "received": "received",
    "completed": "completed",
    "completed_on_time": "completed_on_time",
    "on_time_rate": ("rate", "completed_on_time", "completed"),
    "overdue_open": "overdue_open",
    "evaluations": "evaluations",
    "evaluation_rate": ("rate", "evaluated", "completed"),
    "active_evaluation_rate": ("rate", "actively_evaluated", "completed"),
    "satisfaction_rate": ("rate", "satisfied", "evaluations"),
    # The contract's `negative` (figures.contract_rows): upheld appeals' reviews counted too.
    "negative": "contract_negative",
    "time_limit_reduction": ("reduction", "legal_days_sum", "promised_days_sum"),
    "online_rate": ("rate", "online_items", "items"),
    "full_online_rate": ("rate", "full_online_items", "items"),
    "rectification_tasks": "rectification_tasks",
    "rectified_on_time": "rectified_on_time",
    "rectified_on_time_rate": ("rate", "rectified_on_time", "rectification_tasks"),
    "callbacks_owed": "callbacks_owed",
    "called_back": "called_back",
    "callback_rate": ("rate", "called_back", "callbacks_owed"),
    "complaints_received": "complaints_received",
    "complaint_matters": "complaint_matters",
    "complaint_repeats": "complaint_repeats",
    "complaints_closed": "complaints_closed",
    "complaints_closed_on_time": "complaints_closed_on_time",
    "complaint_on_time_rate": ("rate", "complaints_closed_on_time", "complaints_closed"),
    "complaints_substantiated": "complaints_substantiated",
    "complaint_substantiated_rate": ("rate", "complaints_substantiated", "complaints_found"),
    "complaint_callbacks": "complaint_callbacks",
    "complaint_callbacks_satisfied": "complaint_callbacks_satisfied",
    "complaint_satisfaction_rate": ("rate", "complaint_callbacks_satisfied", "complaint_callbacks"),
}


# The rows' figures in blocks that read different counts (cases and evaluations, the catalog, the
# negative-review loop, complaints), each block's first figure here: a block has far fewer
# distinct sets of counts than a whole row (a province month: 3,559, 4,416, 1 and 1,424 against
# 10,653), so each is computed and written once per set of its own. Figures added at the end join
# the last block.
BLOCK_STARTS = ("received", "time_limit_reduction", "rectification_tasks", "complaints_received")


@dataclass(frozen=True)
class Block:
    """Some consecutive FIGURES (`figures`) of every row: `kinds[i]`, which distinct set of the
    block's counts the i-th row has; `columns[j][k]`, the figure `figures[j]` of the k-th set (a
    count as an int, a rate rounded to RATE_DECIMALS or None); `texts[j][k]` the same as JSON."""

    figures: tuple[str, ...]
    kinds: list[int]
    columns: list[list[Any]]
    texts: list[list[str]]


@dataclass(frozen=True)
class Figures:
    """The rows of a selection: `codes[i]`, `names[i]` the i-th row's unit (tree order, the total
    last), its figures in `blocks`, in FIGURES' order."""

    codes: list[str]
    names: list[str]
    blocks: list[Block]

    def values(self, i: int) -> tuple[Any, ...]:
        """The figures (FIGURES' order) of the i-th row."""
        return tuple(column[block.kinds[i]] for block in self.blocks for column in block.columns)


def kpi_figures(date_from: date, date_to: date, unit_code: str | None = None) -> Figures:
    """The rows of `report kpi` (contract_rows(kpi_rows(...)): every unit of the region, or of
    `unit_code`'s subtree, then the total); raises figures.UnknownUnit."""
    selection = selected_units(unit_code)
    units = plain_rows(selection.order_by("path").values_list("pk", "code", "name"))
    only = selection.values("pk") if unit_code is not None else None
    return figures_of(_aggregated(Period(date_from, date_to), only), units)


def figures_of(table: UnitTable, units: Sequence[tuple[int, str, str]]) -> Figures:
    """The Figures of `units` (pk, code, name, in the rows' order) from the counts of `table` (a
    unit not in it has zeros), and of their total."""
    ids = np.fromiter((pk for pk, _code, _name in units), np.int64, len(units))
    counts = np.vstack([table.on(ids), np.zeros((1, len(table.names)), np.int64)])
    counts[-1] = counts[:-1].sum(axis=0)
    column = {name: counts[:, i] for i, name in enumerate(table.names)}
    column["contract_negative"] = column["negative"] + column["negative_excluded"]
    starts = [FIGURES.index(name) for name in BLOCK_STARTS]
    return Figures(
        codes=[code for _pk, code, _name in units] + [TOTAL],
        names=[name for _pk, _code, name in units] + [TOTAL_NAME],
        blocks=[
            _block(FIGURES[start:end], column)
            for start, end in zip(starts, [*starts[1:], len(FIGURES)], strict=True)
        ],
    )


def _block(figures: tuple[str, ...], column: dict[str, np.ndarray]) -> Block:
    """The Block of `figures` over the rows of `column` (each count's column)."""
    read = list(dict.fromkeys(name for key in figures for name in _counts_of(FORMULAS[key])))
    first, inverse = _distinct_rows(np.column_stack([column[name] for name in read]))
    distinct = {name: column[name][first] for name in read}
    made = [_figure(FORMULAS[key], distinct) for key in figures]
    return Block(
        figures=figures,
        kinds=inverse.tolist(),
        columns=[values for values, _texts in made],
        texts=[texts for _values, texts in made],
    )


def _counts_of(formula: str | tuple[str, str, str]) -> tuple[str, ...]:
    return (formula,) if isinstance(formula, str) else formula[1:]


def _distinct_rows(counts: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse): the index of the first row of each distinct row of `counts`, and each
    row's distinct row. Rows are told apart by a 64-bit hash (`weights`: its factors), then checked
    equal to their first (np.unique over whole rows sorts them as bytes: 20 times slower on a
    province)."""
    if weights is None:
        weights = np.random.default_rng(20261130).integers(1, 2**62, counts.shape[1], dtype=np.int64) | 1
    with np.errstate(over="ignore"):
        hashes = counts @ weights  # wraps around: a hash, not a sum
    _hashes, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if not (counts == counts[first[inverse]]).all():  # two distinct rows with one hash
        _rows, first, inverse = np.unique(counts, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
    return first, inverse


def _figure(formula: str | tuple[str, str, str], column: dict[str, np.ndarray]) -> tuple[list, list]:
    """The figure's values and their JSON texts over the distinct sets of counts."""
    if isinstance(formula, str):
        values = column[formula].tolist()
        return values, list(map(str, values))
    kind, a, b = formula
    numerator, denominator = column[a], column[b]
    if kind == "reduction":  # 1 - promised / legal
        numerator, denominator = denominator, numerator
    shown = denominator != 0
    quotient = numerator[shown] / denominator[shown]
    if kind == "reduction":
        quotient = 1 - quotient
    # Python's round, once per distinct value (numpy's rounding differs near a half).
    found, at = np.unique(quotient, return_inverse=True)
    rounded = [round(value, RATE_DECIMALS) for value in found.tolist()]
    values = np.full(len(shown), None, dtype=object)
    texts = np.full(len(shown), "null", dtype=object)
    values[shown] = np.array(rounded + [None], dtype=object)[:-1][at.reshape(-1)]
    texts[shown] = np.array([float.__repr__(value) for value in rounded] + [None], dtype=object)[:-1][
        at.reshape(-1)
    ]
    return values.tolist(), texts.tolist()


def kpi_json(
    date_from: date,
    date_to: date,
    unit_code: str | None,
    figures: Figures,
    top_negative_tags: list[tuple[str, str, int]],
) -> bytes:
    """The UTF-8 of the text `exports.kpi_json` writes of the same rows (json.dumps of
    `kpi_document`). Made as bytes: the figures' texts are ASCII, encoded once per distinct set of
    a block, and only the units' codes and names are encoded per row (a province's document is
    13 MB)."""
    string = json.encoder.encode_basestring  # json.dumps(text, ensure_ascii=False)
    # The rows' heads encoded at once (a NUL cannot be in them: encode_basestring escapes it).
    heads = "\0".join(
        f'{{"unit_code": {string(code)}, "unit_name": {string(name)}'
        for code, name in zip(figures.codes, figures.names, strict=True)
    )
    width = 2 + len(figures.blocks)  # head, blocks, separator: row after row
    parts = [b"}, "] * (width * len(figures.codes))
    parts[0::width] = heads.encode().split(b"\0")
    for at, block in enumerate(figures.blocks, start=1):
        template = "".join(f", {_dumps(key)}: %s" for key in block.figures)
        texts = [(template % values).encode() for values in zip(*block.texts, strict=True)]
        parts[at::width] = [texts[kind] for kind in block.kinds]
    head = _dumps({"from": date_from.isoformat(), "to": date_to.isoformat(), "unit": unit_code})[:-1]
    tags = [{"tag": tag, "label": label, "count": count} for tag, label, count in top_negative_tags]
    return b"".join(
        [
            f'{head}, "rows": ['.encode(),
            *parts[:-1],
            f'}}], "top_negative_tags": {_dumps(tags)}}}'.encode(),
        ]
    )


def kpi_csv(figures: Figures) -> bytes:
    """The bytes `exports.kpi_csv` writes of the same rows (the command's English header)."""
    blocks = [(block.kinds, list(zip(*block.columns, strict=True))) for block in figures.blocks]
    return table_csv(
        COLUMNS,
        (
            (code, name, *(value for kinds, rows in blocks for value in rows[kinds[i]]))
            for i, (code, name) in enumerate(zip(figures.codes, figures.names, strict=True))
        ),
    )


def json_document(date_from: date, date_to: date, unit_code: str | None) -> bytes:
    """`report kpi --format json`'s document in UTF-8 (without the final newline)."""
    units = selected_units(unit_code) if unit_code else None
    figures = kpi_figures(date_from, date_to, unit_code)
    return kpi_json(date_from, date_to, unit_code, figures, top_negative_tags(date_from, date_to, units))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
