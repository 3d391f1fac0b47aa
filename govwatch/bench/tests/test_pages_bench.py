"""The pages benchmark on a region it must not change: sessions that need no write, and the
region's migrations checked rather than applied."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model

from govwatch.bench import pages
from govwatch.bench.section import _check_migrated
from govwatch.demo.users import ensure_demo_users


def test_read_only_sessions_are_signed_cookies_that_sign_each_role_in(db, region, settings):
    ensure_demo_users()
    settings.READ_ONLY = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    users = {u.username: u.pk for u in get_user_model().objects.filter(username__in=pages.ROLES)}
    sessions = pages._sessions()
    assert set(sessions) == set(pages.ROLES)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for role, key in sessions.items():
        assert store_class(session_key=key).load()[SESSION_KEY] == str(users[role])


def test_a_region_without_the_demo_roles_is_refused(db, region, settings):
    settings.READ_ONLY = True
    with pytest.raises(RuntimeError, match="缺少演示账号"):
        pages._sessions()


def test_a_migrated_region_passes_the_check(db):
    _check_migrated()  # the test database holds every migration: no exit
