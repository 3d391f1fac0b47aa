from __future__ import annotations

from django.db import models
from django.urls import reverse

from govwatch.accounts.permissions import ISSUE_LETTERS, Scope, ScopedQuerySet
from govwatch.core.choices import EvalChannel, EvalLevel
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Attachment, Step

from . import rules

# The national content items of an evaluation (政务服务"好差评"评价内容), each scored 1-5.
EVAL_ITEMS: dict[str, str] = {
    "overall": "总体满意度",
    "efficiency": "办事效率",
    "attitude": "服务态度",
    "guidance": "指引准确性",
    "convenience": "便捷程度",
}
# Reasons a citizen may tick for a negative review.
NEGATIVE_TAGS: dict[str, str] = {
    "slow": "办理时间长",
    "runaround": "多次跑动",
    "attitude": "态度不好",
    "unclear": "指引不清",
    "rules": "政策执行不一",
    "system": "系统不好用",
    "absent": "窗口无人",
    "other": "其他",
}


class EvaluationQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """An evaluation is seen by whoever sees the unit it rates."""
        return mine.filter(self, "unit")

    def negative(self) -> models.QuerySet:
        """The negative reviews (差评): `rules.is_negative` as a query."""
        return self.filter(level__in=rules.negative_levels())

    def supervised(self) -> models.QuerySet:
        """The reviews on the supervisors' special-supervision list: `rules.is_supervised` as a query."""
        return self.filter(level__in=rules.supervised_levels())


class EvaluationFacts(models.Model):
    """What another system recorded of one evaluation: the fields of contract section 2 but the case."""

    objects = EvaluationQuerySet.as_manager()

    eval_id = models.CharField("评价编号", max_length=100, unique=True)
    level = models.PositiveSmallIntegerField("评价等级", choices=EvalLevel.choices)
    at = models.DateTimeField("评价时间")
    channel = models.CharField(
        "评价渠道", max_length=16, choices=EvalChannel.choices, default=EvalChannel.DEVICE
    )
    window_code = models.CharField("窗口编号", max_length=64, blank=True)
    # The evaluator is personal data: a keyed hash for matching and the encrypted value, never clear.
    evaluator_hash = models.CharField(max_length=64, blank=True, db_index=True)
    evaluator_enc = models.TextField(blank=True)
    auto = models.BooleanField("默认评价", default=False)
    comment = FreeTextField("评价内容", blank=True)
    digest = models.CharField(max_length=32)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.eval_id


class Evaluation(EvaluationFacts):
    """A good/bad review (好差评) of a case or of a unit."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        to_field="case_no",
        db_column="case_no",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="evaluations"
    )
    # Collected by GovWatch's own pages: item scores (EVAL_ITEMS, 1-5) and negative reasons
    # (NEGATIVE_TAGS). Imported rows carry neither, hence the defaults.
    scores = models.JSONField("分项评分", default=dict, blank=True)
    tags = models.JSONField("差评原因", default=list, blank=True)
    # Set when the service office upholds the unit's appeal (申诉复核): the review was shown to be
    # mistaken or malicious. The fact itself stays as recorded; figures may leave it out.
    appeal_upheld = models.BooleanField("申诉成立", default=False)

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        indexes = [
            models.Index(fields=["unit", "at"]),
            models.Index(fields=["at"]),
            # The negative-intake job looks for low levels every minute; the reasons of a period's
            # negative reviews (差评原因排行) are found by level and moment.
            models.Index(fields=["level", "at"], name="evaluations_level_at"),
        ]

    @property
    def is_negative(self) -> bool:
        return rules.is_negative(self.level)

    @property
    def real_name(self) -> bool:
        """The citizen left an identity, so a callback is owed (回访率 100%)."""
        return bool(self.evaluator_hash)

    def score_rows(self) -> list[tuple[str, int]]:
        return [(label, self.scores[key]) for key, label in EVAL_ITEMS.items() if key in self.scores]

    def tag_labels(self) -> list[str]:
        return [NEGATIVE_TAGS.get(t, t) for t in self.tags]


class PendingEvaluation(EvaluationFacts):
    """An imported or pushed evaluation whose case GovWatch does not have (contract section 8).

    Evaluation data often arrives before its case data, and an evaluation of a case that never
    existed is the evidence of a false report (虚报): so it is kept, here, outside every figure, and
    moves to `Evaluation` the moment its case arrives (`govwatch.evaluations.pending`).
    """

    case_no = models.CharField("业务编号", max_length=64, db_index=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="pending_evaluations"
    )
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "待匹配评价"
        verbose_name_plural = "待匹配评价"
        indexes = [models.Index(fields=["at"])]


class TaskQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A task is seen by whoever sees its responsible unit."""
        return mine.filter(self, "unit")


