"""The monthly bulletin (月通报, contract section 10): its figures, tables and charts for a month and
a region (or a unit's subtree), as an official document (DOCX in the GB/T 9704 layout, its PDF
through LibreOffice) and its tables as a workbook.

The figures are `unit_figures` for the month (so they equal `govwatch report kpi --from <first>
--to <last>`), the ranking `govwatch report ranking` for the month. The words around them (the
summary and the requirements) are the office's: a draft starts from `default_summary` and
`default_requirements` and is edited before it is issued (govwatch.reports.bulletins).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from docx.shared import Pt

from govwatch.accountability.figures import AccountabilityFigures
from govwatch.catalog.figures import service_figures
from govwatch.catalog.models import Item
from govwatch.core.choices import UnitKind
from govwatch.core.documents import OfficialDocument
from govwatch.core.sheets import Workbook
from govwatch.orgs.models import Unit
from govwatch.orgs.organs import organ_name, supervisor_of

from . import charts
from .areas import accountability, findings_by_kind
from .chartimages import ChartsUnavailable, render_png
from .figures import selected_units
from .overview import (
    complaints_by,
    loop_states,
    month_period,
    overdue_cases,
    overdue_chart,
    trend,
    trend_chart,
)
from .ranking import ranking, weights_text
from .source import unit_figures

# A bulletin lists every ranked unit up to this many; beyond it the first and last ones.
FULL_LIST = 40
HEAD, TAIL = 20, 10
OVERDUE_LISTED = 15
CHART_SIZE = (760, 360)  # px, drawn at twice that for print

# The headline figures of the month: (key, label, kind).
HEADLINE = (
    ("received", "受理办件", "count"),
    ("completed", "办结办件", "count"),
    ("on_time_rate", "按时办结率", "rate"),
    ("overdue_open", "逾期未办结", "count"),
    ("evaluations", "评价数", "count"),
    ("satisfaction_rate", "满意率", "rate"),
    ("negative", "差评数", "count"),
    ("rectified_on_time_rate", "差评按时整改率", "rate"),
    ("callback_rate", "差评回访率", "rate"),
)


def shown(value: Any, kind: str = "count") -> str:
    """A figure as the bulletin prints it: 1,234 or 98.59% (two decimals), — for none."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.2f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return f"{value:,}"


def _delta(now: Any, before: Any, kind: str) -> str:
    if now is None or before is None:
        return "—"
    if kind == "rate":
        diff = (now - before) * 100
        return "持平" if abs(diff) < 0.005 else f"{'上升' if diff > 0 else '下降'}{abs(diff):.2f}个百分点"
    diff = now - before
    return "持平" if diff == 0 else f"{'增加' if diff > 0 else '减少'}{abs(diff):,}"


@dataclass
class Table:
    """One table of the bulletin, also one sheet of its workbook."""

    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None
    align_left: tuple[int, ...] = ()


@dataclass
class BulletinContent:
    month: date  # first day
    last_day: date
    unit_code: str | None
    region_name: str
    rows: list[dict[str, Any]]  # unit_figures for the month, the total last
    previous_total: dict[str, Any]
    ranking: dict[str, Any]
    complaints: int
    accountability: AccountabilityFigures | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, tuple[dict[str, Any], int, int]] = field(default_factory=dict)

    @property
    def total(self) -> dict[str, Any]:
        return self.rows[-1]

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def default_organ(unit_code: str | None, units_qs: QuerySet[Unit] | None = None) -> str:
    """Who issues a region's bulletin: the service center (政务服务中心) of its top unit (the top unit
    itself or a center right under it), else its supervisor unit (纪检监察), else the region itself.
    A center further down is a district's, not the province's."""
    units = selected_units(unit_code, units_qs)
    root = units.order_by("path").first()
    if root is None:
        return organ_name(None)
    center = (
        units.filter(kind=UnitKind.CENTER).filter(Q(pk=root.pk) | Q(parent=root)).order_by("path").first()
    )
    if center is not None:
        return center.name
    return organ_name(supervisor_of(root))


def default_title(content: BulletinContent) -> str:
    return f"关于{content.label}{content.region_name}政务服务效能监督情况的通报"


def _selected(rows: Sequence[Any]) -> list[Any]:
    return list(rows) if len(rows) <= FULL_LIST else [*rows[:HEAD], *rows[-TAIL:]]


