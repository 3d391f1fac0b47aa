"""Notification transports: one class each behind one small interface.

A transport sends one text to one recipient and either returns, or raises `TemporaryFailure` (try
again later: gateway down, timeout, throttled) or `PermanentFailure` (never retry: bad number,
rejected template). The outbox (`dispatch`) decides what happens next.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from django.conf import settings

from govwatch.core import pii


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


class Transport:
    """Sends one message. `key` names it in settings; `message_id` lets a gateway drop repeats."""

    key: ClassVar[str]

    def send(self, recipient: str, text: str, message_id: str) -> None:
        raise NotImplementedError


class FileTransport(Transport):
    """The embedded default: appends each message to var/outbox.log (recipient masked)."""

    key = "file"

    def __init__(self, path: Path | None = None):
        self.path = path or (settings.VAR_DIR / "outbox.log")

    def send(self, recipient: str, text: str, message_id: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"id": message_id, "to": pii.mask(recipient), "text": text, "at": datetime.now().astimezone().isoformat()},
            ensure_ascii=False,
        )
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


class HttpSmsGateway(Transport):
    """A provincial or vendor SMS gateway that takes a JSON POST: {"phone", "text", "id"}.

    Configured by GOVWATCH_SMS_URL and an optional bearer token GOVWATCH_SMS_TOKEN. HTTP 2xx is
    sent; 4xx other than 408/429 is permanent (the gateway refused this message); the rest, and
    network errors, are temporary.
    """

    key = "http"
    timeout = 10

    def __init__(self, url: str, token: str = ""):
        self.url = url
        self.token = token

    def send(self, recipient: str, text: str, message_id: str) -> None:
        body = json.dumps({"phone": recipient, "text": text, "id": message_id}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentFailure(f"短信网关拒绝: HTTP {exc.code}") from exc
            raise TemporaryFailure(f"短信网关暂时不可用: HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise TemporaryFailure(f"短信网关无法连接: {getattr(exc, 'reason', exc)}") from exc


def sms_transport() -> Transport:
    """The SMS transport the settings name (GOVWATCH_SMS_TRANSPORT: file or http)."""
    kind = settings.SMS_TRANSPORT
    if kind == "http":
        return HttpSmsGateway(settings.SMS_URL, settings.SMS_TOKEN)
    return FileTransport()


def transport_for(channel: str) -> Transport:
    if channel == "sms":
        return sms_transport()
    raise PermanentFailure(f"未配置的通知渠道: {channel}")
