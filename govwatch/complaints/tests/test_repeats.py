"""Repeats: same contact or same case within 30 days of the first are one matter, whatever the
order the complaints arrive in."""

from __future__ import annotations

from datetime import timedelta

from govwatch.complaints.models import Complaint
from govwatch.complaints.repeats import chain, links, relink

from .conftest import PHONE, at


def test_the_same_contact_within_30_days_repeats_the_first(receive):
    first = receive(at(2026, 3, 2), contact=PHONE)
    second = receive(at(2026, 3, 20), contact=" 137-1234-5678 ")  # the same number, written otherwise
    third = receive(at(2026, 4, 1, 10, 1), contact=PHONE)  # 30 days and a minute after the first
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.repeat_of == first and second.repeat_reason == "contact"
    assert third.repeat_of is None  # a new matter: more than 30 days after the first
    assert [c.pk for c in chain(second)] == [first.pk, second.pk]


def test_the_same_case_links_complaints_of_different_people(receive, import_cases_one):
    case = import_cases_one
    first = receive(at(2026, 3, 2), case=case, contact="13700000001")
    other = receive(at(2026, 3, 3), case=case, contact="13700000002", source="hotline")
    other.refresh_from_db()
    assert other.repeat_of == first and other.repeat_reason == "case"


def test_complaints_arriving_out_of_order_are_linked_as_if_in_order(receive):
    later = receive(at(2026, 3, 20), contact=PHONE)
    earlier = receive(at(2026, 3, 2), contact=PHONE)
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert earlier.repeat_of is None and later.repeat_of == earlier


def test_anonymous_complaints_are_never_repeats(receive):
    receive(at(2026, 3, 2))
    second = receive(at(2026, 3, 3))
    assert Complaint.objects.filter(repeat_of__isnull=False).count() == 0
    assert relink([second.pk]) == 0


def test_the_rule_links_to_the_earliest_first_in_the_window():
    day = timedelta(days=1)
    t0 = at(2026, 3, 1)
    rows = [
        (1, t0, "a", None, None, ""),
        (2, t0 + 10 * day, "b", "X", None, ""),
        (3, t0 + 12 * day, "a", "X", None, ""),  # shares a with 1 and X with 2: the earlier is 1
        (4, t0 + 35 * day, "a", None, None, ""),  # 1 is out of the window: a new first
        (5, t0 + 36 * day, "a", None, None, ""),
    ]
    assert links(rows, timedelta(days=30)) == {
        1: (None, ""), 2: (None, ""), 3: (1, "contact"), 4: (None, ""), 5: (4, "contact"),
    }  # fmt: skip
