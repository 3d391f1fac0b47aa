"""`govwatch demo-users`: the demo accounts, created once, their passwords kept and printed."""

from __future__ import annotations

import argparse
import json
import stat

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from rest_framework.authtoken.models import Token

from govwatch.accounts.models import Membership, Role
from govwatch.audit.models import AuditEntry
from govwatch.core.console import ChineseArgumentParser
from govwatch.demo import users as demo_users
from govwatch.demo.users import DEMO_ACCOUNTS, ensure_demo_users, passwords_path

pytestmark = pytest.mark.django_db

USERNAMES = [a[0] for a in DEMO_ACCOUNTS]
PEOPLE = [u for u in USERNAMES if u != "integration"]


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def test_creates_the_accounts_with_valid_passwords_kept_in_a_private_file():
    users = ensure_demo_users()

    assert [u for u, _, _ in users] == USERNAMES
    User = get_user_model()
    for username, password, role in users:
        user = User.objects.get(username=username)
        assert user.is_active and role
        assert user.first_name  # shown in pages instead of the login name
        if username in PEOPLE:
            assert user.check_password(password)
            validate_password(password, user)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(username__in=USERNAMES[1:], is_staff=True).exists()
    assert User.objects.get(username="supervisor").first_name == "纪检监察员"

    path = passwords_path()
    assert json.loads(path.read_text(encoding="utf-8")) == {u: p for u, p, _ in users}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_integration_account_has_a_token_and_no_password():
    secrets = {u: p for u, p, _ in ensure_demo_users()}
    integration = get_user_model().objects.get(username="integration")
    assert not integration.has_usable_password()
    assert Token.objects.get(user=integration).key == secrets["integration"]


def roles() -> dict[str, tuple[str, str]]:
    return {m.user.username: (m.role, m.unit.code) for m in Membership.objects.select_related("user", "unit")}


def test_each_role_is_bound_to_its_unit_of_the_region(region):
    ensure_demo_users()
    assert roles() == {
        "supervisor": (Role.SUPERVISOR, "D"),
        "office": (Role.OFFICE, "D"),
        "unitstaff": (Role.UNIT_STAFF, "RS"),  # the first department by code
        "leader": (Role.LEADER, "D"),
        "integration": (Role.INTEGRATION, "D"),
    }
    assert AuditEntry.objects.filter(action="role.assign").count() == 5
    assert AuditEntry.objects.filter(action="user.create").count() == 6


def test_without_units_the_accounts_wait_for_their_roles(caplog):
    ensure_demo_users()
    assert roles() == {}
    assert "尚无单位" in caplog.text
    from govwatch.orgs.models import Unit

    root = Unit.objects.create(code="D", name="测试区", kind="district")
    Unit.objects.create(code="SC", name="区市场监管局", kind="department", parent=root)
    first = {u: p for u, p, _ in ensure_demo_users()}
    assert roles()["unitstaff"] == (Role.UNIT_STAFF, "SC") and len(roles()) == 5
    assert {u: p for u, p, _ in ensure_demo_users()} == first


def test_running_again_changes_nothing():
    first = ensure_demo_users()
    User = get_user_model()
    hashes = dict(User.objects.values_list("username", "password"))

    assert ensure_demo_users() == first
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_an_existing_account_keeps_its_password():
    User = get_user_model()
    User.objects.create_user("leader", password="Own-password-2024")

    users = {u: p for u, p, _ in ensure_demo_users()}

    assert users["leader"] is None  # unknown: never reset, never guessed
    assert User.objects.get(username="leader").check_password("Own-password-2024")
    assert "leader" not in json.loads(passwords_path().read_text(encoding="utf-8"))


def test_a_new_database_reuses_the_kept_passwords():
    first = ensure_demo_users()
    get_user_model().objects.all().delete()  # e.g. the SQLite file was removed, var/ kept

    assert ensure_demo_users() == first
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(dict((u, p) for u, p, _ in first)["admin"])


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_command_prints_the_logins(capsys, fmt):
    parser = ChineseArgumentParser(prog="govwatch")
    demo_users.register(parser.add_subparsers(dest="command"))
    args: argparse.Namespace = parser.parse_args(["demo-users", "--format", fmt])

    assert args.func(args) == 0
    out = capsys.readouterr().out
    kept = json.loads(passwords_path().read_text(encoding="utf-8"))
    if fmt == "json":
        doc = json.loads(out)
        assert [(u["username"], u["password"]) for u in doc["users"]] == [(u, kept[u]) for u in USERNAMES]
    else:
        for username in USERNAMES:
            assert f"{username}" in out and kept[username] in out
