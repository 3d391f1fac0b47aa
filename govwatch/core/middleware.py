"""Requests refused before any view sees them: addresses and query strings holding a NUL byte or
another control character.

PostgreSQL cannot hold a NUL in any text, so a NUL that reached a query (`/api/v1/units/%00/`,
`?search=%00`) ended in a DataError and a server error; no address or filter value of GovWatch
holds a control character. One check here covers every page, every API endpoint and the areas to
come. Bodies are left to their parsers (forms refuse NUL themselves, imports and pushes report it
as a row error).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
REFUSED = "请求的地址或查询参数中含有控制字符（如空字符 NUL），无法处理"


def control_character_in(request: HttpRequest) -> bool:
    if _CONTROL.search(request.path):
        return True
    return any(_CONTROL.search(k) or any(_CONTROL.search(v) for v in vs) for k, vs in request.GET.lists())


class RefuseControlCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if control_character_in(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": REFUSED}, status=400, json_dumps_params={"ensure_ascii": False}
                )
            return HttpResponseBadRequest(REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
