"""The evaluation POSTs of one process share their statements (`intake.take_in`, a group commit):
a batch costs the statements of one POST, each POST is answered once its own submission is
committed, a token and a case are used once even when their POSTs share a batch, the rate limits
count every POST of a batch as if it had come alone, and a bad row fails only its own POST."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govwatch.core.groupcommit import GroupCommit
from govwatch.evaluations.models import Evaluation
from govwatch.public import intake, ratelimit
from govwatch.public.intake import Arrival, new_submission, take_all
from govwatch.public.models import Submission
from govwatch.public.tokens import evaluation_link

from .conftest import evaluation_post, token_of
from .lean import LeanClient as Client

pytestmark = pytest.mark.django_db


def _arrival(case_no: str, *, level: int = 5, checks=(), write: bool = True) -> Arrival:
    now = timezone.now()
    submission = new_submission(
        case_no=case_no, channel="sms", window_code="", level=level, scores={}, tags=[] if level >= 3 else ["slow"],
        comment="", source="127.0.0.1", at=now,
    )  # fmt: skip
    return Arrival(case_no, tuple(checks), submission if write else None, now)


# -- the combiner alone -------------------------------------------------------------------------


def test_posts_arriving_while_a_batch_is_written_are_written_together_as_the_next_batch():
    written: list[list[int]] = []
    first_started, release = threading.Event(), threading.Event()

    def write(items: list[int]) -> None:
        if not written:
            first_started.set()
            release.wait(10)  # the first batch is slow: the others queue meanwhile
        written.append(list(items))

    group = GroupCommit(write)
    threads = [threading.Thread(target=group.run, args=(0,))]
    threads[0].start()
    assert first_started.wait(10)
    for n in range(1, 6):
        threads.append(threading.Thread(target=group.run, args=(n,)))
        threads[-1].start()
    while len(group._queue) < 5:
        time.sleep(0.01)
    release.set()
    for t in threads:
        t.join(10)
    assert written[0] == [0] and sorted(written[1]) == [1, 2, 3, 4, 5] and len(written) == 2
    assert (group.batches, group.items) == (2, 6)
    assert not group._busy and not group._queue


def test_a_batch_that_raises_fails_each_of_its_posts_and_the_next_batch_is_written():
    calls: list[list[str]] = []

    def write(items: list[str]) -> None:
        calls.append(items)
        if "bad" in items:
            raise RuntimeError("the database refused the batch")

    group = GroupCommit(write)
    with pytest.raises(RuntimeError):
        group.run("bad")
    group.run("good")  # the combiner is not left busy
    assert calls == [["bad"], ["good"]]


def test_the_combiner_writes_no_more_than_its_batch_size_at_once():
    written: list[int] = []
    started, release = threading.Event(), threading.Event()

    def write(items: list[int]) -> None:
        if not written:
            started.set()
            release.wait(10)
        written.append(len(items))

    group = GroupCommit(write, max_batch=2)
    threads = [threading.Thread(target=group.run, args=(n,)) for n in range(6)]
    threads[0].start()
    assert started.wait(10)
    for t in threads[1:]:
        t.start()
    while len(group._queue) < 5:
        time.sleep(0.01)
    release.set()
    for t in threads:
        t.join(10)
    assert written == [1, 2, 2, 1] and group.items == 6


# -- the statements of a batch ------------------------------------------------------------------


def test_a_batch_of_posts_costs_the_three_statements_of_one(make_case):
    cases = [make_case(f"RS20261130{n:02d}") for n in range(4)]
    arrivals = [
        _arrival(c.case_no, checks=[(ratelimit.STAMP_ONCE, f"nonce-{n}")]) for n, c in enumerate(cases)
    ]
    with CaptureQueriesContext(connection) as queries:
        intake._take_in(arrivals)
    # The states, the counters, the INSERT (the savepoint around it is the test's transaction's).
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 3
    assert all(a.received and a.state is not None and not a.over for a in arrivals)
    assert sorted(Submission.objects.values_list("case_no", flat=True)) == [c.case_no for c in cases]
    assert take_all() == 4 and Evaluation.objects.count() == 4


def test_a_bad_row_in_a_batch_fails_only_its_own_post(make_case):
    cases = [make_case(f"RS20261131{n:02d}") for n in range(3)]
    arrivals = [_arrival(c.case_no) for c in cases]
    arrivals[1].submission.level = -1  # refused by the table's check: the multi-row INSERT fails
    intake._take_in(arrivals)
    assert arrivals[0].received and arrivals[2].received
    assert not arrivals[1].received and arrivals[1].error is not None
    assert sorted(Submission.objects.values_list("case_no", flat=True)) == [
        cases[0].case_no,
        cases[2].case_no,
    ]


def test_two_posts_of_one_case_in_a_batch_write_one_submission(make_case):
    case = make_case("RS2026113201")
    arrivals = [_arrival(case.case_no), _arrival(case.case_no, level=1)]
    intake._take_in(arrivals)
    assert [a.received for a in arrivals] == [True, False]
    assert Submission.objects.get().level == 5


def test_a_post_of_a_case_that_does_not_exist_counts_no_hit(make_case):
    case = make_case("RS2026113301")
    arrivals = [_arrival("NO-SUCH-CASE", checks=[(ratelimit.STAMP_ONCE, "n1")]),
                _arrival(case.case_no, checks=[(ratelimit.STAMP_ONCE, "n2")])]  # fmt: skip
    intake._take_in(arrivals)
    assert arrivals[0].state is None and not arrivals[0].received
    assert arrivals[1].received
    assert list(ratelimit.RateCount.objects.values_list("key", flat=True)) == ["stamp:n2:"]


def test_a_counter_shared_with_a_post_of_no_case_counts_only_the_others_hits(make_case, settings):
    settings.PUBLIC_SUBMITS_PER_MINUTE = 1
    case = make_case("RS2026113311")
    address = ((ratelimit.SUBMIT_PER_ADDRESS, "shared-address"),)
    arrivals = [_arrival("NO-SUCH-CASE", checks=address), _arrival(case.case_no, checks=address)]
    intake._take_in(arrivals)
    # The first POST's hit is not counted, so the second is the address's first: within its limit.
    assert arrivals[0].state is None and not arrivals[0].over
    assert arrivals[1].received and not arrivals[1].over
    assert list(ratelimit.RateCount.objects.values_list("n", flat=True)) == [1]


def test_the_limits_count_the_posts_of_a_batch_one_after_the_other(make_case, settings):
    settings.PUBLIC_SUBMITS_PER_MINUTE = 2
    cases = [make_case(f"RS20261134{n:02d}") for n in range(4)]
    address = ((ratelimit.SUBMIT_PER_ADDRESS, "one-address"),)
    arrivals = [_arrival(c.case_no, checks=address) for c in cases]
    intake._take_in(arrivals[:1])  # one hit counted before the batch
    intake._take_in(arrivals[1:])
    assert [a.received for a in arrivals] == [True, True, False, False]
    assert [bool(a.over) for a in arrivals] == [False, False, True, True]
    assert Submission.objects.count() == 2


def test_a_form_sent_twice_in_one_batch_is_taken_once(make_case):
    cases = [make_case("RS2026113501"), make_case("RS2026113502")]
    stamp = ((ratelimit.STAMP_ONCE, "the-same-nonce"),)
    arrivals = [_arrival(cases[0].case_no, checks=stamp), _arrival(cases[1].case_no, checks=stamp)]
    intake._take_in(arrivals)
    assert [a.received for a in arrivals] == [True, False]
    assert arrivals[1].over == {ratelimit.STAMP_ONCE}


# -- through the page ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_are_each_answered_after_their_submission_is_committed(make_case, settings):
    """Eight threads of one process POST at once, each for a case of its own and each twice more for
    one shared case: every 302 is for a submission that another connection already reads, and the
    shared case is received once. The first batch is held back so that the others form a batch."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite in memory is one connection's: PostgreSQL runs this with its threads' own")
    settings.PUBLIC_SUBMITS_PER_MINUTE = settings.PUBLIC_SUBMITS_PER_CASE_HOUR = 1000  # one test address
    own = [make_case(f"RS20261136{n:02d}") for n in range(8)]
    shared = make_case("RS2026113700")
    first, written = threading.Event(), []
    write = intake._GROUP.write

    def slow_first(arrivals):
        if not first.is_set():
            first.set()
            time.sleep(0.3)
        write(arrivals)
        written.append(len(arrivals))

    intake._GROUP.write = slow_first
    answers: dict[str, list[tuple[int, bool]]] = {}
    lock = threading.Lock()

    def citizen(case) -> None:
        client = Client()
        try:
            for target in (case, shared):
                path = evaluation_link(target, "sms")
                response = client.post(path, evaluation_post(token_of(path)))
                # Read on this thread's connection, after the answer: committed, or not there.
                seen = Submission.objects.filter(case_no=target.case_no).exists()
                with lock:
                    answers.setdefault(target.case_no, []).append((response.status_code, seen))
        finally:
            connections.close_all()  # this thread's: a kept one would outlive the test database

    try:
        threads = [threading.Thread(target=citizen, args=(c,)) for c in own]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        intake._GROUP.write = write
    for case in own:
        assert answers[case.case_no] == [(302, True)]
    shared_answers = answers[shared.case_no]
    assert sum(status == 302 for status, _ in shared_answers) == 1
    assert all(status == 409 for status, _ in shared_answers if status != 302)
    assert all(seen for _, seen in shared_answers)
    assert Submission.objects.count() == 9
    assert max(written) > 1  # batches did form
    assert take_all() == 9 and Evaluation.objects.count() == 9


