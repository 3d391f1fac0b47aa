"""Rate limits of the public pages, counted in the database.

Counting in the database (not in a process's memory, not in Django's default local-memory cache)
is what makes a limit hold across the gunicorn workers and across servers: every worker sees every
hit, and no cache table or cache server has to be set up.

Each limit counts in fixed windows (the minute, the hour, the day the hit falls in): one row per
(limit, subject, window) holds the count, and a hit is one upsert that adds one and returns the new
count. The cost of a hit is the same whatever the traffic; the earlier design (a row per hit and a
count of the period's rows on every request) grew with the rate, and under load one address's minute
held thousands of rows to count. A fixed window lets at most twice a limit through across the
boundary of two windows, which these limits (brakes on bots, not quotas) accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone

from govwatch.core.pii import keyed_hash

from .models import RateCount


@dataclass(frozen=True)
class Limit:
    name: str
    setting: str
    period: timedelta
    # False: one count for the subject's whole life (a nonce), kept for `period` after its first hit.
    windowed: bool = True

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
# Not in windows: a stamp is good for a day from when it was shown, so its count is kept a day
# from its first use, which outlives the stamp.
STAMP_ONCE = Limit("stamp", "PUBLIC_STAMP_USES", timedelta(days=1), windowed=False)


def address(request: HttpRequest) -> str:
    """The client's address as a keyed hash: limits need to tell addresses apart, not to know them.

    REMOTE_ADDR: the client's own, also behind a trusted proxy (core.middleware.TrustedProxies);
    never X-Forwarded-For as sent, which anyone can forge.
    """
    return keyed_hash(request.META.get("REMOTE_ADDR", "") or "unknown")


def of_case(case_subject: str, request: HttpRequest, address_hash: str | None = None) -> str:
    """The subject of a per-case limit: the case as one address tries it (`address_hash`: the
    request's `address`, when the caller has it already; each is a keyed hash to compute)."""
    return keyed_hash(f"{case_subject}\n{address_hash or address(request)}")


def _key(limit: Limit, subject: str, now: datetime) -> tuple[str, datetime]:
    """The counter of the window `now` falls in, and the end of that window."""
    if not limit.windowed:
        return f"{limit.name}:{subject}:"[:150], now + limit.period
    period = int(limit.period.total_seconds())
    window = int(now.timestamp()) // period
    until = datetime.fromtimestamp((window + 1) * period, tz=now.tzinfo or timezone.get_current_timezone())
    return f"{limit.name}:{subject}:{window}"[:150], until


def hit(*checks: tuple[Limit, str], now: datetime | None = None) -> bool:
    """Count one hit of each (limit, subject); True while every one is within its limit."""
    return not over(*checks, now=now)


def over(*checks: tuple[Limit, str], now: datetime | None = None) -> set[Limit]:
    """Count one hit of each (limit, subject); the limits that are now over."""
    return over_many([checks], now=now)[0]


def over_many(hits: list[tuple[tuple[Limit, str], ...]], now: datetime | None = None) -> list[set[Limit]]:
    """Count the hits of several requests, in order (each a tuple of (limit, subject)); for each
    request, the limits that are over at its hit.

    One statement, committed on its own: an INSERT of each window's counter that adds the hits to
    the row already there (ON CONFLICT ... DO UPDATE) and returns the counts. Concurrent requests in
    other processes are serialised on the counter's row by the database, so no more than
    `limit.count` pass in a window. Requests of one call that hit the same counter are counted one
    after the other, as if each had come alone: the k-th of them sees the count before the call
    plus k. The counters are written in key order, so two processes counting the same keys at once
    lock them in the same order (no deadlock).
    """
    now = now or timezone.now()
    keys: dict[str, tuple[datetime, int]] = {}
    for checks in hits:
        for limit, subject in checks:
            key, until = _key(limit, subject, now)
            keys[key] = (until, keys.get(key, (until, 0))[1] + 1)
    if not keys:
        return [set() for _ in hits]
    connection = connections[router.db_for_write(RateCount)]
    ops = connection.ops
    table = ops.quote_name(RateCount._meta.db_table)
    key_col, n_col, until_col = (
        ops.quote_name(RateCount._meta.get_field(f).column) for f in ("key", "n", "until")
    )
    ordered = sorted(keys.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {n_col}, {until_col}) VALUES {', '.join(['(%s, %s, %s)'] * len(ordered))}"
            f" ON CONFLICT ({key_col}) DO UPDATE SET {n_col} = {table}.{n_col} + excluded.{n_col}"
            f" RETURNING {key_col}, {n_col}",
            [v for key, (until, n) in ordered for v in (key, n, ops.adapt_datetimefield_value(until))],
        )
        # The count before this call's hits; each request's own hit is added to it in turn.
        seen = {key: n - keys[key][1] for key, n in cursor.fetchall()}
    result = []
    for checks in hits:
        over_now = set()
        for limit, subject in checks:
            key = _key(limit, subject, now)[0]
            seen[key] += 1
            if seen[key] > limit.count:
                over_now.add(limit)
        result.append(over_now)
    return result


def clear(limit: Limit, subject: str) -> None:
    """Forget a subject's hits: a successful check ends the count of failed ones."""
    RateCount.objects.filter(key__startswith=f"{limit.name}:{subject}:").delete()


def purge(now: datetime | None = None) -> int:
    """Drop the counters of windows that ended: they are of no use to any limit."""
    deleted, _ = RateCount.objects.filter(until__lt=now or timezone.now()).delete()
    return deleted
