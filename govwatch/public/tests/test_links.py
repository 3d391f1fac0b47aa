"""Signed evaluation links: round trip, forgery, expiry by age and by the case's window."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import signing

from govwatch.public.tokens import (
    LINK_SALT,
    ExpiredLink,
    ForgedLink,
    Link,
    evaluation_link,
    link_lifetime,
    make_token,
    read_token,
)

from .conftest import token_of

pytestmark = pytest.mark.django_db


class IssuedLongAgo(signing.TimestampSigner):
    """Django's signer with the clock of a link issued beyond its lifetime: no clock is frozen."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time() - link_lifetime().total_seconds() - 60))


def test_round_trip_carries_case_channel_and_window(done):
    token = make_token(done.case_no, "qr", "W07")
    assert read_token(token) == Link(done.case_no, "qr", "W07")
    path = evaluation_link(done, "sms")
    assert path.startswith("/e/") and path.endswith("/")
    assert read_token(token_of(path)) == Link(done.case_no, "sms", "")


def test_only_the_public_channels_make_links(done):
    with pytest.raises(ValueError):
        make_token(done.case_no, "device")


def test_one_changed_character_is_refused(client, done):
    token = token_of(evaluation_link(done))
    i = len(token) // 2
    forged = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    with pytest.raises(ForgedLink):
        read_token(forged)
    response = client.get(f"/e/{forged}/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "链接无效" in text
    # Nothing about the case nor the reason it failed.
    assert done.case_no not in text and "Signature" not in text and "signature" not in text


def test_a_link_signed_with_another_salt_is_refused(done):
    other = signing.TimestampSigner(salt="something-else").sign_object({"c": done.case_no, "ch": "web"})
    with pytest.raises(ForgedLink):
        read_token(other)


def test_a_link_older_than_its_lifetime_is_refused(client, done):
    old = IssuedLongAgo(salt=LINK_SALT).sign_object({"c": done.case_no, "ch": "sms"})
    with pytest.raises(ExpiredLink):
        read_token(old)
    response = client.get(f"/e/{old}/")
    assert response.status_code == 410
    assert "链接已过期" in response.content.decode()
    assert done.case_no not in response.content.decode()


def test_a_link_after_the_evaluation_window_is_refused(client, make_case, settings):
    # Completed 8 days ago with a 7-day window: the window closed at the latest yesterday midnight.
    late = make_case("RS2026100001", timedelta(days=8, hours=1))
    response = client.get(evaluation_link(late))
    assert response.status_code == 410
    assert "评价期已过" in response.content.decode()


def test_a_link_to_an_open_case_says_so(client, make_case):
    open_case = make_case("RS2026110009", None)
    response = client.get(evaluation_link(open_case))
    assert response.status_code == 200
    assert "尚未办结" in response.content.decode()
    assert "<form" not in response.content.decode()
