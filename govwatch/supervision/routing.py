"""Who is told of a new card: yellow to the handling unit, red to it and the region's supervisors."""

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
from govwatch.orgs.models import Unit

from .models import Notification, NotificationTemplate
from .rules import DEFAULT, Rule, RuleBook
from .texts import render

SMS = "sms"


def supervisors_of(unit: Unit, supervisors: list[Unit]) -> list[Unit]:
    """Supervisor units whose parent's subtree holds `unit` (纪检监察 watch their whole region)."""
    return [s for s in supervisors if s.parent is None or unit.path.startswith(s.parent.path)]


@dataclass(frozen=True)
class NewCard:
    """A card change with what its message needs to say of the case."""

    change_id: int
    card: str
    case_no: str
    unit_id: int
    item_id: int
    item_name: str
    due_date: date


def recipients(card: str, unit: Unit, supervisors: list[Unit], rule: Rule = DEFAULT) -> list[Unit]:
    if card == Card.YELLOW:
        return [unit] if rule.notify_yellow else []
    if card == Card.RED:
        return ([unit] if rule.notify_red else []) + (supervisors_of(unit, supervisors) if rule.red_to_supervisors else [])
    return []


MESSAGE_COLUMNS = (
    "card_change_id", "kind", "case_no", "unit_id", "channel", "recipient_hash", "recipient_enc",
    "recipient_masked", "text", "params", "status", "attempts", "next_attempt_at", "claimed_by", "last_error",
    "created_at",
)  # fmt: skip


def queue_for_changes(new_cards: list[NewCard], at: datetime) -> int:
    """Queue the messages of new cards in the caller's transaction (the outbox). Returns the count.

    A message that falls in its rule's quiet hours waits until they end (`next_attempt_at`). The
    rows go in with one executemany: a scan may queue thousands.
    """
    texts = NotificationTemplate.texts()
    book = RuleBook()
    supervisors = list(Unit.objects.filter(kind=UnitKind.SUPERVISOR).select_related("parent"))
    units = {u.id: u for u in Unit.objects.filter(id__in={n.unit_id for n in new_cards})}
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    rows = []
    for n in new_cards:
        card = n.card
        if card not in (Card.YELLOW, Card.RED):
            continue
        unit = units[n.unit_id]
        params = {"item_name": n.item_name, "case_no": n.case_no, "due_date": n.due_date.isoformat(), "unit_name": unit.name}
        text = render(texts[card], params)
        params_json = json.dumps(params, ensure_ascii=False)
        rule = book.for_case(unit, n.item_id)
        release = adapt(rule.release_at(at))
        for recipient in recipients(card, unit, supervisors, rule):
            fields = message_fields(recipient, card, text, case_no=n.case_no)
            fields.update(card_change_id=n.change_id, params=params_json, attempts=0, claimed_by="", created_at=now)
            fields.setdefault("status", Notification.Status.QUEUED.value)
            fields.setdefault("last_error", "")
            fields["next_attempt_at"] = release if fields["status"] == Notification.Status.QUEUED else None
            rows.append(tuple(fields[c] for c in MESSAGE_COLUMNS))
    with connection.cursor() as cursor:
        insert_rows(cursor, Notification, MESSAGE_COLUMNS, rows)
    return len(rows)


@lru_cache(maxsize=4096)
def _protected(phone: str) -> tuple[str, str]:
    # A unit's alert number is the same in every message of a scan: encrypt it once.
    return pii.protect(phone)


def message_fields(unit: Unit, kind: str, text: str, *, case_no: str | None = None) -> dict:
    """The columns of an outbox message to a unit's alert number."""
    common = {"kind": kind, "case_no": case_no, "unit_id": unit.id, "channel": SMS, "text": text}
    if unit.phone:
        digest, token = _protected(unit.phone)
        return {"recipient_hash": digest, "recipient_enc": token, "recipient_masked": pii.mask(unit.phone), **common}
    # No number to text: the message is kept, marked failed with the reason, so someone sees it.
    return {
        "recipient_hash": f"unit:{unit.code}", "recipient_enc": "", "recipient_masked": unit.name,
        "status": Notification.Status.FAILED.value, "last_error": "该单位未设置接收提醒的联系电话", **common,
    }  # fmt: skip


def message_to(unit: Unit, kind: str, text: str, *, case_no: str | None = None) -> Notification:
    """An unsaved outbox message (for the few that are not a scan's)."""
    fields = message_fields(unit, kind, text, case_no=case_no)
    fields["case_id"] = fields.pop("case_no")
    return Notification(**fields)
