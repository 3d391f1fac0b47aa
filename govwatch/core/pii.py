"""Personal data: encrypted with SM4 (GCM), matched by a keyed SM3 hash, shown masked.

Phones, ID numbers and evaluator or complainant identities never reach a page, a log or an export
in clear: they are stored as `protect(value)` and shown as `mask(value)`.
"""

from __future__ import annotations

import base64
import os
import re
from functools import cache

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings


@cache
def _key() -> bytes:
    key = bytes.fromhex(settings.PII_KEY)
    if len(key) != 16:
        raise ValueError("GOVWATCH_PII_KEY must be 16 bytes in hex (32 hex digits)")
    return key


def normalise(value: str) -> str:
    """Spaces, dashes and a +86 prefix do not make another person."""
    text = re.sub(r"[\s\-]", "", value.strip())
    if text.startswith("+86"):
        text = text[3:]
    return text.upper()


_MOBILE = re.compile(r"1[3-9]\d{9}")
NOT_A_MOBILE = "联系电话应为 11 位手机号码（可带 +86、空格或连字符）"


def mobile(value: str) -> str:
    """A mainland mobile number in its one normalised form (13800001111); ValueError (whose message
    never repeats the value) for anything else: the number must be able to receive an SMS."""
    number = normalise(value)
    if not _MOBILE.fullmatch(number):
        raise ValueError(NOT_A_MOBILE)
    return number


def keyed_hash(value: str) -> str:
    h = hmac.HMAC(_key(), hashes.SM3())
    h.update(normalise(value).encode())
    return h.finalize().hex()


def encrypt(value: str) -> str:
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    data = enc.update(value.encode()) + enc.finalize()
    return base64.b64encode(nonce + enc.tag + data).decode()


def decrypt(token: str) -> str:
    raw = base64.b64decode(token)
    nonce, tag, data = raw[:12], raw[12:28], raw[28:]
    dec = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (dec.update(data) + dec.finalize()).decode()


def protect(value: str) -> tuple[str, str]:
    """(keyed hash, ciphertext) for a personal value; ("", "") for an empty one."""
    if not value or not value.strip():
        return "", ""
    return keyed_hash(value), encrypt(value.strip())


def mask(value: str) -> str:
    """138****5678 for a phone, 4201**********1234 for an ID number, 张* for a name."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) >= 15:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    if len(text) >= 7:
        return text[:3] + "****" + text[-4:]
    if len(text) >= 2:
        return text[0] + "*" * (len(text) - 1)
    return "*"


# A mobile number or an ID number written inside free text (a complaint's content, a comment).
_IN_TEXT = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15}|(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2})(?!\d)")


def redact(text: str) -> str:
    """Free text with every phone or ID number in it masked, as `mask` shows a single value."""
    return _IN_TEXT.sub(lambda m: mask(normalise(m.group(0))), text or "")
