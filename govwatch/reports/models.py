"""The region's ranking weights (排名权重) and the monthly bulletins (月通报) the office issues."""

from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.fields import FreeTextField

# The ranking's components, in the order they are printed: (code, Chinese name, default weight).
# Each is a figure between 0 and 1, higher is better (govwatch.reports.ranking says how each is got).
COMPONENTS = (
    ("on_time", "按时办结率", 30),
    ("overdue", "未逾期率", 15),
    ("satisfaction", "满意率", 25),
    ("negative_loop", "差评按时整改率", 10),
    ("complaints", "投诉控制率", 10),
    ("data_checks", "评价数据真实率", 5),
    ("rectification", "整改按期完成率", 5),
)


class RankingWeights(models.Model):
    """The region's weights of the ranking's components: one row (pk 1), edited by the service
    office on the ranking page and printed beside every ranking."""

    on_time = models.PositiveSmallIntegerField("按时办结率", default=30)
    overdue = models.PositiveSmallIntegerField("未逾期率", default=15)
    satisfaction = models.PositiveSmallIntegerField("满意率", default=25)
    negative_loop = models.PositiveSmallIntegerField("差评按时整改率", default=10)
    complaints = models.PositiveSmallIntegerField("投诉控制率", default=10)
    data_checks = models.PositiveSmallIntegerField("评价数据真实率", default=5)
    rectification = models.PositiveSmallIntegerField("整改按期完成率", default=5)
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)
    updated_by = models.CharField("修改人", max_length=150, blank=True)

    class Meta:
        verbose_name = "排名权重"
        verbose_name_plural = "排名权重"

    def __str__(self) -> str:
        return "排名权重"

    @classmethod
    def current(cls) -> RankingWeights:
        """The weights in force: the stored row, or the defaults until someone sets them (not
        written on a read: the ranking page is a GET, and a region may be opened read-only)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def as_dict(self) -> dict[str, int]:
        return {code: getattr(self, code) for code, _label, _default in COMPONENTS}


class BulletinQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A bulletin is seen by whoever sees the unit whose subtree it covers."""
        return mine.filter(self, "unit")


class Bulletin(models.Model):
    """One monthly bulletin (月通报): a draft whose words the office edits, then issued once with a
    running number (效能通报〔2026〕第0001号), its Word file and PDF kept as issued (archived):
    an issued bulletin's files never change, whatever is imported later."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已印发"

    objects = BulletinQuerySet.as_manager()

    month = models.DateField("月份")  # its first day
    # The unit whose subtree the bulletin covers: the root of the tree for the whole region.
    unit = models.ForeignKey("orgs.Unit", verbose_name="范围", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField("文号", max_length=40, blank=True)
    organ = models.CharField("发文机关", max_length=100)
    title = models.CharField("标题", max_length=200)
    addressee = models.CharField("主送机关", max_length=200, blank=True)
    # Published to every unit: a phone or ID number typed into the text is masked like any free text.
    summary = FreeTextField("总体情况", blank=True)
    requirements = FreeTextField("下步工作要求", blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.CharField("创建人", max_length=150)
    updated_at = models.DateTimeField("修改时间")
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.CharField("印发人", max_length=150, blank=True)
    docx = models.BinaryField("Word 文件", null=True, blank=True)
    pdf = models.BinaryField("PDF 文件", null=True, blank=True)
    xlsx = models.BinaryField("表格文件", null=True, blank=True)
    sha256 = models.CharField("Word 文件 SHA-256", max_length=64, blank=True)
    # A draft's figures, tables and charts as last computed (govwatch.reports.bulletins.draft_content),
    # and the state of the daily figures they were computed from: shown again until those change
    # or the office asks for them afresh.
    computed = models.BinaryField(null=True, blank=True, editable=False)
    computed_at = models.DateTimeField("数据计算时间", null=True, blank=True)
    computed_from = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = "月通报"
        verbose_name_plural = "月通报"
        ordering = ["-month", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="bulletin_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reports:bulletin", args=[self.pk])


class ScreenSnapshot(models.Model):
    """The big screen's last document for one scope and unit (govwatch.reports.screen.stored_screen):
    every web process reads the same row, so a wall of screens refreshing costs one computation per
    scope, whichever process serves them."""

    key = models.CharField(max_length=300, unique=True)
    computed_at = models.DateTimeField()
    # The daily figures' state the document was computed from: a mark written since makes it stale.
    freshness = models.CharField(max_length=40)
    data = models.JSONField()

    class Meta:
        verbose_name = "大屏数据快照"
        verbose_name_plural = "大屏数据快照"
