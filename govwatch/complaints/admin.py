from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import FactAdmin

from .models import Complaint, DispatchRecord


@admin.register(Complaint)
class ComplaintAdmin(FactAdmin):
    list_display = ["complaint_id", "at", "source", "kind", "urgency", "status", "unit", "due_date"]
    list_filter = ["status", "source", "kind", "urgency", "category"]
    search_fields = ["=complaint_id", "=case__case_no"]
    list_select_related = ["unit", "case"]
    # The complainant's contact is personal data: neither its hash nor its ciphertext is shown.
    exclude = ["contact_hash", "contact_enc", "digest", "terms"]


@admin.register(DispatchRecord)
class DispatchRecordAdmin(FactAdmin):
    list_display = ["complaint", "at", "chosen_unit", "accepted", "rank", "actor"]
    list_filter = ["accepted"]
    list_select_related = ["complaint", "chosen_unit"]
