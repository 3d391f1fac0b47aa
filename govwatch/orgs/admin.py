from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from govwatch.accounts.audited_admin import CatalogAdmin
from govwatch.core.pii import mask
from govwatch.core.tree import subtree, within

from .models import Unit


class UnitForm(forms.ModelForm):
    """The phone is write-only here as on every page: the form shows it masked, never in clear."""

    # Not named "phone": the admin would then write the blank field over the stored number.
    new_phone = forms.CharField(
        label="联系电话", required=False, max_length=32, help_text="留空则保留原号码；填写则替换为新号码。"
    )
    clear_phone = forms.BooleanField(label="清除联系电话", required=False)

    class Meta:
        model = Unit
        fields = ["code", "name", "parent", "kind", "hours"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.phone if self.instance.pk else ""
        self.fields["new_phone"].widget.attrs["placeholder"] = mask(current) or "未设置"

    def clean_parent(self) -> Unit | None:
        parent = self.cleaned_data["parent"]
        unit = self.instance
        if parent is not None and unit.pk and within(parent.path, unit.path):
            raise forms.ValidationError("上级单位不能是本单位或其下级单位")
        return parent

    def save(self, commit: bool = True) -> Unit:
        if self.cleaned_data["clear_phone"]:
            self.instance.phone = ""
        elif self.cleaned_data["new_phone"].strip():
            self.instance.phone = self.cleaned_data["new_phone"].strip()
        return super().save(commit)


@admin.register(Unit)
class UnitAdmin(CatalogAdmin):
    form = UnitForm
    fields = ["code", "name", "parent", "kind", "hours", "new_phone", "clear_phone"]
    list_display = ["code", "name", "kind", "parent", "masked_phone"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]

    @admin.display(description="联系电话")
    def masked_phone(self, unit: Unit) -> str:
        return mask(unit.phone)

    def save_model(self, request: HttpRequest, obj: Unit, form: UnitForm, change: bool) -> None:
        old_path = Unit.objects.get(pk=obj.pk).path if change else ""
        super().save_model(request, obj, form, change)
        if change and old_path != obj.path:
            # A moved or renamed unit takes its subtree along: every descendant's path starts
            # with the unit's. Parents come before children in path order, so each is saved
            # after its own parent.
            for descendant in (
                Unit.objects.filter(subtree(old_path)).exclude(pk=obj.pk).order_by("path")
            ):
                descendant.save(update_fields=["path"])
