"""Paged lists count their rows up to a limit: past it the page says "N+" and pages to the limit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from govwatch.orgs.models import Unit
from govwatch.supervision.views import common


@pytest.fixture
def units(db):
    return [Unit.objects.create(code=f"U{i}", name=f"单位{i}", kind="department") for i in range(5)]


def test_a_list_under_the_limit_is_counted_exactly(units):
    listing = common.paginate(RequestFactory().get("/"), Unit.objects.order_by("code"), per_page=2)
    assert (listing.page.paginator.count, listing.page.paginator.capped) == (5, False)
    assert listing.page.paginator.num_pages == 3


def test_a_list_over_the_limit_says_more_than_and_pages_to_the_limit(units, monkeypatch):
    monkeypatch.setattr(common, "COUNT_LIMIT", 3)
    listing = common.paginate(
        RequestFactory().get("/", {"page": "2"}), Unit.objects.order_by("code"), per_page=2
    )
    paginator = listing.page.paginator
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    assert [u.code for u in listing.page] == ["U2"]


def test_the_rows_counted_may_be_given_apart(units):
    rows = Unit.objects.order_by("code")
    listing = common.paginate(
        RequestFactory().get("/"), rows, per_page=2, counted=rows.filter(code__in=["U0", "U1"])
    )
    assert listing.page.paginator.count == 2
