"""Evaluations received through the public links, recorded by the worker.

The page answers the citizen at once and truthfully from what it can know without a lock: a
forged or expired link, a case that takes no evaluation (not completed, window passed), a case
already rated, content the rules refuse. What passes is written as one `Submission` row (one
INSERT; a second for the same case is refused by the unique case number) and the citizen reads
"已收到". The worker's `take_submissions` turns the received rows into evaluations in batches,
through the intake service of `govwatch.evaluations.intake` (the same rules, the negative loop
opened, the audit entries), so the chain's head is locked once per batch, not once per request.

A batch is one transaction: its rows are claimed by a conditional UPDATE (received → taken) that
another worker cannot repeat, and a worker killed mid-batch leaves them all received for the next
one. Each submission is decided in a savepoint: one the rules refuse (an evaluation imported
meanwhile) is marked refused with the reason, which the citizen's page then shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connections, router, transaction
from django.utils import timezone

from govwatch.audit import log as audit
from govwatch.audit.log import Actor
from govwatch.cases.models import Case
from govwatch.core import pii
from govwatch.core.choices import CaseStatus
from govwatch.evaluations import rules
from govwatch.evaluations.intake import EvaluationRefused, do_submit_evaluation
from govwatch.evaluations.models import Evaluation

from . import ratelimit
from .models import ApplicantContact, Submission

logger = logging.getLogger(__name__)

TAKE_BATCH = 200
GONE = "未找到该办件，评价未能登记"


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
def _case_state_sql(vendor: str) -> str:
    """SELECT status, closed_at, rated of one case by its unique case number (vendor: one string
    per database, the quoting being the backend's)."""
    connection = connections[router.db_for_read(Case)]
    q = connection.ops.quote_name
    case, evaluation = Case._meta, Evaluation._meta
    case_no = q(case.get_field("case_no").column)
    rated = (
        f"EXISTS (SELECT 1 FROM {q(evaluation.db_table)} e"
        f" WHERE e.{q(evaluation.get_field('case').column)} = c.{case_no})"
    )
    return (
        f"SELECT c.{q(case.get_field('status').column)}, c.{q(case.get_field('closed_at').column)}, {rated}"
        f" FROM {q(case.db_table)} c WHERE c.{case_no} = %s"
    )


def case_state(case_no: str) -> CaseState | None:
    """The case's state for the page's checks, or None when there is no such case: one query by the
    case number's unique index, with no model built (the page's hottest read)."""
    connection = connections[router.db_for_read(Case)]
    with connection.cursor() as cursor:
        cursor.execute(_case_state_sql(connection.vendor), [case_no])
        row = cursor.fetchone()
    if row is None:
        return None
    status, closed_at, rated = row
    convert = getattr(connection.ops, "convert_datetimefield_value", None)  # SQLite: text, naive
    if closed_at is not None and convert is not None:
        closed_at = convert(closed_at, None, connection)
    return CaseState(status, closed_at, bool(rated))


@cache
def _insert_sql(vendor: str) -> tuple[str, tuple]:
    """INSERT of a submission that does nothing when its case has one already (no error, so no
    transaction or savepoint around it), and the fields it writes."""
    connection = connections[router.db_for_write(Submission)]
    q = connection.ops.quote_name
    meta = Submission._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    return (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT ({q(meta.get_field('case_no').column)}) DO NOTHING RETURNING {q(meta.pk.column)}"
    ), fields


def _insert(submission: Submission) -> bool:
    """Write the submission with one statement; False when its case has one already."""
    connection = connections[router.db_for_write(Submission)]
    sql, fields = _insert_sql(connection.vendor)
    # Each field's own preparation: the comment sealed (personal data encrypted), JSON adapted.
    values = [f.get_db_prep_save(f.pre_save(submission, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    submission.pk = row[0]
    submission._state.adding, submission._state.db = False, connection.alias
    return True


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
    """What the citizen sent, checked by the caller, as a submission not yet written."""
    return Submission(
        case_no=case_no, channel=channel, window_code=window_code, level=level, scores=scores, tags=tags,
        comment=comment.strip(), source=source[:100], received_at=at,
    )  # fmt: skip


def receive(**sent) -> Submission:
    """Write what the citizen sent (`new_submission`'s fields), checked by the caller;
    AlreadyReceived for a second one."""
    return write(new_submission(**sent))


def write(submission: Submission) -> Submission:
    """Write a submission; AlreadyReceived when its case has one.

    One INSERT in the common case, committed on its own. A submission the worker refused earlier
    (the case's state had changed) gives way to the new one."""
    for _ in range(2):
        if _insert(submission):
            return submission
        refused = Submission.objects.filter(case_no=submission.case_no, state=Submission.State.REFUSED)
        if not refused.delete()[0]:
            break
    raise AlreadyReceived(submission.case_no)


@dataclass(frozen=True)
class Counted:
    """What `receive_counted` found and did: the limits over, the case's state (None: no such case)
    and whether the submission was written."""

    over: set[ratelimit.Limit]
    state: CaseState | None
    written: bool


def receive_counted(
    checks: tuple[tuple[ratelimit.Limit, str], ...], submission: Submission, at: datetime
) -> Counted:
    """Count one hit of each rate-limit check, read the case's state and write the submission when
    no limit is over and the case takes an evaluation at `at` (`CaseState.takes_evaluation`): the
    public evaluation POST's whole work with the database.

    On PostgreSQL it is one statement (the counters' upsert, the case's read and the conditional
    INSERT as parts of one query), committed on its own before the page answers; elsewhere (SQLite,
    which has no data-modifying WITH) the three statements of before. A submission not written here
    (a second one for its case, a limit over, a case that takes none) is for the caller to explain,
    with the state read here; nothing is counted twice."""
    connection = connections[router.db_for_write(Submission)]
    if connection.vendor != "postgresql":
        over = ratelimit.over(*checks, now=at)
        state = case_state(submission.case_no)
        written = state is not None and not over and state.takes_evaluation(at) and _insert(submission)
        return Counted(over, state, bool(written))
    counting, params = ratelimit.counting(connection, checks, at)
    limits = {ratelimit._key(limit, subject, at)[0]: limit.count for limit, subject in checks}
    sql, fields = _counted_sql(connection.vendor, len(params) // 2, len(limits))
    values = [f.get_db_prep_save(f.pre_save(submission, True), connection) for f in fields]
    params += [submission.case_no, *values, CaseStatus.COMPLETED, at, rules.windows_closed_by(at)]
    params += [value for item in limits.items() for value in item]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts, status, closed_at, rated, pk = cursor.fetchone()
    over = ratelimit.exceeded(checks, counts, at)
    if pk is not None:
        submission.pk = pk
        submission._state.adding, submission._state.db = False, connection.alias
    return Counted(over, None if status is None else CaseState(status, closed_at, rated), pk is not None)


@cache
def _counted_sql(vendor: str, counters: int, limits: int) -> tuple[str, tuple]:
    """`receive_counted`'s statement on PostgreSQL: the counters' upsert (`hits`), the case's state
    (`c`, as `case_state` reads it) and the INSERT of the submission, which happens only when the
    case takes an evaluation (the rule of `CaseState.takes_evaluation`, its window's bound from
    `rules.windows_closed_by`) and no counter is over its limit."""
    connection = connections[router.db_for_write(Submission)]
    q = connection.ops.quote_name
    meta = Submission._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    counting = ratelimit._counting_sql(vendor, counters)
    state = _case_state_sql(vendor)
    columns = ", ".join(q(f.column) for f in fields)
    cast = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)
    limits_values = ", ".join(["(%s, %s)"] * limits)
    sql = (
        f"WITH hits (key, n) AS ({counting}),"
        f" c (status, closed_at, rated) AS ({state}),"
        f" new (id) AS (INSERT INTO {q(meta.db_table)} ({columns}) SELECT {cast} FROM c"
        " WHERE c.status = %s AND c.closed_at <= %s AND c.closed_at >= %s AND NOT c.rated"
        f" AND NOT EXISTS (SELECT 1 FROM hits JOIN (VALUES {limits_values}) AS lim (key, most)"
        " ON hits.key = lim.key WHERE hits.n > lim.most)"
        f" ON CONFLICT ({q(meta.get_field('case_no').column)}) DO NOTHING RETURNING {q(meta.pk.column)})"
        " SELECT (SELECT json_object_agg(key, n) FROM hits), c.status, c.closed_at, c.rated,"
        " (SELECT id FROM new) FROM (VALUES (1)) AS one LEFT JOIN c ON TRUE"
    )
    return sql, fields


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
        cases = {c.case_no: c for c in Case.objects.filter(case_no__in=case_nos)}
        contacts = dict(
            ApplicantContact.objects.filter(case_no__in=case_nos).values_list("case_no", "phone_enc")
        )
        refused: dict[int, str] = {}
        with audit.batched() as batch:
            for submission in claimed:
                case = cases.get(submission.case_no)
                if case is None:
                    refused[submission.pk] = GONE
                    continue
                try:
                    with batch.item():
                        do_submit_evaluation(
                            case=case, level=submission.level, channel=submission.channel,
                            at=submission.received_at, scores=submission.scores, tags=submission.tags,
                            comment=submission.comment, evaluator=_evaluator(contacts, submission.case_no),
                            window_code=submission.window_code,
                            actor=Actor(f"public:{submission.channel}", None, submission.source),
                        )  # fmt: skip
                except EvaluationRefused as exc:
                    refused[submission.pk] = str(exc)[:200]
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
