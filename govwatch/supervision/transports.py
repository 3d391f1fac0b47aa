"""Notification transports: one class each behind one small interface.

A transport sends one text to one recipient and either returns, or raises `TemporaryFailure` (try
again later: gateway down, timeout, throttled) or `PermanentFailure` (never retry: bad number,
rejected template, missing configuration). The outbox (`dispatch`) decides what happens next.

Each class is built from settings by its `from_settings`; a missing credential is a permanent
failure naming the environment variable to set, shown on the outbox page rather than a crash. The
reasons a transport gives never carry a credential or a recipient in clear: they end up in
`Notification.last_error` and in the worker's log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMessage

from govwatch.core import pii

log = logging.getLogger(__name__)

# Chinese providers only send templates approved in advance, one per kind of message.
KINDS = {
    "red": "超时",
    "yellow": "预警",
    "order": "督办",
    "watch_yellow": "到期预警",
    "watch_red": "逾期提醒",
    "reminder": "催办提醒",
    "letter": "提醒函",
    "predicted": "超时风险",
    "feedback": "检查反馈",
    "complaint": "投诉转办",
    "invite": "评价邀请",
    "result": "结果反馈",
}


class TemporaryFailure(Exception):
    """Try again later. `in_doubt`: the provider may have taken the message all the same (no answer,
    or one nobody can read), so the next attempt asks it before sending again."""

    def __init__(self, reason: str = "", in_doubt: bool = False):
        super().__init__(reason)
        self.in_doubt = in_doubt


class NotYet(Exception):
    """The provider cannot tell yet whether it took an in-doubt message: ask again at `until`."""

    def __init__(self, until: datetime):
        super().__init__(until.isoformat())
        self.until = until


class PermanentFailure(Exception):
    pass


def _require(label: str, values: dict[str, str]) -> None:
    """Refuse to build a transport while any of its environment variables is empty."""
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise PermanentFailure(f"{label}未配置：请设置环境变量 {'、'.join(missing)}")


class Transport:
    """Sends one message. `key` names it in settings; `message_id` lets a gateway drop repeats.

    `kind` (red, yellow, order) picks a provider's pre-approved template and `params` fill its
    variables; without params a template gets the whole text as its one variable `text`.
    """

    key: ClassVar[str]
    label: ClassVar[str] = "通知"

    # Values never to appear in a failure reason (credentials, webhook tokens).
    secrets: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls) -> Transport:
        return cls()

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        raise NotImplementedError

    def accepted(self, recipient: str, message_id: str, since: datetime, now: datetime) -> bool | None:
        """Did the provider take message `message_id` for `recipient` at or after `since`?

        Asked before an in-doubt message is sent again. True: it did (the message counts as sent);
        False: it did not; None: this provider cannot be asked, so the message is sent again with
        the same id for the provider to drop as a repeat. May raise NotYet or TemporaryFailure.
        """
        return None

    def _failure(
        self, error: type[Exception], reason: str, recipient: str, in_doubt: bool = False
    ) -> Exception:
        """The exception to raise, its reason scrubbed and logged: the log tells why nothing arrived."""
        for secret in self.secrets:
            if secret:
                reason = reason.replace(secret, "***")
        # A provider may echo the number, in the form it was given or the form it was sent in.
        for form in {recipient, pii.normalise(recipient)} - {""}:
            reason = reason.replace(form, pii.mask(recipient))
        reason = reason[:300]
        log.warning("%s发送失败（%s）：%s", self.label, pii.mask(recipient), reason)
        if error is TemporaryFailure:
            return TemporaryFailure(reason, in_doubt=in_doubt)
        return error(reason)

    def _by_status(self, status: int, recipient: str, detail: str = "") -> Exception:
        """A failure judged by the HTTP status alone: 4xx (but 408, 429) is this message's fault.
        A 2xx or 5xx whose body says nothing leaves the message in doubt: the provider may have
        sent it before its answer got lost."""
        if 400 <= status < 500 and status not in (408, 429):
            return self._failure(PermanentFailure, f"{self.label}拒绝: HTTP {status}{detail}", recipient)
        in_doubt = status < 300 or status >= 500
        return self._failure(
            TemporaryFailure, f"{self.label}暂时不可用: HTTP {status}{detail}", recipient, in_doubt
        )

    @property
    def timeout(self) -> float:
        return settings.NOTIFY_TIMEOUT_SECONDS

    def _exchange(self, request: urllib.request.Request, recipient: str) -> tuple[int, bytes]:
        """The provider's answer (status, body), whatever the status; no answer at all is temporary,
        and in doubt unless the connection was refused (then nothing was sent)."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            # HTTPException: the connection broke mid-answer (or something not HTTP answered).
            cause = getattr(exc, "reason", exc)
            reason = f"{self.label}无法连接: {str(cause).strip()}"
            refused = isinstance(cause, ConnectionRefusedError)
            raise self._failure(TemporaryFailure, reason, recipient, in_doubt=not refused) from exc

    def _exchange_json(self, request: urllib.request.Request, recipient: str) -> tuple[int, dict]:
        """The provider's JSON answer; a body that is not JSON (a proxy's error page) goes by status."""
        status, body = self._exchange(request, recipient)
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise self._by_status(status, recipient, "，应答无法识别" if status < 400 else "")
        return status, answer

    def _template(self, templates: dict[str, str], kind: str, variable: str) -> str:
        template = templates.get(kind, "")
        if not template:
            name = KINDS.get(kind, kind or "未知")
            raise PermanentFailure(
                f"{self.label}未配置“{name}”类消息的模板：请设置环境变量 {variable}{kind.upper()}"
            )
        return template


