"""Requests refused before any view sees them (addresses and query strings holding a NUL byte or
another control character), the client's address behind a trusted proxy, and the requests that go
through a shorter middleware stack (`LeanStacks`).

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

from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation

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
        trust_proxies(request)
        return self.get_response(request)


def trust_proxies(request: HttpRequest) -> None:
    """What TrustedProxies does to a request (also the lean WSGI path's, govwatch.public.leanpost)."""
    from django.conf import settings

    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted and remote:
        client = client_address(remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted)
        if client != remote:
            request.META["GOVWATCH_PROXY_ADDR"] = remote
            request.META["REMOTE_ADDR"] = client


def _handler(middleware: list[str]) -> BaseHandler:
    """A request handler whose middleware stack is `middleware`, built by Django's own loader (which
    reads settings.MIDDLEWARE: it is lent the list while it builds, at start-up)."""
    from django.conf import settings

    handler = BaseHandler()
    full = settings.MIDDLEWARE
    settings.MIDDLEWARE = middleware
    try:
        handler.load_middleware()
    finally:
        settings.MIDDLEWARE = full
    return handler


class LeanStacks:
    """The requests listed in settings.LEAN_STACKS (a method, a path pattern, a middleware stack) go
    through their own, shorter stack instead of the rest of settings.MIDDLEWARE.

    A busy request that needs no session, login, messages, static files or login lock-out (the
    public evaluation POST) need not pay for them: its stack keeps what it does need (the security
    headers, the Content-Security-Policy, CSRF). Everything after this middleware is skipped for
    it, so what runs before (TrustedProxies) runs for every request. The language is the site's
    own (LANGUAGE_CODE): these pages are Chinese, and a thread's earlier request must not leave its
    language behind."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.language = settings.LANGUAGE_CODE
        self.stacks = [
            (method, re.compile(path), _handler(list(stack))._middleware_chain)
            for method, path, stack in settings.LEAN_STACKS
        ]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for method, path, chain in self.stacks:
            if request.method == method and path.fullmatch(request.path_info):
                translation.activate(self.language)
                return chain(request)
        return self.get_response(request)
