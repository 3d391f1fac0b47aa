"""Rate limits of the public pages, counted in the database.

Counting in the database (not in a process's memory, not in Django's default local-memory cache)
is what makes a limit hold across the gunicorn workers and across servers: every worker sees every
hit, and no cache table or cache server has to be set up. The volumes are those of citizens
evaluating cases (tens of thousands a year), so one small insert per counted request is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from govwatch.core.pii import keyed_hash

from .models import RateHit

# Hits older than the longest period are of no use to any limit.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    name: str
    setting: str
    period: timedelta

    @property
    def count(self) -> int:
        return getattr(settings, self.setting)


# Evaluations submitted from one address: a citizen submits one, an office's shared address a few.
SUBMIT_PER_ADDRESS = Limit("submit-ip", "PUBLIC_SUBMITS_PER_MINUTE", timedelta(minutes=1))
# Submissions for one case: the service refuses a second evaluation anyway; this stops hammering.
SUBMIT_PER_CASE = Limit("submit-case", "PUBLIC_SUBMITS_PER_CASE_HOUR", timedelta(hours=1))
# The window flow's check of the last four digits: 10,000 possibilities, so few tries per case...
VERIFY_PER_CASE = Limit("verify-case", "PUBLIC_VERIFY_PER_CASE_HOUR", timedelta(hours=1))
# ... and per address, so that one guess at each of many case numbers is limited too.
VERIFY_PER_ADDRESS = Limit("verify-ip", "PUBLIC_VERIFY_PER_ADDRESS_HOUR", timedelta(hours=1))


def address(request: HttpRequest) -> str:
    """The client's address as a keyed hash: limits need to tell addresses apart, not to know them.

    REMOTE_ADDR, not X-Forwarded-For, which anyone can forge (as django-axes does for logins).
    """
    return keyed_hash(request.META.get("REMOTE_ADDR", "") or "unknown")


def _key(limit: Limit, subject: str) -> str:
    return f"{limit.name}:{subject}"[:100]


def hit(*checks: tuple[Limit, str], now: datetime | None = None) -> bool:
    """Count one hit of each (limit, subject); True while every one is within its limit.

    The hits are written (one statement, committed) before they are counted: of concurrent requests
    in other workers each then sees at least every hit written before its own, so no more than
    `limit.count` pass.
    """
    now = now or timezone.now()
    RateHit.objects.bulk_create([RateHit(key=_key(limit, subject), at=now) for limit, subject in checks])
    return all(
        RateHit.objects.filter(key=_key(limit, subject), at__gt=now - limit.period).count() <= limit.count
        for limit, subject in checks
    )


def clear(limit: Limit, subject: str) -> None:
    """Forget a subject's hits: a successful check ends the count of failed ones."""
    RateHit.objects.filter(key=_key(limit, subject)).delete()


def purge(now: datetime | None = None) -> int:
    deleted, _ = RateHit.objects.filter(at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted
