from __future__ import annotations

from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.choices import ComplaintCategory, ComplaintSource


class ComplaintQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """A complaint is seen by whoever sees the unit it names or the unit of its case."""
        # A complaint names a unit or a case (or both): either puts it in the subtree.
        return mine.filter(self, "unit", "case__unit")


class Complaint(models.Model):
    """A complaint from the 12345 hotline, the mayor's line, a window, the web, a letter or an inspection."""

    objects = ComplaintQuerySet.as_manager()

    complaint_id = models.CharField("投诉编号", max_length=100, unique=True)
    at = models.DateTimeField("投诉时间")
    source = models.CharField("来源", max_length=16, choices=ComplaintSource.choices)
    content = models.TextField("内容")
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name="被投诉单位",
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

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        indexes = [models.Index(fields=["unit", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return self.complaint_id
