"""Demo accounts for the demo region: `govwatch demo-users`.

Each account gets a random password the first time; it is kept in VAR_DIR/demo_passwords.json
(mode 0600) so that `scripts/start` can print the logins at every start. Running it again creates
only what is missing and never changes the password of an existing account: for an account that
exists but that the file does not know (made by hand, or the file was deleted) the password is
reported as None.

Roles: for now the staff accounts are plain active users (no admin access); the permissions issue
binds them to their roles (supervisor, service office, unit staff, leader).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from pathlib import Path

from govwatch.cli import EXIT_OK, emit

# username, first name (shown in pages), role
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", "系统管理员（超级用户） / administrator (superuser)"),
    ("supervisor", "纪检监察员", "纪检监察（电子监察） / supervisor"),
    ("office", "政务服务办", "政务服务管理办公室 / service office"),
    ("unitstaff", "单位工作人员", "单位工作人员 / unit staff"),
    ("leader", "分管领导", "领导 / leader"),
]

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


def ensure_demo_users() -> list[tuple[str, str | None, str]]:
    """Create the demo accounts that are missing; return (username, password or None, role)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    User = get_user_model()
    path = passwords_path()
    passwords = _load(path)
    with transaction.atomic():
        existing = set(User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list("username", flat=True))
        created: list = []
        for username, first_name, _role in DEMO_ACCOUNTS:
            if username in existing:
                continue
            is_admin = username == "admin"
            user = User(username=username, first_name=first_name, is_staff=is_admin, is_superuser=is_admin)
            password = passwords.get(username) or _new_password(user)
            user.set_password(password)
            passwords[username] = password
            created.append(user)
        if created:
            # The file first: if the database then fails, the next run reuses these passwords.
            _save(path, passwords)
            for user in created:
                user.save()
    return [(username, passwords.get(username), role) for username, _first, role in DEMO_ACCOUNTS]


def cmd_demo_users(args: argparse.Namespace) -> int:
    users = ensure_demo_users()
    if args.format == "json":
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
