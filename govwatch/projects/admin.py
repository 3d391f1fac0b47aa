from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import CatalogAdmin

from .models import KeyProject, Milestone


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["seq", "name", "planned_date", "actual_date", "planned_percent", "note"]


@admin.register(KeyProject)
class KeyProjectAdmin(CatalogAdmin):
    """The projects and their plan are kept by the service office (or imported); reports, milestones
    reached and letters go through the pages."""

    list_display = ["code", "name", "unit", "leader", "start_date", "planned_end", "completed_on"]
    list_filter = ["category"]
    search_fields = ["=code", "name"]
    list_select_related = ["unit"]
    exclude = ["digest"]
    inlines = [MilestoneInline]
