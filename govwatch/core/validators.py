"""Validators of model fields, so that every form (the admin's included) keeps the import's rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .rowfields import control_character


def single_line(value: str) -> None:
    """A code or a name: no line break, no control character, no invisible reordering of the text
    (rowfields.control_character), as the importer refuses them."""
    shown = control_character(value or "")
    if shown:
        raise ValidationError(f"不能含有换行或控制字符（{shown}）", code="control_character")
