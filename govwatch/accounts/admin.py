"""People and their roles in the admin (superusers only): a user's role and unit on the user's own
page, and every admin page of the installed packages audited like GovWatch's own."""

from __future__ import annotations

import axes.admin  # noqa: F401  (registers its admins before they are replaced below)
import rest_framework.authtoken.admin  # noqa: F401  (likewise)
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from rest_framework.authtoken.models import TokenProxy

from govwatch.accounts.audited_admin import AuditedAdmin
from govwatch.audit.log import Actor, record

from .models import Membership

User = get_user_model()


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = True
    max_num = 1
    autocomplete_fields = ["unit"]
    verbose_name = verbose_name_plural = "角色与所属单位"


@admin.display(description="角色")
def _role(user) -> str:
    membership = getattr(user, "membership", None)
    return membership.get_role_display() if membership else "—"


@admin.display(description="所属单位")
def _unit(user) -> str:
    membership = getattr(user, "membership", None)
    return membership.unit.name if membership else "—"


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(AuditedAdmin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", _role, _unit, "is_active", "is_superuser", "last_login"]
    list_select_related = ["membership__unit"]
    list_filter = ["membership__role", "is_active", "is_superuser"]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            record(Actor.of_request(request), "user.password_change", user, summary=f"修改密码：{user}")
        return response


def _audited(model) -> None:
    """Replace the installed package's admin of `model` by the same admin, audited."""
    if not admin.site.is_registered(model):
        return
    current = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(
        model, type(f"Audited{current.__name__}", (AuditedAdmin, current), {"__module__": __name__})
    )


# Deleting a lock-out record unlocks an account: that too is a change someone made.
for _model in (Group, TokenProxy, AccessAttempt, AccessLog, AccessFailureLog):
    _audited(_model)
