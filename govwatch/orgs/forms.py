"""Choosing a unit in a form: by its code, from the units the user sees, drawn as the tree."""

from __future__ import annotations

from django import forms

from .models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    """A unit chosen by its code (a filtered list keeps a readable, shareable address); the form
    sets the queryset to `Unit.objects.visible_to(scope)`, so no one can name a unit they do not see."""

    def label_from_instance(self, obj: Unit) -> str:
        # Full-width spaces indent the tree inside a <select>, where CSS cannot.
        return "\u3000" * obj.depth + obj.name
