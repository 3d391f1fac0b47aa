"""A stand-in for the SMS providers on loopback, for the fault suite and the deployment test.

It speaks enough of three protocols for GovWatch's transports: the JSON gateway (`http`, POST
/http; a repeated id is dropped, as the gateway contract says), Alibaba Cloud's RPC API (GET
/aliyun/: SendSms and QuerySendDetails, signatures checked) and Tencent Cloud's API 3.0 (POST
/tencent/: SendSms and PullSmsSendStatusByPhoneNumber, signatures checked). Like the real cloud
providers, the Alibaba and Tencent stand-ins do not drop a repeated OutId or SessionContext: a
message sent twice is delivered twice, and `deliveries()` shows it.

Faults are chosen by `mode` (a string, or a function of the stand-in's clock returning one):
ok; fail (the provider's own error); hang (no answer, then the connection closed); garbage (200
with bytes that are not an answer); and accept_hang, accept_garbage, accept_kill (the message is
taken, then no answer, garbage, or the sending process killed with SIGKILL before any answer: the
crash between the provider's acceptance and GovWatch's commit).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.parse
import uuid
import zoneinfo
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from govwatch.supervision.transports import KINDS, aliyun_signature, tc3_authorization

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
ALIYUN_KEY_ID, ALIYUN_SECRET = "fake-key-id", "fake-aliyun-secret"
TENCENT_ID, TENCENT_KEY, TENCENT_APP = "fake-secret-id", "fake-tencent-key", "1400000000"
GARBAGE = b"<html><body>502 Bad Gateway</body></html>\x00\xff"


class FakeSms:
    def __init__(self, clock: Callable[[], datetime] | None = None, hang_seconds: float = 3.0):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.mode: str | Callable[[datetime], str] = "ok"
        self.hang_seconds = hang_seconds
        self.delay = 0.0  # seconds the provider takes over each message it sends
        self.kill_pid: int | None = None  # for accept_kill; the pid of the process to kill
        self.lock = threading.Lock()
        self.accepted: list[dict[str, Any]] = []  # every message taken, repeats included
        self.requests: list[dict[str, Any]] = []  # every send attempt: id, moment, mode
        self.queries = 0
        self.dropped_repeats = 0
        self.server: ThreadingHTTPServer | None = None

    # -- set-up -----------------------------------------------------------------------------------

    def start(self) -> FakeSms:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def environment(self, protocol: str) -> dict[str, str]:
        """The GovWatch settings (environment variables) that send SMS to this stand-in."""
        templates = {f"GOVWATCH_{protocol.upper()}_TEMPLATE_{k.upper()}": f"SMS_{k.upper()}" for k in KINDS}
        if protocol == "http":
            return {"GOVWATCH_SMS_TRANSPORT": "http", "GOVWATCH_SMS_URL": f"{self.base}/http"}
        if protocol == "aliyun":
            return {"GOVWATCH_SMS_TRANSPORT": "aliyun", "GOVWATCH_ALIYUN_SMS_ENDPOINT": f"{self.base}/aliyun/",
                    "GOVWATCH_ALIYUN_ACCESS_KEY_ID": ALIYUN_KEY_ID, "GOVWATCH_ALIYUN_ACCESS_KEY_SECRET": ALIYUN_SECRET,
                    "GOVWATCH_ALIYUN_SMS_SIGN_NAME": "政务监督", **templates}  # fmt: skip
        if protocol == "tencent":
            return {"GOVWATCH_SMS_TRANSPORT": "tencent", "GOVWATCH_TENCENT_SMS_ENDPOINT": f"{self.base}/tencent/",
                    "GOVWATCH_TENCENT_SECRET_ID": TENCENT_ID, "GOVWATCH_TENCENT_SECRET_KEY": TENCENT_KEY,
                    "GOVWATCH_TENCENT_SMS_APP_ID": TENCENT_APP, "GOVWATCH_TENCENT_SMS_SIGN_NAME": "政务监督",
                    **templates}  # fmt: skip
        raise ValueError(protocol)

    def settings(self, protocol: str) -> dict[str, Any]:
        """The same, as Django settings for override_settings (tests in one process)."""
        if protocol == "http":
            return {"SMS_TRANSPORT": "http", "SMS_URL": f"{self.base}/http"}
        templates = {k: f"SMS_{k.upper()}" for k in KINDS}
        if protocol == "aliyun":
            return {"SMS_TRANSPORT": "aliyun", "ALIYUN_SMS": {
                "endpoint": f"{self.base}/aliyun/", "access_key_id": ALIYUN_KEY_ID,
                "access_key_secret": ALIYUN_SECRET, "sign_name": "政务监督", "templates": templates}}  # fmt: skip
        return {"SMS_TRANSPORT": "tencent", "TENCENT_SMS": {
            "endpoint": f"{self.base}/tencent/", "secret_id": TENCENT_ID, "secret_key": TENCENT_KEY,
            "region": "ap-guangzhou", "app_id": TENCENT_APP, "sign_name": "政务监督", "templates": templates}}  # fmt: skip

    # -- what happened ----------------------------------------------------------------------------

    def deliveries(self) -> Counter:
        """How many times each message id was delivered."""
        with self.lock:
            return Counter(m["id"] for m in self.accepted)

    def attempts_of(self, message_id: str) -> list[datetime]:
        with self.lock:
            return [r["at"] for r in self.requests if r["id"] == message_id]

    # -- the protocols ----------------------------------------------------------------------------

    def _mode(self) -> str:
        return self.mode(self.clock()) if callable(self.mode) else self.mode

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(h.path)
        try:
            if url.path.startswith("/aliyun"):
                self._aliyun(h, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)))
            elif url.path.startswith("/tencent"):
                self._tencent(h, body)
            elif url.path.startswith("/http"):
                self._http(h, body)
            else:
                self._answer(h, 404, {"error": "not found"})
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _answer(
        self, h: BaseHTTPRequestHandler, status: int, doc: Any = None, raw: bytes | None = None
    ) -> None:
        data = raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _fault(self, h: BaseHTTPRequestHandler, fault: str) -> None:
        """Act out a fault that leaves no proper answer: hang, garbage or kill."""
        if fault == "hang":
            time.sleep(self.hang_seconds)
            h.close_connection = True
        elif fault == "garbage":
            self._answer(h, 200, raw=GARBAGE)
        elif fault == "kill":
            if self.kill_pid:
                os.kill(self.kill_pid, signal.SIGKILL)
            h.close_connection = True

    def _take(self, protocol: str, message_id: str, phone: str, text: str) -> None:
        with self.lock:
            self.accepted.append({"protocol": protocol, "id": message_id, "phone": phone, "text": text,
                                  "at": self.clock(), "serial": uuid.uuid4().hex})  # fmt: skip

    def _send(self, h: BaseHTTPRequestHandler, protocol: str, message_id: str, phone: str, text: str,
              failure: tuple[int, Any], success: tuple[int, Any]) -> None:  # fmt: skip
        mode = self._mode()
        with self.lock:
            self.requests.append({"id": message_id, "at": self.clock(), "mode": mode})
        if mode == "fail":
            return self._answer(h, *failure)
        if mode in ("hang", "garbage"):
            return self._fault(h, mode)
        time.sleep(self.delay)
        self._take(protocol, message_id, phone, text)
        if mode.startswith("accept_"):
            return self._fault(h, mode.removeprefix("accept_"))
        return self._answer(h, *success)

    def _http(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        doc = json.loads(body)
        with self.lock:
            repeat = any(m["id"] == doc["id"] and m["protocol"] == "http" for m in self.accepted)
            if repeat:
                self.dropped_repeats += 1
        if repeat and self._mode() == "ok":
            return self._answer(h, 200, {"ok": True, "repeat": True})
        return self._send(
            h,
            "http",
            doc["id"],
            doc["phone"],
            doc["text"],
            (503, {"error": "unavailable"}),
            (200, {"ok": True}),
        )

    def _aliyun(self, h: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        signature = query.pop("Signature", "")
        if query.get("AccessKeyId") != ALIYUN_KEY_ID or signature != aliyun_signature(query, ALIYUN_SECRET):
            return self._answer(
                h, 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
            )
        action = query.get("Action")
        if action == "SendSms":
            return self._send(
                h, "aliyun", query.get("OutId", ""), query["PhoneNumbers"], query.get("TemplateParam", ""),
                (500, {"Code": "isp.SYSTEM_ERROR", "Message": "system error"}),
                (200, {"Code": "OK", "Message": "OK", "BizId": uuid.uuid4().hex[:20], "RequestId": uuid.uuid4().hex}),
            )  # fmt: skip
        if action == "QuerySendDetails":
            mode = self._mode()
            if mode == "fail":
                return self._answer(h, 500, {"Code": "isp.SYSTEM_ERROR", "Message": "system error"})
            if mode in ("hang", "garbage"):
                return self._fault(h, mode)
            with self.lock:
                self.queries += 1
                found = [m for m in self.accepted if m["protocol"] == "aliyun" and m["phone"] == query["PhoneNumber"]
                         and m["at"].astimezone(CHINA).strftime("%Y%m%d") == query["SendDate"]]  # fmt: skip
            size, page = int(query["PageSize"]), int(query["CurrentPage"])
            shown = found[(page - 1) * size : page * size]
            details = [{"OutId": m["id"], "PhoneNum": m["phone"], "SendStatus": 3, "ErrCode": "DELIVERED",
                        "SendDate": m["at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")} for m in shown]  # fmt: skip
            return self._answer(h, 200, {"Code": "OK", "Message": "OK", "TotalCount": len(found),
                                         "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}})  # fmt: skip
        return self._answer(h, 400, {"Code": "InvalidAction.NotFound"})

    def _tencent(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        timestamp = int(h.headers.get("X-TC-Timestamp", "0"))
        host = h.headers.get("Host", "")
        expected = tc3_authorization(
            TENCENT_ID, TENCENT_KEY, "sms", host, h.headers.get("Content-Type", ""), body, timestamp
        )
        if h.headers.get("Authorization") != expected:
            return self._answer(
                h,
                200,
                {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}}},
            )
        doc = json.loads(body)
        action = h.headers.get("X-TC-Action")
        request_id = uuid.uuid4().hex
        if action == "SendSms":
            phone = doc["PhoneNumberSet"][0]
            return self._send(
                h, "tencent", doc.get("SessionContext", ""), phone, json.dumps(doc.get("TemplateParamSet"), ensure_ascii=False),
                (200, {"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "timeout"}, "RequestId": request_id}}),
                (200, {"Response": {"SendStatusSet": [{"SerialNo": uuid.uuid4().hex, "PhoneNumber": phone, "Fee": 1,
                                                       "SessionContext": doc.get("SessionContext", ""), "Code": "Ok",
                                                       "Message": "send success"}], "RequestId": request_id}}),
            )  # fmt: skip
        if action == "PullSmsSendStatusByPhoneNumber":
            mode = self._mode()
            if mode == "fail":
                return self._answer(
                    h, 200, {"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "timeout"}}}
                )
            if mode in ("hang", "garbage"):
                return self._fault(h, mode)
            begin, end = doc["BeginTime"], doc.get("EndTime", 2**40)
            with self.lock:
                self.queries += 1
                # A status report comes a second after the message was taken.
                found = [m for m in self.accepted if m["protocol"] == "tencent" and m["phone"] == doc["PhoneNumber"]
                         and begin <= (m["at"] + timedelta(seconds=1)).timestamp() <= end]  # fmt: skip
            shown = found[doc["Offset"] : doc["Offset"] + doc["Limit"]]
            reports = [{"UserReceiveTime": int(m["at"].timestamp()) + 1, "CountryCode": "86", "PhoneNumber": m["phone"],
                        "SerialNo": m["serial"], "ReportStatus": "SUCCESS", "Description": "DELIVRD",
                        "SessionContext": m["id"]} for m in shown]  # fmt: skip
            return self._answer(
                h, 200, {"Response": {"PullSmsSendStatusSet": reports, "RequestId": request_id}}
            )
        return self._answer(h, 200, {"Response": {"Error": {"Code": "InvalidAction", "Message": action}}})
