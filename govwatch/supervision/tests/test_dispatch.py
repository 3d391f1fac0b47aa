"""Delivery from the outbox: retried on temporary failure, failed with a reason, never sent twice."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from govwatch.supervision.dispatch import MAX_ATTEMPTS, backoff, claim, dispatch, lease
from govwatch.supervision.models import Notification
from govwatch.supervision.scan import scan

from .conftest import at


class Gateway:
    """A real HTTP SMS gateway on loopback that answers with the status codes it is told to."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                code = gateway.answers.pop(0) if gateway.answers else 200
                if code == 200:
                    gateway.received.append(body)
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def gateway():
    g = Gateway()
    with override_settings(SMS_TRANSPORT="http", SMS_URL=g.url):
        yield g
    g.close()


@pytest.fixture
def red_case(make_case):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 20))  # two messages: the unit and the commission
    return Notification.objects.order_by("id")


def test_every_queued_message_is_sent_once(gateway, red_case):
    assert dispatch(now=at(2026, 3, 20, 9, 1)) == {"sent": 2, "queued": 0, "failed": 0}
    assert sorted(m["phone"] for m in gateway.received) == ["13800001111", "13900009999"]
    assert dispatch(now=at(2026, 3, 20, 9, 2)) == {"sent": 0, "queued": 0, "failed": 0}
    assert set(red_case.values_list("status", flat=True)) == {"sent"}


def test_gateway_down_for_an_hour_then_back_delivers_every_message_once(gateway, red_case):
    now = at(2026, 3, 20, 9, 1)
    gateway.answers = [503] * 14  # every attempt within the hour fails
    end_of_outage = now + timedelta(hours=1)
    while now < end_of_outage:
        dispatch(now=now)
        now += timedelta(seconds=30)
    assert not gateway.received
    assert set(red_case.values_list("status", flat=True)) == {"queued"}
    assert all("503" in n.last_error for n in red_case)
    gateway.answers = []
    now += lease() + backoff(MAX_ATTEMPTS)  # whatever the back-off reached, the next round is due
    dispatch(now=now)
    assert sorted(m["phone"] for m in gateway.received) == ["13800001111", "13900009999"]
    assert set(red_case.values_list("status", flat=True)) == {"sent"}


def test_a_refused_number_is_not_retried(gateway, red_case):
    gateway.answers = [400, 400]
    assert dispatch(now=at(2026, 3, 20, 9, 1))["failed"] == 2
    assert dispatch(now=at(2026, 3, 21))["sent"] == 0
    assert all(n.attempts == 1 and "HTTP 400" in n.last_error for n in red_case)


def test_attempts_run_out_and_the_message_is_failed_with_the_reason(gateway, red_case):
    gateway.answers = [503] * (2 * MAX_ATTEMPTS)
    now = at(2026, 3, 20, 9, 1)
    for _ in range(MAX_ATTEMPTS):
        dispatch(now=now)
        now += timedelta(hours=2)
    assert set(red_case.values_list("status", flat=True)) == {"failed"}
    assert all(n.attempts == MAX_ATTEMPTS and "已尝试" in n.last_error for n in red_case)


def test_a_killed_worker_leaves_the_message_to_be_resumed(gateway, red_case):
    now = at(2026, 3, 20, 9, 1)
    taken = claim(now, worker="dead-worker")  # claimed, then the process died before sending
    assert taken is not None
    dispatch(now=now)
    assert len(gateway.received) == 1  # the other message only: the claimed one is leased
    dispatch(now=now + lease() + timedelta(seconds=1))
    assert len(gateway.received) == 2
    assert Notification.objects.get(id=taken.id).status == "sent"


def test_a_message_is_claimed_by_exactly_one_worker(red_case):
    now = at(2026, 3, 20, 9, 1)
    first = claim(now, worker="a")
    second = claim(now, worker="b")
    third = claim(now, worker="c")
    assert first and second and first.id != second.id and third is None


def test_the_file_transport_writes_the_masked_number(red_case, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    dispatch(now=at(2026, 3, 20, 9, 1))
    log = (tmp_path / "outbox.log").read_text()
    assert "138****1111" in log and "13800001111" not in log


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_send_each_message_once(gateway, make_case):
    from django.db import connection

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("concurrent writers need a database file or server (runs on PostgreSQL in CI)")
    for k in range(30):
        make_case(f"C{k}", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 20))
    assert Notification.objects.count() == 60
    errors = []

    def worker(name):
        from django.db import connections

        try:
            from govwatch.supervision import dispatch as d

            while True:
                from django.db import transaction as tx

                with tx.atomic():
                    m = d.claim(at(2026, 3, 20, 9, 1), worker=name)
                if m is None:
                    break
                d.deliver(m, at(2026, 3, 20, 9, 1))
        except Exception as exc:  # surfaced below: a thread's exception would vanish otherwise
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = [m["id"] for m in gateway.received]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
