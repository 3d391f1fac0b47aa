"""Evaluations received through the public links, recorded by the worker.

The page answers the citizen at once and truthfully from what it can know without a lock: a
forged or expired link, a case that takes no evaluation (not completed, window passed), a case
already rated, content the rules refuse. What passes is written as one `Submission` row (one
INSERT; a second for the same case is refused by the unique case number) and the citizen reads
"已收到". The POSTs that arrive at the same moment in one web process share those statements
(`take_in`, a group commit, govwatch.core.groupcommit): one read of their cases' states, one upsert
of their rate limits' counters and one INSERT of their rows, each statement committed before any
of them is answered, so a 302 still means the submission is in the database. The worker's
`take_submissions` turns the received rows into evaluations in batches, through the intake service
of `govwatch.evaluations.intake` (the same rules, the negative loop opened, the audit entries), so
the chain's head is locked once per batch, not once per request.

A batch is one transaction: its rows are claimed by a conditional UPDATE (received → taken) that
another worker cannot repeat, and a worker killed mid-batch leaves them all received for the next
one. The batch's evaluations are recorded together (`do_submit_evaluations`: one lock of their
cases, one check of which are rated, one INSERT), each decided by the rules as alone: one the rules
refuse (an evaluation imported meanwhile) is marked refused with the reason, which the citizen's
page then shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connections, router, transaction
from django.utils import timezone

from govwatch.audit import log as audit
from govwatch.audit.log import Actor
from govwatch.cases.models import Case
from govwatch.core import pii
from govwatch.core.choices import CaseStatus
from govwatch.core.groupcommit import GroupCommit
from govwatch.evaluations import rules
from govwatch.evaluations.intake import LOCKED_FIELDS, EvaluationRefused, Proposed, do_submit_evaluations
from govwatch.evaluations.models import Evaluation

from . import ratelimit
from .models import ApplicantContact, Submission

logger = logging.getLogger(__name__)

TAKE_BATCH = 200
# The most POSTs one statement writes (a multi-row INSERT's placeholders stay far under SQLite's).
TAKE_IN_BATCH = 50
GONE = "未找到该办件，评价未能登记"
T = TypeVar("T")


class AlreadyReceived(Exception):
    """The case has a submission received or recorded: one evaluation per case."""


@dataclass(frozen=True)
class CaseState:
    """What the page needs of a case to take its evaluation, read by `case_state` in one query."""

    status: str
    closed_at: datetime | None
    rated: bool  # an evaluation of the case is recorded

    def takes_evaluation(self, at: datetime) -> bool:
        """True when the intake's rules (`check_case`, one per case) let an evaluation in at `at`;
        when False, the page reads the whole case to say why."""
        return (
            self.status == CaseStatus.COMPLETED
            and self.closed_at is not None
            and self.closed_at <= at
            and not rules.window_closed(self.closed_at, at)
            and not self.rated
        )


@cache
def _case_state_sql(vendor: str, count: int) -> str:
    """SELECT case_no, status, closed_at, rated of `count` cases by their unique case numbers (vendor:
    one string per database, the quoting being the backend's)."""
    connection = connections[router.db_for_read(Case)]
    q = connection.ops.quote_name
    case, evaluation = Case._meta, Evaluation._meta
    case_no = q(case.get_field("case_no").column)
    rated = (
        f"EXISTS (SELECT 1 FROM {q(evaluation.db_table)} e"
        f" WHERE e.{q(evaluation.get_field('case').column)} = c.{case_no})"
    )
    return (
        f"SELECT c.{case_no}, c.{q(case.get_field('status').column)}, c.{q(case.get_field('closed_at').column)},"
        f" {rated} FROM {q(case.db_table)} c WHERE c.{case_no} IN ({', '.join(['%s'] * count)})"
    )


def case_states(case_nos: list[str]) -> dict[str, CaseState]:
    """The states of the cases that exist among `case_nos`, for the page's checks: one query by the
    case number's unique index, with no model built (the page's hottest read)."""
    connection = connections[router.db_for_read(Case)]
    unique = sorted(set(case_nos))
    with connection.cursor() as cursor:
        cursor.execute(_case_state_sql(connection.vendor, len(unique)), unique)
        rows = cursor.fetchall()
    convert = getattr(connection.ops, "convert_datetimefield_value", None)  # SQLite: text, naive
    states = {}
    for case_no, status, closed_at, rated in rows:
        if closed_at is not None and convert is not None:
            closed_at = convert(closed_at, None, connection)
        states[case_no] = CaseState(status, closed_at, bool(rated))
    return states


def case_state(case_no: str) -> CaseState | None:
    """The case's state for the page's checks, or None when there is no such case."""
    return case_states([case_no]).get(case_no)


@cache
def _insert_sql(vendor: str, count: int) -> tuple[str, tuple]:
    """INSERT of `count` submissions that skips those whose case has one already (no error, so no
    transaction or savepoint around it), and the fields each writes."""
    connection = connections[router.db_for_write(Submission)]
    q = connection.ops.quote_name
    meta = Submission._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    row = f"({', '.join(['%s'] * len(fields))})"
    return (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)})"
        f" VALUES {', '.join([row] * count)}"
        f" ON CONFLICT ({q(meta.get_field('case_no').column)}) DO NOTHING"
        f" RETURNING {q(meta.pk.column)}, {q(meta.get_field('case_no').column)}"
    ), fields


