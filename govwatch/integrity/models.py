"""Integrity risk points (廉政风险点) of seed 003: for each post of a unit, the risk of corruption or
misconduct, its level and the controls against it (《岗位廉政风险点及防控措施表》), reviewed each
year; the unit is reminded when a review falls due."""

from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import ScopedQuerySet
from govwatch.core.fields import FreeTextField


class RiskPoint(models.Model):
    class Level(models.TextChoices):
        HIGH = "high", "高"
        MEDIUM = "medium", "中"
        LOW = "low", "低"

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="risk_points"
    )
    post = models.CharField("岗位", max_length=100)
    risk = FreeTextField("风险点")
    level = models.CharField("风险等级", max_length=8, choices=Level.choices, default=Level.MEDIUM)
    controls = FreeTextField("防控措施")
    reviewed_on = models.DateField("上次复核日期")
    # When the next yearly review is due: the reminder index.
    next_review = models.DateField("下次复核日期", db_index=True)
    # The due date a reminder was last sent for: one reminder per due date.
    reminded_for = models.DateField("已提醒的复核日期", null=True, blank=True)
    active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "廉政风险点"
        verbose_name_plural = "廉政风险点"
        ordering = ["unit__path", "post", "id"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.post}"


class RiskReview(models.Model):
    """One yearly review (or an edit) of a risk point: who, when, and what was found."""

    risk_point = models.ForeignKey(RiskPoint, on_delete=models.CASCADE, related_name="reviews")
    at = models.DateTimeField("时间")
    actor = models.CharField("操作人", max_length=150)
    kind = models.CharField("类型", max_length=16)
    note = FreeTextField("复核意见", blank=True)

    class Meta:
        verbose_name = "风险点复核"
        verbose_name_plural = "风险点复核"
        ordering = ["-at", "-id"]
