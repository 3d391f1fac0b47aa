"""Official documents (公文) in the layout of GB/T 9704-2012 《党政机关公文格式》, as DOCX.

Every document GovWatch prints (supervision orders, letters, forms, certificates, bulletins) is
built here, so they all look like what the offices issue themselves:

    doc = OfficialDocument(organ="某某区纪委监委", number="督办〔2026〕第0001号",
                           title="督办通知单", addressee="某某区市场监督管理局", date=date(2026, 3, 5))
    doc.heading(1, "基本情况")            # 一、基本情况 (黑体); level 2: （一）… (楷体)
    doc.paragraph("……")                  # 3号仿宋, two characters indented
    doc.table([["业务编号", "…"]], header=["项目", "内容"])
    doc.signature()                      # 发文机关署名, 成文日期 and the seal area (印章)
    doc.receipt(["签收人", "联系电话", ("办理情况", "", 6)], due=date(2026, 3, 10))
    data = doc.to_bytes()

The page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, a type area (版心) of
156 x 225 mm holding 22 lines of 28 characters; page numbers "— 1 —" in 4号 Song, right on odd
pages and left on even ones. The 版头: the issuing organ's mark in red 小标宋, the document number
centred below it, the red separator line. Dates are written with Arabic numerals as the 2012
edition and the 党政机关公文处理工作条例 want them ("2026年3月5日", no leading zeros), everywhere
in a document: use `document_date` for every date a document prints.

Fonts are chosen by what fontconfig finds (`fc-list`): the standard's fonts (仿宋_GB2312,
方正小标宋, 黑体, 楷体_GB2312) where installed, else the open CJK fonts of Debian's fonts-noto-cjk
(and fonts-arphic-ukai for 楷体); the chosen names are written into the DOCX so that LibreOffice
renders the PDF with them. Where fontconfig finds nothing, the standard's names are written, for
Word on the reader's machine.

The kernel imports no GovWatch app: callers pass names and dates, not models.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from xml.sax.saxutils import escape

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from .datewords import document_date, document_datetime  # noqa: F401 (also named from here)

# The page of GB/T 9704-2012 section 5.2: A4, the type area 156 x 225 mm.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TYPE_AREA_MM = 156
TYPE_AREA_PT = TYPE_AREA_MM / 25.4 * 72
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines, rounded down to whole twips (579) so 22 lines fit
# 28 characters of 3号 (16 pt) are 448 pt, the line 442.2 pt: the body is set 0.25 pt condensed
# (15.75 pt a character, 441 pt a line, justified). Word's and LibreOffice's character grids would
# do the same but disagree on it, so the grid holds lines only.
CONDENSED = Pt(-0.25)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
SEAL_BOOKMARK = "seal_area"  # the space the seal (印章) is pressed on: the signature and date

# Chinese type sizes (字号) in points.
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)
RED = RGBColor(0xFF, 0x00, 0x00)

# Candidates per typeface, best first: the standard's fonts under their Chinese and Windows
# names, then the open fonts Debian ships. The first is written where fontconfig finds none.
FANGSONG = ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "华文仿宋", "STFangsong")
XIAOBIAOSONG = ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05", "小标宋")
HEI = ("黑体", "SimHei", "方正黑体简体", "方正黑体_GBK")
KAI = ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "华文楷体", "STKaiti")
SONG = ("宋体", "SimSun", "华文宋体", "STSong")
OPEN_SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "AR PL UMing CN")
OPEN_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei")
OPEN_KAI = ("AR PL UKai CN", "AR PL KaitiM GB")


@dataclass(frozen=True)
class Fonts:
    """The typefaces of a document: body (仿宋), title and organ mark (小标宋), first-level
    headings (黑体), second-level headings (楷体), page numbers (宋体)."""

    fangsong: str
    xiaobiaosong: str
    hei: str
    kai: str
    song: str
    # 小标宋 is a heavy Song; when 黑体 stands in for it the title is set bold to keep its weight.
    title_bold: bool = False


def _first(installed: set[str], *candidates: Iterable[str]) -> str | None:
    for group in candidates:
        for name in group:
            if name in installed:
                return name
    return None


def choose_fonts(installed: Iterable[str]) -> Fonts:
    """The fonts to write, given the family names fontconfig lists."""
    have = set(installed)
    if not have:
        return Fonts(FANGSONG[0], XIAOBIAOSONG[0], HEI[0], KAI[0], SONG[0])
    hei = _first(have, HEI, OPEN_SANS) or HEI[0]
    fangsong = _first(have, FANGSONG, OPEN_SERIF, OPEN_SANS) or FANGSONG[0]
    xiaobiaosong = _first(have, XIAOBIAOSONG)
    return Fonts(
        fangsong=fangsong,
        xiaobiaosong=xiaobiaosong or hei,
        hei=hei,
        kai=_first(have, KAI, OPEN_KAI) or fangsong,
        song=_first(have, SONG, OPEN_SERIF) or fangsong,
        title_bold=xiaobiaosong is None,
    )


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """The family names of the Chinese fonts fontconfig knows (empty without fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # One font a line; a family with localized names lists them all, comma separated.
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(",") if name.strip())


