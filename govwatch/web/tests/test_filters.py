from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govwatch.catalog.models import Item

from .conftest import local, make_case


def case_numbers(client, **params) -> set[str]:
    response = client.get(reverse("case-list"), params)
    assert response.status_code == 200
    return {case.case_no for case in response.context["page"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            {"SC2026030001", "SC2026031001", "RS2026030301", "RS2026020201", "SC2026030501", "ST2026040101"},
        ),
        # A unit includes its sub-units: the street takes the community's case.
        ({"unit": "ST"}, {"ST2026040101"}),
        ({"unit": "ST1"}, {"ST2026040101"}),
        ({"unit": "SC"}, {"SC2026030001", "SC2026031001", "SC2026030501"}),
        (
            {"unit": "D"},
            {"SC2026030001", "SC2026031001", "RS2026030301", "RS2026020201", "SC2026030501", "ST2026040101"},
        ),
        ({"item": "I2"}, {"RS2026030301", "RS2026020201"}),
        ({"status": "completed"}, {"RS2026030301", "RS2026020201", "ST2026040101"}),
        ({"status": "in_progress"}, {"SC2026030001", "SC2026031001", "SC2026030501"}),
        ({"card": "red"}, {"SC2026030001"}),
        ({"card": "yellow"}, {"SC2026031001"}),
        ({"card": "none", "unit": "SC"}, {"SC2026030501"}),
        ({"overdue": "on"}, {"SC2026030001", "SC2026031001", "SC2026030501"}),
        ({"accepted_from": "2026-03-03", "accepted_to": "2026-03-05"}, {"RS2026030301", "SC2026030501"}),
        ({"accepted_to": "2026-02-28"}, {"RS2026020201"}),
        ({"closed_from": "2026-03-01"}, {"RS2026030301", "ST2026040101"}),
        ({"unit": "SC", "status": "open", "card": "red"}, {"SC2026030001"}),
    ],
)
def test_case_list_filters(signed_in, cases, params, expected):
    assert case_numbers(signed_in, **params) == expected


@pytest.mark.parametrize(
    "params", [{}, {"unit": "SC"}, {"status": "in_progress"}, {"card": "red"}, {"item": "I2"}]
)
def test_case_list_total_counts_the_rows_each_role_sees(client, people, cases, params):
    # The total is counted without the join on the unit tree; the same rows as the list's.
    from govwatch.accounts.permissions import scope
    from govwatch.cases.models import Case
    from govwatch.web.views.cases import filter_cases

    for who in ("supervisor", "market", "social"):
        client.force_login(people[who])
        response = client.get(reverse("case-list"), params)
        page = response.context["page"]
        form = response.context["form"]
        rows = Case.objects.visible_to(scope(people[who]))
        if not params:
            expected = rows.count()
        else:  # a unit outside the person's view is an error: no rows
            expected = filter_cases(rows, form.cleaned_data, people[who]).count() if form.is_valid() else 0
        assert page.count == expected == len(page.rows), (who, params)
    client.force_login(people["market"])
    assert client.get(reverse("case-list"), {"unit": "RS"}).context["page"].count == 0


def test_case_list_rejects_an_unknown_item_code_in_chinese(signed_in, cases):
    response = signed_in.get(reverse("case-list"), {"item": "NOPE"})
    assert list(response.context["page"]) == []
    assert "没有这个事项编码" in response.content.decode()


def test_case_list_shows_chinese_status_and_coloured_cards(signed_in, cases):
    html = signed_in.get(reverse("case-list")).content.decode()
    assert "已办结" in html and "办理中" in html
    assert 'class="badge badge-red"' in html and "红牌" in html
    assert 'class="badge badge-yellow"' in html and "黄牌" in html


def test_case_list_pagination_keeps_the_filters(signed_in, region):
    for n in range(55):
        make_case(f"RS-{n:03d}", region["items"]["I2"], [("accept", local(2026, 3, 2, 9, 0), "")], card="red")
    response = signed_in.get(reverse("case-list"), {"card": "red"})
    page = response.context["page"]
    assert page.count == 55 and not page.count_capped
    assert len(page) == 50 and page.previous_query is None
    # The next page starts after the last case shown (a keyset, not an offset), filters kept.
    last = page.rows[-1]
    assert page.next_query == f"?card=red&after=2026-03-02~{last.pk}"
    assert page.next_query.replace("&", "&amp;") in response.content.decode()
    second = signed_in.get(reverse("case-list") + page.next_query).context["page"]
    assert len(second) == 5 and second.next_query is None
    assert {c.pk for c in second}.isdisjoint(c.pk for c in page)
    back = signed_in.get(reverse("case-list") + second.previous_query).context["page"]
    assert [c.pk for c in back] == [c.pk for c in page] and back.previous_query is None
    # A cursor that fits no row's columns is the first page, not an error.
    assert len(signed_in.get(reverse("case-list"), {"card": "red", "after": "x~y"}).context["page"]) == 50


def test_case_number_search_with_one_hit_opens_the_case(signed_in, cases):
    response = signed_in.get(reverse("case-list"), {"q": " SC2026030001 "})
    assert response.status_code == 302
    assert response.url == reverse("case-detail", args=["SC2026030001"])


def test_case_number_search_is_exact(signed_in, cases):
    response = signed_in.get(reverse("case-list"), {"q": "SC2026"}, follow=True)
    assert list(response.context["page"]) == []
    assert "未找到业务编号为“SC2026”的办件" in response.content.decode()


def test_case_list_queries_do_not_grow_with_the_rows(signed_in, cases, region):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            signed_in.get(reverse("case-list"), {"unit": "D"})
        return len(ctx)

    before = queries()
    for n in range(20):
        make_case(f"RS-{n:03d}", region["items"]["I2"], [("accept", local(2026, 3, 2, 9, 0), "")])
    assert queries() == before


def item_codes(client, **params) -> list[str]:
    response = client.get(reverse("item-list"), params)
    assert response.status_code == 200
    return [item.code for item in response.context["page"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["I0", "I2", "I9"]),
        ({"unit": "ST"}, ["I0"]),
        ({"unit": "RS"}, ["I2"]),
        ({"type": "licensing"}, ["I9"]),
        ({"online": "partial"}, ["I2"]),
        ({"level": "town"}, []),
        ({"q": "就业"}, ["I2"]),
        ({"q": "i9"}, ["I9"]),
    ],
)
def test_item_list_filters(signed_in, region, params, expected):
    assert item_codes(signed_in, **params) == expected


def test_item_list_shows_time_limits_reduction_and_online(signed_in, region):
    html = signed_in.get(reverse("item-list")).content.decode()
    assert "55.0%" in html  # I9: 1 - 9/20
    assert "全程网办" in html and "部分网办" in html and "即办件" in html


def test_item_list_figures_follow_the_filters(signed_in, region):
    Item.objects.create(code="Z0", name="无时限事项", unit=region["root"], legal_days=0, promised_days=0)
    response = signed_in.get(reverse("item-list"), {"q": "无时限"})
    figures = response.context["figures"]
    assert figures["items"] == 1 and figures["time_limit_reduction"] is None and figures["online_rate"] == 0
    html = response.content.decode()
    assert "—" in html and "0.0%" in html
