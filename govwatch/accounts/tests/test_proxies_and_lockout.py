"""Behind the proxy every request comes from one address: X-Forwarded-For is believed from the
listed proxies only, and the lock-out locks a guesser's address, not the account for everyone."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from django.test import Client

from govwatch.audit.models import AuditEntry
from govwatch.core.middleware import client_address
from govwatch.tests.fixtures import PASSWORD

PROXY = "127.0.0.1"
TRUSTED = [ip_network("127.0.0.1/32"), ip_network("10.8.0.0/16")]


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
        # What the client wrote itself is to the left of what the proxy appended: ignored.
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # Two proxies of ours in a row, then the client.
        ("127.0.0.1", "198.51.100.7, 10.8.1.2", "198.51.100.7"),
        # Not from a trusted proxy: the header is anybody's word.
        ("203.0.113.5", "198.51.100.7", "203.0.113.5"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_from_trusted_proxies_only(remote, forwarded, client):
    assert client_address(remote, forwarded, TRUSTED) == client


def _login(client: Client, name: str, password: str, forwarded: str) -> int:
    answer = client.post("/login/", {"username": name, "password": password},
                         HTTP_X_FORWARDED_FOR=forwarded)  # fmt: skip
    return answer.status_code


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    return Client(REMOTE_ADDR=PROXY)


def test_a_strangers_guesses_lock_the_strangers_address_not_the_account(people, behind_proxy):
    for _ in range(6):
        _login(behind_proxy, "zhengwuban", "wrong", "203.0.113.66")
    # The stranger is locked out of the account, even with the right password ...
    assert _login(behind_proxy, "zhengwuban", PASSWORD, "203.0.113.66") == 429
    # ... its owner, through the same proxy from their own address, signs in.
    assert _login(Client(REMOTE_ADDR=PROXY), "zhengwuban", PASSWORD, "198.51.100.7") == 302
    # The audit log names the people's addresses, not the proxy's.
    sources = set(AuditEntry.objects.filter(action__startswith="auth.").values_list("source", flat=True))
    assert sources == {"198.51.100.7", "203.0.113.66"}


def test_a_forged_header_from_outside_does_not_dodge_the_lock_out(people, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    outsider = Client(REMOTE_ADDR="203.0.113.66")
    for n in range(6):
        _login(outsider, "zhengwuban", "wrong", f"192.0.2.{n}")  # a new "address" each time
    assert _login(outsider, "zhengwuban", PASSWORD, "192.0.2.99") == 429


def test_an_address_guessing_across_accounts_is_locked_out_of_all(people, behind_proxy, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    for name in ("jiwei", "zhengwuban", "lingdao", "shichang"):
        for _ in range(2):  # under the per-account limit of each
            _login(behind_proxy, name, "wrong", "203.0.113.66")
    assert _login(behind_proxy, "renshe", PASSWORD, "203.0.113.66") == 429
    assert _login(Client(REMOTE_ADDR=PROXY), "renshe", PASSWORD, "198.51.100.7") == 302
