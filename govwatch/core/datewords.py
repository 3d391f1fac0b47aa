"""Dates as official documents and messages write them (2026年3月5日).

Apart from govwatch.core.documents so that the many modules that only name a date in a message
(the watched deadlines' texts, loaded with every process) do not import python-docx.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def document_date(day: date | datetime) -> str:
    """A date as documents print it: 2026年3月5日 (a datetime is read in local time)."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def document_datetime(moment: datetime) -> str:
    """A moment as documents print it: 2026年3月5日9时05分."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{document_date(local)}{local.hour}时{local.minute:02d}分"
