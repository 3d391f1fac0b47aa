"""Each transport against a real server on loopback that checks the request as the provider would:
method, path, parameters, headers, and a signature recomputed here from the provider's documented
algorithm. The signing functions themselves are held to the providers' published worked examples."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import socketserver
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from govwatch.core import pii
from govwatch.supervision.dispatch import backoff, dispatch
from govwatch.supervision.models import Notification
from govwatch.supervision.scan import scan
from govwatch.supervision.transports import aliyun_signature, percent_encode, tc3_authorization

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 20, 9, 1)
PHONE = "13800001111"
MASKED = "138****1111"
TEXT = "政务服务网食品经营许可的业务办理已经超时，业务编号：C1，请及时登录系统跟踪督察。"
ALIYUN_SECRET = "aliyun-secret-0f9e8d"
TENCENT_SECRET = "tencent-secret-7a6b5c"
WEBHOOK_KEY = "robot-key-3c2b1a"
DINGTALK_SECRET = "SECdingtalk-secret-9z8y"
SECRETS = (ALIYUN_SECRET, TENCENT_SECRET, WEBHOOK_KEY, DINGTALK_SECRET)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Provider:
    """A provider's HTTP API on loopback: records every request and answers with the replies it is
    given, (status, JSON or raw bytes), then with `ok` once they run out."""

    def __init__(self, ok: dict):
        self.ok = ok
        self.seen: list[Seen] = []
        self.replies: list[tuple[int, dict | bytes]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                split = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                provider.seen.append(Seen(
                    self.command, split.path, dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True)),
                    {k.lower(): v for k, v in self.headers.items()}, body,
                ))  # fmt: skip
                status, reply = provider.replies.pop(0) if provider.replies else (200, provider.ok)
                raw = reply if isinstance(reply, bytes) else json.dumps(reply, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on: the gateway is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queue(channel: str, recipient: str = PHONE, kind: str = "red", text: str = TEXT) -> Notification:
    digest, token = pii.protect(recipient)
    return Notification.objects.create(
        kind=kind, channel=channel, recipient_hash=digest, recipient_enc=token,
        recipient_masked=pii.mask(recipient), text=text,
    )  # fmt: skip


def reloaded(message: Notification) -> Notification:
    return Notification.objects.get(id=message.id)


# --- the signing functions against the providers' published examples ---------------------------


def test_aliyun_signature_reproduces_the_documented_rpc_example():
    # Alibaba Cloud, "RPC signature mechanism": DescribeRegions signed with AccessKeySecret testsecret.
    params = {
        "Timestamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26", "SignatureVersion": "1.0",
    }  # fmt: skip
    assert aliyun_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_aliyun_signature_reproduces_the_documented_sendsms_example():
    # Alibaba Cloud SMS, "HTTP protocol and signature": a SendSms with a Chinese SignName and JSON param.
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }  # fmt: skip
    assert aliyun_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_percent_encode_follows_alibabas_rules_not_form_encoding():
    # Space is %20 (not +), * is encoded, ~ is not; other bytes are %XY of UTF-8 in capitals.
    assert percent_encode("a b*c~d") == "a%20b%2Ac~d"
    assert percent_encode('{"text":"超时"}') == "%7B%22text%22%3A%22%E8%B6%85%E6%97%B6%22%7D"


def test_tc3_signature_reproduces_the_documented_example():
    # Tencent Cloud API 3.0, "Signature v3": DescribeInstances on cvm at timestamp 1551113065.
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    authorization = tc3_authorization(
        "AKID**********************0123456789EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm",
        "cvm.tencentcloudapi.com", "application/json; charset=utf-8", payload, 1551113065,
    )  # fmt: skip
    assert authorization == (
        "TC3-HMAC-SHA256 Credential=AKID**********************0123456789EXAMPLE/2019-02-25/cvm/tc3_request, "
        "SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


# --- Alibaba Cloud SMS -----------------------------------------------------------------------------


def aliyun_encode(value: str) -> str:
    # Alibaba's documented recipe: form-encode, then "+" -> "%20", "*" -> "%2A", "%7E" -> "~".
    return urllib.parse.quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_expected_signature(query: dict[str, str], secret: str) -> str:
    canonical = "&".join(
        f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in sorted(query.items()) if k != "Signature"
    )
    string_to_sign = "GET&%2F&" + aliyun_encode(canonical)
    return base64.b64encode(
        hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    ).decode()


ALIYUN_TEMPLATES = {"red": "SMS_100001", "yellow": "SMS_100002", "order": "SMS_100003"}


@pytest.fixture
def aliyun(settings):
    provider = Provider(
        ok={"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "R1"}
    )
    settings.SMS_TRANSPORT = "aliyun"
    settings.ALIYUN_SMS = {
        "endpoint": provider.url, "access_key_id": "LTAI-test-id", "access_key_secret": ALIYUN_SECRET,
        "sign_name": "天衢新区政务服务", "templates": dict(ALIYUN_TEMPLATES),
    }  # fmt: skip
    yield provider
    provider.close()


def test_aliyun_sends_the_template_of_the_kind_with_a_valid_signature(aliyun):
    red, order = queue("sms"), queue("sms", "13900009999", kind="order", text="督办单 DB-1 请于三日内回复")
    assert dispatch(now=NOW) == {"sent": 2, "queued": 0, "failed": 0}
    by_id = {s.query["OutId"]: s for s in aliyun.seen}
    for message, template, number in ((red, "SMS_100001", PHONE), (order, "SMS_100003", "13900009999")):
        seen = by_id[str(message.id)]
        assert (seen.method, seen.path) == ("GET", "/")
        q = seen.query
        assert q["Action"] == "SendSms" and q["Version"] == "2017-05-25" and q["Format"] == "JSON"
        assert q["AccessKeyId"] == "LTAI-test-id" and q["SignName"] == "天衢新区政务服务"
        assert q["PhoneNumbers"] == number and q["TemplateCode"] == template
        assert json.loads(q["TemplateParam"]) == {"text": message.text}
        assert q["SignatureMethod"] == "HMAC-SHA1" and q["SignatureVersion"] == "1.0" and q["SignatureNonce"]
        sent_at = datetime.strptime(q["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert abs((datetime.now(UTC) - sent_at).total_seconds()) < 60
        assert q["Signature"] == aliyun_expected_signature(q, ALIYUN_SECRET)
        assert ALIYUN_SECRET not in json.dumps(q)
    assert {reloaded(m).status for m in (red, order)} == {"sent"}


def test_a_scanned_red_card_goes_out_with_the_red_template(aliyun, make_case):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 20))
    assert dispatch(now=NOW)["sent"] == 2
    assert {s.query["TemplateCode"] for s in aliyun.seen} == {"SMS_100001"}


def test_aliyun_throttled_is_queued_with_back_off_then_sent(aliyun):
    message = queue("sms")
    aliyun.replies = [(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"})]
    assert dispatch(now=NOW)["queued"] == 1
    m = reloaded(message)
    assert m.status == "queued" and m.attempts == 1 and m.next_attempt_at == NOW + backoff(1)
    assert "isv.BUSINESS_LIMIT_CONTROL" in m.last_error
    assert dispatch(now=NOW + backoff(1))["sent"] == 1
    assert len(aliyun.seen) == 2 and reloaded(message).status == "sent"


@pytest.mark.parametrize(
    ("status", "reply", "outcome"),
    [
        (
            200,
            {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."},
            "queued",
        ),
        (200, {"Code": "isp.SYSTEM_ERROR", "Message": "isp.SYSTEM_ERROR"}, "queued"),
        (502, b"<html>Bad Gateway</html>", "queued"),
        (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}, "failed"),
        (200, {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "模板缺少变量"}, "failed"),
        (400, {"Code": "isv.INVALID_PARAMETERS", "Message": "参数异常"}, "failed"),
        (400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}, "failed"),
    ],
)
def test_aliyun_answers_are_judged_by_their_code(aliyun, status, reply, outcome):
    message = queue("sms")
    aliyun.replies = [(status, reply)]
    dispatch(now=NOW)
    m = reloaded(message)
    assert m.status == outcome and m.last_error.startswith("阿里云短信")
    if outcome == "failed":
        assert dispatch(now=NOW + backoff(8))["sent"] == 0 and len(aliyun.seen) == 1  # never retried


def test_aliyun_without_credentials_or_template_fails_naming_the_variable(aliyun, settings):
    settings.ALIYUN_SMS = dict(settings.ALIYUN_SMS, access_key_secret="")
    no_key = queue("sms")
    dispatch(now=NOW)
    assert reloaded(no_key).status == "failed"
    assert reloaded(no_key).last_error == "阿里云短信未配置：请设置环境变量 GOVWATCH_ALIYUN_ACCESS_KEY_SECRET"
    settings.ALIYUN_SMS = dict(
        settings.ALIYUN_SMS, access_key_secret=ALIYUN_SECRET, templates={"red": "SMS_1"}
    )
    no_template = queue("sms", kind="yellow")
    dispatch(now=NOW)
    assert "GOVWATCH_ALIYUN_TEMPLATE_YELLOW" in reloaded(no_template).last_error
    assert not aliyun.seen


# --- Tencent Cloud SMS -----------------------------------------------------------------------------


def tc3_verifies(seen: Seen, secret_id: str, secret_key: str) -> bool:
    """Tencent's server-side check, written from the "Signature v3" document."""
    match = re.fullmatch(
        r"TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/sms/tc3_request, "
        r"SignedHeaders=(?P<signed>[a-z;-]+), Signature=(?P<sig>[0-9a-f]{64})",
        seen.headers["authorization"],
    )
    assert match and match["id"] == secret_id
    signed = match["signed"].split(";")
    assert {"content-type", "host"} <= set(signed)
    timestamp = int(seen.headers["x-tc-timestamp"])
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    headers = "".join(f"{name}:{seen.headers[name].strip().lower()}\n" for name in signed)
    canonical = f"POST\n/\n\n{headers}\n{match['signed']}\n{hashlib.sha256(seen.body).hexdigest()}"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    date_key = hmac.new(("TC3" + secret_key).encode(), date.encode(), hashlib.sha256).digest()
    service_key = hmac.new(date_key, b"sms", hashlib.sha256).digest()
    signing_key = hmac.new(service_key, b"tc3_request", hashlib.sha256).digest()
    return (
        match["date"] == date
        and match["sig"] == hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    )


