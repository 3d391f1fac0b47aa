"""Internet+regulation figures on a hand-computed example, and the pages that show them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from govwatch.orgs.models import Unit
from govwatch.regulation.figures import figures
from govwatch.regulation.models import EnforcementOfficer, RegulatoryItem, SupervisionAction


@pytest.fixture
def listed(region):
    market, social = region["market"], region["social"]
    items = {}
    for code, unit, random_check in (
        ("M1", market, True),
        ("M2", market, True),
        ("M3", market, False),
        ("S1", social, True),
    ):
        items[code] = RegulatoryItem.objects.create(
            code=code, name=code, unit=unit, random_check=random_check
        )
    RegulatoryItem.objects.create(
        code="R1", name="无对象", unit=market, return_reason="no_object", returned_on=date(2026, 2, 1)
    )
    RegulatoryItem.objects.create(
        code="R2", name="无职权", unit=social, return_reason="no_power", returned_on=date(2026, 5, 1)
    )
    actions = [
        ("A1", "M1", "random", True, date(2026, 3, 2)),
        ("A2", "M1", "routine", False, date(2026, 3, 5)),
        ("A3", "M3", "routine", False, date(2026, 4, 1)),
        ("A4", "S1", "routine", True, date(2026, 3, 9)),  # a routine check does not cover the random list
        ("A5", "M2", "random", False, date(2025, 12, 30)),  # before the period
    ]
    for action_id, code, kind, joint, on in actions:
        item = items[code]
        SupervisionAction.objects.create(
            action_id=action_id, item=item, unit=item.unit, kind=kind, joint=joint, on=on, digest=action_id
        )
    EnforcementOfficer.objects.create(
        officer_id="O1", name="甲", unit=market, certificate_no="C1", registered=True
    )
    EnforcementOfficer.objects.create(
        officer_id="O2", name="乙", unit=market, certificate_no="C2", registered=False
    )
    EnforcementOfficer.objects.create(
        officer_id="O3", name="丙", unit=social, certificate_no="", registered=False
    )
    return items


def test_the_figures_of_a_period_computed_by_hand(listed):
    rows, total = figures(Unit.objects.all(), date(2026, 1, 1), date(2026, 4, 30))
    market = next(r for r in rows if r.unit_code == "SC")
    # SC: M1, M2, M3 listed (R1 returned in February); M1 and M3 acted on; random list M1, M2: M1.
    assert (market.items, market.covered, market.random_items, market.random_covered) == (3, 2, 2, 1)
    assert market.returned == {"no_object": 1, "no_power": 0}
    assert (market.actions, market.joint_actions, market.certified, market.registered) == (3, 1, 2, 1)
    # RS: S1 and R2 (returned only in May: still listed at the end of April).
    social = next(r for r in rows if r.unit_code == "RS")
    assert (social.items, social.covered, social.random_items, social.random_covered) == (2, 1, 1, 0)
    assert (total.items, total.covered, total.coverage) == (5, 3, 0.6)
    assert total.random_coverage == pytest.approx(1 / 3)
    assert total.registration_rate == 0.5


def test_a_rate_with_nothing_to_count_is_none(region):
    rows, total = figures(Unit.objects.all(), date(2026, 1, 1), date(2026, 4, 30))
    assert rows == [] and total.coverage is None and total.random_coverage is None


def test_the_pages_show_the_figures_within_the_scope(client, people, listed):
    client.force_login(people.leader)
    page = client.get(reverse("regulation:figures"), {"date_from": "2026-01-01", "date_to": "2026-04-30"})
    assert "60.0%" in page.content.decode() and "33.3%" in page.content.decode()
    assert 'data-chart="chart-regulation-coverage"' in page.content.decode()
    client.force_login(people.social_staff)
    page = _without_tokens(
        client.get(reverse("regulation:items"), {"date_from": "2026-01-01", "date_to": "2026-04-30"})
    )
    assert "S1" in page and "M1" not in page
    uncovered = _without_tokens(
        client.get(reverse("regulation:items"), {"coverage": "uncovered", "date_from": "2026-01-01"})
    )
    assert "R2" not in uncovered


def _without_tokens(response) -> str:
    """The page without its CSRF tokens: a random token may hold two-letter codes like "R2"."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
