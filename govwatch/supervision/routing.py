"""Who is told of a new card (yellow to the handling unit, red to it and the region's supervisors),
and `message`, the one function that builds an outbox row, whoever queues it (the scan, orders,
the public invitations).

A row whose recipient has no number is kept, marked failed with the reason, so someone sees it; a
row that falls in the quiet hours of its rule (supervision.rules) waits until they end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from govwatch.core import pii
from govwatch.core.bulk import insert_rows
from govwatch.core.choices import Card, UnitKind
from govwatch.core.tree import within
from govwatch.orgs.models import Unit

from .models import AlertContact, Notification, NotificationTemplate
from .rules import DEFAULT, Rule, RuleBook
from .texts import render

SMS = "sms"
# A warning before the yellow card, from the predictive model (contract section 13): no card change.
PREDICTED = "predicted"


def supervisors_of(unit: Unit, supervisors: list[Unit]) -> list[Unit]:
    """Supervisor units whose parent's subtree holds `unit` (纪检监察 watch their whole region)."""
    return [s for s in supervisors if s.parent is None or within(unit.path, s.parent.path)]


@dataclass(frozen=True)
class NewCard:
    """A card change (or a predicted breach, `card` PREDICTED and no change) with what its message
    needs to say of the case."""

    change_id: int | None
    card: str
    case_no: str
    unit_id: int
    item_id: int
    item_name: str
    due_date: date


def recipients(card: str, unit: Unit, supervisors: list[Unit]) -> list[Unit]:
    """Contract section 6, which no alert rule can narrow: yellow to the handling unit, red to it
    and the region's supervisors; a predicted breach is told like a yellow card."""
    if card in (Card.YELLOW, PREDICTED):
        return [unit]
    if card == Card.RED:
        return [unit, *supervisors_of(unit, supervisors)]
    return []


@dataclass(frozen=True)
class Recipient:
    """Where a message goes: a protected number (keyed hash, ciphertext, masked form), or nowhere,
    with the reason (`missing`)."""

    hash: str
    enc: str
    masked: str
    missing: str = ""

    @classmethod
    def of_unit(cls, unit: Unit, channel: str = SMS, email: str = "") -> Recipient:
        """A unit's alert number (SMS, or @-mentioned by a WeCom or DingTalk robot), or its mailbox."""
        if channel == "email":
            if email:
                digest, token = _protected(email)
                return cls(digest, token, pii.mask(email))
            return cls(f"unit:{unit.code}", "", unit.name, "该单位选择邮件接收提醒，但未设置接收邮箱")
        if unit.phone:
            digest, token = _protected(unit.phone)
            return cls(digest, token, pii.mask(unit.phone))
        return cls(f"unit:{unit.code}", "", unit.name, "该单位未设置接收提醒的联系电话")

    @classmethod
    def of_contact(cls, contact: AlertContact) -> Recipient:
        digest, token = _protected(contact.address)
        return cls(digest, token, f"{contact.name} {pii.mask(contact.address)}")


def addresses(unit: Unit, card: str | None, book: RuleBook) -> list[tuple[str, Recipient]]:
    """Where a message to `unit` goes, each with its channel: the unit's own address on the channel
    its rule chose, then each person it added for cards of this colour."""
    own = book.for_case(unit, None)
    found = [(own.channel, Recipient.of_unit(unit, own.channel, own.email))]
    found += [(c.channel, Recipient.of_contact(c)) for c in book.contacts_for(unit, card)]
    return found


def message(
    kind: str,
    text: str,
    to: Recipient,
    *,
    at: datetime,
    rule: Rule = DEFAULT,
    case_no: str | None = None,
    unit_id: int | None = None,
    params: dict | None = None,
    card_change_id: int | None = None,
    channel: str = SMS,
) -> dict:
    """The fields of one outbox row (Notification's attribute names), sent from `at` on: queued,
    after the quiet hours of `rule` if `at` falls in them, or failed when there is no number."""
    queued = not to.missing
    return {
        "card_change_id": card_change_id, "kind": kind, "case_id": case_no, "unit_id": unit_id, "channel": channel,
        "recipient_hash": to.hash, "recipient_enc": to.enc, "recipient_masked": to.masked, "text": text,
        "params": params or {}, "attempts": 0, "claimed_by": "", "last_error": to.missing,
        "status": (Notification.Status.QUEUED if queued else Notification.Status.FAILED).value,
        "next_attempt_at": rule.release_at(at) if queued else None,
    }  # fmt: skip


# The columns of a bulk insert, in the order of `message`'s fields (case_id is stored as case_no).
_ATTRS = (
    "card_change_id", "kind", "case_id", "unit_id", "channel", "recipient_hash", "recipient_enc",
    "recipient_masked", "text", "params", "status", "attempts", "next_attempt_at", "claimed_by", "last_error",
)  # fmt: skip
MESSAGE_COLUMNS = (*("case_no" if a == "case_id" else a for a in _ATTRS), "created_at")


