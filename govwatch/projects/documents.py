"""The reminder letter (提醒函) as an official document of the supervisor unit of the project's
region, with a receipt slip (回执) for the owner unit's written reply."""

from __future__ import annotations

from govwatch.core.documents import OfficialDocument, ReceiptField, document_date
from govwatch.core.localtime import local_date
from govwatch.orgs.organs import organ_name, supervisor_of

from .models import ProjectLetter


def letter_docx(letter: ProjectLetter) -> bytes:
    issuer = letter.issuer if letter.issuer_id else supervisor_of(letter.unit)
    when = letter.issued_at or letter.created_at
    doc = OfficialDocument(
        organ=organ_name(issuer), number=letter.number or "", title=letter.subject,
        addressee=letter.unit.name, date=local_date(when), created=when, subject="提醒函",
    )  # fmt: skip
    for line in letter.body.splitlines():
        if line.strip():
            doc.paragraph(line.strip())
    if letter.reply_due:
        doc.paragraph(f"反馈期限：{document_date(letter.reply_due)}。")
    doc.signature()
    doc.receipt(
        [
            "签收人",
            "联系电话",
            ReceiptField("滞后原因", lines=3),
            ReceiptField("整改措施和完成时限", lines=5),
        ],
        due=letter.reply_due,
    )
    return doc.to_bytes()
