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
from django.db import connections, router
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
# Submissions for one case from one address (`of_case`): the service refuses a second evaluation
# anyway; this stops hammering, and a stranger's hammering never uses up the citizen's own tries.
SUBMIT_PER_CASE = Limit("submit-case", "PUBLIC_SUBMITS_PER_CASE_HOUR", timedelta(hours=1))
# The window flow's check of the last four digits: 10,000 possibilities, so few tries per case from
# one address (`of_case`)...
VERIFY_PER_CASE = Limit("verify-case", "PUBLIC_VERIFY_PER_CASE_HOUR", timedelta(hours=1))
# ... a ceiling for the case from all addresses, counted only for tries within their own limits...
VERIFY_PER_CASE_ALL = Limit("verify-case-all", "PUBLIC_VERIFY_PER_CASE_ALL_HOUR", timedelta(hours=1))
# ... and per address, so that one guess at each of many case numbers is limited too.
VERIFY_PER_ADDRESS = Limit("verify-ip", "PUBLIC_VERIFY_PER_ADDRESS_HOUR", timedelta(hours=1))
# A shown form is good for one submission: its stamp's nonce, once (a replayed form is refused).
STAMP_ONCE = Limit("stamp", "PUBLIC_STAMP_USES", timedelta(days=1))


def address(request: HttpRequest) -> str:
    """The client's address as a keyed hash: limits need to tell addresses apart, not to know them.

    REMOTE_ADDR: the client's own, also behind a trusted proxy (core.middleware.TrustedProxies);
    never X-Forwarded-For as sent, which anyone can forge.
    """
    return keyed_hash(request.META.get("REMOTE_ADDR", "") or "unknown")


def of_case(case_subject: str, request: HttpRequest) -> str:
    """The subject of a per-case limit: the case as one address tries it."""
    return keyed_hash(f"{case_subject}\n{address(request)}")


def _key(limit: Limit, subject: str) -> str:
    return f"{limit.name}:{subject}"[:100]


def hit(*checks: tuple[Limit, str], now: datetime | None = None) -> bool:
    """Count one hit of each (limit, subject); True while every one is within its limit.

    The hits are written (one statement, committed) before they are counted: of concurrent requests
    in other workers each then sees at least every hit written before its own, so no more than
    `limit.count` pass.

    Two plain statements, every public submission runs them: one INSERT of all the hits (a single
    statement commits on its own, no BEGIN/COMMIT around it) and one SELECT counting each window
    with a conditional sum.
    """
    now = now or timezone.now()
    keys = [_key(limit, subject) for limit, subject in checks]
    cutoffs = [now - limit.period for limit, _ in checks]
    connection = connections[router.db_for_write(RateHit)]
    ops = connection.ops
    table = ops.quote_name(RateHit._meta.db_table)
    key_col = ops.quote_name(RateHit._meta.get_field("key").column)
    at_col = ops.quote_name(RateHit._meta.get_field("at").column)
    at = ops.adapt_datetimefield_value(now)
    counts = ", ".join(
        f"COALESCE(SUM(CASE WHEN {key_col} = %s AND {at_col} > %s THEN 1 ELSE 0 END), 0)" for _ in checks
    )
    count_params: list = []
    for key, cutoff in zip(keys, cutoffs, strict=True):
        count_params += [key, ops.adapt_datetimefield_value(cutoff)]
    distinct = list(dict.fromkeys(keys))
    count_params += [*distinct, ops.adapt_datetimefield_value(min(cutoffs))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {at_col}) VALUES {', '.join(['(%s, %s)'] * len(keys))}",
            [value for key in keys for value in (key, at)],
        )
        cursor.execute(
            f"SELECT {counts} FROM {table}"
            f" WHERE {key_col} IN ({', '.join(['%s'] * len(distinct))}) AND {at_col} > %s",
            count_params,
        )
        row = cursor.fetchone()
    return all(n <= limit.count for n, (limit, _) in zip(row, checks, strict=True))


def clear(limit: Limit, subject: str) -> None:
    """Forget a subject's hits: a successful check ends the count of failed ones."""
    RateHit.objects.filter(key=_key(limit, subject)).delete()


def purge(now: datetime | None = None) -> int:
    deleted, _ = RateHit.objects.filter(at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted
