"""The printed letters (纪检监察建议书, 提醒函) as DOCX documents, in the layout of an official
letter: title, number, addressee and body, issuing organ and date."""

from __future__ import annotations

import io

from django.db.models.functions import Length
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from govwatch.core.choices import UnitKind
from govwatch.orgs.models import Unit

from .models import Letter


def _issuer(letter: Letter) -> str:
    """The discipline inspection organ of the region: the supervisor unit nearest the root."""
    organ = Unit.objects.filter(kind=UnitKind.SUPERVISOR).order_by(Length("path"), "path").first()
    return organ.name if organ else "纪检监察机关"


def letter_docx(letter: Letter) -> bytes:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(letter.get_kind_display())
    run.bold = True
    run.font.size = Pt(22)
    number = doc.add_paragraph(letter.number or "（草稿）")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subject = doc.add_paragraph()
    subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subject.add_run(letter.subject).bold = True
    for line in letter.body.splitlines():
        doc.add_paragraph(line)
    if letter.reply_due:
        doc.add_paragraph(f"反馈期限：{letter.reply_due:%Y年%m月%d日}")
    organ = doc.add_paragraph(_issuer(letter))
    organ.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    when = letter.issued_at or letter.created_at
    sign = doc.add_paragraph(f"{timezone.localtime(when):%Y年%m月%d日}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
