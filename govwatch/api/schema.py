"""The OpenAPI document says every answer an operation can give, not only its success.

drf-spectacular documents the 200 of a view; the refusals are added here, from what the view does
rather than listed by hand on each one, so that a new endpoint is documented the same way:
- 400 for every operation: an address or query string with a control character is refused before
  any view (`core.middleware`), a filter value a list does not take, a body that is no batch;
- 401 whenever the view needs an account (a missing or wrong token);
- 403 when a permission beyond being signed in is checked (the pushes);
- 404 for a record by its code (outside the account's scope too) and for a page past the end;
- 429 when the view is throttled.
The answers that a view declares itself (the pushes' 413 and 422) are kept as they are.

Text values in addresses and query strings are documented without control characters (they are
refused), and lists take the page and page_size the paginator checks.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import IsAuthenticated

from .serializers import ProblemSerializer

# Text without the control characters the middleware refuses; a path segment holds no "/" either.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
SEGMENT_PATTERN = r"^[^/\x00-\x1f\x7f]+$"

# {"detail": …}, or {"<query parameter>": …} for a filter value a list does not take.
BAD_REQUEST = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "中文说明"}},
    "additionalProperties": {"type": "string", "description": "该查询参数取值无效的中文说明"},
}
ERRORS = {
    "400": OpenApiResponse(
        BAD_REQUEST,
        description="请求无法处理：地址或查询参数含控制字符、查询参数取值无效，或请求体格式错误",
    ),
    "401": OpenApiResponse(ProblemSerializer, description="未认证：缺少令牌或令牌无效"),
    "403": OpenApiResponse(ProblemSerializer, description="本账号无权执行此操作"),
    "404": OpenApiResponse(
        ProblemSerializer, description="不存在：编码不存在或超出本账号的数据范围，或页码超出范围"
    ),
    "429": OpenApiResponse(ProblemSerializer, description="请求过于频繁，请稍后再试"),
}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        view = self.view
        permissions = view.get_permissions()
        codes = ["400"]
        if any(isinstance(p, IsAuthenticated) for p in permissions):
            codes.append("401")
        if any(not isinstance(p, IsAuthenticated) for p in permissions):
            codes.append("403")
        if self._is_list_view() or getattr(view, "action", None) == "retrieve":
            codes.append("404")
        if view.get_throttles():
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for code in self._error_codes():
                if code not in responses:
                    responses[code] = self._get_response_for_code(ERRORS[code], code, direction=direction)
        return responses

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter["in"] == "path":
                schema["pattern"] = SEGMENT_PATTERN
            elif schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
                schema.setdefault("pattern", TEXT_PATTERN)
        return parameters
