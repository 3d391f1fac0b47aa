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
    finished_at = models.DateTimeField(null=True, blank=True)
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
    # The template's variables (item_name, case_no, due_date ...): SMS providers send only their
    # pre-approved templates and take these, not the rendered text.
    params = models.JSONField("模板变量", default=dict, blank=True)
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
    """A lease one scan holds while it runs, so two workers never scan at once; a scan killed
    mid-way lets go when its lease runs out and the next scan carries on where it stopped."""

    name = models.CharField(max_length=16, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    until = models.DateTimeField(null=True, blank=True)


class SupervisionOrder(models.Model):
    """A supervision order (督办单) to a unit: what is demanded, by when, followed to closure.

    The order owns its state machine: `TRANSITIONS` lists every allowed step and `services` checks
    each against it in one place.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "已下发"
        REPLIED = "replied", "已回复"
        RETURNED = "returned", "已退回"
        CLOSED = "closed", "已办结"

    class Level(models.IntegerChoices):
        # The escalation ladder of local practice, mildest first.
        REMINDER = 1, "提醒"
        YELLOW_NOTICE = 2, "黄色书面通知"
        RED_LETTER = 3, "红色督办函"
        TALK = 4, "约谈单位负责人"

    class Origin(models.TextChoices):
        # The worker's orders say they were automatic, and why.
        OVERDUE = "overdue", "自动督办：办件超时"
        DELIVERY_FAILED = "delivery_failed", "自动督办：提醒送达失败"
        REVIEW_OVERDUE = "review_overdue", "自动督办：差评整改逾期"
        RECTIFICATION_OVERDUE = "rectify_overdue", "自动督办：整改清单问题逾期"
        SUPERVISOR = "supervisor", "监督人员决定"

    TRANSITIONS = {
        Status.ISSUED: {Status.REPLIED, Status.CLOSED},
        Status.RETURNED: {Status.REPLIED, Status.CLOSED},
        Status.REPLIED: {Status.CLOSED, Status.RETURNED},
        Status.CLOSED: set(),
    }

    number = models.CharField("文号", max_length=40, unique=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name="被督办单位", on_delete=models.PROTECT, related_name="orders")
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", to_field="case_no", db_column="case_no",
        null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
    )  # fmt: skip
    origin = models.CharField("来源", max_length=16, choices=Origin.choices)
    level = models.PositiveSmallIntegerField("督办等级", choices=Level.choices, default=Level.REMINDER)
    demand = models.TextField("督办要求")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField("下发时间")
    issued_by = models.CharField("下发人", max_length=150)
    # The supervisor unit in whose name the order is issued and signed, whoever pressed the button.
    issuer = models.ForeignKey(
        "orgs.Unit", verbose_name="下发机关", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply_days = models.PositiveSmallIntegerField("回复时限(工作日)", default=3)
    reply_due = models.DateField("回复期限")
    # The next moment the order needs attention (its reply is overdue): the escalation index.
    escalate_after = models.DateTimeField("逾期升级时间", null=True, blank=True, db_index=True)
    measures = models.TextField("整改措施", blank=True)
    result = models.TextField("办理结果", blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.number

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class OrderStep(models.Model):
    """One step in an order's timeline: issued, replied, returned, escalated, closed, notified."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField("时间")
    kind = models.CharField("环节", max_length=16)
    actor = models.CharField("操作人", max_length=150)
    text = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = "督办过程"
        verbose_name_plural = "督办过程"
        ordering = ["at", "id"]


class OrderAttachment(models.Model):
    """Evidence the unit attaches to its reply; kept whole, with its digest."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="orders/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class DocumentCounter(models.Model):
    """Running document numbers per series and year (督办〔2026〕第0001号)."""

    series = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")]


class AlertRule(models.Model):
    """Who is told of cards for a unit's (or one item's) cases, and when not to text them.

    The most specific rule applies: an item's, else the nearest unit up the tree, else the
    region-wide rule (no unit, no item), else the contract's defaults. Quiet hours delay a message
    to the end of the quiet period; they never drop it.
    """

    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE)
    item = models.ForeignKey("catalog.Item", verbose_name="事项", null=True, blank=True, on_delete=models.CASCADE)
    notify_yellow = models.BooleanField("黄牌提醒办理单位", default=True)
    notify_red = models.BooleanField("红牌提醒办理单位", default=True)
    red_to_supervisors = models.BooleanField("红牌提醒纪检监察", default=True)
    quiet_start = models.TimeField("免打扰开始", null=True, blank=True)
    quiet_end = models.TimeField("免打扰结束", null=True, blank=True)

    class Meta:
        verbose_name = "提醒规则"
        verbose_name_plural = "提醒规则"
        constraints = [models.UniqueConstraint(fields=["unit", "item"], name="one_rule_per_unit_item")]

    def __str__(self) -> str:
        return str(self.item or self.unit or "全区默认")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError("免打扰开始和结束时间需同时填写")
        if not self.red_to_supervisors and not self.notify_red:
            raise ValidationError("红牌至少要提醒办理单位或纪检监察之一")
