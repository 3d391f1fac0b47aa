"""Dispatch suggestions (智能派单) for complaints: the history and catalog the model learns from, its
training by the worker, and the suggestion shown at triage and printed by `govwatch complaints
suggest` (contract section 7).

The model itself is govwatch.dispatch.learn; the trained one is stored in the database
(govwatch.dispatch.models.TrainedModel) so that every process suggests with the same model. The
worker retrains it once DISPATCH_RETRAIN_AFTER complaints with a unit have arrived since (or a day
later when fewer have), one worker at a time (a lease).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from govwatch.catalog.models import Item
from govwatch.core.bulk import update_rows
from govwatch.dispatch.learn import Example, Model, NothingToLearn, segment, train
from govwatch.dispatch.models import TrainedModel
from govwatch.orgs.models import Unit
from govwatch.supervision.models import ScanLock

from .models import Complaint

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)
LOCK = "dispatch"
# How often a process asks whether a newer model has been trained.
RECHECK_SECONDS = 60.0
TERMS_BATCH = 20_000
# A backlog of at least this many complaints is segmented in parallel.
PARALLEL_FROM = 5_000


def learnable() -> Q:
    """Complaints that teach the model: handled by a unit, and not dismissed as nothing to handle."""
    return Q(unit__isnull=False) & ~Q(status=Complaint.Status.DISMISSED)


def _segment_all(texts: list[str], processes: int) -> list[str]:
    if processes <= 1 or len(texts) < PARALLEL_FROM:
        return [segment(t) for t in texts]
    segment("")  # load the dictionary once, before the children are forked with it
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(segment, texts, chunksize=500)


def fill_terms(ids: Iterable[int] | None = None, processes: int | None = None) -> int:
    """Segment the complaints not segmented yet (or those among `ids`); each batch is saved. A large
    backlog (a region's history, imported at once) is segmented by one process per core."""
    processes = processes if processes is not None else (os.cpu_count() or 1)
    done = 0
    qs = Complaint.objects.filter(terms="").filter(learnable())
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    while batch := list(qs.order_by("pk").values_list("pk", "content")[:TERMS_BATCH]):
        terms = _segment_all([content for _, content in batch], processes)
        # Below the ORM: its bulk_update builds a CASE expression per row, seconds per thousand.
        with transaction.atomic(), connection.cursor() as cursor:
            update_rows(
                cursor,
                Complaint,
                ("terms",),
                "id",
                [(words or " ", pk) for (pk, _), words in zip(batch, terms, strict=True)],
            )
        done += len(batch)
    return done


def history(complaints=None) -> Iterator[Example]:
    """The handled complaints as examples: text, the unit that handled them, category, words."""
    qs = Complaint.objects.filter(learnable()) if complaints is None else complaints.filter(learnable())
    rows = qs.order_by("pk").values_list("content", "unit__code", "category", "terms")
    for content, unit, category, terms in rows.iterator(chunk_size=5000):
        yield Example(content, unit, category, terms.strip() and terms)


def catalog() -> Iterator[Example]:
    """Each unit's name, and each item's name under the unit that handles it."""
    for name, code in Unit.objects.values_list("name", "code").iterator(chunk_size=5000):
        yield Example(name, code)
    for name, code in Item.objects.values_list("name", "unit__code").iterator(chunk_size=5000):
        yield Example(name, code)


def _acquire(token: str) -> bool:
    now = timezone.now()
    ScanLock.objects.get_or_create(name=LOCK)
    won = ScanLock.objects.filter(Q(until__isnull=True) | Q(until__lt=now), name=LOCK).update(
        holder=token, until=now + LEASE
    )
    return won == 1


def _release(token: str) -> None:
    ScanLock.objects.filter(name=LOCK, holder=token).update(holder="", until=None)


def stale(at: datetime | None = None) -> bool:
    """Whether enough has happened since the newest model to train another."""
    at = at or timezone.now()
    newest = TrainedModel.objects.order_by("-id").first()
    if newest is None:
        return Complaint.objects.filter(learnable()).exists() or Item.objects.exists()
    new = Complaint.objects.filter(learnable(), pk__gt=newest.last_complaint_id).count()
    return new >= settings.DISPATCH_RETRAIN_AFTER or (new > 0 and at - newest.trained_at >= timedelta(days=1))


def retrain(*, force: bool = False, at: datetime | None = None) -> TrainedModel | None:
    """Train and store a new model when the newest one is stale (or `force`); None when there was
    nothing to do or another worker is training."""
    if not force and not stale(at):
        return None
    token = uuid.uuid4().hex
    if not _acquire(token):
        return None
    try:
        started = time.monotonic()
        fill_terms()
        last = Complaint.objects.filter(learnable()).aggregate(m=Max("pk"))["m"] or 0
        examples = list(history(Complaint.objects.filter(pk__lte=last)))
        try:
            model = train(examples, catalog())
        except NothingToLearn:
            return None
        seconds = time.monotonic() - started
        stored = TrainedModel.objects.create(
            trained_at=at or timezone.now(), complaints=len(examples), last_complaint_id=last,
            units=len(model.units), seconds=round(seconds, 2), blob=model.dumps(),
        )  # fmt: skip
        # Older models are of no further use: the records of suggestions keep what was suggested.
        TrainedModel.objects.filter(pk__lt=stored.pk).delete()
        log.info("dispatch model %s trained on %s complaints in %.1f s", stored.pk, len(examples), seconds)
        return stored
    finally:
        _release(token)


_cached: tuple[int, Model, float] | None = None
_cache_lock = threading.Lock()


def current() -> tuple[int, Model] | None:
    """The newest stored model (id, model), loaded once per process and checked every minute."""
    global _cached
    now = time.monotonic()
    with _cache_lock:
        if _cached is not None and now - _cached[2] < RECHECK_SECONDS:
            return _cached[0], _cached[1]
        newest = TrainedModel.objects.order_by("-id").values_list("pk", flat=True).first()
        if newest is None:
            _cached = None
            return None
        if _cached is None or _cached[0] != newest:
            blob = TrainedModel.objects.filter(pk=newest).values_list("blob", flat=True).get()
            try:
                _cached = (newest, Model.loads(blob), now)
            except (KeyError, ValueError, OSError):
                # A model this version cannot read: no suggestion until the worker trains anew.
                log.exception("dispatch model %s cannot be loaded", newest)
                _cached = None
                return None
        else:
            _cached = (newest, _cached[1], now)
        return _cached[0], _cached[1]


def forget() -> None:
    """Drop the process's copy of the model (tests; after training in this process)."""
    global _cached
    with _cache_lock:
        _cached = None


def suggestion_for(text: str, candidates: Iterable[str] | None = None) -> dict | None:
    """The suggestion for a complaint's text among `candidates` (unit codes; default all), as
    recorded at triage: {"units": [{"unit_code", "score"}], "category", "model_id"}; None while no
    model has been trained."""
    loaded = current()
    if loaded is None:
        return None
    model_id, model = loaded
    suggestion = model.suggest(text, candidates)
    return {**suggestion.as_dict(), "model_id": model_id}
