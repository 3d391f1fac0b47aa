from __future__ import annotations

from django.db import models


class TrainedModel(models.Model):
    """A dispatch suggestion model (智能派单) as trained, kept in the database so that every web and
    worker process suggests with the same one; the newest is the one in use."""

    trained_at = models.DateTimeField("训练时间")
    # The history it learned from: complaints with a unit, up to this complaint id.
    complaints = models.PositiveIntegerField("训练投诉数")
    last_complaint_id = models.BigIntegerField("最后一件投诉", default=0)
    units = models.PositiveIntegerField("单位数")
    seconds = models.FloatField("训练耗时（秒）")
    # The model itself (govwatch.dispatch.learn.Model.dumps): arrays and vocabularies, no pickle.
    blob = models.BinaryField()
    notes = models.JSONField("说明", default=dict, blank=True)

    class Meta:
        verbose_name = "派单模型"
        verbose_name_plural = "派单模型"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"派单模型 #{self.pk}（{self.complaints} 件）"