def fonts() -> Fonts:
    return choose_fonts(installed_families())


_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 23 → 二十三: the numbering of headings (一、 （一）)."""
    if n < 0 or n >= 100:
        return str(n)
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def _em_width(text: str) -> float:
    """Width in characters: a CJK character is one, an ASCII one half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


TITLE_CHARS = 19  # 2号 characters on a line of the type area, with a margin at each end
# Good places to turn a title's line: after a unit's name or a particle, before the 文种.
_BREAK_AFTER = set("局委办院府会所站室中心处厅部司队的于和与及年月")


def title_lines(title: str, capacity: float = TITLE_CHARS) -> list[str]:
    """A long title split into balanced lines (GB/T 9704 7.3.1: 梯形或菱形, words kept whole as
    far as a rule of thumb can): each line within `capacity`, the upper ones no shorter, each
    turn placed after a unit's name, a date or a particle unless that unbalances it badly."""
    width = _em_width(title)
    if width <= capacity:
        return [title]
    count = int(-(-width // capacity))
    lines, rest = [], title
    while count > 1:
        ideal = _em_width(rest) / count + 0.5  # upper lines a little longer than the lower ones
        ends = [
            i for i in range(1, len(rest))
            if _em_width(rest[:i]) <= capacity and _em_width(rest[i:]) <= capacity * (count - 1)
        ]  # fmt: skip
        cut = min(
            ends, key=lambda i: abs(_em_width(rest[:i]) - ideal) + (0 if rest[i - 1] in _BREAK_AFTER else 5)
        )
        lines.append(rest[:cut])
        rest, count = rest[cut:], count - 1
    return [*lines, rest]


# ---------------------------------------------------------------------------- low-level XML


# Child elements in the order the WordprocessingML schema requires (Word refuses other orders).
_PPR = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_RPR = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip
_TBLPR = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize", "w:tblStyleColBandSize",
    "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
    "w:tblLook", "w:tblCaption", "w:tblDescription",
)  # fmt: skip


def _child(parent, tag: str, order: tuple[str, ...]):
    """The child `tag` of `parent`, created in its place in the schema's order if missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert_element_before(found, *order[order.index(tag) + 1 :])
    return found


def _set_fonts(rpr_owner, name: str) -> None:
    """Write `name` for Latin, East Asian and complex scripts, with no theme font overriding it."""
    rfonts = _child(rpr_owner.get_or_add_rPr(), "w:rFonts", _RPR)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _paragraph_border(paragraph: Paragraph, side: str, *, size: int, color: str, space: int = 0) -> None:
    """A border line on one side of a paragraph: `size` in eighths of a point, `space` in points."""
    borders = _child(paragraph._p.get_or_add_pPr(), "w:pBdr", _PPR)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str, style_run=None):
    """A field (PAGE, NUMPAGES) that Word and LibreOffice compute when they lay the pages out."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", placeholder),
                       ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        if kind == "instr":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = f" {text} "
        elif kind == "text":
            node = OxmlElement("w:t")
            node.text = text
        else:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        run._r.append(node)


