"""The printed supervision notice (督办通知单): an official document of the supervisor unit in
whose name the order was issued, with a receipt slip (回执) for the unit's written reply."""

from __future__ import annotations

from govwatch.core.documents import OfficialDocument, ReceiptField, document_date, document_datetime
from govwatch.core.localtime import local_date
from govwatch.orgs.organs import organ_name, supervisor_of

from .models import SupervisionOrder


def order_notice(order: SupervisionOrder) -> bytes:
    issuer = order.issuer if order.issuer_id else supervisor_of(order.unit)
    doc = OfficialDocument(
        organ=organ_name(issuer), number=order.number, title="督办通知单", addressee=order.unit.name,
        date=local_date(order.issued_at), created=order.issued_at, subject="督办通知单",
    )  # fmt: skip
    doc.paragraph("根据政务服务效能电子监察有关规定，现就下列事项对你单位予以督办：")
    rows = [["督办等级", order.get_level_display()], ["督办来源", order.get_origin_display()]]
    if order.case_id:
        case = order.case
        rows += [
            ["业务编号", case.case_no],
            ["事项", case.item.name],
            ["受理时间", document_datetime(case.accepted_at)],
            ["办理期限", document_date(case.due_date)],
        ]
    rows += [["督办要求", order.demand], ["回复期限", document_date(order.reply_due)]]
    doc.table(rows, widths=[1, 3.4], align_left=[1])
    doc.paragraph(
        f"请按要求认真办理，并于{document_date(order.reply_due)}前将整改措施和办理结果连同回执书面回复。"
        "逾期未回复的，将升级督办。"
    )
    doc.signature()
    doc.receipt(
        [
            "签收人", "联系电话", "签收日期",
            ReceiptField("整改措施", lines=5),
            ReceiptField("办理结果", lines=4),
        ],
        due=order.reply_due,
    )  # fmt: skip
    return doc.to_bytes()
