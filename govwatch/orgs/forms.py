"""Choosing a unit in a form: by its code, from the units the user sees, drawn as the tree."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from govwatch.accounts.permissions import scope
from govwatch.core.forms import DATE

from .models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    """A unit chosen by its code (a filtered list keeps a readable, shareable address); the form
    sets the queryset to `Unit.objects.visible_to(scope)`, so no one can name a unit they do not see."""

    def label_from_instance(self, obj: Unit) -> str:
        # Full-width spaces indent the tree inside a <select>, where CSS cannot.
        return "\u3000" * obj.depth + obj.name

    # Up to this many units a <select> drawn as the tree; beyond it (a province holds 16,000) a text
    # box for the unit's code or full name, so that no page carries every unit.
    SELECT_LIMIT = 300

    def _set_queryset(self, queryset) -> None:
        super()._set_queryset(queryset)
        # Counted up to the limit only: a province's 16,000 units need not all be counted to know.
        if queryset is not None and queryset.order_by()[: self.SELECT_LIMIT + 1].count() > self.SELECT_LIMIT:
            self.widget = forms.TextInput(
                attrs={"placeholder": "单位编码或全称", "autocomplete": "off", "class": "unit-code"}
            )
            self.widget.is_required = self.required
            if not self.help_text:
                self.help_text = "在“单位”页可按名称查找单位编码"

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def to_python(self, value):
        if isinstance(self.widget, forms.TextInput) and value not in self.empty_values:
            value = str(value).strip()
            by_name = self.queryset.filter(name=value).values_list("code", flat=True)[:2]
            if not self.queryset.filter(code=value).exists() and len(by_name) == 1:
                value = by_name[0]
        return super().to_python(value)


class UnitPeriodForm(forms.Form):
    """A period (default: this month up to today) and a unit whose subtree the figures cover, from
    GET parameters, so that a page of figures has a shareable address. An invalid form falls back
    to this month and every unit (`period`), its errors shown."""

    MAX_DAYS = 400  # a page's figures are meant to be read, not mined

    date_from = forms.DateField(label="开始日期", required=False, widget=DATE)
    date_to = forms.DateField(label="结束日期", required=False, widget=DATE)
    unit = UnitChoiceField(
        Unit.objects.none(), to_field_name="code", required=False, label="单位（含下级）", empty_label="全部单位",
        error_messages={"invalid_choice": "没有这个单位，或不在您的查看范围内"},
    )  # fmt: skip

    def __init__(self, data=None, *, user, dates_only: bool = False, **kwargs) -> None:
        super().__init__(data or None, label_suffix="", **kwargs)
        if dates_only:  # the page of one window, kiosk or person: the unit is theirs
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = (
                Unit.objects.visible_to(scope(user)).only("code", "name", "path").order_by("path")
            )

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        start = data.get("date_from") or (data.get("date_to") or today).replace(day=1)
        end = data.get("date_to") or max(today, start)
        if start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期")
        if (end - start).days > self.MAX_DAYS:
            raise forms.ValidationError(f"统计期间不能超过 {self.MAX_DAYS} 天")
        data["date_from"], data["date_to"] = start, end
        return data

    def period(self) -> tuple[date, date, Unit | None]:
        if self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"], self.cleaned_data.get("unit")
        today = timezone.localdate()
        return today.replace(day=1), today, None


class UnitTypeAhead(forms.Select):
    """A text box with the browser's own suggestions (<datalist>), for the long unit lists of a
    province: typing part of a name offers the matching units, no script needed. Each suggestion
    is "name（code）"; what is sent back is read by `UnitSearchField`."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        list_id = f"{attrs.get('id', name)}-units"
        current = ""
        options = []
        for choice, _label in self.choices:
            instance = getattr(choice, "instance", None)
            if instance is None:
                continue
            text = f"{instance.name}（{instance.code}）"
            options.append(format_html('<option value="{}"></option>', text))
            if value is not None and str(value) in (instance.code, str(instance.pk)):
                current = text
        attrs.update({"list": list_id, "autocomplete": "off", "placeholder": "输入单位名称或编码"})
        box = format_html(
            '<input type="search" name="{}" value="{}"{}>', name, current or (value or ""), flatatt(attrs)
        )
        return mark_safe(
            box + format_html('<datalist id="{}">', list_id) + mark_safe("".join(options)) + "</datalist>"
        )


class UnitSearchField(UnitChoiceField):
    """A unit chosen by typing (UnitTypeAhead): "name（code）", a code, or a whole name that is unique
    in the user's scope."""

    widget = UnitTypeAhead
    SUGGESTION = re.compile(r"（([^（）]+)）\s*$")

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        match = self.SUGGESTION.search(text)
        code = match.group(1) if match else text
        unit = self.queryset.filter(code=code).first()
        if unit is None:
            named = list(self.queryset.filter(name=text)[:2])
            unit = named[0] if len(named) == 1 else None
        if unit is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit
