from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import CatalogAdmin

from .models import Item


@admin.register(Item)
class ItemAdmin(CatalogAdmin):
    list_display = ["code", "name", "unit", "type", "level", "legal_days", "promised_days", "online"]
    list_filter = ["type", "level", "online"]
    search_fields = ["code", "name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