def tencent_status(code: str, message: str) -> dict:
    return {"Response": {"SendStatusSet": [{
        "SerialNo": "2640:1", "PhoneNumber": f"+86{PHONE}", "Fee": 1, "SessionContext": "", "Code": code,
        "Message": message, "IsoCode": "CN",
    }], "RequestId": "a0aabda6"}}  # fmt: skip


def tencent_error(code: str, message: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "b1bbcdb7"}}


@pytest.fixture
def tencent(settings):
    provider = Provider(ok=tencent_status("Ok", "send success"))
    settings.SMS_TRANSPORT = "tencent"
    settings.TENCENT_SMS = {
        "endpoint": provider.url, "secret_id": "AKID-test-id", "secret_key": TENCENT_SECRET, "region": "ap-beijing",
        "app_id": "1400006666", "sign_name": "天衢新区政务服务", "templates": {"red": "449739", "yellow": "449740"},
    }  # fmt: skip
    yield provider
    provider.close()


def test_tencent_sends_a_signed_sendsms(tencent):
    message = queue("sms", kind="yellow")
    assert dispatch(now=NOW)["sent"] == 1
    [seen] = tencent.seen
    assert (seen.method, seen.path) == ("POST", "/")
    h = seen.headers
    assert (
        h["x-tc-action"] == "SendSms"
        and h["x-tc-version"] == "2021-01-11"
        and h["x-tc-region"] == "ap-beijing"
    )
    assert h["content-type"] == "application/json; charset=utf-8"
    assert abs(int(h["x-tc-timestamp"]) - time.time()) < 60
    assert tc3_verifies(seen, "AKID-test-id", TENCENT_SECRET)
    assert seen.json() == {
        "PhoneNumberSet": [f"+86{PHONE}"], "SmsSdkAppId": "1400006666", "SignName": "天衢新区政务服务",
        "TemplateId": "449740", "TemplateParamSet": [TEXT], "SessionContext": str(message.id),
    }  # fmt: skip
    assert reloaded(message).status == "sent"


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (
            tencent_error(
                "LimitExceeded.PhoneNumberThirtySecondLimit", "单个手机号30秒内下发短信条数超过设定的上限"
            ),
            "queued",
        ),
        (tencent_status("LimitExceeded.DeliveryFrequencyLimit", "下发短信命中了频率限制策略"), "queued"),
        (tencent_error("InternalError.Timeout", "请求下发短信超时"), "queued"),
        (tencent_error("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"), "failed"),
        (
            tencent_status("FailedOperation.PhoneNumberInBlacklist", f"手机号 +86{PHONE} 在免打扰名单库中"),
            "failed",
        ),
        (
            tencent_error("AuthFailure.SignatureFailure", "The provided credentials could not be validated."),
            "failed",
        ),
    ],
)
def test_tencent_answers_are_judged_by_their_code(tencent, reply, outcome):
    message = queue("sms")
    tencent.replies = [(200, reply)]
    dispatch(now=NOW)
    m = reloaded(message)
    assert m.status == outcome and m.last_error.startswith("腾讯云短信")
    assert PHONE not in m.last_error
    if outcome == "queued":
        assert m.next_attempt_at == NOW + backoff(1)
    else:
        assert dispatch(now=NOW + backoff(8))["sent"] == 0 and len(tencent.seen) == 1


