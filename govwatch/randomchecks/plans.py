"""Drawing a plan, entering and publishing its results: the `do_*` services of 双随机.

A plan is drawn from the registers (the pages) or from a plan file (`govwatch random draw`); both
store the plan document, the seed and the draw, and a plan with the same digest and seed is never
drawn again: the stored draw is returned. Each change checks its actor and writes its audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from govwatch.accounts.permissions import MANAGE_RANDOM_CHECKS, RECORD_RANDOM_RESULTS, access, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import local_date
from govwatch.core.tree import codes
from govwatch.orgs.models import Unit
from govwatch.supervision.orders import next_number
from govwatch.workcal.calendar import get_calendar

from . import draw as algorithm
from .models import DrawnTarget, Inspector, Outcome, RandomPlan, Target
from .watching import watch_publication

SERIES = "双随机"
MAX_SEED = 100


class RandomCheckError(Exception):
    """A step the rules do not allow; the message is for the user."""


def access_plan(user, pk: int, action: str | None = None) -> RandomPlan:
    return access(user, RandomPlan.objects.select_related("unit"), action, pk=pk)


def access_drawn(user, pk: int, action: str | None = None) -> DrawnTarget:
    return access(user, DrawnTarget.objects.select_related("plan", "unit"), action, pk=pk)


def plan_from_registers(units: Iterable[Unit], rates: dict[str, int]) -> algorithm.Plan:
    """The plan of the registered targets and inspectors (in the register, in post) of `units`,
    with their declared conflicts."""
    unit_ids = [u.pk for u in units]
    targets = list(Target.objects.filter(unit_id__in=unit_ids, active=True).select_related("unit"))
    inspectors = list(
        Inspector.objects.filter(unit_id__in=unit_ids, active=True)
        .select_related("unit")
        .prefetch_related("conflicts")
    )
    drawn_ids = {t.target_id for t in targets}
    return algorithm.Plan(
        targets=[algorithm.Target(t.target_id, t.name, t.unit.code, t.risk) for t in targets],
        inspectors=[algorithm.Inspector(i.inspector_id, i.name, i.unit.code) for i in inspectors],
        conflicts={
            (i.inspector_id, c.target_id)
            for i in inspectors
            for c in i.conflicts.all()
            if c.target_id in drawn_ids
        },
        rates=dict(rates),
    )


def organizing_unit(unit_codes: set[str]) -> Unit:
    """The one department of a plan's targets, or for a joint plan the nearest unit above them all
    (a plan with nothing in it: the region's root)."""
    units = list(Unit.objects.filter(code__in=unit_codes))
    if not units:
        root = Unit.objects.filter(parent=None).order_by("path").first()
        if root is None:
            raise RandomCheckError("尚未导入单位，无法抽取")
        return root
    if len(units) == 1:
        return units[0]
    paths = [codes(u.path) for u in units]
    common = []
    for level in zip(*paths, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    if not common:
        raise RandomCheckError("计划中的部门不在同一个区域内，无法确定组织单位")
    return Unit.objects.get(code=common[-1])


def check_seed(seed: str) -> str:
    seed = seed.strip()
    if not seed:
        raise RandomCheckError("随机种子不能为空")
    if len(seed) > MAX_SEED:
        raise RandomCheckError(f"随机种子过长（最多 {MAX_SEED} 个字符）")
    return seed


@transaction.atomic
def do_draw(
    actor: Actor,
    plan: algorithm.Plan,
    seed: str,
    *,
    name: str = "",
    source: str = RandomPlan.Source.FILE,
    filename: str = "",
    inspect_by: date | None = None,
    at: datetime | None = None,
) -> tuple[RandomPlan, bool]:
    """The stored draw of `plan` with `seed`: drawn and stored now (True), or, when this plan was
    drawn with this seed before, the stored one unchanged (False)."""
    seed = check_seed(seed)
    unit_codes = {t.unit_code for t in plan.targets} or {i.unit_code for i in plan.inspectors}
    unit = organizing_unit(unit_codes)
    check_actor(actor, MANAGE_RANDOM_CHECKS, unit)
    digest = plan.digest()
    stored = RandomPlan.objects.filter(digest=digest, seed=seed).first()
    if stored is not None:
        return stored, False
    at = at or timezone.now()
    result = algorithm.draw(plan, seed)
    year = local_date(at).year
    try:
        with transaction.atomic():
            rp = RandomPlan.objects.create(
                number=next_number(SERIES, year), name=(name.strip() or f"{unit.name}双随机抽查")[:200],
                unit=unit, joint=len({t.unit_code for t in plan.targets}) > 1, source=source, filename=filename[:500], seed=seed,
                digest=digest, plan=plan.document(), result=result, drawn_at=at, drawn_by=actor.label,
                inspect_by=inspect_by,
            )  # fmt: skip
    except IntegrityError:
        # Another process stored the same plan and seed a moment ago: that draw stands.
        return RandomPlan.objects.get(digest=digest, seed=seed), False
    _store_rows(rp, plan, result, seed)
    record(
        actor, "random.draw", rp,
        summary=f"双随机抽取 {rp.number}：{rp.name}，种子 {seed}，抽中 {len(result['draws']) + len(result['unstaffed'])} 户",
        after={"seed": seed, "digest": digest, "by_risk": result["by_risk"], "unstaffed": len(result["unstaffed"])},
    )  # fmt: skip
    return rp, True


def _store_rows(rp: RandomPlan, plan: algorithm.Plan, result: dict, seed: str) -> None:
    targets = {t.target_id: t for t in plan.targets}
    names = {i.inspector_id: i.name for i in plan.inspectors}
    units = dict(Unit.objects.filter(code__in={t.unit_code for t in plan.targets}).values_list("code", "id"))
    assigned = {d["target_id"]: d["inspectors"] for d in result["draws"]}
    ordered = sorted([*assigned, *result["unstaffed"]], key=lambda tid: algorithm.target_hash(seed, tid))
    rows = []
    for position, tid in enumerate(ordered, start=1):
        t = targets[tid]
        ids = assigned.get(tid, [])
        rows.append(
            DrawnTarget(
                plan=rp, position=position, target_id=tid, name=t.name, unit_id=units[t.unit_code], risk=t.risk,
                hash=algorithm.target_hash(seed, tid), inspectors=ids, inspector_names=[names[i] for i in ids],
                unstaffed=tid not in assigned,
            )
        )  # fmt: skip
    DrawnTarget.objects.bulk_create(rows)


def publish_deadline(inspected_on: date) -> date:
    """A result is published by the end of this date: GOVWATCH_RANDOM_PUBLISH_WORKDAYS working
    days after the inspection."""
    return get_calendar().add_workdays(inspected_on, settings.RANDOM_PUBLISH_WORKDAYS).date


def refresh_publish_due(plan: RandomPlan, at: datetime | None = None) -> None:
    """The plan's publication deadline, and e-supervision's watch of it (carded when late)."""
    first = (
        plan.drawn.filter(published_at=None).exclude(outcome="").aggregate(first=Min("inspected_on"))["first"]
    )
    plan.publish_due = publish_deadline(first) if first else None
    plan.save(update_fields=["publish_due"])
    watch_publication(plan, at)


@transaction.atomic
def do_record_result(
    actor: Actor,
    drawn: DrawnTarget,
    outcome: str,
    findings: str,
    inspected_on: date,
    at: datetime | None = None,
) -> DrawnTarget:
    """The result of one target's inspection, by its department (or the office); it may be
    corrected until it is published."""
    check_actor(actor, RECORD_RANDOM_RESULTS, drawn.unit)
    drawn = (
        DrawnTarget.objects.select_for_update(of=("self",)).select_related("plan", "unit").get(pk=drawn.pk)
    )
    at = at or timezone.now()
    if drawn.unstaffed:
        raise RandomCheckError("该对象未配备检查人员，不能录入检查结果")
    if drawn.published_at is not None:
        raise RandomCheckError("检查结果已公示，不能修改")
    if outcome not in Outcome.values:
        raise RandomCheckError("请选择检查结果")
    if inspected_on < local_date(drawn.plan.drawn_at):
        raise RandomCheckError("检查日期不能早于抽取日期")
    if inspected_on > local_date(at):
        raise RandomCheckError("检查日期不能晚于今天")
    findings = findings.strip()
    if outcome in (Outcome.RECTIFY, Outcome.PENALTY) and not findings:
        raise RandomCheckError("发现问题时请填写检查情况")
    before = {"outcome": drawn.outcome, "findings": drawn.findings, "inspected_on": drawn.inspected_on}
    drawn.outcome, drawn.findings, drawn.inspected_on = outcome, findings, inspected_on
    drawn.recorded_at, drawn.recorded_by = at, actor.label
    drawn.save()
    refresh_publish_due(drawn.plan, at)
    record(
        actor, "random.result", drawn,
        summary=f"录入 {drawn.plan.number} {drawn.name} 检查结果：{drawn.get_outcome_display()}",
        before=before, after={"outcome": outcome, "findings": findings, "inspected_on": inspected_on},
    )  # fmt: skip
    return drawn


@transaction.atomic
def do_publish_results(actor: Actor, plan: RandomPlan, at: datetime | None = None) -> int:
    """Publish every entered result of the plan not yet published (一公开); returns how many."""
    check_actor(actor, MANAGE_RANDOM_CHECKS, plan.unit)
    plan = RandomPlan.objects.select_for_update().get(pk=plan.pk)
    at = at or timezone.now()
    count = plan.drawn.filter(published_at=None).exclude(outcome="").update(published_at=at)
    if not count:
        raise RandomCheckError("没有待公示的检查结果")
    refresh_publish_due(plan, at)
    record(
        actor,
        "random.publish",
        plan,
        summary=f"公示 {plan.number} 检查结果 {count} 户",
        after={"published": count},
    )
    return count
