"""The login lock-out (django-axes), keyed on the client's address as well as the account.

Axes counts failures per (user name, address): a stranger's wrong passwords lock the stranger's
address out of that account while its owner, from another address, still signs in. This handler
adds a lock on the address alone once it has failed GOVWATCH_LOGIN_FAILURES_PER_ADDRESS times
across all accounts within the cool-off: guessing through a list of names locks the guesser out.
Behind a proxy the address is the client's (govwatch.core.middleware.TrustedProxies).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def failures_from(address: str) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class AddressLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The account's failures from this address; at the limit when the address itself is over
        its own limit (axes compares this count both before a login and after a failure)."""
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None) or client_ip(request)
        if address and failures_from(address) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return max(failures, get_failure_limit(request, credentials))
        return failures
