"""Pushes: a JSON batch of records goes through the import service exactly as a file does.

Same checks, idempotency, ImportRun and audit entry; the batch's n-th record is "line" n of the
import document. Rows outside the account's subtree become row errors (see `guard`).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from govwatch.core.tables import object_table
from govwatch.imports.kinds import FIELDS
from govwatch.imports.results import ImportResult
from govwatch.imports.runs import run_import_records

from .guard import Guard
from .parsers import MAX_BYTES
from .serializers import ImportDocumentSerializer, ProblemSerializer, PushRequestSerializer

MAX_RECORDS = 5000


class PushThrottle(UserRateThrottle):
    """Per account: enough for a migration in 5,000-record batches, not for a runaway loop."""

    scope = "api_push"
    rate = "120/min"


def _problem(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)


def batch_records(request: Request) -> list | Response:
    """The body's records, or the 400/413 problem that refuses the whole batch."""
    records = request.data.get("records") if isinstance(request.data, dict) else None
    if not isinstance(records, list) or not records:
        return _problem('请求体应为 {"records": [...]}，且 records 为非空数组', status.HTTP_400_BAD_REQUEST)
    if len(records) > MAX_RECORDS:
        return _problem(
            f"一批最多 {MAX_RECORDS} 条记录，本批 {len(records)} 条：请分批推送",
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return records


def operator_label(request: Request) -> str:
    """token:<account> for a system, user:<account> for a person signed in to the pages."""
    via = "token" if isinstance(request.successful_authenticator, TokenAuthentication) else "user"
    return f"{via}:{request.user.get_username()}"


def import_response(result: ImportResult) -> Response:
    """The import document: 422 when every record was refused, else 200."""
    everything_refused = result.read > 0 and result.rejected == result.read
    return Response(
        result.document(),
        status=status.HTTP_422_UNPROCESSABLE_ENTITY if everything_refused else status.HTTP_200_OK,
    )


def push(request: Request, kind: str) -> Response:
    records = batch_records(request)
    if isinstance(records, Response):
        return records
    table = object_table(records, FIELDS[kind])
    table.rows = iter(Guard(request.user).filter(kind, list(table.rows)))
    result = run_import_records(
        kind,
        table,
        operator_label=operator_label(request),
        operator=request.user,
        filename=f"API 推送 {request.path}",
        source=request.META.get("REMOTE_ADDR", ""),
    )
    return import_response(result)


STATUS_CODES = (
    "状态码：200 已处理（可能有部分记录被拒绝，见 rejected 与 errors）；"
    "422 所有记录均被拒绝（响应体同样是导入结果）；400 请求体格式错误；413 记录过多或请求体过大；"
    "429 推送过于频繁。"
)


def push_schema(what: str):
    """The OpenAPI description of a push endpoint (the status codes are the contract of the API)."""
    return push_operation_schema(
        summary=f"推送{what}",
        description=(
            f"推送一批{what}记录（每批最多 {MAX_RECORDS} 条，请求体最多 {MAX_BYTES // (1024 * 1024)} MB），"
            "字段与文件导入相同（接口契约第 2 节，英文名或中文别名均可；值可为字符串、数字或布尔值）。"
            "与文件导入同样校验、同样幂等：重复推送同一批记录不会改变任何数据（全部计为 duplicates）。"
            "errors 中的 line 为该记录在 records 数组中的序号（从 1 开始）。"
            "本账号所属单位及其下级单位以外的记录逐条拒绝（“超出本账号的数据范围”），不影响其余记录。\n\n"
            + STATUS_CODES
        ),
        request=PushRequestSerializer,
    )


def push_operation_schema(*, summary: str, description: str, request: type):
    """A push's summary, description and request body, with the responses every push shares."""
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={
            200: OpenApiResponse(
                ImportDocumentSerializer, description="已处理；rejected > 0 时部分记录被拒绝"
            ),
            422: OpenApiResponse(ImportDocumentSerializer, description="所有记录均被拒绝"),
            400: OpenApiResponse(ProblemSerializer, description='请求体不是 {"records": [...]}'),
            401: OpenApiResponse(ProblemSerializer, description="未认证"),
            403: OpenApiResponse(ProblemSerializer, description="本账号无权推送"),
            413: OpenApiResponse(ProblemSerializer, description="记录过多或请求体过大"),
            429: OpenApiResponse(ProblemSerializer, description="推送过于频繁（每个账号每分钟最多 120 批）"),
        },
    )
