"""DOCX to PDF through LibreOffice: the Chinese text comes out of the PDF (pdftotext), in fonts
embedded in it (pdffonts), 22 lines of 28 characters a page; a missing LibreOffice is a clear
error in Chinese. Skipped only where LibreOffice is not installed; in CI it is, so there it runs."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from govwatch.core import pdf
from govwatch.core.documents import OfficialDocument

from .pdfcheck import needs_libreoffice, pdf_info, pdf_text, run

# One xdist worker runs them all (`--dist loadgroup`): the rendered letter is built once, not once per worker.
pytestmark = pytest.mark.xdist_group("pdf")

SENTENCE = "请按要求认真办理并于规定期限内书面回复督办事项"  # 24 characters


def letter() -> bytes:
    doc = OfficialDocument(
        organ="江汉区纪委监委", number="提醒函〔2026〕第0003号", title="关于江汉区市场监督管理局差评整改工作的提醒函",
        addressee="江汉区市场监督管理局", date=date(2026, 3, 5),
    )  # fmt: skip
    doc.heading(1, "基本情况")
    doc.paragraph(SENTENCE + "。")
    doc.heading(2, "督办要求")
    doc.table([["业务编号", "JH-001"], ["事项", "食品经营许可"]], header=["项目", "内容"])
    doc.signature()
    doc.receipt(["签收人", ("整改落实情况", "", 6)], due=date(2026, 3, 12))
    return doc.to_bytes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "letter.pdf"
    path.write_bytes(pdf.docx_to_pdf(letter()))
    return path


@needs_libreoffice
def test_the_pdf_carries_the_chinese_text_of_every_part(rendered):
    assert rendered.read_bytes().startswith(b"%PDF")
    text = re.sub(r"\s+", "", run("pdftotext", str(rendered), "-"))
    for piece in ("江汉区纪委监委", "提醒函〔2026〕第0003号", "关于江汉区市场监督管理局差评整改工作的提醒函",
                  "江汉区市场监督管理局：", "一、基本情况", SENTENCE, "（一）督办要求", "食品经营许可",
                  "2026年3月5日", "回执", "整改落实情况", "请于2026年3月12日前填写本回执", "—1—"):  # fmt: skip
        assert piece in text, piece
    assert "\ufffd" not in text and "□" not in text
    # The receipt slip is the last page, alone.
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(rendered))).group(1))
    last = re.sub(r"\s+", "", run("pdftotext", "-f", str(pages), "-l", str(pages), str(rendered), "-"))
    assert last.startswith("回执") and "基本情况" not in last and "2026年3月5日" not in last


@needs_libreoffice
def test_every_font_is_embedded_and_the_chinese_ones_are_cjk_fonts(rendered):
    rows = run("pdffonts", str(rendered)).splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", f"{name} is not embedded"
    names = " ".join(row.split()[0] for row in rows)
    assert re.search(r"CJK|Kai|Song|Hei|FangSong|GB2312", names), names


@needs_libreoffice
def test_a_page_holds_22_lines_of_28_characters(tmp_path):
    doc = OfficialDocument(organ="区纪委监委", title="通知", date=date(2026, 3, 5))
    doc.paragraph("一二三四五六七八九十" * 120)  # runs over page 1, fills page 2, ends on page 3
    path = tmp_path / "full.pdf"
    path.write_bytes(pdf.docx_to_pdf(doc.to_bytes()))
    lines = [line for line in run("pdftotext", "-f", "2", "-l", "2", str(path), "-").splitlines()]
    body = [line.strip() for line in lines if re.fullmatch(r"[一二三四五六七八九十]+", line.strip())]
    assert len(body) == 22, lines
    assert {len(line) for line in body} == {28}


@needs_libreoffice
def test_a_receipt_with_many_boxes_still_fits_its_one_page():
    doc = OfficialDocument(
        organ="区纪委监委", number="督办〔2026〕第0001号", title="督办通知单", addressee="区市场监管局"
    )
    doc.paragraph("请按要求办理。")
    doc.receipt([(f"第{n}栏", "", 6) for n in range(1, 7)])  # 36 lines asked for: shrunk to fit
    data = pdf.docx_to_pdf(doc.to_bytes())
    assert re.sub(r"\s+", "", pdf_text(data, "-f", "2", "-l", "2")).startswith("回执")
    last = re.sub(r"\s+", "", pdf_text(data, "-f", "2", "-l", "2"))
    assert "第6栏" in last and "单位负责人（签字）：（单位印章）" in last
    assert "Pages:           2" in pdf_info(data)


@needs_libreoffice
def test_conversions_in_parallel_do_not_clash():
    data = letter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: pdf.docx_to_pdf(data), range(2)))
    assert all(r.startswith(b"%PDF") for r in results)


def test_what_is_not_a_word_document_is_refused_in_chinese():
    with pytest.raises(pdf.PdfError, match="不是 Word 文档"):
        pdf.docx_to_pdf(b"this is not a word document")


def test_without_libreoffice_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "CANDIDATES", ("soffice",))
    with pytest.raises(pdf.PdfError, match="未安装 LibreOffice.*libreoffice-writer-nogui"):
        pdf.docx_to_pdf(letter())


@needs_libreoffice
def test_a_conversion_that_hangs_is_stopped_with_a_clear_error(monkeypatch):
    monkeypatch.setattr(pdf, "TIMEOUT", 0.01)
    with pytest.raises(pdf.PdfError, match="生成 PDF 超时"):
        pdf.docx_to_pdf(letter(), timeout=0.01)