# --- group robots ----------------------------------------------------------------------------------


@pytest.fixture
def wecom(settings):
    provider = Provider(ok={"errcode": 0, "errmsg": "ok"})
    settings.WECOM_WEBHOOK = f"{provider.url}cgi-bin/webhook/send?key={WEBHOOK_KEY}"
    yield provider
    provider.close()


def test_wecom_posts_the_text_mentioning_the_number(wecom):
    message = queue("wecom")
    assert dispatch(now=NOW)["sent"] == 1
    [seen] = wecom.seen
    assert (seen.method, seen.path, seen.query) == ("POST", "/cgi-bin/webhook/send", {"key": WEBHOOK_KEY})
    assert seen.headers["content-type"] == "application/json; charset=utf-8"
    assert seen.json() == {"msgtype": "text", "text": {"content": TEXT, "mentioned_mobile_list": [PHONE]}}
    assert reloaded(message).status == "sent"


@pytest.mark.parametrize(
    ("status", "reply", "outcome"),
    [
        (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, "queued"),
        (503, b"Service Unavailable", "queued"),
        (200, {"errcode": 93000, "errmsg": f"invalid webhook url, hint: key={WEBHOOK_KEY}"}, "failed"),
    ],
)
def test_wecom_answers_are_judged_by_errcode(wecom, status, reply, outcome):
    message = queue("wecom")
    wecom.replies = [(status, reply)]
    dispatch(now=NOW)
    m = reloaded(message)
    assert m.status == outcome and m.last_error.startswith("企业微信群机器人")
    assert WEBHOOK_KEY not in m.last_error


