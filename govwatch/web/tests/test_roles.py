"""Roles in the pages: unit staff see their subtree only, by list or by guessed address; the
region's roles read everything; no role, the integration role and anonymous see nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govwatch.accounts.access import INTEGRATION_ONLY, NO_ROLE
from govwatch.catalog.models import Item

# Every page of GovWatch (GET), with one record of the market bureau where there is one.
PAGES = [
    reverse("home"),
    reverse("unit-list"),
    reverse("unit-detail", args=["SC"]),
    reverse("item-list"),
    reverse("case-list"),
    reverse("case-detail", args=["SC2026030001"]),
    reverse("audit"),
]
REVEAL_SC_PHONE = reverse("reveal", args=["unit-phone", "SC"])
MARKET_CASES = {"SC2026030001", "SC2026031001", "SC2026030501"}


def codes(response, key: str = "code") -> set[str]:
    return {getattr(row, key) for row in response.context["page"]}


def test_unit_staff_list_only_their_unit(as_user, people, cases):
    client = as_user(people["market"])
    units = client.get(reverse("unit-list")).context["rows"]
    assert [row["unit"].code for row in units] == ["SC"]
    assert codes(client.get(reverse("item-list"))) == {"I9"}
    assert codes(client.get(reverse("case-list")), "case_no") == MARKET_CASES
    assert client.get(reverse("home")).context["unit_count"] == 1


@pytest.mark.parametrize(
    "url",
    [
        reverse("unit-detail", args=["RS"]),
        reverse("unit-detail", args=["D"]),  # the parent is outside the subtree too
        reverse("case-detail", args=["RS2026030301"]),
        reverse("case-detail", args=["ST2026040101"]),
    ],
)
def test_unit_staff_get_404_for_records_of_other_units(as_user, people, cases, url):
    assert as_user(people["market"]).get(url).status_code == 404


def test_unit_staff_cannot_filter_their_way_into_another_unit(as_user, people, cases):
    client = as_user(people["market"])
    assert codes(client.get(reverse("case-list"), {"unit": "RS"}), "case_no") == set()
    assert codes(client.get(reverse("item-list"), {"unit": "RS"})) == set()
    assert codes(client.get(reverse("case-list"), {"item": "I2"}), "case_no") == set()
    found = client.get(reverse("case-list"), {"q": "RS2026030301"})
    assert found.status_code == 200 and codes(found, "case_no") == set()


@pytest.mark.parametrize("role", ["market", "leader", "office"])
def test_only_supervisors_reach_the_audit_page(as_user, people, region, role):
    assert as_user(people[role]).get(reverse("audit")).status_code == 403
    assert as_user(people["supervisor"]).get(reverse("audit")).status_code == 200
    assert as_user(people["admin"]).get(reverse("audit")).status_code == 200


@pytest.mark.parametrize("role", ["market", "leader", "supervisor", "nobody", "integration"])
def test_only_the_service_office_and_superusers_reach_the_admin(as_user, people, region, role):
    client = as_user(people[role])
    for url in (reverse("admin:index"), reverse("admin:catalog_item_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert as_user(people["office"]).get(reverse("admin:index")).status_code == 200


def test_the_service_office_manages_the_catalog_but_not_the_people(as_user, people, region):
    client = as_user(people["office"])
    assert client.get(reverse("admin:catalog_item_changelist")).status_code == 200
    assert client.get(reverse("admin:workcal_calendarday_add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 200  # facts, read-only


@pytest.mark.parametrize("role", ["leader", "market", "supervisor"])
def test_read_only_roles_cannot_change_an_item_through_the_admin(as_user, people, region, role):
    item = region["items"]["I9"]
    url = reverse("admin:catalog_item_change", args=[item.pk])
    response = as_user(people[role]).post(url, {"code": "I9", "name": "改名", "unit": item.unit_id})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert Item.objects.get(pk=item.pk).name == "食品经营许可"


@pytest.mark.parametrize("role", ["leader", "market", "office"])
def test_roles_without_personal_data_access_cannot_reveal(as_user, people, region, role):
    response = as_user(people[role]).post(REVEAL_SC_PHONE, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert "13800001111" not in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_user_without_a_role_is_told_so_in_chinese(as_user, people, cases, url):
    response = as_user(people["nobody"]).get(url)
    assert response.status_code == 403
    assert NO_ROLE in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_the_integration_role_has_no_pages(as_user, people, cases, url):
    response = as_user(people["integration"]).get(url)
    assert response.status_code == 403
    assert INTEGRATION_ONLY in response.content.decode()


@pytest.mark.parametrize("url", [*PAGES, reverse("admin:index")])
def test_anonymous_users_are_sent_to_a_login_page(client, cases, url):
    response = client.get(url)
    assert response.status_code == 302 and "login/?next=" in response.url


def test_anonymous_reveal_is_sent_to_login(client, cases):
    response = client.post(REVEAL_SC_PHONE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("market", "单位工作人员 · 区市场监管局"),
        ("supervisor", "纪检监察 · 测试区"),
        ("office", "政务服务管理办公室 · 测试区"),
        ("leader", "领导 · 测试区"),
        ("admin", "系统管理员"),
    ],
)
def test_the_navigation_shows_role_and_unit(as_user, people, region, role, shown):
    html = as_user(people[role]).get(reverse("home")).content.decode()
    assert shown in html
    assert ("审计日志" in html) == (role in {"supervisor", "admin"})
    assert ("管理后台" in html) == (role in {"office", "admin"})
