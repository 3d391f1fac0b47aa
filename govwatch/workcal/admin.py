from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from govwatch.accounts.audited_admin import CatalogAdmin

from . import calendar
from .models import CalendarDay, ScheduledYear
from .signals import schedule_changed


def _schedule_edited(years: set[int]) -> None:
    """Editing the schedule by hand has the effects of an import: provisional deadlines are recomputed."""
    calendar.invalidate()
    transaction.on_commit(calendar.invalidate)
    schedule_changed.send(sender=ScheduledYear, years=years)


def _year(obj: Model) -> int:
    return obj.date.year if isinstance(obj, CalendarDay) else obj.year


class ScheduleAdmin(CatalogAdmin):
    # The date (or year) is the primary key: changing it would add a row, not move one.
    key_field: str

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), *([self.key_field] if obj else [])]

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _schedule_edited({_year(obj)})

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        _schedule_edited({_year(obj)})

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        years = {_year(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        _schedule_edited(years)


@admin.register(CalendarDay)
class CalendarDayAdmin(ScheduleAdmin):
    key_field = "date"
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(ScheduledYear)
class ScheduledYearAdmin(ScheduleAdmin):
    key_field = "year"
    list_display = ["year", "source", "updated_at"]
    readonly_fields = ["updated_at"]
