"""Kiosks are master data the service office keeps (also imported); their signals are facts."""

from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import CatalogAdmin, FactAdmin

from .models import Kiosk, KioskSignal


@admin.register(Kiosk)
class KioskAdmin(CatalogAdmin):
    fields = [
        "code",
        "name",
        "unit",
        "location",
        "hours",
        "every_day",
        "heartbeat_seconds",
        "items",
        "active",
    ]
    list_display = ["code", "name", "unit", "location", "every_day", "heartbeat_seconds", "active"]
    list_filter = ["every_day", "active"]
    search_fields = ["code", "name", "location"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "items"]


@admin.register(KioskSignal)
class SignalAdmin(FactAdmin):
    list_display = ["kiosk", "at", "status"]
    list_filter = ["status"]
    search_fields = ["=kiosk__code"]
    list_select_related = ["kiosk"]
