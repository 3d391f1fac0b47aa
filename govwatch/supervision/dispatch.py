"""Delivery from the outbox: claim, send, record; nothing lost, nothing sent twice by two workers.

A message is claimed by a conditional UPDATE (queued -> sending) that must touch exactly one row, so
any number of workers can share the outbox. A temporary failure puts it back with exponential
back-off; after MAX_ATTEMPTS, or on a permanent failure, it is marked failed with the reason and
shown on the outbox page.

Exactly once across crashes: a worker killed mid-send leaves the message `sending`; once its lease
(GOVWATCH_NOTIFY_LEASE_SECONDS) has run out another worker takes it up again, "in doubt" (as after a
timeout or an unreadable answer): before sending it again the transport asks its provider whether it
took the message, by the id sent with it (Alibaba's OutId through QuerySendDetails, Tencent's
SessionContext through its status reports, the file transport's own lines). A provider that cannot
be asked gets the same id again, to drop the repeat.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from govwatch.core import pii

from .models import Notification
from .transports import NotYet, PermanentFailure, TemporaryFailure, Transport, transport_for

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
log = logging.getLogger(__name__)

Status = Notification.Status


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at an hour: a gateway down for an hour is retried within it."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def lease() -> timedelta:
    """How long a claim holds: a worker silent for longer is taken for dead."""
    return timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)


def release_expired(now: datetime) -> int:
    """Give back messages whose worker died while sending them: in doubt since their claim, for the
    provider may have taken them before the worker died."""
    return Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - lease()).update(
        status=Status.QUEUED, claimed_by="", next_attempt_at=now,
        in_doubt_since=Coalesce(F("in_doubt_since"), F("claimed_at")),
        last_error="发送中断（发送进程退出），重发前先向服务商核对",
    )  # fmt: skip


def claim(now: datetime, worker: str = WORKER_ID) -> Notification | None:
    """Take the next due message, or None. Exactly one worker wins each message."""
    due = Notification.objects.filter(status=Status.QUEUED).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    )
    for pk in due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:20]:
        won = Notification.objects.filter(id=pk, status=Status.QUEUED).update(
            status=Status.SENDING, claimed_by=worker, claimed_at=now, attempts=F("attempts") + 1
        )
        if won == 1:
            return Notification.objects.get(id=pk)
    return None


def deliver(message: Notification, now: datetime | None = None) -> str:
    """Send one claimed message and record the outcome; returns the new status."""
    now = now or timezone.now()
    try:
        transport = transport_for(message.channel)
        recipient = pii.decrypt(message.recipient_enc)
        if message.in_doubt_since is not None and _already_taken(transport, recipient, message, now):
            return _finish(message, Status.SENT, "")
    except NotYet as exc:
        # Not an attempt: the provider's records are not there yet. Back at the moment they are.
        Notification.objects.filter(id=message.id, claimed_by=message.claimed_by).update(
            status=Status.QUEUED, claimed_by="", next_attempt_at=exc.until, attempts=F("attempts") - 1
        )
        return Status.QUEUED
    except PermanentFailure as exc:
        return _finish(message, Status.FAILED, str(exc))
    except TemporaryFailure as exc:
        # The look-up failed: the doubt stays as it was.
        return _retry(message, now, exc, message.in_doubt_since)
    try:
        # No params are stored: a template provider gets the text as its one variable (`text`).
        transport.send(
            recipient, message.text, str(message.id), params=message.params or None, kind=message.kind
        )
    except PermanentFailure as exc:
        return _finish(message, Status.FAILED, str(exc))
    except TemporaryFailure as exc:
        return _retry(message, now, exc, message.claimed_at if exc.in_doubt else None)
    return _finish(message, Status.SENT, "")


def _already_taken(transport: Transport, recipient: str, message: Notification, now: datetime) -> bool:
    taken = transport.accepted(recipient, str(message.id), message.in_doubt_since, now)
    if taken:
        log.info("notification %s: the provider already took it, not sent again", message.id)
    return bool(taken)


def _retry(
    message: Notification, now: datetime, exc: TemporaryFailure, in_doubt_since: datetime | None
) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        return _finish(message, Status.FAILED, f"{exc}（已尝试 {message.attempts} 次）")
    Notification.objects.filter(id=message.id, claimed_by=message.claimed_by).update(
        status=Status.QUEUED, claimed_by="", next_attempt_at=now + backoff(message.attempts),
        last_error=str(exc), in_doubt_since=in_doubt_since,
    )  # fmt: skip
    return Status.QUEUED


def _finish(message: Notification, status: str, error: str) -> str:
    fields = {"status": status, "last_error": error, "claimed_by": "", "in_doubt_since": None}
    if status == Status.SENT:
        fields["sent_at"] = timezone.now()
    Notification.objects.filter(id=message.id, claimed_by=message.claimed_by).update(**fields)
    return status


def dispatch(limit: int = 200, now: datetime | None = None) -> dict[str, int]:
    """One round of the worker: release dead claims, then send up to `limit` due messages."""
    now = now or timezone.now()
    outcome = {"sent": 0, "queued": 0, "failed": 0}
    with transaction.atomic():
        release_expired(now)
    for _ in range(limit):
        with transaction.atomic():
            message = claim(now)
        if message is None:
            break
        outcome[deliver(message, now)] += 1
    return outcome
