from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import CatalogAdmin, FactAdmin

from .models import Inspector, RandomPlan, Target


@admin.register(Target)
class TargetAdmin(CatalogAdmin):
    list_display = ["target_id", "name", "unit", "risk", "active"]
    list_filter = ["risk", "active"]
    search_fields = ["=target_id", "name"]
    list_select_related = ["unit"]
    exclude = ["digest"]


@admin.register(Inspector)
class InspectorAdmin(CatalogAdmin):
    list_display = ["inspector_id", "name", "unit", "certificate_no", "active"]
    list_filter = ["active"]
    search_fields = ["=inspector_id", "name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["conflicts"]
    exclude = ["digest"]


@admin.register(RandomPlan)
class RandomPlanAdmin(FactAdmin):
    """A stored draw is never changed: shown, not edited."""

    list_display = ["number", "name", "unit", "seed", "drawn_at", "joint"]
    search_fields = ["=number", "name", "=seed"]
    list_select_related = ["unit"]