@pytest.fixture
def dingtalk(settings):
    provider = Provider(ok={"errcode": 0, "errmsg": "ok"})
    settings.DINGTALK_WEBHOOK = f"{provider.url}robot/send?access_token={WEBHOOK_KEY}"
    settings.DINGTALK_SECRET = DINGTALK_SECRET
    yield provider
    provider.close()


def test_dingtalk_signs_each_post_with_the_robots_secret(dingtalk):
    message = queue("dingtalk")
    assert dispatch(now=NOW)["sent"] == 1
    [seen] = dingtalk.seen
    assert (seen.method, seen.path) == ("POST", "/robot/send")
    assert seen.query["access_token"] == WEBHOOK_KEY
    timestamp = seen.query["timestamp"]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000  # DingTalk refuses signatures over an hour old
    # DingTalk's documented check: base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).
    expected = hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256)
    assert seen.query["sign"] == base64.b64encode(expected.digest()).decode()
    assert seen.json() == {"msgtype": "text", "text": {"content": TEXT}, "at": {"atMobiles": [PHONE]}}
    assert reloaded(message).status == "sent"


def test_dingtalk_without_a_secret_posts_unsigned(dingtalk, settings):
    settings.DINGTALK_SECRET = ""
    queue("dingtalk")
    assert dispatch(now=NOW)["sent"] == 1
    assert dingtalk.seen[0].query == {"access_token": WEBHOOK_KEY}


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}, "queued"),
        (
            {
                "errcode": 310000,
                "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]",
            },
            "failed",
        ),
        ({"errcode": 300001, "errmsg": f"token is not exist: {WEBHOOK_KEY}"}, "failed"),
    ],
)
def test_dingtalk_answers_are_judged_by_errcode(dingtalk, reply, outcome):
    message = queue("dingtalk")
    dingtalk.replies = [(200, reply)]
    dispatch(now=NOW)
    m = reloaded(message)
    assert m.status == outcome and m.last_error.startswith("钉钉群机器人")
    assert WEBHOOK_KEY not in m.last_error and DINGTALK_SECRET not in m.last_error


# --- every HTTP transport: down, and what the log and the outbox show ------------------------------