def _bookmark(paragraph_start: Paragraph, paragraph_end: Paragraph, name: str, bid: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    paragraph_start._p.insert(1 if paragraph_start._p.pPr is not None else 0, start)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    paragraph_end._p.append(end)


def _table_borders(table: Table, size: int = 4) -> None:
    """Single black lines round and inside every cell, `size` in eighths of a point."""
    borders = _child(table._tbl.tblPr, "w:tblBorders", _TBLPR)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(size))
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)


def _fixed_layout(table: Table, widths: Sequence[Length]) -> None:
    """Fixed column widths, so Word and LibreOffice draw the same table the width of the type area."""
    table.autofit = False
    tblpr = table._tbl.tblPr
    width = _child(tblpr, "w:tblW", _TBLPR)
    width.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    width.set(qn("w:type"), "dxa")
    _child(tblpr, "w:tblLayout", _TBLPR).set(qn("w:type"), "fixed")
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w.twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = w


_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>GovWatch</Application><DocSecurity>0</DocSecurity><Company>{company}</Company>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc></Properties>"
)


# ---------------------------------------------------------------------------- the document

RECEIPT_COLUMNS = (36, 120)  # mm: the label, the box to fill in
# What a receipt page holds besides its table: the title, two lines of request, the signer's line
# after a free line, the date, and a line to spare (measured in LibreOffice's PDF); the table gets
# the rest of the 22 lines, in rows of 22 pt lines.
RECEIPT_TABLE_PT = 22 * LINE_PITCH.pt - 36 - 7 * LINE_PITCH.pt


