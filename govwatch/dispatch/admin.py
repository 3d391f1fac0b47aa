from __future__ import annotations

from django.contrib import admin

from govwatch.accounts.audited_admin import FactAdmin

from .models import TrainedModel


@admin.register(TrainedModel)
class TrainedModelAdmin(FactAdmin):
    list_display = ["id", "trained_at", "complaints", "units", "seconds"]
    exclude = ["blob"]
