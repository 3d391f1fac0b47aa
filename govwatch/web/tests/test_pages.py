from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from govwatch.cases.deadlines import remaining_workdays
from govwatch.workcal.calendar import get_calendar

from .conftest import PASSWORD, make_case

PAGES = [
    reverse("home"),
    reverse("unit-list"),
    reverse("unit-detail", args=["SC"]),
    reverse("item-list"),
    reverse("case-list"),
    reverse("case-detail", args=["SC2026030001"]),
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_user_is_sent_to_login(client, cases, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_in_chinese_for_a_signed_in_user(signed_in, cases, url):
    response = signed_in.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("首页", "单位", "事项", "办件", "zhangsan", "退出"):
        assert label in html
    assert "管理后台" not in html


def test_staff_see_the_admin_link(staff_client, region):
    assert "管理后台" in staff_client.get(reverse("home")).content.decode()


def test_login_form_signs_in_and_logout_signs_out(client, user):
    page = client.get(reverse("login"))
    assert "用户名" in page.content.decode() and "密码" in page.content.decode()
    response = client.post(reverse("login"), {"username": "zhangsan", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_in_chinese(client, user):
    response = client.post(reverse("login"), {"username": "zhangsan", "password": "wrong-password"})
    assert response.status_code == 200
    assert "正确的" in response.content.decode()


def test_home_counts_cases_and_shows_catalog_figures(signed_in, cases):
    counts = signed_in.get(reverse("home")).context["counts"]
    assert counts["open"] == 3  # red, yellow, the resumed one
    assert counts["red"] == 1 and counts["yellow"] == 1
    # All of them were due in March 2026, long before the test runs.
    assert counts["overdue"] == 3
    html = signed_in.get(reverse("home")).content.decode()
    assert "64.5%" in html  # 1 - 11/31


def test_unit_list_opens_the_tree_one_level_and_counts_own_items_and_cases(signed_in, cases):
    response = signed_in.get(reverse("unit-list"))
    rows = {row["unit"].code: row for row in response.context["rows"]}
    assert [r["unit"].code for r in response.context["rows"]][0] == "D"
    # The root and the level below it; the community is one click further, on its street's page.
    assert "ST1" not in rows
    assert rows["D"]["depth"] == 0 and rows["SC"]["depth"] == 1
    assert (rows["SC"]["items"], rows["SC"]["cases"]) == (1, 3)
    assert (rows["ST"]["items"], rows["ST"]["cases"], rows["ST"]["sub_units"]) == (0, 0, 1)
    html = response.content.decode()
    assert 'class="depth-1"' in html and "城关街道" in html


def test_unit_search_finds_a_unit_by_name_with_its_parents(signed_in, cases):
    response = signed_in.get(reverse("unit-list"), {"q": "东门"})
    found = response.context["found"]
    assert [row["unit"].code for row in found] == ["ST1"]
    assert found[0]["trail"] == ["测试区", "城关街道"]
    assert "东门社区" in response.content.decode()
    assert signed_in.get(reverse("unit-list"), {"q": "ST1"}).context["found"][0]["unit"].code == "ST1"
    assert signed_in.get(reverse("unit-list"), {"q": "没有的单位"}).context["found"] == []


def test_unit_page_shows_sub_units_items_and_recent_cases_of_its_subtree(signed_in, cases):
    html = signed_in.get(reverse("unit-detail", args=["ST"])).content.decode()
    assert "东门社区" in html
    assert "ST2026040101" in html  # the community's case is in the street's subtree
    market = signed_in.get(reverse("unit-detail", args=["SC"])).content.decode()
    assert "食品经营许可" in market and "SC2026030001" in market and "RS2026030301" not in market


def test_case_page_shows_facts_timeline_and_suspension(signed_in, cases):
    response = signed_in.get(reverse("case-detail", args=["SC2026030501"]))
    html = response.content.decode()
    assert "食品经营许可" in html and "区市场监管局" in html and "窗口" in html and "个人" in html
    # Local time, as accepted: 2026-03-05 09:00 Shanghai.
    assert "2026-03-05 09:00" in html
    assert [e.kind for e, _ in response.context["timeline"]][:3] == ["accept", "suspend", "resume"]
    assert "受理" in html and "挂起" in html and "恢复" in html and "申请人补正材料" in html
    # Suspended 6 March, resumed 11 March: 9, 10 and 11 March are working days added.
    suspension = response.context["suspensions"][0]
    assert suspension.workdays == 3
    assert "顺延 3 个工作日" in html


def test_case_page_shows_evaluations_and_complaints_without_who_made_them(signed_in, cases):
    done = signed_in.get(reverse("case-detail", args=["RS2026030301"])).content.decode()
    assert "非常满意" in done and "扫码" in done and "办理很快，窗口态度好" in done and "按时" in done
    red = signed_in.get(reverse("case-detail", args=["SC2026030001"])).content.decode()
    assert "12345热线" in red and "食品经营许可超期未办" in red and "红牌" in red
    assert "已超过到期日" in red


def test_completed_late_case_says_so(signed_in, cases):
    assert "超时办结" in signed_in.get(reverse("case-detail", args=["RS2026020201"])).content.decode()


def test_open_case_shows_remaining_working_days(signed_in, region):
    now = timezone.now()
    case = make_case("SC-NOW", region["items"]["I9"], [("accept", now - timedelta(minutes=5), "")])
    expected = remaining_workdays(case.due_date, timezone.now(), get_calendar())
    response = signed_in.get(reverse("case-detail", args=["SC-NOW"]))
    assert response.context["remaining"] == expected
    assert f"{expected} 个工作日" in response.content.decode()


def test_provisional_due_date_is_explained(signed_in, region):
    # No schedule is shipped for 2099: the due date follows the weekday rule and is provisional.
    make_case("SC-2099", region["items"]["I9"], [("accept", timezone.now().replace(year=2099), "")])
    html = signed_in.get(reverse("case-detail", args=["SC-2099"])).content.decode()
    assert "临时期限：依赖尚未发布节假日安排的年份" in html


def test_unknown_case_number_is_404(signed_in, region):
    assert signed_in.get(reverse("case-detail", args=["NO-SUCH-CASE"])).status_code == 404


def test_unknown_unit_code_is_404(signed_in, region):
    assert signed_in.get(reverse("unit-detail", args=["NOPE"])).status_code == 404


def test_home_counts_this_years_completions_from_the_daily_figures(signed_in, cases):
    from govwatch.figures.read import scope_totals
    from govwatch.orgs.models import Unit

    today = timezone.localdate()
    counts = signed_in.get(reverse("home")).context["counts"]
    expected = scope_totals(today.replace(month=1, day=1), today, Unit.objects.all())["completed"]
    assert counts["completed_this_year"] == expected


def test_the_breadcrumb_links_only_the_parent_units_the_user_may_open(client, people, region):
    client.force_login(people["market"])
    html = client.get(reverse("unit-detail", args=["SC"])).content.decode()
    # The district above the bureau is named, not linked: its page would be a 404 to them.
    assert "测试区" in html and reverse("unit-detail", args=["D"]) not in html
    assert client.get(reverse("unit-detail", args=["D"])).status_code == 404
    client.force_login(people["office"])
    html = client.get(reverse("unit-detail", args=["ST1"])).content.decode()
    assert reverse("unit-detail", args=["D"]) in html and reverse("unit-detail", args=["ST"]) in html


def test_the_browsers_favicon_request_finds_govwatchs_icon(client, db):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("web/favicon.svg")