def bulletin_content(
    month: date, unit_code: str | None = None, *, units_qs: QuerySet[Unit] | None = None
) -> BulletinContent:
    """Every figure, table and chart of the bulletin of `month`'s month."""
    first, last = month_period(month)
    units = selected_units(unit_code, units_qs)
    scoped = units if (unit_code is not None or units_qs is not None) else None
    root = units.order_by("path").first()
    rows = unit_figures(first, last, unit_code, units_qs=units_qs)
    prev_first, prev_last = month_period(first - timedelta(days=1))
    previous_total = unit_figures(prev_first, prev_last, unit_code, units_qs=units_qs)[-1]
    ranked = ranking(first, last, unit_code, units_qs=units_qs)
    by_category = complaints_by(first, last, scoped, "category")
    by_source = complaints_by(first, last, scoped, "source")
    content = BulletinContent(
        month=first,
        last_day=last,
        unit_code=unit_code,
        region_name=root.name if root else "",
        rows=rows,
        previous_total=previous_total,
        ranking=ranked,
        complaints=rows[-1]["complaints_received"],
    )
    total = rows[-1]
    content.tables["headline"] = Table(
        "headline", "主要指标", ["指标", content.label, f"{prev_first.year}年{prev_first.month}月", "变化"],
        [[label, shown(total[k], kind), shown(previous_total[k], kind), _delta(total[k], previous_total[k], kind)]
         for k, label, kind in HEADLINE],
        widths=[3, 2, 2, 3.6],
    )  # fmt: skip
    ranked_rows = [r for r in ranked["rows"] if r["rank"] is not None]
    content.tables["ranking"] = Table(
        "ranking", "各单位综合排名", ["名次", "单位", "综合得分", "按时办结率", "满意率", "投诉", "名次变化"],
        [[str(r["rank"]), r["unit_name"], shown(r["score"]), shown(r["components"]["on_time"]["figure"], "rate"),
          shown(r["components"]["satisfaction"]["figure"], "rate"), str(r["complaints"]), _change(r["change"])]
         for r in _selected(ranked_rows)],
        widths=[1.2, 4, 1.8, 2, 2, 1.2, 1.8], align_left=(1,),
    )  # fmt: skip
    active = [r for r in rows[:-1] if r["received"] or r["completed"] or r["overdue_open"]]
    content.tables["units"] = Table(
        "units", "各单位办件情况", ["单位", "受理", "办结", "按时办结率", "逾期未办结", "评价数", "满意率", "差评"],
        [[r["unit_name"], shown(r["received"]), shown(r["completed"]), shown(r["on_time_rate"], "rate"),
          shown(r["overdue_open"]), shown(r["evaluations"]), shown(r["satisfaction_rate"], "rate"), shown(r["negative"])]
         for r in _selected(active)]
        + [["合计", shown(total["received"]), shown(total["completed"]), shown(total["on_time_rate"], "rate"),
            shown(total["overdue_open"]), shown(total["evaluations"]), shown(total["satisfaction_rate"], "rate"),
            shown(total["negative"])]],
        widths=[4, 1.5, 1.5, 2, 1.8, 1.5, 2, 1.2], align_left=(0,),
    )  # fmt: skip
    late = overdue_cases(last, scoped, OVERDUE_LISTED)
    content.tables["overdue"] = Table(
        "overdue", "超期未办结办件（超期时间最长者）", ["业务编号", "事项", "办理单位", "到期日", "超期工作日"],
        [[c["case_no"], c["item_name"], c["unit_name"], c["due_date"].isoformat(), str(c["late_workdays"])]
         for c in late],
        widths=[2.6, 4, 3, 2, 1.6], align_left=(1, 2),
    )  # fmt: skip
    content.tables["loop"] = Table(
        "loop",
        "差评整改状态",
        ["状态", "件数"],
        [[label, str(n)] for label, n in loop_states(first, last, scoped)],
        widths=[3, 2],
    )
    content.tables["complaints"] = Table(
        "complaints", "投诉情况", ["类别", "件数", "来源", "件数"],
        [[*(by_category[i] if i < len(by_category) else ("", "")), *(by_source[i] if i < len(by_source) else ("", ""))]
         for i in range(max(len(by_category), len(by_source)))],
        widths=[3, 1.5, 3, 1.5],
    )  # fmt: skip
    content.tables["complaints"].rows = [[str(v) for v in row] for row in content.tables["complaints"].rows]
    content.tables["findings"] = Table(
        "findings", "评价数据核查线索", ["类型", "待核查及已立查", "其中已立查"],
        [[label, str(n), str(raised)] for label, n, raised in findings_by_kind(first, last, scoped)],
        widths=[5, 2, 2], align_left=(0,),
    )  # fmt: skip
    held = accountability(first, last, scoped)
    content.accountability = held
    content.tables["accountability"] = Table(
        "accountability", "问责情况", ["项目", "数量"],
        [["问责事项", str(held.matters)], ["问责人数", str(held.people)], ["其中党纪政务处分", str(held.sanctioned)],
         ["建章立制", str(held.fixes)]] + [[f"其中{label}", str(n)] for label, n in held.by_action.items()],
        widths=[3, 2],
    )  # fmt: skip
    items = Item.objects.all() if scoped is None else Item.objects.filter(unit__in=scoped.values("pk"))
    catalog = service_figures(items)
    content.tables["catalog"] = Table(
        "catalog", "政务服务事项", ["指标", "数值"],
        [["事项总数", shown(catalog["items"])], ["已认领事项", shown(catalog["claimed"])]]
        + [[f"其中{label}", shown(n)] for label, n in catalog["claimed_by_level"]]
        + [["进驻大厅事项", shown(catalog["in_hall"])], ["进驻率", shown(catalog["hall_entry_rate"], "rate")],
           ["进驻部门", shown(catalog["hall_units"])], ["一事联办主题", shown(catalog["themes"])],
           ["跨域通办事项", shown(catalog["cross_region"])]]
        + [[f"其中{label}", shown(n)] for label, n in catalog["by_scope"]]
        + [["电子证照免提交事项", shown(catalog["e_licence"])]],
        widths=[3, 2],
    )  # fmt: skip
    loop = [(label, n) for label, n in loop_states(first, last, scoped) if n]
    content.charts = {"trend": (trend_chart(trend(first, unit_code, units_qs)), *CHART_SIZE)}
    # A chart of nothing is left out; its table says 0.
    if any(r["overdue_open"] for r in rows[:-1]):
        content.charts["overdue"] = (overdue_chart(rows[:-1]), *CHART_SIZE)
    if loop:
        content.charts["loop"] = (charts.pie(loop), *CHART_SIZE)
    if content.complaints:
        content.charts["complaints"] = (
            charts.bars(
                [label for label, _ in by_category], [("投诉", [n for _, n in by_category], charts.BLUE)]
            ),
            *CHART_SIZE,
        )
    return content


