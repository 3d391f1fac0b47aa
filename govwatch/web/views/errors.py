"""GovWatch's own error answers, in Chinese: a page for people, a JSON problem for the API.

Django's defaults are English one-liners ("Server Error (500)", "Bad Request (400)", the CSRF
failure page). These answer in the users' language and never depend on the database or the
session, which may be what failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

API_PREFIX = "/api/"

SERVER_ERROR = "服务器内部错误：本次操作未完成，错误已记录。请稍后重试，或联系系统管理员。"
BAD_REQUEST = "请求无法处理：请求的格式或内容不正确。"
CSRF_FAILED = "页面已过期或来源无法确认（CSRF 校验失败）：请刷新页面后重新提交。"


def _answer(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    html = loader.get_template("error.html").render({"status": status, "title": title, "message": message})
    return HttpResponse(html, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    return _answer(request, 500, "服务器内部错误", SERVER_ERROR)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 400, "请求无法处理", BAD_REQUEST)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _answer(request, 403, "页面已过期", CSRF_FAILED)
