"""The window flow: a window's QR, then the case number and the phone's last four digits."""

from __future__ import annotations

import pytest

from govwatch.core import pii
from govwatch.public.contacts import register_applicant_phone
from govwatch.public.models import ApplicantContact
from govwatch.public.tokens import Link, read_token, window_token

from .conftest import PHONE, aged_stamp
from .links import window_link

pytestmark = pytest.mark.django_db


def attempt(client, path: str, case_no: str, last4: str):
    token = path.removeprefix("/e/w/").strip("/")
    return client.post(path, {"case_no": case_no, "last4": last4, "website": "", "stamp": aged_stamp(token)})


def test_the_phone_is_kept_protected(done):
    contact = ApplicantContact.objects.get(case_no=done.case_no)
    assert contact.phone_hash == pii.keyed_hash(PHONE)
    assert pii.decrypt(contact.phone_enc) == PHONE
    assert contact.phone_masked == "139****5678"
    assert PHONE not in contact.last4_hash + contact.phone_hash + contact.phone_enc
    # Registering again replaces the number, it does not add a second row.
    register_applicant_phone(done.case_no, "+86 137-0000-1111")
    contact.refresh_from_db()
    assert contact.phone_masked == "137****1111" and ApplicantContact.objects.count() == 1
    with pytest.raises(ValueError):
        register_applicant_phone(done.case_no, "not a number")


def test_the_window_page_asks_for_case_number_and_last_four_digits(client):
    response = client.get(window_link("W07"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "W07 号窗口" in text and "业务编号" in text and "手机号后四位" in text
    assert "csrftoken" in response.cookies


def test_right_digits_lead_to_the_case_link_through_the_qr_channel_and_window(client, done):
    response = attempt(client, window_link("W07"), done.case_no.lower(), "5678")
    assert response.status_code == 302
    token = response.url.removeprefix("/e/").strip("/")
    assert read_token(token) == Link(done.case_no, "qr", "W07")


def test_wrong_digits_and_unknown_case_numbers_get_the_same_answer(client, done):
    wrong = attempt(client, window_link("W07"), done.case_no, "1234")
    unknown = attempt(client, window_link("W07"), "XX0000", "5678")
    assert wrong.status_code == unknown.status_code == 400
    assert "业务编号或手机号后四位不正确" in wrong.content.decode()
    assert "业务编号或手机号后四位不正确" in unknown.content.decode()


def test_five_wrong_tries_lock_the_case_for_an_hour_for_that_address(client, done, settings):
    settings.PUBLIC_VERIFY_PER_ADDRESS_HOUR = 100
    path = window_link("W07")
    for last4 in ("0000", "1111", "2222", "3333", "4444"):
        assert attempt(client, path, done.case_no, last4).status_code == 400
    locked = attempt(client, path, done.case_no, "5678")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()


def test_a_stranger_locking_a_case_does_not_lock_the_citizen_out(done, settings):
    from django.test import Client

    settings.PUBLIC_VERIFY_PER_ADDRESS_HOUR = 100
    path, stranger = window_link("W07"), Client(REMOTE_ADDR="203.0.113.9")
    for n in range(8):
        attempt(stranger, path, done.case_no, f"{n}{n}{n}{n}")
    assert attempt(stranger, path, done.case_no, "5678").status_code == 429
    assert attempt(Client(REMOTE_ADDR="198.51.100.7"), path, done.case_no, "5678").status_code == 302


def test_the_case_has_a_ceiling_for_all_addresses_together(done, settings):
    from django.test import Client

    settings.PUBLIC_VERIFY_PER_CASE_ALL_HOUR = 6
    path = window_link("W07")
    # Three addresses, each within its own five: the sixth try overall still counts, the seventh not.
    statuses = [attempt(Client(REMOTE_ADDR=f"203.0.113.{n // 3}"), path, done.case_no, "0000").status_code
                for n in range(7)]  # fmt: skip
    assert statuses == [400] * 6 + [429]


def test_a_success_clears_the_failed_tries(client, done):
    path = window_link("W07")
    for last4 in ("0000", "1111", "2222", "3333"):
        attempt(client, path, done.case_no, last4)
    assert attempt(client, path, done.case_no, "5678").status_code == 302
    assert attempt(client, path, done.case_no, "0000").status_code == 400  # counting starts again


def test_checks_per_address_are_limited_across_case_numbers(client, make_case, settings):
    settings.PUBLIC_VERIFY_PER_ADDRESS_HOUR = 3
    path = window_link("W07")
    statuses = [attempt(client, path, f"RS2026999{n}", "0000").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_bot_guards_apply_to_the_window_flow(client, done, settings):
    settings.PUBLIC_MIN_FILL_SECONDS = 2
    path = window_link("W07")
    token = window_token("W07")
    bot = client.post(
        path, {"case_no": done.case_no, "last4": "5678", "website": "x", "stamp": aged_stamp(token)}
    )
    assert bot.status_code == 400 and "提交未被接受" in bot.content.decode()
    hasty = client.post(
        path, {"case_no": done.case_no, "last4": "5678", "website": "", "stamp": aged_stamp(token, 0.5)}
    )
    assert hasty.status_code == 400 and "提交过快" in hasty.content.decode()


def test_a_forged_window_link_is_refused(client):
    token = window_token("W07")
    response = client.get(f"/e/w/{token[:-2]}xx/")
    assert response.status_code == 403
    assert "链接无效" in response.content.decode()
