"""Predicting (contract section 13): the stored models, and the risk of every case at a moment.

`predict(at)` considers every case that at `at` is open, not suspended and without a card, and
gives each its risk of breaching (completed after its due date or still open after it), the decision
to warn and the reasons in words. It reads the newest stored model not later than `at` (and at most
`GOVWATCH_PREDICT_MODEL_HOURS` older), or trains one from the history as of `at` when there is none
(`train_model`). What is done with a prediction (the risk list, the warnings) is `warning`'s.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
import threading
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from govwatch.audit.log import Actor, record
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from . import features as feats
from . import learn
from .frame import CaseFrame, case_numbers, load, since_days
from .history import History
from .models import RiskModel
from .reasons import Reasons, reasons_of
from .scoring import Scorer, from_classifier
from .snapshot import Present, Snapshot

log = logging.getLogger("govwatch.prediction")
# JSON string literal as `json.dumps(..., ensure_ascii=False)` writes it.
_string = json.encoder.encode_basestring

HISTORY_DAYS = 400  # a year of history, and the weeks before it that its first figures look back on
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

    scorer: Scorer  # the calibrated classifier, as arrays (`scoring`)
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
# Format 2: the model as a `Scorer` (arrays), scored without importing scikit-learn.
PAYLOAD_FORMAT = 2


@lru_cache(maxsize=1)
def library_version() -> str:
    from importlib.metadata import version

    names = zlib.crc32(",".join(feats.NAMES).encode())
    return f"scikit-learn {version('scikit-learn')}; format {PAYLOAD_FORMAT}.{names:08x}"


def usable_models(at: datetime):
    """Stored models a prediction at `at` may use: learned by then, recently enough, by this library."""
    oldest = at - timedelta(hours=settings.PREDICT_MODEL_HOURS)
    return RiskModel.objects.filter(as_of__lte=at, as_of__gte=oldest, library=library_version()).order_by(
        "-as_of", "-id"
    )


def train_model(as_of: datetime, actor: Actor = WORKER, cal: WorkCalendar | None = None) -> RiskModel:
    """Learn from the history as of `as_of` and store the model. NotEnoughHistory when too little."""
    cal = cal or get_calendar()
    frame = load(as_of, since_days(as_of, HISTORY_DAYS), cal)
    history = History(frame, cal)
    trained = learn.train(frame, cal, false_alarm_target(), moments_of_day(), history=history)
    bundle = Bundle(from_classifier(trained.model), Snapshot.of(history), feats.NAMES)
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
    reasons: Reasons  # each case's reasons in words
    due: np.ndarray  # due date (ordinal) as of `at`

    def order(self) -> np.ndarray:
        """Positions of the cases, the riskiest first (then by case number)."""
        if not self.case_nos:
            return np.zeros(0, dtype=np.int64)
        return np.lexsort((np.array(self.case_nos), -np.asarray(self.risk, dtype=np.float64)))

    def _head(self) -> dict[str, Any]:
        return {
            "at": timezone.localtime(self.at).isoformat(),
            "model": None if self.model is None else {
                "id": self.model.pk, "as_of": timezone.localtime(self.model.as_of).isoformat(),
                "threshold": round(self.model.threshold, 4), "false_alarm_target": self.model.false_alarm_target,
                "recall": self.model.metrics.get("recall"), "false_alarm_rate": self.model.metrics.get("false_alarm_rate"),
            },
        }  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        risk = self.risk.tolist()
        return {
            **self._head(),
            "cases": [
                {"case_no": self.case_nos[i], "risk": round(risk[i], 4), "warn": bool(self.warn[i]),
                 "reasons": self.reasons[i]}
                for i in self.order().tolist()
            ],
        }  # fmt: skip

    def json_text(self) -> str:
        """`json.dumps(self.as_dict(), ensure_ascii=False)`."""
        return self.json_bytes().decode()

    def json_bytes(self) -> bytes:
        """`json.dumps(self.as_dict(), ensure_ascii=False)` in UTF-8, written without a Python object
        per case beyond its number and its risk's text: the pieces of every case are laid side by
        side in one list and joined once, each distinct list of reasons encoded once."""
        head = json.dumps(self._head(), ensure_ascii=False)[:-1].encode()
        n = len(self.case_nos)
        if n == 0:
            return head + b', "cases": []}'
        order = self.order()
        numbers, quote = _json_strings([self.case_nos[i] for i in order.tolist()])
        # What follows a case's risk: one text per (warn, list of reasons).
        reasons = [reasons_json(r).encode() for r in self.reasons.lists]
        ends = np.array(
            [b', "warn": ' + w + b', "reasons": ' + r + b"}" for w in (b"false", b"true") for r in reasons],
            dtype=object,
        )
        which = self.warn[order].astype(np.int64) * len(reasons) + self.reasons.codes[order]
        pieces: list[bytes] = [b""] * (5 * n)
        pieces[0::5] = [b', {"case_no": ' + quote] * n
        pieces[0] = head + b', "cases": [{"case_no": ' + quote
        pieces[1::5] = numbers
        pieces[2::5] = [quote + b', "risk": '] * n
        pieces[3::5] = risk_texts(self.risk[order])
        pieces[4::5] = ends[which].tolist()
        pieces.append(b"]}")
        return b"".join(pieces)


def _json_strings(texts: list[str]) -> tuple[list[bytes], bytes]:
    """The texts as JSON strings in UTF-8 (as `json.dumps(..., ensure_ascii=False)` writes them), and
    the quote they still need on each side: none when each was escaped on its own, `"` when none
    needed escaping (then all are encoded at once)."""
    if _NEEDS_ESCAPE.search("".join(texts)) is None:
        # No text holds a line break either: joined by line breaks, they are split back apart.
        return "\n".join(texts).encode().split(b"\n"), b'"'
    return [_string(t).encode() for t in texts], b""


# What json.dumps escapes in a string (ensure_ascii=False): the quote, the backslash, control codes.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
# A risk rounded to 4 decimals is q / 10000 for an integer q in [0, 10000]: its text, for each q.
_RISK_SCALE = 10_000


@lru_cache(maxsize=1)
def _risk_table() -> np.ndarray:
    return np.array([repr(q / _RISK_SCALE).encode() for q in range(_RISK_SCALE + 1)], dtype=object)


def risk_texts(risk: np.ndarray) -> list[bytes]:
    """`json.dumps(round(r, 4))` of each risk (its `repr`), without a Python float per value.

    `round(r, 4)` is the float nearest q / 10000, q the integer nearest r * 10000 (exactly, halves
    to even), so its text is the table's. r * 10000 in floating point is within 1e-12 of the exact
    product: its nearest integer is q unless it lies within 1e-6 of a half; those few, and any risk
    outside [0, 1], are rounded by Python itself.
    """
    risk = np.asarray(risk, dtype=np.float64)
    scaled = risk * _RISK_SCALE
    with np.errstate(invalid="ignore"):  # NaN and infinities: odd, rounded by Python below
        odd = (
            ~((risk >= 0) & (risk <= 1)) | np.signbit(risk) | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
        )
    q = np.where(odd, 0, np.rint(scaled)).astype(np.int64)
    texts = _risk_table()[q]
    for i in np.flatnonzero(odd).tolist():
        texts[i] = json.dumps(round(float(risk[i]), 4)).encode()
    return texts.tolist()


def reasons_json(reasons: tuple[str, ...]) -> str:
    """A case's reasons as JSON text (the stored column's and the output's form)."""
    return json.dumps(list(reasons), ensure_ascii=False)