def count_queued(rows: list[tuple], attrs: tuple[str, ...]) -> int:
    """How many of the outbox rows about to go in (their fields in the order of `attrs`) are queued:
    a message to a unit without an address goes in as failed (seen, not dropped) and is not counted,
    so that a scan's `notifications_queued` (contract section 5) is what `notifications list
    --status queued` gains."""
    status = attrs.index("status")
    return sum(1 for row in rows if row[status] == Notification.Status.QUEUED)


def all_supervisors() -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.SUPERVISOR).select_related("parent"))


def queue_for_changes(new_cards: list[NewCard], at: datetime) -> int:
    """Queue the messages of new cards in the caller's transaction (the outbox). Returns how many
    were queued (`count_queued`).

    The rows go in with one executemany: a scan may queue thousands.
    """
    texts = NotificationTemplate.texts()
    book = RuleBook()
    supervisors = all_supervisors()
    units = {u.id: u for u in Unit.objects.filter(id__in={n.unit_id for n in new_cards})}
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    rows = []
    for n in new_cards:
        card = n.card
        if card not in (Card.YELLOW, Card.RED, PREDICTED):
            continue
        unit = units[n.unit_id]
        params = {
            "item_name": n.item_name,
            "case_no": n.case_no,
            "due_date": n.due_date.isoformat(),
            "unit_name": unit.name,
        }
        text = render(texts[card], params)
        params_json = json.dumps(params, ensure_ascii=False)
        rule = book.for_case(unit, n.item_id)
        seen = set()
        for recipient in recipients(card, unit, supervisors):
            for channel, to in addresses(recipient, card, book):
                if (channel, to.hash) in seen:
                    continue  # one person on two units' lists gets one message
                seen.add((channel, to.hash))
                fields = message(
                    card, text, to, at=at, rule=rule, case_no=n.case_no,
                    unit_id=recipient.id, card_change_id=n.change_id, channel=channel,
                )  # fmt: skip
                fields["params"] = params_json
                fields["next_attempt_at"] = adapt(fields["next_attempt_at"])
                rows.append((*(fields[a] for a in _ATTRS), now))
    with connection.cursor() as cursor:
        insert_rows(cursor, Notification, MESSAGE_COLUMNS, rows)
    return count_queued(rows, _ATTRS)


@dataclass(frozen=True)
class Message:
    """One text to some units: a watched deadline's card (`link_id` its WatchFlip) or a reminder
    (its Reminder row)."""

    units: list[Unit]
    kind: str
    text: str
    params: dict
    link_id: int
    case_no: str | None = None


def queue_messages(messages: list[Message], at: datetime, *, link: str, book: RuleBook | None = None) -> int:
    """Queue each message to each of its units (once per alert number) in the caller's transaction,
    in one insert; `link` is the column the messages hang off ("watch_flip_id", "reminder_id").
    Each unit's quiet hours (its alert rule) delay its message; nothing is dropped."""
    attrs = (*(a for a in _ATTRS if a != "card_change_id"), link)
    columns = (*("case_no" if a == "case_id" else a for a in attrs), "created_at")
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    book = book or RuleBook()
    rows = []
    for m in messages:
        params_json = json.dumps(m.params, ensure_ascii=False)
        seen = set()
        card = m.kind.removeprefix("watch_")
        for unit in m.units:
            for channel, to in addresses(unit, card, book):
                if (channel, to.hash) in seen:
                    continue  # two units sharing one number get one message
                seen.add((channel, to.hash))
                fields = message(
                    m.kind, m.text, to, at=at, rule=book.for_case(unit, None), case_no=m.case_no,
                    unit_id=unit.id, channel=channel,
                )  # fmt: skip
                fields.update(
                    {
                        link: m.link_id,
                        "params": params_json,
                        "next_attempt_at": adapt(fields["next_attempt_at"]),
                    }
                )
                rows.append((*(fields[a] for a in attrs), now))
    with connection.cursor() as cursor:
        insert_rows(cursor, Notification, columns, rows)
    return count_queued(rows, attrs)


@lru_cache(maxsize=4096)
def _protected(phone: str) -> tuple[str, str]:
    # A unit's alert number is the same in every message of a scan: encrypt it once.
    return pii.protect(phone)


def message_to(unit: Unit, kind: str, text: str, *, at: datetime, case_no: str | None = None) -> Notification:
    """An unsaved outbox message to a unit's alert number (for the few that are not a scan's),
    under the unit's alert rule."""
    rule = RuleBook().for_case(unit, None)
    to = Recipient.of_unit(unit, rule.channel, rule.email)
    return Notification(
        **message(kind, text, to, at=at, rule=rule, case_no=case_no, unit_id=unit.id, channel=rule.channel)
    )
