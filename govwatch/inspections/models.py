from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import INSPECT, Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Step


class Method(models.TextChoices):
    """How the inspection group looks (seed: 数据比对、回访抽查、现场核查)."""

    DATA_COMPARISON = "data_comparison", "数据比对"
    CALLBACK_SAMPLING = "callback_sampling", "回访抽查"
    ONSITE = "onsite", "现场核查"


class InspectionQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """The group sees the inspections of its scope; a unit sees its own once the feedback form
        is issued (before that it is the group's working paper)."""
        rows = mine.filter(self, "unit")
        return rows if mine.may(INSPECT) else rows.exclude(form__status=FeedbackForm.Status.DRAFT)


class Inspection(models.Model):
    """A special inspection (专项检查) of one unit by the inspection group, and what it found."""

    objects = InspectionQuerySet.as_manager()

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="被检查单位", on_delete=models.PROTECT, related_name="inspections"
    )
    subject = models.CharField("检查事项", max_length=200)
    methods = models.JSONField("检查方式", default=list)
    conducted_on = models.DateField("检查日期", db_index=True)
    inspectors = models.CharField("检查人员", max_length=200)
    summary = FreeTextField("检查情况", blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = "专项检查"
        verbose_name_plural = "专项检查"
        ordering = ["-conducted_on", "-id"]
        indexes = [models.Index(fields=["unit", "conducted_on"])]

    def __str__(self) -> str:
        return f"专项检查第{self.pk}号（{self.unit}）"

    @property
    def number(self) -> str:
        return f"专项检查第{self.pk}号"

    def method_labels(self) -> list[str]:
        return [Method(m).label for m in self.methods if m in Method.values]


class Problem(models.Model):
    """One problem an inspection found; fixed when the unit's answer to the feedback form is accepted."""

    class Category(models.TextChoices):
        UNDER_REPORTING = "under_reporting", "漏报评价数据"
        FALSE_REPORTING = "false_reporting", "虚报评价数据"
        FAKE_RATINGS = "fake_ratings", "刷评或诱导评价"
        DISCIPLINE = "discipline", "违反评议纪律"
        CONDUCT = "conduct", "作风问题"
        OTHER = "other", "其他"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="problems")
    no = models.PositiveSmallIntegerField("序号")
    category = models.CharField("问题类型", max_length=20, choices=Category.choices)
    description = FreeTextField("问题描述")
    requirement = FreeTextField("整改要求", blank=True)
    finding = models.ForeignKey(
        "checks.Finding", verbose_name="核查线索", null=True, blank=True, on_delete=models.PROTECT,
        related_name="problems",
    )  # fmt: skip
    fix = FreeTextField("整改情况", blank=True)
    fixed_at = models.DateTimeField("整改销号时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查问题"
        verbose_name_plural = "检查问题"
        ordering = ["inspection", "no"]
        constraints = [models.UniqueConstraint(fields=["inspection", "no"], name="one_number_per_problem")]

    def __str__(self) -> str:
        return f"{self.inspection.number} 问题{self.no}"

    @property
    def fixed(self) -> bool:
        return self.fixed_at is not None


class FeedbackForm(models.Model):
    """The inspection feedback form (检查反馈表): numbered at issue, answered by the unit with its
    fixes, accepted or sent back by the inspection group; an answer overdue is supervised."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待下发"
        ISSUED = "issued", "待反馈"
        ANSWERED = "answered", "待审核"
        ACCEPTED = "accepted", "已整改"

    SERIES = "检查反馈"
    TRANSITIONS = {
        Status.DRAFT: {Status.ISSUED},
        Status.ISSUED: {Status.ANSWERED},
        # An answer found wanting goes back to the unit: the form waits for an answer again.
        Status.ANSWERED: {Status.ACCEPTED, Status.ISSUED},
        Status.ACCEPTED: set(),
    }

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, related_name="form")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField("编号", max_length=40, unique=True, null=True, blank=True)
    issued_at = models.DateTimeField("下发时间", null=True, blank=True)
    issued_by = models.CharField("下发人", max_length=150, blank=True)
    # The supervisor unit of the inspected unit's region, which signs the form (set at issue).
    issuer = models.ForeignKey(
        "orgs.Unit",
        verbose_name="发文机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_due = models.DateField("反馈期限", null=True, blank=True)
    answer = FreeTextField("整改情况", blank=True)
    institution = FreeTextField("建章立制", blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField("退回次数", default=0)

    class Meta:
        verbose_name = "检查反馈表"
        verbose_name_plural = "检查反馈表"

    def __str__(self) -> str:
        return self.number or "检查反馈表（待下发）"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class FormStep(Step):
    """One step in a feedback form's timeline; an overdue step names the supervision order it caused."""

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="steps")
    due = models.DateField("逾期的反馈期限", null=True, blank=True)
    order = models.ForeignKey(
        "supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta(Step.Meta):
        verbose_name = "反馈表过程"
        verbose_name_plural = "反馈表过程"
        constraints = [
            # One order per missed deadline: a send-back gives a new deadline, hence a new step.
            models.UniqueConstraint(
                fields=["form", "due"], condition=models.Q(kind="overdue"), name="one_order_per_missed_answer"
            )
        ]

    @property
    def linked_order(self):
        return self.order if self.order_id else None
