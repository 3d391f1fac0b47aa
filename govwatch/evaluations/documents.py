"""The printed letters (纪检监察建议书, 提醒函): official documents of the supervisor unit of the
addressed unit's region, with a receipt slip (回执) for the unit's written reply."""

from __future__ import annotations

from govwatch.core.documents import OfficialDocument, ReceiptField, document_date
from govwatch.core.localtime import local_date
from govwatch.orgs.organs import organ_name, supervisor_of

from .models import Letter


def letter_docx(letter: Letter) -> bytes:
    issuer = letter.issuer if letter.issuer_id else supervisor_of(letter.unit)
    when = letter.issued_at or letter.created_at
    doc = OfficialDocument(
        organ=organ_name(issuer), number=letter.number or "", title=letter.subject,
        addressee=letter.unit.name, date=local_date(when), created=when, subject=letter.get_kind_display(),
    )  # fmt: skip
    lines = [line.strip() for line in letter.body.splitlines() if line.strip()]
    # The drafted body opens with the addressee ("某单位："), which the document prints itself.
    if lines and lines[0] == f"{letter.unit.name}：":
        lines = lines[1:]
    for line in lines:
        doc.paragraph(line)
    if letter.reply_due:
        doc.paragraph(f"反馈期限：{document_date(letter.reply_due)}。")
    doc.signature()
    fields: list[str | ReceiptField] = ["签收人", "联系电话", ReceiptField("整改落实情况", lines=6)]
    if letter.kind == Letter.Kind.RECOMMENDATION:
        fields.append(ReceiptField("建立完善的制度机制", lines=4))
    doc.receipt(fields, due=letter.reply_due)
    return doc.to_bytes()
