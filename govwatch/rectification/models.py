"""Rectification lists (整改清单): one kind of list for every source of problems, and its problems.

A list is one inspection round (巡察), one audit, a quarter's government-openness problem list, one
hall check (明察暗访) or one data check; its problems are grouped by aspect (方面), each with a
responsible leader, a responsible unit (or section), a deadline and measures. The unit reports
progress; the problem is signed off (销号) only with evidence and by an approver of the list's
approving body, never by the unit itself; after sign-off a look-back (回头看) re-checks it, and a
relapse reopens it with a new deadline.

`Problem.TRANSITIONS` lists every allowed step, checked in `Problem.move_to`; each step is a
`ProblemStep` row carrying the state and deadline it left the problem in, so the state at any past
moment (`govwatch rectification list --at`) is read from the timeline, not guessed.
"""

from __future__ import annotations

import re

from django.db import models
from django.urls import reverse

from govwatch.accounts.models import Role
from govwatch.accounts.permissions import MANAGE_RECTIFICATION, Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Attachment, Step


class Source(models.TextChoices):
    """Contract section 9: where a list's problems were found."""

    INSPECTION = "inspection", "巡察"
    AUDIT = "audit", "审计"
    OPENNESS = "openness", "政务公开"
    HALL_CHECK = "hall_check", "明察暗访"
    DATA_CHECK = "data_check", "数据比对"
    OTHER = "other", "其他"


# Who signs problems off (销号), by the list's source. Inspection tours, audits findings handed over
# by discipline inspection, hall checks by the commission (seed 000) and data checks are signed
# off by the supervisors (纪检监察); the openness list of seed 001 and other lists kept by the
# service office are signed off by the office. A list may name another approving role.
APPROVER_BY_SOURCE = {
    Source.INSPECTION: Role.SUPERVISOR,
    Source.AUDIT: Role.SUPERVISOR,
    Source.HALL_CHECK: Role.SUPERVISOR,
    Source.DATA_CHECK: Role.SUPERVISOR,
    Source.OPENNESS: Role.OFFICE,
    Source.OTHER: Role.OFFICE,
}
APPROVER_ROLES = [(Role.SUPERVISOR.value, Role.SUPERVISOR.label), (Role.OFFICE.value, Role.OFFICE.label)]
DEFAULT_LOOKBACK_MONTHS = 3


class ListQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """For the region's roles the lists of their subtree (by problem or by owner); for a unit's
        staff the published lists holding a problem of their subtree."""
        if mine.path is None or mine.everything:
            return mine.filter(self, "problems__unit")
        if mine.may(MANAGE_RECTIFICATION):
            return mine.filter(self, "problems__unit", "owner").distinct()
        return mine.filter(self.filter(published=True), "problems__unit").distinct()


