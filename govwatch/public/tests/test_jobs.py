"""The worker's jobs: SMS invitations (one per case, phone protected) and default ratings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from govwatch.core import pii
from govwatch.evaluations.models import Evaluation
from govwatch.public.contacts import register_applicant_phone
from govwatch.public.jobs import auto_default_ratings, invite_completed_cases, sms_invitation_text
from govwatch.public.models import Invitation
from govwatch.public.tokens import Link, read_token
from govwatch.supervision.models import Notification

from .conftest import PHONE

pytestmark = pytest.mark.django_db
BASE = "https://pj.example.gov.cn"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def public_base(settings):
    settings.PUBLIC_BASE_URL = BASE


def at_local(hour: int) -> datetime:
    """Today (Shanghai) at `hour`, but never in the future: the cases are completed 'now'."""
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    moment = datetime(today.year, today.month, today.day, hour, tzinfo=SHANGHAI)
    return moment if moment <= timezone.now() else moment - timedelta(days=1)


def test_the_invitation_text_carries_the_sms_link(done, public_base):
    text = sms_invitation_text(done)
    assert "就业登记" in text and done.case_no in text
    # The link stands alone between "：" and a space, so a phone's link detection takes it whole.
    token = re.search(r"：https://pj\.example\.gov\.cn/e/(\S+)/ ，", text).group(1)
    assert read_token(token) == Link(done.case_no, "sms", "")


def test_one_sms_per_completed_case_with_a_phone_once(done, make_case, public_base):
    make_case("RS2026110020")  # no phone: nobody to text
    evaluated = make_case("RS2026110021")
    register_applicant_phone(evaluated.case_no, "13700001111")
    Evaluation.objects.create(
        eval_id="D1",
        level=5,
        at=timezone.now(),
        case=evaluated,
        unit=evaluated.unit,
        channel="device",
        digest="-",
    )
    stale = make_case("RS2026110022", timedelta(days=3))  # completed before the look-back
    register_applicant_phone(stale.case_no, "13700002222")

    assert invite_completed_cases() == 1
    assert invite_completed_cases() == 0
    message = Notification.objects.get()
    assert (message.kind, message.channel, message.case_id, message.status) == (
        "invite",
        "sms",
        done.case_no,
        "queued",
    )
    assert message.recipient_masked == "139****5678"
    assert pii.decrypt(message.recipient_enc) == PHONE and message.recipient_hash == pii.keyed_hash(PHONE)
    assert PHONE not in message.text and PHONE not in str(message.params)
    assert message.params["case_no"] == done.case_no and message.params["link"] in message.text
    assert list(Invitation.objects.values_list("case_no", flat=True)) == [done.case_no]


def test_invitations_wait_for_daytime(done, public_base):
    late_evening = at_local(23)
    done.closed_at = late_evening - timedelta(minutes=5)
    done.save()
    invite_completed_cases(now=late_evening)
    send_at = timezone.localtime(Notification.objects.get().next_attempt_at, SHANGHAI)
    assert (send_at.hour, send_at.minute) == (8, 0)
    assert send_at.date() == late_evening.date() + timedelta(days=1)


def test_no_invitation_without_a_public_address(done, caplog):
    assert invite_completed_cases() == 0
    assert not Notification.objects.exists()
    assert "GOVWATCH_PUBLIC_BASE_URL" in caplog.text


def test_default_ratings_are_off_unless_the_region_records_them(make_case, settings):
    make_case("RS2026100030", timedelta(days=9))
    settings.AUTO_DEFAULT_RATING = False
    assert auto_default_ratings() == 0
    assert not Evaluation.objects.exists()


def test_default_ratings_once_for_silent_cases_past_their_window(make_case, settings):
    settings.AUTO_DEFAULT_RATING = True
    silent = make_case("RS2026100031", timedelta(days=9))
    online = make_case("RS2026100032", timedelta(days=9), channel="online")
    make_case("RS2026100033", timedelta(days=2))  # window still open
    make_case("RS2026100034", timedelta(days=60))  # closed long before the look-back
    rated = make_case("RS2026100035", timedelta(days=9))
    Evaluation.objects.create(
        eval_id="D2", level=2, at=rated.closed_at, case=rated, unit=rated.unit, channel="device", digest="-"
    )

    assert auto_default_ratings() == 2
    assert auto_default_ratings() == 0
    defaults = {e.case_id: e for e in Evaluation.objects.filter(auto=True)}
    assert set(defaults) == {silent.case_no, online.case_no}
    # Level 5, auto (so outside the active evaluation rate), at the moment the window closed.
    assert {(e.level, e.channel) for e in defaults.values()} == {(5, "device"), (5, "web")}
    closed = timezone.localtime(silent.closed_at, SHANGHAI).date() + timedelta(days=8)
    assert timezone.localtime(defaults[silent.case_no].at, SHANGHAI) == datetime(
        closed.year, closed.month, closed.day, tzinfo=SHANGHAI
    )
    assert Evaluation.objects.get(case=rated).auto is False
    assert not Evaluation.objects.filter(auto=False).exclude(case=rated).exists()
