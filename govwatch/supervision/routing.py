"""Who is told of a new card: yellow to the handling unit, red to it and the region's supervisors."""

from __future__ import annotations

from govwatch.core import pii
from govwatch.core.choices import Card, UnitKind
from govwatch.orgs.models import Unit

from .models import CardChange, Notification
from .texts import render, templates

SMS = "sms"


def supervisors_of(unit: Unit, supervisors: list[Unit]) -> list[Unit]:
    """Supervisor units whose parent's subtree holds `unit` (纪检监察 watch their whole region)."""
    return [s for s in supervisors if s.parent is None or unit.path.startswith(s.parent.path)]


def recipients(change: CardChange, supervisors: list[Unit]) -> list[Unit]:
    unit = change.case.unit
    if change.card == Card.YELLOW:
        return [unit]
    if change.card == Card.RED:
        return [unit, *supervisors_of(unit, supervisors)]
    return []


def queue_for_changes(changes: list[CardChange]) -> int:
    """Queue the messages of new cards in the caller's transaction (the outbox). Returns the count."""
    texts = templates()
    supervisors = list(Unit.objects.filter(kind=UnitKind.SUPERVISOR).select_related("parent"))
    units = {u.id: u for u in Unit.objects.filter(id__in={c.case.unit_id for c in changes})}
    messages = []
    for change in changes:
        if change.card not in (Card.YELLOW, Card.RED):
            continue
        change.case.unit = units[change.case.unit_id]
        case = change.case
        text = render(
            texts[change.card],
            {
                "item_name": case.item.name,
                "case_no": case.case_no,
                "due_date": "" if case.due_date is None else case.due_date.isoformat(),
                "unit_name": case.unit.name,
            },
        )
        for unit in recipients(change, supervisors):
            messages.append(message_to(unit, change.card, text, case=case, card_change=change))
    Notification.objects.bulk_create(messages, batch_size=500)
    return len(messages)


def message_to(unit: Unit, kind: str, text: str, *, case=None, card_change=None) -> Notification:
    """An unsaved outbox message to a unit's alert number."""
    common = {"card_change": card_change, "kind": kind, "case": case, "unit": unit, "channel": SMS, "text": text}
    if unit.phone:
        digest, token = pii.protect(unit.phone)
        return Notification(
            recipient_hash=digest, recipient_enc=token, recipient_masked=pii.mask(unit.phone), **common
        )
    # No number to text: the message is kept, marked failed with the reason, so someone sees it.
    return Notification(
        recipient_hash=f"unit:{unit.code}", recipient_enc="", recipient_masked=unit.name,
        status=Notification.Status.FAILED, last_error="该单位未设置接收提醒的联系电话", **common,
    )  # fmt: skip
