from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.choices import ApplicantType, Card, CaseChannel, CaseStatus, EventKind
from govwatch.core.fields import FreeTextField
from govwatch.orgs.models import Unit


class CaseQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A case is seen by whoever sees its handling unit."""
        return mine.filter(self, "unit")

    def counted_for(self, mine: Scope) -> models.QuerySet:
        """The cases `mine` sees, written for counting: all of them for a scope that sees every
        unit, else those whose unit is among the ids of the units in view. The same rows as
        `visible_to`, but counted inside the indexes that lead with the status and the unit, where
        the join on the unit tree reads every case it counts (half a million for a province)."""
        if Unit.objects.all_visible_to(mine):
            return self.all()
        return self.filter(unit__in=Unit.objects.visible_to(mine).values("pk"))

    def in_hand_counts(self, today: date) -> dict[str, int]:
        """Of these cases, those in hand: how many (open or suspended), suspended, overdue (open
        past their due date), and open with a yellow or a red card; one pass over the in-hand
        entries of the `case_in_hand` index, which holds every column asked about."""
        is_open = Q(status=CaseStatus.OPEN)
        if not self.query.where:
            # Every case (a scope that sees the whole region): each count is a narrow range of an
            # index of its own, (status, due_date) or (card, status, unit), and the in-hand total
            # is counted inside (status, due_date) without testing a column. On a province's
            # 500,000 in-hand cases: about 25 ms, against 170-270 ms for the one pass below.
            return {
                "open": self.filter(status__in=[CaseStatus.OPEN, CaseStatus.SUSPENDED]).count(),
                "suspended": self.filter(status=CaseStatus.SUSPENDED).count(),
                "overdue": self.filter(is_open, due_date__lt=today).count(),
                "yellow": self.filter(is_open, card=Card.YELLOW).count(),
                "red": self.filter(is_open, card=Card.RED).count(),
            }
        counts = self.filter(status__in=[CaseStatus.OPEN, CaseStatus.SUSPENDED]).aggregate(
            open=Count("pk"),
            suspended=Count("pk", filter=Q(status=CaseStatus.SUSPENDED)),
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
            yellow=Count("pk", filter=is_open & Q(card=Card.YELLOW)),
            red=Count("pk", filter=is_open & Q(card=Card.RED)),
        )
        return {key: value or 0 for key, value in counts.items()}


class Case(models.Model):
    """One application (办件) and where its handling stands.

    The status, due date and suspensions are derived from the case's events by
    `govwatch.cases.deadlines.derive` and stored so that lists, boards and figures are indexed
    queries; they are only ever written from that derivation.
    """

    objects = CaseQuerySet.as_manager()

    case_no = models.CharField("业务编号", max_length=64, unique=True)
    # No index of their own: (unit, accepted_on) and (item, accepted_on) below lead with them.
    item = models.ForeignKey(
        "catalog.Item", verbose_name="事项", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="办理单位", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    channel = models.CharField("渠道", max_length=16, choices=CaseChannel.choices, default=CaseChannel.WINDOW)
    applicant_type = models.CharField(
        "申请人类型", max_length=16, choices=ApplicantType.choices, default=ApplicantType.PERSON
    )
    window_code = models.CharField("窗口编号", max_length=64, blank=True)
    staff_code = models.CharField("经办人编号", max_length=64, blank=True)

    status = models.CharField("状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    accepted_at = models.DateTimeField("受理时间")
    accepted_on = models.DateField("受理日期")
    closed_at = models.DateTimeField("办结/退件/撤回时间", null=True, blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    due_date = models.DateField("到期日")
    provisional = models.BooleanField("临时期限", default=False, help_text="依赖尚未发布节假日安排的年份")
    completed_on_time = models.BooleanField("按时办结", null=True)
    suspended_days = models.PositiveIntegerField("挂起工作日", default=0)

    # Card as of the last scan, and the next moment the card may change (the scan's index).
    card = models.CharField(
        "亮牌", max_length=8, choices=Card.choices, default=Card.NONE, db_default=Card.NONE
    )
    card_at = models.DateTimeField("亮牌扫描时间", null=True, blank=True)
    # NULL means "not evaluated since its events changed": every writer of a case resets it.
    next_card_at = models.DateTimeField("下次状态变化", null=True, blank=True, db_index=True)
    # What the last scan saw: "" (not yet accepted or never scanned), open, suspended or closed.
    scan_state = models.CharField(max_length=10, blank=True, default="", db_default="")

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["unit", "accepted_on"]),
            models.Index(fields=["item", "accepted_on"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["accepted_on"]),
            models.Index(fields=["closed_on"]),
            # What is in hand, counted per scope without reading a case (the home page, the to-do
            # list): half a million open cases of a province are one pass over this index.
            models.Index(fields=["status", "unit", "card", "provisional", "due_date"], name="case_in_hand"),
            # The cards open cases carry now, per unit (the big screen): read from this index alone.
            models.Index(fields=["card", "status", "unit"], name="cases_case_card_unit"),
        ]

    def __str__(self) -> str:
        return self.case_no

    def get_absolute_url(self) -> str:
        return reverse("case-detail", args=[self.case_no])

    @property
    def completed_at(self):
        return self.closed_at if self.status == CaseStatus.COMPLETED else None

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.OPEN, CaseStatus.SUSPENDED)


class CaseEvent(models.Model):
    """One step of a case as reported by the handling system; facts, never edited."""

    event_id = models.CharField("事件编号", max_length=200, unique=True)
    # No index of its own: (case, at) below leads with it.
    case = models.ForeignKey(
        Case,
        to_field="case_no",
        db_column="case_no",
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    kind = models.CharField("环节", max_length=16, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    item_code = models.CharField("事项编码", max_length=64, blank=True)
    unit_code = models.CharField("办理单位编码", max_length=64, blank=True)
    channel = models.CharField("渠道", max_length=16, blank=True)
    applicant_type = models.CharField("申请人类型", max_length=16, blank=True)
    window_code = models.CharField("窗口编号", max_length=64, blank=True)
    staff_code = models.CharField("经办人编号", max_length=64, blank=True)
    reason = FreeTextField("原因", blank=True)
    # Digest of the row's content: a re-sent event with the same key and other content is refused.
    digest = models.CharField(max_length=32)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "办件过程"
        verbose_name_plural = "办件过程"
        indexes = [models.Index(fields=["case", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Suspension(models.Model):
    """A period when the clock of a case was stopped (挂起/暂停计时)."""

    # No index of its own: (case, started_at) below leads with it.
    case = models.ForeignKey(
        Case,
        to_field="case_no",
        db_column="case_no",
        on_delete=models.CASCADE,
        related_name="suspensions",
        db_index=False,
    )
    started_at = models.DateTimeField("挂起时间")
    ended_at = models.DateTimeField("恢复时间", null=True, blank=True)
    workdays = models.PositiveIntegerField("顺延工作日", default=0)
    reason = FreeTextField("原因", blank=True)

    class Meta:
        verbose_name = "挂起记录"
        verbose_name_plural = "挂起记录"
        ordering = ["started_at"]
        indexes = [models.Index(fields=["case", "started_at"])]


class StaleDay(models.Model):
    """A unit's day whose pre-computed figures (govwatch.figures) no longer match the facts.

    Written in the same transaction as the facts that changed (`govwatch.cases.stale.mark_stale`),
    so no change can be committed without its mark; the figures' worker job folds the marks
    (recomputes each marked unit from its earliest marked day) and deletes them. Duplicates are
    allowed: writing a mark is one INSERT on the import's hot path, folding collapses them.
    """

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    day = models.DateField()

    class Meta:
        verbose_name = "待重算的单位日"
        verbose_name_plural = "待重算的单位日"
        indexes = [models.Index(fields=["unit", "day"])]
