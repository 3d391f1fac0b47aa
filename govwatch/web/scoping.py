"""What a user may see: every list and detail page takes its rows from these functions only.

They delegate to the one permission layer, `govwatch.accounts.permissions.scope`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from govwatch.accounts.permissions import scope

User = AbstractBaseUser | AnonymousUser


def visible_units(user: User) -> QuerySet:
    return scope(user).units()


def visible_items(user: User) -> QuerySet:
    return scope(user).items()


def visible_cases(user: User) -> QuerySet:
    return scope(user).cases()


def visible_evaluations(user: User) -> QuerySet:
    return scope(user).evaluations()


def visible_complaints(user: User) -> QuerySet:
    return scope(user).complaints()
