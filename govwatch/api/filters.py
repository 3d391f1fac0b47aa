"""The query filters of the lists. They narrow a queryset that is already scoped, never widen it.

A filter naming a unit outside the account's scope gives an empty list, as an unknown unit does:
a list never confirms that something outside the scope exists.
"""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.db.models.enums import ChoicesType
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from govwatch.accounts.permissions import scope
from govwatch.core.choices import Card, CaseStatus, ItemLevel, ItemType, Online, allowed, parse_choice
from govwatch.core.tree import subtree
from govwatch.orgs.models import Unit


def _param(name: str, description: str, kind=OpenApiTypes.STR) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


def _choice_param(name: str, description: str, cls: ChoicesType) -> OpenApiParameter:
    """A filter by one of `cls`'s values: its code or its Chinese label; empty means no filter."""
    values = ["", *(m.value for m in cls), *(m.label for m in cls)]
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description=f"{description}：{allowed(cls)}",
        enum=values,
    )


def _date_param(name: str, description: str) -> OpenApiParameter:
    # Empty means no filter, as for every filter here.
    schema = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
    return OpenApiParameter(name, schema, OpenApiParameter.QUERY, description=f"{description}，YYYY-MM-DD")


def _choice(request: Request, name: str, cls: ChoicesType) -> str | None:
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    code = parse_choice(cls, text)
    if code is None:
        raise ValidationError({name: f"“{text}”无效，应为 {allowed(cls)}"})
    return code


def _date(request: Request, name: str) -> date | None:
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: f"“{text}”不是有效的日期，应为 YYYY-MM-DD"}) from None


def _subtree(request: Request, qs: QuerySet, *unit_fields: str) -> QuerySet:
    """Rows whose unit (any of `unit_fields`) is the `unit` parameter's or below it."""
    code = request.query_params.get("unit", "").strip()
    if not code:
        return qs
    unit = Unit.objects.visible_to(scope(request.user)).filter(code=code).first()
    if unit is None:
        return qs.none()
    return qs.filter(reduce(or_, (subtree(unit.path, name) for name in unit_fields)))


UNIT_PARAM = _param("unit", "单位编码：该单位及其下级单位")

ITEM_PARAMS = [
    UNIT_PARAM,
    _choice_param("type", "事项类型", ItemType),
    _choice_param("level", "层级", ItemLevel),
    _choice_param("online", "网办程度", Online),
    _param("search", "按事项名称或编码查找"),
]


def items(request: Request, qs: QuerySet) -> QuerySet:
    qs = _subtree(request, qs, "unit")
    for name, cls in (("type", ItemType), ("level", ItemLevel), ("online", Online)):
        code = _choice(request, name, cls)
        if code is not None:
            qs = qs.filter(**{name: code})
    text = request.query_params.get("search", "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return qs


CASE_PARAMS = [
    UNIT_PARAM,
    _param("item", "事项编码"),
    _choice_param("status", "状态", CaseStatus),
    _choice_param("card", "亮牌", Card),
    _date_param("accepted_from", "受理日期起（含）"),
    _date_param("accepted_to", "受理日期止（含）"),
]


def cases(request: Request, qs: QuerySet) -> QuerySet:
    qs = _subtree(request, qs, "unit")
    item = request.query_params.get("item", "").strip()
    if item:
        qs = qs.filter(item__code=item)
    for name, cls in (("status", CaseStatus), ("card", Card)):
        code = _choice(request, name, cls)
        if code is not None:
            qs = qs.filter(**{name: code})
    return _period(request, qs, "accepted_on", "accepted")


def _period(request: Request, qs: QuerySet, date_field: str, prefix: str) -> QuerySet:
    first, last = _date(request, f"{prefix}_from"), _date(request, f"{prefix}_to")
    if first is not None:
        qs = qs.filter(**{f"{date_field}__gte": first})
    if last is not None:
        qs = qs.filter(**{f"{date_field}__lte": last})
    return qs


FACT_PARAMS = [
    UNIT_PARAM,
    _param("case", "业务编号"),
    _date_param("at_from", "日期起（含）"),
    _date_param("at_to", "日期止（含）"),
]


def evaluations(request: Request, qs: QuerySet) -> QuerySet:
    return _fact(request, _subtree(request, qs, "unit"))


def complaints(request: Request, qs: QuerySet) -> QuerySet:
    # A complaint names a unit, a case or both, as in the scope.
    return _fact(request, _subtree(request, qs, "unit", "case__unit"))


def _fact(request: Request, qs: QuerySet) -> QuerySet:
    case_no = request.query_params.get("case", "").strip()
    if case_no:
        qs = qs.filter(case_id=case_no)
    return _period(request, qs, "at__date", "at")
