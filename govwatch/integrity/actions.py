"""Keeping integrity risk points: add or edit one, review it (yearly), and remind the unit when a
review falls due. Unit staff keep their own unit's points; the supervisors keep any in scope."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from govwatch.accounts.permissions import MANAGE_RISKS, may, scope
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.rectification.actions import add_months
from govwatch.supervision.reminders import remind

from .models import RiskPoint, RiskReview

REVIEW_MONTHS = 12
# A review is announced this many days before it falls due.
NOTICE_DAYS = 30
TOPIC = "integrity.review"


class RiskError(Exception):
    """The message is for the user."""


def _check(actor: Actor, unit: Unit) -> None:
    user = actor.user
    if user is None or not user.is_authenticated:
        return
    if not may(user, MANAGE_RISKS) or not scope(user).contains(unit):
        raise PermissionDenied("只有本单位工作人员或纪检监察可以维护该单位的廉政风险点")


def visible_risks(user):
    return RiskPoint.objects.select_related("unit").visible_to(scope(user))


@transaction.atomic
def do_save_risk(
    actor: Actor, point: RiskPoint | None, *, unit: Unit, post: str, risk: str, level: str, controls: str,
    at: datetime | None = None,
) -> RiskPoint:  # fmt: skip
    _check(actor, unit)
    if point is not None:
        _check(actor, point.unit)
    post, risk, controls = post.strip(), risk.strip(), controls.strip()
    if not post or not risk or not controls:
        raise RiskError("请填写岗位、风险点和防控措施")
    if level not in RiskPoint.Level.values:
        raise RiskError("请选择风险等级")
    at = at or timezone.now()
    today = local_date(at)
    if point is None:
        point = RiskPoint.objects.create(
            unit=unit, post=post, risk=risk, level=level, controls=controls, reviewed_on=today,
            next_review=add_months(today, REVIEW_MONTHS),
        )  # fmt: skip
        kind, before = "created", None
    else:
        point = RiskPoint.objects.select_for_update().get(pk=point.pk)
        before = {"unit": point.unit.code, "post": point.post, "risk": point.risk, "level": point.level,
                  "controls": point.controls}  # fmt: skip
        point.unit, point.post, point.risk, point.level, point.controls = unit, post, risk, level, controls
        point.save()
        kind = "edited"
    RiskReview.objects.create(risk_point=point, at=at, actor=actor.label[:150], kind=kind)
    record(actor, f"risk_point.{kind}", point, summary=f"{'登记' if kind == 'created' else '修改'}廉政风险点：{unit.name} {post}",
           before=before, after={"unit": unit.code, "post": post, "risk": risk, "level": level, "controls": controls})  # fmt: skip
    return point


@transaction.atomic
def do_review(actor: Actor, point: RiskPoint, note: str, at: datetime | None = None) -> RiskPoint:
    """The yearly review: the controls were checked; the next review is due in a year."""
    _check(actor, point.unit)
    note = note.strip()
    if not note:
        raise RiskError("请填写复核意见（防控措施是否落实、风险是否变化）")
    at = at or timezone.now()
    point = RiskPoint.objects.select_for_update().get(pk=point.pk)
    point.reviewed_on = local_date(at)
    point.next_review = add_months(point.reviewed_on, REVIEW_MONTHS)
    point.save(update_fields=["reviewed_on", "next_review", "updated_at"])
    RiskReview.objects.create(risk_point=point, at=at, actor=actor.label[:150], kind="reviewed", note=note)
    record(actor, "risk_point.review", point, summary=f"复核廉政风险点：{point.unit.name} {point.post}",
           after={"note": note, "next_review": point.next_review})  # fmt: skip
    return point


def due_for_review(today: date):
    return RiskPoint.objects.filter(active=True, next_review__lte=today + timedelta(days=NOTICE_DAYS))


def review_reminders(at: datetime | None = None) -> int:
    """One message per unit naming its risk points whose review is due within NOTICE_DAYS (or past),
    once per due date of each point, through supervision's reminders (the outbox, quiet hours)."""
    at = at or timezone.now()
    today = local_date(at)
    pending = due_for_review(today).filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("next_review")))
    by_unit: dict[int, list[RiskPoint]] = defaultdict(list)
    for point in pending.select_related("unit").order_by("unit_id", "next_review"):
        by_unit[point.unit_id].append(point)
    sent = 0
    for points in by_unit.values():
        with transaction.atomic():
            # Claimed point by point: a second worker finds nothing left to claim.
            claimed = [
                p for p in points
                if RiskPoint.objects.filter(pk=p.pk).exclude(reminded_for=p.next_review).update(reminded_for=p.next_review)
            ]  # fmt: skip
            if not claimed:
                continue
            unit = claimed[0].unit
            named = "；".join(f"{p.post}（{p.next_review:%Y年%m月%d日}）" for p in claimed[:5])
            more = f"等{len(claimed)}个" if len(claimed) > 5 else ""
            text = (
                f"【廉政风险点复核提醒】{unit.name}：岗位廉政风险点{named}{more}需要年度复核，"
                "请对照防控措施逐项检查落实情况，并在系统中登记复核意见。"
            )
            if not remind(unit, topic=TOPIC, unit=unit, text=text, at=at):
                # The unit was told today already: these points wait for tomorrow's message.
                transaction.set_rollback(True)
                continue
        sent += 1
    return sent
