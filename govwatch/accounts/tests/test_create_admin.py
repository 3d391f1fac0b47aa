"""`govwatch create-admin`: the first administrator, validated and audited."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model

from govwatch.accounts import cli
from govwatch.audit.models import AuditEntry
from govwatch.core.console import ChineseArgumentParser, UsageError

pytestmark = pytest.mark.django_db


def run(monkeypatch, stdin: str, *argv: str) -> int:
    parser = ChineseArgumentParser(prog="govwatch")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["create-admin", *argv])
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return args.func(args)


def test_creates_a_superuser_from_standard_input(monkeypatch, capsys):
    assert run(monkeypatch, "Long-enough-secret-7\n", "root", "--password-stdin", "--format", "json") == 0
    user = get_user_model().objects.get(username="root")
    assert user.is_superuser and user.is_staff and user.check_password("Long-enough-secret-7")
    entry = AuditEntry.objects.get(action="user.create_admin")
    assert entry.target_id == str(user.pk) and entry.actor.startswith("cli:")
    assert "Long-enough-secret-7" not in str(list(AuditEntry.objects.values()))
    assert '"username": "root"' in capsys.readouterr().out


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "密码不符合要求"), ("1234567890123", "密码不符合要求：.*只包含数字"), ("", "密码不能为空")],
)
def test_refuses_a_weak_password_in_chinese(monkeypatch, password, message):
    with pytest.raises(UsageError, match=message):
        run(monkeypatch, password + "\n", "root", "--password-stdin")
    assert not get_user_model().objects.exists() and not AuditEntry.objects.exists()


def test_refuses_an_existing_or_invalid_user_name(monkeypatch):
    get_user_model().objects.create_user("root")
    with pytest.raises(UsageError, match="已存在"):
        run(monkeypatch, "Long-enough-secret-7\n", "root", "--password-stdin")
    with pytest.raises(UsageError, match="用户名不可用"):
        run(monkeypatch, "Long-enough-secret-7\n", "no spaces allowed", "--password-stdin")
