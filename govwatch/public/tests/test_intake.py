"""The evaluations received by the public page and recorded by the worker: once each, with their
audit entries and negative loop, nothing lost or doubled when a worker dies mid-batch, the rules'
late refusals told to the citizen."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from govwatch.audit.log import verify
from govwatch.audit.models import AuditEntry
from govwatch.core import pii
from govwatch.core.choices import CaseStatus
from govwatch.evaluations import intake as evaluation_intake
from govwatch.evaluations.intake import do_submit_evaluation
from govwatch.evaluations.models import Evaluation, RectificationTask
from govwatch.public.intake import take_all, take_submissions
from govwatch.public.models import Submission
from govwatch.public.tokens import evaluation_link

from .conftest import PHONE, evaluation_post, token_of

pytestmark = pytest.mark.django_db


def _post(client, case, **fields):
    path = evaluation_link(case, "sms")
    return client.post(path, evaluation_post(token_of(path), **fields))


def test_a_received_negative_review_is_recorded_once_with_its_loop_and_audit(client, done):
    response = _post(client, done, level="1", tags=["attitude"], comment="态度差")
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.case_no, submission.state, submission.level) == (done.case_no, "received", 1)
    assert not AuditEntry.objects.filter(action="evaluation.submit").exists()

    assert take_submissions() == 1
    assert take_submissions() == 0  # nothing is taken twice
    evaluation = Evaluation.objects.get(case=done)
    assert (evaluation.level, evaluation.channel, evaluation.tags) == (1, "sms", ["attitude"])
    assert evaluation.at == submission.received_at  # the moment the citizen sent it
    assert pii.decrypt(evaluation.evaluator_enc) == PHONE  # read from the contact by the worker
    assert RectificationTask.objects.filter(evaluation=evaluation).count() == 1
    assert Submission.objects.get().state == "taken"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "source"))
    assert ("evaluation.submit", "127.0.0.1") in actions and ("rectification.open", "127.0.0.1") in actions
    assert verify().ok
    assert "已提交" in client.get(response.url).content.decode()


def test_a_second_submission_for_a_case_is_refused_at_once(client, done):
    assert _post(client, done).status_code == 302
    again = _post(client, done, level="1", tags=["slow"])
    assert again.status_code == 409 and "该办件已评价" in again.content.decode()
    assert Submission.objects.count() == 1
    assert take_all() == 1 and Evaluation.objects.get().level == 5


def test_bad_input_is_refused_in_chinese_and_nothing_is_received(client, done):
    response = _post(client, done, level="9")
    assert response.status_code == 400 and "<form" in response.content.decode()
    response = _post(client, done, level="5", tags=["attitude"])
    assert response.status_code == 400 and "选择满意时不需要选择不满意的原因" in response.content.decode()
    forged = client.post(f"/e/{token_of(evaluation_link(done))}x/", evaluation_post("x"))
    assert forged.status_code == 403 and "链接无效" in forged.content.decode()
    assert not Submission.objects.exists()


def test_what_the_rules_refuse_later_is_told_to_the_citizen(client, done, make_case):
    # Evaluated meanwhile by another channel: the worker refuses, the page shows the evaluation.
    assert _post(client, done).status_code == 302
    do_submit_evaluation(case=done, level=3, channel="device", at=done.closed_at)
    # A case cancelled after the citizen sent it: the refusal is shown with the case.
    other = make_case("RS2026110077")
    assert _post(client, other).status_code == 302
    from govwatch.cases.models import Case

    Case.objects.filter(pk=other.pk).update(status=CaseStatus.WITHDRAWN)
    assert take_all() == 2
    refused = dict(Submission.objects.values_list("case_no", "refusal"))
    assert refused[done.case_no] == "该办件已评价，每笔办件只能评价一次"
    assert "不能评价" in refused[other.case_no]
    assert Evaluation.objects.get(case=done).level == 3
    assert "已评价" in client.get(evaluation_link(done)).content.decode()
    page = client.get(evaluation_link(other))
    assert "不能评价" in page.content.decode()
    assert verify().ok


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(client, make_case, monkeypatch):
    cases = [make_case(f"RS20261120{n:02d}") for n in range(5)]
    for case in cases:
        assert _post(client, case).status_code == 302
    entries = AuditEntry.objects.count()
    calls = []

    recorded = evaluation_intake._recorded

    def dies_at_the_third(evaluation, case, actor):
        calls.append(case.case_no)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process dies: its transaction never commits
        return recorded(evaluation, case, actor)

    monkeypatch.setattr(evaluation_intake, "_recorded", dies_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        take_submissions()
    assert not Evaluation.objects.exists()
    assert set(Submission.objects.values_list("state", flat=True)) == {"received"}
    assert AuditEntry.objects.count() == entries and verify().ok

    monkeypatch.undo()
    assert take_all() == 5
    assert sorted(Evaluation.objects.values_list("case_id", flat=True)) == sorted(c.case_no for c in cases)
    assert AuditEntry.objects.filter(action="evaluation.submit").count() == 5
    assert verify().ok


def test_batches_are_taken_in_order_until_none_is_left(client, make_case):
    for n in range(5):
        assert _post(client, make_case(f"RS20261121{n:02d}")).status_code == 302
    assert take_submissions(limit=2) == 2 and take_submissions(limit=2) == 2
    assert take_submissions(limit=2) == 1 and take_submissions(limit=2) == 0
    assert Evaluation.objects.count() == 5 and verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_take_each_submission_once(client, make_case, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite in memory fails concurrent writers at once; PostgreSQL runs this")
    settings.PUBLIC_SUBMITS_PER_MINUTE = 1000  # forty citizens, one test address
    for n in range(40):
        assert _post(client, make_case(f"RS20261122{n:02d}")).status_code == 302
    taken: list[int] = []

    def worker():
        try:
            while n := take_submissions(limit=3):
                taken.append(n)
        finally:
            # This thread's connection, closed: one kept (CONN_MAX_AGE) would hold the test database
            # open when the run drops it.
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(taken) == 40
    assert Evaluation.objects.count() == 40 and Submission.objects.filter(state="taken").count() == 40
    assert AuditEntry.objects.filter(action="evaluation.submit").count() == 40
    assert verify().ok
