from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import FactAdmin

from .models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(FactAdmin):
    list_display = ["eval_id", "level", "at", "case", "unit", "channel", "auto"]
    list_filter = ["level", "channel", "auto"]
    search_fields = ["=eval_id", "=case__case_no"]
    list_select_related = ["unit", "case"]
    # The evaluator is personal data: neither its hash nor its ciphertext belongs on a page.
    exclude = ["evaluator_hash", "evaluator_enc", "digest"]
