"""Double-random, one-public inspections (双随机、一公开): the registers the draws take from (检查
对象名录库, 执法检查人员名录库, declared conflicts), the plans with their stored draw, and the
result of each drawn target.

A plan is drawn once, when it is created (contract section 11); its plan document, seed and draw
are stored and never drawn again. Each result must be published within
GOVWATCH_RANDOM_PUBLISH_WORKDAYS working days of the inspection: `RandomPlan.publish_due` is the
earliest such date among the plan's unpublished results, the stored moment the plan next needs
attention.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.urls import reverse

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField


class Risk(models.TextChoices):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"


class Target(models.Model):
    """An entry of the register of inspection targets (检查对象名录库): an enterprise or another
    subject a department regulates, with its risk class."""

    objects = ScopedQuerySet.as_manager()

    target_id = models.CharField("对象编号", max_length=100, unique=True)
    name = models.CharField("名称", max_length=200)
    unit = models.ForeignKey("orgs.Unit", verbose_name="监管部门", on_delete=models.PROTECT, related_name="+")
    risk = models.CharField("风险等级", max_length=8, choices=Risk.choices)
    address = models.CharField("地址", max_length=300, blank=True)
    active = models.BooleanField("在册", default=True)
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象名录"
        ordering = ["unit__path", "target_id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.target_id}）"


class Inspector(models.Model):
    """An entry of the register of law-enforcement inspectors (执法检查人员名录库)."""

    objects = ScopedQuerySet.as_manager()

    inspector_id = models.CharField("人员编号", max_length=100, unique=True)
    name = models.CharField("姓名", max_length=100)
    unit = models.ForeignKey("orgs.Unit", verbose_name="所属部门", on_delete=models.PROTECT, related_name="+")
    certificate_no = models.CharField("执法证号", max_length=64, blank=True)
    active = models.BooleanField("在岗", default=True)
    # The targets this inspector must stay away from (回避): a relative, a former employer, a case.
    conflicts = models.ManyToManyField(Target, verbose_name="回避对象", blank=True, related_name="conflicted")
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员名录"
        ordering = ["unit__path", "inspector_id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.inspector_id}）"


class PlanQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A plan is seen by those who see its organizing unit or a unit of one of its targets."""
        return mine.filter(self, "unit", "drawn__unit").distinct()


class RandomPlan(models.Model):
    """A double-random plan as drawn: the plan document (section 11), the seed, and the draw."""

    objects = PlanQuerySet.as_manager()

    class Source(models.TextChoices):
        REGISTERS = "registers", "名录库"
        FILE = "file", "计划文件"

    number = models.CharField("编号", max_length=40, unique=True)
    name = models.CharField("计划名称", max_length=200)
    unit = models.ForeignKey("orgs.Unit", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    joint = models.BooleanField("跨部门联合抽查", default=False)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    filename = models.CharField("文件", max_length=500, blank=True)
    seed = models.CharField("随机种子", max_length=100)
    digest = models.CharField("计划摘要", max_length=64)
    plan = models.JSONField("抽查计划")
    result = models.JSONField("抽取结果")
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.CharField("抽取人", max_length=150)
    inspect_by = models.DateField("检查完成期限", null=True, blank=True)
    # The earliest publication deadline among the results not yet published: when the plan is late.
    publish_due = models.DateField("公示期限", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "双随机抽查计划"
        verbose_name_plural = "双随机抽查计划"
        ordering = ["-drawn_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["digest", "seed"], name="one_draw_per_plan_and_seed")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("randomchecks:plan-detail", args=[self.pk])

    def publication_late(self, today: date) -> bool:
        """Results waiting past their publication deadline (the end of `publish_due`)."""
        return self.publish_due is not None and today > self.publish_due


class Outcome(models.TextChoices):
    NO_PROBLEM = "no_problem", "未发现问题"
    RECTIFY = "rectify", "发现问题，责令整改"
    PENALTY = "penalty", "发现问题，立案查处"
    NOT_FOUND = "not_found", "未找到检查对象"
    CLOSED = "closed", "对象已注销或停业"


class DrawnTarget(models.Model):
    """One target of a plan's draw (in the order of step 2) with its two inspectors, or unstaffed;
    then the result of its inspection, entered by its department and published."""

    objects = ScopedQuerySet.as_manager()

    plan = models.ForeignKey(RandomPlan, on_delete=models.CASCADE, related_name="drawn")
    position = models.PositiveIntegerField("顺序")
    target_id = models.CharField("对象编号", max_length=100)
    name = models.CharField("名称", max_length=200)
    unit = models.ForeignKey("orgs.Unit", verbose_name="监管部门", on_delete=models.PROTECT, related_name="+")
    risk = models.CharField("风险等级", max_length=8, choices=Risk.choices)
    hash = models.CharField(max_length=64)
    inspectors = models.JSONField("检查人员编号", default=list)
    inspector_names = models.JSONField("检查人员", default=list)
    unstaffed = models.BooleanField("未配备检查人员", default=False)
    outcome = models.CharField("检查结果", max_length=16, choices=Outcome.choices, blank=True)
    findings = FreeTextField("检查情况", blank=True)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)
    recorded_by = models.CharField("录入人", max_length=150, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽中对象"
        verbose_name_plural = "抽中对象"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "target_id"], name="one_row_per_drawn_target"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.target_id}）"

    @property
    def inspected(self) -> bool:
        return bool(self.outcome)