@pytest.fixture(params=["http", "aliyun", "tencent", "wecom", "dingtalk"])
def down(request, settings):
    """Each HTTP transport configured against a port nothing listens on. Returns the channel."""
    url = f"http://127.0.0.1:{closed_port()}/"
    settings.SMS_TRANSPORT = request.param if request.param in ("http", "aliyun", "tencent") else "file"
    settings.SMS_URL, settings.SMS_TOKEN = url, "gateway-token-5e4d"
    settings.ALIYUN_SMS = {"endpoint": url, "access_key_id": "id", "access_key_secret": ALIYUN_SECRET,
                           "sign_name": "签名", "templates": ALIYUN_TEMPLATES}  # fmt: skip
    settings.TENCENT_SMS = {"endpoint": url, "secret_id": "id", "secret_key": TENCENT_SECRET, "region": "ap-guangzhou",
                            "app_id": "1400006666", "sign_name": "签名", "templates": ALIYUN_TEMPLATES}  # fmt: skip
    settings.WECOM_WEBHOOK = f"{url}send?key={WEBHOOK_KEY}"
    settings.DINGTALK_WEBHOOK, settings.DINGTALK_SECRET = (
        f"{url}send?access_token={WEBHOOK_KEY}",
        DINGTALK_SECRET,
    )
    return "sms" if request.param in ("http", "aliyun", "tencent") else request.param


def test_a_provider_out_of_reach_is_a_temporary_failure(down):
    message = queue(down)
    assert dispatch(now=NOW) == {"sent": 0, "queued": 1, "failed": 0}
    m = reloaded(message)
    assert "无法连接" in m.last_error and m.next_attempt_at == NOW + backoff(1)


def test_an_answer_that_is_not_http_is_a_temporary_failure(settings):
    class NotHttp(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.recv(65536)
            self.request.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    server = socketserver.TCPServer(("127.0.0.1", 0), NotHttp)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    settings.SMS_TRANSPORT, settings.SMS_URL = "http", f"http://127.0.0.1:{server.server_address[1]}/sms"
    message = queue("sms")
    try:
        assert dispatch(now=NOW)["queued"] == 1
    finally:
        server.shutdown()
        server.server_close()
    assert reloaded(message).last_error.startswith("短信网关无法连接")


def test_neither_secrets_nor_the_number_reach_the_outbox_or_the_log(down, caplog):
    caplog.set_level("DEBUG")
    message = queue(down)
    dispatch(now=NOW)
    shown = reloaded(message).last_error + caplog.text
    assert MASKED in caplog.text
    for secret in (*SECRETS, "gateway-token-5e4d", PHONE):
        assert secret not in shown


def test_a_number_echoed_by_the_provider_is_masked(tencent, caplog):
    message = queue("sms")
    tencent.replies = [
        (200, tencent_error("InvalidParameterValue.IncorrectPhoneNumber", f"手机号{PHONE}格式错误"))
    ]
    dispatch(now=NOW)
    assert f"手机号{MASKED}格式错误" in reloaded(message).last_error
    assert PHONE not in caplog.text


# --- email -----------------------------------------------------------------------------------------

ADDRESS = "duban@tianqu.gov.cn"


def test_email_goes_through_djangos_mail_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "govwatch@tianqu.gov.cn"
    message = queue("email", ADDRESS)
    assert dispatch(now=NOW)["sent"] == 1
    [sent] = mail.outbox
    assert sent.to == [ADDRESS] and sent.from_email == "govwatch@tianqu.gov.cn" and sent.body == TEXT
    assert sent.subject == "【政务服务效能监督】办件超时提醒"
    assert sent.message()["Message-ID"] == f"<govwatch.{message.id}@tianqu.gov.cn>"


class SmtpServer:
    """A mail server on loopback that answers RCPT TO with the reply it is given."""

    def __init__(self, rcpt_reply: str):
        self.rcpt_reply = rcpt_reply
        self.data: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 mail.test ESMTP\r\n")
                in_data = False
                for raw in self.rfile:
                    line = raw.decode().rstrip("\r\n")
                    if in_data:
                        if line == ".":
                            in_data = False
                            self.wfile.write(b"250 2.0.0 queued\r\n")
                        else:
                            outer.data.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    reply = {"RCPT": outer.rcpt_reply, "DATA": "354 go ahead"}.get(verb, "250 ok")
                    in_data = verb == "DATA"
                    self.wfile.write(reply.encode() + b"\r\n")

        socketserver.ThreadingTCPServer.daemon_threads = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", 5

    def serve(rcpt_reply: str) -> SmtpServer:
        server = SmtpServer(rcpt_reply)
        servers.append(server)
        settings.EMAIL_PORT = server.port
        return server

    servers: list[SmtpServer] = []
    yield serve
    for server in servers:
        server.close()


def test_email_over_smtp_is_sent(smtp):
    server = smtp("250 2.1.5 ok")
    message = queue("email", ADDRESS)
    assert dispatch(now=NOW)["sent"] == 1
    assert any(line.startswith("Message-ID: <govwatch.") for line in server.data)
    assert reloaded(message).status == "sent"


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (f"550 5.1.1 <{ADDRESS}>: Recipient address rejected: User unknown", "failed"),
        ("451 4.7.1 Greylisted, please try again later", "queued"),
    ],
)
def test_a_refused_recipient_fails_on_5xx_and_waits_on_4xx(smtp, reply, outcome):
    smtp(reply)
    message = queue("email", ADDRESS)
    dispatch(now=NOW)
    m = reloaded(message)
    assert m.status == outcome and m.last_error.startswith("邮件服务器拒收: SMTP " + reply[:3])
    assert ADDRESS not in m.last_error