def test_a_post_through_the_page_is_received_and_answered_with_the_redirect(client, make_case):
    case = make_case("RS2026113801", completed_ago=timedelta(hours=1))
    path = evaluation_link(case, "sms")
    response = client.post(path, evaluation_post(token_of(path)))
    assert response.status_code == 302 and Submission.objects.get().case_no == case.case_no


@pytest.mark.django_db(transaction=True)
def test_a_post_on_a_kept_connection_the_server_dropped_is_received_on_a_new_one(make_case):
    """The batch's first read stands for Django's health check of a kept PostgreSQL connection: when
    the server dropped the connection (a restart), the read opens a new one and the POST is
    received, not failed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's health check reads no statement; PostgreSQL's is what the first read replaces")
    case = make_case("RS2026113901")
    connection.ensure_connection()
    dropped = connection.connection.info.backend_pid

    def terminate() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
        finally:
            connections.close_all()

    killer = threading.Thread(target=terminate)
    killer.start()
    killer.join(30)
    connection.close_if_unusable_or_obsolete()  # what Django does as a request starts
    arrival = intake.take_in(_arrival(case.case_no))
    assert arrival.received and arrival.state is not None
    assert connection.connection.info.backend_pid != dropped
    assert Submission.objects.filter(case_no=case.case_no).exists()
    # A later request on the new connection is read without a reconnection.
    again = make_case("RS2026113902")
    connection.close_if_unusable_or_obsolete()
    kept = connection.connection.info.backend_pid
    assert intake.take_in(_arrival(again.case_no)).received
    assert connection.connection.info.backend_pid == kept


def test_a_post_with_a_forged_link_is_refused_and_stores_nothing(client, make_case):
    make_case("RS2026114001")
    response = client.post("/e/not-a-token:forged/", {"level": "5"})
    assert response.status_code == 403 and not Submission.objects.exists()
