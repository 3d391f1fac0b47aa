from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import CatalogAdmin, FactAdmin

from .models import EnforcementOfficer, RegulatoryItem, SupervisionAction


@admin.register(RegulatoryItem)
class RegulatoryItemAdmin(CatalogAdmin):
    list_display = ["code", "name", "unit", "category", "random_check", "return_reason", "returned_on"]
    list_filter = ["category", "random_check", "return_reason"]
    search_fields = ["=code", "name"]
    list_select_related = ["unit"]
    exclude = ["digest"]


@admin.register(EnforcementOfficer)
class EnforcementOfficerAdmin(CatalogAdmin):
    list_display = ["officer_id", "name", "unit", "certificate_no", "registered"]
    list_filter = ["registered"]
    search_fields = ["=officer_id", "name"]
    list_select_related = ["unit"]
    exclude = ["digest"]


@admin.register(SupervisionAction)
class SupervisionActionAdmin(FactAdmin):
    """Facts of the national system, imported: shown, never edited."""

    list_display = ["action_id", "item", "unit", "kind", "joint", "on"]
    list_filter = ["kind", "joint"]
    search_fields = ["=action_id", "=item__code"]
    list_select_related = ["item", "unit"]
    exclude = ["digest"]
