from __future__ import annotations

from django.db import models

from govwatch.core.choices import EvalChannel, EvalLevel


class Evaluation(models.Model):
    """A good/bad review (好差评) of a case or of a unit."""

    eval_id = models.CharField("评价编号", max_length=100, unique=True)
    level = models.PositiveSmallIntegerField("评价等级", choices=EvalLevel.choices)
    at = models.DateTimeField("评价时间")
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
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="evaluations")
    channel = models.CharField("评价渠道", max_length=16, choices=EvalChannel.choices, default=EvalChannel.DEVICE)
    window_code = models.CharField("窗口编号", max_length=64, blank=True)
    # The evaluator is personal data: a keyed hash for matching and the encrypted value, never clear.
    evaluator_hash = models.CharField(max_length=64, blank=True, db_index=True)
    evaluator_enc = models.TextField(blank=True)
    auto = models.BooleanField("默认评价", default=False)
    comment = models.TextField("评价内容", blank=True)
    digest = models.CharField(max_length=32)
    import_run = models.ForeignKey("imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        indexes = [models.Index(fields=["unit", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return self.eval_id

    @property
    def is_negative(self) -> bool:
        return self.level <= 2
