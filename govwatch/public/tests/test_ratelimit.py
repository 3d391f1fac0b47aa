"""The database-counted rate limits: each (limit, subject) of one hit is counted in its own
window, hits of other subjects and older hits are not; the per-case submission limit holds, and
accepted submissions leave an audit chain that verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from govwatch.audit.log import verify
from govwatch.audit.models import AuditEntry
from govwatch.evaluations.models import Evaluation
from govwatch.public import ratelimit
from govwatch.public.intake import take_all
from govwatch.public.models import RateCount
from govwatch.public.tokens import evaluation_link

from .conftest import evaluation_post, token_of
from .lean import LeanClient as Client

pytestmark = pytest.mark.django_db


def test_each_limit_is_counted_over_its_own_period(settings):
    settings.PUBLIC_SUBMITS_PER_MINUTE = 2
    settings.PUBLIC_SUBMITS_PER_CASE_HOUR = 3
    # Half past an hour: ten minutes earlier is the same hour, another minute.
    now = timezone.now().replace(minute=30, second=0, microsecond=0)
    ip, case = (ratelimit.SUBMIT_PER_ADDRESS, "a"), (ratelimit.SUBMIT_PER_CASE, "C1")
    # Ten minutes ago: outside the minute of the address, inside the hour of the case.
    assert ratelimit.hit(ip, case, now=now - timedelta(minutes=10))
    assert ratelimit.hit(ip, case, now=now - timedelta(minutes=10))
    # Another subject's hits count for nobody else.
    assert ratelimit.hit((ratelimit.SUBMIT_PER_ADDRESS, "b"), (ratelimit.SUBMIT_PER_CASE, "C2"), now=now)
    assert ratelimit.hit(ip, case, now=now)  # address 1 of 2 this minute, case 3 of 3 this hour
    assert not ratelimit.hit(ip, case, now=now)  # the case's fourth in the hour
    # One counter per (limit, subject, window), refused hits counted too: the address's two
    # minutes, the case's hour, the other address's and case's.
    assert sorted(RateCount.objects.values_list("n", flat=True)) == [1, 1, 2, 2, 4]
    # The address alone: 2 in the minute so far, the third is over.
    assert not ratelimit.hit(ip, now=now)
    # Two minutes later the address's minute holds none of those hits.
    assert ratelimit.hit((ratelimit.SUBMIT_PER_ADDRESS, "a"), now=now + timedelta(minutes=2))
    # The next hour is a new window for the case.
    assert ratelimit.hit(case, now=now + timedelta(minutes=30))


def test_a_stamp_is_good_once_for_its_whole_life():
    stamp = (ratelimit.STAMP_ONCE, "nonce")
    now = timezone.now().replace(hour=23, minute=59)
    assert ratelimit.hit(stamp, now=now)
    # Not a day's window: past midnight the same stamp is still spent.
    assert not ratelimit.hit(stamp, now=now + timedelta(minutes=2))


def test_ended_windows_are_purged():
    now = timezone.now()
    ratelimit.hit((ratelimit.SUBMIT_PER_ADDRESS, "a"), (ratelimit.STAMP_ONCE, "n"), now=now)
    assert ratelimit.purge(now + timedelta(minutes=2)) == 1
    assert ratelimit.purge(now + timedelta(days=2)) == 1
    assert not RateCount.objects.exists()


def test_submissions_per_case_are_limited_per_address(client, done, settings):
    settings.PUBLIC_SUBMITS_PER_CASE_HOUR = 2
    path = evaluation_link(done)
    one = Client(REMOTE_ADDR="10.0.0.1")
    statuses = [one.post(path, evaluation_post(token_of(path))).status_code for _ in range(3)]
    # The first is accepted, the second refused by the one-evaluation rule, the third by the limit.
    assert statuses == [302, 409, 429]
    take_all()
    assert Evaluation.objects.filter(case=done).count() == 1
    # The hammering of one address uses up nobody else's tries at the case.
    assert Client(REMOTE_ADDR="10.0.0.2").post(path, evaluation_post(token_of(path))).status_code == 409


def test_accepted_submissions_are_audited_on_a_chain_that_verifies(client, make_case):
    for n in range(3):
        path = evaluation_link(make_case(f"AU20261101{n:02d}"))
        assert client.post(path, evaluation_post(token_of(path))).status_code == 302
    take_all()
    assert AuditEntry.objects.filter(action="evaluation.submit").count() == 3
    assert verify().ok


def test_a_per_case_subject_is_the_same_from_the_address_hash_the_caller_has():
    # The page hashes the client's address once and hands it on: the subject, and so the counter a
    # hit lands in, must be the one the request alone gives.
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    address = ratelimit.address(request)
    assert ratelimit.of_case("RS1", request, address) == ratelimit.of_case("RS1", request)
    assert ratelimit.of_case("RS1", request) != ratelimit.of_case("RS2", request)
