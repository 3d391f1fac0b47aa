from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import MANAGE_CLUES, Scope, ScopedQuerySet
from govwatch.complaints.models import regional
from govwatch.core.fields import FreeTextField
from govwatch.core.models import Step


class ClueQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """Only the supervisors see clues: those of their part of the tree, and the region's
        supervisors those that name no unit."""
        return regional(self, mine) if mine.may(MANAGE_CLUES) else self.none()


class Clue(models.Model):
    """A problem clue (问题线索) about misconduct: from a complaint or a report, a callback that
    contradicts the record, an inspection, or the public clue page; registered with a number,
    assessed (研判), transferred to the discipline commission with a numbered transfer form (移送),
    and followed to its outcome. Only the supervisors see clues.

    `TRANSITIONS` lists the allowed steps; govwatch.clues.services checks each in one place.
    """

    class Source(models.TextChoices):
        COMPLAINT = "complaint", "投诉举报"
        CALLBACK = "callback", "回访抽查"
        INSPECTION = "inspection", "监督检查"
        PUBLIC = "public", "网上举报"
        OTHER = "other", "其他"

    class Field(models.TextChoices):
        SERVICE = "service", "政务服务"
        BIDDING = "bidding", "工程建设招投标"
        PROCUREMENT = "procurement", "政府采购"
        EVALUATION = "evaluation", "评议数据造假"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        REGISTERED = "registered", "待研判"
        ASSESSED = "assessed", "已研判"
        TRANSFERRED = "transferred", "已移送"
        CONCLUDED = "concluded", "已办结"

    class Decision(models.TextChoices):
        TRANSFER = "transfer", "移送纪检监察机关"
        VERIFY = "verify", "自行核查"
        SHELVE = "shelve", "暂存待查"
        CLOSE = "close", "予以了结"

    class Outcome(models.TextChoices):
        FILED = "filed", "立案审查调查"
        SUBSTANTIATED = "substantiated", "查实，予以处理"
        TALK = "talk", "谈话函询"
        NOT_SUBSTANTIATED = "not_substantiated", "查无实据，予以了结"
        SHELVED = "shelved", "暂存待查"
        CLOSED = "closed", "予以了结"

    TRANSITIONS = {
        Status.REGISTERED: {Status.ASSESSED},
        Status.ASSESSED: {Status.TRANSFERRED, Status.CONCLUDED},
        Status.TRANSFERRED: {Status.CONCLUDED},
        Status.CONCLUDED: set(),
    }

    objects = ClueQuerySet.as_manager()

    number = models.CharField("线索编号", max_length=40, unique=True)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    field = models.CharField("领域", max_length=12, choices=Field.choices, default=Field.SERVICE)
    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name="来源投诉", null=True, blank=True, on_delete=models.PROTECT
    )
    call = models.ForeignKey(
        "complaints.SampledCall", verbose_name="来源回访", null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name="被反映单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
    )
    subject = models.CharField("被反映人或事项", max_length=200, blank=True)
    summary = models.CharField("线索摘要", max_length=200)
    details = FreeTextField("线索内容")
    # Whoever gave the clue, when they left a number: personal data, encrypted, masked on pages.
    informant_hash = models.CharField(max_length=64, blank=True)
    informant_enc = models.TextField(blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField("登记时间")
    registered_by = models.CharField("登记人", max_length=150)
    decision = models.CharField("研判意见", max_length=10, choices=Decision.choices, blank=True)
    assessment = FreeTextField("研判情况", blank=True)
    assessed_at = models.DateTimeField("研判时间", null=True, blank=True)
    transfer_number = models.CharField("移送文号", max_length=40, unique=True, null=True, blank=True)
    transferred_to = models.CharField("移送机关", max_length=200, blank=True)
    transfer_note = FreeTextField("移送说明", blank=True)
    transferred_at = models.DateTimeField("移送时间", null=True, blank=True)
    outcome = models.CharField("处置结果", max_length=20, choices=Outcome.choices, blank=True)
    outcome_text = FreeTextField("处置情况", blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["-registered_at", "-id"]
        indexes = [models.Index(fields=["status", "registered_at"])]

    def __str__(self) -> str:
        return self.number

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("clues:detail", args=[self.pk])


class ClueStep(Step):
    """One step of a clue's timeline: registered, assessed, transferred, concluded."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="steps")

    class Meta(Step.Meta):
        verbose_name = "问题线索过程"
        verbose_name_plural = "问题线索过程"
