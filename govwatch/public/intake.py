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
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from govwatch.audit import log as audit
from govwatch.audit.log import Actor
from govwatch.cases.models import Case
from govwatch.core import pii
from govwatch.evaluations.intake import EvaluationRefused, do_submit_evaluation

from .models import ApplicantContact, Submission

logger = logging.getLogger(__name__)

TAKE_BATCH = 200
GONE = "未找到该办件，评价未能登记"


class AlreadyReceived(Exception):
    """The case has a submission received or recorded: one evaluation per case."""


def receive(
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
    """Write what the citizen sent, checked by the caller; AlreadyReceived for a second one.

    One INSERT in the common case. A submission the worker refused earlier (the case's state had
    changed) gives way to the new one."""
    submission = Submission(
        case_no=case_no, channel=channel, window_code=window_code, level=level, scores=scores, tags=tags,
        comment=comment.strip(), source=source[:100], received_at=at,
    )  # fmt: skip
    for _ in range(2):
        try:
            with transaction.atomic():
                submission.save(force_insert=True)
            return submission
        except IntegrityError:
            submission.pk = None
            refused = Submission.objects.filter(case_no=case_no, state=Submission.State.REFUSED).delete()[0]
            if not refused:
                break
    raise AlreadyReceived(case_no)


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
