"""Alert rules: the most specific one for a case, quiet hours that delay a message, and the
addresses a unit is reached at (its own number on its channel, and the people it added)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from govwatch.core.localtime import local_tz
from govwatch.core.tree import codes
from govwatch.orgs.models import Unit

from .models import AlertContact, AlertRule


@dataclass(frozen=True)
class Rule:
    quiet_start: time | None = None
    quiet_end: time | None = None
    channel: str = "sms"
    email: str = ""

    def release_at(self, moment: datetime) -> datetime | None:
        """The end of the quiet period `moment` falls in (local time), or None when it is not quiet."""
        if self.quiet_start is None or self.quiet_end is None:
            return None
        local = moment.astimezone(local_tz())
        t = local.time()
        start, end = self.quiet_start, self.quiet_end
        overnight = start > end  # e.g. 22:00-07:00
        quiet = (start <= t or t < end) if overnight else (start <= t < end)
        if not quiet:
            return None
        release = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
        if release <= local:
            release += timedelta(days=1)
        return release


DEFAULT = Rule()
# Citizens are texted between 8:00 and 21:00 local time: a case completed at night waits until 8:00.
CITIZENS = Rule(quiet_start=time(21), quiet_end=time(8))


class RuleBook:
    """Every rule, loaded once per scan or dispatch round, resolved per unit path and item."""

    def __init__(self) -> None:
        self.by_item: dict[int, Rule] = {}
        self.by_unit: dict[int, Rule] = {}
        self.region = DEFAULT
        self.contacts: dict[int, list[AlertContact]] = {}
        for contact in AlertContact.objects.filter(active=True):
            self.contacts.setdefault(contact.unit_id, []).append(contact)
        for r in AlertRule.objects.all():
            rule = Rule(r.quiet_start, r.quiet_end, r.channel, r.email)
            if r.item_id:
                self.by_item[r.item_id] = rule
            elif r.unit_id:
                self.by_unit[r.unit_id] = rule
            else:
                self.region = rule
        self._codes = dict(Unit.objects.values_list("code", "id")) if self.by_unit else {}

    def for_case(self, unit: Unit, item_id: int | None) -> Rule:
        if item_id in self.by_item:
            return self.by_item[item_id]
        # The nearest unit up the tree that has a rule: the path lists codes root first.
        for code in reversed(codes(unit.path)):
            rule = self.by_unit.get(self._codes.get(code, -1))
            if rule is not None:
                return rule
        return self.region

    def contacts_for(self, unit: Unit, card: str | None) -> list[AlertContact]:
        """The people a unit added to its cards of this colour (none for other messages)."""
        return [
            c
            for c in self.contacts.get(unit.pk, [])
            if (card == "yellow" and c.on_yellow) or (card == "red" and c.on_red)
        ]
