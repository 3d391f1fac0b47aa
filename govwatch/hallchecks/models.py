"""Hall inspections (明察暗访): checklist templates the office keeps, and inspections recorded
against them, item by item, with notes and photos.

An inspection is open (明察) or secret (暗访). A secret one, and the problems it found, stay hidden
from the inspected unit until the inspector publishes it. Every failed item becomes a problem on a
明察暗访 rectification list (govwatch.rectification), with a deadline, so it is rectified, signed
off and looked back at like any other problem.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from govwatch.accounts.permissions import INSPECT_HALLS, Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField


class ChecklistTemplate(models.Model):
    name = models.CharField("检查表名称", max_length=100, unique=True)
    description = FreeTextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查表"
        verbose_name_plural = "检查表"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_items(self):
        return self.items.filter(active=True).order_by("position", "id")


class ChecklistItem(models.Model):
    """One point to check. Removed points are kept inactive: past inspections refer to them."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    text = models.CharField("检查内容", max_length=300)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "检查项"
        verbose_name_plural = "检查项"
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.text


class InspectionQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """Inspections of the subtree; a unit's staff only published ones (a secret check is hidden
        from the unit until then)."""
        rows = mine.filter(self, "unit")
        return (
            rows
            if mine.everything or mine.may(INSPECT_HALLS)
            else rows.filter(status=Inspection.Status.PUBLISHED)
        )


class Inspection(models.Model):
    class Mode(models.TextChoices):
        OPEN = "open", "明察"
        SECRET = "secret", "暗访"

    class Status(models.TextChoices):
        RECORDED = "recorded", "已记录（未公开）"
        PUBLISHED = "published", "已公开"

    TRANSITIONS = {Status.RECORDED: {Status.PUBLISHED}, Status.PUBLISHED: set()}

    template = models.ForeignKey(ChecklistTemplate, verbose_name="检查表", on_delete=models.PROTECT)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="被检查单位", on_delete=models.PROTECT, related_name="hall_inspections"
    )
    mode = models.CharField("方式", max_length=8, choices=Mode.choices, default=Mode.OPEN)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RECORDED)
    inspected_at = models.DateTimeField("检查时间")
    inspector = models.CharField("检查人", max_length=150)
    # The inspecting body (the commission, the office): it owns the list of what was found.
    inspector_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name="检查单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspector_role = models.CharField("检查人角色", max_length=16, blank=True)
    note = FreeTextField("总体情况", blank=True)
    rectify_days = models.PositiveSmallIntegerField("整改期限（工作日）", default=10)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    rlist = models.OneToOneField(
        "rectification.RectificationList", verbose_name="问题清单", null=True, blank=True,
        on_delete=models.PROTECT, related_name="inspection",
    )  # fmt: skip

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "明察暗访"
        verbose_name_plural = "明察暗访"
        ordering = ["-inspected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_mode_display()}（{self.template}）"

    def get_absolute_url(self) -> str:
        return reverse("hallchecks:detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def hidden_from_unit(self) -> bool:
        return self.status != self.Status.PUBLISHED


class InspectionResult(models.Model):
    class Outcome(models.TextChoices):
        PASS = "pass", "符合"
        FAIL = "fail", "不符合"
        NOT_APPLICABLE = "na", "不适用"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField("序号")
    # The wording checked against, kept as it was: the office may edit the template later.
    text = models.CharField("检查内容", max_length=300)
    outcome = models.CharField("结果", max_length=4, choices=Outcome.choices)
    note = FreeTextField("情况说明", blank=True)
    problem = models.OneToOneField(
        "rectification.Problem", verbose_name="整改问题", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="hall_result",
    )  # fmt: skip

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["inspection", "position", "id"]


class InspectionPhoto(models.Model):
    """A photo taken at the inspection: resized on upload, with its metadata (EXIF, location) gone."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    result = models.ForeignKey(
        InspectionResult, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("照片", upload_to="hallchecks/%Y/%m/")
    name = models.CharField("原文件名", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "检查照片"
        verbose_name_plural = "检查照片"
