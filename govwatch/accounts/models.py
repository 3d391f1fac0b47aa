from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", "纪检监察"
    OFFICE = "office", "政务服务管理办公室"
    UNIT_STAFF = "unit_staff", "单位工作人员"
    LEADER = "leader", "领导"
    INTEGRATION = "integration", "系统对接"


class Membership(models.Model):
    """A person's (or a system's) role, bound to a unit: they see that unit's subtree.

    A supervisor, the service office or a leader is bound to the region (the district) and sees
    all of it; unit staff are bound to their department, street or community.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="members"
    )
    # Rights granted beyond the role, by name (govwatch.accounts.permissions.GRANTABLE): an
    # integration account that keeps the org tree gets "master_data", rarely "move_units".
    grants = models.JSONField("额外权限", default=list, blank=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
