"""Logins, logouts, failed logins and lock-outs go to the audit log.

The password is never written: Django hands the failed-login signal cleansed credentials, and only
the user name attempted is kept from them.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from govwatch.audit.log import Actor, record


def _address(request: HttpRequest | None) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="govwatch-audit-login")
def _logged_in(sender, request: HttpRequest, user, **kwargs) -> None:
    # From the signal's user: the request may not carry it yet (Client.force_login).
    actor = Actor(f"user:{user.get_username()}", user, _address(request))
    record(actor, "auth.login", user, summary=f"登录：{user.get_username()}")


@receiver(user_logged_out, dispatch_uid="govwatch-audit-logout")
def _logged_out(sender, request: HttpRequest, user, **kwargs) -> None:
    if user is None:  # logging out without a session changes nothing
        return
    actor = Actor(f"user:{user.get_username()}", user, _address(request))
    record(actor, "auth.logout", user, summary=f"退出：{user.get_username()}")


def _attempted(credentials: dict) -> str:
    return str(credentials.get(get_user_model().USERNAME_FIELD, ""))[:150]


@receiver(user_login_failed, dispatch_uid="govwatch-audit-login-failed")
def _login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    username = _attempted(credentials)
    record(
        Actor("anonymous", None, _address(request)),
        "auth.login_failed",
        target_type="auth.user",
        target_id=username,
        summary=f"登录失败：用户名“{username}”",
    )


@receiver(user_locked_out, dispatch_uid="govwatch-audit-locked-out")
def _locked_out(sender, request: HttpRequest, username: str | None = None, **kwargs) -> None:
    record(
        Actor("anonymous", None, _address(request)),
        "auth.locked_out",
        target_type="auth.user",
        target_id=username or "",
        summary=f"连续登录失败，已锁定：用户名“{username or ''}”",
    )
