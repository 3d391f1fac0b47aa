"""Predictive warning (contract section 13): train, predict at a moment, warn once per case.

`predict(at)` considers every case that at `at` is open, not suspended and without a card, and
gives each its risk of breaching (completed after its due date or still open after it), the decision
to warn and the reasons in words. It reads the newest stored model not later than `at` (and at most
`GOVWATCH_PREDICT_MODEL_HOURS` older), or trains one from the history as of `at` when there is none.
`issue_warnings` turns the decision into a `predicted` message to the handling unit, through the
outbox and its alert rules, once per case. `run` is what the worker does at each warning moment.
"""

from __future__ import annotations

import logging
import pickle
import threading
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import numpy as np
import sklearn
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from threadpoolctl import threadpool_limits

from govwatch.audit.log import Actor, record
from govwatch.core.localtime import local_tz
from govwatch.supervision import routing
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from . import features as feats
from . import learn
from .frame import CaseFrame, case_numbers, load, since_days
from .history import History
from .models import CaseRisk, PredictedWarning, PredictionLease, PredictionRun, Replay, RiskModel
from .reasons import explain
from .snapshot import Present, Snapshot

log = logging.getLogger("govwatch.prediction")

HISTORY_DAYS = 400  # a year of history, and the weeks before it that its first figures look back on
# Risks below this are not stored for the case list (it shows them as low): the list stays small.
STORE_FLOOR = 0.02
NO_MODEL_REASON = "历史办件不足，尚未建立预测模型：暂按全区以往超期比例估计"
WORKER = Actor("system:worker")


def false_alarm_target() -> float:
    return settings.PREDICT_FALSE_ALARMS


def moments_of_day() -> list[clock_time]:
    try:
        return sorted(clock_time.fromisoformat(t) for t in settings.PREDICT_AT)
    except ValueError as exc:
        raise ImproperlyConfigured(f"GOVWATCH_PREDICT_AT 应为逗号分隔的时刻，如 09:00,16:30：{exc}") from exc


# -- models -------------------------------------------------------------------------------------------


@dataclass
class Bundle:
    """What a stored model's payload holds."""

    model: Any  # the calibrated classifier
    snapshot: Snapshot
    features: tuple[str, ...]


_bundles: dict[int, Bundle] = {}
_bundles_lock = threading.Lock()


def bundle_of(row: RiskModel) -> Bundle:
    with _bundles_lock:
        found = _bundles.get(row.pk)
    if found is None:
        # Our own rows, written by `train_model` from this code: the one place a payload is unpickled.
        found = pickle.loads(bytes(row.payload))  # noqa: S301
        with _bundles_lock:
            _bundles.clear()  # one model at a time is in use: keep memory to it
            _bundles[row.pk] = found
    return found


# Bumped whenever what a payload holds changes shape; with the feature list it names the format, so
# that a model pickled by other code is never unpickled by this one (it is retrained instead).
PAYLOAD_FORMAT = 1


def library_version() -> str:
    names = zlib.crc32(",".join(feats.NAMES).encode())
    return f"scikit-learn {sklearn.__version__}; format {PAYLOAD_FORMAT}.{names:08x}"


def usable_models(at: datetime):
    """Stored models a prediction at `at` may use: learned by then, recently enough, by this library."""
    oldest = at - timedelta(hours=settings.PREDICT_MODEL_HOURS)
    return RiskModel.objects.filter(as_of__lte=at, as_of__gte=oldest, library=library_version()).order_by("-as_of", "-id")


def train_model(as_of: datetime, actor: Actor = WORKER, cal: WorkCalendar | None = None) -> RiskModel:
    """Learn from the history as of `as_of` and store the model. NotEnoughHistory when too little."""
    cal = cal or get_calendar()
    frame = load(as_of, since_days(as_of, HISTORY_DAYS), cal)
    history = History(frame, cal)
    trained = learn.train(frame, cal, false_alarm_target(), moments_of_day(), history=history)
    bundle = Bundle(trained.model, Snapshot.of(history), feats.NAMES)
    with transaction.atomic():
        row = RiskModel.objects.create(
            as_of=as_of, seconds=round(trained.seconds, 1), cases=len(frame), threshold=trained.threshold,
            false_alarm_target=false_alarm_target(), metrics=trained.metrics, library=library_version(),
            payload=pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL),
        )  # fmt: skip
        m = trained.metrics
        record(
            actor, "prediction.train", row,
            summary=f"训练超时风险模型（历史截至 {timezone.localtime(as_of):%Y-%m-%d %H:%M}，"
            f"办件 {len(frame)} 件；验证召回率 {_pct(m.get('recall'))}，误报率 {_pct(m.get('false_alarm_rate'))}）",
            after={"threshold": row.threshold, "recall": m.get("recall"), "false_alarm_rate": m.get("false_alarm_rate")},
        )  # fmt: skip
    return row


def _pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def model_for(at: datetime, train: bool = True, actor: Actor = WORKER) -> RiskModel | None:
    """The model a prediction at `at` uses; trained from the history as of `at` when none is stored
    (None when the history is too short to learn from)."""
    row = usable_models(at).first()
    if row is None and train:
        try:
            row = train_model(at, actor)
        except learn.NotEnoughHistory as exc:
            log.warning("no model for %s: %s", at.isoformat(), exc)
            return None
    return row


