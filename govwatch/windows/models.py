"""Window operations (窗口服务): the windows of the halls and the staff at them, the clock system's
attendance records and the absences from post that inspections and complaints report, the queue
system's tickets, the services for people who need help (帮办代办, 上门办理) and the quarterly
gold-medal window (金牌窗口).

A window's code is unique within its region (the district that holds its unit): the case events,
evaluations and queue tickets of contract section 2 name a window by its code alone, and the same
codes recur from one district to the next. Staff codes are unique everywhere (contract section 12).
"""

from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.fields import EncryptedTextField, FreeTextField
from govwatch.core.models import Step


class Window(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", "综合窗口"
        DEDICATED = "dedicated", "专窗"
        ASSIST = "assist", "帮办代办窗口"
        COMPLAINT = "complaint", "不满意请找我窗口"

    objects = ScopedQuerySet.as_manager()

    code = models.CharField("窗口编号", max_length=64)
    name = models.CharField("窗口名称", max_length=100, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="windows"
    )
    # The district whose hall numbers the window: what makes its code unique.
    region = models.ForeignKey(
        "orgs.Unit", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("窗口类型", max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    active = models.BooleanField("在用", default=True)
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["region", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="window_code_per_region")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def label(self) -> str:
        return self.name or f"{self.code}号窗口"


class Staff(models.Model):
    """A person at a window, the unit's own or a third party's (第三方人员, e.g. an agency's)."""

    objects = ScopedQuerySet.as_manager()

    staff_code = models.CharField("人员编号", max_length=64, unique=True)
    name = models.CharField("姓名", max_length=100)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="staff"
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    phone = EncryptedTextField("联系电话", blank=True)
    third_party = models.BooleanField("第三方人员", default=False)
    active = models.BooleanField("在岗", default=True)
    digest = models.CharField(max_length=32, blank=True)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "窗口人员"
        verbose_name_plural = "窗口人员"
        ordering = ["staff_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_code}）"


class StaffRowsQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        return mine.filter(self, "staff__unit")


class AttendanceRecord(models.Model):
    """One clock-in or clock-out (签到, 签退) from the clock system: a fact, never edited.

    `day` and `micros` are the local date of `at` and the microseconds since that local midnight,
    kept beside it so that a province's month is counted by one indexed GROUP BY
    (govwatch.windows.attendance), to the exact instant the contract's rule needs.
    """

    class Kind(models.TextChoices):
        IN = "in", "签到"
        OUT = "out", "签退"

    objects = StaffRowsQuerySet.as_manager()

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="attendance")
    at = models.DateTimeField("打卡时间")
    kind = models.CharField("类型", max_length=3, choices=Kind.choices)
    day = models.DateField("日期")
    micros = models.PositiveBigIntegerField("当日时刻（微秒）")
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "考勤记录"
        verbose_name_plural = "考勤记录"
        constraints = [models.UniqueConstraint(fields=["staff", "at", "kind"], name="one_clock_record")]
        indexes = [models.Index(fields=["day", "staff"])]


class AbsenceReport(models.Model):
    """Absence from post during opening hours (脱岗, 空岗) found by an inspection or reported by a
    complaint of category absence, tied to the staff member it concerns."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", "监督检查"
        COMPLAINT = "complaint", "投诉"
        PATROL = "patrol", "大厅巡查"
        VIDEO = "video", "视频巡查"

    objects = StaffRowsQuerySet.as_manager()

    staff = models.ForeignKey(Staff, verbose_name="人员", on_delete=models.PROTECT, related_name="absences")
    at = models.DateTimeField("发现时间")
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    # The complaint's number (投诉编号) or the inspection's record number.
    reference = models.CharField("来源编号", max_length=100, blank=True)
    note = FreeTextField("情况说明")
    recorded_by = models.CharField("登记人", max_length=150)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "脱岗记录"
        verbose_name_plural = "脱岗记录"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "at", "source", "reference"], name="one_absence_report")
        ]


class TicketQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A ticket is seen by whoever sees its hall or the unit of the window that called it."""
        return mine.filter(self, "unit", "window__unit")


class QueueTicket(models.Model):
    """A ticket of a hall's queue system: taken, called to a window, served; a fact, never edited.

    A ticket never called was given up (过号/弃号). `day` and `taken_second` are the local date
    and second of the day it was taken; the waits are seconds. They are kept beside the moments so
    that a province's tickets are grouped by window, day and hour in SQL.
    """

    objects = TicketQuerySet.as_manager()

    ticket_id = models.CharField("票号编号", max_length=100, unique=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name="服务大厅", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("号码", max_length=32, blank=True)
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    taken_at = models.DateTimeField("取号时间")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    served_at = models.DateTimeField("办结时间", null=True, blank=True)
    day = models.DateField("日期")
    taken_second = models.PositiveIntegerField("取号时刻（当日秒数）")
    wait_seconds = models.PositiveIntegerField("等候秒数", null=True, blank=True)
    service_seconds = models.PositiveIntegerField("办理秒数", null=True, blank=True)
    digest = models.CharField(max_length=32)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "排队取号"
        verbose_name_plural = "排队取号"
        indexes = [models.Index(fields=["day", "unit"]), models.Index(fields=["window", "day"])]


class AssistedService(models.Model):
    """A request for help (帮办代办) or for a service at home (上门办理) from someone who needs it:
    who asked (the group, never the person in clear), what for, the staff who helped, the outcome.

    The state machine: requested → helping → done | unresolved; requested or helping →
    cancelled. `TRANSITIONS` is checked in one place (govwatch.windows.assists).
    """

    class Kind(models.TextChoices):
        ASSIST = "assist", "帮办"
        PROXY = "proxy", "代办"
        HOME = "home", "上门办理"

    class Group(models.TextChoices):
        ELDERLY = "elderly", "老年人"
        DISABLED = "disabled", "残障人士"
        ENTERPRISE = "enterprise", "企业和项目"
        OTHER = "other", "其他群众"

    class Status(models.TextChoices):
        REQUESTED = "requested", "待服务"
        HELPING = "helping", "服务中"
        DONE = "done", "已办成"
        UNRESOLVED = "unresolved", "未办成"
        CANCELLED = "cancelled", "已取消"

    S = Status
    TRANSITIONS = {
        S.REQUESTED: {S.HELPING, S.DONE, S.UNRESOLVED, S.CANCELLED},
        S.HELPING: {S.DONE, S.UNRESOLVED, S.CANCELLED},
        S.DONE: set(),
        S.UNRESOLVED: set(),
        S.CANCELLED: set(),
    }
    OPEN = (S.REQUESTED, S.HELPING)

    objects = ScopedQuerySet.as_manager()

    number = models.CharField("服务编号", max_length=100, unique=True)
    kind = models.CharField("服务类型", max_length=8, choices=Kind.choices)
    group = models.CharField("服务对象", max_length=12, choices=Group.choices, default=Group.OTHER)
    unit = models.ForeignKey("orgs.Unit", verbose_name="服务单位", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "catalog.Item", verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matter = models.CharField("所办事项", max_length=300, blank=True)
    case_no = models.CharField("业务编号", max_length=64, blank=True)
    requested_at = models.DateTimeField("申请时间")
    # Applicant's contact and, for a service at home, the address: personal data, never shown whole.
    contact = EncryptedTextField("联系方式", blank=True)
    address = EncryptedTextField("上门地址", blank=True)
    scheduled_on = models.DateField("预约日期", null=True, blank=True)
    helpers = models.ManyToManyField(Staff, verbose_name="服务人员", blank=True, related_name="assists")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REQUESTED)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    outcome = FreeTextField("服务结果", blank=True)
    digest = models.CharField(max_length=32, blank=True)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "帮办代办"
        verbose_name_plural = "帮办代办"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["unit", "requested_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class AssistStep(Step):
    service = models.ForeignKey(AssistedService, on_delete=models.CASCADE, related_name="steps")

    class Meta(Step.Meta):
        verbose_name = "帮办代办过程"
        verbose_name_plural = "帮办代办过程"


class GoldRules(models.Model):
    """How a region scores its windows for the gold medal (金牌窗口评定方案): the weight of each
    part, the volume a window needs to be ranked, how many medals a quarter gives.

    One row per region; a region without one uses the defaults (`govwatch.windows.gold.DEFAULTS`).
    """

    region = models.OneToOneField(
        "orgs.Unit", verbose_name="区域", on_delete=models.CASCADE, related_name="+"
    )
    satisfaction = models.PositiveSmallIntegerField("满意度权重")
    on_time = models.PositiveSmallIntegerField("按时办结权重")
    complaints = models.PositiveSmallIntegerField("投诉权重")
    attendance = models.PositiveSmallIntegerField("考勤权重")
    queue = models.PositiveSmallIntegerField("排队等候权重")
    medals = models.PositiveSmallIntegerField("每季度评选数量")
    min_volume = models.PositiveIntegerField("参评最低业务量")
    wait_target_minutes = models.PositiveSmallIntegerField("等候时间目标（分钟）")
    complaint_points = models.PositiveSmallIntegerField("每件投诉扣分")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "金牌窗口评定方案"
        verbose_name_plural = "金牌窗口评定方案"


class GoldRound(models.Model):
    """One quarter's ranking of a region's windows, with the rules it used (a copy, so that changing
    the rules later never changes a published ranking). A draft may be computed again; once the
    medals are awarded it is frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待评定"
        AWARDED = "awarded", "已评定"

    region = models.ForeignKey("orgs.Unit", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    rules = models.JSONField("评定方案")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField("计算时间")
    through = models.DateField("统计截至")
    computed_by = models.CharField("计算人", max_length=150)
    awarded_at = models.DateTimeField("评定时间", null=True, blank=True)
    awarded_by = models.CharField("评定人", max_length=150, blank=True)

    class Meta:
        verbose_name = "金牌窗口评选"
        verbose_name_plural = "金牌窗口评选"
        ordering = ["-year", "-quarter", "region"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "quarter"], name="one_gold_round")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


class GoldEntry(models.Model):
    """A window's scores in a round (0-100 each, null without data), its weighted score and rank
    (null when its volume is below the rules' minimum), and its medal and certificate number."""

    round = models.ForeignKey(GoldRound, on_delete=models.CASCADE, related_name="entries")
    window = models.ForeignKey(Window, verbose_name="窗口", on_delete=models.PROTECT, related_name="gold")
    volume = models.PositiveIntegerField("业务量")
    satisfaction = models.DecimalField("满意度", max_digits=5, decimal_places=2, null=True)
    on_time = models.DecimalField("按时办结", max_digits=5, decimal_places=2, null=True)
    complaints = models.DecimalField("投诉", max_digits=5, decimal_places=2, null=True)
    attendance = models.DecimalField("考勤", max_digits=5, decimal_places=2, null=True)
    queue = models.DecimalField("排队等候", max_digits=5, decimal_places=2, null=True)
    score = models.DecimalField("综合得分", max_digits=5, decimal_places=2, null=True)
    rank = models.PositiveIntegerField("名次", null=True)
    medal = models.BooleanField("金牌窗口", default=False)
    certificate_no = models.CharField("证书编号", max_length=64, blank=True)
    # What each part was computed from, for the page that explains the score.
    basis = models.JSONField("计算依据", default=dict)

    class Meta:
        verbose_name = "金牌窗口得分"
        verbose_name_plural = "金牌窗口得分"
        ordering = ["round", models.F("rank").asc(nulls_last=True), "window__code"]
        constraints = [models.UniqueConstraint(fields=["round", "window"], name="one_gold_entry")]
