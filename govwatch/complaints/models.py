from __future__ import annotations

from django.db import models
from django.db.models import Q

from govwatch.accounts.permissions import SAMPLE_CALLBACKS, Scope, ScopedQuerySet
from govwatch.cases.models import Case
from govwatch.core.choices import ComplaintCategory, ComplaintKind, ComplaintSource, ComplaintUrgency
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Attachment, Step
from govwatch.core.tree import depth, subtree
from govwatch.orgs.models import Unit


def whole_region(mine: Scope) -> bool:
    """Whether a scope is a whole region's (its root's, or everything): what names no unit yet
    (a complaint awaiting triage, a region-wide plan) is the region's to see."""
    return mine.everything or (mine.path is not None and depth(mine.path) == 0)


class ComplaintQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A complaint is seen by whoever sees the unit it names or the unit of its case; one that
        names neither waits for the region's office to triage it, and is seen from the region's
        root (a whole region's scope)."""
        if Unit.objects.all_visible_to(mine):
            # Every unit and so every complaint (one naming neither unit nor case is the whole
            # region's): no join on the units and the cases to read them.
            return self.all()
        if mine.path is None:
            return self.none()
        # Ids of the units in view, and the numbers of their cases: each an index range, where the
        # join on the units and the cases read the unit and the case of every complaint of the
        # region (1.6 s for a unit's staff on a province's 285,000 complaints, now 0.07 s).
        units = Unit.objects.filter(subtree(mine.path)).values("pk")
        seen = self.filter(
            Q(unit__in=units) | Q(case__in=Case.objects.filter(unit__in=units).values("case_no"))
        )
        if whole_region(mine):
            seen = seen | self.filter(unit__isnull=True, case__isnull=True)
        return seen


class Complaint(models.Model):
    """A complaint (or a consultation, a request for help, a suggestion, a report) from the 12345
    hotline, the mayor's line, a "not satisfied? ask me" window, the web, a letter or an inspection,
    and its handling: triage by the service office, the unit's investigation and finding, the reply
    to the complainant, the callback, closure or reopening.

    The complaint owns its state machine: `TRANSITIONS` lists every allowed step and
    `govwatch.complaints.handling` checks each against it in one place (`can_move_to`). Its
    deadline is stored (`due_date`) and computed by `govwatch.complaints.deadlines` only; its card
    is its watched deadline's (`govwatch.complaints.watching`), given by e-supervision's scan.
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
    content = FreeTextField("内容")
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

    triaged_at = models.DateTimeField("分办时间", null=True, blank=True)
    finding = models.CharField("核查结论", max_length=16, choices=Finding.choices, blank=True)
    finding_text = FreeTextField("核查情况", blank=True)
    found_at = models.DateTimeField("核查时间", null=True, blank=True)
    reply = FreeTextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    callback_result = models.CharField("回访结果", max_length=16, choices=Callback.choices, blank=True)
    callback_note = FreeTextField("回访情况", blank=True)
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
            # Every unit's complaint figures of a period (govwatch.complaints.figures.counts) are
            # read from these two indexes alone: received by `at`, closed by status and `closed_at`.
            models.Index(fields=["at", "unit", "repeat_of"], name="complaints_received_figures"),
            # The screen's and the bulletin's complaints by category, from the index alone.
            models.Index(fields=["at", "unit", "category"], name="complaints_by_category"),
            models.Index(fields=["status", "at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(
                fields=["status", "closed_at", "unit", "closed_on_time", "finding", "callback_result"],
                name="complaints_closed_figures",
            ),
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


class ComplaintStep(Step):
    """One step of a complaint's timeline; an overdue complaint's step names the order it caused."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    order = models.ForeignKey(
        "supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True, on_delete=models.PROTECT
    )
    # For a "supervised" step: the deadline that was missed (one order per deadline).
    due = models.DateField("逾期期限", null=True, blank=True)

    class Meta(Step.Meta):
        verbose_name = "投诉办理过程"
        verbose_name_plural = "投诉办理过程"
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "due"],
                condition=models.Q(kind="supervised"),
                name="one_order_per_complaint_due",
            )
        ]

    @property
    def linked_order(self):
        return self.order if self.order_id else None

    @property
    def files(self):
        return self.attachments.all()


class ComplaintAttachmentQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """Evidence is seen with its complaint."""
        return self.filter(complaint__in=Complaint.objects.visible_to(mine))


class ComplaintAttachment(Attachment):
    """Evidence of a finding or a reply; kept whole, with its digest."""

    objects = ComplaintAttachmentQuerySet.as_manager()

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(ComplaintStep, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="complaints/%Y/%m/")


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


# -- callback sampling (回访抽查) ---------------------------------------------------------------------
def regional(rows: models.QuerySet, mine: Scope) -> models.QuerySet:
    """Rows that name a unit (seen with its subtree) or none (the whole region's: seen from the
    region's root)."""
    seen = mine.filter(rows, "unit")
    return seen | rows.filter(unit__isnull=True) if whole_region(mine) and not mine.everything else seen


class SamplingPlanQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A plan is the supervisors' working paper: seen by those who sample, over its range."""
        return regional(self, mine) if mine.may(SAMPLE_CALLBACKS) else self.none()


class SampledCallQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        return self.filter(plan__in=SamplingPlan.objects.visible_to(mine))


class SamplingPlan(models.Model):
    """A callback sampling plan (回访抽查) of a period: a share of the real-name evaluations and of
    the closed complaints, drawn per unit from a seed so that the same seed draws the same sample;
    the inspection group calls each citizen back to check the record is genuine."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待抽取"
        DRAWN = "drawn", "回访中"
        FINISHED = "finished", "已完成"

    TRANSITIONS = {
        Status.DRAFT: {Status.DRAWN},
        Status.DRAWN: {Status.FINISHED},
        Status.FINISHED: set(),
    }

    objects = SamplingPlanQuerySet.as_manager()

    name = models.CharField("名称", max_length=200)
    date_from = models.DateField("期间自")
    date_to = models.DateField("期间至")
    evaluation_share = models.DecimalField("评价抽取比例", max_digits=5, decimal_places=4)
    complaint_share = models.DecimalField("办结投诉抽取比例", max_digits=5, decimal_places=4)
    minimum = models.PositiveSmallIntegerField("每单位至少抽取", default=1)
    seed = models.PositiveIntegerField("随机种子")
    # The units sampled (a unit and its subtree); NULL: the whole region.
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="抽查范围", null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("创建时间")
    created_by = models.CharField("创建人", max_length=150)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "回访抽查计划"
        verbose_name_plural = "回访抽查计划"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("complaints:plan", args=[self.pk])


class SampledCall(models.Model):
    """One citizen to call back: the evaluation or closed complaint drawn, and the call's outcome."""

    class Subject(models.TextChoices):
        EVALUATION = "evaluation", "评价"
        COMPLAINT = "complaint", "投诉"

    class Outcome(models.TextChoices):
        PENDING = "pending", "待回访"
        CONFIRMED = "confirmed", "情况属实"
        DENIED = "denied", "与记录不符"
        NOT_REACHED = "not_reached", "未联系上"

    objects = SampledCallQuerySet.as_manager()

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="calls")
    subject = models.CharField("回访对象", max_length=12, choices=Subject.choices)
    evaluation = models.ForeignKey("evaluations.Evaluation", null=True, blank=True, on_delete=models.PROTECT)
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", on_delete=models.PROTECT)
    outcome = models.CharField("回访结果", max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    note = FreeTextField("回访情况", blank=True)
    called_at = models.DateTimeField("回访时间", null=True, blank=True)
    caller = models.CharField("回访人", max_length=150, blank=True)

    class Meta:
        verbose_name = "回访抽查记录"
        verbose_name_plural = "回访抽查记录"
        ordering = ["unit__path", "subject", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "evaluation"], name="one_call_per_plan_evaluation"),
            models.UniqueConstraint(fields=["plan", "complaint"], name="one_call_per_plan_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.pk}"

    @property
    def record(self):
        return self.evaluation if self.subject == self.Subject.EVALUATION else self.complaint

    @property
    def phone_enc(self) -> str:
        record = self.record
        return record.evaluator_enc if self.subject == self.Subject.EVALUATION else record.contact_enc
