"""DRF permission classes: thin adapters over the one permission layer (`may`), nothing decided here."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from govwatch.accounts.permissions import IMPORT, MANAGE_CATALOG, may


class MayImport(BasePermission):
    """Pushes of facts (case events, evaluations, complaints): the systems and the service office."""

    message = "本账号无权推送数据"

    def has_permission(self, request, view) -> bool:
        return may(request.user, IMPORT)


class MayPushMasterData(BasePermission):
    """Pushes of units and items: whoever manages the catalog or imports."""

    message = "本账号无权推送单位或事项"

    def has_permission(self, request, view) -> bool:
        return may(request.user, MANAGE_CATALOG) or may(request.user, IMPORT)
