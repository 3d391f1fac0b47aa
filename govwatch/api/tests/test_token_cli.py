"""`govwatch api-token create|revoke`: a token shown once, rotated by creating again, audited without it."""

from __future__ import annotations

import json

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govwatch.audit.models import AuditEntry
from govwatch.cli import main


def _run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    capsys.readouterr()
    code = main(["api-token", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_create_prints_a_working_token_once_and_audits_without_it(people, capsys):
    code, doc, _ = _run(capsys, "create", "st-system", "--format", "json")
    assert code == 0
    assert (doc["username"], doc["role"], doc["unit_code"], doc["rotated"]) == (
        "st-system",
        "integration",
        "ST",
        False,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {doc['token']}")
    assert client.get("/api/v1/units/").status_code == 200
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.target_id == str(people["street_system"].pk)
    assert doc["token"] not in json.dumps([entry.summary, entry.after, entry.before], ensure_ascii=False)


def test_create_again_rotates_the_token(people, capsys):
    _, first, _ = _run(capsys, "create", "st-system")
    code, second, _ = _run(capsys, "create", "st-system")
    assert code == 0 and second["rotated"] is True and second["token"] != first["token"]
    assert list(Token.objects.filter(user=people["street_system"]).values_list("key", flat=True)) == [
        second["token"]
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert client.get("/api/v1/units/").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.rotate").count() == 1


def test_revoke_ends_the_token_and_is_audited(people, capsys):
    _, created, _ = _run(capsys, "create", "st-system")
    code, doc, _ = _run(capsys, "revoke", "st-system", "--format", "json")
    assert (code, doc) == (0, {"username": "st-system", "revoked": True})
    assert not Token.objects.exists()
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1
    assert _run(capsys, "revoke", "st-system")[1]["revoked"] is False


def test_an_account_without_a_role_or_unknown_gets_no_token(region, capsys):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("nobody")
    code, doc, err = _run(capsys, "create", "nobody")
    assert code == 2 and doc is None and "没有角色" in err
    code, _, err = _run(capsys, "create", "ghost")
    assert code == 2 and "用户不存在" in err
    assert not Token.objects.exists()


def test_a_superuser_gets_no_token(region, capsys):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root-admin")
    code, doc, err = _run(capsys, "create", "root-admin")
    assert code == 2 and doc is None and "系统管理员" in err
    assert not Token.objects.exists()


def test_allow_grants_rights_beyond_the_role_and_is_audited(people, capsys):
    code, doc, _ = _run(capsys, "create", "hub-system", "--allow", "master_data,move_units")
    assert code == 0 and doc["grants"] == ["master_data", "move_units"]
    people["hub"].membership.refresh_from_db()
    assert people["hub"].membership.grants == ["master_data", "move_units"]
    assert AuditEntry.objects.get(action="api_token.create").after["grants"] == ["master_data", "move_units"]
    _, doc, _ = _run(capsys, "create", "hub-system")
    assert doc["grants"] == ["master_data", "move_units"]  # a rotation keeps them
    _, doc, _ = _run(capsys, "create", "hub-system", "--allow", "none")
    assert doc["grants"] == []
    code, _, err = _run(capsys, "create", "hub-system", "--allow", "everything")
    assert code == 2 and "未知的权限：everything" in err
