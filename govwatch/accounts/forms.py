"""Login forms: the role decides who may log into pages and who into the admin."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from govwatch.audit.log import Actor, record

from .models import Role
from .permissions import MANAGE_CATALOG, may, role_of

INTEGRATION_ONLY = "系统对接账号只能通过 API 令牌访问，不能登录页面。"
NOT_FOR_ADMIN = "该账号无权进入管理后台。"


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if role_of(user) == Role.INTEGRATION:
            # The password was right: a system's credentials being tried by hand is worth knowing.
            record(
                Actor(f"user:{user.get_username()}", user, self.request.META.get("REMOTE_ADDR", "")),
                "auth.login_refused",
                user,
                summary=f"拒绝登录页面：{user.get_username()}（系统对接账号）",
            )
            raise ValidationError(INTEGRATION_ONLY, code="integration")


class AdminLoginForm(LoginForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not may(user, MANAGE_CATALOG):
            raise ValidationError(NOT_FOR_ADMIN, code="no_admin")
