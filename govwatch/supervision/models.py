from __future__ import annotations

from django.db import models

from govwatch.core.choices import Card


class CardChange(models.Model):
    """A case's card changed at a scan (a flip). Recorded once; its notifications hang off it."""

    case = models.ForeignKey(
        "cases.Case", to_field="case_no", db_column="case_no", on_delete=models.CASCADE, related_name="card_changes"
    )
    card = models.CharField("新亮牌", max_length=8, choices=Card.choices)
    previous = models.CharField("原亮牌", max_length=8, choices=Card.choices)
    at = models.DateTimeField("扫描时间", db_index=True)

    class Meta:
        verbose_name = "亮牌记录"
        verbose_name_plural = "亮牌记录"
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "at"], name="one_card_change_per_case_and_scan")]


class ScanRun(models.Model):
    """One scan: its moment and what it found (the figures `govwatch scan` prints)."""

    at = models.DateTimeField("扫描时刻", db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)
    open = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    new_yellow = models.PositiveIntegerField(default=0)
    new_red = models.PositiveIntegerField(default=0)
    notifications_queued = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "扫描记录"
        verbose_name_plural = "扫描记录"
        ordering = ["-id"]


class Notification(models.Model):
    """The outbox: one message to one recipient, claimed by a worker before it is sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    card_change = models.ForeignKey(CardChange, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=16)
    case = models.ForeignKey(
        "cases.Case", to_field="case_no", db_column="case_no", null=True, blank=True, on_delete=models.CASCADE
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name="接收单位", null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField("渠道", max_length=16)
    # The recipient (a phone number, an address) is personal data: encrypted, matched by hash.
    recipient_hash = models.CharField(max_length=64)
    recipient_enc = models.TextField()
    recipient_masked = models.CharField("接收人", max_length=64)
    text = models.TextField("内容")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    # When the message may next be tried: quiet hours and back-off push it later, never drop it.
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField("失败原因", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["card_change", "channel", "recipient_hash"], name="one_message_per_change_and_recipient"
            )
        ]


class NotificationTemplate(models.Model):
    """A message text the service office may edit; the contract's defaults apply until it does."""

    kind = models.CharField("类型", max_length=16, unique=True, choices=[("yellow", "预警"), ("red", "超时")])
    text = models.TextField("模板", help_text="可用占位符: {item_name} {case_no} {due_date} {unit_name}")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "通知模板"
        verbose_name_plural = "通知模板"

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .texts import template_errors

        errors = template_errors(self.text)
        if errors:
            raise ValidationError({"text": errors})


class ScanLock(models.Model):
    """One row that a scan locks for its whole transaction, so two workers never scan at once."""

    name = models.CharField(max_length=16, primary_key=True)