def chart_images(content: BulletinContent) -> tuple[dict[str, bytes], list[str]]:
    """The bulletin's charts as PNG images, and why there are none where they could not be drawn."""
    try:
        return render_png(content.charts), []
    except ChartsUnavailable as exc:
        return {}, [str(exc)]


def _change(change: int | None) -> str:
    if change is None:
        return "—"
    return "持平" if change == 0 else (f"↑{change}" if change > 0 else f"↓{-change}")


# Units tied for the first place named in the opening words; more are counted.
TIED_NAMED = 5


def default_summary(content: BulletinContent) -> str:
    """The opening words of a draft, from the month's figures (the office edits them)."""
    t, p = content.total, content.previous_total
    ranked = [r for r in content.ranking["rows"] if r["rank"] is not None]
    lines = [
        f"{content.label}，{content.region_name}共受理政务服务办件{shown(t['received'])}件，办结{shown(t['completed'])}件，"
        f"按时办结率{shown(t['on_time_rate'], 'rate')}（上月{shown(p['on_time_rate'], 'rate')}），"
        f"月末逾期未办结{shown(t['overdue_open'])}件。",
        f"收到“好差评”评价{shown(t['evaluations'])}条，满意率{shown(t['satisfaction_rate'], 'rate')}，"
        f"差评{shown(t['negative'])}条，差评按时整改率{shown(t['rectified_on_time_rate'], 'rate')}；"
        f"收到投诉{shown(content.complaints)}件。",
    ]
    first = [r["unit_name"] for r in ranked if r["rank"] == 1]
    if len(first) == 1:
        lines.append(f"综合排名第一的是{first[0]}。")
    elif 1 < len(first) <= TIED_NAMED:
        lines.append(f"综合排名并列第一的是{'、'.join(first)}。")
    elif first:
        # A province may have thousands of units with nothing to fault: a count, not pages of names.
        lines.append(f"综合排名并列第一的单位有{len(first):,}个，见各单位综合排名。")
    return "\n".join(lines)


