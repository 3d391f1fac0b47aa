from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import FactAdmin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(FactAdmin):
    list_display = [
        "started_at",
        "kind",
        "filename",
        "operator_label",
        "read",
        "imported",
        "duplicates",
        "rejected",
        "status",
    ]
    list_filter = ["kind"]
    search_fields = ["filename", "operator_label"]
    exclude = ["operator"]
