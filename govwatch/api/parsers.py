"""The JSON parser of push batches, with the push's own size ceiling.

DRF's JSONParser gets the body through `request.body`, which Django caps at
DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, a limit meant for forms): too small for a 5,000-record
batch, and raised as a bare 400. This parser reads the raw stream itself, refuses a body over
MAX_BYTES with a 413 in Chinese, and leaves the global setting to the forms it was made for.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser

from govwatch.core.tables import JsonProblem, parse_json

# 5,000 records of a few hundred characters each take 2 to 5 MB; long complaint texts a little more.
MAX_BYTES = 10 * 1024 * 1024


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"请求体过大，每次推送最多 {MAX_BYTES // (1024 * 1024)} MB：请分批推送"
    default_code = "body_too_large"


class BatchParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if declared > MAX_BYTES:
            raise BodyTooLarge()  # refused before a byte is read
        body = stream.read(MAX_BYTES + 1)
        if len(body) > MAX_BYTES:
            raise BodyTooLarge()
        try:
            return parse_json(body)
        except JsonProblem as exc:
            raise ParseError(f"请求体不是有效的 JSON：{exc}") from None
