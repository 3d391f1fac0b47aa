"""Bodies and values crafted to break a push: each is a 400 or a row error in Chinese, never a 500."""

from __future__ import annotations

import json

import pytest

from govwatch.accounts.models import Membership
from govwatch.cases.models import Case

PUSHES = [
    "/api/v1/units/",
    "/api/v1/items/",
    "/api/v1/case-events/",
    "/api/v1/evaluations/",
    "/api/v1/complaints/",
    "/api/v1/applicant-contacts/",
]


@pytest.fixture
def hub(people, token_client):
    Membership.objects.filter(user=people["hub"]).update(grants=["master_data"])
    return token_client(people["hub"])


def _raw(client, url: str, body: str | bytes):
    return client.generic("POST", url, body, content_type="application/json")


@pytest.mark.parametrize("url", PUSHES)
def test_5000_deep_nesting_is_a_400_in_chinese(hub, url):
    for body in ("[" * 5000 + "]" * 5000, '{"records": [' + '{"a":' * 5000 + "1" + "}" * 5000 + "]}"):
        response = _raw(hub, url, body)
        assert response.status_code == 400, response.content
        assert "嵌套层数过多" in response.json()["detail"]


@pytest.mark.parametrize("url", PUSHES)
def test_a_number_of_5000_digits_is_no_english_message(hub, url):
    response = _raw(hub, url, '{"records": [{"code": ' + "9" * 5000 + "}]}")
    assert response.status_code in (200, 422)
    assert "digits" not in response.content.decode() and "Exceeds" not in response.content.decode()


@pytest.mark.parametrize("url", PUSHES)
def test_invalid_json_is_explained_in_chinese(hub, url):
    response = _raw(hub, url, '{"records": [')
    assert response.status_code == 400
    assert response.json()["detail"].startswith("请求体不是有效的 JSON：JSON 格式错误（第 1 行")
    response = _raw(hub, url, b"\xff\xfe")
    assert response.json()["detail"] == "请求体不是有效的 JSON：不是 UTF-8 编码的文本"


@pytest.mark.parametrize("url", PUSHES)
def test_a_nul_byte_in_any_value_is_a_row_error_and_the_rest_go_in(hub, url, facts):
    records = [
        {name: "X\x00" for name in ("code", "case_no", "eval_id", "complaint_id", "unit_code", "name")}
    ]
    response = hub.post(url, {"records": records}, format="json")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["line"] == 1 and "NUL" in error["message"]


def test_nul_values_do_not_cost_the_good_rows_of_a_batch(hub, region):
    response = hub.post(
        "/api/v1/case-events/",
        {"records": [
            {"case_no": "G1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
            {"case_no": "G2", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9", "reason": "a\x00"},
            {"case_no": "G3", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9\x00"},
        ]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200
    doc = response.json()
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(2, "reason"), (3, "item_code")]
    assert list(Case.objects.values_list("case_no", flat=True)) == ["G1"]


def test_a_json_object_as_a_case_number_is_a_row_error(hub, region):
    response = hub.post(
        "/api/v1/case-events/",
        {
            "records": [
                {"case_no": {"a": 1}, "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"}
            ]
        },
        format="json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "case_no"
    assert not Case.objects.exists()


def test_an_unknown_key_with_a_nul_is_warned_about_safely(hub, region):
    body = json.dumps(
        {"records": [{"code": "N1", "name": "n", "parent_code": "D", "kind": "department", "x\x00": 1}]}
    )
    response = _raw(hub, "/api/v1/units/", body)
    assert response.status_code == 200 and response.json()["imported"] == 1
