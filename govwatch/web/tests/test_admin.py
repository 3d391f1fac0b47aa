from __future__ import annotations

import pytest
from django.urls import reverse

from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar
from govwatch.workcal.models import CalendarDay

MASTER = ["orgs_unit", "catalog_item", "workcal_calendarday", "workcal_scheduledyear"]
FACTS = [
    "cases_case",
    "cases_caseevent",
    "evaluations_evaluation",
    "complaints_complaint",
    "imports_importrun",
]


def test_admin_has_the_chinese_header(staff_client, region):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "GovWatch 政务服务效能监督平台" in html


@pytest.mark.parametrize("model", MASTER + FACTS)
def test_every_admin_list_opens(staff_client, cases, model):
    assert staff_client.get(reverse(f"admin:{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", MASTER)
def test_master_data_can_be_added_in_admin(staff_client, region, model):
    assert staff_client.get(reverse(f"admin:{model}_add")).status_code == 200


@pytest.mark.parametrize("model", FACTS)
def test_facts_cannot_be_added_in_admin(staff_client, cases, model):
    assert staff_client.get(reverse(f"admin:{model}_add")).status_code == 403


def test_a_case_is_shown_read_only_with_its_events(staff_client, cases):
    url = reverse("admin:cases_case_change", args=[cases.suspended.pk])
    page = staff_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "申请人补正材料" in html and 'name="_save"' not in html
    status_before = cases.suspended.status
    assert staff_client.post(url, {"status": "completed"}).status_code == 403
    cases.suspended.refresh_from_db()
    assert cases.suspended.status == status_before
    delete = reverse("admin:cases_case_delete", args=[cases.suspended.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403


def test_evaluation_admin_leaves_out_the_evaluator(staff_client, cases):
    from govwatch.evaluations.models import Evaluation

    html = staff_client.get(
        reverse("admin:evaluations_evaluation_change", args=[Evaluation.objects.get().pk])
    ).content.decode()
    assert "办理很快" in html and "evaluator" not in html


def unit_form(unit: Unit, **changes) -> dict:
    data = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "new_phone": "",
    }
    data.update(changes)
    return data


def test_unit_phone_is_kept_when_left_blank_and_replaced_when_given(staff_client, region):
    market = region["market"]
    url = reverse("admin:orgs_unit_change", args=[market.pk])
    assert "138****1111" in staff_client.get(url).content.decode()
    assert staff_client.post(url, unit_form(market, name="区市场监督管理局")).status_code == 302
    market.refresh_from_db()
    assert (market.name, market.phone) == ("区市场监督管理局", "13800001111")
    staff_client.post(url, unit_form(market, new_phone="13800003333"))
    market.refresh_from_db()
    assert market.phone == "13800003333"
    staff_client.post(url, unit_form(market, clear_phone="on"))
    market.refresh_from_db()
    assert market.phone == ""


def test_a_unit_phone_that_is_no_mobile_number_is_refused_in_the_admin(staff_client, region):
    market = region["market"]
    response = staff_client.post(
        reverse("admin:orgs_unit_change", args=[market.pk]), unit_form(market, new_phone="12345")
    )
    assert response.status_code == 200 and "11 位手机号码" in response.content.decode()
    market.refresh_from_db()
    assert market.phone == "13800001111"


@pytest.mark.parametrize("name", ["区\u202e局场市", "区市场\n局", "区\x07市场局"])
def test_a_name_with_a_control_character_is_refused_in_the_admin(staff_client, region, name):
    market = region["market"]
    response = staff_client.post(
        reverse("admin:orgs_unit_change", args=[market.pk]), unit_form(market, name=name)
    )
    assert response.status_code == 200 and "不能含有换行或控制字符" in response.content.decode()
    assert Unit.objects.get(code="SC").name == "区市场监管局"


def test_moving_a_unit_moves_its_subtree(staff_client, region):
    street = region["street"]
    url = reverse("admin:orgs_unit_change", args=[street.pk])
    assert staff_client.post(url, unit_form(street, parent=region["center"].pk)).status_code == 302
    assert Unit.objects.get(code="ST").path == "/D/C/ST/"
    assert Unit.objects.get(code="ST1").path == "/D/C/ST/ST1/"


def test_a_move_in_the_admin_is_audited_with_both_parents(staff_client, region):
    from govwatch.audit.models import AuditEntry

    street = region["street"]
    url = reverse("admin:orgs_unit_change", args=[street.pk])
    staff_client.post(url, unit_form(street, parent=region["center"].pk))
    entry = AuditEntry.objects.get(action="unit.move")
    assert (entry.before, entry.after) == ({"parent": "D"}, {"parent": "C"})
    assert entry.target_id == str(street.pk) and "管理后台" in entry.summary


def test_no_unit_leaves_the_regions_tree_in_the_admin(staff_client, region):
    street = region["street"]
    response = staff_client.post(
        reverse("admin:orgs_unit_change", args=[street.pk]), unit_form(street, parent="")
    )
    assert response.status_code == 200
    assert "不能移出区域的组织树" in response.content.decode()
    assert Unit.objects.get(code="ST").path == "/D/ST/"
    response = staff_client.post(
        reverse("admin:orgs_unit_add"), {"code": "X", "name": "影子区", "kind": "district", "parent": ""}
    )
    assert response.status_code == 200
    assert "区域已有根单位 D" in response.content.decode()
    assert not Unit.objects.filter(code="X").exists()


def test_a_unit_cannot_move_under_its_own_descendant(staff_client, region):
    street = region["street"]
    url = reverse("admin:orgs_unit_change", args=[street.pk])
    response = staff_client.post(url, unit_form(street, parent=region["community"].pk))
    assert response.status_code == 200
    assert "上级单位不能是本单位或其下级单位" in response.content.decode()
    assert Unit.objects.get(code="ST").path == "/D/ST/"


def test_a_holiday_added_in_admin_changes_the_working_days(staff_client, region):
    from datetime import date

    day = date(2026, 3, 9)  # a Monday
    assert get_calendar().is_workday(day)
    response = staff_client.post(
        reverse("admin:workcal_calendarday_add"), {"date": "2026-03-09", "kind": "holiday", "name": "测试"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=day).exists()
    assert not get_calendar().is_workday(day)
