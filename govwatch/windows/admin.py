"""Windows and their staff are master data the service office keeps (also imported); clock
records and queue tickets are facts, shown, never edited. A staff member's phone is personal
data: not in the admin (the pages show it masked)."""

from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import CatalogAdmin, FactAdmin

from .models import AttendanceRecord, QueueTicket, Staff, Window


@admin.register(Window)
class WindowAdmin(CatalogAdmin):
    fields = ["code", "name", "unit", "region", "kind", "active"]
    list_display = ["code", "name", "unit", "region", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["unit", "region"]
    autocomplete_fields = ["unit", "region"]


@admin.register(Staff)
class StaffAdmin(CatalogAdmin):
    fields = ["staff_code", "name", "unit", "window", "third_party", "active"]
    list_display = ["staff_code", "name", "unit", "window", "third_party", "active"]
    list_filter = ["third_party", "active"]
    search_fields = ["=staff_code", "name"]
    list_select_related = ["unit", "window"]
    autocomplete_fields = ["unit", "window"]


@admin.register(AttendanceRecord)
class AttendanceAdmin(FactAdmin):
    list_display = ["staff", "at", "kind"]
    list_filter = ["kind"]
    search_fields = ["=staff__staff_code"]
    list_select_related = ["staff"]
    exclude = ["micros"]


@admin.register(QueueTicket)
class TicketAdmin(FactAdmin):
    list_display = ["ticket_id", "unit", "number", "window", "taken_at", "called_at", "served_at"]
    search_fields = ["=ticket_id"]
    list_select_related = ["unit", "window"]
    exclude = ["digest"]
