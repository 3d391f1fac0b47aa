"""Counts at province scale: what is in hand counted inside indexes, and each scope still counts
exactly the cases it sees."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from govwatch.accounts.permissions import EVERYTHING, NOTHING, Scope, scope
from govwatch.cases.models import Case
from govwatch.core.choices import Card, CaseStatus
from govwatch.orgs.models import Unit

TODAY = date(2026, 3, 20)


def plain_counts(cases, today: date = TODAY) -> dict[str, int]:
    """The home page's counts as it counted them before, through the scope's join."""
    return {
        "open": cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.SUSPENDED]).count(),
        "suspended": cases.filter(status=CaseStatus.SUSPENDED).count(),
        "overdue": cases.filter(status=CaseStatus.OPEN, due_date__lt=today).count(),
        "yellow": cases.filter(card=Card.YELLOW, status=CaseStatus.OPEN).count(),
        "red": cases.filter(card=Card.RED, status=CaseStatus.OPEN).count(),
    }


def test_only_a_scope_at_the_root_sees_every_unit(region, people):
    assert Unit.objects.all_visible_to(scope(people["office"]))
    assert Unit.objects.all_visible_to(EVERYTHING)
    assert not Unit.objects.all_visible_to(scope(people["market"]))
    assert not Unit.objects.all_visible_to(NOTHING)
    # A second tree beside the region: its root no longer sees every unit.
    Unit.objects.create(code="X", name="另一区", kind="district")
    assert not Unit.objects.all_visible_to(scope(people["office"]))


@pytest.mark.parametrize("role", ["office", "leader", "market", "social", "nobody", "admin"])
def test_cases_counted_for_a_scope_are_the_cases_it_sees(cases, people, role):
    mine = scope(people[role])
    counted = Case.objects.counted_for(mine)
    assert sorted(counted.values_list("case_no", flat=True)) == sorted(
        Case.objects.visible_to(mine).values_list("case_no", flat=True)
    )
    assert counted.in_hand_counts(TODAY) == plain_counts(Case.objects.visible_to(mine))


def test_the_home_page_counts_the_open_and_carded_cases_of_the_scope(cases, people, as_user):
    office = as_user(people["office"]).get(reverse("home")).context["counts"]
    expected = plain_counts(Case.objects.all(), timezone.localdate())
    assert {k: office[k] for k in expected} == expected and expected["red"] == expected["yellow"] == 1
    market = as_user(people["market"]).get(reverse("home")).context["counts"]
    assert (market["red"], market["yellow"]) == (1, 1)
    social = as_user(people["social"]).get(reverse("home")).context["counts"]
    assert (social["red"], social["yellow"]) == (0, 0)


def test_every_unit_seen_is_found_by_the_path_range(region, people):
    # A unit whose path only shares the root's prefix text is outside its subtree.
    Unit.objects.create(code="D2", name="邻区", kind="district")  # path /D2/, beside /D/
    assert not Unit.objects.all_visible_to(scope(people["office"]))


def test_complaints_seen_from_the_root_are_every_complaint(cases, people):
    from govwatch.complaints.models import Complaint

    Complaint.objects.create(
        complaint_id="T2", at=timezone.now(), source="hotline", content="未分办", category="delay", digest="-"
    )
    office, market, social = scope(people["office"]), scope(people["market"]), scope(people["social"])
    assert Complaint.objects.visible_to(office).count() == Complaint.objects.count() == 2
    assert list(Complaint.objects.visible_to(market).values_list("complaint_id", flat=True)) == ["T1"]
    assert not Complaint.objects.visible_to(social).exists()
    # Sent to another unit, a complaint about the market's case is seen by both; the street's by neither.
    Complaint.objects.filter(complaint_id="T1").update(unit=people["social"].membership.unit)
    Complaint.objects.create(
        complaint_id="T3", at=timezone.now(), source="hotline", content="社区", category="delay", digest="-",
        unit=Unit.objects.get(code="ST1"),
    )  # fmt: skip
    for mine in (market, social):
        assert list(Complaint.objects.visible_to(mine).values_list("complaint_id", flat=True)) == ["T1"]
    street = Unit.objects.get(code="ST")
    assert [c.complaint_id for c in Complaint.objects.visible_to(Scope(street.path))] == ["T3"]
    assert not Complaint.objects.visible_to(NOTHING).exists()
