from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.choices import Card, ComplaintCategory, ComplaintKind, ComplaintSource, ComplaintUrgency
from govwatch.core.tree import depth


class ComplaintQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A complaint is seen by whoever sees the unit it names or the unit of its case; one that
        names neither waits for the region's office to triage it, and is seen from the region's
        root (a whole region's scope)."""
        seen = mine.filter(self, "unit", "case__unit")
        if mine.path is not None and not mine.everything and depth(mine.path) == 0:
            seen = seen | self.filter(unit__isnull=True, case__isnull=True)
        return seen


class Complaint(models.Model):
    """A complaint (or a consultation, a request for help, a suggestion, a report) from the 12345
    hotline, the mayor's line, a "not satisfied? ask me" window, the web, a letter or an inspection,
    and its handling: triage by the service office, the unit's investigation and finding, the reply
    to the complainant, the callback, closure or reopening.

    The complaint owns its state machine: `TRANSITIONS` lists every allowed step and
    `govwatch.complaints.services` checks each against it in one place (`can_move_to`). Its
    deadline and card are stored (`due_date`, `card`) and computed by
    `govwatch.complaints.deadlines` only.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "待分办"
        ASSIGNED = "assigned", "待核查"
        FOUND = "found", "待答复"
        REPLIED = "replied", "待回访"
        CALLED_BACK = "called_back", "待办结"
        CLOSED = "closed", "已办结"
        DISMISSED = "dismissed", "不予受理"

    class Finding(models.TextChoices):
        SUBSTANTIATED = "substantiated", "属实"
        PARTLY = "partly", "部分属实"
        UNSUBSTANTIATED = "unsubstantiated", "不属实"

    class Callback(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"
        UNREACHABLE = "unreachable", "无法联系"

    class Repeat(models.TextChoices):
        CONTACT = "contact", "同一联系人"
        CASE = "case", "同一办件"

    S = Status
    TRANSITIONS = {
        # The office triages (分办) or dismisses (spam, nothing to handle).
        S.RECEIVED: {S.ASSIGNED, S.DISMISSED},
        # The unit records its finding, or sends the complaint back as not its own (退回).
        S.ASSIGNED: {S.FOUND, S.RECEIVED},
        S.FOUND: {S.REPLIED},
        S.REPLIED: {S.CALLED_BACK},
        # The office closes, or reopens when the complainant is not satisfied (重新办理).
        S.CALLED_BACK: {S.CLOSED, S.ASSIGNED},
        S.CLOSED: set(),
        S.DISMISSED: set(),
    }
    DONE = (S.CLOSED, S.DISMISSED)
    # Kinds whose finding says whether the complaint holds (a consultation has nothing to hold).
    FOUND_KINDS = (ComplaintKind.COMPLAINT, ComplaintKind.REPORT)
    SATISFIED = (Callback.SATISFIED, Callback.BASICALLY)

    objects = ComplaintQuerySet.as_manager()

    complaint_id = models.CharField("投诉编号", max_length=100, unique=True)
    at = models.DateTimeField("投诉时间")
    source = models.CharField("来源", max_length=16, choices=ComplaintSource.choices)
    content = models.TextField("内容")
    kind = models.CharField(
        "诉求类型", max_length=12, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT
    )
    urgency = models.CharField(
        "紧急程度", max_length=8, choices=ComplaintUrgency.choices, default=ComplaintUrgency.NORMAL
    )
    # The unit complained about, which handles it: named by the source system or by the triage.
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        to_field="case_no",
        db_column="case_no",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    category = models.CharField("类别", max_length=16, choices=ComplaintCategory.choices, blank=True)
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True)
    contact_enc = models.TextField(blank=True)
    digest = models.CharField(max_length=32)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    # The deadline counts from `clock_from` (the complaint's date; a reopening's date once reopened).
    clock_from = models.DateField("起算日期", null=True)
    due_date = models.DateField("办理期限", null=True)
    provisional = models.BooleanField("期限待定", default=False)
    # The card of the last scan, and the next moment it may change (NULL: not evaluated since the
    # complaint changed): the scan's index, as on cases.
    card = models.CharField("亮牌", max_length=8, choices=Card.choices, default=Card.NONE)
    card_at = models.DateTimeField("亮牌时间", null=True, blank=True)
    next_card_at = models.DateTimeField(null=True, blank=True, db_index=True)

    triaged_at = models.DateTimeField("分办时间", null=True, blank=True)
    finding = models.CharField("核查结论", max_length=16, choices=Finding.choices, blank=True)
    finding_text = models.TextField("核查情况", blank=True)
    found_at = models.DateTimeField("核查时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    callback_result = models.CharField("回访结果", max_length=16, choices=Callback.choices, blank=True)
    callback_note = models.TextField("回访情况", blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_on_time = models.BooleanField("按期办结", null=True)
    reopened_count = models.PositiveSmallIntegerField("重办次数", default=0)

    # The first complaint of the matter this one repeats (same contact or same case, within
    # settings.COMPLAINT_REPEAT_DAYS of it); NULL for the first of a matter.
    repeat_of = models.ForeignKey(
        "self",
        verbose_name="重复件之首件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    repeat_reason = models.CharField("重复原因", max_length=8, choices=Repeat.choices, blank=True)
    # The content's words as jieba segments them (govwatch.dispatch.learn.segment), kept so that
    # retraining the dispatch model does not segment the whole history again; "" until done.
    terms = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        indexes = [
            models.Index(fields=["unit", "at"]),
            models.Index(fields=["at"]),
            models.Index(fields=["status", "at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["closed_at"]),
        ]

    def __str__(self) -> str:
        return self.complaint_id

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in self.DONE

    @property
    def finding_applies(self) -> bool:
        return self.kind in self.FOUND_KINDS

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of_id is not None


class ComplaintStep(models.Model):
    """One step of a complaint's timeline; an overdue complaint's step names the order it caused."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField("时间")
    kind = models.CharField("环节", max_length=16)
    actor = models.CharField("操作人", max_length=150)
    text = models.TextField("内容", blank=True)
    order = models.ForeignKey(
        "supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True, on_delete=models.PROTECT
    )
    # For a "supervised" step: the deadline that was missed (one order per deadline).
    due = models.DateField("逾期期限", null=True, blank=True)

    class Meta:
        verbose_name = "投诉办理过程"
        verbose_name_plural = "投诉办理过程"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "due"],
                condition=models.Q(kind="supervised"),
                name="one_order_per_complaint_due",
            )
        ]


class ComplaintAttachment(models.Model):
    """Evidence of a finding or a reply; kept whole, with its digest."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(ComplaintStep, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="complaints/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class DispatchRecord(models.Model):
    """A dispatch suggestion (智能派单) shown at triage and what the office did with it: accepted
    (the first unit suggested), or another unit chosen. The record of how good the suggestions are."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="dispatches")
    model = models.ForeignKey("dispatch.TrainedModel", null=True, blank=True, on_delete=models.SET_NULL)
    # [{"unit_code", "score"}, ...], best first, as suggested.
    units = models.JSONField("建议单位", default=list)
    category = models.CharField("建议类别", max_length=16, blank=True)
    chosen_unit = models.ForeignKey("orgs.Unit", verbose_name="分办单位", on_delete=models.PROTECT)
    accepted = models.BooleanField("采纳建议")
    # Where the chosen unit stood among the suggested ones (1 = first), or None when not among them.
    rank = models.PositiveSmallIntegerField("建议名次", null=True, blank=True)
    at = models.DateTimeField("分办时间")
    actor = models.CharField("操作人", max_length=150)

    class Meta:
        verbose_name = "智能派单记录"
        verbose_name_plural = "智能派单记录"
        ordering = ["-at", "-id"]
