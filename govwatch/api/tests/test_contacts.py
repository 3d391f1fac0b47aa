"""POST /api/v1/applicant-contacts/: applicants' phones per case, scoped per row, never echoed."""

from __future__ import annotations

import json

import pytest

from govwatch.audit.log import verify
from govwatch.audit.models import AuditEntry
from govwatch.core import pii
from govwatch.public.contacts import find_contact, last_four_match
from govwatch.public.models import ApplicantContact

URL = "/api/v1/applicant-contacts/"
OUTSIDE = "超出本账号的数据范围"
PHONE_M1 = "13911112222"
PHONE_C1 = "13833334444"
PHONE_NEW = "13755556666"
BAD_PHONES = ["139 12", "abc-13900001111", "139000011112222333344"]
SECRETS = [PHONE_M1, PHONE_C1, PHONE_NEW, "abc-13900001111", "139000011112222333344", "139 12"]


def _post(client, records) -> tuple[int, dict]:
    response = client.post(URL, {"records": records}, format="json")
    _no_secret_in(response.content.decode())
    return response.status_code, response.json()


def _no_secret_in(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def _no_secret_in_the_audit() -> None:
    for entry in AuditEntry.objects.values():
        _no_secret_in(json.dumps(entry, ensure_ascii=False, default=str))


def test_a_batch_registers_the_phones_and_stores_no_number_in_clear(people, facts, token_client):
    status, doc = _post(
        token_client(people["hub"]),
        [
            {"case_no": "M1", "phone": "+86 139-1111-2222"},
            {"业务编号": "C1", "联系电话": int(PHONE_C1)},
        ],
    )
    assert status == 200
    assert doc == {"read": 2, "imported": 2, "duplicates": 0, "rejected": 0, "errors": []}
    contacts = {c.case_no: c for c in ApplicantContact.objects.all()}
    assert set(contacts) == {"M1", "C1"}
    for case_no, phone in [("M1", PHONE_M1), ("C1", PHONE_C1)]:
        contact = contacts[case_no]
        stored = ApplicantContact.objects.filter(pk=contact.pk).values().get()
        assert phone not in json.dumps(stored, default=str)
        assert contact.phone_hash == pii.keyed_hash(phone)
        assert contact.phone_masked == f"{phone[:3]}****{phone[-4:]}"
        assert pii.decrypt(contact.phone_enc) == phone  # what the SMS gateway gets
        assert last_four_match(find_contact(case_no), phone[-4:])
    _no_secret_in_the_audit()


def test_the_same_phone_again_is_a_duplicate_and_another_replaces_it(people, facts, token_client):
    client = token_client(people["hub"])
    _post(client, [{"case_no": "M1", "phone": PHONE_M1}])
    before = ApplicantContact.objects.values().get(case_no="M1")

    status, doc = _post(client, [{"case_no": "M1", "phone": "139 1111 2222"}])
    assert status == 200
    assert doc == {"read": 1, "imported": 0, "duplicates": 1, "rejected": 0, "errors": []}
    assert ApplicantContact.objects.values().get(case_no="M1") == before  # not even updated_at

    status, doc = _post(client, [{"case_no": "M1", "phone": PHONE_NEW}])
    assert status == 200
    assert doc == {"read": 1, "imported": 1, "duplicates": 0, "rejected": 0, "errors": []}
    contact = ApplicantContact.objects.get(case_no="M1")
    assert contact.phone_hash == pii.keyed_hash(PHONE_NEW)
    assert last_four_match(contact, PHONE_NEW[-4:]) and not last_four_match(contact, PHONE_M1[-4:])

    # Within a batch too: the record before is what the next one is compared with.
    status, doc = _post(
        client,
        [
            {"case_no": "M1", "phone": PHONE_NEW},
            {"case_no": "M1", "phone": PHONE_M1},
            {"case_no": "M1", "phone": PHONE_M1},
        ],
    )
    assert (doc["imported"], doc["duplicates"]) == (1, 2)
    assert ApplicantContact.objects.get(case_no="M1").phone_hash == pii.keyed_hash(PHONE_M1)
    assert ApplicantContact.objects.count() == 1
    _no_secret_in_the_audit()


def test_a_street_system_registers_phones_of_its_subtrees_cases_only(people, facts, token_client):
    client = token_client(people["street_system"])
    status, doc = _post(
        client,
        [
            {"case_no": "C1", "phone": PHONE_C1},  # the community's
            {"case_no": "M1", "phone": PHONE_M1},  # the market department's
            {"case_no": "NOPE", "phone": PHONE_NEW},
            {"case_no": "S1", "phone": PHONE_NEW},  # handled by the street for the market (通办)
        ],
    )
    assert status == 200
    assert (doc["read"], doc["imported"], doc["rejected"]) == (4, 2, 2)
    assert doc["errors"] == [
        {"line": 2, "field": "case_no", "message": OUTSIDE},
        {"line": 3, "field": "case_no", "message": "业务编号 NOPE 不存在（请先推送该办件的受理环节）"},
    ]
    assert set(ApplicantContact.objects.values_list("case_no", flat=True)) == {"C1", "S1"}

    status, doc = _post(client, [{"case_no": "M1", "phone": PHONE_M1}])
    assert status == 422 and doc["errors"] == [{"line": 1, "field": "case_no", "message": OUTSIDE}]
    assert not ApplicantContact.objects.filter(case_no="M1").exists()


def test_a_bad_phone_is_a_row_error_that_does_not_repeat_it(people, facts, token_client):
    client = token_client(people["hub"])
    status, doc = _post(client, [{"case_no": "M1", "phone": p} for p in BAD_PHONES])
    assert status == 422
    assert doc["rejected"] == 3 and doc["imported"] == 0
    assert {(e["field"], e["message"]) for e in doc["errors"]} == {
        ("phone", "联系电话格式不正确（应为 7 至 20 位数字，可带 +86、空格或连字符）")
    }
    status, doc = _post(
        client,
        [{"case_no": "C1"}, {"phone": PHONE_C1}, "not an object", {"case_no": "C1", "phone": PHONE_C1}],
    )
    assert status == 200 and doc["imported"] == 1
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(1, "phone"), (2, "case_no"), (3, "")]
    assert not ApplicantContact.objects.filter(case_no="M1").exists()
    _no_secret_in_the_audit()


