"""Internet-plus regulation (互联网+监管): the regulatory items (监管事项) of each department, the
supervision actions (监管行为) recorded against them in the national system, and the registered
law-enforcement officers. The figures (govwatch.regulation.figures) come from these rows.
"""

from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import ScopedQuerySet


class ItemCategory(models.TextChoices):
    INSPECTION = "inspection", "行政检查"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    OTHER = "other", "其他"


class ReturnReason(models.TextChoices):
    NO_OBJECT = "no_object", "无监管对象"
    NO_POWER = "no_power", "无监管职权"


class RegulatoryItem(models.Model):
    """A regulatory item of a department's list; a returned item (退回事项) has left the list and
    counts in no coverage."""

    objects = ScopedQuerySet.as_manager()

    code = models.CharField("监管事项编码", max_length=64, unique=True)
    name = models.CharField("监管事项名称", max_length=300)
    unit = models.ForeignKey("orgs.Unit", verbose_name="实施部门", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(
        "类别", max_length=16, choices=ItemCategory.choices, default=ItemCategory.INSPECTION
    )
    random_check = models.BooleanField("纳入双随机抽查", default=False)
    return_reason = models.CharField("退回原因", max_length=16, choices=ReturnReason.choices, blank=True)
    returned_on = models.DateField("退回日期", null=True, blank=True)
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "监管事项"
        verbose_name_plural = "监管事项"
        ordering = ["unit__path", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def returned(self) -> bool:
        return bool(self.return_reason)


class ActionKind(models.TextChoices):
    ROUTINE = "routine", "日常检查"
    RANDOM = "random", "双随机抽查"
    SPECIAL = "special", "专项检查"
    COMPLAINT = "complaint", "投诉举报核查"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    OTHER = "other", "其他"


class SupervisionAction(models.Model):
    """A supervision action (监管行为) recorded in the national system and imported from its
    export: a fact, never edited."""

    objects = ScopedQuerySet.as_manager()

    action_id = models.CharField("行为编号", max_length=100, unique=True)
    item = models.ForeignKey(
        RegulatoryItem, verbose_name="监管事项", on_delete=models.PROTECT, related_name="actions"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name="实施部门", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("监管类型", max_length=16, choices=ActionKind.choices, default=ActionKind.ROUTINE)
    joint = models.BooleanField("联合监管", default=False)
    on = models.DateField("监管日期", db_index=True)
    target_name = models.CharField("监管对象", max_length=200, blank=True)
    result = models.CharField("处理结果", max_length=500, blank=True)
    digest = models.CharField(max_length=32)

    class Meta:
        verbose_name = "监管行为"
        verbose_name_plural = "监管行为"
        ordering = ["-on", "action_id"]
        indexes = [models.Index(fields=["item", "on"]), models.Index(fields=["unit", "on"])]


class EnforcementOfficer(models.Model):
    """A law-enforcement officer (行政执法人员): certified (执法证) and registered in the system."""

    objects = ScopedQuerySet.as_manager()

    officer_id = models.CharField("人员编号", max_length=100, unique=True)
    name = models.CharField("姓名", max_length=100)
    unit = models.ForeignKey("orgs.Unit", verbose_name="所属部门", on_delete=models.PROTECT, related_name="+")
    certificate_no = models.CharField("执法证号", max_length=64, blank=True)
    registered = models.BooleanField("已在系统注册", default=False)
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["unit__path", "officer_id"]

    def __str__(self) -> str:
        return self.name
