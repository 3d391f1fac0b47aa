from __future__ import annotations

from django.db import models


class SamplingPlan(models.Model):
    """A callback sampling plan (回访抽查) of a period: a share of the real-name evaluations and of
    the closed complaints, drawn per unit from a seed so that the same seed draws the same sample;
    the inspection group calls each citizen back to check the record is genuine."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待抽取"
        DRAWN = "drawn", "回访中"
        FINISHED = "finished", "已完成"

    TRANSITIONS = {
        Status.DRAFT: {Status.DRAWN},
        Status.DRAWN: {Status.FINISHED},
        Status.FINISHED: set(),
    }

    name = models.CharField("名称", max_length=200)
    date_from = models.DateField("期间自")
    date_to = models.DateField("期间至")
    evaluation_share = models.DecimalField("评价抽取比例", max_digits=5, decimal_places=4)
    complaint_share = models.DecimalField("办结投诉抽取比例", max_digits=5, decimal_places=4)
    minimum = models.PositiveSmallIntegerField("每单位至少抽取", default=1)
    seed = models.PositiveIntegerField("随机种子")
    # The units sampled (a unit and its subtree); NULL: the whole region.
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="抽查范围", null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("创建时间")
    created_by = models.CharField("创建人", max_length=150)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "回访抽查计划"
        verbose_name_plural = "回访抽查计划"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("callbacks:plan", args=[self.pk])


class SampledCall(models.Model):
    """One citizen to call back: the evaluation or closed complaint drawn, and the call's outcome."""

    class Subject(models.TextChoices):
        EVALUATION = "evaluation", "评价"
        COMPLAINT = "complaint", "投诉"

    class Outcome(models.TextChoices):
        PENDING = "pending", "待回访"
        CONFIRMED = "confirmed", "情况属实"
        DENIED = "denied", "与记录不符"
        NOT_REACHED = "not_reached", "未联系上"

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="calls")
    subject = models.CharField("回访对象", max_length=12, choices=Subject.choices)
    evaluation = models.ForeignKey("evaluations.Evaluation", null=True, blank=True, on_delete=models.PROTECT)
    complaint = models.ForeignKey("complaints.Complaint", null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", on_delete=models.PROTECT)
    outcome = models.CharField("回访结果", max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField("回访情况", blank=True)
    called_at = models.DateTimeField("回访时间", null=True, blank=True)
    caller = models.CharField("回访人", max_length=150, blank=True)

    class Meta:
        verbose_name = "回访抽查记录"
        verbose_name_plural = "回访抽查记录"
        ordering = ["unit__path", "subject", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "evaluation"], name="one_call_per_plan_evaluation"),
            models.UniqueConstraint(fields=["plan", "complaint"], name="one_call_per_plan_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.pk}"

    @property
    def record(self):
        return self.evaluation if self.subject == self.Subject.EVALUATION else self.complaint

    @property
    def phone_enc(self) -> str:
        record = self.record
        return record.evaluator_enc if self.subject == self.Subject.EVALUATION else record.contact_enc
