"""Key projects (重点项目, 监督一点通): each project with its owner unit and leader, milestones with
planned and actual dates, monthly progress reports with photos, and the reminder letters (提醒函)
sent to the owner unit of a project behind plan, followed to their answer.

Whether a project is behind plan is derived, never stored (govwatch.projects.progress); a letter
owns its state machine (`ProjectLetter.TRANSITIONS`).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from govwatch.accounts.permissions import ISSUE_LETTERS, Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Attachment, Step


class Category(models.TextChoices):
    INDUSTRY = "industry", "产业项目"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    LIVELIHOOD = "livelihood", "民生工程"
    SERVICE = "service", "现代服务业"
    OTHER = "other", "其他"


class KeyProject(models.Model):
    objects = ScopedQuerySet.as_manager()

    code = models.CharField("项目编号", max_length=64, unique=True)
    name = models.CharField("项目名称", max_length=200)
    unit = models.ForeignKey("orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    leader = models.CharField("责任领导", max_length=100)
    category = models.CharField("项目类别", max_length=16, choices=Category.choices, default=Category.OTHER)
    investment = models.DecimalField("总投资（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    location = models.CharField("建设地点", max_length=200, blank=True)
    start_date = models.DateField("计划开工日期")
    planned_end = models.DateField("计划完工日期")
    completed_on = models.DateField("实际完工日期", null=True, blank=True)
    description = FreeTextField("建设内容", blank=True)
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "重点项目"
        verbose_name_plural = "重点项目"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])


class MilestoneQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        return mine.filter(self, "project__unit")


class Milestone(models.Model):
    """A node of a project's plan (立项, 施工许可, 主体完工 ...): due by the end of its planned date,
    reached on its actual date. `planned_percent`, when given, is the project's cumulative planned
    progress at that date (the plan's curve between start and planned end)."""

    objects = MilestoneQuerySet.as_manager()

    project = models.ForeignKey(KeyProject, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("节点名称", max_length=200)
    planned_date = models.DateField("计划完成日期")
    actual_date = models.DateField("实际完成日期", null=True, blank=True)
    planned_percent = models.PositiveSmallIntegerField("计划累计进度（%）", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["project", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="one_milestone_per_project_seq")
        ]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.name}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()


class ReportQuerySet(MilestoneQuerySet):
    pass


class ProgressReport(models.Model):
    """The owner unit's monthly report (月报): cumulative progress, investment, what was done and
    what stands in the way, with site photos."""

    objects = ReportQuerySet.as_manager()

    project = models.ForeignKey(KeyProject, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField("月份")  # the first day of the month reported on
    percent = models.PositiveSmallIntegerField("累计完成进度（%）")
    invested = models.DecimalField(
        "累计完成投资（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    text = FreeTextField("本月进展")
    problems = FreeTextField("存在问题", blank=True)
    reported_at = models.DateTimeField("填报时间")
    reported_by = models.CharField("填报人", max_length=150)

    class Meta:
        verbose_name = "项目月报"
        verbose_name_plural = "项目月报"
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="one_report_per_project_month")
        ]


class PhotoQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        return mine.filter(self, "report__project__unit")


class ReportPhoto(Attachment):
    objects = PhotoQuerySet.as_manager()

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("照片", upload_to="projects/%Y/%m/")


class LetterQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """The owner unit sees its letters once issued; drafts only those who issue letters."""
        letters = mine.filter(self, "unit")
        return letters if mine.may(ISSUE_LETTERS) else letters.exclude(status=ProjectLetter.Status.DRAFT)


class ProjectLetter(models.Model):
    """A reminder letter (提醒函) to the owner unit of a project behind plan."""

    objects = LetterQuerySet.as_manager()

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已下发"
        REPLIED = "replied", "已反馈"
        CLOSED = "closed", "已办结"

    TRANSITIONS = {
        Status.DRAFT: {Status.ISSUED},
        Status.ISSUED: {Status.REPLIED},
        # A reply found wanting goes back to the unit: the letter is open again.
        Status.REPLIED: {Status.CLOSED, Status.ISSUED},
        Status.CLOSED: set(),
    }
    SERIES = "项目提醒"

    project = models.ForeignKey(
        KeyProject, verbose_name="项目", on_delete=models.PROTECT, related_name="letters"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name="收文单位", on_delete=models.PROTECT, related_name="+")
    issuer = models.ForeignKey(
        "orgs.Unit",
        verbose_name="发文机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField("文号", max_length=40, unique=True, null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    subject = models.CharField("标题", max_length=200)
    body = FreeTextField("正文")
    created_at = models.DateTimeField("起草时间")
    created_by = models.CharField("起草人", max_length=150)
    issued_at = models.DateTimeField("下发时间", null=True, blank=True)
    issued_by = models.CharField("下发人", max_length=150, blank=True)
    reply_due = models.DateField("反馈期限", null=True, blank=True, db_index=True)
    reply = FreeTextField("反馈内容", blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "项目提醒函"
        verbose_name_plural = "项目提醒函"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number or f"{self.subject}（草稿）"

    def get_absolute_url(self) -> str:
        return reverse("projects:letter-detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class LetterStep(Step):
    letter = models.ForeignKey(ProjectLetter, on_delete=models.CASCADE, related_name="steps")

    class Meta(Step.Meta):
        verbose_name = "提醒函过程"
        verbose_name_plural = "提醒函过程"
