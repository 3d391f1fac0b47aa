"""The kinds of watched deadlines (到期监察的类型): what each area tells e-supervision about its own.

An area registers its kinds once, from its AppConfig.ready() or a module that ready() imports::

    from govwatch.supervision.kinds import WatchKind, register_kind

    register_kind(WatchKind("complaint", "投诉办理", yellow_days=1, order_after_workdays=0))

and then calls `govwatch.supervision.watches.watch(...)` for each subject. A kind says how its
cards are worded (defaults below, editable by the office per kind), who is told (yellow: the
responsible unit; red: it and the region's supervisors, unless the kind says otherwise; plus any
units its `recipients` hook names), and whether an overdue subject becomes a supervision order and
after how many working days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from govwatch.core.datewords import document_date

if TYPE_CHECKING:
    from govwatch.orgs.models import Unit

    from .models import SupervisionOrder, Watch

YELLOW, RED, REMINDER = "yellow", "red", "reminder"
TEXT_KINDS = {YELLOW: "到期预警", RED: "逾期提醒", REMINDER: "催办提醒"}
# Default texts of every kind (full-width punctuation); a kind may bring its own.
DEFAULT_TEXTS = {
    YELLOW: "{kind_label}即将到期：{label}，办理期限：{due_date}，{remaining}，请及时办理。",
    RED: "{kind_label}已经超时：{label}，责任单位：{unit_name}，办理期限：{due_date}，请及时登录系统跟踪督办。",
    REMINDER: "{kind_label}提醒：{label}，办理期限：{due_date}，{remaining}，请按期办结。",
}
# What a watched deadline's text may say (the office sees this list when editing).
PLACEHOLDERS = {"kind_label", "label", "due_date", "unit_name", "case_no", "remaining"}


class UnknownKind(LookupError):
    """A watch of a kind no area registered: a programming error, never a user's."""


@dataclass(frozen=True)
class WatchKind:
    """One kind of watched deadline.

    - `code`, `label`: the kind's code (stored on each watch) and its Chinese name in texts and pages.
    - `yellow_days`: the yellow threshold when `watch()` is given none (None: never yellow).
    - `texts`: the kind's own default texts for yellow, red and reminder (else DEFAULT_TEXTS).
    - `yellow_to_unit`, `red_to_unit`, `red_to_supervisors`: who a card reaches (contract section
      6's rule by default); `recipients(watch, card)` may name more units.
    - `order_after_workdays`: an overdue subject becomes one supervision order when it has been
      overdue for more than this many working days (0: at the first overdue moment); None: never.
    - `order_reply_workdays`: the order's reply time (None: GOVWATCH_ORDER_REPLY_WORKDAYS).
    - `order_origin`: the origin the order states (SupervisionOrder.Origin; automatic either way).
    - `demand(watch)`: the order's demand (a plain sentence from the label and due date by default).
    - `on_order(watch, order, at)`: called in the order's transaction, e.g. to put the order on the
      subject's own timeline.
    """

    code: str
    label: str
    yellow_days: int | None = 1
    texts: dict[str, str] | None = None
    yellow_to_unit: bool = True
    red_to_unit: bool = True
    red_to_supervisors: bool = True
    recipients: Callable[[Watch, str], Iterable[Unit]] | None = None
    order_after_workdays: int | None = 1
    order_reply_workdays: int | None = None
    order_origin: str = "watch"
    demand: Callable[[Watch], str] | None = None
    on_order: Callable[[Watch, SupervisionOrder, datetime], None] | None = None

    def default_text(self, text_kind: str) -> str:
        return (self.texts or {}).get(text_kind) or DEFAULT_TEXTS[text_kind]

    def demand_for(self, watch: Watch) -> str:
        if self.demand is not None:
            return self.demand(watch)
        return (
            f"{self.label}“{watch.label}”已超过办理期限（{document_date(watch.due_date)}），"
            "请立即办理，并在本督办单中回复办理结果和超期原因。"
        )


_KINDS: dict[str, WatchKind] = {}


def register_kind(kind: WatchKind) -> WatchKind:
    """Add (or replace, on a reload) a kind; its code is what each watch of it stores."""
    if not kind.code or len(kind.code) > 32 or "." in kind.code:
        raise ValueError(f"watch kind code must be 1-32 characters without a dot: {kind.code!r}")
    if kind.order_after_workdays is not None and kind.order_after_workdays < 0:
        raise ValueError("order_after_workdays must be >= 0 or None")
    _KINDS[kind.code] = kind
    return kind


def kind_of(code: str) -> WatchKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise UnknownKind(
            f"no watch kind {code!r} is registered (register_kind in the area's AppConfig.ready)"
        ) from None


def all_kinds() -> list[WatchKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def label_of(code: str) -> str:
    """The kind's Chinese name, or the code itself for a kind no longer registered."""
    kind = _KINDS.get(code)
    return kind.label if kind else code


def template_key(code: str, text_kind: str) -> str:
    """The NotificationTemplate key of a kind's text: "complaint.red"."""
    return f"{code}.{text_kind}"