def _insert_many(submissions: list[Submission]) -> None:
    """Write the submissions with one statement, of distinct cases; those whose case has one already
    are skipped and keep no primary key. In case number order: two processes writing the same cases
    at once take their unique-index entries in the same order (no deadlock)."""
    connection = connections[router.db_for_write(Submission)]
    ordered = sorted(submissions, key=lambda s: s.case_no)
    sql, fields = _insert_sql(connection.vendor, len(ordered))
    # Each field's own preparation: the comment sealed (personal data encrypted), JSON adapted.
    values = [f.get_db_prep_save(f.pre_save(s, True), connection) for s in ordered for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = dict((case_no, pk) for pk, case_no in cursor.fetchall())
    for submission in ordered:
        if submission.case_no in ids:
            submission.pk = ids[submission.case_no]
            submission._state.adding, submission._state.db = False, connection.alias


def _insert(submission: Submission) -> bool:
    """Write the submission with one statement; False when its case has one already."""
    _insert_many([submission])
    return submission.pk is not None


def new_submission(
    *,
    case_no: str,
    channel: str,
    window_code: str,
    level: int,
    scores: dict[str, int],
    tags: list[str],
    comment: str,
    source: str,
    at: datetime,
) -> Submission:
    """What the citizen sent, checked by the caller, as the row to write."""
    return Submission(
        case_no=case_no, channel=channel, window_code=window_code, level=level, scores=scores, tags=tags,
        comment=comment.strip(), source=source[:100], received_at=at,
    )  # fmt: skip


def receive(**fields: Any) -> Submission:
    """Write what the citizen sent (the fields of `new_submission`), checked by the caller;
    AlreadyReceived for a second one.

    One INSERT in the common case, committed on its own. A submission the worker refused earlier
    (the case's state had changed) gives way to the new one."""
    submission = new_submission(**fields)
    case_no = submission.case_no
    for _ in range(2):
        if _insert(submission):
            return submission
        refused = Submission.objects.filter(case_no=case_no, state=Submission.State.REFUSED).delete()[0]
        if not refused:
            break
    raise AlreadyReceived(case_no)


@dataclass
class Arrival:
    """One evaluation POST as the page hands it to `take_in`, and what came of it."""

    case_no: str
    checks: tuple[tuple[ratelimit.Limit, str], ...]  # the hits to count: the limits, the form's stamp
    submission: Submission | None  # what to write if the case takes it and no limit is over
    at: datetime
    state: CaseState | None = None  # None: no such case (nothing was counted)
    over: set[ratelimit.Limit] = field(default_factory=set)
    received: bool = False  # the submission is written (committed)
    error: Exception | None = None


def _read_first(read: Callable[[], T]) -> T:
    """`read` (a statement that changes nothing) as the first of a request's statements on a kept
    PostgreSQL connection, standing for Django's health check (CONN_HEALTH_CHECKS: a `SELECT 1`, a
    round trip of its own, before the first statement of every request): when the connection
    turns out broken (a restarted server), it is opened again and `read` repeated, which is what
    the health check would have done, and no request is failed for it."""
    connection = connections[router.db_for_read(Case)]
    if (
        connection.vendor != "postgresql"  # SQLite's check is a look at the file, no statement
        or connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
    ):
        return read()
    connection.health_check_done = True
    try:
        return read()
    except (OperationalError, InterfaceError):
        logger.info("a kept database connection was broken; opened again")
        connection.close()
        return read()


def _take_in(arrivals: list[Arrival]) -> None:
    """The statements of a batch of POSTs, as many for a batch as for one: the cases' states, the
    rate limits' hits (a request for a case that does not exist counts none, as alone), then the
    submissions of cases that take them, each statement committed on its own. A submission whose
    case is already in the batch is not written here (the page's own path says why)."""
    states = _read_first(lambda: case_states([a.case_no for a in arrivals]))
    counted = []
    for arrival in arrivals:
        arrival.state = states.get(arrival.case_no)
        if arrival.state is not None:
            counted.append(arrival)
    for arrival, over in zip(counted, ratelimit.over_many([a.checks for a in counted]), strict=True):
        arrival.over = over
    writing: dict[str, Arrival] = {}
    for arrival in counted:
        if (
            arrival.submission is not None
            and not arrival.over
            and arrival.state.takes_evaluation(arrival.at)
            and arrival.case_no not in writing
        ):
            writing[arrival.case_no] = arrival
    if not writing:
        return
    connection = connections[router.db_for_write(Submission)]
    try:
        # In a caller's transaction (tests) a savepoint keeps it usable for the rows' own tries.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            _insert_many([a.submission for a in writing.values()])
    except DatabaseError:
        # One bad row fails the statement and nothing of it is written: each row is tried alone,
        # so that the others are received and only the bad one's request fails.
        logger.warning("a batch of %d received evaluations failed; written one by one", len(writing))
        for arrival in writing.values():
            try:
                with transaction.atomic() if connection.in_atomic_block else nullcontext():
                    _insert_many([arrival.submission])
            except DatabaseError as exc:
                arrival.error = exc
    for arrival in writing.values():
        arrival.received = arrival.submission.pk is not None


# One per process: its gunicorn threads' POSTs share statements (govwatch.core.groupcommit).
_GROUP = GroupCommit(_take_in, max_batch=TAKE_IN_BATCH)


def take_in(arrival: Arrival) -> Arrival:
    """Count the POST's hits and write its submission when everything allows it, with whatever other
    POSTs of this process arrive meanwhile; return once that is committed, `received` telling
    whether the submission was written. Raises the database's error of this POST alone."""
    _GROUP.run(arrival)
    if arrival.error is not None:
        raise arrival.error
    return arrival


def submission_of(case_no: str) -> Submission | None:
    return Submission.objects.filter(case_no=case_no).first()


def _evaluator(contacts: dict[str, str], case_no: str) -> str:
    enc = contacts.get(case_no)
    return pii.decrypt(enc) if enc else ""


def take_submissions(limit: int = TAKE_BATCH, now: datetime | None = None) -> int:
    """Record one batch of received submissions as evaluations; how many were taken (recorded or
    refused). A worker job, also called directly by tests."""
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked (PostgreSQL): a second worker takes the next rows instead of waiting; SQLite
        # serialises writers (BEGIN IMMEDIATE) and ignores it.
        waiting = Submission.objects.select_for_update(skip_locked=True).filter(
            state=Submission.State.RECEIVED
        )
        ids = list(waiting.order_by("id").values_list("id", flat=True)[:limit])
        if not ids:
            return 0
        # The claim: only rows still received become this worker's.
        Submission.objects.filter(id__in=ids, state=Submission.State.RECEIVED).update(
            state=Submission.State.TAKEN, taken_at=now
        )
        claimed = list(
            Submission.objects.filter(id__in=ids, state=Submission.State.TAKEN, taken_at=now).order_by("id")
        )
        case_nos = [s.case_no for s in claimed]
        # Only what the intake reads of a case (read again under its lock): the case's other fields
        # were most of the cost of building it, and nothing here needs them.
        cases = {c.case_no: c for c in Case.objects.filter(case_no__in=case_nos).only("pk", *LOCKED_FIELDS)}
        contacts = dict(
            ApplicantContact.objects.filter(case_no__in=case_nos).values_list("case_no", "phone_enc")
        )
        refused: dict[int, str] = {}
        proposed: list[tuple[Submission, Proposed]] = []
        for submission in claimed:
            case = cases.get(submission.case_no)
            if case is None:
                refused[submission.pk] = GONE
                continue
            proposed.append((submission, Proposed(
                case=case, level=submission.level, channel=submission.channel, at=submission.received_at,
                scores=submission.scores, tags=submission.tags, comment=submission.comment,
                evaluator=_evaluator(contacts, submission.case_no), window_code=submission.window_code,
                actor=Actor(f"public:{submission.channel}", None, submission.source),
            )))  # fmt: skip
        # Their audit entries appended together, with one lock of the chain's head.
        with audit.batched():
            outcomes = do_submit_evaluations([p for _, p in proposed])
        for (submission, _), outcome in zip(proposed, outcomes, strict=True):
            if isinstance(outcome, EvaluationRefused):
                refused[submission.pk] = str(outcome)[:200]
        for pk, reason in refused.items():
            Submission.objects.filter(pk=pk).update(state=Submission.State.REFUSED, refusal=reason)
    if refused:
        logger.info("%d received evaluations refused by the rules", len(refused))
    return len(claimed)


def take_all(now: datetime | None = None) -> int:
    """Every received submission, batch after batch (the worker's job, tests, the bench)."""
    taken = 0
    while n := take_submissions(now=now):
        taken += n
    return taken
