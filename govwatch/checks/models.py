from __future__ import annotations

from django.db import models
from django.db.models import Q

from govwatch.accounts.permissions import VIEW_FINDINGS, Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Step


class Kind(models.TextChoices):
    """The families of findings of contract section 8, in its order."""

    UNKNOWN_CASE = "unknown_case", "评价的办件不存在（虚报）"
    WRONG_UNIT = "wrong_unit", "评价单位与办件单位不符"
    BEFORE_COMPLETION = "before_completion", "办结前评价"
    EVALUATOR_MANY = "evaluator_many", "同一评价人评价过多（刷评）"
    BURST = "burst", "评价器集中刷好评"
    OFF_HOURS = "off_hours", "非服务时间评价器评价"
    DUPLICATE_COMMENT = "duplicate_comment", "重复评价内容"
    MISSING_EVALUATIONS = "missing_evaluations", "评价数据漏报"


class RegionThresholds(models.Model):
    """The thresholds a region set for itself (a unit and its subtree); unset values inherit."""

    unit = models.OneToOneField("orgs.Unit", verbose_name="区域（单位）", on_delete=models.CASCADE)
    values = models.JSONField("阈值", default=dict)
    updated_at = models.DateTimeField("修改时间")
    updated_by = models.CharField("修改人", max_length=150)

    class Meta:
        verbose_name = "核查阈值"
        verbose_name_plural = "核查阈值"

    def __str__(self) -> str:
        return f"{self.unit} 的核查阈值"


class CheckRun(models.Model):
    """One run of the checks over a period: by whom, what it found, and what data it had seen.

    `evaluations_seen` and `pending_seen` are the highest ids of the evaluation tables when the run
    began: the daily run checks again the months that data arrived in since the last finished run.
    """

    date_from = models.DateField("期间自")
    date_to = models.DateField("期间至")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    actor = models.CharField("运行人", max_length=150)
    findings = models.PositiveIntegerField("线索数", default=0)
    new_findings = models.PositiveIntegerField("新线索数", default=0)
    counts = models.JSONField("分类统计", default=dict)
    seconds = models.FloatField("耗时（秒）", null=True, blank=True)
    evaluations_seen = models.BigIntegerField(default=0)
    pending_seen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "核查运行"
        verbose_name_plural = "核查运行"
        ordering = ["-started_at", "-id"]


class FindingQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A finding is the supervisors' suspicion: seen by those who may read findings, in their scope."""
        return mine.filter(self, "unit") if mine.may(VIEW_FINDINGS) else self.none()


class Finding(models.Model):
    """A suspicion the checks raised about a unit (or one of its windows), with its evidence.

    A finding is the family (`kind`) and a group (`key`: the evaluator, the window and minute of a
    burst, the comment, the unit and month ...). Each evaluation is evidence of at most one finding
    of a kind, so a run never raises again what an earlier run raised; new evidence joins the open
    or dismissed finding of its group, and a dismissed finding stays dismissed.
    """

    class Status(models.TextChoices):
        OPEN = "open", "待核查"
        DISMISSED = "dismissed", "已排除"
        RAISED = "raised", "已立查"
        CLEARED = "cleared", "已自动撤销"

    TRANSITIONS = {
        Status.OPEN: {Status.DISMISSED, Status.RAISED, Status.CLEARED},
        Status.DISMISSED: set(),
        Status.RAISED: set(),
        Status.CLEARED: set(),
    }

    objects = FindingQuerySet.as_manager()

    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    key = models.CharField("分组", max_length=300)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="findings"
    )
    window_code = models.CharField("窗口编号", max_length=64, blank=True)
    month = models.DateField("所属月份")
    score = models.FloatField("可疑程度")
    reasons = models.JSONField("理由", default=list)
    # missing_evaluations names the completed cases left unevaluated (its evidence is cases).
    case_nos = models.JSONField("未评价办件", default=list, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField("发现时间")
    found_by = models.ForeignKey(CheckRun, verbose_name="发现于", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("最近更新")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decision = FreeTextField("处理意见", blank=True)

    class Meta:
        verbose_name = "核查线索"
        verbose_name_plural = "核查线索"
        ordering = ["-score", "-found_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["unit", "status"])]
        constraints = [
            # One live finding per group: a raised or cleared one leaves room for a new one.
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(status__in=["open", "dismissed"]),
                name="one_live_finding_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.unit}"

    @property
    def number(self) -> str:
        return f"核查线索第{self.pk}号"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class Evidence(models.Model):
    """One evaluation a finding names; per kind an evaluation is evidence once only."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    eval_id = models.CharField("评价编号", max_length=100)
    added_at = models.DateTimeField("加入时间")
    # unknown_case: the case arrived later, the evaluation is no longer suspect.
    cleared = models.BooleanField("已撤销", default=False)

    class Meta:
        verbose_name = "核查证据"
        verbose_name_plural = "核查证据"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["kind", "eval_id"], name="evidence_once_per_kind")]
        indexes = [models.Index(fields=["eval_id"])]


class FindingStep(Step):
    """One step of a finding's timeline: found, grew, dismissed, raised, cleared."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="steps")

    class Meta(Step.Meta):
        verbose_name = "线索过程"
        verbose_name_plural = "线索过程"


class DailyCheck(models.Model):
    """The worker's daily run: the next moment it is due, claimed by a conditional UPDATE."""

    name = models.CharField(max_length=16, primary_key=True)
    due_at = models.DateTimeField()
    holder = models.CharField(max_length=64, blank=True)
