"""`report kpi` computed over columns (govwatch.reports.kpi) equals the rows built one by one
(govwatch.reports.figures) and what govwatch.reports.exports writes of them, byte for byte."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govwatch.cli import main
from govwatch.figures.tables import UnitTable
from govwatch.orgs.models import Unit
from govwatch.reports import exports, kpi
from govwatch.reports.figures import (
    _COUNTS,
    FIGURES,
    TOTAL,
    TOTAL_NAME,
    _row,
    contract_rows,
    kpi_rows,
    selected_units,
    top_negative_tags,
)

from .conftest import MARCH

MARCH_ARGS = ["--from", "2026-03-01", "--to", "2026-03-31"]
NAMES = ["甲", '东门"社区"\\ 一', "纪委\n监委", "=1+1", "", "乙 (二)"]

# Mostly small counts, so that rates repeat, denominators are 0 and rounding meets its halves;
# sometimes large ones.
count = st.one_of(st.integers(0, 4), st.integers(0, 2000), st.integers(0, 10**12))
counts = st.fixed_dictionaries({name: count for name in _COUNTS})


def _expected(table_rows: dict[int, dict[str, int]], units: list[tuple[int, str, str]]) -> list[dict]:
    """The rows as figures.kpi_rows builds them from the same counts, as the command shows them."""
    zero = dict.fromkeys(_COUNTS, 0)
    rows = [_row(code, name, table_rows.get(pk, zero)) for pk, code, name in units]
    total = {key: sum(table_rows.get(pk, zero)[key] for pk, _c, _n in units) for key in _COUNTS}
    return contract_rows([*rows, _row(TOTAL, TOTAL_NAME, total)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sets=st.lists(counts, min_size=1, max_size=4),
    picks=st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=0, max_size=12),
)
def test_the_figures_over_columns_are_the_rows_built_one_by_one(sets, picks):
    # Units sharing a set of counts, units missing from the table (zeros), names to escape.
    table_rows = {}
    units = []
    for pk, (which, in_table) in enumerate(picks, start=1):
        units.append((pk, f"U{pk:03d}", NAMES[pk % len(NAMES)]))
        if in_table:
            table_rows[pk] = sets[which % len(sets)]
    table = UnitTable.of(_COUNTS, [(pk, *(c[k] for k in _COUNTS)) for pk, c in table_rows.items()])
    rows = _expected(table_rows, units)
    figures = kpi.figures_of(table, units)
    tags = [("attitude", "态度", 3)]
    document = exports.kpi_document(*MARCH, None, rows, tags)

    made = [
        dict(zip(("unit_code", "unit_name", *FIGURES), (code, name, *figures.values(i)), strict=True))
        for i, (code, name) in enumerate(zip(figures.codes, figures.names, strict=True))
    ]
    assert made == document["rows"]
    assert kpi.kpi_json(*MARCH, None, figures, tags) == json.dumps(document, ensure_ascii=False).encode()
    assert kpi.kpi_csv(figures) == exports.kpi_csv(rows)


def test_a_negative_reduction_rounded_to_zero_is_written_minus_zero():
    # Promised longer than the law by a hair: 1 - 100001/100000 rounds to -0.0, which json.dumps
    # writes "-0.0" (and 0.0 "0.0": equal floats, so they must not share a cached text).
    base = dict.fromkeys(_COUNTS, 0)
    hair = {**base, "legal_days_sum": 100_000, "promised_days_sum": 100_001}
    exact = {**base, "legal_days_sum": 5, "promised_days_sum": 5}
    units = [(1, "A", "甲"), (2, "B", "乙")]
    table = UnitTable.of(_COUNTS, [(pk, *(c[k] for k in _COUNTS)) for pk, c in ((1, hair), (2, exact))])
    text = kpi.kpi_json(*MARCH, None, kpi.figures_of(table, units), []).decode()
    assert text == json.dumps(
        exports.kpi_document(*MARCH, None, _expected({1: hair, 2: exact}, units), []), ensure_ascii=False
    )
    assert '"time_limit_reduction": -0.0' in text and '"time_limit_reduction": 0.0' in text


def test_rows_with_one_hash_are_still_told_apart():
    counts = np.array([[1, 2, 3], [3, 2, 1], [1, 2, 3], [0, 0, 0]], dtype=np.int64)
    # Every row the same hash: the rows themselves are compared.
    first, inverse = kpi._distinct_rows(counts, np.zeros(3, np.int64))
    assert (counts[first[inverse]] == counts).all()
    assert len(first) == 3 and inverse[0] == inverse[2] != inverse[1]


def _printed(capsysbinary, *argv: str) -> bytes:
    capsysbinary.readouterr()
    assert main(["report", "kpi", *argv]) == 0
    return capsysbinary.readouterr().out


def test_the_command_prints_what_the_exports_write_of_the_rows(march, capsysbinary):
    Unit.objects.filter(code="ST1").update(name='东门"社区"')
    for unit in (None, "ST"):
        narrowed = ["--unit", unit] if unit else []
        rows = contract_rows(kpi_rows(*MARCH, unit))
        tags = top_negative_tags(*MARCH, selected_units(unit) if unit else None)
        assert _printed(capsysbinary, *MARCH_ARGS, *narrowed, "--format", "json") == (
            exports.kpi_json(*MARCH, unit, rows, tags) + "\n"
        ).encode("utf-8")
        assert _printed(capsysbinary, *MARCH_ARGS, *narrowed, "--format", "csv") == exports.kpi_csv(rows)


def test_a_period_with_nothing_in_it_has_a_row_of_zeros_per_unit(march, capsysbinary):
    printed = json.loads(_printed(capsysbinary, "--from", "2030-01-01", "--to", "2030-01-31"))
    assert [r["unit_code"] for r in printed["rows"]] == [
        *Unit.objects.order_by("path").values_list("code", flat=True),
        TOTAL,
    ]
    assert {r["received"] for r in printed["rows"]} == {0}
    assert (
        printed["rows"]
        == exports.kpi_document(
            date(2030, 1, 1),
            date(2030, 1, 31),
            None,
            contract_rows(kpi_rows(date(2030, 1, 1), date(2030, 1, 31))),
            [],
        )["rows"]
    )
