"""Signed links of the public evaluation channels.

An evaluation link (/e/<token>/) carries the case number, the channel it was given through
(qr: the acceptance notice or a window's QR; sms: the invitation; web: any other) and, for the
window flow, the window code. It is signed by Django's TimestampSigner with its own salt, so a link
cannot be made up or altered, and it lives for the evaluation window plus a margin from the moment
it was issued: the margin covers a case whose link was printed on its acceptance notice (it is
evaluated after its handling) and the citizen coming back to see the outcome of a complaint.

A window link (/e/w/<token>/) carries a window code and does not expire: it is printed and posted
at the window. A form stamp dates the moment a form was shown (minimum fill time).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from govwatch.cases.models import Case
from govwatch.core.choices import EvalChannel
from govwatch.evaluations import rules

LINK_SALT = "govwatch.public.evaluation-link"
WINDOW_SALT = "govwatch.public.window-link"
STAMP_SALT = "govwatch.public.form-stamp"
LINK_CHANNELS = (EvalChannel.QR.value, EvalChannel.SMS.value, EvalChannel.WEB.value)


class ForgedLink(Exception):
    """The signature does not hold: the link was made up or altered."""


class ExpiredLink(Exception):
    """The link was genuine but is older than its lifetime."""


@dataclass(frozen=True)
class Link:
    case_no: str
    channel: str
    window_code: str = ""


def link_lifetime() -> timedelta:
    return timedelta(days=settings.EVALUATION_WINDOW_DAYS + settings.PUBLIC_LINK_MARGIN_DAYS)


def link_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=LINK_SALT)


def make_token(case_no: str, channel: str = EvalChannel.WEB, window_code: str = "") -> str:
    if channel not in LINK_CHANNELS:
        raise ValueError(f"an evaluation link is given by qr, sms or web, not {channel!r}")
    payload = {"c": case_no, "ch": str(channel)}
    if window_code:
        payload["w"] = window_code
    return link_signer().sign_object(payload)


def read_token(token: str) -> Link:
    """The link a token stands for; ForgedLink or ExpiredLink otherwise."""
    try:
        payload = link_signer().unsign_object(token, max_age=link_lifetime())
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except (signing.BadSignature, ValueError) as exc:
        raise ForgedLink from exc
    if not isinstance(payload, dict) or payload.get("ch") not in LINK_CHANNELS or not payload.get("c"):
        raise ForgedLink
    return Link(str(payload["c"]), payload["ch"], str(payload.get("w", "")))


def evaluation_link(case: Case, channel: str = EvalChannel.WEB, window_code: str = "") -> str:
    """The path of a case's evaluation page, e.g. /e/<token>/; absolute_url makes it a full address."""
    return reverse("public:evaluate", args=[make_token(case.case_no, channel, window_code)])


def window_token(window_code: str) -> str:
    return signing.Signer(salt=WINDOW_SALT).sign_object({"w": window_code})


def read_window_token(token: str) -> str:
    try:
        payload = signing.Signer(salt=WINDOW_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:
        raise ForgedLink from exc
    if not isinstance(payload, dict) or not payload.get("w"):
        raise ForgedLink
    return str(payload["w"])


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """A full address for a QR code or an SMS: the public address when it is set (the office prints
    notices from the intranet, citizens open them from the internet), else the request's own."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + path
    if request is None:
        raise ValueError("GOVWATCH_PUBLIC_BASE_URL is not set: no public address to give outside a request")
    return request.build_absolute_uri(path)


def evaluation_last_day(case: Case) -> date:
    """The last local day a citizen may evaluate the case (the intake's own rule), to tell them
    before they fill the form."""
    return rules.evaluation_last_day(case.closed_at)


def window_closed(case: Case, now: datetime) -> bool:
    return rules.window_closed(case.closed_at, now)


def form_stamp(scope: str) -> str:
    """The signed moment a form was shown, bound to what it is for (a link, a window), with a nonce
    that makes each shown form good for one submission."""
    return signing.Signer(salt=STAMP_SALT).sign_object(
        {"s": scope, "t": time.time(), "n": secrets.token_urlsafe(9)}
    )


@dataclass(frozen=True)
class Stamp:
    age: float  # seconds since the form was shown
    nonce: str  # what makes the shown form good for one submission ("" for a stamp without one)


def read_stamp(stamp: str, scope: str) -> Stamp | None:
    """A form's stamp, its signature checked once; None when it is not one of ours for `scope`."""
    try:
        payload = signing.Signer(salt=STAMP_SALT).unsign_object(stamp)
    except (signing.BadSignature, ValueError):
        return None
    if (
        not isinstance(payload, dict)
        or payload.get("s") != scope
        or not isinstance(payload.get("t"), float | int)
    ):
        return None
    nonce = payload.get("n")
    return Stamp(time.time() - payload["t"], nonce if isinstance(nonce, str) else "")