def default_requirements(content: BulletinContent) -> str:
    return "\n".join(
        [
            "各单位要对照本通报，逐项分析逾期办件和差评的原因，限期整改到位，按时反馈整改情况。",
            "排名靠后的单位要查找差距，主要负责同志要亲自过问，切实提升办件效率和群众满意度。",
            "政务服务管理办公室将持续开展电子监察和“好差评”回访，对整改不力的单位予以通报问责。",
        ]
    )


WIDE = 5  # columns: a wider table is set in 小四 (12 pt) instead of 4号, as offices print them


def _table(doc: OfficialDocument, table: Table) -> None:
    doc.heading(2, table.title)
    if not table.rows:
        doc.paragraph("本月无。")
        return
    grid = doc.table(table.rows, header=table.header, widths=table.widths, align_left=table.align_left)
    if len(table.header) > WIDE:
        for row in grid.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.line_spacing = Pt(18)
                    for run in paragraph.runs:
                        run.font.size = Pt(12)


def bulletin_docx(
    content: BulletinContent,
    *,
    organ: str,
    title: str,
    number: str = "",
    addressee: str = "",
    summary: str | None = None,
    requirements: str | None = None,
    issued_on: date | None = None,
    images: dict[str, bytes] | None = None,
) -> tuple[bytes, list[str]]:
    """The bulletin as a Word file, and the warnings of its making (charts that could not be drawn).
    `images` are the charts drawn already (`chart_images`), else they are drawn here."""
    warnings: list[str] = []
    if images is None:
        images, warnings = chart_images(content)
    doc = OfficialDocument(
        organ=organ, title=title, number=number, addressee=addressee, date=issued_on, subject="月通报"
    )

    def chart(name: str, caption: str) -> None:
        if name in images:
            doc.figure(images[name], caption)

    doc.paragraphs(default_summary(content) if summary is None else summary)
    doc.heading(1, "总体情况")
    _table(doc, content.tables["headline"])
    chart("trend", f"图1　近{len(content.charts['trend'][0]['xAxis']['data'])}个月按时办结率和满意率")
    doc.heading(1, "各单位综合排名")
    doc.paragraph(
        f"综合得分按以下权重计算：{weights_text(content.ranking['weights'])}；无数据的指标不计分，其权重按比例计入其他指标。"
    )
    _table(doc, content.tables["ranking"])
    doc.heading(1, "办件及超期情况")
    _table(doc, content.tables["units"])
    chart("overdue", "图2　逾期未办结办件较多的单位")
    _table(doc, content.tables["overdue"])
    doc.heading(1, "“好差评”及差评整改情况")
    t = content.total
    doc.paragraph(
        f"本月评价{shown(t['evaluations'])}条，差评{shown(t['negative'])}条；差评整改任务{shown(t['rectification_tasks'])}件，"
        f"按时整改{shown(t['rectified_on_time'])}件，按时整改率{shown(t['rectified_on_time_rate'], 'rate')}；"
        f"应回访{shown(t['callbacks_owed'])}件，已回访{shown(t['called_back'])}件。"
    )
    _table(doc, content.tables["loop"])
    chart("loop", "图3　本月差评整改任务的办理状态")
    doc.heading(1, "投诉情况")
    doc.paragraph(
        f"本月收到投诉{shown(content.complaints)}件，涉及{shown(t['complaint_matters'])}个事项（重复投诉"
        f"{shown(t['complaint_repeats'])}件）；办结{shown(t['complaints_closed'])}件，按期办结率"
        f"{shown(t['complaint_on_time_rate'], 'rate')}，经核查属实{shown(t['complaints_substantiated'])}件，"
        f"回访满意率{shown(t['complaint_satisfaction_rate'], 'rate')}。"
    )
    _table(doc, content.tables["complaints"])
    chart("complaints", "图4　本月投诉类别")
    doc.heading(1, "评价数据核查和问责情况")
    _table(doc, content.tables["findings"])
    _table(doc, content.tables["accountability"])
    doc.heading(1, "政务服务事项")
    _table(doc, content.tables["catalog"])
    doc.heading(1, "下步工作要求")
    doc.paragraphs(default_requirements(content) if requirements is None else requirements)
    return doc.to_bytes(), warnings


def bulletin_xlsx(content: BulletinContent) -> bytes:
    """Each table of the bulletin as a sheet of its own (the same text as printed)."""
    book = Workbook()
    book.remove(book.active)
    for table in content.tables.values():
        sheet = book.create_sheet(table.title[:31])
        sheet.append(table.header)
        for row in table.rows:
            sheet.append(row)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