class RectificationTask(models.Model):
    """The closed loop of one negative review (差评整改): the unit verifies, rectifies and calls
    the citizen back, the supervisors review; the unit may appeal to the service office.

    The task owns its state machine: `TRANSITIONS` lists every allowed step and `rectification._move` checks each
    against it in one place.
    """

    objects = TaskQuerySet.as_manager()

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        VERIFIED = "verified", "待整改"
        RECTIFIED = "rectified", "待回访"
        CALLED_BACK = "called_back", "待审核"
        RETURNED = "returned", "退回整改"
        APPEALING = "appealing", "申诉中"
        CLOSED = "closed", "已办结"
        APPEAL_UPHELD = "appeal_upheld", "申诉成立"

    class Callback(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        DISSATISFIED = "dissatisfied", "不满意"
        UNREACHABLE = "unreachable", "无法联系"

    class Appeal(models.TextChoices):
        UPHELD = "upheld", "申诉成立"
        REJECTED = "rejected", "申诉驳回"

    # A review found unsubstantiated needs no measures: the unit explains it on the callback.
    TRANSITIONS = {
        Status.OPEN: {Status.VERIFIED, Status.APPEALING},
        Status.VERIFIED: {Status.RECTIFIED, Status.CALLED_BACK, Status.APPEALING},
        Status.RECTIFIED: {Status.CALLED_BACK},
        Status.CALLED_BACK: {Status.CLOSED, Status.RETURNED},
        Status.RETURNED: {Status.RECTIFIED, Status.APPEALING},
        Status.APPEALING: {Status.OPEN, Status.VERIFIED, Status.RETURNED, Status.APPEAL_UPHELD},
        Status.CLOSED: set(),
        Status.APPEAL_UPHELD: set(),
    }
    # The states in which the unit owes the next step, and which deadline that step has.
    UNIT_STEPS = {
        Status.OPEN: "verify_due",
        Status.VERIFIED: "rectify_due",
        Status.RETURNED: "rectify_due",
        Status.RECTIFIED: "callback_due",
    }
    DONE = (Status.CLOSED, Status.APPEAL_UPHELD)

    evaluation = models.OneToOneField(
        Evaluation, verbose_name="评价", on_delete=models.PROTECT, related_name="task"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="rectifications"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField("受理时间")
    verify_due = models.DateField("核实期限")
    rectify_due = models.DateField("整改反馈期限")
    callback_due = models.DateField("回访期限")

    substantiated = models.BooleanField("核实属实", null=True)
    finding = FreeTextField("核实情况", blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    measures = FreeTextField("整改措施", blank=True)
    rectified_at = models.DateTimeField("整改时间", null=True, blank=True)
    callback_result = models.CharField("回访结果", max_length=16, choices=Callback.choices, blank=True)
    callback_note = FreeTextField("回访情况", blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    review_comment = FreeTextField("审核意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField("退回次数", default=0)

    appeal_reason = FreeTextField("申诉理由", blank=True)
    appeal_from = models.CharField("申诉前状态", max_length=16, blank=True)
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    appeal_decision = models.CharField("复核结论", max_length=10, choices=Appeal.choices, blank=True)
    appeal_comment = FreeTextField("复核意见", blank=True)
    appeal_decided_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "opened_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"差评整改第{self.pk}号"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:task-detail", args=[self.pk])

    @property
    def attention_at(self):
        """The moment the overdue step becomes a supervision order: its watched deadline's (kind
        `negative_review`); None while the unit owes nothing or the step has its order."""
        from govwatch.supervision.watches import watch_of

        from .watching import NEGATIVE_REVIEW

        watched = watch_of(self, NEGATIVE_REVIEW) if self.pk else None
        return watched.order_at if watched else None

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def step_due(self):
        """The deadline of the step the unit owes now, or None when it owes nothing."""
        field = self.UNIT_STEPS.get(self.Status(self.status))
        return getattr(self, field) if field else None


class TaskStep(Step):
    """One step in a task's timeline; an overdue step names the supervision order it caused."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="steps")
    # For an overdue step ("supervised"): the state that was overdue, its deadline and the order.
    stage = models.CharField("逾期环节", max_length=16, blank=True)
    due = models.DateField("逾期环节期限", null=True, blank=True)
    order = models.ForeignKey(
        "supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta(Step.Meta):
        verbose_name = "差评整改过程"
        verbose_name_plural = "差评整改过程"
        constraints = [
            # One order per overdue step: a step is its state and its deadline (a send-back or a
            # rejected appeal gives a new deadline, hence a new step).
            models.UniqueConstraint(
                fields=["task", "stage", "due"],
                condition=models.Q(kind="supervised"),
                name="one_order_per_task_step",
            )
        ]

    @property
    def linked_order(self):
        return self.order if self.order_id else None

    @property
    def files(self):
        return self.attachments.all()


class TaskAttachmentQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """Evidence is seen with its task."""
        return mine.filter(self, "task__unit")


class TaskAttachment(Attachment):
    """Evidence of a verification, a rectification, a callback or an appeal; kept whole, with its digest."""

    objects = TaskAttachmentQuerySet.as_manager()

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(TaskStep, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="rectifications/%Y/%m/")


class LetterQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A letter is seen by whoever sees its addressee; a draft only by those who issue letters."""
        letters = mine.filter(self, "unit")
        # A draft is the supervisors' own until it is issued.
        return letters if mine.may(ISSUE_LETTERS) else letters.exclude(status=Letter.Status.DRAFT)


class Letter(models.Model):
    """A supervision recommendation letter (纪检监察建议书) or a reminder letter (提醒函) to a
    unit: drafted from its record, numbered at issue, followed until its reply is accepted."""

    objects = LetterQuerySet.as_manager()

    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", "纪检监察建议书"
        REMINDER = "reminder", "提醒函"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已下发"
        REPLIED = "replied", "已反馈"
        CLOSED = "closed", "已办结"

    # The document series of each kind (文号: 纪检建议〔2026〕第0001号).
    SERIES = {Kind.RECOMMENDATION: "纪检建议", Kind.REMINDER: "提醒函"}
    TRANSITIONS = {
        Status.DRAFT: {Status.ISSUED},
        Status.ISSUED: {Status.REPLIED},
        # A reply found wanting goes back to the unit: the letter is open again.
        Status.REPLIED: {Status.CLOSED, Status.ISSUED},
        Status.CLOSED: set(),
    }

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="收文单位", on_delete=models.PROTECT, related_name="letters"
    )
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField("文号", max_length=40, unique=True, null=True, blank=True)
    subject = models.CharField("标题", max_length=200)
    body = FreeTextField("正文")
    date_from = models.DateField("问题期间自")
    date_to = models.DateField("问题期间至")
    created_at = models.DateTimeField("起草时间")
    created_by = models.CharField("起草人", max_length=150)
    issued_at = models.DateTimeField("下发时间", null=True, blank=True)
    issued_by = models.CharField("下发人", max_length=150, blank=True)
    # The supervisor unit in whose name the letter is issued and signed.
    issuer = models.ForeignKey(
        "orgs.Unit",
        verbose_name="发文机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_due = models.DateField("反馈期限", null=True, blank=True)
    reply_measures = FreeTextField("整改措施", blank=True)
    reply_institution = FreeTextField("建章立制", blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    close_comment = FreeTextField("办结意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "建议书与提醒函"
        verbose_name_plural = "建议书与提醒函"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()}（草稿）"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:letter-detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class LetterStep(Step):
    """One step in a letter's timeline: drafted, edited, issued, replied, returned, closed."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="steps")

    class Meta(Step.Meta):
        verbose_name = "文书过程"
        verbose_name_plural = "文书过程"
