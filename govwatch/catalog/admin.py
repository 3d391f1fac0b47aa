from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from govwatch.accounts.audited_admin import CatalogAdmin

from .models import Item
from .signals import promised_days_changed_for


@admin.register(Item)
class ItemAdmin(CatalogAdmin):
    list_display = ["code", "name", "unit", "type", "level", "legal_days", "promised_days", "online"]
    list_filter = ["type", "level", "online"]
    search_fields = ["code", "name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]

    def save_model(self, request: HttpRequest, obj: Item, form, change: bool) -> None:
        old = (
            Item.objects.filter(pk=obj.pk).values_list("promised_days", flat=True).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if old is not None and old != obj.promised_days:
            # In the admin's transaction, with the item's audited change: the open cases move too.
            moved = promised_days_changed_for({obj.pk: (old, obj.promised_days)})
            messages.info(
                request,
                f"承诺时限已改为 {obj.promised_days} 个工作日，已重新计算 {moved} 件在办件的办结期限。",
            )
