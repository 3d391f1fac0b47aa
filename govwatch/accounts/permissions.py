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
MANAGE_PROJECTS = "manage_projects"  # key projects and their milestones (重点项目)
REPORT_PROGRESS = "report_progress"  # a project's owner unit reports progress and reaches milestones
MANAGE_RANDOM_CHECKS = "manage_random_checks"  # draw double-random plans and publish their results
RECORD_RANDOM_RESULTS = "record_random_results"  # a department enters the results of its inspections
# Master data through imports and the API: units and items are what every scope is built on, so
# writing them is a right of its own, never implied by the right to push facts (IMPORT).
MASTER_DATA = "master_data"
# Re-parenting a unit moves its whole subtree, its cases and its people's scope: a reviewed change.
# No role has it through the API or imports; an account is granted it explicitly (`Membership.grants`).
MOVE_UNITS = "move_units"

VIEW_FINDINGS = "view_findings"  # read the evaluation data checks' findings and thresholds
DECIDE_FINDINGS = "decide_findings"  # run the evaluation data checks, dismiss or raise their findings
SET_CHECK_THRESHOLDS = "set_check_thresholds"  # the region's thresholds of the data checks
INSPECT = "inspect"  # special inspections (专项检查), their problems and feedback forms
ANSWER_FEEDBACK = "answer_feedback"  # a unit answers an inspection feedback form with its fixes
VIEW_ACCOUNTABILITY = "view_accountability"  # read accountability records (the people held accountable)
RECORD_ACCOUNTABILITY = "record_accountability"  # accountability (问责) and institutional fixes (建章立制)
PUBLISH_EXPOSURE = "publish_exposure"  # choose and publish typical cases (通报曝光)
RECORD_ABSENCE = (
    "record_absence"  # tie an absence from post found by an inspection or a complaint to a staff member
)
SERVE_ASSISTS = "serve_assists"  # record assisted services (帮办代办, 上门办理) and their outcome
REPAIR_KIOSKS = "repair_kiosks"  # report a kiosk's fault and its repair
AWARD_GOLD = "award_gold"  # rank the quarter's windows and award the gold medals (金牌窗口)
ISSUE_BULLETINS = "issue_bulletins"  # the monthly bulletin (月通报) and the ranking's weights

ACTIONS: dict[str, set[str]] = {
    Role.SUPERVISOR: {
        VIEW_PII,
        ISSUE_ORDERS,
        ACCEPT_ORDERS,
        VIEW_AUDIT,
        REVIEW_NEGATIVE,
        ISSUE_LETTERS,
        VIEW_FINDINGS,
        DECIDE_FINDINGS,
        SET_CHECK_THRESHOLDS,
        INSPECT,
        VIEW_ACCOUNTABILITY,
        RECORD_ACCOUNTABILITY,
        PUBLISH_EXPOSURE,
    },  # fmt: skip
    Role.OFFICE: {
        MANAGE_CATALOG,
        MASTER_DATA,
        IMPORT,
        MANAGE_TEMPLATES,
        ISSUE_ORDERS,
        ACCEPT_ORDERS,
        DECIDE_APPEAL,
        MANAGE_PROJECTS,
        MANAGE_RANDOM_CHECKS,
        RECORD_RANDOM_RESULTS,
        ISSUE_BULLETINS,
    },  # fmt: skip
    Role.UNIT_STAFF: {
        REPLY_ORDERS,
        HANDLE_NEGATIVE,
        REPLY_LETTERS,
        REPORT_PROGRESS,
        RECORD_RANDOM_RESULTS,
        ANSWER_FEEDBACK,
    },  # fmt: skip
    Role.LEADER: {VIEW_FINDINGS, VIEW_ACCOUNTABILITY},
    Role.INTEGRATION: {IMPORT},
}
# What an account may be granted beyond its role (`Membership.grants`, set by
# `govwatch api-token create --allow`): the rights no role carries by default.
GRANTABLE: dict[str, str] = {
    MASTER_DATA: "推送单位和事项（基础数据）",
    MOVE_UNITS: "调整单位的上级单位（隶属关系）",
}
# Window operations (govwatch.windows, govwatch.kiosks).
ACTIONS[Role.SUPERVISOR] |= {RECORD_ABSENCE}
ACTIONS[Role.OFFICE] |= {RECORD_ABSENCE, SERVE_ASSISTS, REPAIR_KIOSKS, AWARD_GOLD}
ACTIONS[Role.UNIT_STAFF] |= {SERVE_ASSISTS, REPAIR_KIOSKS}

# Complaints (投诉), callback sampling (回访抽查) and problem clues (问题线索): each step to one role.
TRIAGE_COMPLAINTS = "triage_complaints"  # the office registers, triages (分办) or dismisses a complaint
HANDLE_COMPLAINTS = "handle_complaints"  # a unit investigates, finds and replies, or sends a complaint back
CLOSE_COMPLAINTS = "close_complaints"  # the office calls the complainant back, closes or reopens
SAMPLE_CALLBACKS = "sample_callbacks"  # supervisors draw callback samples and record the calls
MANAGE_CLUES = "manage_clues"  # supervisors register, assess, transfer and follow clues; only they see them
ACTIONS[Role.SUPERVISOR] |= {SAMPLE_CALLBACKS, MANAGE_CLUES}
ACTIONS[Role.OFFICE] |= {TRIAGE_COMPLAINTS, CLOSE_COMPLAINTS}
ACTIONS[Role.UNIT_STAFF] |= {HANDLE_COMPLAINTS}

# Rectification lists (巡察整改), hall inspections (明察暗访) and integrity risk points (廉政风险点).
REPORT_RECTIFICATION = "report_rectification"  # a unit reports progress on its problems and asks for sign-off
MANAGE_RECTIFICATION = (
    "manage_rectification"  # upload lists, set look-backs; sign-off also needs the list's approving role
)
INSPECT_HALLS = "inspect_halls"  # record and publish hall inspections (明察暗访)
MANAGE_CHECKLISTS = "manage_checklists"  # edit the hall-inspection checklist templates
MANAGE_RISKS = "manage_risks"  # keep and review a unit's integrity risk points (廉政风险点)
ACTIONS[Role.SUPERVISOR] |= {MANAGE_RECTIFICATION, INSPECT_HALLS, MANAGE_RISKS}
ACTIONS[Role.OFFICE] |= {MANAGE_RECTIFICATION, INSPECT_HALLS, MANAGE_CHECKLISTS}
ACTIONS[Role.UNIT_STAFF] |= {REPORT_RECTIFICATION, MANAGE_RISKS}


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
    granted = {g for g in m.grants or () if g in GRANTABLE}
    return Scope(m.unit.path, frozenset(ACTIONS.get(m.role, set()) | granted))


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