# -- predicting ---------------------------------------------------------------------------------------


@dataclass
class Prediction:
    at: datetime
    model: RiskModel | None
    frame: CaseFrame
    rows: np.ndarray  # rows of `frame` that may be warned
    case_nos: list[str]
    risk: np.ndarray
    warn: np.ndarray
    reasons: list[list[str]]
    due: np.ndarray  # due date (ordinal) as of `at`

    def as_dict(self) -> dict[str, Any]:
        order = sorted(range(len(self.case_nos)), key=lambda i: (-self.risk[i], self.case_nos[i]))
        return {
            "at": timezone.localtime(self.at).isoformat(),
            "model": None if self.model is None else {
                "id": self.model.pk, "as_of": timezone.localtime(self.model.as_of).isoformat(),
                "threshold": round(self.model.threshold, 4), "false_alarm_target": self.model.false_alarm_target,
                "recall": self.model.metrics.get("recall"), "false_alarm_rate": self.model.metrics.get("false_alarm_rate"),
            },
            "cases": [
                {"case_no": self.case_nos[i], "risk": round(float(self.risk[i]), 4), "warn": bool(self.warn[i]),
                 "reasons": self.reasons[i]}
                for i in order
            ],
        }  # fmt: skip


def predict(at: datetime, model: RiskModel | None = None, train: bool = True, actor: Actor = WORKER) -> Prediction:
    """Risk, warning and reasons of every case that at `at` is open, running and without a card."""
    cal = get_calendar()
    model = model or model_for(at, train=train, actor=actor)
    frame = load(at, None, cal, only_open=True)
    rows = np.arange(len(frame))
    times = np.full(rows.size, frame.as_of, dtype=np.int64)
    rows = rows[learn.eligible(frame, rows, times, cal)]
    times = np.full(rows.size, frame.as_of, dtype=np.int64)
    if model is None:
        return _without_model(at, frame, rows, cal)
    bundle = bundle_of(model)
    f = feats.build(frame, rows, times, Present(bundle.snapshot, frame), cal)
    with threadpool_limits(settings.PREDICT_THREADS):
        risk = bundle.model.predict_proba(f.X)[:, 1] if rows.size else np.zeros(0)
    warn = risk >= model.threshold
    reasons = explain(f, warn, holiday_names(f.raw["break_day"][f.raw["long_holiday"]]))
    return Prediction(at, model, frame, rows, case_numbers(frame.id[rows]), risk, warn, reasons, f.due)


def _without_model(at: datetime, frame: CaseFrame, rows: np.ndarray, cal: WorkCalendar) -> Prediction:
    """Too little history to learn from: every case gets the region's late share so far, no warning."""
    history = History(load(at, since_days(at, HISTORY_DAYS), cal), cal)
    known = history.outcomes.known
    share = float(history.outcomes.late[known].mean()) if known.any() else 0.0
    due = frame.due_at(cal, rows, np.full(rows.size, frame.as_of, dtype=np.int64))[0]
    return Prediction(
        at, None, frame, rows, case_numbers(frame.id[rows]), np.full(rows.size, share), np.zeros(rows.size, dtype=bool),
        [[NO_MODEL_REASON] for _ in range(rows.size)], due,
    )  # fmt: skip


def holiday_names(days: np.ndarray) -> dict[int, str]:
    """Chinese names of the holidays that begin on these dates (ordinals)."""
    from chinese_calendar import get_holiday_detail

    from govwatch.workcal.models import CalendarDay

    names = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
             "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节"}  # fmt: skip
    result = {}
    for day in np.unique(days).tolist():
        d = date.fromordinal(int(day))
        own = CalendarDay.objects.filter(date__gte=d, date__lte=d + timedelta(days=3)).exclude(name="").values_list("name", flat=True).first()
        if own:
            result[day] = own
            continue
        for k in range(4):
            try:
                is_holiday, name = get_holiday_detail(d + timedelta(days=k))
            except NotImplementedError:
                break
            if is_holiday and name in names:
                result[day] = names[name]
                break
    return result


# -- the present: the case list's risk column ---------------------------------------------------------


def store_risks(prediction: Prediction) -> int:
    """Replace the stored risks by this prediction's (at or above STORE_FLOOR); returns the count."""
    keep = np.flatnonzero(prediction.risk >= STORE_FLOOR)
    rows = [
        CaseRisk(case_id=prediction.case_nos[i], at=prediction.at, risk=float(prediction.risk[i]),
                 warn=bool(prediction.warn[i]), reasons=prediction.reasons[i], model=prediction.model)
        for i in keep
    ]  # fmt: skip
    with transaction.atomic():
        CaseRisk.objects.all().delete()
        CaseRisk.objects.bulk_create(rows, batch_size=2000)
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
            done.update(PredictedWarning.objects.filter(case_id__in=numbers[k : k + 900]).values_list("case_id", flat=True))
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


def run(at: datetime, slot: datetime | None = None, warn: bool = True, actor: Actor = WORKER) -> PredictionRun | None:
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
    last = PredictionRun.objects.filter(finished_at__isnull=False).order_by("-at").values_list("at", flat=True).first()
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
    result = replay(frame, cal, first, last, moments_of_day(), false_alarm_target(), retrain_days, progress=progress)
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
