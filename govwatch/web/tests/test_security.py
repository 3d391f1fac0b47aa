"""Account security: lock-out, idle sessions, CSRF on logout, the Content-Security-Policy, HTTPS."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govwatch.audit.models import AuditEntry

from .conftest import PASSWORD

GOVWATCH = Path(__file__).resolve().parents[2]
LOGIN = reverse("login")


def fail(client, username: str = "zhangsan"):
    return client.post(LOGIN, {"username": username, "password": "wrong-password"})


def test_five_failed_logins_lock_the_account_out_in_chinese(client, user):
    for _ in range(4):
        assert fail(client).status_code == 200
    locked = fail(client)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode() and "15 分钟" in locked.content.decode()
    # Locked: even the right password is refused now.
    right = client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    assert right.status_code == 429 and not client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.login_failed", target_id="zhangsan").count() == 6
    assert AuditEntry.objects.filter(action="auth.locked_out").exists()
    assert "wrong-password" not in str(list(AuditEntry.objects.values()))


def test_the_lock_out_is_per_user_name(client, user, django_user_model):
    django_user_model.objects.create_user("lisi", password=PASSWORD)
    for _ in range(5):
        fail(client)
    response = client.post(LOGIN, {"username": "lisi", "password": PASSWORD})
    assert response.status_code == 302


def test_a_successful_login_resets_the_count(client, user):
    for _ in range(4):
        fail(client)
    assert client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert fail(client).status_code == 200
    assert client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD}).status_code == 302


def test_the_admin_login_is_locked_out_too(client, staff):
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "admin", "password": "nope"})
    assert response.status_code == 429


def test_the_session_expires_after_thirty_idle_minutes(signed_in, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    response = signed_in.get(reverse("home"))
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    session = Session.objects.get()
    # Each request moves the expiry on: use keeps the session alive.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    signed_in.get(reverse("home"))
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)
    # Thirty minutes without a request: the session is gone.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_logout_takes_post_with_csrf_only(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 403  # no token
    assert client.get(reverse("home")).status_code == 200


def test_login_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD}).status_code == 403


@pytest.mark.parametrize("url", [reverse("home"), LOGIN, reverse("admin:login")])
def test_pages_carry_a_strict_content_security_policy(signed_in, region, url):
    policy = signed_in.get(url)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE),
    re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE),  # onclick="…" and its kin
    re.compile(r"""href\s*=\s*["']javascript:""", re.IGNORECASE),
]


def test_no_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(GOVWATCH)}: {m.group(0)}"
        for path in GOVWATCH.glob("*/templates/**/*.html")
        for pattern in INLINE
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def settings_with(**env: str) -> dict:
    """The security settings as a fresh process reads them from this environment."""
    code = (
        "import json, django.conf as c; s = c.settings; print(json.dumps({k: getattr(s, k, None) for k in "
        "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', "
        "'SECURE_PROXY_SSL_HEADER', 'SECURE_HSTS_INCLUDE_SUBDOMAINS']}))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_") or k == "GOVWATCH_VAR_DIR"}
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, "DJANGO_SETTINGS_MODULE": "govwatch.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def test_https_settings_follow_the_environment():
    assert settings_with() == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
    }
    assert settings_with(
        GOVWATCH_HTTPS="1", GOVWATCH_SSL_REDIRECT="1", GOVWATCH_PROXY_SSL_HEADER="X-Forwarded-Proto: https"
    ) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
    }
