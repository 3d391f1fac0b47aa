from __future__ import annotations

import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.choices import Card
from govwatch.core.fields import EncryptedTextField, FreeTextField
from govwatch.core.models import Attachment, Step

from .kinds import TEXT_KINDS, all_kinds, label_of, template_key
from .texts import DEFAULTS, OTHER_DEFAULTS, template_errors


class CardChange(models.Model):
    """A case's card changed at a scan (a flip). Recorded once; its notifications hang off it."""

    case = models.ForeignKey(
        "cases.Case",
        to_field="case_no",
        db_column="case_no",
        on_delete=models.CASCADE,
        related_name="card_changes",
    )
    card = models.CharField("新亮牌", max_length=8, choices=Card.choices)
    previous = models.CharField("原亮牌", max_length=8, choices=Card.choices)
    at = models.DateTimeField("扫描时间", db_index=True)

    class Meta:
        verbose_name = "亮牌记录"
        verbose_name_plural = "亮牌记录"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "at"], name="one_card_change_per_case_and_scan")
        ]


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
    # The same figures for watched deadlines (complaints, rectification problems, letters ...),
    # kept apart so that the contract's figures stay those of cases.
    watch_open = models.PositiveIntegerField(default=0)
    watch_suspended = models.PositiveIntegerField(default=0)
    watch_yellow = models.PositiveIntegerField(default=0)
    watch_red = models.PositiveIntegerField(default=0)
    watch_new_yellow = models.PositiveIntegerField(default=0)
    watch_new_red = models.PositiveIntegerField(default=0)
    watch_notifications_queued = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "扫描记录"
        verbose_name_plural = "扫描记录"
        ordering = ["-id"]


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A message is seen by whoever sees the unit it was sent to."""
        return mine.filter(self, "unit")


class Notification(models.Model):
    """The outbox: one message to one recipient, claimed by a worker before it is sent."""

    objects = NotificationQuerySet.as_manager()

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    card_change = models.ForeignKey(
        CardChange, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # A watched deadline's card (its flip) or a reminder: the row whose messages these are.
    watch_flip = models.ForeignKey(
        "WatchFlip", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    reminder = models.ForeignKey(
        "Reminder", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=16)
    case = models.ForeignKey(
        "cases.Case", to_field="case_no", db_column="case_no", null=True, blank=True, on_delete=models.CASCADE
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="接收单位", null=True, blank=True, on_delete=models.SET_NULL
    )
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
    # Set when an attempt ended without knowing whether the provider took the message (the worker
    # died, the answer never came or was garbage): the next attempt asks the provider first.
    in_doubt_since = models.DateTimeField("待核对自", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["card_change", "channel", "recipient_hash"],
                name="one_message_per_change_and_recipient",
            ),
            models.UniqueConstraint(
                fields=["watch_flip", "channel", "recipient_hash"], name="one_message_per_flip_and_recipient"
            ),
            models.UniqueConstraint(
                fields=["reminder", "channel", "recipient_hash"],
                name="one_message_per_reminder_and_recipient",
            ),
        ]


class NotificationTemplate(models.Model):
    """A message text the service office may edit; the contract's defaults apply until it does.

    `kind` is "yellow" or "red" for cases, "<watch kind>.<yellow|red|reminder>" for watched
    deadlines (govwatch.supervision.kinds).
    """

    kind = models.CharField("类型", max_length=64, unique=True, choices=[("yellow", "预警"), ("red", "超时")])
    text = models.TextField("模板", help_text="可用占位符: {item_name} {case_no} {due_date} {unit_name}")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "通知模板"
        verbose_name_plural = "通知模板"

    def __str__(self) -> str:
        return self.get_kind_display()

    @classmethod
    def texts(cls) -> dict[str, str]:
        """The text of each kind in use: the office's edit, else the contract's default."""
        fixed = {**OTHER_DEFAULTS, **DEFAULTS}
        return {**fixed, **dict(cls.objects.filter(kind__in=fixed).values_list("kind", "text"))}

    @classmethod
    def watch_texts(cls) -> dict[str, str]:
        """The texts of every registered watch kind ("complaint.red" -> text): the office's edits,
        else the kind's defaults."""
        texts = {template_key(k.code, t): k.default_text(t) for k in all_kinds() for t in TEXT_KINDS}
        return {**texts, **dict(cls.objects.filter(kind__in=texts).values_list("kind", "text"))}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = template_errors(self.text)
        if errors:
            raise ValidationError({"text": errors})


