"""The admin site's Chinese title, and the rule for facts: shown in admin, never edited there.

Cases, their events, evaluations, complaints and import runs are facts reported by other systems
or derived from them; they change only through imports, so their admin pages are read-only.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

admin.site.site_header = "GovWatch 政务服务效能监督平台"
admin.site.site_title = "GovWatch 管理后台"
admin.site.index_title = "基础数据管理"


class FactAdmin(admin.ModelAdmin):
    # Counting every row of a province's cases on each list page is the slow part of the admin.
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class FactInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
