"""The outbox against a provider that fails, hangs and talks garbage: nothing lost, nothing sent
twice, failures visible, back-off honoured. In one process, against the loopback stand-in."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from govwatch.core import pii
from govwatch.ops.fakesms import FakeSms
from govwatch.supervision.dispatch import MAX_ATTEMPTS, backoff, dispatch
from govwatch.supervision.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 20, 9, 0, tzinfo=TZ)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def queue(n: int, at: datetime = START) -> list[Notification]:
    made = []
    for k in range(n):
        phone = f"138{k:08d}"
        digest, token = pii.protect(phone)
        made.append(Notification.objects.create(
            kind="red", channel="sms", recipient_hash=digest, recipient_enc=token, recipient_masked=pii.mask(phone),
            text=f"办件 C{k} 已超期", params={"case_no": f"C{k}"}, next_attempt_at=at,
        ))  # fmt: skip
    return made


@pytest.fixture
def clock():
    return Clock(START)


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request, clock, db):
    fake = FakeSms(clock=clock, hang_seconds=1.5).start()
    # A second: time enough for the stand-in to take the message even on a busy machine.
    with override_settings(NOTIFY_TIMEOUT_SECONDS=1.0, **fake.settings(request.param)):
        yield fake
    fake.stop()


def run_for(clock: Clock, until: datetime, step: timedelta = timedelta(seconds=10)) -> None:
    while clock.now < until:
        dispatch(now=clock.now)
        clock.now += step


def test_a_message_taken_before_the_answer_was_lost_is_not_sent_again(provider, clock):
    messages = queue(3)
    provider.mode = "accept_hang"
    dispatch(now=clock.now)
    assert provider.deliveries() == {str(m.id): 1 for m in messages}
    assert all(n.in_doubt_since is not None and n.status == "queued" for n in Notification.objects.all())
    provider.mode = "ok"
    run_for(clock, START + timedelta(minutes=30))
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert provider.deliveries() == {str(m.id): 1 for m in messages}
    assert provider.queries >= 3


def test_garbage_after_taking_the_message_is_not_a_second_delivery(provider, clock):
    [message] = queue(1)
    provider.mode = "accept_garbage"
    dispatch(now=clock.now)
    provider.mode = "ok"
    run_for(clock, START + timedelta(minutes=30))
    assert Notification.objects.get().status == "sent"
    assert provider.deliveries() == {str(message.id): 1}


def test_a_worker_that_died_after_the_provider_took_the_message_does_not_send_it_again(provider, clock):
    [message] = queue(1)
    provider.mode = "ok"
    # What a killed worker leaves: the provider has the message, the outbox still says "sending".
    provider._take(provider_protocol(provider), str(message.id), phone_as_sent(provider, "13800000000"), "")
    Notification.objects.filter(id=message.id).update(
        status="sending", claimed_by="dead:1", claimed_at=clock.now, attempts=1
    )
    run_for(clock, START + timedelta(minutes=20))
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts <= 2
    assert provider.deliveries() == {str(message.id): 1}


def test_a_message_the_provider_never_took_is_sent_after_the_look_up(provider, clock):
    [message] = queue(1)
    Notification.objects.filter(id=message.id).update(
        status="sending", claimed_by="dead:1", claimed_at=clock.now, attempts=1
    )
    run_for(clock, START + timedelta(minutes=20))
    assert Notification.objects.get().status == "sent"
    assert provider.deliveries() == {str(message.id): 1}


def provider_protocol(fake: FakeSms) -> str:
    from django.conf import settings

    return settings.SMS_TRANSPORT


def phone_as_sent(fake: FakeSms, phone: str) -> str:
    return phone if provider_protocol(fake) == "aliyun" else f"+86{phone}"


@pytest.mark.faults  # a minute or so of real time: with the fault suite
def test_an_hour_of_failures_hangs_and_garbage_loses_nothing_and_honours_the_back_off(provider, clock):
    """A simulated hour: 20 minutes of errors, 20 of hangs, 20 of garbage (half of it after taking
    the message), then the provider is back. Every message arrives exactly once; while it fails the
    outbox shows why; no message is tried again before its back-off is over."""
    messages = queue(4)

    def mode(now: datetime) -> str:
        minutes = (now - START).total_seconds() / 60
        if minutes < 20:
            return "fail"
        if minutes < 40:
            return "hang"
        if minutes < 60:
            return "garbage" if int(minutes) % 2 else "accept_garbage"
        return "ok"

    provider.mode = mode
    seen_errors = set()
    while clock.now < START + timedelta(hours=1):
        dispatch(now=clock.now)
        seen_errors |= {e for e in Notification.objects.values_list("last_error", flat=True) if e}
        clock.now += timedelta(seconds=15)
    unsent = Notification.objects.exclude(status="sent")
    assert unsent and all(n.status == "queued" and n.last_error for n in unsent), "failures stay visible"
    assert any("暂时无法发送" in e for e in seen_errors) and any(
        "无法连接" in e or "应答无法识别" in e for e in seen_errors
    )
    run_for(clock, START + timedelta(hours=3), step=timedelta(seconds=30))
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert provider.deliveries() == {str(m.id): 1 for m in messages}
    for m in messages:
        tries = provider.attempts_of(str(m.id))
        for n, (earlier, later) in enumerate(zip(tries, tries[1:], strict=False), start=1):
            assert later - earlier >= backoff(n), f"message {m.id}: attempt {n + 1} came before its back-off"
    assert max(Notification.objects.values_list("attempts", flat=True)) <= MAX_ATTEMPTS


def test_the_file_transport_looks_up_its_own_lines(db, settings, tmp_path, clock):
    settings.SMS_TRANSPORT = "file"
    settings.VAR_DIR = tmp_path
    [message] = queue(1)
    dispatch(now=clock.now)
    Notification.objects.filter(id=message.id).update(
        status="sending", claimed_by="dead:1", claimed_at=clock.now
    )
    run_for(clock, START + timedelta(minutes=20))
    lines = (tmp_path / "outbox.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and Notification.objects.get().status == "sent"
