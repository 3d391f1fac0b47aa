"""The feedback form (检查反馈表) as an official document of the supervisor unit of the inspected
unit's region: the inspection, the table of problems and what is required, the deadline, and the
receipt slip (回执) on which the unit reports its fixes, the rules it set up and who was held to
account."""

from __future__ import annotations

from govwatch.core.documents import OfficialDocument, ReceiptField, document_date
from govwatch.core.localtime import local_date
from govwatch.orgs.organs import organ_name, supervisor_of

from .models import FeedbackForm


def form_docx(form: FeedbackForm) -> bytes:
    inspection = form.inspection
    unit = inspection.unit
    issuer = form.issuer if form.issuer_id else supervisor_of(unit)
    when = form.issued_at or inspection.created_at
    doc = OfficialDocument(
        organ=organ_name(issuer), number=form.number or "", title="“双评议”专项检查反馈表", addressee=unit.name,
        date=local_date(when), created=when, subject="检查反馈表",
    )  # fmt: skip
    doc.paragraph(
        f"{document_date(inspection.conducted_on)}，我委“双评议”专项检查组通过{'、'.join(inspection.method_labels())}"
        f"等方式，对你单位{inspection.subject}进行了检查。现将发现的问题反馈如下，请认真对照整改。"
    )
    doc.heading(1, "发现的问题")
    problems = list(inspection.problems.all())
    doc.table(
        [[str(p.no), p.get_category_display(), p.description, p.requirement or "立行立改"] for p in problems],
        header=["序号", "问题类型", "问题描述", "整改要求"],
        widths=[0.6, 1.4, 4.2, 2.2],
        align_left=[2, 3],
    )
    doc.heading(1, "整改要求")
    due = f"于{document_date(form.reply_due)}前" if form.reply_due else "在规定期限内"
    doc.paragraph(
        f"请你单位逐项查找问题根源，明确整改措施和责任人，{due}将逐项整改情况、建立完善的制度机制（建章立制）"
        "和相关人员责任追究情况书面反馈。逾期未反馈的，将下发督办单。"
    )
    doc.signature()
    doc.receipt(
        ["签收人", "联系电话", ReceiptField("逐项整改情况", lines=6), ReceiptField("建立完善的制度机制", lines=3),
         ReceiptField("责任追究情况", lines=3)],
        due=form.reply_due,
    )  # fmt: skip
    return doc.to_bytes()