def _cell_lines(text: str, width_mm: float) -> int:
    per_line = max(1, int((width_mm - 4) / 25.4 * 72 / 14))  # 4号 characters, less the cell's margins
    return max(1, -(-int(_em_width(text) + 0.99) // per_line))


def _fit_receipt(rows: Sequence[Sequence[str]], wanted: Sequence[int]) -> list[int]:
    """Each row's height in lines: what its label and value need, at least what was asked for,
    the boxes to write in made smaller (to two lines at least) until the slip fits one page."""
    label_mm, value_mm = RECEIPT_COLUMNS
    need = [max(_cell_lines(label, label_mm), _cell_lines(value, value_mm)) for label, value in rows]
    heights = [max(n, w) for n, w in zip(need, wanted, strict=True)]

    def height(lines: Sequence[int]) -> float:
        return sum(22 * n + 8 for n in lines)

    while height(heights) > RECEIPT_TABLE_PT:
        tallest = max(range(len(heights)), key=lambda i: heights[i] - need[i])
        if heights[tallest] <= max(need[tallest], 2):
            break  # nothing left to shrink: the slip runs over, the text is kept whole
        heights[tallest] -= 1
    return heights


@dataclass(frozen=True)
class ReceiptField:
    """One line of a receipt slip (回执): its label, what is filled in already, its height in lines."""

    label: str
    value: str = ""
    lines: int = 1


class OfficialDocument:
    """One official document: 版头 and title on construction, then the body, the signature and
    an optional receipt slip, in the order they are added."""

    def __init__(
        self,
        *,
        organ: str,
        title: str,
        number: str = "",
        addressee: str = "",
        date: date | None = None,
        mark: str | None = None,
        created: datetime | None = None,
        subject: str = "",
        typefaces: Fonts | None = None,
    ) -> None:
        """`organ` issues and signs the document; `mark` is its 发文机关标志 when it differs
        (e.g. "某某区纪委监委文件"); `date` is the 成文日期 (default today); `created` the time
        in the file's properties (default now); `subject` the kind of document, in them too."""
        if not organ.strip():
            raise ValueError("发文机关不能为空")
        if not title.strip():
            raise ValueError("公文标题不能为空")
        self.organ = organ.strip()
        self.title = title.strip()
        self.number = number.strip()
        self.addressee = addressee.strip()
        self.date = date or timezone.localdate()
        self.created = created or timezone.now()
        self.subject = subject.strip()
        self.fonts = typefaces or fonts()
        self.document = Document()
        self._styles: dict[str, object] = {}
        self._headings: dict[int, int] = {}
        self._signed = False
        self._clean_package()
        self._page()
        self._define_styles()
        self._page_numbers()
        self._masthead(mark or self.organ)
        heading = self._add("GovTitle")
        for i, line in enumerate(title_lines(self.title)):
            run = heading.add_run(line)
            if i:
                run._r.insert(0, OxmlElement("w:br"))
        if self.addressee:
            self._add("GovAddressee", f"{self.addressee}：")

    # -- the page, its styles and numbers ---------------------------------------------------

    def _clean_package(self) -> None:
        """Drop what the blank template carries that is no part of this document: its thumbnail,
        its bibliography sources, its legacy styles, its revision ids (properties: `to_bytes`)."""
        package = self.document.part.package
        for owner, reltypes in (
            (package, {RT.THUMBNAIL}),
            (self.document.part, {RT.CUSTOM_XML, STYLES_WITH_EFFECTS}),
        ):
            for rid in [rid for rid, rel in owner.rels.items() if rel.reltype in reltypes]:
                del owner.rels[rid]
        settings = self.document.settings.element
        for lang in settings.findall(qn("w:themeFontLang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
        for rsids in settings.findall(qn("w:rsids")):
            settings.remove(rsids)

    def _page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.gutter = Mm(0)
        section.header_distance = Mm(15)
        # The page number's dash sits about 7 mm below the type area (GB/T 9704 7.5).
        section.footer_distance = Mm(23)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(int(LINE_PITCH.twips)))
        self.document.settings.odd_and_even_pages_header_footer = True

    def _style(self, style_id: str, name: str, font: str, size: Length, **options) -> None:
        """A paragraph style named in Chinese (as Word shows it) with an ASCII id."""
        style = self.document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = self.document.styles["Normal"]
        style.quick_style = True
        _set_fonts(style.element, font)
        style.font.size = size
        style.font.bold = options.get("bold", False)
        if "color" in options:
            style.font.color.rgb = options["color"]
        if size == SIZE_3:
            _child(style.element.get_or_add_rPr(), "w:spacing", _RPR).set(
                qn("w:val"), str(int(CONDENSED.twips))
            )
        fmt = style.paragraph_format
        fmt.alignment = options.get("align", WD_ALIGN_PARAGRAPH.JUSTIFY)
        fmt.first_line_indent = options.get("indent", Pt(0))
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = options.get("line", LINE_PITCH)
        fmt.space_before = options.get("before", Pt(0))
        fmt.space_after = Pt(0)
        fmt.widow_control = True
        if "outline" in options:
            outline = _child(style.element.get_or_add_pPr(), "w:outlineLvl", _PPR)
            outline.set(qn("w:val"), str(options["outline"]))
        self._styles[style_id] = style

    def _define_styles(self) -> None:
        f = self.fonts
        normal = self.document.styles["Normal"]
        _set_fonts(normal.element, f.fangsong)
        normal.font.size = SIZE_3
        lang = _child(normal.element.get_or_add_rPr(), "w:lang", _RPR)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        # The template names theme fonts (Calibri, Cambria, MS Mincho), which win over named ones:
        # the defaults take the body font, the template's other styles inherit it.
        for rfonts in list(self.document.styles.element.iter(qn("w:rFonts"))):
            for attr in [a for a in rfonts.attrib if "Theme" in a]:
                del rfonts.attrib[attr]
            if not rfonts.attrib:
                rfonts.getparent().remove(rfonts)
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            for rpr in defaults.iter(qn("w:rPr")):
                rfonts = OxmlElement("w:rFonts")
                for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                    rfonts.set(qn(attr), f.fangsong)
                rpr.insert(0, rfonts)
                for lang in rpr.iter(qn("w:lang")):
                    lang.set(qn("w:eastAsia"), "zh-CN")
            for spacing in defaults.iter(qn("w:spacing")):
                spacing.set(qn("w:after"), "0")
        two = Pt(32)  # two characters of 3号
        center, left, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
        heavy = f.title_bold
        self._style("GovMark", "发文机关标志", f.xiaobiaosong, Pt(36), color=RED, align=center, bold=heavy,
                    before=Mm(35), line=Pt(48))  # fmt: skip
        self._style("GovNumber", "发文字号", f.fangsong, SIZE_3, align=center, before=LINE_PITCH * 2)
        self._style("GovTitle", "公文标题", f.xiaobiaosong, SIZE_2, align=center, bold=heavy,
                    before=LINE_PITCH * 2, line=Pt(36), outline=0)  # fmt: skip
        self._style("GovAddressee", "主送机关", f.fangsong, SIZE_3, before=LINE_PITCH)
        self._style("GovBody", "公文正文", f.fangsong, SIZE_3, indent=two)
        self._style("GovHeading1", "一级标题", f.hei, SIZE_3, indent=two, outline=1)
        self._style("GovHeading2", "二级标题", f.kai, SIZE_3, indent=two, outline=2)
        self._style("GovHeading3", "三级标题", f.fangsong, SIZE_3, indent=two, outline=3)
        self._style("GovSignature", "发文机关署名", f.fangsong, SIZE_3, align=right)
        self._style("GovCell", "表格文字", f.fangsong, SIZE_4, align=center, line=Pt(22))
        self._style("GovCellText", "表格正文", f.fangsong, SIZE_4, align=left, line=Pt(22))
        self._style("GovCellHead", "表头", f.hei, SIZE_4, align=center, line=Pt(22))
        self._style("GovPageNumber", "页码", f.song, SIZE_4, line=Pt(21))
        self._style("GovReceiptTitle", "回执标题", f.xiaobiaosong, SIZE_2, align=center, bold=heavy,
                    line=Pt(36), outline=0)  # fmt: skip

    def _page_numbers(self) -> None:
        """— 1 — in 4号 Song: odd pages right, even pages left, one character in from the edge."""
        section = self.document.sections[0]
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.style = self._styles["GovPageNumber"]
            fmt = paragraph.paragraph_format
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
            if odd:
                fmt.right_indent = SIZE_4
            else:
                fmt.left_indent = SIZE_4
            paragraph.add_run("— ")
            _add_field(paragraph, "PAGE", "1")
            paragraph.add_run(" —")

    def _masthead(self, mark: str) -> None:
        """版头: the organ's mark in red (smaller for a long name, on one line), the number two
        lines below it, the red separator line the width of the type area 4 mm below that."""
        size = min(36, max(16, int(TYPE_AREA_PT / max(_em_width(mark), 1) * 0.9)))
        paragraph = self._add("GovMark", mark)
        if size != 36:
            for run in paragraph.runs:
                run.font.size = Pt(size)
        number = self._add("GovNumber", self.number)
        _paragraph_border(number, "bottom", size=12, color="FF0000", space=11)

    # -- content -----------------------------------------------------------------------------

    def _add(self, style_id: str, text: str = "") -> Paragraph:
        return self.document.add_paragraph(text, style=self._styles[style_id])

    def paragraph(self, text: str, *, indent: bool = True) -> Paragraph:
        """A body paragraph in 仿宋, its first line indented two characters (not when `indent`
        is False)."""
        paragraph = self._add("GovBody", text)
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        return paragraph

    def paragraphs(self, text: str) -> list[Paragraph]:
        """One body paragraph per non-empty line of `text`."""
        return [self.paragraph(line.strip()) for line in text.splitlines() if line.strip()]

    def heading(self, level: int, text: str, *, numbered: bool = True) -> Paragraph:
        """A heading: level 1 in 黑体 numbered 一、, level 2 in 楷体 numbered （一）, level 3 in
        仿宋 numbered 1. — or as given when `numbered` is False."""
        if level not in (1, 2, 3):
            raise ValueError("标题层级只能是 1、2、3")
        self._headings[level] = self._headings.get(level, 0) + 1
        for deeper in range(level + 1, 4):
            self._headings.pop(deeper, None)
        if numbered:
            n = self._headings[level]
            text = {1: f"{chinese_number(n)}、", 2: f"（{chinese_number(n)}）", 3: f"{n}. "}[level] + text
        return self._add(f"GovHeading{level}", text)

    def _grid(
        self,
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        styles: Sequence[str],
        heights: Sequence[int],
        *,
        header: bool = False,
    ) -> Table:
        """A bordered table the width of the type area: `widths` relative, `styles` per column
        (the first row in 黑体 when it is a `header`, repeated on each page), each row at least
        `heights` lines of 4号 high; a value's newlines make lines of their own."""
        total = sum(widths)
        table = self.document.add_table(rows=0, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _table_borders(table)
        for r, (values, height) in enumerate(zip(rows, heights, strict=True)):
            row = table.add_row()
            row.height = Pt(22 * height + 8)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row is never cut in two
            for i, cell in enumerate(row.cells):
                value = values[i] if i < len(values) else ""
                style = self._styles["GovCellHead" if header and r == 0 else styles[i]]
                lines = str("" if value is None else value).splitlines() or [""]
                # The style by its id: python-docx's `paragraph.style = style` looks for the
                # default style among all the document's styles each time (seconds for a table of
                # a few hundred cells).
                cell.paragraphs[0]._p.style = style.style_id
                cell.paragraphs[0].text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)._p.style = style.style_id
                # An empty box to write in starts at its top; everything else is centred.
                cell.vertical_alignment = (
                    WD_CELL_VERTICAL_ALIGNMENT.TOP
                    if height > 1 and not value
                    else WD_CELL_VERTICAL_ALIGNMENT.CENTER
                )
        if header:
            table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        _fixed_layout(table, [Mm(TYPE_AREA_MM * w / total) for w in widths])
        return table

    def table(
        self,
        rows: Sequence[Sequence[object]],
        header: Sequence[str] | None = None,
        *,
        widths: Sequence[float] | None = None,
        align_left: Iterable[int] = (),
    ) -> Table:
        """A table the width of the type area in 4号仿宋, the header row in 黑体 and repeated on
        each page; `widths` relative column widths; columns in `align_left` (long texts) flush
        left, the others centred. A cell's newlines make lines of their own."""
        cols = len(header) if header else max((len(r) for r in rows), default=1)
        weights = list(widths or [1.0] * cols)
        if len(weights) != cols:
            raise ValueError("列宽的个数与列数不一致")
        left = set(align_left)
        styles = ["GovCellText" if i in left else "GovCell" for i in range(cols)]
        body = [list(header)] if header else []
        body += [list(r) for r in rows]
        table = self._grid(body, weights, styles, [1] * len(body), header=bool(header))
        # A paragraph after the table keeps the next text off its bottom line.
        self._add("GovBody")
        return table

    def figure(self, image: bytes, caption: str = "", *, width_mm: float = TYPE_AREA_MM) -> Paragraph:
        """A picture (PNG or JPEG bytes) centred in the type area, `width_mm` wide (at most the type
        area), with its caption below in 4号仿宋. Its paragraph has no exact line height, which
        would crop the picture to one line."""
        paragraph = self._add("GovBody")
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Pt(0)
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.keep_with_next = bool(caption)
        paragraph.add_run().add_picture(io.BytesIO(image), width=Mm(min(width_mm, TYPE_AREA_MM)))
        if caption:
            self._add("GovCell", caption)
        return paragraph

    def signature(self) -> None:
        """发文机关署名 and 成文日期 at the right, with the seal area: the date four characters in
        from the right, the organ centred over it, two free lines above them for the seal that is
        pressed over both (GB/T 9704 7.3.5.1). The area is the bookmark `seal_area`. Called by
        `receipt` and `to_bytes` when the caller has not."""
        if self._signed:
            return
        self._signed = True
        self._keep_with_signature()
        written = document_date(self.date)
        space = [self._add("GovSignature"), self._add("GovSignature")]
        organ = self._add("GovSignature", self.organ)
        when = self._add("GovSignature", written)
        date_right = 4.0
        organ_right = max(date_right + (_em_width(written) - _em_width(self.organ)) / 2, 2.0)
        when.paragraph_format.right_indent = Pt(16 * date_right)
        organ.paragraph_format.right_indent = Pt(16 * organ_right)
        for paragraph in (*space, organ):
            paragraph.paragraph_format.keep_with_next = True
        _bookmark(space[0], when, SEAL_BOOKMARK, 1)

    def _keep_with_signature(self) -> None:
        """The signature never stands alone on a page (GB/T 9704 7.3.5): the last paragraph of
        the body (up to three lines), or the last row of a table that ends it, goes over with it."""
        content = [e for e in self.document.element.body if e.tag in (qn("w:p"), qn("w:tbl"))]
        if not content or len(content) <= 3:  # nothing but the masthead and the title
            return
        last = content[-1]
        if last.tag == qn("w:p") and not last.xpath("string(.)") and content[-2].tag == qn("w:tbl"):
            Paragraph(last, self.document._body).paragraph_format.keep_with_next = True
            last = content[-2].findall(qn("w:tr"))[-1]
        elif _em_width(last.xpath("string(.)")) > 3 * CHARS_PER_LINE:
            return  # LibreOffice would move a long paragraph whole, leaving a page half empty
        for p in last.iter(qn("w:p")) if last.tag == qn("w:tr") else [last]:
            Paragraph(p, self.document._body).paragraph_format.keep_with_next = True

    def receipt(
        self,
        fields: Sequence[str | tuple | ReceiptField],
        *,
        due: date | None = None,
        return_to: str | None = None,
        title: str = "回　执",
    ) -> Table:
        """A receipt slip (回执) on a page of its own: the document's addressee, number and title
        filled in, a row per field for the addressee to fill in (a label, a (label, value, lines)
        tuple or a ReceiptField), the signer's line and the unit's seal, and by when and to whom
        it goes back."""
        self.signature()
        items = [f if isinstance(f, ReceiptField) else ReceiptField(*((f,) if isinstance(f, str) else f))
                 for f in fields]  # fmt: skip
        if not items:
            raise ValueError("回执至少要有一栏")
        heading = self._add("GovReceiptTitle", title)
        heading.paragraph_format.page_break_before = True
        when = f"请于{document_date(due)}前" if due else "请"
        self.paragraph(f"{when}填写本回执，由单位负责人签字并加盖单位印章后，反馈{return_to or self.organ}。")
        known = [("收文单位", self.addressee)] if self.addressee else []
        known += [("文　　号", self.number), ("文　　题", self.title)]
        rows = [[label, value] for label, value in known] + [[f.label, f.value] for f in items]
        heights = _fit_receipt(rows, [1] * len(known) + [max(1, f.lines) for f in items])
        table = self._grid(rows, RECEIPT_COLUMNS, ["GovCell", "GovCellText"], heights)
        for cell in table.rows[-1].cells:  # a slip that runs over takes its last box along
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
        signer = self._add("GovSignature", "单位负责人（签字）：　　　　　　（单位印章）")
        signer.paragraph_format.space_before = LINE_PITCH
        signer.paragraph_format.keep_with_next = True
        self._add("GovSignature", "年　　月　　日").paragraph_format.right_indent = Pt(16 * 4)
        return table

    # -- the file ----------------------------------------------------------------------------

    def _properties(self) -> None:
        """Title, subject, the organ as author and last editor, the document's own times: nothing
        of the machine, the user or the template it was made from."""
        props = self.document.core_properties
        props.title = self.title
        props.subject = self.subject or self.title
        props.author = self.organ
        props.last_modified_by = self.organ
        props.comments = ""
        props.keywords = " ".join(x for x in (self.number, self.subject) if x)
        props.category = "公文"
        props.content_status = ""
        props.identifier = self.number
        props.language = "zh-CN"
        props.version = ""
        props.revision = 1
        created = self.created
        if timezone.is_aware(created):
            created = created.astimezone(UTC).replace(tzinfo=None)
        props.created = props.modified = created
        for rel in self.document.part.package.rels.values():
            if rel.reltype == RT.EXTENDED_PROPERTIES:
                rel.target_part._blob = _APP_XML.format(company=escape(self.organ)).encode()

    def to_bytes(self) -> bytes:
        """The DOCX file; signs the document first if the caller has not."""
        self.signature()
        self._properties()
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()
