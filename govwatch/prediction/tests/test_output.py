"""`govwatch predict`'s shortcuts to a province's output: each gives what the plain way gives."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govwatch.prediction import frame as fr
from govwatch.prediction import predicting
from govwatch.prediction.reasons import reasons_of

from .conftest import AT, event, features_of


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), max_size=50))
def test_risk_texts_are_pythons_rounding(values):
    risk = np.array(values, dtype=np.float64)
    assert predicting.risk_texts(risk) == [repr(round(v, 4)).encode() for v in values]
    assert predicting.risk_texts(risk) == [json.dumps(round(v, 4)).encode() for v in values]


def test_risk_texts_at_halves_and_edges_are_pythons_rounding():
    halves = (np.arange(0, 10_000) + 0.5) / 10_000  # each the float nearest a half: either side of it
    near = np.concatenate([np.nextafter(halves, 0), halves, np.nextafter(halves, 1)])
    odd = np.array([0.0, 1.0, 1e-300, 5e-5, 0.99995, 1 - 1e-17, -0.0, -0.25, 1.5, np.nan, np.inf])
    risk = np.concatenate([near, odd])
    assert predicting.risk_texts(risk) == [json.dumps(round(v, 4)).encode() for v in risk.tolist()]


def test_case_numbers_are_written_as_json_strings():
    plain = ["20260110130739", "B001-2026/7", "受理〔2026〕3号"]
    odd = [*plain, 'a"b', "a\\b", "line\nbreak", "tab\there", "\x1f"]
    for texts in (plain, odd):
        written, quote = predicting._json_strings(texts)
        assert [quote + w + quote for w in written] == [
            json.dumps(t, ensure_ascii=False).encode() for t in texts
        ]


@pytest.mark.django_db
def test_the_document_is_jsons_own_with_and_without_a_model(history):
    prediction = predicting.predict(AT)
    assert prediction.json_bytes() == json.dumps(prediction.as_dict(), ensure_ascii=False).encode()
    empty = predicting.Prediction(
        AT, None, prediction.frame, prediction.rows[:0], [], np.zeros(0), np.zeros(0, dtype=bool),
        prediction.reasons.__class__([], np.zeros(0, dtype=np.int64)), prediction.due[:0],
    )  # fmt: skip
    assert json.loads(empty.json_bytes()) == empty.as_dict()


@pytest.mark.django_db
def test_each_distinct_list_of_reasons_is_kept_once(history):
    prediction = predicting.predict(AT)
    f = features_of(prediction, history.calendar)
    reasons = reasons_of(f, prediction.warn)
    assert len(set(reasons.lists)) == len(reasons.lists) == np.unique(reasons.codes).size
    assert reasons.as_lists() == [reasons[i] for i in range(len(reasons))]
    assert any(len(r) > 1 for r in reasons.lists)


@pytest.mark.django_db
def test_the_open_cases_suspensions_are_those_the_whole_history_gives_them(history):
    from govwatch.cases.models import Case

    running = list(
        Case.objects.filter(status="open")
        .exclude(case_no__startswith="WATCH")
        .values_list("case_no", flat=True)[:3]
    )
    later = AT + timedelta(days=2)
    history.import_events(
        [
            # One suspension ended, one still going, and one that begins after the moment asked.
            event(running[0], "suspend", AT - timedelta(days=3), reason="专家评审"),
            event(running[0], "resume", AT - timedelta(days=1)),
            event(running[1], "suspend", AT - timedelta(hours=5), reason="补正材料"),
            event(running[2], "suspend", later, reason="现场核查"),
        ],
        name="suspensions.csv",
    )
    cal = history.calendar
    open_frame = fr.load(AT, None, cal, only_open=True)
    whole = fr.load(AT, None, cal)
    same = whole.take(np.searchsorted(whole.id, open_frame.id))
    assert np.array_equal(same.id, open_frame.id)
    assert open_frame.s_row.size == 2
    for name in ("s_row", "s_start", "s_end", "s_days"):
        assert np.array_equal(getattr(open_frame, name), getattr(same, name)), name
