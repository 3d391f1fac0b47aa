"""What a user may see: every list and detail page takes its rows from these functions only.

Today every signed-in user sees the whole region. Role scoping (a unit's staff see their own
subtree, supervisors see all) is to be added here and nowhere else.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.complaints.models import Complaint
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit

User = AbstractBaseUser | AnonymousUser


def visible_units(user: User) -> QuerySet[Unit]:
    return Unit.objects.all()


def visible_items(user: User) -> QuerySet[Item]:
    return Item.objects.all()


def visible_cases(user: User) -> QuerySet[Case]:
    return Case.objects.all()


def visible_evaluations(user: User) -> QuerySet[Evaluation]:
    return Evaluation.objects.all()


def visible_complaints(user: User) -> QuerySet[Complaint]:
    return Complaint.objects.all()
