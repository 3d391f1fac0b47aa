"""The printed supervision notice (督办通知单) as a DOCX document."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .models import SupervisionOrder


def order_notice(order: SupervisionOrder) -> bytes:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("督办通知单")
    run.bold = True
    run.font.size = Pt(22)
    number = doc.add_paragraph(order.number)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_paragraph(f"{order.unit.name}：")
    body = [("督办等级", order.get_level_display()), ("督办来源", order.get_origin_display())]
    if order.case_id:
        case = order.case
        body += [
            ("业务编号", case.case_no),
            ("事项", case.item.name),
            ("受理时间", f"{timezone.localtime(case.accepted_at):%Y-%m-%d %H:%M}"),
            ("办理期限", f"{case.due_date:%Y-%m-%d}"),
        ]
    body += [("督办要求", order.demand), ("回复期限", f"{order.reply_due:%Y年%m月%d日}")]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in body:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    doc.add_paragraph("请按要求认真办理，并在回复期限内将整改措施和办理结果书面回复。逾期未回复的，将升级督办。")
    sign = doc.add_paragraph(f"{timezone.localtime(order.issued_at):%Y年%m月%d日}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
