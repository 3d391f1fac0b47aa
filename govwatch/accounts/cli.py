"""`govwatch create-admin USERNAME [--password-stdin]`: the first administrator of a new install.

The password is asked twice at the terminal, or read as one line from standard input (for scripts:
`echo "$PW" | govwatch create-admin root --password-stdin`); never from the command line, where
`ps` and the shell history would show it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from govwatch.core.console import EXIT_OK, UsageError, emit


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码: ")
        if getpass.getpass("再次输入密码: ") != password:
            raise UsageError("两次输入的密码不一致")
    if not password:
        raise UsageError("密码不能为空")
    return password


def create_admin(username: str, password: str):
    """Create a superuser, validated by the user model and the password validators; audited."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from govwatch.audit.log import Actor, record

    user = get_user_model()(username=username, first_name="系统管理员", is_staff=True, is_superuser=True)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise UsageError("用户名不可用：" + "；".join(exc.messages)) from None
    try:
        validate_password(password, user)
    except ValidationError as exc:
        # Some of Django's messages have no Chinese translation: the prefix says it in Chinese.
        raise UsageError("密码不符合要求：" + "；".join(exc.messages)) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        record(Actor.command(), "user.create_admin", user, summary=f"创建系统管理员：{username}")
    return user


def cmd_create_admin(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    user = create_admin(args.username, password)
    emit({"username": user.get_username(), "superuser": True}, args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("create-admin", help="创建系统管理员（超级用户）")
    p.add_argument("username", help="登录名")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取一行作为密码")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_create_admin)
