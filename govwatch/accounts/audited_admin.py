"""The base classes of every admin page, and the rules they follow: each change is audited; master data is the service office's;
facts are shown, never edited.

Cases, their events, evaluations, complaints and import runs are facts reported by other systems
or derived from them; they change only through imports, so their admin pages are read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from govwatch.audit.log import Actor, record
from govwatch.core.fields import EncryptedTextField
from govwatch.core.pii import mask

from .permissions import MANAGE_CATALOG, may

# Never written to the log, not even masked: a password hash or an API token is a key.
SECRET_FIELDS = {"password", "key"}
# Personal data: written masked (138****1111), as on every page.
PERSONAL_FIELDS = {"phone", "email", "contact", "mobile", "id_number", "recipient"}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The editable fields of `obj` as the audit log keeps them: personal data masked, keys left out.

    Personal data is known by its name (PERSONAL_FIELDS) or by its field: whatever a model keeps
    encrypted (an alert contact's phone or mailbox) is written masked too."""
    encrypted = {f.name for f in obj._meta.concrete_fields if isinstance(f, EncryptedTextField)}
    out: dict[str, Any] = {}
    for name, value in model_to_dict(obj).items():
        # Encrypted personal data and its keyed hash: neither tells the reader anything safe.
        if name in SECRET_FIELDS or name.endswith(("_enc", "_hash")):
            continue
        if (name in PERSONAL_FIELDS or name in encrypted) and value:
            value = mask(str(value))
        elif isinstance(value, list):  # many-to-many: the related rows by name
            value = sorted(str(v) for v in value)
        out[name] = value
    return out


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _fresh(obj: models.Model) -> models.Model:
    # The form has already written its values onto `obj`; the stored row is the "before".
    return type(obj)._default_manager.get(pk=obj.pk)


def _record(request: HttpRequest, verb: str, obj: models.Model, **states: dict | None) -> None:
    words = {"add": "新增", "change": "修改", "delete": "删除"}
    record(
        Actor.of_request(request),
        f"admin.{verb}",
        obj,
        summary=f"{obj._meta.verbose_name}「{obj}」：管理后台{words[verb]}",
        **states,
    )


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete through the admin, inlines included, goes to the audit log."""

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        # Kept on the form: save_related gets the same form once the many-to-many rows are saved too.
        form._audit_before = snapshot(_fresh(obj)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj, before = form.instance, getattr(form, "_audit_before", None)
        if before is None:
            _record(request, "add", obj, after=snapshot(obj))
            return
        old, new = _changes(before, snapshot(obj))
        if new:
            _record(request, "change", obj, before=old, after=new)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        stored = {pk: snapshot(o) for pk, o in formset.model._default_manager.in_bulk(pks).items()}
        # Recorded before saving: a deleted row loses its pk.
        for deleted in formset.deleted_forms:
            if deleted.instance.pk in stored:
                _record(request, "delete", deleted.instance, before=stored[deleted.instance.pk])
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record(request, "add", obj, after=snapshot(obj))
        for obj, _fields in formset.changed_objects:
            old, new = _changes(stored.get(obj.pk, {}), snapshot(obj))
            if new:
                _record(request, "change", obj, before=old, after=new)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        _record(request, "delete", obj, before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        # One transaction: a protected row that stops the deletion takes its entries back too.
        with transaction.atomic():
            for obj in queryset:
                _record(request, "delete", obj, before=snapshot(obj))
            super().delete_queryset(request, queryset)


class CatalogAdmin(AuditedAdmin):
    """Master data (units, items, the calendar): kept by the service office, by role."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, MANAGE_CATALOG)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, MANAGE_CATALOG)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, MANAGE_CATALOG)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, MANAGE_CATALOG)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, MANAGE_CATALOG)


class FactAdmin(AuditedAdmin):
    # Counting every row of a province's cases on each list page is the slow part of the admin.
    show_full_result_count = False
    list_per_page = 50

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, MANAGE_CATALOG)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, MANAGE_CATALOG)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class FactInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may(request.user, MANAGE_CATALOG)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