def test_a_mail_server_out_of_reach_is_a_temporary_failure(smtp, settings):
    settings.EMAIL_PORT = closed_port()
    message = queue("email", ADDRESS)
    assert dispatch(now=NOW)["queued"] == 1
    assert reloaded(message).last_error.startswith("邮件服务器无法连接")


# --- selection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "channel", "reason"),
    [
        (
            {"SMS_TRANSPORT": "carrier-pigeon"},
            "sms",
            "未知的短信通道 GOVWATCH_SMS_TRANSPORT=carrier-pigeon，可选：file、http、aliyun、tencent",
        ),
        ({"SMS_TRANSPORT": "http", "SMS_URL": ""}, "sms", "短信网关未配置：请设置环境变量 GOVWATCH_SMS_URL"),
        (
            {
                "SMS_TRANSPORT": "tencent",
                "TENCENT_SMS": {
                    "endpoint": "https://sms.tencentcloudapi.com/",
                    "secret_id": "",
                    "secret_key": "",
                    "region": "ap-guangzhou",
                    "app_id": "",
                    "sign_name": "",
                    "templates": {},
                },
            },
            "sms",
            "腾讯云短信未配置：请设置环境变量 GOVWATCH_TENCENT_SECRET_ID、GOVWATCH_TENCENT_SECRET_KEY、"
            "GOVWATCH_TENCENT_SMS_APP_ID、GOVWATCH_TENCENT_SMS_SIGN_NAME",
        ),
        ({"WECOM_WEBHOOK": ""}, "wecom", "企业微信群机器人未配置：请设置环境变量 GOVWATCH_WECOM_WEBHOOK"),
        (
            {"DINGTALK_WEBHOOK": ""},
            "dingtalk",
            "钉钉群机器人未配置：请设置环境变量 GOVWATCH_DINGTALK_WEBHOOK",
        ),
        ({}, "fax", "未配置的通知渠道: fax"),
    ],
)
def test_a_misconfigured_transport_fails_the_message_with_the_reason(settings, setting, channel, reason):
    for name, value in setting.items():
        setattr(settings, name, value)
    message = queue(channel)
    assert dispatch(now=NOW) == {"sent": 0, "queued": 0, "failed": 1}
    assert reloaded(message).last_error == reason


def test_a_scanned_message_carries_its_template_variables(make_case):
    from govwatch.supervision.models import Notification
    from govwatch.supervision.scan import scan

    from .conftest import at

    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 20))
    params = Notification.objects.order_by("id").first().params
    assert params == {
        "item_name": "食品经营许可",
        "case_no": "C1",
        "due_date": "2026-03-13",
        "unit_name": "区市场监管局",
    }


def _queued_kinds() -> set[str]:
    """The literal kinds of every message the code queues (message_to(unit, KIND, ...),
    message(KIND, ...)), the watch kinds' card texts, and the invitation."""
    import ast
    from pathlib import Path

    import govwatch
    from govwatch.public.jobs import INVITE_KIND

    found = {INVITE_KIND}
    for path in Path(govwatch.__file__).parent.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            at = {"message_to": 1, "message": 0}.get(name)
            if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant):
                found.add(node.args[at].value)
    return found


def test_every_kind_of_message_has_a_name_and_a_provider_template_setting():
    from django.conf import settings

    from govwatch.supervision.transports import KINDS

    assert set(settings.SMS_MESSAGE_KINDS) == set(KINDS)
    assert set(settings.ALIYUN_SMS["templates"]) == set(KINDS) == set(settings.TENCENT_SMS["templates"])
    missing = _queued_kinds() - set(KINDS)
    assert not missing, f"kinds queued with no provider template: {missing}"
