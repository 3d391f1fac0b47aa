"""Personal data typed into free text (a phone or an ID number in a comment, a complaint, a demand,
a reply): masked wherever it is read, kept whole only encrypted, revealed through the audited
reveal. The field scan covers every model, so a new area's text is covered by default."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govwatch.audit.models import AuditEntry
from govwatch.core.fields import EncryptedTextField, FreeTextField, original
from govwatch.core.tables import object_table
from govwatch.imports.kinds import FIELDS
from govwatch.imports.runs import run_import_records

PHONE, ID_NUMBER = "13812345678", "110105199001011234"
TYPED = f"请回电 {PHONE}，身份证号 {ID_NUMBER}，谢谢"
SHOWN = "请回电 138****5678，身份证号 1101**********1234，谢谢"

# TextFields that are not text people type, and why.
NOT_FREE_TEXT = {
    "audit.auditentry.summary": "written by GovWatch with masked values, and hashed into the chain as written",
    "supervision.notification.text": "composed by GovWatch from a template and the case's own fields",
    "supervision.notification.last_error": "a gateway's error answer",
    "supervision.notificationtemplate.text": "the office's template, with placeholders and no one's data",
    "complaints.complaint.terms": "the words of the content as read (masked), for the dispatch model",
    "public.qrimage.svg": "a QR code's drawing of a GovWatch address, kept so it is drawn once",
}


def _text_fields():
    for model in apps.get_models():
        if model.__module__.startswith("govwatch."):
            for field in model._meta.concrete_fields:
                if isinstance(field, models.TextField):
                    yield f"{model._meta.label_lower}.{field.name}", field


def test_every_text_field_of_every_model_masks_personal_data_or_says_why_not():
    unexplained = [
        key
        for key, field in _text_fields()
        if not isinstance(field, FreeTextField | EncryptedTextField)
        and not field.name.endswith("_enc")  # ciphertext of a personal value (core.pii.protect)
        and key not in NOT_FREE_TEXT
    ]
    assert unexplained == [], "make these FreeTextField, or say in NOT_FREE_TEXT why they are not"
    assert set(NOT_FREE_TEXT) <= {key for key, _ in _text_fields()}, "NOT_FREE_TEXT names a field gone"


@pytest.mark.parametrize(
    "key", [key for key, field in _text_fields() if isinstance(field, FreeTextField)] or ["none"]
)
def test_each_free_text_field_stores_the_number_encrypted_and_reads_it_masked(key):
    field = dict(_text_fields())[key]
    stored = field.get_db_prep_save(TYPED, connection)
    assert PHONE not in stored and ID_NUMBER not in stored
    read = field.from_db_value(stored, None, connection)
    assert read == SHOWN and original(read) == TYPED
    # Read and written back unchanged, it keeps its original.
    assert original(field.from_db_value(field.get_db_prep_save(read, connection), None, connection)) == TYPED
    assert field.get_db_prep_save("没有号码的意见", connection) == "没有号码的意见"


def _load(kind: str, records: list[dict]) -> None:
    result = run_import_records(
        kind, object_table(records, FIELDS[kind]), operator_label="test", filename="t"
    )
    assert result.rejected == 0, result.errors


@pytest.fixture
def typed(region):
    _load("cases", [{"case_no": "M1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
                    {"case_no": "M1", "event": "suspend", "at": "2026-03-03T09:00:00", "reason": TYPED}])  # fmt: skip
    _load("evaluations", [{"eval_id": "E1", "level": "1", "at": "2026-03-04T10:00:00", "case_no": "M1",
                           "comment": TYPED}])  # fmt: skip
    _load("complaints", [{"complaint_id": "K1", "at": "2026-03-04T11:00:00", "source": "hotline",
                          "content": TYPED, "unit_code": "SC"}])  # fmt: skip
    return region


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - names from this test
        return [row[0] for row in cursor.fetchall()]


def test_numbers_typed_into_imported_texts_are_stored_encrypted(typed):
    for table, column in (("evaluations_evaluation", "comment"), ("complaints_complaint", "content"),
                          ("cases_caseevent", "reason")):  # fmt: skip
        for value in _raw(table, column):
            assert PHONE not in value and ID_NUMBER not in value, (table, value)


@pytest.mark.parametrize("who", ["office", "supervisor", "market_staff"])
def test_every_role_reads_the_text_masked_in_pages_and_the_api(typed, people, client, who):
    user = getattr(people, who)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.force_login(user)
    answers = [
        api.get(url) for url in ("/api/v1/evaluations/E1/", "/api/v1/complaints/K1/", "/api/v1/cases/M1/")
    ]
    answers += [client.get("/cases/M1/")]
    for answer in answers:
        text = answer.content.decode()
        assert answer.status_code == 200
        assert PHONE not in text and ID_NUMBER not in text
    assert api.get("/api/v1/evaluations/E1/").json()["comment"] == SHOWN
    assert "138****5678" in answers[-1].content.decode()


def test_the_original_is_revealed_to_those_who_may_and_audited(typed, people, client):
    from govwatch.evaluations.models import Evaluation

    evaluation = Evaluation.objects.get(eval_id="E1")
    url = f"/reveal-text/evaluations.evaluation/{evaluation.pk}/comment/"
    client.force_login(people.supervisor)
    page = client.get("/cases/M1/").content.decode()
    assert url in page and "显示原文" in page
    answer = client.post(url, HTTP_ACCEPT="application/json")
    assert answer.json() == {"value": TYPED}
    entry = AuditEntry.objects.get(action="pii.reveal")
    assert entry.after == {"field": "comment"} and PHONE not in entry.summary
    client.force_login(people.market_staff)
    assert client.post(url).status_code == 403
    assert url not in client.get("/cases/M1/").content.decode()


def test_a_field_that_is_not_free_text_cannot_be_revealed(typed, people, client):
    client.force_login(people.supervisor)
    assert client.post("/reveal-text/orgs.unit/1/name/").status_code == 404
    assert client.post("/reveal-text/nothing.here/1/comment/").status_code == 404