class RectificationList(models.Model):
    code = models.CharField("清单编号", max_length=64, unique=True)
    name = models.CharField("清单名称", max_length=200)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.INSPECTION)
    feedback_date = models.DateField("反馈日期", null=True, blank=True)
    # The unit that runs the list (巡察办, the commission, the service office): its weekly digest
    # (周调度) goes to this unit's alert number.
    owner = models.ForeignKey(
        "orgs.Unit", verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_rectification_lists",
    )  # fmt: skip
    approver_role = models.CharField(
        "销号审核", max_length=16, choices=APPROVER_ROLES, default=Role.SUPERVISOR
    )
    lookback_months = models.PositiveSmallIntegerField("回头看间隔（月）", default=DEFAULT_LOOKBACK_MONTHS)
    # A secret hall check's list stays hidden from the units until the inspection is published.
    published = models.BooleanField("已公开", default=True)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    objects = ListQuerySet.as_manager()

    class Meta:
        verbose_name = "整改清单"
        verbose_name_plural = "整改清单"
        ordering = ["-feedback_date", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rectification:list-detail", args=[self.code])


def sort_key(no: str) -> str:
    """Problem numbers as people order them: 2 before 10, 3(1) before 3(2), text after numbers."""
    parts = re.split(r"(\d+)", no)
    return "".join(f"{int(p):08d}" if p.isdigit() else p for p in parts)[:120]


class ProblemQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """The problems of the subtree; a unit's staff only those of published lists (a secret hall
        check stays hidden until published)."""
        rows = mine.filter(self, "unit")
        return (
            rows if mine.everything or mine.may(MANAGE_RECTIFICATION) else rows.filter(rlist__published=True)
        )


class Problem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        SUBMITTED = "submitted", "待销号审核"
        SIGNED_OFF = "signed_off", "已销号"
        REOPENED = "reopened", "反弹重新整改"

    TRANSITIONS = {
        Status.OPEN: {Status.SUBMITTED},
        # Sent back: to where it came from (open, or reopened after a relapse).
        Status.SUBMITTED: {Status.SIGNED_OFF, Status.OPEN, Status.REOPENED},
        Status.SIGNED_OFF: {Status.REOPENED},
        Status.REOPENED: {Status.SUBMITTED},
    }
    # The states in which the unit still owes the rectification (the deadline runs).
    OWED = (Status.OPEN, Status.REOPENED)

    rlist = models.ForeignKey(
        RectificationList, verbose_name="整改清单", on_delete=models.CASCADE, related_name="problems"
    )
    no = models.CharField("序号", max_length=32)
    sort = models.CharField(max_length=120, editable=False, default="")
    aspect = models.CharField("方面", max_length=300, blank=True)
    description = FreeTextField("问题")
    leader = models.CharField("责任领导", max_length=100, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="rectification_problems"
    )
    deadline = models.DateField("整改时限")
    measures = FreeTextField("整改措施", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    reopen_count = models.PositiveSmallIntegerField("反弹次数", default=0)
    submitted_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    signed_off_at = models.DateTimeField("销号时间", null=True, blank=True)
    signed_off_by = models.CharField("销号审核人", max_length=150, blank=True)
    # The date of the next look-back (回头看) once signed off; NULL when none is due.
    lookback_due = models.DateField("回头看日期", null=True, blank=True, db_index=True)
    # The imported row's content, to tell a re-sent row (duplicate) from a changed one.
    digest = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField("登记时间")

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "整改问题"
        verbose_name_plural = "整改问题"
        ordering = ["rlist", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["rlist", "no"], name="one_problem_per_list_number")]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.rlist.code} 第{self.no}项"

    def get_absolute_url(self) -> str:
        return reverse("rectification:problem-detail", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        self.sort = sort_key(self.no)
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        first = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first[:60] + ("…" if len(first) > 60 else "")

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def owed(self) -> bool:
        return self.status in self.OWED


class ProblemStep(Step):
    """One step in a problem's timeline, with the status and deadline it left the problem in."""

    class Kind(models.TextChoices):
        OPENED = "opened", "列入清单"
        UPDATED = "updated", "清单更新"
        PROGRESS = "progress", "报告进展"
        SUBMITTED = "submitted", "申请销号"
        SIGNED_OFF = "signed_off", "审核销号"
        RETURNED = "returned", "退回整改"
        LOOKBACK_HELD = "lookback_held", "回头看：整改成效巩固"
        RELAPSED = "relapsed", "回头看：问题反弹"
        SUPERVISED = "supervised", "逾期督办"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("环节", max_length=16, choices=Kind.choices)
    status = models.CharField("状态", max_length=16, choices=Problem.Status.choices)
    deadline = models.DateField("整改时限")
    order = models.ForeignKey(
        "supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta(Step.Meta):
        verbose_name = "整改过程"
        verbose_name_plural = "整改过程"

    @property
    def linked_order(self):
        return self.order

    @property
    def files(self):
        return self.attachments.all()


class ProblemAttachment(Attachment):
    """Evidence of progress or of a request for sign-off (documents, photos); kept whole, with its digest."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(ProblemStep, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="rectification/%Y/%m/")