class FileTransport(Transport):
    """The embedded default: appends each message to var/outbox.log (recipient masked)."""

    key = "file"

    def __init__(self, path: Path | None = None):
        self.path = path or (settings.VAR_DIR / "outbox.log")

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "id": message_id,
                "to": pii.mask(recipient),
                "text": text,
                "at": datetime.now().astimezone().isoformat(),
            },
            ensure_ascii=False,
        )
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    def accepted(self, recipient: str, message_id: str, since: datetime, now: datetime) -> bool | None:
        if not self.path.exists():
            return False
        mark = f'{{"id": {json.dumps(message_id)},'
        with self.path.open(encoding="utf-8") as f:
            return any(line.startswith(mark) for line in f)


class HttpSmsGateway(Transport):
    """A provincial or vendor SMS gateway that takes a JSON POST: {"phone", "text", "id"}.

    Configured by GOVWATCH_SMS_URL and an optional bearer token GOVWATCH_SMS_TOKEN. HTTP 2xx is
    sent; 4xx other than 408/429 is permanent (the gateway refused this message); the rest, and
    network errors, are temporary.
    """

    key = "http"
    label = "短信网关"

    def __init__(self, url: str, token: str = ""):
        self.url = url
        self.token = token
        self.secrets = (token,)

    @classmethod
    def from_settings(cls) -> HttpSmsGateway:
        _require(cls.label, {"GOVWATCH_SMS_URL": settings.SMS_URL})
        return cls(settings.SMS_URL, settings.SMS_TOKEN)

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        body = json.dumps({"phone": recipient, "text": text, "id": message_id}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        status, _ = self._exchange(request, recipient)
        if status >= 300:
            raise self._by_status(status, recipient)


def percent_encode(value: str) -> str:
    """Alibaba Cloud's RPC encoding: RFC 3986 unreserved characters kept, all else %XY of UTF-8
    (so a space is %20, not +, and * is %2A)."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Alibaba Cloud RPC signature (HMAC-SHA1, version 1.0) of the parameters but Signature."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms(Transport):
    """Alibaba Cloud SMS, the RPC API SendSms (version 2017-05-25) by signed GET.

    Answers carry a `Code`: "OK" is sent; throttling and the provider's own errors are temporary;
    everything else (bad number, template, signature, credentials, balance) is permanent.
    """

    key = "aliyun"
    label = "阿里云短信"
    TEMPORARY = (
        "Throttling", "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isp.SYSTEM_ERROR",
        "ServiceUnavailable", "InternalError",
    )  # fmt: skip

    def __init__(self, endpoint: str, access_key_id: str, access_key_secret: str, sign_name: str,
                 templates: dict[str, str]):  # fmt: skip
        self.endpoint = endpoint
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.templates = templates
        self.secrets = (access_key_secret,)

    @classmethod
    def from_settings(cls) -> AliyunSms:
        c = settings.ALIYUN_SMS
        _require(cls.label, {
            "GOVWATCH_ALIYUN_ACCESS_KEY_ID": c["access_key_id"],
            "GOVWATCH_ALIYUN_ACCESS_KEY_SECRET": c["access_key_secret"],
            "GOVWATCH_ALIYUN_SMS_SIGN_NAME": c["sign_name"],
        })  # fmt: skip
        return cls(c["endpoint"], c["access_key_id"], c["access_key_secret"], c["sign_name"], c["templates"])

    def _rpc(self, action: str, params: dict[str, str], recipient: str) -> tuple[int, dict]:
        """One signed RPC GET of `action`; the provider's status and JSON answer."""
        query = {
            "AccessKeyId": self.access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            **params,
        }
        query["Signature"] = aliyun_signature(query, self.access_key_secret)
        url = (
            self.endpoint
            + "?"
            + "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in query.items())
        )
        return self._exchange_json(urllib.request.Request(url, method="GET"), recipient)

    def _judge(self, status: int, answer: dict, recipient: str, what: str) -> None:
        """Return on Code OK, else raise the failure the code means."""
        code = str(answer.get("Code", ""))
        if code == "OK":
            return
        reason = f"{code} {answer.get('Message', '')}".strip() or f"HTTP {status}"
        if code.startswith(self.TEMPORARY) or status >= 500 or status == 429:
            raise self._failure(TemporaryFailure, f"{self.label}暂时无法{what}: {reason}", recipient)
        raise self._failure(PermanentFailure, f"{self.label}拒绝: {reason}", recipient)

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        status, answer = self._rpc("SendSms", {
            # Echoed in delivery receipts and in QuerySendDetails: ties the provider's record to
            # its outbox message, so an in-doubt message is looked up before it is sent again.
            "OutId": message_id,
            "PhoneNumbers": pii.normalise(recipient),
            "SignName": self.sign_name,
            "TemplateCode": self._template(self.templates, kind, "GOVWATCH_ALIYUN_TEMPLATE_"),
            "TemplateParam": json.dumps(params if params is not None else {"text": text}, ensure_ascii=False),
        }, recipient)  # fmt: skip
        self._judge(status, answer, recipient, "发送")

    PAGE = 50  # QuerySendDetails' largest page

    def accepted(self, recipient: str, message_id: str, since: datetime, now: datetime) -> bool | None:
        """QuerySendDetails for the number, day by day (China time) from `since`: a record with
        our OutId that is not a failed delivery (SendStatus 2) means the message was taken."""
        china = zoneinfo.ZoneInfo("Asia/Shanghai")
        day, last = since.astimezone(china).date(), now.astimezone(china).date()
        while day <= last:
            page = 1
            while True:
                status, answer = self._rpc("QuerySendDetails", {
                    "PhoneNumber": pii.normalise(recipient), "SendDate": day.strftime("%Y%m%d"),
                    "PageSize": str(self.PAGE), "CurrentPage": str(page),
                }, recipient)  # fmt: skip
                self._judge(status, answer, recipient, "查询")
                details = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
                if any(
                    str(d.get("OutId")) == message_id and str(d.get("SendStatus")) != "2" for d in details
                ):
                    return True
                if page * self.PAGE >= int(answer.get("TotalCount") or 0):
                    break
                page += 1
            day += timedelta(days=1)
        return False


def tc3_authorization(secret_id: str, secret_key: str, service: str, host: str, content_type: str,
                      payload: bytes, timestamp: int) -> str:  # fmt: skip
    """Tencent Cloud API 3.0 `Authorization` (TC3-HMAC-SHA256) of a POST to "/" signing the
    content-type and host headers."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_request = "\n".join([
        "POST", "/", "", f"content-type:{content_type}\nhost:{host}\n", signed_headers,
        hashlib.sha256(payload).hexdigest(),
    ])  # fmt: skip
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    )
    key = f"TC3{secret_key}".encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


class TencentSms(Transport):
    """Tencent Cloud SMS, API 3.0 SendSms (version 2021-01-11), one number per call.

    A request-level `Response.Error` and the number's `SendStatusSet[0].Code` are judged alike:
    "Ok" is sent; LimitExceeded.* and InternalError.* are temporary; the rest is permanent.
    """

    key = "tencent"
    label = "腾讯云短信"
    CONTENT_TYPE = "application/json; charset=utf-8"
    TEMPORARY = ("LimitExceeded", "RequestLimitExceeded", "InternalError")

    def __init__(self, endpoint: str, secret_id: str, secret_key: str, region: str, app_id: str, sign_name: str,
                 templates: dict[str, str]):  # fmt: skip
        self.endpoint = endpoint
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.region = region
        self.app_id = app_id
        self.sign_name = sign_name
        self.templates = templates
        self.secrets = (secret_key,)

    @classmethod
    def from_settings(cls) -> TencentSms:
        c = settings.TENCENT_SMS
        _require(cls.label, {
            "GOVWATCH_TENCENT_SECRET_ID": c["secret_id"],
            "GOVWATCH_TENCENT_SECRET_KEY": c["secret_key"],
            "GOVWATCH_TENCENT_SMS_APP_ID": c["app_id"],
            "GOVWATCH_TENCENT_SMS_SIGN_NAME": c["sign_name"],
        })  # fmt: skip
        return cls(c["endpoint"], c["secret_id"], c["secret_key"], c["region"], c["app_id"], c["sign_name"],
                   c["templates"])  # fmt: skip

    def _call(self, action: str, body: dict[str, Any], recipient: str) -> tuple[int, dict]:
        """One signed API 3.0 POST of `action`; the provider's status and JSON answer."""
        payload = json.dumps(body, ensure_ascii=False).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc.lower()
        timestamp = int(time.time())
        request = urllib.request.Request(self.endpoint, data=payload, method="POST")
        for name, value in {
            "Authorization": tc3_authorization(
                self.secret_id, self.secret_key, "sms", host, self.CONTENT_TYPE, payload, timestamp
            ),
            "Content-Type": self.CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }.items():
            request.add_header(name, value)
        return self._exchange_json(request, recipient)

    def _judge(self, status: int, outcome: Any, recipient: str, what: str) -> None:
        if not isinstance(outcome, dict):
            raise self._by_status(status, recipient, "，应答无法识别" if status < 400 else "")
        code = str(outcome.get("Code", ""))
        if code == "Ok":
            return
        reason = f"{code} {outcome.get('Message', '')}".strip()
        if code.startswith(self.TEMPORARY) or status >= 500:
            raise self._failure(TemporaryFailure, f"{self.label}暂时无法{what}: {reason}", recipient)
        raise self._failure(PermanentFailure, f"{self.label}拒绝: {reason}", recipient)

    @staticmethod
    def _e164(recipient: str) -> str:
        number = pii.normalise(recipient)
        return number if number.startswith("+") else f"+86{number}"

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        status, answer = self._call("SendSms", {
            "PhoneNumberSet": [self._e164(recipient)],
            "SmsSdkAppId": self.app_id,
            "SignName": self.sign_name,
            "TemplateId": self._template(self.templates, kind, "GOVWATCH_TENCENT_TEMPLATE_"),
            # Tencent's template variables are positional: the params in their order.
            "TemplateParamSet": [str(v) for v in (params if params is not None else {"text": text}).values()],
            # Returned with the message's status reports: an in-doubt message is looked up by it.
            "SessionContext": message_id,
        }, recipient)  # fmt: skip
        response = answer.get("Response") or {}
        self._judge(status, response.get("Error") or next(iter(response.get("SendStatusSet") or []), None),
                    recipient, "发送")  # fmt: skip

    # Status reports (the only records Tencent lets us look up) arrive after the handset's network
    # answers, usually within seconds; a message is looked up once this long after the attempt.
    REPORT_WAIT = timedelta(minutes=5)
    PAGE = 100

    def accepted(self, recipient: str, message_id: str, since: datetime, now: datetime) -> bool | None:
        """PullSmsSendStatusByPhoneNumber from `since`: a status report carrying our SessionContext
        that is not a failure means the message was taken."""
        if now < since + self.REPORT_WAIT:
            raise NotYet(since + self.REPORT_WAIT)
        offset = 0
        while True:
            status, answer = self._call("PullSmsSendStatusByPhoneNumber", {
                "SmsSdkAppId": self.app_id, "PhoneNumber": self._e164(recipient),
                "BeginTime": int(since.timestamp()) - 60, "EndTime": int(now.timestamp()),
                "Offset": offset, "Limit": self.PAGE,
            }, recipient)  # fmt: skip
            response = answer.get("Response") or {}
            if response.get("Error"):
                self._judge(status, response["Error"], recipient, "查询")
            reports = response.get("PullSmsSendStatusSet") or []
            if any(
                r.get("SessionContext") == message_id and r.get("ReportStatus") != "FAIL" for r in reports
            ):
                return True
            if len(reports) < self.PAGE:
                return False
            offset += self.PAGE


class _GroupRobot(Transport):
    """A chat group's robot webhook, the recipient @-mentioned by mobile number. The answer's
    `errcode` 0 is sent, the codes in TEMPORARY are tried again, any other is permanent."""

    TEMPORARY: ClassVar[frozenset[int]]

    def __init__(self, webhook: str):
        self.webhook = webhook
        # The webhook's query (key=, access_token=) is what lets anyone post to the group.
        self.secrets = (
            webhook,
            *(v for _, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(webhook).query)),
        )

    def _post(self, url: str, body: dict, recipient: str) -> None:
        request = urllib.request.Request(
            url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST"
        )
        request.add_header("Content-Type", "application/json; charset=utf-8")
        status, answer = self._exchange_json(request, recipient)
        if status >= 300:
            raise self._by_status(status, recipient)
        code = answer.get("errcode")
        if code == 0:
            return
        reason = f"errcode {code} {answer.get('errmsg', '')}".strip()
        if code in self.TEMPORARY:
            raise self._failure(TemporaryFailure, f"{self.label}暂时无法发送: {reason}", recipient)
        raise self._failure(PermanentFailure, f"{self.label}拒绝: {reason}", recipient)


