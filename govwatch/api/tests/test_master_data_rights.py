"""Master data through the API: a right of its own, a token's scope is its subtree (never everything),
no unit leaves the region's tree, and a re-parenting is a reviewed change, audited with both parents."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from govwatch.accounts.models import Membership
from govwatch.accounts.permissions import MASTER_DATA, MOVE_UNITS
from govwatch.audit.models import AuditEntry
from govwatch.orgs.models import Unit


def _grant(user, *rights: str) -> None:
    Membership.objects.filter(user=user).update(grants=list(rights))


def _units(client, records: list[dict]):
    return client.post("/api/v1/units/", {"records": records}, format="json")


def test_the_attack_a_root_bound_token_neither_creates_a_root_nor_hides_a_department(
    people, facts, token_client
):
    """The probe's finding: a hub token made a new root district and moved the market department
    under it; the department's cases vanished from the supervisors' lists."""
    _grant(people["hub"], MASTER_DATA)
    response = _units(token_client(people["hub"]), [
        {"code": "X", "name": "影子区", "kind": "district"},
        {"code": "SC", "name": "区市场监管局", "parent_code": "X", "kind": "department"},
        {"code": "RS", "name": "区人社局", "parent_code": "", "kind": "department"},
    ])  # fmt: skip
    assert response.status_code == 422
    errors = {e["line"]: e["field"] for e in response.json()["errors"]}
    assert errors == {1: "parent_code", 2: "parent_code", 3: "parent_code"}
    assert not Unit.objects.filter(code="X").exists()
    assert Unit.objects.get(code="SC").path == "/D/SC/"
    assert Unit.objects.get(code="RS").path == "/D/RS/"
    supervisor = token_client(people["supervisor"])
    assert supervisor.get("/api/v1/cases/M1/").status_code == 200


def test_pushing_units_and_items_needs_the_master_data_right_not_the_import_right(people, token_client):
    hub = token_client(people["hub"])
    unit = {"code": "DS", "name": "区数据局", "parent_code": "D", "kind": "department"}
    item = {"code": "I5", "name": "数据开放申请", "unit_code": "SC", "legal_days": 20, "promised_days": 5}
    for url, record in (("/api/v1/units/", unit), ("/api/v1/items/", item)):
        response = hub.post(url, {"records": [record]}, format="json")
        assert response.status_code == 403
        assert "基础数据" in response.json()["detail"]
    _grant(people["hub"], MASTER_DATA)
    assert _units(hub, [unit]).json()["imported"] == 1
    assert hub.post("/api/v1/items/", {"records": [item]}, format="json").json()["imported"] == 1


def test_a_move_through_the_api_is_refused_without_the_grant_and_audited_with_both_parents(
    people, facts, token_client
):
    _grant(people["hub"], MASTER_DATA)
    client = token_client(people["hub"])
    move = [{"code": "SC", "name": "区市场监管局", "parent_code": "ST", "kind": "department"}]
    response = _units(client, move)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "parent_code" and "须经审核" in error["message"]
    assert Unit.objects.get(code="SC").path == "/D/SC/"
    assert not AuditEntry.objects.filter(action="unit.move").exists()

    _grant(people["hub"], MASTER_DATA, MOVE_UNITS)
    assert _units(client, move).json()["imported"] == 1
    assert Unit.objects.get(code="SC").path == "/D/ST/SC/"
    entry = AuditEntry.objects.get(action="unit.move")
    assert (entry.before, entry.after) == ({"parent": "D"}, {"parent": "ST"})
    assert entry.actor == "token:hub-system" and entry.source == "10.1.2.3"
    assert entry.target_id == str(Unit.objects.get(code="SC").pk)


def test_a_move_grant_does_not_let_a_unit_leave_the_tree(people, token_client):
    _grant(people["hub"], MASTER_DATA, MOVE_UNITS)
    response = _units(token_client(people["hub"]), [
        {"code": "SC", "name": "区市场监管局", "parent_code": "", "kind": "department"},
    ])  # fmt: skip
    assert response.status_code == 422
    assert Unit.objects.get(code="SC").parent.code == "D"


def test_the_office_in_a_session_cannot_make_a_root_or_move_a_unit(people, session_client):
    client = session_client(people["office"])
    secret = "k" * 32  # the CSRF cookie the pages set, echoed in the header as a page's script does
    client.cookies["csrftoken"] = secret
    client.credentials(HTTP_X_CSRFTOKEN=secret)
    response = _units(client, [
        {"code": "X", "name": "影子区", "kind": "district"},
        {"code": "SC", "name": "区市场监管局", "parent_code": "ST", "kind": "department"},
        {"code": "DS", "name": "区数据局", "parent_code": "D", "kind": "department"},
    ])  # fmt: skip
    assert response.status_code == 200
    doc = response.json()
    assert doc["imported"] == 1
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(1, "parent_code"), (2, "parent_code")]
    assert "须经审核" in doc["errors"][1]["message"]


def test_a_token_of_a_superuser_is_refused(region, token_client):
    admin = get_user_model().objects.create_superuser("root-admin")
    response = token_client(admin).get("/api/v1/units/")
    assert response.status_code == 401
    assert "系统管理员账号不能使用接口令牌" in response.json()["detail"]


def test_a_session_without_the_csrf_token_is_refused_in_chinese(people, session_client):
    response = _units(session_client(people["office"]), [{"code": "N", "name": "新", "kind": "department"}])
    assert response.status_code == 403
    assert "CSRF 校验失败" in response.json()["detail"]
    assert "Failed" not in response.json()["detail"]


@pytest.mark.parametrize("who", ["street_system", "market_system"])
def test_a_scoped_token_granted_master_data_still_writes_only_below_its_unit(people, token_client, who):
    _grant(people[who], MASTER_DATA, MOVE_UNITS)
    doc = _units(token_client(people[who]), [
        {"code": "D", "name": "改名区", "kind": "district"},
        {"code": "NEW", "name": "新单位", "parent_code": "D", "kind": "department"},
    ]).json()  # fmt: skip
    assert doc["imported"] == 0
    assert Unit.objects.get(code="D").name == "测试区"


def test_an_anonymous_client_cannot_push_units(region):
    assert _units(APIClient(), [{"code": "X", "name": "x", "kind": "district"}]).status_code == 401
