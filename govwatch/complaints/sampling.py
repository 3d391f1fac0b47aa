"""Callback sampling (回访抽查): the seed's inspection group calls citizens back to check that
evaluations were really given as recorded and that closed complaints were really handled.

A plan names a period, the shares of real-name evaluations (given by the citizen, not auto
defaults) and of closed complaints with a contact, and a seed. `do_draw` samples each unit's own
records separately (stratified by unit: at least `minimum` of a unit with any, the share of the
rest, never more than it has), each stratum drawn by its own random generator seeded with the
plan's seed, the kind of record and the unit's code: the same seed over the same records draws the
same sample, whatever else changed. Every change is a `do_*` function for the supervisors
(SAMPLE_CALLBACKS), in one transaction, audited.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from govwatch.accounts.permissions import SAMPLE_CALLBACKS, check_actor, scope
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit

from .models import Complaint, SampledCall, SamplingPlan, whole_region

Plan = SamplingPlan
Call = SampledCall
MAX_CALLS = 5000


class SamplingError(Exception):
    """A step the plan's state or the rules do not allow; the message is for the user."""


def _check(actor: Actor, unit: Unit | None = None) -> None:
    """The supervisors sample (SAMPLE_CALLBACKS), over a unit they see, or the whole region when
    theirs is the region's."""
    check_actor(actor, SAMPLE_CALLBACKS, *([unit] if unit is not None else []))
    if unit is None and actor.user is not None and not whole_region(scope(actor.user)):
        raise PermissionDenied


def _share(value) -> Decimal:
    share = Decimal(str(value))
    if not Decimal(0) <= share <= Decimal(1):
        raise SamplingError("抽取比例应在 0 到 1 之间（例如 0.05 即 5%）")
    return share


@transaction.atomic
def do_create_plan(
    actor: Actor,
    *,
    name: str,
    date_from: date,
    date_to: date,
    evaluation_share,
    complaint_share,
    seed: int | None = None,
    minimum: int = 1,
    unit: Unit | None = None,
    at: datetime | None = None,
) -> Plan:
    _check(actor, unit)
    if not name.strip():
        raise SamplingError("请填写计划名称")
    if date_from > date_to:
        raise SamplingError("期间的开始日期不能晚于结束日期")
    evaluation_share, complaint_share = _share(evaluation_share), _share(complaint_share)
    if not evaluation_share and not complaint_share:
        raise SamplingError("评价和投诉的抽取比例不能都为 0")
    at = at or timezone.now()
    plan = Plan.objects.create(
        name=name.strip(), date_from=date_from, date_to=date_to, evaluation_share=evaluation_share,
        complaint_share=complaint_share, minimum=minimum, unit=unit, created_at=at, created_by=actor.label,
        seed=seed if seed is not None else random.SystemRandom().randrange(1, 2**31),
    )  # fmt: skip
    record(actor, "sampling.create", plan, summary=f"新建回访抽查计划“{plan.name}”",
           after={"from": date_from, "to": date_to, "evaluation_share": str(evaluation_share),
                  "complaint_share": str(complaint_share), "seed": plan.seed, "unit": unit.code if unit else None})  # fmt: skip
    return plan


def population(plan: Plan) -> dict[str, dict[int, list[int]]]:
    """What may be drawn: {"evaluation"|"complaint": {unit id: [record ids, ascending]}}."""
    start, end = start_of_day(plan.date_from), end_of_day(plan.date_to)
    evaluations = Evaluation.objects.filter(at__gte=start, at__lt=end, auto=False).exclude(evaluator_hash="")
    complaints = Complaint.objects.filter(
        status=Complaint.Status.CLOSED, closed_at__gte=start, closed_at__lt=end, unit__isnull=False
    ).exclude(contact_hash="")
    if plan.unit_id:
        evaluations = evaluations.filter(unit__path__startswith=plan.unit.path)
        complaints = complaints.filter(unit__path__startswith=plan.unit.path)
    found: dict[str, dict[int, list[int]]] = {}
    for subject, qs in ((Call.Subject.EVALUATION, evaluations), (Call.Subject.COMPLAINT, complaints)):
        groups: dict[int, list[int]] = defaultdict(list)
        for pk, unit_id in qs.order_by("pk").values_list("pk", "unit_id").iterator(chunk_size=5000):
            groups[unit_id].append(pk)
        found[subject.value] = groups
    return found


def stratum_size(available: int, share: Decimal, minimum: int) -> int:
    """How many of a unit's `available` records are drawn: the share rounded up, at least
    `minimum`, at most all of them; none when the share is 0."""
    if not share or not available:
        return 0
    return min(available, max(minimum, math.ceil(available * share)))


def draw(plan: Plan) -> dict[str, dict[str, list[int]]]:
    """The sample of a plan, {subject: {unit code: [record ids]}}: a pure function of the plan's
    seed and shares and of the records in its population."""
    codes = dict(Unit.objects.values_list("pk", "code"))
    shares = {
        Call.Subject.EVALUATION.value: plan.evaluation_share,
        Call.Subject.COMPLAINT.value: plan.complaint_share,
    }
    sample: dict[str, dict[str, list[int]]] = {}
    for subject, groups in population(plan).items():
        sample[subject] = {}
        for unit_id, ids in sorted(groups.items(), key=lambda kv: codes[kv[0]]):
            n = stratum_size(len(ids), shares[subject], plan.minimum)
            rng = random.Random(f"{plan.seed}:{subject}:{codes[unit_id]}")
            sample[subject][codes[unit_id]] = sorted(rng.sample(ids, n))
    return sample


