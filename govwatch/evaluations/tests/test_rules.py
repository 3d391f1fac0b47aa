"""The rules of the good/bad review, each one function that every entry point follows: what is
negative, the evaluation window, the digest that makes a re-sent evaluation a duplicate."""

from __future__ import annotations

from datetime import date

from govwatch.evaluations.models import Evaluation
from govwatch.evaluations.rules import (
    evaluation_digest,
    evaluation_last_day,
    is_negative,
    window_closed,
    windows_closed_by,
)
from govwatch.imports.runs import run_import
from govwatch.public.forms import EvaluationForm
from govwatch.reports.figures import kpi_rows

from .conftest import at, write_csv


def test_negative_is_levels_one_and_two_unless_the_region_says_otherwise(settings):
    assert [is_negative(level) for level in (1, 2, 3, 4, 5)] == [True, True, False, False, False]
    settings.NEGATIVE_LEVELS = (1, 2, 3)
    assert is_negative(3) and not is_negative(4)


def test_every_place_that_counts_negatives_follows_the_one_rule(completed, submit, settings):
    settings.NEGATIVE_LEVELS = (1, 2, 3)
    submit(completed("SC-003", at(2026, 3, 2, 9)), 3, at(2026, 3, 3), tags=["slow"])
    submit(completed("SC-004", at(2026, 3, 2, 9)), 4, at(2026, 3, 3))
    evaluation = Evaluation.objects.get(level=3)
    assert evaluation.is_negative and hasattr(evaluation, "task")  # the loop took it
    assert list(Evaluation.objects.negative().values_list("level", flat=True)) == [3]
    total = kpi_rows(date(2026, 3, 1), date(2026, 3, 31))[-1]
    assert (total["evaluations"], total["negative"], total["satisfaction_rate"]) == (2, 1, 0.5)
    form = EvaluationForm({"level": "3", "stamp": "x"})
    assert not form.is_valid()
    assert form.errors["tags"] == ["选择“基本满意”或“不满意”或“非常不满意”时，请至少选择一项原因"]


def test_the_window_closes_at_the_end_of_the_last_day(settings):
    settings.EVALUATION_WINDOW_DAYS = 7
    done = at(2026, 3, 2, 23, 50)
    assert evaluation_last_day(done) == date(2026, 3, 9)
    assert not window_closed(done, at(2026, 3, 9, 23, 59))
    assert window_closed(done, at(2026, 3, 10, 0, 0))
    # The bound a query uses agrees: a case completed before it has its window closed.
    assert windows_closed_by(at(2026, 3, 10, 0, 0)) == at(2026, 3, 3, 0, 0) > done


def test_an_evaluation_taken_here_and_sent_again_by_a_file_is_a_duplicate(completed, submit, tmp_path):
    evaluation = submit(completed("SC-005", at(2026, 3, 2, 9)), 5, at(2026, 3, 3))
    assert evaluation.digest == evaluation_digest(
        evaluation.eval_id, 5, at(2026, 3, 3), "SC-005", evaluation.unit_id, "qr", "", "", False, ""
    )
    path = write_csv(
        tmp_path / "e.csv", ["eval_id", "level", "at", "case_no", "channel"],
        [[evaluation.eval_id, 5, at(2026, 3, 3).isoformat(), "SC-005", "qr"]],
    )  # fmt: skip
    result = run_import("evaluations", path)
    assert (result.duplicates, result.rejected) == (1, 0)
