"""The one permission policy: what a user may see (a subtree of the org tree) and do (by role).

- Seeing: `scope(user)` is the part of the tree a user sees. Each model has a queryset method
  `visible_to(scope)` (usually `scope.filter(self, "unit")`): every page, API endpoint, export and
  command takes its rows from it, and a new area gets scoping by writing that one method.
- Fetching one object: `access(user, rows, action, **lookup)` (Zulip's `access_stream_by_id`)
  gives the object among those the user sees, else 404, and refuses (403) a user without the role
  for `action`; each object kind has its own small helper built on it (`access_order` ...).
- Acting: every `do_*` service calls `check_actor(actor, action, unit)` itself, so the pages, the
  API, the CLI and the worker are held to the same rule. System actors (the worker, commands) have
  no user and are not checked.
Nothing is decided per view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from govwatch.core.tree import subtree, within

from .models import Membership, Role

# What each role may do. Reading is governed by the scope; these are the actions.
VIEW_PII = "view_pii"  # reveal a phone or an evaluator in clear (audited)
MANAGE_CATALOG = "manage_catalog"  # units, items, calendar, windows
IMPORT = "import"  # files and API pushes
ISSUE_ORDERS = "issue_orders"  # supervision orders and letters
ACCEPT_ORDERS = "accept_orders"  # check a reply: accept or send back
REPLY_ORDERS = "reply_orders"  # a unit answers its orders and tasks
VIEW_AUDIT = "view_audit"
MANAGE_TEMPLATES = "manage_templates"
HANDLE_NEGATIVE = "handle_negative"  # a unit verifies, rectifies, calls back and appeals its negative reviews
REVIEW_NEGATIVE = "review_negative"  # supervisors accept a rectified negative review or send it back
DECIDE_APPEAL = "decide_appeal"  # the service office rules on a unit's appeal against a review
ISSUE_LETTERS = "issue_letters"  # draft, issue and close supervision recommendation and reminder letters
REPLY_LETTERS = "reply_letters"  # a unit reports what it did about a letter

ACTIONS: dict[str, set[str]] = {
    Role.SUPERVISOR: {VIEW_PII, ISSUE_ORDERS, ACCEPT_ORDERS, VIEW_AUDIT, REVIEW_NEGATIVE, ISSUE_LETTERS},
    Role.OFFICE: {MANAGE_CATALOG, IMPORT, MANAGE_TEMPLATES, ISSUE_ORDERS, ACCEPT_ORDERS, DECIDE_APPEAL},
    Role.UNIT_STAFF: {REPLY_ORDERS, HANDLE_NEGATIVE, REPLY_LETTERS},
    Role.LEADER: set(),
    Role.INTEGRATION: {IMPORT},
}

# Complaints (投诉), callback sampling (回访抽查) and problem clues (问题线索): each step to one role.
TRIAGE_COMPLAINTS = "triage_complaints"  # the office registers, triages (分办) or dismisses a complaint
HANDLE_COMPLAINTS = "handle_complaints"  # a unit investigates, finds and replies, or sends a complaint back
CLOSE_COMPLAINTS = "close_complaints"  # the office calls the complainant back, closes or reopens
SAMPLE_CALLBACKS = "sample_callbacks"  # supervisors draw callback samples and record the calls
MANAGE_CLUES = "manage_clues"  # supervisors register, assess, transfer and follow clues; only they see them
ACTIONS[Role.SUPERVISOR] |= {SAMPLE_CALLBACKS, MANAGE_CLUES}
ACTIONS[Role.OFFICE] |= {TRIAGE_COMPLAINTS, CLOSE_COMPLAINTS}
ACTIONS[Role.UNIT_STAFF] |= {HANDLE_COMPLAINTS}


def membership(user) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user) -> str | None:
    m = membership(user)
    return m.role if m else None


def may(user, action: str) -> bool:
    return scope(user).may(action)


@dataclass(frozen=True)
class Scope:
    """What a user sees and may do: every unit whose path starts with `path`, and `actions`.

    `path` None means nothing at all (anonymous, no role); "/" is the whole tree (superusers).
    A Scope knows no model: each model says how its rows reach a unit (`visible_to`).
    """

    path: str | None
    actions: frozenset[str] = field(default=frozenset())

    @property
    def everything(self) -> bool:
        return self.path == "/"

    def may(self, action: str) -> bool:
        return action in self.actions

    def filter(self, rows: QuerySet, *via: str) -> QuerySet:
        """The rows whose unit, reached through any of `via` ("unit", "case__unit"; "" for units
        themselves), lies in the scope."""
        if self.path is None:
            return rows.none()
        if self.everything:
            return rows
        return rows.filter(reduce(or_, (subtree(self.path, v) for v in via or ("unit",))))

    def contains(self, unit: Any) -> bool:
        if unit is None or self.path is None:
            return False
        return self.everything or within(unit.path, self.path)


class _EveryAction(frozenset):
    """A superuser's actions: every one, those added by areas to come included."""

    def __contains__(self, action: object) -> bool:
        return True


NOTHING = Scope(None)
EVERYTHING = Scope("/", _EveryAction())


def scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    m = membership(user)
    if m is None:
        return NOTHING
    return Scope(m.unit.path, frozenset(ACTIONS.get(m.role, ())))


class ScopedQuerySet(models.QuerySet):
    """A model's rows as people see them: a model's manager is `XQuerySet.as_manager()`, where
    `visible_to` says through which unit its rows are seen (the default: its `unit`)."""

    def visible_to(self, mine: Scope) -> QuerySet:
        return mine.filter(self, "unit")


def access(user, rows: QuerySet, action: str | None = None, **lookup: Any) -> Any:
    """The object of `rows` matching `lookup` as `user` sees it, Zulip's `access_*_by_id`:

    outside the user's scope it does not exist (Http404, so a probe learns nothing); inside it, a
    user without the role for `action` is refused (PermissionDenied). `rows` is a queryset of a
    model with `visible_to` (select_related and the like are kept).
    """
    mine = scope(user)
    found = get_object_or_404(rows.visible_to(mine), **lookup)
    if action is not None and not mine.may(action):
        raise PermissionDenied
    return found


def check_actor(actor, action: str, *units: Any) -> None:
    """Who may act, for every `do_*`: PermissionDenied unless the acting person has the role for
    `action` and sees each of `units` (a missing unit only the whole region sees). System actors
    (the worker, commands, the public pages) carry no user and are not checked."""
    user = actor.user
    if user is None:
        return
    mine = scope(user)
    if not mine.may(action):
        raise PermissionDenied
    for unit in units:
        if not (mine.everything if unit is None else mine.contains(unit)):
            raise PermissionDenied
