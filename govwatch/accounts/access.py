"""Who may open a page: every view is wrapped in `member_required` or `action_required`.

Reading is then narrowed by the scope (each model's `visible_to(scope)`); these only turn away
those with no page to see at all, in Chinese, instead of showing them empty lists. The refusal page
is the template "web/refused.html" of the pages' shell.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import INTEGRATION_ONLY
from .models import Role
from .permissions import may, role_of

NO_ROLE = "您的账号尚未分配角色，请联系管理员"

View = Callable[..., HttpResponse]


def refusal(request: HttpRequest) -> str | None:
    """Why a signed-in user has no pages, or None if they have."""
    user = request.user
    if user.is_superuser:
        return None
    role = role_of(user)
    if role is None:
        return NO_ROLE
    if role == Role.INTEGRATION:
        return INTEGRATION_ONLY
    return None


def member_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        reason = refusal(request)
        if reason is not None:
            return render(request, "web/refused.html", {"reason": reason}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def action_required(action: str) -> Callable[[View], View]:
    """A page for the roles that may do `action` (govwatch.accounts.permissions): others get 403."""

    def decorator(view: View) -> View:
        @member_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not may(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
