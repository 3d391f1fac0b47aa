from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet


class ThroughCase(ScopedQuerySet):
    """Rows of a case: seen by whoever sees the case's handling unit."""

    def visible_to(self, mine: Scope) -> models.QuerySet:
        return mine.filter(self, "case__unit")


class RiskModel(models.Model):
    """A model of the region's lateness, learned from its history as of one moment.

    Stored in the database (the fitted estimator and the history figures it reads, pickled), so that
    every worker and web process uses the same one. `metrics` holds what it measured on held-out
    weeks of that history: recall, false alarms, the working days its warnings came before the
    yellow card.
    """

    as_of = models.DateTimeField(
        "学习截至", db_index=True, help_text="所用历史的截止时刻：此后的事件一概不用"
    )
    created_at = models.DateTimeField("训练时间", auto_now_add=True)
    seconds = models.FloatField("训练用时(秒)", default=0)
    cases = models.PositiveIntegerField("历史办件数", default=0)
    threshold = models.FloatField("预警阈值")
    false_alarm_target = models.FloatField("误报上限")
    metrics = models.JSONField("验证结果", default=dict)
    library = models.CharField("算法库与格式", max_length=80)
    payload = models.BinaryField()

    class Meta:
        verbose_name = "风险模型"
        verbose_name_plural = "风险模型"
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"风险模型 #{self.pk}（截至 {self.as_of:%Y-%m-%d %H:%M}）"


class CaseRisk(models.Model):
    """The latest risk of an open case without a card, for the case list and the home page.

    Replaced as a whole by each prediction run over the present; cases below `STORE_FLOOR` are not
    stored (the list shows them as low).
    """

    case = models.OneToOneField(
        "cases.Case", to_field="case_no", db_column="case_no", on_delete=models.CASCADE, related_name="risk",
        primary_key=True,
    )  # fmt: skip
    at = models.DateTimeField("预测时刻")
    risk = models.FloatField("超期风险")
    warn = models.BooleanField("预警", default=False)
    reasons = models.JSONField("原因", default=list)
    model = models.ForeignKey(RiskModel, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ThroughCase.as_manager()

    class Meta:
        verbose_name = "办件超期风险"
        verbose_name_plural = "办件超期风险"
        indexes = [models.Index(fields=["warn", "risk"]), models.Index(fields=["risk"])]


class PredictedWarning(models.Model):
    """A case warned before its yellow card (预测预警): once per case, with the message it queued."""

    case = models.OneToOneField(
        "cases.Case",
        to_field="case_no",
        db_column="case_no",
        on_delete=models.CASCADE,
        related_name="predicted_warning",
    )
    at = models.DateTimeField("预警时刻", db_index=True)
    risk = models.FloatField("超期风险")
    reasons = models.JSONField("原因", default=list)
    due_date = models.DateField("当时的到期日")
    model = models.ForeignKey(RiskModel, null=True, on_delete=models.SET_NULL, related_name="warnings")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThroughCase.as_manager()

    class Meta:
        verbose_name = "超时风险预警"
        verbose_name_plural = "超时风险预警"
        ordering = ["-at", "-id"]


class PredictionRun(models.Model):
    """One prediction over the cases open at a moment: the risk list refreshed, warnings issued.

    `slot` is the warning moment a warning run stands for (unique: two workers never warn for the
    same moment); a refresh of the list alone has none.
    """

    at = models.DateTimeField("预测时刻", db_index=True)
    slot = models.DateTimeField("预警时点", null=True, blank=True, unique=True)
    model = models.ForeignKey(RiskModel, null=True, on_delete=models.SET_NULL, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    candidates = models.PositiveIntegerField("在办未亮牌办件", default=0)
    warned = models.PositiveIntegerField("判为预警", default=0)
    new_warnings = models.PositiveIntegerField("新发预警", default=0)
    notifications_queued = models.PositiveIntegerField("生成提醒", default=0)

    class Meta:
        verbose_name = "预测记录"
        verbose_name_plural = "预测记录"
        ordering = ["-at", "-id"]


class Replay(models.Model):
    """A replay of past months: at each warning moment, what the model of the day would have warned,
    and how those cases ended (the honesty page)."""

    created_at = models.DateTimeField(auto_now_add=True)
    first_day = models.DateField("回放起")
    last_day = models.DateField("回放止")
    summary = models.JSONField(default=dict)
    days = models.JSONField(default=list)
    models_used = models.JSONField(default=list)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = "预测回放"
        verbose_name_plural = "预测回放"
        ordering = ["-created_at", "-id"]


class PredictionLease(models.Model):
    """A lease on one kind of long work (training, warning), so two workers never do it at once; a
    worker killed mid-way lets go when its lease runs out."""

    name = models.CharField(max_length=16, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    until = models.DateTimeField(null=True, blank=True)
