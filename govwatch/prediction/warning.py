"""What a prediction leads to: the case list's risk column, the warnings (once per case, through the
outbox and its alert rules), the worker's turns, and the replay behind the 风险预测 page.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from govwatch.audit.log import Actor, record
from govwatch.core.bulk import insert_rows
from govwatch.core.localtime import local_tz
from govwatch.supervision import routing
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from . import learn
from .frame import load
from .models import CaseRisk, PredictedWarning, PredictionLease, PredictionRun, Replay, RiskModel
from .predicting import (
    HISTORY_DAYS,
    WORKER,
    Prediction,
    false_alarm_target,
    library_version,
    moments_of_day,
    predict,
    reasons_json,
    train_model,
)

log = logging.getLogger("govwatch.prediction")

# Risks below this are not stored for the case list (it shows them as low): the list stays small.
STORE_FLOOR = 0.02


# -- the present: the case list's risk column ---------------------------------------------------------


def store_risks(prediction: Prediction) -> int:
    """Replace the stored risks by this prediction's (at or above STORE_FLOOR); returns the count.

    Written as plain rows in bulk (a province has hundreds of thousands of open cases): each distinct
    list of reasons is encoded once, the moment and the model once for all.
    """
    keep = np.flatnonzero(prediction.risk >= STORE_FLOOR).tolist()
    at = connection.ops.adapt_datetimefield_value(prediction.at)
    model_id = prediction.model.pk if prediction.model is not None else None
    encoded = [reasons_json(r) for r in prediction.reasons.lists]
    codes = prediction.reasons.codes.tolist()
    risk, warn = prediction.risk.tolist(), prediction.warn.tolist()
    rows = [(prediction.case_nos[i], at, risk[i], warn[i], encoded[codes[i]], model_id) for i in keep]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(CaseRisk._meta.db_table)}")
        insert_rows(cursor, CaseRisk, ("case_no", "at", "risk", "warn", "reasons", "model_id"), rows)
    return len(rows)


# -- warnings -----------------------------------------------------------------------------------------


def issue_warnings(prediction: Prediction, actor: Actor = WORKER) -> tuple[int, int]:
    """Record each warned case not warned before and queue its `predicted` message (one transaction).

    Returns (new warnings, messages queued). A case is warned once, whatever later predictions say.
    """
    warned = np.flatnonzero(prediction.warn)
    if warned.size == 0:
        return 0, 0
    numbers = [prediction.case_nos[i] for i in warned]
    with transaction.atomic():
        done: set[str] = set()
        for k in range(0, len(numbers), 900):
            done.update(
                PredictedWarning.objects.filter(case_id__in=numbers[k : k + 900]).values_list(
                    "case_id", flat=True
                )
            )
        new = [i for i, no in zip(warned.tolist(), numbers, strict=True) if no not in done]
        if not new:
            return 0, 0
        frame = prediction.frame
        PredictedWarning.objects.bulk_create(
            [PredictedWarning(case_id=prediction.case_nos[i], at=prediction.at, risk=float(prediction.risk[i]),
                              reasons=prediction.reasons[i], due_date=date.fromordinal(int(prediction.due[i])),
                              model=prediction.model) for i in new],
            batch_size=2000,
        )  # fmt: skip
        names = _item_names(frame.item[prediction.rows[new]])
        queued = routing.queue_for_changes(
            [routing.NewCard(None, routing.PREDICTED, prediction.case_nos[i], int(frame.unit[prediction.rows[i]]),
                             int(frame.item[prediction.rows[i]]), names[int(frame.item[prediction.rows[i]])],
                             date.fromordinal(int(prediction.due[i]))) for i in new],
            prediction.at,
        )  # fmt: skip
        record(
            actor, "prediction.warn", target_type="prediction.predictedwarning", target_id=prediction.case_nos[new[0]],
            summary=f"超时风险预警 {len(new)} 件（预测时刻 {timezone.localtime(prediction.at):%Y-%m-%d %H:%M}），生成提醒 {queued} 条",
            after={"cases": [prediction.case_nos[i] for i in new[:50]], "count": len(new)},
        )  # fmt: skip
    return len(new), queued


def _item_names(item_ids: np.ndarray) -> dict[int, str]:
    from govwatch.catalog.models import Item

    return dict(Item.objects.filter(id__in=np.unique(item_ids).tolist()).values_list("id", "name"))


# -- the worker's turn -------------------------------------------------------------------------------

LEASE = timedelta(minutes=30)


def _acquire(name: str, token: str) -> bool:
    now = timezone.now()
    PredictionLease.objects.get_or_create(name=name)
    taken = PredictionLease.objects.filter(Q(until__isnull=True) | Q(until__lt=now), name=name)
    return taken.update(holder=token, until=now + LEASE) == 1


def _release(name: str, token: str) -> None:
    PredictionLease.objects.filter(name=name, holder=token).update(holder="", until=None)


def run(
    at: datetime, slot: datetime | None = None, warn: bool = True, actor: Actor = WORKER
) -> PredictionRun | None:
    """Predict at `at`, refresh the case list's risks and (when `warn`) issue the warnings.

    A run for a warning moment (`slot`) happens once: a second worker finds its row and stops.
    None when another run holds the lease, the slot is done, or there is no model.
    """
    token = uuid.uuid4().hex
    if not _acquire("predict", token):
        return None
    try:
        try:
            with transaction.atomic():
                current = PredictionRun.objects.create(at=at, slot=slot)
        except IntegrityError:
            return None  # this warning moment has been dealt with
        prediction = predict(at, train=False, actor=actor)
        if prediction.model is None:
            current.delete()
            return None
        store_risks(prediction)
        new, queued = issue_warnings(prediction, actor) if warn else (0, 0)
        PredictionRun.objects.filter(pk=current.pk).update(
            model=prediction.model, finished_at=timezone.now(), candidates=len(prediction.case_nos),
            warned=int(prediction.warn.sum()), new_warnings=new, notifications_queued=queued,
        )  # fmt: skip
        current.refresh_from_db()
        return current
    finally:
        _release("predict", token)


def due_slot(now: datetime, cal: WorkCalendar | None = None) -> datetime | None:
    """The latest warning moment of today that has come, if today is a working day."""
    cal = cal or get_calendar()
    local = timezone.localtime(now, local_tz())
    if not cal.is_workday(local.date()):
        return None
    passed = [datetime.combine(local.date(), t, tzinfo=local_tz()) for t in moments_of_day()]
    passed = [m for m in passed if m <= now]
    return passed[-1] if passed else None


def tick(now: datetime | None = None) -> PredictionRun | None:
    """The worker's prediction job: warn at each warning moment once; between them, refresh the
    case list's risks every GOVWATCH_PREDICT_REFRESH_MINUTES."""
    now = now or timezone.now()
    slot = due_slot(now)
    if slot is not None and not PredictionRun.objects.filter(slot=slot).exists():
        return run(now, slot=slot, warn=True)
    last = (
        PredictionRun.objects.filter(finished_at__isnull=False)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if last is None or now - last >= timedelta(minutes=settings.PREDICT_REFRESH_MINUTES):
        return run(now, warn=False)
    return None


def train_if_stale(now: datetime | None = None) -> RiskModel | None:
    """The worker's training job: a new model when the newest is GOVWATCH_PREDICT_TRAIN_HOURS old."""
    now = now or timezone.now()
    fresh = now - timedelta(hours=settings.PREDICT_TRAIN_HOURS)
    if RiskModel.objects.filter(as_of__gt=fresh, as_of__lte=now, library=library_version()).exists():
        return None
    token = uuid.uuid4().hex
    if not _acquire("train", token):
        return None
    try:
        return train_model(now)
    except learn.NotEnoughHistory as exc:
        log.info("prediction model not trained: %s", exc)
        return None
    finally:
        _release("train", token)


# -- the replay (the honesty page) -------------------------------------------------------------------

# Outcomes of the last two weeks are mostly unknown: a replay ends before them.
REPLAY_SETTLE_DAYS = 14
REPLAY_DAYS = 91
REPLAY_RETRAIN_DAYS = 14
REPLAY_EVERY_DAYS = 7


def save_replay(first: date, last: date, retrain_days: int = REPLAY_RETRAIN_DAYS, progress=None) -> Replay:
    """Replay [first, last] against the history as GovWatch holds it now, and keep the result."""
    from .replay import replay

    cal = get_calendar()
    now = timezone.now()
    frame = load(now, first - timedelta(days=HISTORY_DAYS), cal)
    result = replay(
        frame, cal, first, last, moments_of_day(), false_alarm_target(), retrain_days, progress=progress
    )
    return Replay.objects.create(
        first_day=first, last_day=last, summary=result.summary, days=result.days, models_used=result.models,
        seconds=round(result.seconds, 1),
    )  # fmt: skip


def replay_doc(row: Replay) -> dict[str, Any]:
    return {
        "from": row.first_day.isoformat(), "to": row.last_day.isoformat(), "summary": row.summary,
        "models": row.models_used, "days": row.days, "seconds": row.seconds,
    }  # fmt: skip


def replay_if_stale(now: datetime | None = None) -> Replay | None:
    """The worker's weekly replay of the last months, for the honesty page."""
    now = now or timezone.now()
    if Replay.objects.filter(created_at__gte=now - timedelta(days=REPLAY_EVERY_DAYS)).exists():
        return None
    token = uuid.uuid4().hex
    if not _acquire("replay", token):
        return None
    try:
        last = timezone.localtime(now).date() - timedelta(days=REPLAY_SETTLE_DAYS)
        return save_replay(last - timedelta(days=REPLAY_DAYS - 1), last)
    except learn.NotEnoughHistory as exc:
        log.info("no replay: %s", exc)
        return None
    finally:
        _release("replay", token)
