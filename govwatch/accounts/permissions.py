"""The one permission layer: what a user may see (a subtree of the org tree) and do (by role).

Every page, API endpoint, export and command takes its rows from `scope(user).cases()` and its
kin, and asks `may(user, ACTION)` before a change. Nothing is decided per view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from govwatch.orgs.models import Unit

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
REPORT_RECTIFICATION = "report_rectification"  # a unit reports progress on its problems and asks for sign-off
MANAGE_RECTIFICATION = "manage_rectification"  # upload lists, set look-back intervals; sign-off also needs the list's approving role
INSPECT_HALLS = "inspect_halls"  # record and publish hall inspections (明察暗访)
MANAGE_CHECKLISTS = "manage_checklists"  # edit the hall-inspection checklist templates
MANAGE_RISKS = "manage_risks"  # keep and review a unit's integrity risk points (廉政风险点)

ACTIONS: dict[str, set[str]] = {
    Role.SUPERVISOR: {VIEW_PII, ISSUE_ORDERS, ACCEPT_ORDERS, VIEW_AUDIT, REVIEW_NEGATIVE, ISSUE_LETTERS,
                      MANAGE_RECTIFICATION, INSPECT_HALLS, MANAGE_RISKS},
    Role.OFFICE: {MANAGE_CATALOG, IMPORT, MANAGE_TEMPLATES, ISSUE_ORDERS, ACCEPT_ORDERS, DECIDE_APPEAL,
                  MANAGE_RECTIFICATION, INSPECT_HALLS, MANAGE_CHECKLISTS},
    Role.UNIT_STAFF: {REPLY_ORDERS, HANDLE_NEGATIVE, REPLY_LETTERS, REPORT_RECTIFICATION, MANAGE_RISKS},
    Role.LEADER: set(),
    Role.INTEGRATION: {IMPORT},
}


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
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    m = membership(user)
    return m is not None and action in ACTIONS.get(m.role, set())


@dataclass(frozen=True)
class Scope:
    """The part of the org tree a user sees: every unit whose path starts with `path`.

    `path` None means nothing at all (anonymous, no role); "/" is the whole tree (superusers).
    """

    path: str | None

    @property
    def everything(self) -> bool:
        return self.path == "/"

    def _on(self, qs: QuerySet, unit_field: str) -> QuerySet:
        if self.path is None:
            return qs.none()
        if self.everything:
            return qs
        return qs.filter(**{f"{unit_field}__path__startswith": self.path})

    def units(self) -> QuerySet:
        if self.path is None:
            return Unit.objects.none()
        return Unit.objects.all() if self.everything else Unit.objects.filter(path__startswith=self.path)

    def items(self) -> QuerySet:
        from govwatch.catalog.models import Item

        return self._on(Item.objects.all(), "unit")

    def cases(self) -> QuerySet:
        from govwatch.cases.models import Case

        return self._on(Case.objects.all(), "unit")

    def evaluations(self) -> QuerySet:
        from govwatch.evaluations.models import Evaluation

        return self._on(Evaluation.objects.all(), "unit")

    def complaints(self) -> QuerySet:
        from govwatch.complaints.models import Complaint

        qs = Complaint.objects.all()
        if self.path is None:
            return qs.none()
        if self.everything:
            return qs
        # A complaint names a unit or a case (or both): either puts it in the subtree.
        return qs.filter(Q(unit__path__startswith=self.path) | Q(case__unit__path__startswith=self.path))

    def orders(self) -> QuerySet:
        from govwatch.supervision.models import SupervisionOrder

        return self._on(SupervisionOrder.objects.all(), "unit")

    def notifications(self) -> QuerySet:
        from govwatch.supervision.models import Notification

        return self._on(Notification.objects.all(), "unit")

    def contains(self, unit: Unit | None) -> bool:
        if unit is None or self.path is None:
            return False
        return self.everything or unit.path.startswith(self.path)


NOTHING = Scope(None)
EVERYTHING = Scope("/")


def scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    m = membership(user)
    if m is None:
        return NOTHING
    return Scope(m.unit.path)
