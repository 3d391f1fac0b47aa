"""Showing one personal value in clear (「显示完整号码」): for the roles that may, each time audited.

The caller has fetched the record from the user's scope (`access`); the audit entry names the
record and the field, never the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from govwatch.audit.log import Actor, record

from .permissions import VIEW_PII, check_actor


@transaction.atomic
def do_reveal(actor: Actor, obj: Any, label: str, field: str, clear: Callable[[Any], str]) -> str:
    """The value of `field` of `obj` in clear (`clear` decrypts it), with its audit entry."""
    check_actor(actor, VIEW_PII)
    value = clear(obj)
    record(actor, "pii.reveal", obj, summary=f"查看完整{label}：{obj}", after={"field": field})
    return value
