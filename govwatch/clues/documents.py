"""The transfer form of a clue (问题线索移送函), an official document (govwatch.core.documents,
GB/T 9704): issued and signed by the supervisor unit of the region the clue concerns, numbered, to
the commission it is transferred to, the clue in a table, with a receipt slip for the commission's
feedback."""

from __future__ import annotations

from django.utils import timezone

from govwatch.core import pii
from govwatch.core.documents import OfficialDocument, document_date
from govwatch.orgs.models import Unit
from govwatch.orgs.organs import organ_name, supervisor_of

from .models import Clue

FEEDBACK_DAYS_TEXT = "收到后请及时研判处置，并将处置结果反馈我们。"


def issuer_of(clue: Clue) -> str:
    """The supervisor unit of the clue's unit's region; the region's own without a unit."""
    unit = clue.unit
    if unit is None:
        unit = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    return organ_name(supervisor_of(unit) if unit is not None else None)


def transfer_docx(clue: Clue) -> bytes:
    when = timezone.localtime(clue.transferred_at or timezone.now())
    doc = OfficialDocument(
        organ=issuer_of(clue), title="问题线索移送函", number=clue.transfer_number or "",
        addressee=clue.transferred_to, date=when.date(), created=when, subject="问题线索移送",
    )  # fmt: skip
    doc.paragraph(
        f"我们在{clue.get_source_display()}工作中发现以下问题线索，经研判，按照问题线索管理有关规定"
        f"移送你们。{FEEDBACK_DAYS_TEXT}"
    )
    origin = clue.get_source_display()
    if clue.complaint_id:
        origin += f"（投诉编号 {clue.complaint.complaint_id}）"
    rows = [
        ["线索编号", clue.number],
        ["来　　源", origin],
        ["领　　域", clue.get_field_display()],
        ["被反映单位", clue.unit.name if clue.unit_id else "—"],
        ["被反映人或事项", clue.subject or "—"],
        ["线索摘要", clue.summary],
        ["线索内容", pii.redact(clue.details)],
        ["研判意见", f"{clue.get_decision_display()}：{clue.assessment}" if clue.decision else "—"],
        ["登记日期", document_date(clue.registered_at)],
    ]
    if clue.transfer_note:
        rows.append(["移送说明", clue.transfer_note])
    doc.table(rows, widths=[1, 3], align_left=[1])
    doc.paragraph("此件涉及问题线索，请按规定范围知悉，注意保密。")
    doc.signature()
    doc.receipt(["收件人", ("处置情况", "", 6), "联系电话"], return_to=doc.organ)
    return doc.to_bytes()
