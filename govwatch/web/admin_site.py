"""The admin site of GovWatch: entered by role (the service office, superusers), not by a flag.

Django's own rule is the `is_staff` flag; here the one permission layer decides, so that giving a
supervisor, a leader or unit staff the flag by mistake still does not let them change master data.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from govwatch.accounts.forms import AdminLoginForm
from govwatch.accounts.permissions import MANAGE_CATALOG, may


class GovWatchAdminSite(admin.AdminSite):
    site_header = "GovWatch 政务服务效能监督平台"
    site_title = "GovWatch 管理后台"
    index_title = "基础数据管理"
    login_form = AdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may(request.user, MANAGE_CATALOG)
