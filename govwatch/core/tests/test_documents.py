"""The official-document kernel: the page, the fonts, the 版头, the signature and seal area, the
receipt slip and the file's properties of GB/T 9704-2012, read back with python-docx."""

from __future__ import annotations

import getpass
import io
import socket
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from govwatch.core.documents import (
    SEAL_BOOKMARK,
    Fonts,
    OfficialDocument,
    ReceiptField,
    chinese_number,
    choose_fonts,
    document_date,
    document_datetime,
    fonts,
    title_lines,
)

TZ = ZoneInfo("Asia/Shanghai")
ISSUED = datetime(2026, 3, 5, 16, 30, tzinfo=TZ)


def sample(**overrides) -> OfficialDocument:
    options = dict(
        organ="江汉区纪委监委", number="督办〔2026〕第0012号", title="督办通知单", addressee="江汉区市场监督管理局",
        date=date(2026, 3, 5), created=ISSUED, subject="督办通知单",
    )  # fmt: skip
    options.update(overrides)
    doc = OfficialDocument(**options)
    doc.heading(1, "基本情况")
    doc.paragraph("你单位办理的食品经营许可办件已超过承诺时限。")
    doc.heading(2, "督办要求")
    doc.table([["业务编号", "JH-001"], ["督办要求", "请立即办理\n并说明超时原因"]], header=["项目", "内容"])
    doc.signature()
    doc.receipt(["签收人", "联系电话", ReceiptField("办理结果", lines=5)], due=date(2026, 3, 10))
    return doc


@pytest.fixture
def docx_bytes() -> bytes:
    return sample().to_bytes()


