"""The rules of the national good/bad review (好差评), each in one named function that every entry
point calls: the intake, the importer, the public pages, the worker, the figures.

- `is_negative` / `negative_levels`: what a negative review (差评) is, by level, set once in
  settings.NEGATIVE_LEVELS (1 and 2 nationally, contract section 4): the national loop and figures;
- `is_supervised` / `supervised_levels`: what the supervisors' special supervision (专项督导) looks
  at, settings.SUPERVISED_LEVELS (seed 004's "一般" and "不满意": 1 to 3 by default), always every
  negative level too;
- `evaluation_last_day` / `window_closed`: the evaluation window of a completed case;
- `evaluation_digest`: the normalised content of an evaluation, which makes a re-sent one a
  duplicate whichever way it arrives (a file, a push, GovWatch's own pages).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings

from govwatch.core.localtime import end_of_day, local_date, start_of_day
from govwatch.core.rowfields import digest, utc_text


def negative_levels() -> tuple[int, ...]:
    """The levels of a negative review (差评), lowest first."""
    return tuple(settings.NEGATIVE_LEVELS)


def is_negative(level: int) -> bool:
    return level in settings.NEGATIVE_LEVELS


def supervised_levels() -> tuple[int, ...]:
    """The levels on the supervisors' special-supervision list, lowest first."""
    return tuple(sorted(set(settings.SUPERVISED_LEVELS) | set(settings.NEGATIVE_LEVELS)))


def is_supervised(level: int) -> bool:
    return level in supervised_levels()


def evaluation_last_day(closed_at: datetime) -> date:
    """The last local day a completed case may be evaluated: EVALUATION_WINDOW_DAYS calendar days
    after the day of its completion."""
    return local_date(closed_at) + timedelta(days=settings.EVALUATION_WINDOW_DAYS)


def window_closed(closed_at: datetime, at: datetime) -> bool:
    """Whether the evaluation window of a case completed at `closed_at` has closed by `at`."""
    return at >= end_of_day(evaluation_last_day(closed_at))


def windows_closed_by(at: datetime) -> datetime:
    """Cases completed before this moment have their evaluation window closed at `at` (the bound of
    a query; `window_closed` of each such case is true)."""
    return start_of_day(local_date(at) - timedelta(days=settings.EVALUATION_WINDOW_DAYS))


def evaluation_digest(
    eval_id: str,
    level: int,
    at: datetime,
    case_no: str,
    unit_id: int | None,
    channel: str,
    window_code: str,
    evaluator_hash: str,
    auto: bool,
    comment: str,
) -> str:
    """The digest stored with an evaluation: the same evaluation sent again (by a file, a push or
    the intake) has the same one, and is counted a duplicate, not refused as changed."""
    return digest(
        eval_id, level, utc_text(at), case_no, unit_id, channel, window_code, evaluator_hash, auto, comment
    )