class ScanLock(models.Model):
    """A lease one scan holds while it runs, so two workers never scan at once; a scan killed
    mid-way lets go when its lease runs out and the next scan carries on where it stopped."""

    name = models.CharField(max_length=16, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    until = models.DateTimeField(null=True, blank=True)


class OrderQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """An order is seen by whoever sees the unit it is issued to."""
        return mine.filter(self, "unit")


class SupervisionOrder(models.Model):
    """A supervision order (督办单) to a unit: what is demanded, by when, followed to closure.

    The order owns its state machine: `TRANSITIONS` lists every allowed step and `orders._move` checks
    each against it in one place (`orders`).
    """

    objects = OrderQuerySet.as_manager()

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
        WATCH = "watch", "自动督办：逾期未办结"
        FEEDBACK_OVERDUE = "feedback_overdue", "自动督办：检查反馈逾期"
        RECTIFICATION_OVERDUE = "rectify_overdue", "自动督办：整改清单问题逾期"
        COMPLAINT_OVERDUE = "complaint", "自动督办：投诉逾期"
        SUPERVISOR = "supervisor", "监督人员决定"

    TRANSITIONS = {
        Status.ISSUED: {Status.REPLIED, Status.CLOSED},
        Status.RETURNED: {Status.REPLIED, Status.CLOSED},
        Status.REPLIED: {Status.CLOSED, Status.RETURNED},
        Status.CLOSED: set(),
    }

    number = models.CharField("文号", max_length=40, unique=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="被督办单位", on_delete=models.PROTECT, related_name="orders"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", to_field="case_no", db_column="case_no",
        null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
    )  # fmt: skip
    origin = models.CharField("来源", max_length=16, choices=Origin.choices)
    # The watched deadline (a complaint, a problem, a step of a negative review) that was overdue.
    watch = models.ForeignKey(
        "Watch",
        verbose_name="督办对象",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    level = models.PositiveSmallIntegerField("督办等级", choices=Level.choices, default=Level.REMINDER)
    demand = FreeTextField("督办要求")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField("下发时间")
    issued_by = models.CharField("下发人", max_length=150)
    # The supervisor unit in whose name the order is issued and signed, whoever pressed the button.
    issuer = models.ForeignKey(
        "orgs.Unit",
        verbose_name="下发机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_days = models.PositiveSmallIntegerField("回复时限(工作日)", default=3)
    reply_due = models.DateField("回复期限")
    # The next moment the order needs attention (its reply is overdue): the escalation index.
    escalate_after = models.DateTimeField("逾期升级时间", null=True, blank=True, db_index=True)
    measures = FreeTextField("整改措施", blank=True)
    result = FreeTextField("办理结果", blank=True)
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


class OrderStep(Step):
    """One step in an order's timeline: issued, replied, returned, escalated, closed, notified."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="steps")

    @property
    def files(self):
        return self.attachments.all()

    class Meta(Step.Meta):
        verbose_name = "督办过程"
        verbose_name_plural = "督办过程"


class OrderAttachmentQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """Evidence is seen with its order."""
        return mine.filter(self, "order__unit")


class OrderAttachment(Attachment):
    """Evidence the unit attaches to its reply; kept whole, with its digest."""

    objects = OrderAttachmentQuerySet.as_manager()

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="attachments")
    # The reply it came with (null for files kept before replies were told apart).
    step = models.ForeignKey(
        "OrderStep", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("附件", upload_to="orders/%Y/%m/")


class DocumentCounter(models.Model):
    """Running document numbers per series and year (督办〔2026〕第0001号)."""

    series = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")]


class Channel(models.TextChoices):
    """The transports a unit or a person may be reached by (supervision.transports)."""

    SMS = "sms", "短信"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"
    EMAIL = "email", "电子邮件"


class AlertRule(models.Model):
    """When a unit's (or one item's) messages may go out, and by which channel the unit is reached.

    The most specific rule applies: an item's, else the nearest unit up the tree, else the
    region-wide rule (no unit, no item), else the defaults. A rule cannot take anyone off a card
    (contract section 6: a yellow card reaches the handling unit, a red card it and the region's
    supervisors); it adds people (AlertContact) and quiet hours, which delay a message to the end of
    the quiet period and never drop it.
    """

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE
    )
    item = models.ForeignKey(
        "catalog.Item", verbose_name="事项", null=True, blank=True, on_delete=models.CASCADE
    )
    quiet_start = models.TimeField("免打扰开始", null=True, blank=True)
    quiet_end = models.TimeField("免打扰结束", null=True, blank=True)
    channel = models.CharField(
        "单位接收渠道",
        max_length=16,
        choices=Channel.choices,
        default=Channel.SMS,
        help_text="短信、企业微信、钉钉（@单位联系电话）或电子邮件",
    )
    # A unit's mailbox when it chose email; kept encrypted like every address.
    email = EncryptedTextField("接收邮箱", blank=True)

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
        if self.channel == Channel.EMAIL and not self.email:
            raise ValidationError("选择电子邮件渠道时需填写接收邮箱")


class AlertContact(models.Model):
    """A person of a unit who is told of its cards besides the unit's own number (the seeds'
    "relevant leaders' phones"): a protected address on the person's own channel."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="alert_contacts"
    )
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50, blank=True)
    channel = models.CharField("接收渠道", max_length=16, choices=Channel.choices, default=Channel.SMS)
    # A mobile number (SMS, WeCom, DingTalk) or an email address: personal data, never shown in clear.
    address = EncryptedTextField("手机号或邮箱")
    on_yellow = models.BooleanField("接收黄牌预警", default=False)
    on_red = models.BooleanField("接收红牌超时提醒", default=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "提醒接收人"
        verbose_name_plural = "提醒接收人"
        ordering = ["unit", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.channel == Channel.EMAIL and "@" not in (self.address or ""):
            raise ValidationError("电子邮件渠道需填写邮箱地址")
        if self.channel != Channel.EMAIL and not re.fullmatch(r"1\d{10}", (self.address or "").strip()):
            raise ValidationError("短信、企业微信和钉钉渠道需填写11位手机号")


class WatchQuerySet(ScopedQuerySet):
    """A watched deadline is seen by whoever sees its responsible unit (the default `unit`)."""


class Watch(models.Model):
    """A deadline of any area that e-supervision watches: a complaint, a rectification problem, an
    inspection feedback form, a kiosk repair, a step of a negative review, a letter's reply.

    The subject is named through contenttypes, so supervision never imports the subject's app;
    its area calls `watches.watch` and `watches.close_watch` in its own transaction. The scan gives
    it the card of contract section 3 (`scan_*`, `card`, `next_card_at` are the scan's, as on
    Case), records each change as a WatchFlip with its messages, and once it has been overdue for
    its kind's number of working days (`order_at`) the orders job issues one supervision order.
    """

    class Status(models.TextChoices):
        OPEN = "open", "监察中"
        SUSPENDED = "suspended", "已暂停"
        CLOSED = "closed", "已结束"

    objects = WatchQuerySet.as_manager()

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("类型", max_length=32)
    # What is owed now ("verify", "reply" ...): a new stage or due date is a new deadline, which
    # may be ordered again.
    stage = models.CharField("环节", max_length=32, blank=True)
    label = models.CharField("名称", max_length=200)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="watches"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", to_field="case_no", db_column="case_no",
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    due_date = models.DateField("办理期限")
    # Yellow from this many working days before the due date; None: never yellow.
    yellow_days = models.PositiveSmallIntegerField("预警天数(工作日)", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField("开始时间")
    suspended_at = models.DateTimeField("暂停时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    scan_state = models.CharField(max_length=10, blank=True)
    card = models.CharField("亮牌", max_length=8, choices=Card.choices, default=Card.NONE)
    card_at = models.DateTimeField("亮牌时间", null=True, blank=True)
    next_card_at = models.DateTimeField("下次状态变化", null=True, blank=True, db_index=True)
    # When the overdue deadline becomes a supervision order; NULL once ordered, or never.
    order_at = models.DateTimeField("自动督办时间", null=True, blank=True, db_index=True)
    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name="督办单",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "到期监察"
        verbose_name_plural = "到期监察"
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"], name="one_watch_per_subject_and_kind"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "card"]),
            models.Index(fields=["kind", "status", "due_date"]),
            models.Index(fields=["card"]),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def kind_label(self) -> str:
        return label_of(self.kind)

    def subject_url(self) -> str:
        """The subject's own page (its `get_absolute_url`), or "" when it has none."""
        subject = self.subject
        return (
            subject.get_absolute_url() if subject is not None and hasattr(subject, "get_absolute_url") else ""
        )


class WatchFlip(models.Model):
    """A watched deadline's card changed at a scan: recorded once; its messages hang off it."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="flips")
    card = models.CharField("新亮牌", max_length=8, choices=Card.choices)
    previous = models.CharField("原亮牌", max_length=8, choices=Card.choices)
    at = models.DateTimeField("扫描时间", db_index=True)

    class Meta:
        verbose_name = "到期监察亮牌记录"
        verbose_name_plural = "到期监察亮牌记录"
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["watch", "at"], name="one_flip_per_watch_and_scan")]


class Reminder(models.Model):
    """One reminder (or digest) about one subject in one period, whoever queues it: the unique key
    is the claim that lets any number of workers run the same reminder job."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    topic = models.CharField("提醒类型", max_length=48)
    # The local day ("2026-03-10") or ISO week ("2026-W11") the reminder belongs to.
    period = models.CharField("周期", max_length=16)
    unit = models.ForeignKey("orgs.Unit", verbose_name="接收单位", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "催办提醒"
        verbose_name_plural = "催办提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "topic", "period"],
                name="one_reminder_per_subject_topic_period",
            )
        ]
