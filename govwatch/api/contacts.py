"""Pushes of applicants' phones: {"records": [{"case_no", "phone"}]}, one `register_applicant_phone` a row.

Not an import kind (no ImportRun, no file import): the number is personal data and lives only in
`ApplicantContact` (hash, ciphertext, masked form). The answer is the same import document as the
other pushes; the audit entry holds counts only, never a number (nor a case number).
"""

from __future__ import annotations

from django.db import transaction
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from govwatch.accounts.permissions import scope
from govwatch.audit.log import Actor, record
from govwatch.cases.models import Case
from govwatch.core import pii
from govwatch.core.rowfields import Field, Row, RowError
from govwatch.core.tables import object_table
from govwatch.imports.results import ImportResult
from govwatch.public.contacts import register_applicant_phone
from govwatch.public.models import ApplicantContact

from .guard import OUTSIDE
from .parsers import MAX_BYTES
from .push import (
    MAX_RECORDS,
    STATUS_CODES,
    batch_records,
    import_response,
    operator_label,
    push_operation_schema,
)

ACTION = "import.applicant_contacts"
CONTACT_FIELDS = (
    Field("case_no", "业务编号", True, 64),
    Field("phone", "联系电话", True, 64),
)
SPEC = {f.name: f for f in CONTACT_FIELDS}
# Fixed text: never the number itself, whatever the register function puts in its exception.
BAD_PHONE = "联系电话格式不正确（应为 7 至 20 位数字，可带 +86、空格或连字符）"


def _unknown_case(case_no: str) -> str:
    return f"业务编号 {case_no} 不存在（请先推送该办件的受理环节）"


def push_contacts(request: Request) -> Response:
    """Register each record's phone for its case; see `ApplicantContactPushView` for the counting."""
    records = batch_records(request)
    if isinstance(records, Response):
        return records
    rows = list(object_table(records, CONTACT_FIELDS).rows)
    wanted = {(values.get("case_no") or "").strip() for _, values in rows if not isinstance(values, RowError)}
    wanted.discard("")
    existing = set(Case.objects.filter(case_no__in=wanted).values_list("case_no", flat=True))
    visible = set(
        Case.objects.visible_to(scope(request.user))
        .filter(case_no__in=wanted)
        .values_list("case_no", flat=True)
    )
    result = ImportResult(kind="applicant_contacts", filename=f"API 推送 {request.path}")

    with transaction.atomic():
        stored = dict(
            ApplicantContact.objects.filter(case_no__in=visible).values_list("case_no", "phone_hash")
        )
        for line, values in rows:
            result.read += 1
            try:
                if isinstance(values, RowError):
                    raise values
                row = Row(values, SPEC)
                case_no, phone = row.text("case_no"), row.text("phone")
                if case_no not in existing:
                    raise RowError("case_no", _unknown_case(case_no))
                if case_no not in visible:
                    raise RowError("case_no", OUTSIDE)
                phone_hash = pii.keyed_hash(pii.normalise(phone))
                if stored.get(case_no) == phone_hash:
                    # The stored hash is of a number that passed the check: the same number again.
                    result.duplicates += 1
                    continue
                try:
                    contact = register_applicant_phone(case_no, phone)
                except ValueError:
                    raise RowError("phone", BAD_PHONE) from None
            except RowError as error:
                result.reject(line, error.field, error.message)
                continue
            stored[case_no] = contact.phone_hash
            result.imported += 1

        record(
            Actor(operator_label(request), request.user, request.META.get("REMOTE_ADDR", "")),
            ACTION,
            target_type=ApplicantContact._meta.label_lower,
            summary=f"推送申请人联系电话：读取 {result.read}，登记 {result.imported}，"
            f"重复 {result.duplicates}，拒绝 {result.rejected}",
            after={"endpoint": request.path, "read": result.read, "imported": result.imported,
                   "duplicates": result.duplicates, "rejected": result.rejected},
        )  # fmt: skip
    return import_response(result)


# -- schema -------------------------------------------------------------------------------------


class ApplicantContactRecordSerializer(serializers.Serializer):
    case_no = serializers.CharField(
        help_text="业务编号（中文别名：业务编号）；办件须已存在且在本账号数据范围内"
    )
    phone = serializers.CharField(
        help_text="申请人手机号（中文别名：联系电话）；7 至 20 位数字，可带 +86、空格或连字符"
    )


class ApplicantContactPushSerializer(serializers.Serializer):
    records = serializers.ListField(
        child=ApplicantContactRecordSerializer(),
        min_length=1,
        max_length=MAX_RECORDS,
        help_text=f"记录数组，每批 1 至 {MAX_RECORDS} 条",
    )


contacts_schema = push_operation_schema(
    summary="推送申请人联系电话",
    description=(
        f"推送一批办件的申请人手机号（每批最多 {MAX_RECORDS} 条，请求体最多 {MAX_BYTES // (1024 * 1024)} MB），"
        "用于短信评价邀请和窗口核验。字段：case_no（业务编号）、phone（联系电话），英文名或中文别名均可。"
        "办件须已存在（“业务编号 … 不存在”）且在本账号所属单位及其下级单位之内（“超出本账号的数据范围”），"
        "否则逐条拒绝，不影响其余记录。号码只以密文、带密钥的哈希和脱敏形式保存，任何响应与审计日志都不含号码。"
        "同一办件再次推送相同号码计为 duplicates（不改动任何数据）；推送不同号码则替换原号码，计为 imported。"
        "errors 中的 line 为该记录在 records 数组中的序号（从 1 开始）。\n\n" + STATUS_CODES
    ),
    request=ApplicantContactPushSerializer,
)
