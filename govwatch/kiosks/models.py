"""Self-service kiosks (24小时自助服务终端): the kiosks and the items they offer, what their
monitoring reports (heartbeats and status changes), and their fault tickets with repair deadlines.

Uptime is computed from the signals (govwatch.kiosks.uptime), never stored: a kiosk is up at a
moment when its latest signal by then says up and is recent enough.
"""

from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Step

# A kiosk of a 24-hour self-service area (24小时自助区) is open all day, every day.
ALL_DAY = "00:00-24:00"


class Kiosk(models.Model):
    objects = ScopedQuerySet.as_manager()

    code = models.CharField("终端编号", max_length=64, unique=True)
    name = models.CharField("终端名称", max_length=200)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="kiosks"
    )
    location = models.CharField("放置地点", max_length=200, blank=True)
    # The hours the kiosk should be up ("08:30-12:00,14:00-17:30"); empty: all day.
    hours = models.CharField("服务时间", max_length=200, blank=True)
    # Open every day (a 24-hour area), or on working days only (a kiosk inside a hall).
    every_day = models.BooleanField("每日开放", default=True)
    # A heartbeat older than this means the kiosk went silent (down); 0: the monitoring reports
    # changes of status only, and an "up" lasts until the next "down".
    heartbeat_seconds = models.PositiveIntegerField("心跳超时（秒）", default=600)
    items = models.ManyToManyField("catalog.Item", verbose_name="可办事项", blank=True, related_name="kiosks")
    active = models.BooleanField("在用", default=True)
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "自助终端"
        verbose_name_plural = "自助终端"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def opening(self) -> str:
        return self.hours or ALL_DAY

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from govwatch.orgs.hours import HoursError, normalise_hours

        try:
            self.hours = normalise_hours(self.hours)
        except HoursError as exc:
            raise ValidationError({"hours": str(exc)}) from exc


class KioskRowsQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        return mine.filter(self, "kiosk__unit")


class KioskSignal(models.Model):
    """A heartbeat (up) or a status change (up, down) from the kiosk monitoring: a fact."""

    class Status(models.TextChoices):
        UP = "up", "在线"
        DOWN = "down", "离线"

    objects = KioskRowsQuerySet.as_manager()

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="signals")
    at = models.DateTimeField("时间")
    status = models.CharField("状态", max_length=4, choices=Status.choices)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "终端状态"
        verbose_name_plural = "终端状态"
        constraints = [models.UniqueConstraint(fields=["kiosk", "at"], name="one_signal_per_moment")]


class KioskFault(models.Model):
    """A fault ticket (故障报修): reported, repaired by its deadline (the end of a working day), or
    late. The state machine: open → repaired; repaired → open (the fault came back)."""

    class Category(models.TextChoices):
        PRINTER = "printer", "打印故障"
        NETWORK = "network", "网络中断"
        SCREEN = "screen", "屏幕或触控故障"
        READER = "reader", "证卡读取故障"
        SMS = "sms", "验证码收不到"
        POWER = "power", "断电或死机"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "待修复"
        REPAIRED = "repaired", "已修复"

    objects = KioskRowsQuerySet.as_manager()

    number = models.CharField("报修编号", max_length=100, unique=True)
    kiosk = models.ForeignKey(Kiosk, verbose_name="终端", on_delete=models.PROTECT, related_name="faults")
    category = models.CharField("故障类型", max_length=8, choices=Category.choices, default=Category.OTHER)
    description = FreeTextField("故障描述", blank=True)
    reported_at = models.DateTimeField("报修时间")
    due_date = models.DateField("修复期限")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    repaired_at = models.DateTimeField("修复时间", null=True, blank=True)
    repaired_on = models.DateField("修复日期", null=True, blank=True)  # local date: compared with due_date
    repair_note = FreeTextField("修复情况", blank=True)
    digest = models.CharField(max_length=32, blank=True)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "终端故障"
        verbose_name_plural = "终端故障"
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("kiosks:fault-detail", args=[self.pk])


class FaultStep(Step):
    fault = models.ForeignKey(KioskFault, on_delete=models.CASCADE, related_name="steps")

    class Meta(Step.Meta):
        verbose_name = "故障处理过程"
        verbose_name_plural = "故障处理过程"
