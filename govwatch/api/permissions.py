"""DRF permission classes: thin adapters over the one permission layer (`may`), nothing decided here."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from govwatch.accounts.permissions import IMPORT, MASTER_DATA, may


class MayImport(BasePermission):
    """Pushes of facts (case events, evaluations, complaints): the systems and the service office."""

    message = "本账号无权推送数据"

    def has_permission(self, request, view) -> bool:
        return may(request.user, IMPORT)


class MayPushMasterData(BasePermission):
    """Pushes of units and items: the master-data right (the service office by role, a system only
    when granted it), never implied by the right to push facts."""

    message = "本账号无权推送单位或事项（基础数据），请联系管理员授予基础数据推送权限"

    def has_permission(self, request, view) -> bool:
        return may(request.user, MASTER_DATA)
