"""Reads follow the account's subtree: other units' records are not listed and are 404 by their code."""

from __future__ import annotations

import pytest


def _codes(response, key: str) -> set[str]:
    assert response.status_code == 200, response.content
    return {row[key] for row in response.json()["results"]}


def test_unit_staff_list_only_their_subtree(people, facts, token_client):
    market = token_client(people["market"])
    assert _codes(market.get("/api/v1/units/"), "code") == {"SC"}
    assert _codes(market.get("/api/v1/items/"), "code") == {"I9"}
    assert _codes(market.get("/api/v1/cases/"), "case_no") == {"M1"}
    assert _codes(market.get("/api/v1/evaluations/"), "eval_id") == {"E-M1"}
    assert _codes(market.get("/api/v1/complaints/"), "complaint_id") == {"K-M1"}

    street = token_client(people["street"])
    assert _codes(street.get("/api/v1/units/"), "code") == {"ST", "ST1"}
    assert _codes(street.get("/api/v1/items/"), "code") == {"I0"}
    # The case the street handles for the market's item (通办) is the street's.
    assert _codes(street.get("/api/v1/cases/"), "case_no") == {"C1", "S1"}
    assert _codes(street.get("/api/v1/evaluations/"), "eval_id") == {"E-C1"}
    assert _codes(street.get("/api/v1/complaints/"), "complaint_id") == {"K-C1"}


@pytest.mark.parametrize(
    "url",
    ["/api/v1/units/ST/", "/api/v1/units/D/", "/api/v1/items/I0/", "/api/v1/cases/C1/", "/api/v1/cases/S1/",
     "/api/v1/evaluations/E-C1/", "/api/v1/complaints/K-C1/"],
)  # fmt: skip
def test_another_units_record_is_404_as_if_it_did_not_exist(people, facts, token_client, url):
    market = token_client(people["market"])
    hidden = market.get(url)
    missing = market.get(url.rstrip("/") + "-NOPE/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


@pytest.mark.parametrize(
    "url",
    ["/api/v1/units/SC/", "/api/v1/items/I9/", "/api/v1/cases/M1/", "/api/v1/evaluations/E-M1/",
     "/api/v1/complaints/K-M1/"],
)  # fmt: skip
def test_own_records_are_read_by_their_code(people, facts, token_client, url):
    assert token_client(people["market"]).get(url).status_code == 200


def test_filters_cannot_reach_outside_the_scope(people, facts, token_client):
    market = token_client(people["market"])
    assert _codes(market.get("/api/v1/cases/?unit=ST"), "case_no") == set()
    assert _codes(market.get("/api/v1/cases/?unit=D"), "case_no") == set()
    assert _codes(market.get("/api/v1/cases/?item=I0"), "case_no") == set()
    assert _codes(market.get("/api/v1/evaluations/?case=C1"), "eval_id") == set()
    assert _codes(market.get("/api/v1/complaints/?case=C1"), "complaint_id") == set()
    assert _codes(market.get("/api/v1/items/?search=社保"), "code") == set()


def test_region_roles_read_the_whole_region(people, facts, token_client):
    leader = token_client(people["leader"])
    assert _codes(leader.get("/api/v1/cases/"), "case_no") == {"M1", "C1", "S1"}
    assert len(_codes(leader.get("/api/v1/units/?page_size=100"), "code")) == 7


def test_an_account_without_a_role_sees_nothing(region, facts, token_client):
    from django.contrib.auth import get_user_model

    nobody = token_client(get_user_model().objects.create_user("nobody"))
    assert _codes(nobody.get("/api/v1/cases/"), "case_no") == set()
    assert nobody.get("/api/v1/cases/M1/").status_code == 404


def test_case_filters(people, facts, token_client):
    office = token_client(people["office"])
    assert _codes(office.get("/api/v1/cases/?unit=ST"), "case_no") == {"C1", "S1"}  # subtree
    assert _codes(office.get("/api/v1/cases/?item=I9"), "case_no") == {"M1", "S1"}
    assert _codes(office.get("/api/v1/cases/?status=completed"), "case_no") == {"C1"}
    assert _codes(office.get("/api/v1/cases/?status=办理中"), "case_no") == {"M1", "S1"}
    assert _codes(office.get("/api/v1/cases/?card=none"), "case_no") == {"M1", "C1", "S1"}
    assert _codes(office.get("/api/v1/cases/?accepted_from=2026-03-03"), "case_no") == {"S1"}
    assert _codes(office.get("/api/v1/cases/?accepted_to=2026-03-02"), "case_no") == {"M1", "C1"}


def test_a_bad_filter_value_is_a_400_in_chinese(people, facts, token_client):
    office = token_client(people["office"])
    response = office.get("/api/v1/cases/?accepted_from=2026-13-01")
    assert response.status_code == 400
    assert "不是有效的日期" in response.json()["accepted_from"]
    response = office.get("/api/v1/cases/?status=lost")
    assert response.status_code == 400 and "无效" in response.json()["status"]


def test_item_filters(people, facts, token_client):
    office = token_client(people["office"])
    assert _codes(office.get("/api/v1/items/?unit=ST"), "code") == {"I0"}
    assert _codes(office.get("/api/v1/items/?type=licensing"), "code") == {"I9"}
    assert _codes(office.get("/api/v1/items/?level=区级"), "code") == {"I9", "I2", "I0"}
    assert _codes(office.get("/api/v1/items/?online=partial"), "code") == {"I2"}
    assert _codes(office.get("/api/v1/items/?search=食品"), "code") == {"I9"}


def test_case_detail_has_events_suspensions_and_deadline_facts(people, facts, token_client):
    doc = token_client(people["market"]).get("/api/v1/cases/M1/").json()
    assert doc["item_code"] == "I9" and doc["unit_code"] == "SC" and doc["status"] == "open"
    assert doc["accepted_at"] == "2026-03-02T09:00:00+08:00"
    # 9 working days after Monday 2 March, moved 2 working days later by the suspension (3rd to 5th).
    assert doc["due_date"] == "2026-03-17"
    assert doc["provisional"] is False and doc["completed_on_time"] is None and doc["card"] == "none"
    assert [e["event"] for e in doc["events"]] == ["accept", "suspend", "resume"]
    assert doc["suspensions"] == [
        {"started_at": "2026-03-03T09:00:00+08:00", "ended_at": "2026-03-05T09:00:00+08:00", "workdays": 2,
         "reason": "补正材料"},
    ]  # fmt: skip


def test_lists_are_paginated(people, facts, token_client):
    doc = token_client(people["office"]).get("/api/v1/units/?page_size=2").json()
    assert doc["count"] == 7 and len(doc["results"]) == 2 and doc["next"]
