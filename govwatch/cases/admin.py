from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import FactAdmin, FactInline

from .models import Case, CaseEvent, Suspension


class CaseEventInline(FactInline):
    model = CaseEvent
    fields = ["at", "kind", "window_code", "staff_code", "reason", "event_id"]
    ordering = ["at", "pk"]


class SuspensionInline(FactInline):
    model = Suspension
    fields = ["started_at", "ended_at", "workdays", "reason"]


@admin.register(Case)
class CaseAdmin(FactAdmin):
    list_display = ["case_no", "item", "unit", "status", "accepted_at", "due_date", "closed_at", "card"]
    list_filter = ["status", "card", "channel", "provisional"]
    # Exact match only: a LIKE over a province's case numbers cannot use the index.
    search_fields = ["=case_no"]
    list_select_related = ["item", "unit"]
    exclude = ["next_card_at"]
    inlines = [CaseEventInline, SuspensionInline]


@admin.register(CaseEvent)
class CaseEventAdmin(FactAdmin):
    list_display = ["event_id", "case", "kind", "at", "unit_code", "import_run"]
    list_filter = ["kind"]
    search_fields = ["=case__case_no", "=event_id"]
    exclude = ["digest"]
