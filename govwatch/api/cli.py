"""`govwatch api-token create|revoke USERNAME`: the tokens systems push and read with.

A token is DRF's (rest_framework.authtoken): one per account, shown once at creation, rotated by
creating again. Both commands are audited; the key itself never goes into the audit log.

A token sees its account's unit and what lies below it, never more: a superuser's account gets no
token. What a system may write beyond facts is granted here, by name (`--allow master_data` to push
units and items, `--allow move_units` to re-parent units through the API), and audited with the
token; `--allow` replaces the account's grants, `--allow none` takes them all away.
"""

from __future__ import annotations

import argparse
from typing import Any

from govwatch.core.console import EXIT_OK, UsageError, emit


def _account(username: str) -> Any:
    from django.contrib.auth import get_user_model

    from govwatch.accounts.permissions import membership

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UsageError(f"用户不存在：{username}")
    if user.is_superuser:
        raise UsageError(
            f"用户 {username} 是系统管理员，不能签发接口令牌：请为对接系统建立系统对接账号（角色与所属单位）"
        )
    if not user.is_active:
        raise UsageError(f"用户 {username} 已停用，不能签发接口令牌")
    if membership(user) is None:
        raise UsageError(
            f"用户 {username} 没有角色（所属单位与角色），不能签发接口令牌：请先在管理后台为其设置角色"
        )
    return user


def _grants(allowed: list[str] | None) -> list[str] | None:
    """The grants asked for with --allow (None: keep the account's own)."""
    from govwatch.accounts.permissions import GRANTABLE

    if allowed is None:
        return None
    names = sorted({n.strip() for a in allowed for n in a.split(",") if n.strip()} - {"none"})
    unknown = [n for n in names if n not in GRANTABLE]
    if unknown:
        choices = "、".join(f"{k}（{v}）" for k, v in GRANTABLE.items())
        raise UsageError(f"未知的权限：{'、'.join(unknown)}，可选 {choices}，或 none")
    return names


def cmd_create(args: argparse.Namespace) -> int:
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from govwatch.audit.log import Actor, record

    user = _account(args.username)
    grants = _grants(args.allow)
    with transaction.atomic():
        membership = user.membership
        if grants is not None:
            membership.grants = grants
            membership.save(update_fields=["grants"])
        rotated, _ = Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        record(
            Actor.command(),
            "api_token.rotate" if rotated else "api_token.create",
            user,
            summary=f"{'更换' if rotated else '签发'}接口令牌：{user.get_username()}",
            after={
                "username": user.get_username(),
                "role": membership.role,
                "unit": membership.unit.code,
                "grants": membership.grants,
            },
        )
    emit(
        {
            "username": user.get_username(),
            "role": user.membership.role,
            "unit_code": user.membership.unit.code,
            "grants": membership.grants,
            "token": token.key,
            "rotated": bool(rotated),
            "created": token.created,
        },
        args.format,
    )
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from govwatch.audit.log import Actor, record

    # Revoking needs no role: a token must be revocable after its account lost its role.
    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        raise UsageError(f"用户不存在：{args.username}")
    with transaction.atomic():
        revoked, _ = Token.objects.filter(user=user).delete()
        if revoked:
            record(
                Actor.command(),
                "api_token.revoke",
                user,
                summary=f"吊销接口令牌：{user.get_username()}",
                after={"username": user.get_username()},
            )
    emit({"username": user.get_username(), "revoked": bool(revoked)}, args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("api-token", help="接口令牌（系统对接）")
    t = p.add_subparsers(dest="token_command", required=True, parser_class=type(p))
    q = t.add_parser("create", help="为有角色的账号签发或更换接口令牌（令牌只显示这一次）")
    q.add_argument("username")
    q.add_argument(
        "--allow",
        action="append",
        metavar="RIGHT",
        help="授予本账号的额外权限（可多次给出或用逗号分隔）：master_data 推送单位和事项，"
        "move_units 调整单位隶属关系；none 收回全部额外权限；不给出则保持原有授权",
    )
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_create)
    q = t.add_parser("revoke", help="吊销账号的接口令牌")
    q.add_argument("username")
    q.add_argument("--format", choices=["json", "text"], default="json")
    q.set_defaults(func=cmd_revoke)
