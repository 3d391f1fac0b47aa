"""Services for people who need help (帮办代办, 上门办理): a request recorded, the staff who help
assigned, the outcome recorded, and the figures.

The state machine lives on the model (`AssistedService.TRANSITIONS`); `_move` is the one place a
service changes state. Each change is a `do_*` in one transaction, checked against the actor's role
and scope, audited, with its step on the service's timeline. The applicant's contact and address
are personal data: stored encrypted, shown masked, never in the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from govwatch.accounts.permissions import SERVE_ASSISTS, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from .models import AssistedService, AssistStep, Staff

Service = AssistedService
Status = Service.Status
MAX_TEXT = 2000


class AssistError(Exception):
    """A change the rules refuse; the message is for the user."""


def _text(value: str, limit: int, message: str = "") -> str:
    value = (value or "").strip()
    if message and not value:
        raise AssistError(message)
    if len(value) > limit:
        raise AssistError(f"内容不能超过 {limit} 字")
    return value


def _next_number(at: datetime) -> str:
    prefix = f"BB{local_date(at).year}-"
    last = Service.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    tail = last.removeprefix(prefix) if last else ""
    return f"{prefix}{int(tail) + 1 if tail.isdigit() else 1:04d}"


def _check_helpers(unit: Unit, helpers: Iterable[Staff]) -> list[Staff]:
    helpers = list(helpers)
    outside = [
        s for s in helpers if not s.unit.path.startswith(unit.path) and not unit.path.startswith(s.unit.path)
    ]
    if outside:
        raise AssistError(f"服务人员 {'、'.join(s.name for s in outside)} 不属于该服务单位")
    return helpers


@transaction.atomic
def do_request(
    actor: Actor,
    *,
    unit: Unit,
    kind: str,
    group: str,
    matter: str,
    item=None,
    case_no: str = "",
    contact: str = "",
    address: str = "",
    scheduled_on: date | None = None,
    at: datetime | None = None,
) -> Service:
    check_actor(actor, SERVE_ASSISTS, unit)
    at = at or timezone.now()
    if kind not in Service.Kind.values or group not in Service.Group.values:
        raise AssistError("请选择服务类型和服务对象")
    if kind == Service.Kind.HOME and not address.strip():
        raise AssistError("上门办理须填写上门地址")
    service = Service.objects.create(
        number=_next_number(at), kind=kind, group=group, unit=unit, item=item,
        matter=_text(matter or (item.name if item else ""), 300, "请填写所办事项"), case_no=_text(case_no, 64),
        contact=_text(contact, 64), address=_text(address, 300), scheduled_on=scheduled_on, requested_at=at,
    )  # fmt: skip
    AssistStep.objects.create(
        service=service, at=at, kind="requested", actor=actor.label, text=service.matter
    )
    record(
        actor, "windows.assist.request", service,
        summary=f"登记{service.get_kind_display()} {service.number}：{service.get_group_display()}，{service.matter}",
    )  # fmt: skip
    return service


def _move(service: Service, status: str) -> None:
    if not service.can_move_to(status):
        raise AssistError(f"该服务当前为“{service.get_status_display()}”，不能改为“{Status(status).label}”")
    service.status = status


def _locked(service: Service) -> Service:
    return Service.objects.select_for_update(of=("self",)).select_related("unit").get(pk=service.pk)


@transaction.atomic
def do_assign(
    actor: Actor, service: Service, *, helpers: Iterable[Staff], at: datetime | None = None
) -> Service:
    """The staff who help; the service is under way from then."""
    service = _locked(service)
    check_actor(actor, SERVE_ASSISTS, service.unit)
    helpers = _check_helpers(service.unit, helpers)
    if not helpers:
        raise AssistError("请选择服务人员")
    at = at or timezone.now()
    if service.status != Status.HELPING:
        _move(service, Status.HELPING)
    service.save(update_fields=["status"])
    service.helpers.set(helpers)
    names = "、".join(s.name for s in helpers)
    AssistStep.objects.create(
        service=service, at=at, kind="assigned", actor=actor.label, text=f"服务人员：{names}"
    )
    record(actor, "windows.assist.assign", service, summary=f"{service.number} 安排服务人员：{names}")
    return service


@transaction.atomic
def do_finish(
    actor: Actor, service: Service, *, done: bool, outcome: str, case_no: str = "", at: datetime | None = None
) -> Service:
    """The outcome: done (办成) or not (未办成, with the reason)."""
    service = _locked(service)
    check_actor(actor, SERVE_ASSISTS, service.unit)
    at = at or timezone.now()
    if at < service.requested_at:
        raise AssistError("完成时间不能早于申请时间")
    _move(service, Status.DONE if done else Status.UNRESOLVED)
    if not service.helpers.exists():
        raise AssistError("请先安排服务人员")
    service.outcome = _text(outcome, MAX_TEXT, "请填写服务结果" if done else "请说明未办成的原因")
    service.finished_at = at
    service.case_no = _text(case_no, 64) or service.case_no
    service.save(update_fields=["status", "outcome", "finished_at", "case_no"])
    AssistStep.objects.create(
        service=service, at=at, kind="done" if done else "unresolved", actor=actor.label, text=service.outcome
    )
    record(
        actor, "windows.assist.finish", service, summary=f"{service.number} {service.get_status_display()}"
    )
    return service


@transaction.atomic
def do_cancel(actor: Actor, service: Service, *, reason: str, at: datetime | None = None) -> Service:
    service = _locked(service)
    check_actor(actor, SERVE_ASSISTS, service.unit)
    at = at or timezone.now()
    _move(service, Status.CANCELLED)
    service.finished_at = at
    service.outcome = _text(reason, MAX_TEXT, "请说明取消原因")
    service.save(update_fields=["status", "outcome", "finished_at"])
    AssistStep.objects.create(
        service=service, at=at, kind="cancelled", actor=actor.label, text=service.outcome
    )
    record(actor, "windows.assist.cancel", service, summary=f"{service.number} 已取消")
    return service


# -- figures ------------------------------------------------------------------------------------


@dataclass
class AssistFigures:
    requests: int = 0
    done: int = 0
    unresolved: int = 0
    cancelled: int = 0
    open: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_group: Counter = field(default_factory=Counter)
    workdays_to_finish: list[int] = field(default_factory=list)

    @property
    def done_rate(self) -> float | None:
        """Done among those that ended either way (cancelled requests left out)."""
        ended = self.done + self.unresolved
        return self.done / ended if ended else None

    @property
    def avg_workdays(self) -> float | None:
        days = self.workdays_to_finish
        return sum(days) / len(days) if days else None


def figures(services: QuerySet[Service]) -> AssistFigures:
    """Requests by kind and group, outcomes, and the working days from request to a done service."""
    out = AssistFigures()
    counts = services.values("kind", "group", "status").annotate(n=Count("id")).order_by()
    for row in counts:
        n = row["n"]
        out.requests += n
        out.by_kind[row["kind"]] += n
        out.by_group[row["group"]] += n
        if row["status"] == Status.DONE:
            out.done += n
        elif row["status"] == Status.UNRESOLVED:
            out.unresolved += n
        elif row["status"] == Status.CANCELLED:
            out.cancelled += n
        else:
            out.open += n
    cal = get_calendar()
    for requested, finished in services.filter(status=Status.DONE).values_list("requested_at", "finished_at"):
        out.workdays_to_finish.append(cal.workdays_between(local_date(requested), local_date(finished)))
    return out


def by_helper(services: QuerySet[Service]) -> list[tuple[int, int, int]]:
    """(staff id, services helped, of which done) per staff member, most first."""
    rows = (
        Service.helpers.through.objects.filter(assistedservice__in=services)
        .values("staff_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(assistedservice__status=Status.DONE)))
        .order_by("-n", "staff_id")
    )
    return [(r["staff_id"], r["n"], r["done"]) for r in rows]
