"""Enumerations of the interchange contract: English codes stored, Chinese labels shown.

Every enumeration is a Django TextChoices whose label is the Chinese word of the contract, so that
input accepts either (`parse_choice`) and pages show the Chinese one.
"""

from __future__ import annotations

from functools import cache

from django.db import models


@cache
def _lookup(cls: type[models.TextChoices]) -> dict[str, str]:
    table: dict[str, str] = {}
    for member in cls:
        table[member.value] = member.value
        table[str(member.label)] = member.value
        for alias in getattr(cls, "_aliases", {}).get(member.value, ()):
            table[alias] = member.value
    return table


def parse_choice(cls: type[models.TextChoices], value: str) -> str | None:
    """The code for an English code or Chinese label, or None when it is neither."""
    text = value.strip()
    return _lookup(cls).get(text) or _lookup(cls).get(text.lower())


def allowed(cls: type[models.TextChoices]) -> str:
    """The accepted values, for an error message."""
    return "、".join(f"{m.value}({m.label})" for m in cls)


class UnitKind(models.TextChoices):
    DISTRICT = "district", "区"
    DEPARTMENT = "department", "部门"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    SECTION = "section", "科室"
    CENTER = "center", "政务服务中心"
    SUPERVISOR = "supervisor", "纪检监察"


class ItemType(models.TextChoices):
    LICENSING = "licensing", "行政许可"
    CONFIRMATION = "confirmation", "行政确认"
    PAYMENT = "payment", "行政给付"
    LEVY = "levy", "行政征收"
    ADJUDICATION = "adjudication", "行政裁决"
    REWARD = "reward", "行政奖励"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


class ItemLevel(models.TextChoices):
    DISTRICT = "district", "区级"
    TOWN = "town", "镇级"
    VILLAGE = "village", "村级"


class Online(models.TextChoices):
    NONE = "none", "不可网办"
    PARTIAL = "partial", "部分网办"
    FULL = "full", "全程网办"


class CrossRegion(models.TextChoices):
    """How far from its own region an item can be applied for (通办), the widest scope only."""

    NONE = "none", "不通办"
    CIRCLE = "circle", "圈内通办"
    CITY = "city", "跨市通办"
    PROVINCE = "province", "跨省通办"


class EventKind(models.TextChoices):
    ACCEPT = "accept", "受理"
    SUSPEND = "suspend", "挂起"
    RESUME = "resume", "恢复"
    COMPLETE = "complete", "办结"
    REJECT = "reject", "退件"
    WITHDRAW = "withdraw", "撤回"


class CaseChannel(models.TextChoices):
    WINDOW = "window", "窗口"
    ONLINE = "online", "网上"
    MOBILE = "mobile", "掌上"
    KIOSK = "kiosk", "自助终端"


class ApplicantType(models.TextChoices):
    PERSON = "person", "个人"
    ENTERPRISE = "enterprise", "企业"


class CaseStatus(models.TextChoices):
    OPEN = "open", "办理中"
    SUSPENDED = "suspended", "挂起"
    COMPLETED = "completed", "已办结"
    REJECTED = "rejected", "已退件"
    WITHDRAWN = "withdrawn", "已撤回"


class Card(models.TextChoices):
    NONE = "none", "正常"
    YELLOW = "yellow", "黄牌预警"
    RED = "red", "红牌超时"


class EvalLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


class EvalChannel(models.TextChoices):
    DEVICE = "device", "评价器"
    QR = "qr", "扫码"
    SMS = "sms", "短信"
    WEB = "web", "网站"
    APP = "app", "移动端"
    HOTLINE = "hotline", "12345热线"


class ComplaintSource(models.TextChoices):
    HOTLINE = "hotline", "12345热线"
    MAYOR_LINE = "mayor_line", "市长专线"
    WINDOW = "window", "不满意请找我窗口"
    WEB = "web", "网站"
    LETTER = "letter", "来信"
    INSPECTION = "inspection", "监督检查"


class ComplaintCategory(models.TextChoices):
    ATTITUDE = "attitude", "服务态度"
    DELAY = "delay", "拖延"
    SHIRKING = "shirking", "推诿"
    ABSENCE = "absence", "脱岗/迟到早退"
    RULES = "rules", "政策执行"
    INTEGRITY = "integrity", "吃拿卡要"
    OTHER = "other", "其他"


ComplaintCategory._aliases = {"absence": ("脱岗", "迟到早退")}  # type: ignore[attr-defined]


class ComplaintKind(models.TextChoices):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    SUGGEST = "suggest", "建议"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"


class ComplaintUrgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
