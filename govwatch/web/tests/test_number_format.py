"""Numbers are grouped by thousands in the Chinese interface as in the English one."""

from __future__ import annotations

from datetime import date

from django.template import engines
from django.utils import translation


def test_a_count_over_ten_thousand_is_grouped_by_thousands_in_chinese():
    template = engines["django"].from_string("{% load humanize %}{{ n|intcomma }} {{ m|intcomma }}")
    with translation.override("zh-hans"):
        assert template.render({"n": 83662, "m": 8288}) == "83,662 8,288"


def test_dates_keep_their_chinese_form():
    template = engines["django"].from_string("{{ d|date }}")
    with translation.override("zh-hans"):
        assert template.render({"d": date(2026, 11, 30)}) == "2026年11月30日"
