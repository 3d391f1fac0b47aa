from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import FactAdmin

from .models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(FactAdmin):
    list_display = ["complaint_id", "at", "source", "category", "unit", "case"]
    list_filter = ["source", "category"]
    search_fields = ["=complaint_id", "=case__case_no"]
    list_select_related = ["unit", "case"]
    # The complainant's contact is personal data: neither its hash nor its ciphertext is shown.
    exclude = ["contact_hash", "contact_enc", "digest"]
