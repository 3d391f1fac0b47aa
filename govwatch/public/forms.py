"""The public forms: the evaluation of a case and the window flow's check.

Both carry a honeypot (a field people never see nor fill) and a signed stamp of the moment the form
was shown; the views refuse a filled honeypot and a form sent back faster than a person can.
"""

from __future__ import annotations

from django import forms

from govwatch.core.choices import EvalLevel
from govwatch.evaluations.models import EVAL_ITEMS, NEGATIVE_TAGS
from govwatch.evaluations.rules import is_negative, negative_levels

MAX_COMMENT = 500
# The level is the overall satisfaction: the other items are scored beside it, each optional.
SCORED_ITEMS = {key: label for key, label in EVAL_ITEMS.items() if key != "overall"}
SCORE_CHOICES = [("", "不评")] + [(str(n), f"{n}分") for n in range(1, 6)]
HONEYPOT = "website"


class GuardedForm(forms.Form):
    # Hidden from people by the stylesheet and from assistive technology by aria-hidden.
    website = forms.CharField(label="网址（请勿填写）", required=False)
    stamp = forms.CharField(widget=forms.HiddenInput)


def _negative_words() -> str:
    """The labels of the negative levels as the form shows them: “不满意”或“非常不满意”."""
    return "或".join(f"“{EvalLevel(level).label}”" for level in sorted(negative_levels(), reverse=True))


class EvaluationForm(GuardedForm):
    level = forms.TypedChoiceField(
        label="总体满意度",
        choices=[(str(level.value), level.label) for level in EvalLevel],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意程度"},
    )
    tags = forms.MultipleChoiceField(
        label="不满意的原因",
        choices=list(NEGATIVE_TAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label="意见建议",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT}),
        error_messages={"max_length": f"意见建议不能超过 {MAX_COMMENT} 字"},
    )

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{key}"] for key in SCORED_ITEMS]

    def scores(self) -> dict[str, int]:
        return {
            key: self.cleaned_data[f"score_{key}"]
            for key in SCORED_ITEMS
            if self.cleaned_data.get(f"score_{key}")
        }

    def clean(self) -> dict:
        data = super().clean()
        level, tags = data.get("level"), data.get("tags") or []
        if level is not None and is_negative(level) and not tags:
            self.add_error("tags", f"选择{_negative_words()}时，请至少选择一项原因")
        if level is not None and level >= 4 and tags:
            self.add_error("tags", "选择满意时不需要选择不满意的原因")
        return data


# One optional score field per item, after the declared fields: made once, with the class (each
# form gets its own deep copy, as of every declared field), not again for every form.
_SCORE_FIELDS = {
    f"score_{key}": forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )  # fmt: skip
    for key, label in SCORED_ITEMS.items()
}
EvaluationForm.declared_fields.update(_SCORE_FIELDS)
EvaluationForm.base_fields.update(_SCORE_FIELDS)


def _copy(obj: object) -> object:
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _field_copy(field: forms.Field) -> forms.Field:
    """A form's own copy of a field: what Django's deep copy gives it (the field, its widget and
    the widget's attributes, error messages and validators), with the choices shared."""
    copy = _copy(field)
    copy.widget = _copy(field.widget)
    copy.widget.attrs = field.widget.attrs.copy()
    copy.error_messages = field.error_messages.copy()
    copy.validators = field.validators[:]
    return copy


class SharedChoices(dict):
    """A form class's fields, copied for each form without deep-copying their choices.

    Django deep-copies every field of every form, choices included: for the evaluation form, ten
    fields, two thirds of the cost of reading a submitted form, which is the busiest public POST.
    No code changes a choice list once the class is made, so every form may read the same ones."""

    def __deepcopy__(self, memo: dict) -> dict[str, forms.Field]:
        return {name: _field_copy(field) for name, field in self.items()}


EvaluationForm.base_fields = SharedChoices(EvaluationForm.base_fields)


class WindowCheckForm(GuardedForm):
    case_no = forms.CharField(
        label="业务编号",
        max_length=64,
        widget=forms.TextInput(
            # Case numbers are digits (a numeric keypad for thumbs that are not young).
            attrs={
                "autocomplete": "off",
                "inputmode": "numeric",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "请填写业务编号（见受理通知书或办结短信）"},
    )
    last4 = forms.RegexField(
        label="手机号后四位",
        regex=r"^\d{4}$",
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}"}),
        error_messages={"required": "请填写办件时登记的手机号后四位", "invalid": "请填写 4 位数字"},
    )
