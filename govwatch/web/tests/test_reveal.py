"""「显示完整号码」: one field in clear for those who may, by POST with CSRF, each time audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from govwatch.accounts.models import Membership, Role
from govwatch.audit.models import AuditEntry

from .conftest import COMPLAINT_CONTACT, EVALUATOR_PHONE, PASSWORD

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize(
    ("what", "key", "clear", "target_type", "field"),
    [
        ("unit-phone", "SC", "13800001111", "orgs.unit", "phone"),
        ("evaluator", "E1", EVALUATOR_PHONE, "evaluations.evaluation", "evaluator"),
        ("complainant", "T1", COMPLAINT_CONTACT, "complaints.complaint", "contact"),
    ],
)
def test_a_supervisor_reveals_one_value_and_the_reveal_is_audited(
    as_user, people, cases, what, key, clear, target_type, field
):
    response = as_user(people["supervisor"]).post(reverse("reveal", args=[what, key]), **JSON)
    assert response.status_code == 200 and response.json() == {"value": clear}
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="pii.reveal")
    assert (entry.actor, entry.target_type, entry.after) == ("user:jw", target_type, {"field": field})
    # The value itself is nowhere in the row.
    assert clear not in str(AuditEntry.objects.filter(pk=entry.pk).values().get())


def test_without_javascript_the_value_is_shown_on_a_page(as_user, people, cases):
    response = as_user(people["supervisor"]).post(
        reverse("reveal", args=["unit-phone", "SC"]), HTTP_REFERER="http://testserver/units/SC/"
    )
    html = response.content.decode()
    assert "13800001111" in html and "已记入审计日志" in html and 'href="http://testserver/units/SC/"' in html


def test_reveal_takes_post_only(as_user, people, cases):
    assert as_user(people["supervisor"]).get(reverse("reveal", args=["unit-phone", "SC"])).status_code == 405
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


def test_reveal_needs_the_csrf_token(people, cases):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["supervisor"])
    response = client.post(reverse("reveal", args=["unit-phone", "SC"]), **JSON)
    assert response.status_code == 403 and "13800001111" not in response.content.decode()


def test_reveal_stays_inside_the_scope(as_user, django_user_model, region, cases):
    # A supervisor of the street only (not the demo layout, but the scope still applies).
    street = django_user_model.objects.create_user("jw-street", password=PASSWORD)
    Membership.objects.create(user=street, role=Role.SUPERVISOR, unit=region["street"])
    client = as_user(street)
    assert client.post(reverse("reveal", args=["unit-phone", "SC"]), **JSON).status_code == 404
    assert client.post(reverse("reveal", args=["evaluator", "E1"]), **JSON).status_code == 404
    assert client.post(reverse("reveal", args=["nothing", "SC"]), **JSON).status_code == 404
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


def test_reveal_buttons_only_for_those_who_may(as_user, people, cases):
    for role, shown in [("supervisor", True), ("admin", True), ("leader", False), ("market", False)]:
        client = as_user(people[role])
        units = client.get(reverse("unit-list")).content.decode()
        case = client.get(reverse("case-detail", args=["RS2026030301"]))
        assert ("显示完整号码" in units) == shown
        if role != "market":
            assert ("显示完整号码" in case.content.decode()) == shown
            assert "139****5678" in case.content.decode()  # the evaluator, masked for everyone
