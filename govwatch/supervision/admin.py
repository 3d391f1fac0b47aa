"""The alert rules and the people a unit adds to its cards, kept by the service office in the
admin (audited like all master data). Addresses are write-only: shown masked, never in clear."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from govwatch.accounts.audited_admin import CatalogAdmin
from govwatch.core.pii import mask

from .models import AlertContact, AlertRule


class _WriteOnly(forms.ModelForm):
    """An encrypted address entered in `new_<field>`: left blank, the stored one is kept."""

    secret_field = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = getattr(self.instance, self.secret_field) if self.instance.pk else ""
        self.fields[f"new_{self.secret_field}"].widget.attrs["placeholder"] = mask(current) or "未设置"

    def _post_clean(self) -> None:
        # The model's clean() must see the new address.
        value = self.cleaned_data.get(f"new_{self.secret_field}", "").strip()
        if value:
            setattr(self.instance, self.secret_field, value)
        super()._post_clean()


class AlertRuleForm(_WriteOnly):
    secret_field = "email"
    new_email = forms.CharField(
        label="接收邮箱", required=False, max_length=200, help_text="留空则保留原邮箱"
    )

    class Meta:
        model = AlertRule
        fields = ["unit", "item", "quiet_start", "quiet_end", "channel"]


class AlertContactForm(_WriteOnly):
    secret_field = "address"
    new_address = forms.CharField(
        label="手机号或邮箱", required=False, max_length=200, help_text="留空则保留原号码或邮箱"
    )

    class Meta:
        model = AlertContact
        fields = ["unit", "name", "title", "channel", "on_yellow", "on_red", "active"]


@admin.register(AlertRule)
class AlertRuleAdmin(CatalogAdmin):
    form = AlertRuleForm
    list_display = ["__str__", "channel", "quiet_start", "quiet_end"]
    list_filter = ["channel"]
    autocomplete_fields = ["unit", "item"]
    search_fields = ["unit__name", "item__name"]


@admin.register(AlertContact)
class AlertContactAdmin(CatalogAdmin):
    form = AlertContactForm
    list_display = ["name", "title", "unit", "channel", "masked_address", "on_yellow", "on_red", "active"]
    list_filter = ["channel", "active"]
    autocomplete_fields = ["unit"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]

    @admin.display(description="手机号或邮箱")
    def masked_address(self, contact: AlertContact) -> str:
        return mask(contact.address)
