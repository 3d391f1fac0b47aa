from __future__ import annotations

from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "休"
    WORKDAY = "workday", "班"


class CalendarDay(models.Model):
    """A date that departs from the weekday rule: a listed holiday or a make-up working day (调休上班)."""

    date = models.DateField("日期", primary_key=True)
    kind = models.CharField("类型", max_length=8, choices=DayKind.choices)
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ScheduledYear(models.Model):
    """A year whose State Council schedule is known; dates in other years use the weekday rule."""

    year = models.PositiveIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=100)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "已发布年度安排"
        verbose_name_plural = "已发布年度安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
