from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from govwatch.accounts.permissions import Scope, ScopedQuerySet
from govwatch.core.choices import CrossRegion, ItemLevel, ItemType, Online
from govwatch.core.validators import single_line

# The longest time limit an item may have, in working days (ten years): far beyond any law's, and
# short enough that every deadline computed from it stays a date.
MAX_DAYS = 3650
THEME_SEPARATORS = re.compile(r"[；;、，,|]")


def split_themes(text: str) -> list[str]:
    """The one-thing themes of an item's `themes` text, in order, each once."""
    return list(dict.fromkeys(t.strip() for t in THEME_SEPARATORS.split(text or "") if t.strip()))


class ItemQuerySet(ScopedQuerySet):
    def visible_to(self, mine: Scope) -> models.QuerySet:
        """An item is seen by whoever sees the unit that carries it out."""
        return mine.filter(self, "unit")

    def counted_for(self, mine: Scope) -> models.QuerySet:
        """The items `mine` sees, written for the catalog figures: all of them for a scope that sees
        every unit (one pass over the covering indexes), else `visible_to` (the join on the unit
        tree would look up the unit of each of a province's 200,000 items)."""
        from govwatch.orgs.models import Unit

        return self.all() if Unit.objects.all_visible_to(mine) else self.visible_to(mine)


class Item(models.Model):
    """A service item of the catalog with its legal and promised time limits (working days)."""

    objects = ItemQuerySet.as_manager()

    code = models.CharField("事项编码", max_length=64, unique=True, validators=[single_line])
    name = models.CharField("事项名称", max_length=300, validators=[single_line])
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="实施单位", on_delete=models.PROTECT, related_name="items"
    )
    type = models.CharField(
        "事项类型", max_length=16, choices=ItemType.choices, default=ItemType.PUBLIC_SERVICE
    )
    level = models.CharField("层级", max_length=16, choices=ItemLevel.choices, default=ItemLevel.DISTRICT)
    legal_days = models.PositiveIntegerField("法定时限(工作日)", validators=[MaxValueValidator(MAX_DAYS)])
    promised_days = models.PositiveIntegerField("承诺时限(工作日)", validators=[MaxValueValidator(MAX_DAYS)])
    online = models.CharField("网办程度", max_length=16, choices=Online.choices, default=Online.NONE)
    # The catalog figures of the seed reports (optional import fields, an extension of contract
    # section 2): hall entry (进驻大厅), one-thing themes (一事联办/一业一证, several separated by
    # "；"), cross-region handling (通办), electronic licences in place of paper (电子证照免提交),
    # and whether the unit has claimed the item in the province's catalog (事项认领).
    in_hall = models.BooleanField("进驻大厅", default=False)
    themes = models.CharField("一件事主题", max_length=300, blank=True)
    cross_region = models.CharField(
        "跨域通办", max_length=16, choices=CrossRegion.choices, default=CrossRegion.NONE
    )
    e_licence = models.BooleanField("电子证照免提交", default=False)
    claimed = models.BooleanField("已认领", default=True)
    # An item's own yellow threshold in working days; None means the contract's default.
    yellow_days = models.PositiveIntegerField("预警阈值(工作日)", null=True, blank=True)

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("legal_days")), name="promised_within_legal"
            )
        ]
        # The catalog figures per unit (govwatch.figures.rows.item_counts) read this index alone:
        # 200,000 items of a province grouped without touching a row.
        indexes = [
            models.Index(
                fields=["unit", "legal_days", "promised_days", "online"], name="catalog_item_figures"
            ),
            # The service figures (catalog.figures.service_figures) likewise: one pass over this index.
            models.Index(
                fields=["unit", "in_hall", "claimed", "level", "cross_region", "e_licence", "themes"],
                name="catalog_item_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.code})"

    @property
    def is_instant(self) -> bool:
        return self.promised_days == 0

    @property
    def yellow_threshold(self) -> int:
        """Working days before the due date at which the yellow card starts (contract section 3)."""
        if self.yellow_days is not None:
            return self.yellow_days
        return min(3, self.promised_days // 3)

    @property
    def theme_list(self) -> list[str]:
        return split_themes(self.themes)

    def clean(self) -> None:
        if self.promised_days > self.legal_days:
            raise ValidationError({"promised_days": "承诺时限不得超过法定时限"})
