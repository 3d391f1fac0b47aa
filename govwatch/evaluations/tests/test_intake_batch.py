"""Many evaluations recorded at once (`do_submit_evaluations`, the worker's bulk path): each decided
by the rules as if alone, their statements shared."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from govwatch.audit import log as audit
from govwatch.audit.log import verify
from govwatch.audit.models import AuditEntry
from govwatch.core.pii import decrypt
from govwatch.evaluations.intake import (
    ALREADY_RATED,
    EvaluationRefused,
    Proposed,
    do_submit_evaluation,
    do_submit_evaluations,
)
from govwatch.evaluations.models import Evaluation, RectificationTask

from .conftest import PHONE, at


def _record(proposed: list[Proposed]) -> list:
    with transaction.atomic(), audit.batched():
        return do_submit_evaluations(proposed)


def test_a_batch_records_each_evaluation_as_alone_with_its_entry_and_task(completed):
    good = completed("B1", at(2026, 3, 2, 9))
    bad = completed("B2", at(2026, 3, 2, 9))
    outcomes = _record([
        Proposed(good, 5, "qr", at(2026, 3, 3), scores={"efficiency": 5}, evaluator=PHONE),
        Proposed(bad, 1, "qr", at(2026, 3, 3), tags=["slow"], comment="跑了三次"),
    ])  # fmt: skip
    assert [type(o) for o in outcomes] == [Evaluation, Evaluation]
    stored = Evaluation.objects.get(case_id="B1")
    assert stored.scores == {"efficiency": 5, "overall": 5} and decrypt(stored.evaluator_enc) == PHONE
    assert RectificationTask.objects.get().evaluation.case_id == "B2"
    assert AuditEntry.objects.filter(action="evaluation.submit").count() == 2 and verify().ok
    assert PHONE not in str(list(AuditEntry.objects.values_list("after", flat=True)))


def test_what_the_rules_refuse_is_refused_alone_and_the_rest_recorded(completed, import_cases, submit):
    from govwatch.cases.models import Case

    rated = completed("R1", at(2026, 3, 2, 9))
    submit(rated, 5, at(2026, 3, 3))
    late = completed("R2", at(2026, 3, 2, 9))
    fine = completed("R3", at(2026, 3, 2, 9))
    import_cases(("R4", "accept", at(2026, 3, 2), "I9"))
    open_case = Case.objects.get(case_no="R4")
    outcomes = _record([
        Proposed(rated, 4, "qr", at(2026, 3, 4)),
        Proposed(late, 4, "qr", at(2026, 3, 20)),  # the window closed on the 9th
        Proposed(fine, 7, "qr", at(2026, 3, 4)),  # bad input: no such level
        Proposed(fine, 4, "nowhere", at(2026, 3, 4)),  # bad input: no such channel
        Proposed(open_case, 4, "qr", at(2026, 3, 4)),
        Proposed(fine, 4, "qr", at(2026, 3, 4)),
        Proposed(fine, 2, "sms", at(2026, 3, 4, 11)),  # the same case twice in one batch
    ])  # fmt: skip
    reasons = [str(o) if isinstance(o, EvaluationRefused) else "ok" for o in outcomes]
    assert reasons[0] == "该办件已评价，每笔办件只能评价一次"
    assert reasons[1].startswith("已超过评价期限")
    assert reasons[2] == "评价等级应为 1 至 5（非常不满意至非常满意）"
    assert reasons[3] == "评价渠道“nowhere”无效"
    assert reasons[4] == "该办件尚未办结，办结后才能评价"
    assert reasons[5] == "ok" and reasons[6] == "该办件已评价，每笔办件只能评价一次"
    assert Evaluation.objects.get(case_id="R3").level == 4
    assert Evaluation.objects.count() == 2 and verify().ok
    assert AuditEntry.objects.filter(action="evaluation.submit").count() == 2


def test_a_row_the_checks_cannot_foresee_fails_only_its_own_evaluation(completed):
    # An evaluation imported under the id GovWatch gives R2's (another case): the shared INSERT
    # fails, and each is then recorded alone.
    first = completed("F1", at(2026, 3, 2, 9))
    second = completed("F2", at(2026, 3, 2, 9))
    outcomes = _record([Proposed(first, 5, "qr", at(2026, 3, 3))])
    Evaluation.objects.filter(case_id="F1").update(eval_id="GW-F2")
    third = completed("F3", at(2026, 3, 2, 9))
    outcomes = _record([Proposed(second, 5, "qr", at(2026, 3, 3)), Proposed(third, 4, "qr", at(2026, 3, 3))])
    assert isinstance(outcomes[0], EvaluationRefused) and isinstance(outcomes[1], Evaluation)
    assert set(Evaluation.objects.values_list("case_id", flat=True)) == {"F1", "F3"}
    assert AuditEntry.objects.filter(action="evaluation.submit").count() == 2 and verify().ok


def test_a_batch_costs_the_statements_of_one(completed):
    cases = [completed(f"Q{n}", at(2026, 3, 2, 9)) for n in range(12)]
    with transaction.atomic(), audit.batched(), CaptureQueriesContext(connection) as queries:
        outcomes = do_submit_evaluations([Proposed(c, 5, "qr", at(2026, 3, 3)) for c in cases])
    assert all(isinstance(o, Evaluation) for o in outcomes)
    # The lock, the rated check, a savepoint around the INSERT, the stale days.
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]
    assert Evaluation.objects.count() == 12


def test_one_evaluation_is_a_batch_of_one_and_refused_alike(completed):
    first = completed("S1", at(2026, 3, 2, 9))
    second = completed("S2", at(2026, 3, 2, 9))
    assert isinstance(do_submit_evaluation(case=first, level=5, channel="qr", at=at(2026, 3, 3)), Evaluation)
    # Its id taken by another row: the INSERT fails, and the one evaluation is refused, not raised.
    Evaluation.objects.filter(case_id="S1").update(eval_id="GW-S2")
    with pytest.raises(EvaluationRefused, match=ALREADY_RATED):
        do_submit_evaluation(case=second, level=4, channel="qr", at=at(2026, 3, 3))
    with pytest.raises(EvaluationRefused, match="评价等级应为 1 至 5"):
        do_submit_evaluation(case=second, level=9, channel="qr", at=at(2026, 3, 3))
    assert list(Evaluation.objects.values_list("case_id", flat=True)) == ["S1"]
    assert AuditEntry.objects.filter(action="evaluation.submit").count() == 1 and verify().ok
