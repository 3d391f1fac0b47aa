"""The endpoints of /api/v1/. Every row comes from `Model.objects.visible_to(scope(request.user))`: what is outside the account's
subtree is not in a list and is 404 by its code (never 403, which would confirm it exists)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from govwatch.accounts.permissions import Scope, scope
from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.complaints.models import Complaint
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit

from . import filters, serializers
from .authentication import SessionAuthentication, TokenAuthentication
from .contacts import contacts_schema, push_contacts
from .parsers import BatchParser
from .permissions import MayImport, MayPushMasterData
from .push import PushThrottle, push, push_schema
from .schema import AutoSchema

# Anything but a path separator: codes and case numbers come from other systems as they are.
CODE = r"[^/]+"


class Pagination(PageNumberPagination):
    """Pages of 50 by default; page_size from 1 up, more than 500 counted as 500. A page_size that is
    no positive whole number is a 400 (DRF would silently use the default)."""

    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "页码超出范围或无效：page 应为从 1 开始、不超过总页数的整数"

    def get_page_size(self, request: Request) -> int:
        text = request.query_params.get(self.page_size_query_param, "").strip()
        if not text:
            return self.page_size
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise ValidationError(
                {self.page_size_query_param: f"“{text}”无效，应为正整数（最大 {self.max_page_size}）"}
            )
        return min(int(text), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            # Empty means not given, as for every filter of the lists.
            parameter["schema"] = {
                "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 0}]
            }
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"每页条数，默认 {self.page_size}，大于 {self.max_page_size} 时按 {self.max_page_size} 计"
                )
            else:
                parameter["description"] = "页码，从 1 开始"
        return parameters


class ApiViewSet(viewsets.GenericViewSet):
    """Token first: a request without credentials gets 401 with `WWW-Authenticate: Token`."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    parser_classes = [BatchParser]
    schema = AutoSchema()
    lookup_value_regex = CODE
    rows: Callable[[Scope], QuerySet]
    narrow: Callable[[Request, QuerySet], QuerySet] | None = None

    def get_queryset(self) -> QuerySet:
        qs = self.rows(scope(self.request.user))
        if self.action == "list" and self.narrow is not None:
            qs = self.narrow(self.request, qs)
        return qs


class Pushing:
    """POST on a list: a batch of records of `push_kind`, for accounts that pass `push_permission`."""

    push_kind: str
    push_permission: type[BasePermission] = MayImport

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "create":
            return [IsAuthenticated(), self.push_permission()]
        return super().get_permissions()

    def get_throttles(self) -> list:
        return [PushThrottle()] if self.action == "create" else super().get_throttles()

    def create(self, request: Request) -> Response:
        return push(request, self.push_kind)


class ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pass


@extend_schema_view(
    list=extend_schema(
        summary="单位列表", description="本账号可见的单位（所属单位及其下级）；联系电话已脱敏。"
    ),
    retrieve=extend_schema(summary="单位详情"),
    create=push_schema("单位"),
)
class UnitViewSet(Pushing, ReadViewSet):
    serializer_class = serializers.UnitSerializer
    lookup_field = "code"
    push_kind = "units"
    push_permission = MayPushMasterData

    @staticmethod
    def rows(s: Scope) -> QuerySet:
        return Unit.objects.visible_to(s).select_related("parent").order_by("path")


@extend_schema_view(
    list=extend_schema(summary="事项列表", parameters=filters.ITEM_PARAMS),
    retrieve=extend_schema(summary="事项详情"),
    create=push_schema("事项"),
)
class ItemViewSet(Pushing, ReadViewSet):
    serializer_class = serializers.ItemSerializer
    lookup_field = "code"
    push_kind = "items"
    push_permission = MayPushMasterData
    narrow = staticmethod(filters.items)

    @staticmethod
    def rows(s: Scope) -> QuerySet:
        return Item.objects.visible_to(s).select_related("unit").order_by("code")


@extend_schema_view(
    list=extend_schema(summary="办件列表", parameters=filters.CASE_PARAMS),
    retrieve=extend_schema(
        summary="办件详情", description="含办件过程、挂起记录、到期日、是否临时期限、是否按时办结与亮牌。"
    ),
)
class CaseViewSet(ReadViewSet):
    lookup_field = "case_no"
    narrow = staticmethod(filters.cases)

    @staticmethod
    def rows(s: Scope) -> QuerySet:
        return Case.objects.visible_to(s).select_related("item", "unit").order_by("-accepted_at", "case_no")

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        return qs.prefetch_related("events", "suspensions") if self.action == "retrieve" else qs

    def get_serializer_class(self) -> type:
        return serializers.CaseDetailSerializer if self.action == "retrieve" else serializers.CaseSerializer


@extend_schema_view(create=push_schema("办件过程"))
class CaseEventViewSet(Pushing, ApiViewSet):
    """Case events are only pushed; they are read with their case."""

    push_kind = "cases"


@extend_schema_view(
    list=extend_schema(
        summary="好差评列表", description="不含评价人（无论是否脱敏）。", parameters=filters.FACT_PARAMS
    ),
    retrieve=extend_schema(summary="好差评详情"),
    create=push_schema("好差评"),
)
class EvaluationViewSet(Pushing, ReadViewSet):
    serializer_class = serializers.EvaluationSerializer
    lookup_field = "eval_id"
    push_kind = "evaluations"
    narrow = staticmethod(filters.evaluations)

    @staticmethod
    def rows(s: Scope) -> QuerySet:
        return Evaluation.objects.visible_to(s).select_related("unit").order_by("-at", "eval_id")


@extend_schema_view(
    list=extend_schema(summary="投诉列表", description="不含联系方式。", parameters=filters.FACT_PARAMS),
    retrieve=extend_schema(summary="投诉详情"),
    create=push_schema("投诉"),
)
class ComplaintViewSet(Pushing, ReadViewSet):
    serializer_class = serializers.ComplaintSerializer
    lookup_field = "complaint_id"
    push_kind = "complaints"
    narrow = staticmethod(filters.complaints)

    @staticmethod
    def rows(s: Scope) -> QuerySet:
        return (
            Complaint.objects.visible_to(s)
            .select_related("unit", "repeat_of")
            .order_by("-at", "complaint_id")
        )


class ApplicantContactPushView(APIView):
    """POST /api/v1/applicant-contacts/: applicants' phones per case, for the systems that import.

    Each record names a case that must exist and lie in the account's subtree, else it is a row
    error ("业务编号 … 不存在" / "超出本账号的数据范围"); a number that is no number is a row error
    whose message never repeats it. A valid number goes through `register_applicant_phone`.

    Counting, compared by the keyed hash of the normalised number (the only form stored besides the
    ciphertext and the masked form): the case's stored number again is a duplicate and nothing is
    written; a different number replaces the stored one (last one wins, within a batch too) and is
    counted as imported, as a re-pushed changed unit or item is. The answer is the import document
    (200, or 422 when every record was refused; 400/413 for a body that is no batch); the batch is
    one audit entry "import.applicant_contacts" with its counts, never a number. Nothing to read here:
    numbers leave the system only through the SMS gateway.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, MayImport]
    throttle_classes = [PushThrottle]
    parser_classes = [BatchParser]
    schema = AutoSchema()

    @contacts_schema
    def post(self, request: Request) -> Response:
        return push_contacts(request)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the installed sidecar under /static/, its start-up script a file of its own:
    the docs work offline and under a Content-Security-Policy without inline scripts or styles."""

    template_name = "api/swagger_ui.html"