def test_a_batch_is_one_audit_entry_with_counts_only(people, facts, token_client):
    _post(
        token_client(people["street_system"]),
        [
            {"case_no": "C1", "phone": PHONE_C1},
            {"case_no": "M1", "phone": PHONE_M1},
            {"case_no": "S1", "phone": BAD_PHONES[1]},
        ],
    )
    entry = AuditEntry.objects.get(action="import.applicant_contacts")
    assert entry.actor == "token:st-system" and entry.user == people["street_system"]
    assert entry.source == "10.1.2.3"
    assert entry.after == {"endpoint": URL, "read": 3, "imported": 1, "duplicates": 0, "rejected": 2}
    assert "C1" not in entry.summary + json.dumps(entry.after)
    _no_secret_in_the_audit()
    assert verify().ok


@pytest.mark.parametrize("who", ["leader", "market", "street", "supervisor"])
def test_accounts_without_the_import_right_get_403(people, facts, token_client, who):
    response = token_client(people[who]).post(
        URL, {"records": [{"case_no": "C1", "phone": PHONE_C1}]}, format="json"
    )
    assert response.status_code == 403
    assert not ApplicantContact.objects.exists()
    assert not AuditEntry.objects.filter(action="import.applicant_contacts").exists()


def test_the_office_may_push(people, facts, token_client):
    status, doc = _post(token_client(people["office"]), [{"case_no": "C1", "phone": PHONE_C1}])
    assert (status, doc["imported"]) == (200, 1)


def test_anonymous_gets_401(facts):
    from rest_framework.test import APIClient

    response = APIClient().post(URL, {"records": [{"case_no": "C1", "phone": PHONE_C1}]}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not ApplicantContact.objects.exists()


@pytest.mark.parametrize("body", [{}, {"records": []}, {"records": {"case_no": "C1"}}, [1, 2]])
def test_a_body_that_is_not_a_batch_is_400_and_not_audited(people, token_client, body):
    response = token_client(people["hub"]).post(URL, body, format="json")
    assert response.status_code == 400 and "records" in response.json()["detail"]
    assert not AuditEntry.objects.filter(action="import.applicant_contacts").exists()


def test_more_than_5000_records_is_413(people, facts, token_client):
    records = [{"case_no": "C1", "phone": PHONE_C1}] * 5001
    response = token_client(people["hub"]).post(URL, {"records": records}, format="json")
    assert response.status_code == 413 and "最多 5000 条" in response.json()["detail"]
    _no_secret_in(response.content.decode())
    assert not ApplicantContact.objects.exists()


def test_there_is_nothing_to_read(people, facts, token_client):
    client = token_client(people["hub"])
    _post(client, [{"case_no": "C1", "phone": PHONE_C1}])
    response = client.get(URL)
    assert response.status_code == 405
    _no_secret_in(response.content.decode())


def test_the_schema_describes_the_push(db):
    from django.test import Client

    doc = json.loads(Client().get("/api/schema/?format=json").content)
    post = doc["paths"][URL]["post"]
    assert {"200", "400", "401", "403", "413", "422", "429"} <= set(post["responses"])
    assert "get" not in doc["paths"][URL]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    records = doc["components"]["schemas"][body]["properties"]["records"]
    record = doc["components"]["schemas"][records["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(record["properties"]) == {"case_no", "phone"}
