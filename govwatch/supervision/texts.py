"""Notification texts (contract section 6): the defaults, the office's edits, and their checking."""

from __future__ import annotations

import string
from typing import Any

DEFAULTS = {
    # The seed report's own words (Tianqu New Area).
    "red": "政务服务网{item_name}的业务办理已经超时，业务编号：{case_no}，请及时登录系统跟踪督察。",
    "yellow": "政务服务网{item_name}的业务即将超时，业务编号：{case_no}，办理期限：{due_date}，请及时办理。",
}
# Messages of other kinds with a default text that is not (yet) edited on the texts page.
OTHER_DEFAULTS = {
    # A predicted breach (contract section 13): to the handling unit, before any yellow card.
    "predicted": "政务服务网{item_name}的业务存在超期风险，业务编号：{case_no}，办理期限：{due_date}，请优先办理。",
}
PLACEHOLDERS = {"item_name", "case_no", "due_date", "unit_name"}


def template_errors(text: str, placeholders: set[str] = PLACEHOLDERS) -> list[str]:
    """What is wrong with a template, in the user's words; empty when it can be saved."""
    errors = []
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError:
        return ["模板格式错误：花括号不成对"]
    for name in fields:
        if name not in placeholders:
            errors.append(
                f"未知的占位符 {{{name}}}，可用：" + "、".join(f"{{{p}}}" for p in sorted(placeholders))
            )
    if not text.strip():
        errors.append("模板不能为空")
    return errors


def render(template: str, context: dict[str, Any]) -> str:
    return template.format_map(context)
