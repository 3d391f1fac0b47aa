"""Logins, logouts and failed logins are audited; the integration role may not log into pages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from govwatch.accounts.forms import INTEGRATION_ONLY, NOT_FOR_ADMIN
from govwatch.accounts.models import Membership, Role
from govwatch.audit.models import AuditEntry

PASSWORD = "Govwatch-test-1"


@pytest.fixture
def person(region):
    def make(name: str, role: str) -> object:
        user = get_user_model().objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=user, role=role, unit=region["root"])
        return user

    return make


def actions() -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.order_by("id").values_list("action", "actor", "target_id"))


def test_login_logout_and_a_failed_login_are_audited(client, person):
    leader = person("ld", Role.LEADER)
    client.post(reverse("login"), {"username": "ld", "password": "not-the-password"})
    client.post(reverse("login"), {"username": "ld", "password": PASSWORD})
    client.post(reverse("logout"))
    assert actions() == [
        ("auth.login_failed", "anonymous", "ld"),
        ("auth.login", "user:ld", str(leader.pk)),
        ("auth.logout", "user:ld", str(leader.pk)),
    ]
    entries = list(AuditEntry.objects.values())
    assert all(e["source"] == "127.0.0.1" for e in entries)
    assert "not-the-password" not in str(entries) and PASSWORD not in str(entries)


def test_the_integration_role_cannot_log_into_pages(client, person):
    person("api", Role.INTEGRATION)
    response = client.post(reverse("login"), {"username": "api", "password": PASSWORD})
    assert response.status_code == 200 and INTEGRATION_ONLY in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert [a for a, _, _ in actions()] == ["auth.login_refused"]


def test_the_admin_login_refuses_roles_without_the_catalog(client, person):
    person("ld", Role.LEADER)
    response = client.post(reverse("admin:login"), {"username": "ld", "password": PASSWORD})
    assert response.status_code == 200 and NOT_FOR_ADMIN in response.content.decode()
    person("zwb", Role.OFFICE)
    response = client.post(reverse("admin:login"), {"username": "zwb", "password": PASSWORD})
    assert response.status_code == 302
