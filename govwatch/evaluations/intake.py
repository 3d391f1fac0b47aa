"""Intake of the evaluations GovWatch collects itself (its public pages, SMS links, the device).

The rules of the national "好差评" system, in one place for every channel:
- one evaluation per service: a case that has an evaluation (collected here or imported, by any
  channel, auto default included) takes no other; the second is refused, not merged;
- only a completed case is evaluated, and only within EVALUATION_WINDOW_DAYS calendar days of its
  completion (to the end of the last local day); an auto default (默认评价) is what the system
  records when that window passed in silence, so the window does not bind it;
- levels 1-5, item scores 1-5 on EVAL_ITEMS, negative reasons from NEGATIVE_TAGS.
A negative evaluation opens its rectification task in the same transaction.

Imported and pushed evaluations do not pass here (they are facts of other systems, contract
section 2); `govwatch.evaluations.rectification.open_tasks_for_imported` opens their tasks.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from govwatch.audit.log import Actor, record
from govwatch.cases.models import Case
from govwatch.cases.stale import mark_stale
from govwatch.core.bulk import insert_objects
from govwatch.core.choices import CaseStatus, EvalChannel, EvalLevel
from govwatch.core.localtime import local_date
from govwatch.core.pii import protect

from .models import EVAL_ITEMS, NEGATIVE_TAGS, Evaluation
from .rectification import needs_rectification, open_task
from .rules import evaluation_digest, evaluation_last_day, window_closed

MAX_COMMENT = 1000
# The fields of a case the intake reads, read again under the case's lock.
LOCKED_FIELDS = ("case_no", "status", "closed_at", "closed_on", "unit_id", "window_code")
EVAL_ID_PREFIX = "GW-"
ALREADY_RATED = "该办件已评价，每笔办件只能评价一次"
# The channels' values, once: `EvalChannel.values` builds the list of choices on every call (a tenth
# of the content rules' time on the busiest public POST and for every evaluation the worker records).
CHANNELS = frozenset(EvalChannel.values)
logger = logging.getLogger(__name__)


class EvaluationRefused(Exception):
    """The rules refuse this evaluation; the message is for the citizen, in Chinese."""


def _score(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def check_content(level: object, channel: str, scores: dict, tags: list, comment: str) -> None:
    if not _score(level):
        raise EvaluationRefused("评价等级应为 1 至 5（非常不满意至非常满意）")
    if channel not in CHANNELS:
        raise EvaluationRefused(f"评价渠道“{channel}”无效")
    unknown = [k for k in scores if k not in EVAL_ITEMS]
    if unknown:
        raise EvaluationRefused(f"没有评价项“{'、'.join(map(str, unknown))}”")
    bad = [EVAL_ITEMS[k] for k, v in scores.items() if not _score(v)]
    if bad:
        raise EvaluationRefused(f"{'、'.join(bad)}的评分应为 1 至 5 分")
    if "overall" in scores and scores["overall"] != level:
        raise EvaluationRefused("总体满意度评分应与评价等级一致")
    unknown = [t for t in tags if t not in NEGATIVE_TAGS]
    if unknown:
        raise EvaluationRefused(f"没有差评原因“{'、'.join(map(str, unknown))}”")
    if len(set(tags)) != len(tags):
        raise EvaluationRefused("差评原因不能重复选择")
    if tags and level >= 4:
        raise EvaluationRefused("满意的评价不需要选择差评原因")
    if "other" in tags and not comment:
        raise EvaluationRefused("选择“其他”原因时，请填写评价内容")
    if len(comment) > MAX_COMMENT:
        raise EvaluationRefused(f"评价内容不能超过 {MAX_COMMENT} 字")


def check_case(case: Case, at: datetime, auto: bool) -> None:
    if case.status != CaseStatus.COMPLETED:
        raise EvaluationRefused(
            "该办件尚未办结，办结后才能评价"
            if case.is_open
            else f"该办件{case.get_status_display()}，不能评价"
        )
    if at < case.closed_at:
        raise EvaluationRefused("评价时间早于办件办结时间")
    if not auto and window_closed(case.closed_at, at):
        last_day = evaluation_last_day(case.closed_at)
        raise EvaluationRefused(
            f"已超过评价期限：办结后 {settings.EVALUATION_WINDOW_DAYS} 天内可以评价（截至 {last_day:%Y年%m月%d日}）"
        )


@transaction.atomic
def do_submit_evaluation(
    *,
    case: Case,
    level: int,
    channel: str,
    at: datetime,
    scores: dict[str, int] | None = None,
    tags: list[str] | None = None,
    comment: str = "",
    evaluator: str = "",
    window_code: str = "",
    auto: bool = False,
    actor: Actor | None = None,
) -> Evaluation:
    """Record one evaluation of a completed case; its rectification task too when it is negative.

    Raises EvaluationRefused (Chinese message) when the rules refuse it; nothing is stored then.
    A batch of one of `do_submit_evaluations`: one path, one order of the rules.
    """
    outcome = do_submit_evaluations([Proposed(
        case, level, channel, at, scores=dict(scores or {}), tags=list(tags or []), comment=comment,
        evaluator=evaluator, window_code=window_code, auto=auto, actor=actor,
    )])[0]  # fmt: skip
    if isinstance(outcome, EvaluationRefused):
        raise outcome
    return outcome


def _evaluation(case: Case, p: Proposed, scores: dict, tags: list, comment: str) -> Evaluation:
    """The evaluation to store, of `case` as read under its lock."""
    evaluator_hash, evaluator_enc = protect(p.evaluator)
    window_code = p.window_code.strip() or case.window_code
    # One evaluation per case: the id follows from the case, so even writers the lock does not
    # serialise (SQLite) cannot store a second one.
    eval_id = f"{EVAL_ID_PREFIX}{case.case_no}"
    return Evaluation(
        eval_id=eval_id, level=p.level, at=p.at, case=case, unit_id=case.unit_id, channel=p.channel,
        window_code=window_code, evaluator_hash=evaluator_hash, evaluator_enc=evaluator_enc, auto=p.auto,
        comment=comment, scores=scores, tags=tags,
        # The importer's digest: the same evaluation re-sent by a file counts as a duplicate.
        digest=evaluation_digest(
            eval_id, p.level, p.at, case.case_no, case.unit_id, p.channel, window_code, evaluator_hash, p.auto,
            comment,
        ),
    )  # fmt: skip


def _recorded(evaluation: Evaluation, case: Case, actor: Actor | None) -> None:
    """What follows a stored evaluation: its audit entry, and the task of a negative one."""
    level, channel, auto = evaluation.level, evaluation.channel, evaluation.auto
    actor = actor or Actor("system:auto-evaluation" if auto else "public:evaluation")
    record(
        actor, "evaluation.submit", evaluation,
        summary=f"收到办件 {case.case_no} 的评价：{EvalLevel(level).label}（{EvalChannel(channel).label}）",
        after={"eval_id": evaluation.eval_id, "level": level, "channel": channel, "auto": auto,
               "scores": evaluation.scores, "tags": evaluation.tags, "real_name": bool(evaluation.evaluator_hash)},
    )  # fmt: skip
    if needs_rectification(evaluation):
        open_task(evaluation, evaluation.at, actor)


@dataclass
class Proposed:
    """One evaluation to record, with the arguments of `do_submit_evaluation`."""

    case: Case
    level: int
    channel: str
    at: datetime
    scores: dict[str, int] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    comment: str = ""
    evaluator: str = ""
    window_code: str = ""
    auto: bool = False
    actor: Actor | None = None


def do_submit_evaluations(proposed: list[Proposed]) -> list[Evaluation | EvaluationRefused]:
    """Record many evaluations, each as `do_submit_evaluation` records it (the same rules, the case
    read again under its lock, the audit entry, the rectification task of a negative one), with
    their statements shared: one lock of all their cases, one check of which are rated, one INSERT,
    one mark of the stale days. In the caller's transaction (required: the locks must last until
    its commit). Each one's outcome, in order: its Evaluation, or the EvaluationRefused that refused
    it (nothing of it stored).

    The worker's bulk path (received public submissions, `govwatch.public.intake`): per evaluation
    it saves a savepoint, a locked read and an existence check. Should the shared INSERT fail
    anyway (a row the checks could not foresee), it is rolled back alone and each evaluation is
    recorded as a batch of its own in a savepoint of its own, so one bad row refuses only itself."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("do_submit_evaluations() needs the caller's transaction")
    outcomes: list[Evaluation | EvaluationRefused | None] = [None] * len(proposed)
    contents: list[tuple[dict, list, str]] = []
    for n, p in enumerate(proposed):
        scores, tags, comment = dict(p.scores or {}), list(p.tags or []), p.comment.strip()
        try:
            check_content(p.level, p.channel, scores, tags, comment)
        except EvaluationRefused as exc:
            outcomes[n] = exc
        if "overall" not in scores and scores:
            scores["overall"] = p.level
        contents.append((scores, tags, comment))
    pks = sorted({p.case.pk for n, p in enumerate(proposed) if outcomes[n] is None})
    # Locked in key order, so two workers locking overlapping cases cannot deadlock.
    locked = {
        row["case_no"]: row
        for row in Case.objects.select_for_update().filter(pk__in=pks).order_by("pk").values(*LOCKED_FIELDS)
    }
    rated = set(Evaluation.objects.filter(case_id__in=list(locked)).values_list("case_id", flat=True))
    new: list[tuple[int, Evaluation, Case]] = []
    for n, p in enumerate(proposed):
        if outcomes[n] is not None:
            continue
        if p.case.case_no not in locked:  # deleted meanwhile
            outcomes[n] = EvaluationRefused("未找到该办件，评价未能登记")
            continue
        case = copy.copy(p.case)
        for name, value in locked[case.case_no].items():
            setattr(case, name, value)
        scores, tags, comment = contents[n]
        try:
            check_case(case, p.at, p.auto)
            if case.case_no in rated:
                raise EvaluationRefused(ALREADY_RATED)
        except EvaluationRefused as exc:
            outcomes[n] = exc
            continue
        rated.add(case.case_no)  # a second one of the same batch is refused like a later one
        new.append((n, _evaluation(case, p, scores, tags, comment), case))
    if not new:
        return outcomes  # type: ignore[return-value]
    try:
        with transaction.atomic():
            insert_objects([evaluation for _, evaluation, _ in new])
    except IntegrityError:
        if len(new) == 1:  # a row the checks could not foresee: another writer's evaluation
            outcomes[new[0][0]] = EvaluationRefused(ALREADY_RATED)
            return outcomes  # type: ignore[return-value]
        logger.warning("a batch of %d evaluations failed; recorded one by one", len(new))
        for n, _, _ in new:
            with transaction.atomic():
                outcomes[n] = do_submit_evaluations([proposed[n]])[0]
        return outcomes  # type: ignore[return-value]
    marks = []
    for _, evaluation, case in new:
        marks += [(evaluation.unit_id, local_date(evaluation.at)), (case.unit_id, case.closed_on)]
    mark_stale(marks)
    for n, evaluation, case in new:
        _recorded(evaluation, case, proposed[n].actor)
        outcomes[n] = evaluation
    return outcomes  # type: ignore[return-value]
