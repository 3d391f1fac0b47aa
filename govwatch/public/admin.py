"""The evaluations received through the public links, for the office to look into (read-only): a
submission refused late, one stuck as received while no worker runs. The citizen's address is not
shown; the comment is shown as every page shows it, phones and ID numbers masked."""

from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import FactAdmin
from govwatch.core.pii import redact

from .models import Submission


@admin.register(Submission)
class SubmissionAdmin(FactAdmin):
    list_display = ["case_no", "state", "level", "channel", "received_at", "taken_at", "refusal"]
    list_filter = ["state", "channel", "level"]
    search_fields = ["=case_no"]
    ordering = ["-id"]
    fields = [
        "case_no", "state", "refusal", "channel", "window_code", "level", "scores", "tags", "masked_comment",
        "received_at", "taken_at",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="评价内容")
    def masked_comment(self, submission: Submission) -> str:
        # Read back, the comment is already masked (FreeTextField); redact() again costs nothing.
        return redact(str(submission.comment))