@pytest.fixture
def read(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def style_font(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_the_page_is_a4_with_the_standards_margins_and_type_area(read):
    section = read.sections[0]
    assert round(section.page_width.mm, 1) == 210 and round(section.page_height.mm, 1) == 297
    for margin, mm in ((section.top_margin, 37), (section.bottom_margin, 35), (section.left_margin, 28),
                       (section.right_margin, 26)):  # fmt: skip
        assert abs(margin.mm - mm) <= 1
    assert round(section.page_width.mm - section.left_margin.mm - section.right_margin.mm) == 156
    assert round(section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm) == 225


def test_22_lines_of_28_characters_of_3hao(read):
    body = read.styles["公文正文"]
    assert body.font.size == Pt(16)
    # 22 lines: the exact line pitch times 22 fills the 225 mm type area, no more.
    pitch = body.paragraph_format.line_spacing
    assert 22 * pitch.mm <= 225 < 23 * pitch.mm
    # 28 characters: 16 pt condensed to fit 156 mm 28 times, not 27 or 29.
    condensed = int(body.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * (16 + condensed) <= Mm(156).pt < 29 * (16 + condensed)
    grid = read.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and int(grid.get(qn("w:linePitch"))) * 22 <= Mm(225).twips


def test_the_fonts_are_the_ones_fontconfig_found_and_are_written_without_theme_fonts(read):
    chosen = fonts()
    styles = read.styles
    assert style_font(styles["Normal"]) == chosen.fangsong
    assert style_font(styles["公文正文"]) == chosen.fangsong
    assert style_font(styles["公文标题"]) == chosen.xiaobiaosong
    assert style_font(styles["发文机关标志"]) == chosen.xiaobiaosong
    assert style_font(styles["一级标题"]) == chosen.hei
    assert style_font(styles["二级标题"]) == chosen.kai
    assert style_font(styles["页码"]) == chosen.song
    assert styles["公文标题"].font.size == Pt(22)
    for rfonts in read.styles.element.iter(qn("w:rFonts")):
        assert not any("Theme" in key for key in rfonts.attrib), "a theme font would override the chosen one"


def test_the_standards_fonts_win_where_installed_and_open_fonts_stand_in_otherwise():
    noto = {"Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN", "DejaVu Sans"}
    assert choose_fonts(noto) == Fonts(
        fangsong="Noto Serif CJK SC", xiaobiaosong="Noto Sans CJK SC", hei="Noto Sans CJK SC",
        kai="AR PL UKai CN", song="Noto Serif CJK SC", title_bold=True,
    )  # fmt: skip
    windows = noto | {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"}
    assert choose_fonts(windows) == Fonts(
        "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体", False
    )
    assert choose_fonts({"Noto Sans CJK SC"}).fangsong == "Noto Sans CJK SC"  # Sans only: still CJK
    # Nothing known to fontconfig: the standard's names, for Word on the reader's machine.
    assert choose_fonts(set()).fangsong == "仿宋_GB2312"


def test_the_masthead_title_and_addressee_come_first_in_order(read):
    lines = texts(read)
    assert lines[:4] == ["江汉区纪委监委", "督办〔2026〕第0012号", "督办通知单", "江汉区市场监督管理局："]
    mark, number, title = read.paragraphs[:3]
    assert mark.style.font.color.rgb == (0xFF, 0x00, 0x00) and mark.alignment is None  # centred by its style
    assert mark.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    line = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert line.get(qn("w:color")) == "FF0000" and line.get(qn("w:val")) == "single"


def test_headings_are_numbered_in_chinese_and_set_in_hei_and_kai(read):
    lines = texts(read)
    assert "一、基本情况" in lines and "（一）督办要求" in lines
    heading = read.paragraphs[lines.index("一、基本情况")]
    assert heading.style.name == "一级标题"
    assert chinese_number(1) == "一" and chinese_number(10) == "十" and chinese_number(23) == "二十三"


def test_tables_span_the_type_area_with_a_repeated_header_and_lines_kept(read):
    table = read.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["项目", "内容"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[2].cells[1].text == "请立即办理\n并说明超时原因"
    width = int(table._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")))
    assert abs(width - Mm(156).twips) <= 20


def test_signature_and_date_right_with_the_seal_area_over_them(read):
    lines = texts(read)
    organ_at = lines.index("江汉区纪委监委", 1)
    assert lines[organ_at + 1] == "2026年3月5日"
    organ, when = read.paragraphs[organ_at], read.paragraphs[organ_at + 1]
    assert (
        organ.style.name == "发文机关署名"
        and organ.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    )
    # The date four characters in from the right; the organ (7 characters) centred over the date
    # (6: four half-width digits, 年, 3, 月, 5, 日), so half a character further right.
    assert when.paragraph_format.right_indent == Pt(16 * 4)
    assert organ.paragraph_format.right_indent == Pt(16 * 3.5)
    starts = read.element.body.findall(".//" + qn("w:bookmarkStart"))
    seal = [s for s in starts if s.get(qn("w:name")) == SEAL_BOOKMARK]
    assert len(seal) == 1
    # The seal area opens on the free lines above the signature and closes after the date.
    start_paragraph = seal[0].getparent()
    assert start_paragraph.xpath("string(.)") == ""
    assert when._p.find(qn("w:bookmarkEnd")).get(qn("w:id")) == seal[0].get(qn("w:id"))
    # Never alone on a page: the table that ends the body, its last row, goes over with it.
    last_row = read.tables[0].rows[-1]
    assert all(p.paragraph_format.keep_with_next for c in last_row.cells for p in c.paragraphs)
    assert organ.paragraph_format.keep_with_next


def test_the_receipt_slip_is_on_a_page_of_its_own_with_the_fields_to_fill_in(read):
    lines = texts(read)
    heading = read.paragraphs[lines.index("回　执")]
    assert heading.paragraph_format.page_break_before
    assert lines.index("回　执") > lines.index("2026年3月5日")
    slip = read.tables[-1]
    rows = [[c.text for c in row.cells] for row in slip.rows]
    assert rows[:3] == [
        ["收文单位", "江汉区市场监督管理局"],
        ["文　　号", "督办〔2026〕第0012号"],
        ["文　　题", "督办通知单"],
    ]
    assert [r[0] for r in rows[3:]] == ["签收人", "联系电话", "办理结果"] and all(
        r[1] == "" for r in rows[3:]
    )
    assert slip.rows[-1].height >= Pt(22 * 5)
    assert any("请于2026年3月10日前填写本回执" in line and "反馈江汉区纪委监委" in line for line in lines)
    assert "单位负责人（签字）：　　　　　　（单位印章）" in lines


def test_page_numbers_are_dashed_in_song_right_on_odd_pages_left_on_even(read):
    section = read.sections[0]
    assert read.settings.odd_and_even_pages_header_footer
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align and paragraph.style.name == "页码"
        assert paragraph.style.font.size == Pt(14)
        assert "PAGE" in paragraph._p.xpath("string(.//w:instrText)")
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")


def test_file_properties_name_the_organ_and_nothing_of_the_machine_or_template(docx_bytes, read):
    props = read.core_properties
    assert props.title == "督办通知单" and props.author == "江汉区纪委监委"
    assert props.last_modified_by == "江汉区纪委监委"
    assert props.created == props.modified == ISSUED
    assert props.comments == "" and props.revision == 1 and props.language == "zh-CN"
    parts = zipfile.ZipFile(io.BytesIO(docx_bytes))
    names = parts.namelist()
    assert not [n for n in names if "thumbnail" in n or n.startswith("customXml") or "stylesWithEffects" in n]
    app = parts.read("docProps/app.xml").decode()
    assert (
        "<Application>GovWatch</Application>" in app and "Normal.dotm" not in app and "Macintosh" not in app
    )
    everything = b"".join(parts.read(n) for n in names).decode("utf-8", "replace")
    for junk in ("python-docx", "Steve Canny", "generated by"):
        assert junk not in everything
    for who in {getpass.getuser(), socket.gethostname()} - {""}:
        assert f">{who}<" not in everything


def test_one_date_format_arabic_numerals_without_leading_zeros():
    assert document_date(date(2026, 3, 5)) == "2026年3月5日"
    assert document_date(datetime(2026, 3, 4, 17, 0, tzinfo=ZoneInfo("UTC"))) == "2026年3月5日"  # local time
    assert document_datetime(datetime(2026, 10, 1, 9, 5, tzinfo=TZ)) == "2026年10月1日9时05分"


def test_long_titles_turn_in_balanced_lines_after_a_name_or_particle():
    assert title_lines("督办通知单") == ["督办通知单"]
    assert title_lines("关于江汉区市场监督管理局差评整改工作的提醒函") == [
        "关于江汉区市场监督管理局",
        "差评整改工作的提醒函",
    ]
    lines = title_lines("关于洪山区政务服务和大数据管理局窗口工作人员服务态度问题整改落实情况的督办通知单")
    assert (
        "".join(lines) == "关于洪山区政务服务和大数据管理局窗口工作人员服务态度问题整改落实情况的督办通知单"
    )
    assert all(len(line) <= 19 for line in lines)


def test_a_long_organ_name_is_set_smaller_to_stay_on_one_line():
    doc = OfficialDocument(
        organ="中共某某市某某区纪律检查委员会某某区监察委员会", title="通知", date=date(2026, 1, 5)
    )
    mark = doc.document.paragraphs[0]
    assert mark.runs[0].font.size < Pt(36) and mark.runs[0].font.size * 23 <= Mm(156)


def test_bad_input_is_refused_in_chinese():
    with pytest.raises(ValueError, match="发文机关不能为空"):
        OfficialDocument(organ=" ", title="通知")
    with pytest.raises(ValueError, match="公文标题不能为空"):
        OfficialDocument(organ="区纪委监委", title="")
    doc = OfficialDocument(organ="区纪委监委", title="通知")
    with pytest.raises(ValueError, match="标题层级"):
        doc.heading(4, "第四层")
    with pytest.raises(ValueError, match="回执至少要有一栏"):
        doc.receipt([])
    with pytest.raises(ValueError, match="列宽"):
        doc.table([["a", "b"]], widths=[1, 2, 3])


def test_an_unsigned_document_is_signed_when_saved_and_signed_once():
    doc = OfficialDocument(organ="区纪委监委", title="通知", date=date(2026, 1, 5))
    doc.paragraph("正文。")
    doc.signature()
    lines = texts(Document(io.BytesIO(doc.to_bytes())))
    assert lines.count("2026年1月5日") == 1 and lines.count("区纪委监委") == 2  # the mark and the signature
