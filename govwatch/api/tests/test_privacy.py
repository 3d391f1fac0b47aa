"""Personal data never leaves through the API in clear: not the evaluator, not the complainant's
contact, not a unit's phone; evaluators and contacts are not even there masked."""

from __future__ import annotations

import pytest

from .conftest import COMPLAINT_CONTACT, EVALUATOR_PHONE

UNIT_PHONES = ["13800001111", "13800002222", "13900009999"]
URLS = [
    "/api/v1/units/?page_size=100", "/api/v1/units/SC/", "/api/v1/units/JW/", "/api/v1/items/",
    "/api/v1/cases/", "/api/v1/cases/M1/", "/api/v1/cases/C1/", "/api/v1/evaluations/",
    "/api/v1/evaluations/E-M1/", "/api/v1/complaints/", "/api/v1/complaints/K-M1/", "/api/schema/?format=json",
]  # fmt: skip


@pytest.mark.parametrize("who", ["office", "supervisor", "market"])
def test_no_response_holds_a_phone_in_clear(people, facts, token_client, who):
    client = token_client(people[who])
    for url in URLS:
        content = client.get(url).content.decode()
        for secret in [EVALUATOR_PHONE, COMPLAINT_CONTACT, *UNIT_PHONES]:
            assert secret not in content, (url, secret)


def test_unit_phones_are_shown_masked(people, facts, token_client):
    assert token_client(people["office"]).get("/api/v1/units/SC/").json()["phone"] == "138****1111"


def test_evaluations_and_complaints_have_no_evaluator_or_contact_field(people, facts, token_client):
    client = token_client(people["supervisor"])  # even the role that may reveal them in pages
    evaluation = client.get("/api/v1/evaluations/E-M1/").json()
    complaint = client.get("/api/v1/complaints/K-M1/").json()
    assert not {"evaluator", "evaluator_hash", "evaluator_enc"} & set(evaluation)
    assert not {"contact", "contact_hash", "contact_enc"} & set(complaint)
    assert "*" not in str(evaluation) + str(complaint)
    assert complaint["content"] == "窗口推诿" and evaluation["comment"] == "等太久"


def test_a_push_response_does_not_echo_personal_values(people, token_client):
    response = token_client(people["hub"]).post(
        "/api/v1/evaluations/",
        {"records": [{"eval_id": "E1", "level": "9", "at": "2026-03-02T10:00:00", "unit_code": "SC",
                      "evaluator": EVALUATOR_PHONE}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 422
    assert EVALUATOR_PHONE not in response.content.decode()
