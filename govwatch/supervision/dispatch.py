"""Delivery from the outbox: claim, send, record; nothing lost, nothing sent twice by two workers.

A message is claimed by a conditional UPDATE (queued -> sending) that must touch exactly one row, so
any number of workers can share the outbox. A temporary failure puts it back with exponential
back-off; after MAX_ATTEMPTS, or on a permanent failure, it is marked failed with the reason and
shown on the outbox page. A worker killed mid-send leaves the message `sending`; once its lease has
run out another worker takes it up again (the gateway gets the message id to drop a repeat).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from govwatch.core import pii

from .models import Notification
from .transports import PermanentFailure, TemporaryFailure, transport_for

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=5)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"

Status = Notification.Status


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at an hour: a gateway down for an hour is retried within it."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def release_expired(now: datetime) -> int:
    """Give back messages whose worker died while sending them."""
    return Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - LEASE).update(
        status=Status.QUEUED, claimed_by="", next_attempt_at=now
    )


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
    try:
        transport = transport_for(message.channel)
        # No params are stored: a template provider gets the text as its one variable (`text`).
        transport.send(
            pii.decrypt(message.recipient_enc), message.text, str(message.id),
            params=message.params or None, kind=message.kind,
        )  # fmt: skip
    except PermanentFailure as exc:
        return _finish(message, Status.FAILED, str(exc))
    except TemporaryFailure as exc:
        if message.attempts >= MAX_ATTEMPTS:
            return _finish(message, Status.FAILED, f"{exc}（已尝试 {message.attempts} 次）")
        retry_at = (now or timezone.now()) + backoff(message.attempts)
        Notification.objects.filter(id=message.id, claimed_by=message.claimed_by).update(
            status=Status.QUEUED, claimed_by="", next_attempt_at=retry_at, last_error=str(exc)
        )
        return Status.QUEUED
    return _finish(message, Status.SENT, "")


def _finish(message: Notification, status: str, error: str) -> str:
    fields = {"status": status, "last_error": error, "claimed_by": ""}
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
