"""The audit trail: every admin change audited with before and after (personal data masked), and the
supervisors' page that lists, filters and checks it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from govwatch.accounts.audited_admin import AuditedAdmin
from govwatch.accounts.models import Membership, Role
from govwatch.audit.log import Actor, record
from govwatch.audit.models import AuditEntry
from govwatch.orgs.models import Unit

from .test_admin import unit_form


def item_form(item, **changes) -> dict:
    data = {
        "code": item.code,
        "name": item.name,
        "unit": item.unit_id,
        "type": item.type,
        "level": item.level,
        "legal_days": item.legal_days,
        "promised_days": item.promised_days,
        "online": item.online,
        # The catalog figures' fields as the admin form sends them (a checked box is "on").
        "cross_region": item.cross_region,
        **{name: "on" for name in ("in_hall", "e_licence", "claimed") if getattr(item, name)},
    }
    data.update(changes)
    return data


def test_every_admin_page_is_audited():
    unaudited = [m._meta.label for m, a in admin.site._registry.items() if not isinstance(a, AuditedAdmin)]
    assert unaudited == []


def test_an_item_changed_by_the_office_is_audited_with_before_and_after(as_user, people, region):
    item = region["items"]["I9"]
    client = as_user(people["office"])
    response = client.post(
        reverse("admin:catalog_item_change", args=[item.pk]), item_form(item, promised_days=5)
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change")
    assert (entry.actor, entry.target_type, entry.target_id) == ("user:zwb", "catalog.item", str(item.pk))
    assert (entry.before, entry.after) == ({"promised_days": 9}, {"promised_days": 5})


def test_unit_phones_are_masked_in_the_audit_log(staff_client, region):
    market = region["market"]
    url = reverse("admin:orgs_unit_change", args=[market.pk])
    staff_client.post(url, unit_form(market, new_phone="13800003333"))
    entry = AuditEntry.objects.get(action="admin.change", target_type="orgs.unit")
    assert (entry.before, entry.after) == ({"phone": "138****1111"}, {"phone": "138****3333"})
    staff_client.post(
        reverse("admin:orgs_unit_add"),
        unit_form(
            Unit(code="NEW", name="新单位", kind="department", parent=region["root"]), new_phone="13700007777"
        ),
    )
    added = AuditEntry.objects.get(action="admin.add", target_type="orgs.unit")
    assert added.after["phone"] == "137****7777" and added.after["code"] == "NEW"
    staff_client.post(
        reverse("admin:orgs_unit_delete", args=[Unit.objects.get(code="NEW").pk]), {"post": "yes"}
    )
    deleted = AuditEntry.objects.get(action="admin.delete")
    assert deleted.before["phone"] == "137****7777"
    rows = str(list(AuditEntry.objects.values()))
    assert "13800003333" not in rows and "13800001111" not in rows and "13700007777" not in rows


def user_form(user, **membership) -> dict:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "0",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
    }
    if membership:
        existing = Membership.objects.filter(user=user).first()
        if existing:
            data.update({"membership-INITIAL_FORMS": "1", "membership-0-id": existing.pk})
        data.update({"membership-0-user": user.pk, **{f"membership-0-{k}": v for k, v in membership.items()}})
    return data


def test_role_changes_in_the_user_admin_are_audited(staff_client, people, region):
    nobody = people["nobody"]
    url = reverse("admin:auth_user_change", args=[nobody.pk])
    response = staff_client.post(url, user_form(nobody, role=Role.UNIT_STAFF, unit=region["market"].pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert nobody.membership.role == Role.UNIT_STAFF
    added = AuditEntry.objects.get(action="admin.add", target_type="accounts.membership")
    assert added.after["role"] == "unit_staff" and added.after["unit"] == region["market"].pk
    staff_client.post(url, user_form(nobody, role=Role.LEADER, unit=region["root"].pk))
    changed = AuditEntry.objects.get(action="admin.change", target_type="accounts.membership")
    assert changed.before == {"role": "unit_staff", "unit": region["market"].pk}
    assert changed.after == {"role": "leader", "unit": region["root"].pk}
    # The user's own row is audited without the password hash.
    assert all(
        "password" not in (e.before or {}) and "password" not in (e.after or {})
        for e in AuditEntry.objects.all()
    )


def test_a_password_change_in_the_admin_is_audited_without_the_password(staff_client, people):
    url = reverse("admin:auth_user_password_change", args=[people["leader"].pk])
    new = "Another-long-password-9"
    response = staff_client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="user.password_change", target_id=str(people["leader"].pk)
    ).exists()
    assert new not in str(list(AuditEntry.objects.values()))


def test_the_audit_page_lists_filters_and_shows_before_and_after(as_user, people, region):
    item = region["items"]["I9"]
    as_user(people["office"]).post(
        reverse("admin:catalog_item_change", args=[item.pk]), item_form(item, promised_days=5)
    )
    client = as_user(people["supervisor"])
    page = client.get(reverse("audit"))
    html = page.content.decode()
    assert "管理后台修改" in html and "zwb" in html and "事项" in html
    assert "&quot;promised_days&quot;: 9" in html and "&quot;promised_days&quot;: 5" in html

    def actions(**params) -> list[str]:
        return [e.action for e in client.get(reverse("audit"), params).context["page"]]

    assert actions(action="admin.change") == ["admin.change"]
    assert set(actions(actor="zwb")) == {"auth.login", "admin.change", "auth.logout"}
    assert actions(target_type="catalog.item") == ["admin.change"]
    today = timezone.localdate()
    assert "admin.change" in actions(date_from=today.isoformat(), date_to=today.isoformat())
    assert actions(date_to=(today - timedelta(days=1)).isoformat()) == []


def test_the_audit_page_is_paginated(as_user, people, region):
    for n in range(60):
        record(Actor.command("cli:test"), "test.event", summary=f"#{n}")
    client = as_user(people["supervisor"])
    first = client.get(reverse("audit"))
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 61  # + the login
    assert len(client.get(reverse("audit"), {"page": "2"}).context["page"]) == 11


def test_the_chain_is_checked_on_request(as_user, people, region):
    client = as_user(people["supervisor"])
    assert "哈希链完整" not in client.get(reverse("audit")).content.decode()
    html = client.get(reverse("audit"), {"verify": "1", "action": "auth.login"}).content.decode()
    assert "哈希链完整：共 1 条记录" in html
    assert 'name="action" value="auth.login"' in html or "auth.login" in html


@pytest.mark.parametrize("role", ["leader", "market"])
def test_the_audit_page_refuses_other_roles(as_user, people, region, role):
    assert as_user(people[role]).get(reverse("audit"), {"verify": "1"}).status_code == 403


def test_actors_and_actions_are_shown_in_words():
    from govwatch.web.templatetags.govwatch_web import actor
    from govwatch.web.views.audit import ACTION_LABELS

    assert actor("user:zhangsan") == "zhangsan"
    assert actor("system:worker") == "系统（后台任务）"
    assert actor("token:hall") == "接口（hall）"
    assert actor("public:qr") == "群众（扫码评价）"
    assert ACTION_LABELS["order.issue"] == "下发督办单"
