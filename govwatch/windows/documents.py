"""The gold-medal window's certificate (金牌窗口荣誉证书): an official document of the region's
service office, addressed to the window's unit, numbered at the award."""

from __future__ import annotations

from govwatch.core.choices import UnitKind
from govwatch.core.documents import OfficialDocument, chinese_number, document_date
from govwatch.core.localtime import local_date
from govwatch.orgs.models import Unit

from .gold import PART_LABELS, PARTS
from .models import GoldEntry


def issuing_organ(region: Unit) -> str:
    """The region's service center (政务服务中心) speaks for its halls; else its service office."""
    center = Unit.objects.filter(parent=region, kind=UnitKind.CENTER).order_by("path").first()
    return center.name if center else f"{region.name}政务服务管理办公室"


def certificate_docx(entry: GoldEntry) -> bytes:
    round_, window = entry.round, entry.window
    period = f"{round_.year}年第{chinese_number(round_.quarter)}季度"
    doc = OfficialDocument(
        organ=issuing_organ(round_.region), number=entry.certificate_no, title="“金牌窗口”荣誉证书",
        addressee=window.unit.name, date=local_date(round_.awarded_at) if round_.awarded_at else None,
        created=round_.awarded_at, subject="金牌窗口",
    )  # fmt: skip
    doc.paragraph(
        f"经{period}“金牌窗口”评定，你单位{window.label}（窗口编号{window.code}）综合得分{entry.score}分，"
        f"在{round_.region.name}参评窗口中名列第{entry.rank}名，被评为{period}“金牌窗口”。"
    )
    doc.paragraph("特发此证，以资鼓励。希望再接再厉，持续提升政务服务水平。")
    rows = [
        [
            PART_LABELS[p],
            "—" if getattr(entry, p) is None else f"{getattr(entry, p)}",
            f"{round_.rules.get(p, 0)}",
        ]
        for p in PARTS
    ]
    rows.append(["综合得分", f"{entry.score}", "—"])
    doc.table(rows, header=["评分项目", "得分", "权重"])
    if round_.awarded_at:
        doc.paragraph(f"评定日期：{document_date(round_.awarded_at)}。")
    doc.signature()
    return doc.to_bytes()
