"""How GovWatch pages write times, rates, cards and personal data."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from govwatch.accounts.permissions import (
    ISSUE_ORDERS,
    MANAGE_CATALOG,
    MANAGE_CLUES,
    SAMPLE_CALLBACKS,
    VIEW_AUDIT,
    VIEW_PII,
    may,
    membership,
)
from govwatch.core import pii

register = template.Library()

NOTHING = "—"


@register.filter
def local(moment: datetime | None) -> str:
    """2026-03-24 09:30 in the local time zone (Asia/Shanghai by default)."""
    if moment is None:
        return NOTHING
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@register.filter
def percent(value: float | None) -> str:
    """A rate as 45.0%; a rate whose denominator was 0 is None and shows as "—", never 0%; so does
    a rate of nothing (`total.rate` where there is no total: the template hands over "")."""
    if value is None or value == "":
        return NOTHING
    return f"{value * 100:.1f}%"


@register.filter
def pretty_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@register.filter
def minutes(span: timedelta | None) -> int:
    return round(span.total_seconds() / 60) if span else 0


@register.filter
def masked(value: str | None) -> str:
    return pii.mask(value or "") or NOTHING


@register.filter
def redacted(text: str | None) -> str:
    """Free text (a complaint, a comment) with any phone or ID number written in it masked."""
    return pii.redact(text or "")


@register.filter
def masked_enc(token: str | None) -> str:
    """An encrypted personal value shown masked: decrypted only to be masked, never shown whole."""
    return pii.mask(pii.decrypt(token)) if token else NOTHING


@register.inclusion_tag("web/_pii.html", takes_context=True)
def pii_field(context, what: str, key: str, masked_value: str) -> dict:
    """A masked value with, for those who may, the audited "显示完整号码" (govwatch.web.views.reveal)."""
    shown = masked_value and masked_value != NOTHING
    return {
        "what": what,
        "key": key,
        "masked": masked_value or NOTHING,
        "can_reveal": bool(shown) and may(context["user"], VIEW_PII),
    }


@register.inclusion_tag("web/_free_text.html", takes_context=True)
def free_text(context, obj, field: str) -> dict:
    """A free text with its numbers masked (core.fields.FreeTextField) and, where something was
    masked and the user may, the audited "显示原文"."""
    text = getattr(obj, field) or ""
    return {
        "text": pii.redact(text),
        "label": obj._meta.label_lower,
        "pk": obj.pk,
        "field": field,
        "can_reveal": bool(getattr(text, "sealed", "")) and may(context["user"], VIEW_PII),
    }


@register.simple_tag(takes_context=True)
def account(context) -> dict[str, object]:
    """Who is signed in, as the navigation shows it: role, unit, and the links the role opens."""
    user = context["user"]
    m = membership(user)
    if m is not None:
        role, unit = m.get_role_display(), m.unit.name
    else:
        role, unit = ("系统管理员" if user.is_superuser else "未分配角色"), ""
    return {
        "role": role,
        "unit": unit,
        "can_admin": may(user, MANAGE_CATALOG),
        "can_audit": may(user, VIEW_AUDIT),
        "can_reveal": may(user, VIEW_PII),
        "can_issue_orders": may(user, ISSUE_ORDERS),
        "can_sample": may(user, SAMPLE_CALLBACKS),
        "can_clue": may(user, MANAGE_CLUES),
    }


@register.simple_tag(takes_context=True)
def navigation(context) -> list[dict[str, object]]:
    """The main navigation's entries for the signed-in user (govwatch.web.navigation.ENTRIES)."""
    from govwatch.web.navigation import entries

    request = context.get("request")
    return entries(request, context.get("nav", "")) if request is not None else []


@register.inclusion_tag("web/_card.html")
def card_badge(card: str) -> dict[str, str]:
    return {"card": card}


@register.inclusion_tag("web/_risk.html")
def risk_cell(case) -> dict:
    """A case's predicted risk: its percentage, marked when the model warns of it."""
    try:
        risk = case.risk if case.status == "open" else None
    except ObjectDoesNotExist:  # low risk, or not predicted (closed, suspended, carded)
        risk = None
    return {"risk": risk, "percent": round(100 * risk.risk) if risk else None}


@register.inclusion_tag("web/_on_time.html")
def on_time(value: bool | None) -> dict[str, bool | None]:
    return {"value": value}


_ACTOR_KINDS = {"user": "{}", "token": "接口（{}）", "cli": "命令行（{}）"}
_ACTORS = {"system:worker": "系统（后台任务）", "anonymous": "未登录用户", "public:qr": "群众（扫码评价）",
           "public:sms": "群众（短信评价）", "public:web": "群众（网上评价）"}  # fmt: skip


@register.filter
def actor(label: str) -> str:
    """An audit or timeline actor in words: "user:zhangsan" is zhangsan, "system:worker" 系统."""
    if label in _ACTORS:
        return _ACTORS[label]
    kind, _, name = label.partition(":")
    if kind == "public":
        return "群众"
    return _ACTOR_KINDS[kind].format(name) if kind in _ACTOR_KINDS and name else label


# -- charts (Apache ECharts, served from the npm package the scripts install) --------------------


@register.inclusion_tag("web/_chart_scripts.html")
def chart_scripts() -> dict:
    """The scripts a page with charts loads, in its `scripts` block: ECharts, then web/charts.js."""
    return {}


@register.inclusion_tag("web/_chart.html")
def chart(option: dict, name: str, label: str, size: str = "", theme: str = "") -> dict:
    """A chart drawn by web/charts.js from `option` (an ECharts option as plain data; named
    renderers and formatters stand for functions, see charts.js). `label` says in words what the
    chart shows, for screen readers; `size` is a CSS class (chart-tall); `theme` an ECharts theme
    ("dark" on the big screen)."""
    return {"option": option, "element_id": f"chart-{name}", "label": label, "size": size, "theme": theme}
