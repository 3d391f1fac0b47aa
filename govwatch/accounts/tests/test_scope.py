"""The permission layer: a unit's staff see their subtree only; the region's roles see all of it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from govwatch.accounts.models import Membership, Role
from govwatch.accounts.permissions import IMPORT, ISSUE_ORDERS, REPLY_ORDERS, VIEW_PII, may, scope
from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.orgs.models import Unit


@pytest.fixture
def people(region):
    User = get_user_model()

    def person(name, role, unit):
        user = User.objects.create_user(name, password="Govwatch-test-1")
        Membership.objects.create(user=user, role=role, unit=unit)
        return user

    return {
        "supervisor": person("jw", Role.SUPERVISOR, region["root"]),
        "street": person("st", Role.UNIT_STAFF, region["street"]),
        "market": person("sc", Role.UNIT_STAFF, region["market"]),
        "leader": person("ld", Role.LEADER, region["root"]),
        "nobody": User.objects.create_user("nobody", password="Govwatch-test-1"),
        "admin": User.objects.create_superuser("root", password="Govwatch-test-1"),
    }


def test_unit_staff_see_their_subtree_only(people, region):
    street = scope(people["street"])
    assert set(Unit.objects.visible_to(street).values_list("code", flat=True)) == {"ST", "ST1"}
    assert list(Item.objects.visible_to(street).values_list("code", flat=True)) == [
        "I0"
    ]  # the community's item
    assert not street.contains(region["market"]) and street.contains(region["community"])


def test_region_roles_see_everything_in_the_region(people):
    assert Item.objects.visible_to(scope(people["supervisor"])).count() == Item.objects.count()
    assert Unit.objects.visible_to(scope(people["leader"])).count() == 7


def test_no_role_or_anonymous_sees_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    assert Unit.objects.visible_to(scope(people["nobody"])).count() == 0
    assert Case.objects.visible_to(scope(AnonymousUser())).count() == 0


def test_an_inactive_user_sees_nothing(people):
    people["street"].is_active = False
    assert Unit.objects.visible_to(scope(people["street"])).count() == 0


def test_actions_by_role(people):
    assert may(people["supervisor"], ISSUE_ORDERS) and may(people["supervisor"], VIEW_PII)
    assert not may(people["market"], ISSUE_ORDERS) and may(people["market"], REPLY_ORDERS)
    assert not may(people["leader"], IMPORT) and not may(people["leader"], REPLY_ORDERS)
    assert may(people["admin"], VIEW_PII) and not may(people["nobody"], REPLY_ORDERS)
