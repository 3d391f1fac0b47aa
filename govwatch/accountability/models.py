from __future__ import annotations

from django.db import models
from django.db.models import Q

from govwatch.accounts.permissions import VIEW_ACCOUNTABILITY, Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField


class Matter(models.TextChoices):
    """What a record or a fix arose from."""

    COMPLAINT = "complaint", "投诉"
    NEGATIVE_REVIEW = "negative_review", "差评"
    ORDER = "order", "督办单"
    INSPECTION_PROBLEM = "inspection_problem", "检查发现问题"
    FINDING = "finding", "数据核查线索"
    LETTER = "letter", "纪检监察建议书"
    OTHER = "other", "其他"


class MatterLink(models.Model):
    """The matter behind a record: its kind and the one row it names (none for `other`)."""

    matter = models.CharField("事由类型", max_length=20, choices=Matter.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name="投诉",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        "evaluations.RectificationTask", verbose_name="差评整改", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    order = models.ForeignKey(
        "supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    problem = models.ForeignKey(
        "inspections.Problem",
        verbose_name="检查问题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finding = models.ForeignKey(
        "checks.Finding",
        verbose_name="核查线索",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    letter = models.ForeignKey(
        "evaluations.Letter",
        verbose_name="建议书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    matter_text = models.CharField("事由", max_length=300, blank=True)

    LINKS = {
        Matter.COMPLAINT: "complaint",
        Matter.NEGATIVE_REVIEW: "task",
        Matter.ORDER: "order",
        Matter.INSPECTION_PROBLEM: "problem",
        Matter.FINDING: "finding",
        Matter.LETTER: "letter",
    }

    class Meta:
        abstract = True

    @property
    def source(self) -> object | None:
        field = self.LINKS.get(Matter(self.matter)) if self.matter in Matter.values else None
        return getattr(self, field) if field else None

    @property
    def matter_key(self) -> str:
        """One matter, however many people and fixes it led to."""
        field = self.LINKS.get(Matter(self.matter))
        return f"{self.matter}:{getattr(self, f'{field}_id')}" if field else f"other:{self.matter_text}"


class Action(models.IntegerChoices):
    """The ladder of accountability, mildest first."""

    CRITICISM = 1, "批评教育"
    ADMONISHING_TALK = 2, "诫勉谈话"
    CIRCULATED_CRITICISM = 3, "通报批评"
    ORGANISATIONAL = 4, "组织处理"
    SANCTION = 5, "党纪政务处分"


class RecordQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """The people held accountable are for the supervisors and the leaders of their scope."""
        return mine.filter(self, "unit") if mine.may(VIEW_ACCOUNTABILITY) else self.none()


class AccountabilityRecord(MatterLink):
    """One person held accountable (问责): who, for what matter, which step of the ladder, decided by whom and when."""

    objects = RecordQuerySet.as_manager()

    person = models.CharField("姓名", max_length=50)
    staff_code = models.CharField("经办人编号", max_length=64, blank=True)
    post = models.CharField("职务", max_length=100, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="所在单位", on_delete=models.PROTECT, related_name="accountability_records"
    )
    action = models.PositiveSmallIntegerField("问责方式", choices=Action.choices)
    detail = models.CharField(
        "处理细节", max_length=200, blank=True, help_text="如：政务警告、党内警告、调离岗位"
    )
    facts = FreeTextField("问题事实")
    decided_by = models.CharField("决定机关", max_length=200)
    decided_on = models.DateField("决定日期", db_index=True)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = "问责记录"
        verbose_name_plural = "问责记录"
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["unit", "decided_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(action__gte=1, action__lte=5), name="action_on_the_ladder"),
        ]

    def __str__(self) -> str:
        return f"问责记录第{self.pk}号"

    @property
    def number(self) -> str:
        return f"问责记录第{self.pk}号"

    @property
    def sanctioned(self) -> bool:
        return self.action == Action.SANCTION

    @property
    def public_name(self) -> str:
        """The name as a bulletin prints it: the surname and 某 (龙某)."""
        return public_name(self.person)


def public_name(name: str) -> str:
    name = name.strip()
    return f"{name[0]}某" if name else "某"


class InstitutionalFix(MatterLink):
    """A rule or procedure a unit adopted so that a problem does not recur (建章立制), and its look-back."""

    class Status(models.TextChoices):
        ADOPTED = "adopted", "已建立"
        EFFECTIVE = "effective", "回头看：落实到位"
        INEFFECTIVE = "ineffective", "回头看：未落实"

    objects = ScopedQuerySet.as_manager()

    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="fixes")
    title = models.CharField("制度名称", max_length=200)
    content = FreeTextField("主要内容")
    adopted_on = models.DateField("建立日期", db_index=True)
    follow_up_on = models.DateField("回头看日期", db_index=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ADOPTED)
    follow_up_note = FreeTextField("回头看情况", blank=True)
    followed_up_at = models.DateTimeField("回头看时间", null=True, blank=True)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = "建章立制"
        verbose_name_plural = "建章立制"
        ordering = ["-adopted_on", "-id"]

    def __str__(self) -> str:
        return self.title


class TypicalCase(models.Model):
    """A typical case chosen for public exposure (通报曝光): on the public page and in the month's
    bulletin once published; names of people appear only when the supervisor decided so."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待发布"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.WITHDRAWN},
        Status.WITHDRAWN: set(),
    }

    objects = RecordQuerySet.as_manager()

    title = models.CharField("标题", max_length=200)
    body = FreeTextField("案情与处理")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="typical_cases"
    )
    records = models.ManyToManyField(
        AccountabilityRecord, verbose_name="问责记录", blank=True, related_name="exposures"
    )
    show_names = models.BooleanField("公开姓名", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("起草时间")
    created_by = models.CharField("起草人", max_length=150)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    published_by = models.CharField("发布人", max_length=150, blank=True)
    withdrawn_reason = FreeTextField("撤回理由", blank=True)

    class Meta:
        verbose_name = "通报曝光"
        verbose_name_plural = "通报曝光"
        ordering = ["-published_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]
