"""Demo accounts for the demo region: `govwatch demo-users`.

Each account gets a random password the first time; it is kept in VAR_DIR/demo_passwords.json
(mode 0600) so that `scripts/start` can print the logins at every start. Running it again creates
only what is missing and never changes the password of an existing account: for an account that
exists but that the file does not know (made by hand, or the file was deleted) the password is
reported as None.

One account per role, each bound to a unit of the region: the supervisor, the service office and
the leader to the region's root (the unit with no parent), unit staff to the first department by
code. The integration account may not log into pages: instead of a password it has an API token,
kept and printed the same way. Before any unit is imported the accounts are made without roles (a
warning says so); the next run, after the import, binds them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
from pathlib import Path

from govwatch.core.console import EXIT_OK, emit

log = logging.getLogger(__name__)

# username, first name (shown in pages), role (None: superuser), where the role is bound, what it is
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", None, None, "系统管理员（超级用户） / administrator (superuser)"),
    ("supervisor", "纪检监察员", "supervisor", "root", "纪检监察（电子监察） / supervisor"),
    ("office", "政务服务办", "office", "root", "政务服务管理办公室 / service office"),
    ("unitstaff", "单位工作人员", "unit_staff", "department", "单位工作人员 / unit staff"),
    ("leader", "分管领导", "leader", "root", "领导 / leader"),
    (
        "integration",
        "系统对接",
        "integration",
        "root",
        "系统对接（API 令牌，不能登录页面） / system integration (API token)",
    ),
]
# The account whose secret is an API token, not a password.
INTEGRATION = "integration"

# No 0/O, 1/l/I: passwords are read off a terminal and typed.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def passwords_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "demo_passwords.json"


def _new_password(user) -> str:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(14))
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(passwords, fh, ensure_ascii=False, indent=2)
    os.replace(tmp, path)


def _units() -> dict[str, object]:
    """Where each role is bound: the region's root and its first department by code."""
    from govwatch.core.choices import UnitKind
    from govwatch.orgs.models import Unit

    root = Unit.objects.filter(parent=None).order_by("code").first()
    if root is None:
        return {}
    department = root.subtree().filter(kind=UnitKind.DEPARTMENT).order_by("code").first()
    return {"root": root, "department": department}


def _bind_roles(actor) -> None:
    """Give each demo account without a role the role of its line in DEMO_ACCOUNTS."""
    from django.contrib.auth import get_user_model

    from govwatch.accounts.models import Membership
    from govwatch.audit.log import record

    units = _units()
    if not units:
        log.warning("尚无单位：演示账号暂未分配角色；导入单位后再运行 govwatch demo-users")
        return
    users = get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS], membership=None)
    by_name = {u.username: u for u in users}
    for username, _first, role, where, _desc in DEMO_ACCOUNTS:
        user, unit = by_name.get(username), units.get(where or "")
        if user is None or role is None:
            continue
        if unit is None:
            log.warning("区域内没有部门：演示账号 %s 暂未分配角色", username)
            continue
        membership = Membership.objects.create(user=user, role=role, unit=unit)
        record(actor, "role.assign", membership, summary=f"分配角色：{membership}")


def ensure_demo_users() -> list[tuple[str, str | None, str]]:
    """Create the demo accounts that are missing and bind their roles; return (username, password or
    token or None, role)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from govwatch.audit.log import Actor, record

    User = get_user_model()
    path = passwords_path()
    secrets_kept = _load(path)
    actor = Actor.command()
    with transaction.atomic():
        existing = set(
            User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list("username", flat=True)
        )
        created: list = []
        for username, first_name, role, _where, _desc in DEMO_ACCOUNTS:
            if username in existing:
                continue
            user = User(
                username=username, first_name=first_name, is_staff=role is None, is_superuser=role is None
            )
            if username == INTEGRATION:
                user.set_unusable_password()
                secrets_kept[username] = secrets_kept.get(username) or Token.generate_key()
            else:
                password = secrets_kept.get(username) or _new_password(user)
                user.set_password(password)
                secrets_kept[username] = password
            created.append(user)
        if created:
            # The file first: if the database then fails, the next run reuses these secrets.
            _save(path, secrets_kept)
            for user in created:
                user.save()
                record(actor, "user.create", user, summary=f"创建演示账号：{user.username}")
                if user.username == INTEGRATION:
                    Token.objects.create(user=user, key=secrets_kept[INTEGRATION])
        _bind_roles(actor)
    return [(username, secrets_kept.get(username), desc) for username, _f, _r, _w, desc in DEMO_ACCOUNTS]


def cmd_demo_users(args: argparse.Namespace) -> int:
    users = ensure_demo_users()
    if args.format == "json":
        # The integration account's "password" is its API token (Authorization: Token …).
        emit({"users": [{"username": u, "password": p, "role": r} for u, p, r in users]}, "json")
    else:
        width = max(len(u) for u, _, _ in users)
        for username, password, role in users:
            print(f"  {username:<{width}}  {password or '（已有账号，密码未变）'}  {role}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo-users", help="创建演示账号（幂等），打印登录名和密码")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_demo_users)
