"""The public evaluation POST's own WSGI path: an accepted evaluation answered without Django's
request handler, every other outcome handed to Django.

The busiest public request, and the one whose throughput issue 16 measures against the floor's.
Django's handler (URL resolving, the middleware chain's wrappers, the view's decorators) was a
sizeable part of its CPU. `govwatch.wsgi` gives it this path first (settings.LEAN_PATHS), which
runs the same pieces in the same order, Django's own objects and the page's own functions:

1. TrustedProxies (`trust_proxies`), the control-character refusal, SecurityMiddleware's request
   part (its HTTPS redirect), the Content-Security-Policy's and CSRF's request parts;
2. CSRF's check, Django's own (`CsrfViewMiddleware.process_view`: origin, referer, cookie and
   token), for the view `views.evaluate`;
3. the page's reading of the POST (`views.read_post`: the signed link, the stamp and honeypot, the
   rate limits' subjects, the form, the content rules); then `views.take`: the limits and the
   stamp counted, the row written (the group commit of `intake.take_in`);
4. when the row was written: the view's 302, never cached, through the response parts of
   X-Frame-Options, CSRF, the Content-Security-Policy and SecurityMiddleware, as the lean
   middleware stack of settings.LEAN_STACKS gives it.

Anything else is Django's, on the same body: a request this path does not read (another content
type, a body over MAX_BODY), one refused before anything is counted (the HTTPS redirect, a control
character, CSRF, a forged or expired link), and, after 3., every POST not accepted (a refusal, a
rate limit, a replayed form, a database error): handed over with what was counted
(`views.TAKEN`), which the view answers as it stands, without counting it again. So every page but
the 302, and every log line of a refusal, is Django's as before.

If settings.LEAN_STACKS no longer gives the evaluation POST the stack this path stands for
(`STACK`), this path turns itself off: every POST goes to Django.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import get_script_prefix, reverse, set_script_prefix, set_urlconf
from django.utils.cache import add_never_cache_headers

from govwatch.core.middleware import control_character_in, trust_proxies

from . import views

# The lean stack of settings.LEAN_STACKS this path stands for, in its order.
STACK = [
    "django.middleware.security.SecurityMiddleware",
    "govwatch.core.middleware.RefuseControlCharacters",
    "csp.middleware.CSPMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The two middlewares before the lean stacks' split, of which this path runs the first itself.
AHEAD = ["govwatch.core.middleware.TrustedProxies", "govwatch.core.middleware.LeanStacks"]
# An evaluation form is a few KiB (a comment of 500 characters, percent-encoded); a larger body is
# Django's to read and refuse.
MAX_BODY = 64 * 1024
FORM = "application/x-www-form-urlencoded"
# The evaluation POST's address, as settings.LEAN_STACKS and settings.LEAN_PATHS give it: /e/<token>/
# of a signed token (which holds a colon).
PATH = r"/e/[^/:]+:[^/]+/"
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


def _unused(request: HttpRequest) -> HttpResponse:  # the middlewares' get_response, never called
    raise AssertionError("the lean evaluation POST calls its middlewares' parts, not their chain")


_REJECTED = HttpResponse(status=403)


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF middleware, whose refusal is handed back instead of answered and logged: the
    refused request goes to Django, which refuses it (and logs it) once."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return _REJECTED


def _stack_is_ours() -> bool:
    stacks = [
        list(stack) for method, path, stack in settings.LEAN_STACKS if method == "POST" and path == PATH
    ]
    return settings.MIDDLEWARE[:2] == AHEAD and stacks == [STACK]


class _Policy(CSPMiddleware):
    """django-csp's middleware, the 302's header built once: the 302 holds no nonce and no policy of
    its own, so its header is the settings' policy every time (building it was a tenth of this
    path's own work)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.headers: list[tuple[str, str]] | None = None
        # Excluded prefixes make the header depend on the address: then built each time.
        self.constant = not any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        )

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not self.constant:
            return super().process_response(request, response)
        if self.headers is None:
            built = super().process_response(request, HttpResponseRedirect("/"))
            self.headers = [(h, built[h]) for h in (HEADER, HEADER_REPORT_ONLY) if h in built]
        for header, value in self.headers:
            response[header] = value
        # As the middleware does once the header is written: a nonce asked for now is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class LeanEvaluationPost:
    def __init__(self) -> None:
        self.enabled = _stack_is_ours()
        self.path = re.compile(PATH)
        # The thanks page's address around its token (the URL's own, from the URLconf): a signed
        # token holds nothing to quote.
        self.thanks = (
            reverse("public:thanks", args=["TOKEN"]).removeprefix(get_script_prefix()).split("TOKEN")
        )
        self.security = SecurityMiddleware(_unused)
        self.csp = _Policy(_unused)
        self.csrf = _CsrfCheck(_unused)
        self.xframe = XFrameOptionsMiddleware(_unused)

    def __call__(self, environ: dict, start_response: StartResponse, django: WSGIApp) -> Iterable[bytes]:
        response, environ, _request = self.respond(environ)
        if response is None:
            return django(environ, start_response)
        # As Django's WSGIHandler answers; the server's close() of the response sends
        # request_finished (the database connections kept or closed).
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response

    def respond(
        self, environ: dict, *, csrf_checks: bool = True
    ) -> tuple[HttpResponseBase | None, dict, HttpRequest | None]:
        """The 302 of an accepted evaluation, the environ and the request it was read from; or None
        and the environ to hand to Django (the body put back, and what was counted, if anything).
        csrf_checks=False: the test client's request without CSRF checks (its own default)."""
        if not self.enabled or environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != FORM:
            return None, environ, None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None, environ, None
        if not 0 < length <= MAX_BODY:
            return None, environ, None
        body = environ["wsgi.input"].read(length)
        # What Django is given if it answers: the environ as it came (TrustedProxies changes the
        # request's), the body to read again.
        original = {**environ, "wsgi.input": io.BytesIO(body)}
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            request, taking = self._read(WSGIRequest(environ), csrf_checks)
        except Exception:  # nothing counted yet: Django's path meets it again and answers it
            request, taking = None, None
        if taking is None:
            return None, original, None
        # From here the POST is counted, once: whatever follows is answered from `taking`.
        set_script_prefix(get_script_name(environ))
        set_urlconf(settings.ROOT_URLCONF)
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        views.take(taking)
        if taking.error is not None or not taking.arrival.received:
            return None, {**original, views.TAKEN: taking}, None
        before, after = self.thanks
        response: HttpResponseBase = HttpResponseRedirect(
            f"{get_script_prefix()}{before}{taking.token}{after}"
        )
        add_never_cache_headers(response)  # the view's never_cache
        for middleware in (self.xframe, self.csrf, self.csp, self.security):
            response = middleware.process_response(request, response)
        response._handler_class = WSGIHandler  # the sender of request_finished
        return response, environ, request

    def _read(self, request: WSGIRequest, csrf_checks: bool) -> tuple[WSGIRequest, views.Taking | None]:
        """The request's parts of the middlewares and the page's reading of the POST; None when
        Django is to answer it (nothing is counted here)."""
        trust_proxies(request)
        if control_character_in(request) or self.security.process_request(request) is not None:
            return request, None
        self.csp.process_request(request)
        self.csrf.process_request(request)
        if not csrf_checks:
            request._dont_enforce_csrf_checks = True
        if not self.path.fullmatch(request.path_info):
            return request, None
        token = request.path_info[len("/e/") : -1]
        if self.csrf.process_view(request, views.evaluate, (), {"token": token}) is not None:
            return request, None
        try:
            return request, views.read_post(request, token)
        except views.Refused:
            return request, None
