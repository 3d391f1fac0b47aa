"""Pushes go through the import service: the same checks, messages, idempotency and audit entry."""

from __future__ import annotations

import json

import pytest

from govwatch.accounts.models import Membership
from govwatch.audit.models import AuditEntry
from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.complaints.models import Complaint
from govwatch.evaluations.models import Evaluation
from govwatch.imports.models import ImportRun
from govwatch.orgs.models import Unit

OUTSIDE = "超出本账号的数据范围"


def _post(client, url: str, records: list) -> tuple[int, dict]:
    response = client.post(url, {"records": records}, format="json")
    return response.status_code, response.json()


def test_a_batch_of_case_events_is_imported_and_reported_as_the_import_document(people, token_client):
    status, doc = _post(
        token_client(people["hub"]),
        "/api/v1/case-events/",
        [
            {"case_no": "A1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
            {"业务编号": "A1", "环节": "办结", "时间": "2026-03-04T09:00:00"},
        ],
    )
    assert status == 200
    assert doc == {"read": 2, "imported": 2, "duplicates": 0, "rejected": 0, "errors": []}
    assert Case.objects.get(case_no="A1").status == "completed"


def test_re_pushing_the_same_batch_changes_nothing(people, token_client):
    client = token_client(people["hub"])
    batch = [
        {"case_no": "A1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
        {"case_no": "A1", "event": "suspend", "at": "2026-03-03T09:00:00", "reason": "补正"},
    ]
    _post(client, "/api/v1/case-events/", batch)
    before = Case.objects.values().get(case_no="A1")
    status, doc = _post(client, "/api/v1/case-events/", batch)
    assert status == 200
    assert doc == {"read": 2, "imported": 0, "duplicates": 2, "rejected": 0, "errors": []}
    assert Case.objects.values().get(case_no="A1") == before


def test_bad_rows_are_reported_by_their_place_in_the_batch_in_chinese(people, token_client):
    status, doc = _post(
        token_client(people["hub"]),
        "/api/v1/case-events/",
        [
            {"case_no": "A1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
            {"case_no": "A2", "event": "accept", "at": "2026-03-02T09:00:00"},
            {"case_no": "A3", "event": "approve", "at": "2026-03-02T09:00:00", "item_code": "I9"},
            {"case_no": "A4", "event": "accept", "at": "2026-02-30T09:00:00", "item_code": "I9"},
            {"case_no": "A5", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "NOPE"},
            {"case_no": "A1", "event": "resume", "at": "2026-03-03T09:00:00"},
            {"event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
            "not an object",
        ],
    )
    assert status == 200  # one row went in
    assert doc["read"] == 8 and doc["imported"] == 1 and doc["rejected"] == 7
    errors = {e["line"]: (e["field"], e["message"]) for e in doc["errors"]}
    assert errors[2] == ("item_code", "受理环节必须填写事项编码 item_code(事项编码)")
    assert errors[3][0] == "event" and "“approve”无效" in errors[3][1]
    assert errors[4][0] == "at" and "不是有效的时间" in errors[4][1]
    assert errors[5] == ("item_code", "事项编码 NOPE 不存在（请先导入事项）")
    assert errors[6][0] == "event" and "挂起" in errors[6][1]  # resume only while suspended
    assert errors[7] == ("case_no", "缺少必填字段 case_no(业务编号)")
    assert errors[8] == ("", "该记录应为一个 JSON 对象")


def test_numbers_and_booleans_are_read_as_the_file_readers_read_them(people, token_client):
    client = token_client(people["hub"])
    _post(client, "/api/v1/case-events/", [{"case_no": 42, "event": "accept", "at": "2026-03-02T09:00:00",
                                            "item_code": "I9"}])  # fmt: skip
    status, doc = _post(
        client, "/api/v1/evaluations/",
        [{"eval_id": 7, "level": 4.0, "at": "2026-03-02T10:00:00", "case_no": "42", "auto": True}],
    )  # fmt: skip
    assert (status, doc["imported"]) == (200, 1)
    evaluation = Evaluation.objects.get(eval_id="7")
    assert (evaluation.level, evaluation.auto, evaluation.case_id) == (4, True, "42")


def test_a_batch_whose_every_row_is_refused_is_422_with_the_document(people, token_client):
    status, doc = _post(
        token_client(people["hub"]), "/api/v1/evaluations/", [{"eval_id": "E1", "level": "6"}]
    )
    assert status == 422
    assert doc["rejected"] == 1 and doc["imported"] == 0 and doc["errors"][0]["line"] == 1


@pytest.mark.parametrize("body", [{}, {"records": []}, {"records": {"a": 1}}, [1, 2]])
def test_a_body_that_is_not_a_batch_is_400(people, token_client, body):
    response = token_client(people["hub"]).post("/api/v1/case-events/", body, format="json")
    assert response.status_code == 400
    assert "records" in response.json()["detail"]
    assert not ImportRun.objects.exists()


def test_invalid_json_is_400(people, token_client):
    response = token_client(people["hub"]).post(
        "/api/v1/case-events/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_more_than_5000_records_is_413_and_nothing_is_imported(people, token_client):
    records = [{"case_no": f"A{i}", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"}
               for i in range(5001)]  # fmt: skip
    status, doc = _post(token_client(people["hub"]), "/api/v1/case-events/", records)
    assert status == 413 and "最多 5000 条" in doc["detail"]
    assert not Case.objects.exists()


def test_a_body_over_the_push_limit_is_413_before_it_is_read(people, token_client):
    from govwatch.api.parsers import MAX_BYTES

    body = json.dumps({"records": [{"comment": "长" * (MAX_BYTES // 3)}]}, ensure_ascii=False)
    response = token_client(people["hub"]).post("/api/v1/evaluations/", body, content_type="application/json")
    assert response.status_code == 413 and "请求体过大" in response.json()["detail"]


def test_a_full_batch_of_5000_records_larger_than_djangos_form_limit_fits(people, token_client, settings):
    records = [
        {"eval_id": f"E{i:05d}", "level": "5", "at": "2026-03-02T10:00:00", "unit_code": "SC",
         "evaluator": f"139{i:08d}", "comment": "窗口服务热情，材料一次说清，" * 30}
        for i in range(5000)
    ]  # fmt: skip
    body = json.dumps({"records": records}, ensure_ascii=False).encode()
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = token_client(people["hub"]).post("/api/v1/evaluations/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["imported"] == 5000


def test_pushes_are_limited_per_account_and_minute(people, token_client):
    from govwatch.api.push import PushThrottle

    client = token_client(people["hub"])
    limit = int(PushThrottle.rate.split("/")[0])
    statuses = {client.post("/api/v1/case-events/", {}, format="json").status_code for _ in range(limit)}
    assert statuses == {400}
    response = client.post("/api/v1/case-events/", {}, format="json")
    assert response.status_code == 429
    assert token_client(people["office"]).post("/api/v1/case-events/", {}, format="json").status_code == 400


def test_a_push_is_one_audit_entry_with_the_token_and_address(people, token_client):
    _post(token_client(people["hub"]), "/api/v1/case-events/",
          [{"case_no": "A1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"}])  # fmt: skip
    entry = AuditEntry.objects.get(action="import.cases")
    assert entry.actor == "token:hub-system" and entry.source == "10.1.2.3"
    assert entry.user == people["hub"]
    assert entry.after["read"] == 1 and entry.after["file"] == "API 推送 /api/v1/case-events/"
    run = ImportRun.objects.get()
    assert (run.operator, run.operator_label) == (people["hub"], "token:hub-system")


def test_a_person_pushing_from_a_session_is_audited_as_the_user(people, session_client):
    from django.middleware.csrf import _get_new_csrf_string

    client = session_client(people["office"])
    # As a page's script does: the CSRF cookie sent back in the X-CSRFToken header.
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post(
        "/api/v1/units/",
        {"records": [{"code": "NEW", "name": "区数据局", "kind": "department", "parent_code": "D"}]},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    assert AuditEntry.objects.get(action="import.units").actor == "user:office"


# -- who may push -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "supervisor", "market"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/units/",
        "/api/v1/items/",
        "/api/v1/case-events/",
        "/api/v1/evaluations/",
        "/api/v1/complaints/",
    ],
)
def test_roles_without_the_import_right_cannot_push(people, token_client, who, url):
    response = token_client(people[who]).post(url, {"records": [{"code": "X"}]}, format="json")
    assert response.status_code == 403
    assert not ImportRun.objects.exists()


def test_a_street_system_cannot_push_a_departments_case_but_can_its_communitys(people, token_client):
    status, doc = _post(
        token_client(people["street_system"]),
        "/api/v1/case-events/",
        [
            {"case_no": "D1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
            {"case_no": "D1", "event": "complete", "at": "2026-03-03T09:00:00"},
            {
                "case_no": "D2",
                "event": "accept",
                "at": "2026-03-02T09:00:00",
                "item_code": "I2",
                "unit_code": "RS",
            },
            {"case_no": "K1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I0"},
            # A department's item handled in the community (通办): the case is the community's.
            {
                "case_no": "K2",
                "event": "accept",
                "at": "2026-03-02T09:00:00",
                "item_code": "I9",
                "unit_code": "ST1",
            },
        ],
    )
    assert status == 200
    assert doc["imported"] == 2 and doc["rejected"] == 3
    assert [(e["line"], e["field"], e["message"]) for e in doc["errors"]] == [
        (1, "item_code", OUTSIDE), (2, "case_no", OUTSIDE), (3, "unit_code", OUTSIDE),
    ]  # fmt: skip
    assert set(Case.objects.values_list("case_no", "unit__code")) == {("K1", "ST1"), ("K2", "ST1")}


def test_a_street_system_cannot_add_events_to_a_departments_stored_case(people, facts, token_client):
    status, doc = _post(
        token_client(people["street_system"]),
        "/api/v1/case-events/",
        [{"case_no": "M1", "event": "complete", "at": "2026-03-06T09:00:00"}],
    )
    assert status == 422 and doc["errors"] == [{"line": 1, "field": "case_no", "message": OUTSIDE}]
    assert Case.objects.get(case_no="M1").status == "open"


def test_a_street_system_pushes_facts_of_its_subtree_only(people, facts, token_client):
    client = token_client(people["street_system"])
    status, doc = _post(client, "/api/v1/evaluations/", [
        {"eval_id": "X1", "level": "5", "at": "2026-03-06T10:00:00", "case_no": "C1"},
        {"eval_id": "X2", "level": "5", "at": "2026-03-06T10:00:00", "case_no": "M1"},
        {"eval_id": "X3", "level": "5", "at": "2026-03-06T10:00:00", "unit_code": "SC"},
    ])  # fmt: skip
    assert (status, doc["imported"]) == (200, 1)
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(2, "case_no"), (3, "unit_code")]
    status, doc = _post(client, "/api/v1/complaints/", [
        {"complaint_id": "Y1", "at": "2026-03-06T10:00:00", "source": "hotline", "content": "慢", "unit_code": "ST1"},
        {"complaint_id": "Y2", "at": "2026-03-06T10:00:00", "source": "hotline", "content": "慢", "case_no": "M1"},
        {"complaint_id": "Y3", "at": "2026-03-06T10:00:00", "source": "hotline", "content": "慢"},
    ])  # fmt: skip
    assert (status, doc["imported"]) == (200, 1)
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(2, "case_no"), (3, "unit_code")]
    assert all(OUTSIDE in e["message"] for e in doc["errors"])
    assert set(
        Complaint.objects.filter(complaint_id__startswith="Y").values_list("complaint_id", flat=True)
    ) == {"Y1"}


def test_the_region_system_pushes_facts_of_the_whole_region_but_no_unit_outside_it(
    people, facts, token_client
):
    Membership.objects.filter(user=people["hub"]).update(grants=["master_data"])
    client = token_client(people["hub"])
    status, doc = _post(client, "/api/v1/complaints/", [
        {"complaint_id": "Y3", "at": "2026-03-06T10:00:00", "source": "letter", "content": "建议延长午间服务"},
    ])  # fmt: skip
    assert (status, doc["imported"]) == (200, 1)
    status, doc = _post(client, "/api/v1/units/", [{"code": "D2", "name": "新区", "kind": "district"}])
    assert (status, doc["errors"]) == (422, [{"line": 1, "field": "parent_code", "message": OUTSIDE}])


# -- master data ----------------------------------------------------------------------------------


def test_the_office_pushes_units_and_items_and_a_re_push_updates_master_data(people, token_client):
    client = token_client(people["office"])
    status, doc = _post(client, "/api/v1/units/", [
        {"单位编码": "DS", "单位名称": "区数据局", "上级单位编码": "D", "类型": "部门", "联系电话": "13800003333"},
    ])  # fmt: skip
    assert (status, doc["imported"]) == (200, 1)
    item = {"code": "I5", "name": "数据开放申请", "unit_code": "DS", "legal_days": 20, "promised_days": 5}
    assert _post(client, "/api/v1/items/", [item])[1]["imported"] == 1
    assert _post(client, "/api/v1/items/", [item])[1]["duplicates"] == 1
    assert _post(client, "/api/v1/items/", [{**item, "promised_days": 3}])[1]["imported"] == 1
    assert Item.objects.get(code="I5").promised_days == 3
    status, doc = _post(client, "/api/v1/items/", [{**item, "promised_days": 30}])
    assert status == 422
    assert doc["errors"] == [
        {"line": 1, "field": "promised_days", "message": "承诺时限（30）不得超过法定时限（20）"}
    ]


def test_a_street_system_adds_units_and_items_under_itself_only(people, token_client):
    Membership.objects.filter(user=people["street_system"]).update(grants=["master_data", "move_units"])
    client = token_client(people["street_system"])
    status, doc = _post(client, "/api/v1/units/", [
        {"code": "ST2", "name": "西门社区", "parent_code": "ST", "kind": "community"},
        {"code": "ST2A", "name": "西门社区服务站", "parent_code": "ST2", "kind": "section"},
        {"code": "SC1", "name": "市场科", "parent_code": "SC", "kind": "section"},
        {"code": "SC", "name": "改名", "parent_code": "D", "kind": "department"},
        {"code": "ST", "name": "城关街道", "parent_code": "SC", "kind": "street"},
        {"code": "TOP", "name": "新根", "kind": "district"},
    ])  # fmt: skip
    assert doc["imported"] == 2
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [
        (3, "parent_code"), (4, "code"), (5, "parent_code"), (6, "parent_code"),
    ]  # fmt: skip
    assert Unit.objects.get(code="ST2A").path == "/D/ST/ST2/ST2A/"
    assert Unit.objects.get(code="SC").name == "区市场监管局"
    status, doc = _post(client, "/api/v1/items/", [
        {"code": "I7", "name": "居住证明", "unit_code": "ST2", "legal_days": 5, "promised_days": 1},
        {"code": "I9", "name": "食品经营许可", "unit_code": "ST", "legal_days": 20, "promised_days": 9},
        {"code": "I8", "name": "广告审批", "unit_code": "SC", "legal_days": 5, "promised_days": 1},
    ])  # fmt: skip
    assert doc["imported"] == 1
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(2, "code"), (3, "unit_code")]
    assert Item.objects.get(code="I9").unit.code == "SC"
