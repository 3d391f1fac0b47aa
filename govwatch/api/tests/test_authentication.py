"""Without credentials nothing is read or written: 401 with a Token challenge, for every endpoint."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

READS = [
    "/api/v1/units/", "/api/v1/units/SC/", "/api/v1/items/", "/api/v1/items/I9/", "/api/v1/cases/",
    "/api/v1/cases/M1/", "/api/v1/evaluations/", "/api/v1/evaluations/E-M1/", "/api/v1/complaints/",
    "/api/v1/complaints/K-M1/",
]  # fmt: skip
PUSHES = [
    "/api/v1/units/",
    "/api/v1/items/",
    "/api/v1/case-events/",
    "/api/v1/evaluations/",
    "/api/v1/complaints/",
]


@pytest.mark.parametrize("url", READS)
def test_anonymous_reads_are_refused_with_a_token_challenge(facts, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("url", PUSHES)
def test_anonymous_pushes_are_refused_and_write_nothing(facts, url):
    from govwatch.imports.models import ImportRun

    runs = ImportRun.objects.count()
    response = APIClient().post(url, {"records": [{"code": "X"}]}, format="json")
    assert response.status_code == 401
    assert ImportRun.objects.count() == runs


def test_an_unknown_token_is_refused(region):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/v1/units/").status_code == 401


def test_a_token_of_a_deactivated_account_is_refused(people, token_client):
    client = token_client(people["hub"])
    people["hub"].is_active = False
    people["hub"].save()
    assert client.get("/api/v1/units/").status_code == 401


def test_a_person_reads_with_the_session_of_the_pages(people, session_client):
    assert session_client(people["leader"]).get("/api/v1/units/").status_code == 200


def test_a_session_push_needs_the_csrf_token_as_a_form_would(people, session_client):
    response = session_client(people["office"]).post(
        "/api/v1/units/",
        {"records": [{"code": "N", "name": "新", "kind": "department", "parent_code": "D"}]},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