def predict(
    at: datetime, model: RiskModel | None = None, train: bool = True, actor: Actor = WORKER
) -> Prediction:
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
    risk = bundle.scorer.risk(f.X)
    warn = risk >= model.threshold
    reasons = reasons_of(f, warn, holiday_names(f.raw["break_day"][f.raw["long_holiday"]]))
    return Prediction(at, model, frame, rows, _numbers(frame, rows), risk, warn, reasons, f.due)


def _numbers(frame: CaseFrame, rows: np.ndarray) -> list[str]:
    return case_numbers(frame.id[rows]) if frame.case_no is None else frame.case_no[rows].tolist()


def _without_model(at: datetime, frame: CaseFrame, rows: np.ndarray, cal: WorkCalendar) -> Prediction:
    """Too little history to learn from: every case gets the region's late share so far, no warning."""
    history = History(load(at, since_days(at, HISTORY_DAYS), cal), cal)
    known = history.outcomes.known
    share = float(history.outcomes.late[known].mean()) if known.any() else 0.0
    due = frame.due_at(cal, rows, np.full(rows.size, frame.as_of, dtype=np.int64))[0]
    return Prediction(
        at, None, frame, rows, _numbers(frame, rows), np.full(rows.size, share), np.zeros(rows.size, dtype=bool),
        Reasons([(NO_MODEL_REASON,)], np.zeros(rows.size, dtype=np.int64)), due,
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
        own = (
            CalendarDay.objects.filter(date__gte=d, date__lte=d + timedelta(days=3))
            .exclude(name="")
            .values_list("name", flat=True)
            .first()
        )
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
