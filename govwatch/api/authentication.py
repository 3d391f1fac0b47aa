"""How the API knows who calls: a system's token, or a person's session of the pages.

Two rules on top of DRF's classes:
- a token is a system's, bound to a unit: a superuser's account gets none (`api-token create`
  refuses it) and a token that still belongs to one is refused, so no token sees "everything";
- the refusals speak Chinese (DRF's CSRF refusal is an English sentence with Django's reason).
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

SUPERUSER_TOKEN = (
    "系统管理员账号不能使用接口令牌：请为对接系统建立系统对接账号（角色“系统对接”，绑定其所属单位）"
)
CSRF_FAILED = (
    "CSRF 校验失败：通过页面登录状态调用接口时，请求须带 X-CSRFToken 请求头（取自 csrftoken Cookie）；"
    "对接系统请使用接口令牌（Authorization: Token …）"
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        user, token = super().authenticate_credentials(key)
        if user.is_superuser:
            raise exceptions.AuthenticationFailed(SUPERUSER_TOKEN)
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(CSRF_FAILED) from None
