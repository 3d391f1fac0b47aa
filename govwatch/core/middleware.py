"""Requests refused before any view sees them (addresses and query strings holding a NUL byte or
another control character), and the client's address behind a trusted proxy.

PostgreSQL cannot hold a NUL in any text, so a NUL that reached a query (`/api/v1/units/%00/`,
`?search=%00`) ended in a DataError and a server error; no address or filter value of GovWatch
holds a control character. One check here covers every page, every API endpoint and the areas to
come. Bodies are left to their parsers (forms refuse NUL themselves, imports and pushes report it
as a row error).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
IPNetwork = IPv4Network | IPv6Network
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


def client_address(remote_addr: str, forwarded_for: str, trusted: Sequence[IPNetwork]) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy (GOVWATCH_TRUSTED_PROXIES);
    then X-Forwarded-For read from the right, each trusted proxy skipped, up to the first address
    that is not one. Entries to the left of it were written by the client and prove nothing."""
    chain = [remote_addr] + [a.strip() for a in reversed(forwarded_for.split(",")) if a.strip()]
    for n, text in enumerate(chain):
        try:
            addr = ip_address(text)
        except ValueError:
            return chain[n - 1] if n else remote_addr  # garbage from the client: the last proxy saw it
        if not any(addr in net for net in trusted):
            return str(addr)
    return chain[-1]


@cache
def _networks(listed: tuple[str, ...]) -> list[IPNetwork]:
    return [ip_network(net, strict=False) for net in listed]


class TrustedProxies:
    """REMOTE_ADDR becomes the client's address when the request came through a listed proxy, so
    that the audit log, the rate limits and the login lock-out see people, not the proxy. The
    proxy's own address is kept in META["GOVWATCH_PROXY_ADDR"]."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        trusted = _networks(tuple(settings.TRUSTED_PROXIES))
        remote = request.META.get("REMOTE_ADDR", "")
        if trusted and remote:
            client = client_address(remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted)
            if client != remote:
                request.META["GOVWATCH_PROXY_ADDR"] = remote
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
