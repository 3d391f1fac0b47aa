"""QR codes (SVG served by GovWatch), the acceptance notice and the windows' QR sheet."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from govwatch.public.models import QrImage
from govwatch.public.tokens import Link, evaluation_link, read_token, read_window_token

from .conftest import token_of
from .links import window_link

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def svg_of(response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}path") is not None or root.find(f".//{SVG}path") is not None
    return root


def test_a_case_qr_is_an_svg_of_its_absolute_link(client, done, settings):
    path = evaluation_link(done, "qr")
    root = svg_of(client.get(f"{path}qr.svg"))
    assert root.find(f"{SVG}desc").text == f"http://testserver{path}"

    settings.PUBLIC_BASE_URL = "https://pj.example.gov.cn"
    root = svg_of(client.get(f"{path}qr.svg"))
    assert root.find(f"{SVG}desc").text == f"https://pj.example.gov.cn{path}"


def test_a_window_qr_is_an_svg_of_the_window_link(client):
    path = window_link("W07")
    root = svg_of(client.get(f"{path}qr.svg"))
    assert root.find(f"{SVG}desc").text == f"http://testserver{path}"
    assert "W07" in root.find(f"{SVG}title").text


def test_no_qr_for_a_forged_link(client, done):
    token = token_of(evaluation_link(done))
    assert client.get(f"/e/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/qr.svg").status_code == 403


def test_the_acceptance_notice_shows_the_case_and_its_qr(client, staff, make_case):
    case = make_case("RS2026110300", None, window_code="W03")
    client.force_login(staff["social"])
    response = client.get(f"/e/notice/{case.case_no}/")
    assert response.status_code == 200
    text = response.content.decode()
    for fact in (
        "受理通知书",
        case.case_no,
        "就业登记",
        "区人社局",
        "W03 号窗口",
        "办结后请扫码评价",
        "7 天内",
    ):
        assert fact in text
    qr = response.context["qr"]
    assert f'src="{qr}"' in text
    token = qr.removeprefix("/e/").removesuffix("/qr.svg")
    assert read_token(token) == Link(case.case_no, "qr", "W03")
    assert client.get(qr).status_code == 200


def test_the_notice_is_for_staff_who_see_the_case(client, staff, make_case):
    case = make_case("RS2026110301", None)
    assert client.get(f"/e/notice/{case.case_no}/").status_code == 302  # to the login page
    client.force_login(staff["market"])
    assert client.get(f"/e/notice/{case.case_no}/").status_code == 404


def test_the_qr_sheet_lists_the_windows_in_use_grouped_by_unit(client, staff, make_case):
    make_case("RS2026110401", window_code="A01")
    make_case("RS2026110402", window_code="A01")
    make_case("RS2026110403", window_code="A02")
    make_case("SC2026110401", item="I9", window_code="A02")
    make_case("SC2026110402", item="I9", window_code="B01")
    make_case("RS2025010401", timedelta(days=400), window_code="Z09")  # not in use this past year
    client.force_login(staff["office"])

    response = client.get("/e/sheet/")
    assert response.status_code == 200
    groups = response.context["groups"]
    shown = {g["unit"]: [w["code"] for w in g["windows"]] for g in groups}
    # A02 serves both bureaus once each: it is listed once, under one of them.
    assert sorted(code for codes in shown.values() for code in codes) == ["A01", "A02", "B01"]
    assert "A01" in shown["区人社局"] and "B01" in shown["区市场监管局"]
    text = response.content.decode()
    for group in groups:
        for w in group["windows"]:
            # Each code is written into the page (one request for the whole sheet), drawn once.
            assert f'src="{w["qr"]}"' in text and w["qr"].startswith("data:image/svg+xml;base64,")
            svg = base64.b64decode(w["qr"].removeprefix("data:image/svg+xml;base64,")).decode()
            assert w["link"] in svg
            assert read_window_token(w["token"]) == w["code"]
    assert QrImage.objects.count() == 3
    client.get("/e/sheet/")
    assert QrImage.objects.count() == 3

    only_a = client.get("/e/sheet/?window=A")
    codes = [w["code"] for g in only_a.context["groups"] for w in g["windows"]]
    assert sorted(codes) == ["A01", "A02"]
    assert "B01" not in only_a.content.decode()


def test_the_qr_sheet_is_for_the_service_office(client, staff):
    client.force_login(staff["social"])
    assert client.get("/e/sheet/").status_code == 403


def test_the_notice_prints_a_short_address_and_warns_staff_when_no_public_address_is_set(
    client, staff, make_case, settings
):
    case = make_case("RS2026110310", None, window_code="W03")
    client.force_login(staff["social"])
    settings.PUBLIC_BASE_URL = ""
    text = client.get(f"/e/notice/{case.case_no}/").content.decode()
    assert "未设置群众访问地址（GOVWATCH_PUBLIC_BASE_URL）" in text and "http://testserver/" in text
    settings.PUBLIC_BASE_URL = "https://pj.example.gov.cn"
    text = client.get(f"/e/notice/{case.case_no}/").content.decode()
    assert "GOVWATCH_PUBLIC_BASE_URL" not in text
    # A short address a citizen can type, not the long signed link.
    assert f"https://pj.example.gov.cn/e/c/{case.case_no}/" in text
    assert len(f"https://pj.example.gov.cn/e/c/{case.case_no}/") < 50


def test_each_window_card_names_its_hall_and_unit_and_the_sheet_warns_without_an_address(
    client, staff, make_case, settings
):
    make_case("RS2026110411", window_code="A01")
    settings.PUBLIC_BASE_URL = ""
    client.force_login(staff["office"])
    response = client.get("/e/sheet/")
    text = response.content.decode()
    assert response.context["groups"][0]["hall"] == "区政务服务中心"
    assert '<p class="qr-hall">区政务服务中心</p>' in text and '<p class="qr-unit">区人社局</p>' in text
    assert "未设置群众访问地址" in text


def test_the_short_address_asks_the_last_four_digits_and_keeps_the_case_number(client, make_case):
    from govwatch.public.contacts import register_applicant_phone

    case = make_case("RS2026110412")
    register_applicant_phone(case.case_no, "13912345678")
    page = client.get(f"/e/c/{case.case_no}/")
    text = page.content.decode()
    assert page.status_code == 200 and f'value="{case.case_no}"' in text and 'inputmode="numeric"' in text
    stamp = page.context["form"]["stamp"].value()
    wrong = client.post(
        f"/e/c/{case.case_no}/", {"case_no": case.case_no, "last4": "0000", "website": "", "stamp": stamp}
    )
    assert wrong.status_code == 400 and f'value="{case.case_no}"' in wrong.content.decode()
    stamp = wrong.context["form"]["stamp"].value()
    right = client.post(
        f"/e/c/{case.case_no}/", {"case_no": case.case_no, "last4": "5678", "website": "", "stamp": stamp}
    )
    assert right.status_code == 302 and right["Location"].startswith("/e/")