@transaction.atomic
def do_draw(actor: Actor, plan: Plan, at: datetime | None = None) -> Plan:
    """抽取: draw the sample and make the call sheet."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("unit").get(pk=plan.pk)
    _check(actor, plan.unit)
    if not plan.can_move_to(Plan.Status.DRAWN):
        raise SamplingError(f"该计划{plan.get_status_display()}，不能再抽取")
    sample = draw(plan)
    units = dict(Unit.objects.values_list("code", "pk"))
    calls = [
        Call(plan=plan, subject=subject, unit_id=units[code],
             **{("evaluation_id" if subject == Call.Subject.EVALUATION else "complaint_id"): pk})
        for subject, by_unit in sample.items() for code, ids in by_unit.items() for pk in ids
    ]  # fmt: skip
    if not calls:
        raise SamplingError("该期间没有可回访的实名评价或留有联系方式的办结投诉")
    if len(calls) > MAX_CALLS:
        raise SamplingError(
            f"抽取结果 {len(calls)} 条，超过单个计划上限 {MAX_CALLS} 条：请降低比例或缩小范围"
        )
    Call.objects.bulk_create(calls, batch_size=1000)
    at = at or timezone.now()
    plan.status, plan.drawn_at = Plan.Status.DRAWN, at
    plan.save(update_fields=["status", "drawn_at"])
    counts = {subject: sum(len(ids) for ids in by_unit.values()) for subject, by_unit in sample.items()}
    record(actor, "sampling.draw", plan, summary=f"抽取回访抽查计划“{plan.name}”：评价 {counts['evaluation']} 条，"
           f"投诉 {counts['complaint']} 件", after={"seed": plan.seed, **counts})  # fmt: skip
    return plan


@transaction.atomic
def do_record_call(actor: Actor, call: Call, *, outcome: str, note: str, at: datetime | None = None) -> Call:
    """The outcome of one call: confirmed, denied (the citizen says the record is not what they
    gave or got), or not reached."""
    call = Call.objects.select_for_update(of=("self",)).select_related("plan", "unit").get(pk=call.pk)
    _check(actor, call.plan.unit)
    if call.plan.status != Plan.Status.DRAWN:
        raise SamplingError(f"该计划{call.plan.get_status_display()}，不能登记回访结果")
    if outcome not in (Call.Outcome.CONFIRMED, Call.Outcome.DENIED, Call.Outcome.NOT_REACHED):
        raise SamplingError("请选择回访结果")
    note = (note or "").strip()
    if outcome == Call.Outcome.DENIED and not note:
        raise SamplingError("与记录不符的，请写明群众所说的情况")
    before = {"outcome": call.outcome, "note": call.note}
    at = at or timezone.now()
    call.outcome, call.note, call.called_at, call.caller = outcome, note, at, actor.label
    call.save(update_fields=["outcome", "note", "called_at", "caller"])
    record(actor, "sampling.call", call, summary=f"回访抽查：{call.unit.name} {call.get_subject_display()}"
           f" {Call.Outcome(outcome).label}", before=before, after={"outcome": outcome, "note": note})  # fmt: skip
    return call


@transaction.atomic
def do_finish(actor: Actor, plan: Plan, at: datetime | None = None) -> Plan:
    plan = Plan.objects.select_for_update(of=("self",)).select_related("unit").get(pk=plan.pk)
    _check(actor, plan.unit)
    if not plan.can_move_to(Plan.Status.FINISHED):
        raise SamplingError(f"该计划{plan.get_status_display()}，不能完成")
    pending = plan.calls.filter(outcome=Call.Outcome.PENDING).count()
    if pending:
        raise SamplingError(f"还有 {pending} 条未回访，请登记结果（联系不上的登记为“未联系上”）")
    plan.status, plan.finished_at = Plan.Status.FINISHED, at or timezone.now()
    plan.save(update_fields=["status", "finished_at"])
    record(actor, "sampling.finish", plan, summary=f"完成回访抽查计划“{plan.name}”")
    return plan


@dataclass
class UnitFigures:
    unit_code: str
    unit_name: str
    sampled: int
    called: int
    confirmed: int
    denied: int
    not_reached: int

    @property
    def confirmed_rate(self) -> float | None:
        reached = self.confirmed + self.denied
        return self.confirmed / reached if reached else None


def figures(plan: Plan) -> list[UnitFigures]:
    """Each unit's calls: sampled, called, confirmed, denied, not reached, and the confirmed rate
    (confirmed / reached; None when none was reached)."""
    O = Call.Outcome  # noqa: E741, N806
    rows = (
        plan.calls.order_by("unit__path")
        .values("unit__code", "unit__name")
        .annotate(
            sampled=Count("id"), called=Count("id", filter=~Q(outcome=O.PENDING)),
            confirmed=Count("id", filter=Q(outcome=O.CONFIRMED)), denied=Count("id", filter=Q(outcome=O.DENIED)),
            not_reached=Count("id", filter=Q(outcome=O.NOT_REACHED)),
        )
    )  # fmt: skip
    return [
        UnitFigures(
            r["unit__code"],
            r["unit__name"],
            r["sampled"],
            r["called"],
            r["confirmed"],
            r["denied"],
            r["not_reached"],
        )  # fmt: skip
        for r in rows
    ]
