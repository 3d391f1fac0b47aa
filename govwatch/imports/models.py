from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One run of an import: its file, counts, row errors and operator."""

    class Kind(models.TextChoices):
        UNITS = "units", "单位"
        ITEMS = "items", "事项"
        CASES = "cases", "办件过程"
        EVALUATIONS = "evaluations", "好差评"
        COMPLAINTS = "complaints", "投诉"
        CALENDAR = "calendar", "节假日安排"
        PROJECTS = "projects", "重点项目"
        MILESTONES = "milestones", "项目节点"
        TARGETS = "targets", "检查对象名录"
        INSPECTORS = "inspectors", "执法检查人员名录"
        OFFICERS = "officers", "执法人员"
        REGULATORY_ITEMS = "regulatory_items", "监管事项"
        SUPERVISION_ACTIONS = "supervision_actions", "监管行为"
        DEMO_ACTIVITY = "demo_activity", "演示业务数据"
        WINDOWS = "windows", "窗口"
        STAFF = "staff", "窗口人员"
        ATTENDANCE = "attendance", "考勤记录"
        ABSENCES = "absences", "脱岗记录"
        TICKETS = "tickets", "排队取号"
        ASSISTS = "assists", "帮办代办"
        KIOSKS = "kiosks", "自助终端"
        KIOSK_STATUS = "kiosk_status", "终端状态"
        KIOSK_FAULTS = "kiosk_faults", "终端报修"
        GOLD_ROUNDS = "gold_rounds", "金牌窗口评选"
        RECTIFICATION = "rectification", "整改清单"
        DEMO_RECTIFICATION = "demo_rectification", "演示整改过程"

    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    filename = models.CharField("文件", max_length=500)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    operator_label = models.CharField("操作人", max_length=150, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Who runs it and its last sign of life: a run whose process is gone is found and marked
    # interrupted (govwatch.imports.interrupted), its committed rows counted by their import_run.
    host = models.CharField("主机", max_length=255, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    interrupted_at = models.DateTimeField("发现中断时间", null=True, blank=True)
    read = models.PositiveIntegerField("读取", default=0)
    imported = models.PositiveIntegerField("导入", default=0)
    duplicates = models.PositiveIntegerField("重复", default=0)
    rejected = models.PositiveIntegerField("拒绝", default=0)
    # The first errors in full (a province file may have millions; the count is in `rejected`).
    errors = models.JSONField("错误", default=list)
    warnings = models.JSONField("警告", default=list)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def status(self) -> str:
        """完成, 中断 (its process died before the end) or 进行中; derived, never stored."""
        if self.finished_at is not None:
            return "完成"
        return "中断" if self.interrupted_at is not None else "进行中"