class WeComRobot(_GroupRobot):
    """An Enterprise WeChat (企业微信) group robot: GOVWATCH_WECOM_WEBHOOK, the full URL with its key."""

    key = "wecom"
    label = "企业微信群机器人"
    # 45009: the robot's rate limit (20 a minute); -1: WeCom busy.
    TEMPORARY = frozenset({45009, -1})

    @classmethod
    def from_settings(cls) -> WeComRobot:
        _require(cls.label, {"GOVWATCH_WECOM_WEBHOOK": settings.WECOM_WEBHOOK})
        return cls(settings.WECOM_WEBHOOK)

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        body = {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": [recipient]}}
        self._post(self.webhook, body, recipient)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot signing: base64 HMAC-SHA256 of "<timestamp in ms>\\n<secret>" keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkRobot(_GroupRobot):
    """A DingTalk (钉钉) group robot: GOVWATCH_DINGTALK_WEBHOOK, signed when the robot has a secret
    (GOVWATCH_DINGTALK_SECRET, its "加签" security setting)."""

    key = "dingtalk"
    label = "钉钉群机器人"
    # 130101: sending too fast; -1: DingTalk busy.
    TEMPORARY = frozenset({130101, -1})

    def __init__(self, webhook: str, secret: str = ""):
        super().__init__(webhook)
        self.secret = secret
        self.secrets = (*self.secrets, secret)

    @classmethod
    def from_settings(cls) -> DingTalkRobot:
        _require(cls.label, {"GOVWATCH_DINGTALK_WEBHOOK": settings.DINGTALK_WEBHOOK})
        return cls(settings.DINGTALK_WEBHOOK, settings.DINGTALK_SECRET)

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        url = self.webhook
        if self.secret:
            # A signature is good for an hour, so it is made afresh for every attempt.
            timestamp = int(time.time() * 1000)
            signed = urllib.parse.urlencode(
                {"timestamp": timestamp, "sign": dingtalk_sign(self.secret, timestamp)}
            )
            url += ("&" if "?" in url else "?") + signed
        body = {"msgtype": "text", "text": {"content": text}, "at": {"atMobiles": [recipient]}}
        self._post(url, body, recipient)


class EmailTransport(Transport):
    """Email through Django's mail backend (EMAIL_* settings); the recipient is an address.

    A refusal with an SMTP 5xx code is permanent, 4xx and a server out of reach are temporary.
    """

    key = "email"
    label = "邮件"
    SUBJECTS = {
        "red": "办件超时提醒", "yellow": "办件即将超时预警", "order": "督办通知",
        "watch_yellow": "事项即将到期预警", "watch_red": "事项逾期提醒", "reminder": "催办提醒",
        "predicted": "办件超时风险预警",
    }  # fmt: skip

    def send(
        self, recipient: str, text: str, message_id: str, params: dict[str, Any] | None = None, kind: str = ""
    ) -> None:
        sender = settings.DEFAULT_FROM_EMAIL
        domain = sender.rpartition("@")[2] or "localhost"
        mail = EmailMessage(
            subject=f"【政务服务效能监督】{self.SUBJECTS.get(kind, '通知')}",
            body=text,
            from_email=sender,
            to=[recipient],
            # One Message-ID per outbox message: a copy sent again after a lost worker is a duplicate
            # the mailbox can recognise.
            headers={"Message-ID": f"<govwatch.{message_id}@{domain}>"},
        )
        try:
            mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = PermanentFailure if codes and all(c >= 500 for c in codes) else TemporaryFailure
            detail = "; ".join(f"{code} {_smtp_text(answer)}" for code, answer in exc.recipients.values())
            raise self._failure(error, f"邮件服务器拒收: SMTP {detail}", recipient) from exc
        except smtplib.SMTPResponseException as exc:
            error = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
            reason = f"邮件服务器拒绝: SMTP {exc.smtp_code} {_smtp_text(exc.smtp_error)}"
            raise self._failure(error, reason, recipient) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failure(TemporaryFailure, f"邮件服务器无法连接: {exc}", recipient) from exc


def _smtp_text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


SMS_TRANSPORTS: dict[str, type[Transport]] = {
    c.key: c for c in (FileTransport, HttpSmsGateway, AliyunSms, TencentSms)
}
CHANNEL_TRANSPORTS: dict[str, type[Transport]] = {
    c.key: c for c in (WeComRobot, DingTalkRobot, EmailTransport)
}


def sms_transport() -> Transport:
    """The SMS transport the settings name (GOVWATCH_SMS_TRANSPORT: file, http, aliyun or tencent)."""
    transport = SMS_TRANSPORTS.get(settings.SMS_TRANSPORT)
    if transport is None:
        # Falling back to the file would report messages as sent that nobody receives.
        raise PermanentFailure(
            f"未知的短信通道 GOVWATCH_SMS_TRANSPORT={settings.SMS_TRANSPORT}，可选：{'、'.join(SMS_TRANSPORTS)}"
        )
    return transport.from_settings()


def transport_for(channel: str) -> Transport:
    if channel == "sms":
        return sms_transport()
    transport = CHANNEL_TRANSPORTS.get(channel)
    if transport is None:
        raise PermanentFailure(f"未配置的通知渠道: {channel}")
    return transport.from_settings()
