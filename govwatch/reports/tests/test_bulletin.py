"""The monthly bulletin: its tables hold `report kpi`'s figures, its PDF renders the Chinese text,
drafts are edited by the office and issued once with a number, and the issued files are archived."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document
from openpyxl import load_workbook

from govwatch.audit.log import Actor
from govwatch.audit.models import AuditEntry
from govwatch.cli import main
from govwatch.core.pdf import available
from govwatch.reports.bulletin import bulletin_content, bulletin_docx
from govwatch.reports.bulletins import do_create_bulletin, do_edit_bulletin, do_issue_bulletin
from govwatch.reports.models import Bulletin

from .leaders_fixtures import *  # noqa: F403  (the fixtures ranked and roles)

MARCH = date(2026, 3, 1)
needs_pdf = pytest.mark.skipif(
    not available() or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are not installed",
)


def _tables(data: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(io.BytesIO(data)).tables]


def _kpi(capsysbinary) -> dict:
    capsysbinary.readouterr()
    assert main(["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"]) == 0
    return json.loads(capsysbinary.readouterr().out)


def test_bulletin_tables_hold_report_kpi_figures(march, capsysbinary):
    kpi = _kpi(capsysbinary)
    total = kpi["rows"][-1]
    content = bulletin_content(MARCH)
    data, _warnings = bulletin_docx(
        content, organ="区政务服务中心", title="关于2026年3月政务服务效能情况的通报"
    )
    tables = _tables(data)
    headline = {row[0]: row[1] for row in tables[0][1:]}
    assert headline["受理办件"] == f"{total['received']:,}" == "16"
    assert headline["办结办件"] == "7"
    assert headline["按时办结率"] == f"{total['on_time_rate'] * 100:.2f}%" == "57.14%"
    assert headline["逾期未办结"] == "6"
    assert headline["满意率"] == "50.00%" and headline["差评数"] == "3"
    units = next(t for t in tables if t[0][:3] == ["单位", "受理", "办结"])
    by_name = {row[0]: row for row in units[1:]}
    market = next(r for r in kpi["rows"] if r["unit_code"] == "SC")
    assert by_name["区市场监管局"][1:3] == [str(market["received"]), str(market["completed"])]
    assert by_name["合计"][1] == "16"
    # The overdue cases of the month's end are listed by due date.
    overdue = next(t for t in tables if t[0][0] == "业务编号")
    assert [row[0] for row in overdue[1:]][:1] == ["B6"]


def test_bulletin_workbook_has_a_sheet_per_table(march):
    from govwatch.reports.bulletin import bulletin_xlsx

    book = load_workbook(io.BytesIO(bulletin_xlsx(bulletin_content(MARCH))))
    assert "主要指标" in book.sheetnames and "各单位综合排名" in book.sheetnames
    rows = list(book["主要指标"].values)
    assert rows[1][:2] == ("受理办件", "16")


def test_charts_are_drawn_as_images(march):
    content = bulletin_content(MARCH)
    data, warnings = bulletin_docx(content, organ="区政务服务中心", title="通报")
    images = [p for p in Document(io.BytesIO(data)).part.package.parts if p.content_type == "image/png"]
    if warnings:  # no Node.js or no npm packages on this machine: said, and the tables stand
        assert "图表" in warnings[0] and images == []
    else:
        assert len(images) == len(content.charts) >= 2


@needs_pdf
@pytest.mark.slow  # LibreOffice renders a PDF (seconds each)
def test_pdf_renders_the_chinese_text(march, tmp_path, capsysbinary):
    out = tmp_path / "bulletin.pdf"
    capsysbinary.readouterr()
    assert main(["report", "bulletin", "--month", "2026-03", "--out", str(out)]) == 0
    doc = json.loads(capsysbinary.readouterr().out)
    assert doc["status"] == "draft" and doc["figures"]["received"] == 16
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "政务服务效能监督情况的通报" in text.replace(" ", "").replace("\n", "")
    assert "按时办结率" in text and "57.14%" in text
    assert "\ufffd" not in text and "□" not in text


def test_bulletin_command_refuses_bad_arguments(march, capsysbinary, tmp_path):
    for argv, message in (
        (["--month", "2026-13", "--out", str(tmp_path / "b.docx")], "2026-13"),
        (["--month", "2026-03", "--out", str(tmp_path / "b.txt")], ".docx"),
        (["--month", "2026-03", "--out", str(tmp_path / "no" / "b.docx")], "目录"),
        (["--month", "2026-03", "--unit", "NOPE", "--out", str(tmp_path / "b.docx")], "NOPE"),
    ):
        capsysbinary.readouterr()
        assert main(["report", "bulletin", *argv]) == 2
        out, err = capsysbinary.readouterr()
        assert out == b"" and message in err.decode()


@pytest.mark.slow  # LibreOffice renders a PDF (seconds each)
def test_a_draft_is_edited_then_issued_once_with_the_next_number(ranked, roles, capsysbinary, tmp_path):
    office = Actor("user:zhengwuban", roles.office)
    draft = do_create_bulletin(office, MARCH, ranked["root"])
    assert draft.status == Bulletin.Status.DRAFT and "2026年3月" in draft.summary
    assert draft.organ == "区政务服务中心"
    do_edit_bulletin(office, draft, summary="三月全区办件总体平稳。\n东门社区表现突出。")
    bulletin, _warnings = do_issue_bulletin(office, draft)
    assert bulletin.number == "效能通报〔2026〕第0001号" or bulletin.number.startswith("效能通报〔")
    assert bulletin.issued and bulletin.docx and bulletin.sha256
    text = "\n".join(p.text for p in Document(io.BytesIO(bytes(bulletin.docx))).paragraphs)
    assert "三月全区办件总体平稳。" in text and bulletin.number.replace("第", "") in text.replace("第", "")
    with pytest.raises(ValidationError):
        do_edit_bulletin(office, bulletin, summary="改")
    with pytest.raises(ValidationError):
        do_issue_bulletin(office, bulletin)
    second = do_issue_bulletin(office, do_create_bulletin(office, MARCH, ranked["root"]))[0]
    assert second.number != bulletin.number
    actions = list(AuditEntry.objects.filter(action__startswith="bulletin.").values_list("action", flat=True))
    assert actions.count("bulletin.issue") == 2 and "bulletin.edit" in actions
    # The command gives the archived file of the month's issued bulletin, whatever came since.
    out = tmp_path / "issued.docx"
    capsysbinary.readouterr()
    assert main(["report", "bulletin", "--month", "2026-03", "--out", str(out)]) == 0
    doc = json.loads(capsysbinary.readouterr().out)
    assert doc["status"] == "issued" and doc["number"] == second.number
    assert out.read_bytes() == bytes(Bulletin.objects.get(pk=second.pk).docx)


def test_only_the_office_drafts_and_issues(ranked, roles):
    with pytest.raises(PermissionDenied):
        do_create_bulletin(Actor("user:lingdao", roles.leader), MARCH, ranked["root"])
    draft = do_create_bulletin(Actor("user:zhengwuban", roles.office), MARCH, ranked["root"])
    with pytest.raises(PermissionDenied):
        do_issue_bulletin(Actor("user:shichang", roles.market_staff), draft)


@pytest.mark.slow  # LibreOffice renders a PDF (seconds each)
def test_bulletin_pages(ranked, roles, client):
    client.force_login(roles.office)
    response = client.post("/reports/bulletins/new/", {"month": "2026-03", "unit": ""})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == bulletin.get_absolute_url()
    page = client.get(bulletin.get_absolute_url())
    assert page.status_code == 200 and "印发通报" in page.content.decode()
    edit = {"organ": "区政务服务中心", "title": "关于三月的通报", "addressee": "各部门", "summary": "总体平稳",
            "requirements": "抓好整改"}  # fmt: skip
    client.post(bulletin.get_absolute_url(), edit)
    assert Bulletin.objects.get().title == "关于三月的通报"
    assert client.post(f"/reports/bulletins/{bulletin.pk}/issue/").status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.issued
    docx = client.get(f"/reports/bulletins/{bulletin.pk}/file.docx")
    assert docx.content == bytes(bulletin.docx)
    assert client.get(f"/reports/bulletins/{bulletin.pk}/file.exe").status_code == 404
    # A leader reads the archive and may not issue; the market bureau does not see the region's.
    client.force_login(roles.leader)
    assert "关于三月的通报" in client.get("/reports/bulletins/").content.decode()
    assert client.post("/reports/bulletins/new/", {"month": "2026-03"}).status_code == 403
    client.force_login(roles.market_staff)
    assert client.get(bulletin.get_absolute_url()).status_code == 404
    assert "关于三月的通报" not in client.get("/reports/bulletins/").content.decode()


def test_charts_font_is_cut_to_their_characters_once(settings, tmp_path):
    from fontTools.ttLib import TTFont

    from govwatch.core.documents import fonts
    from govwatch.reports.chartimages import _font_face, chart_font
    from govwatch.reports.charts import bars

    family = fonts().hei
    if _font_face(family) is None:
        pytest.skip("no CJK font found by fontconfig")
    settings.VAR_DIR = tmp_path
    option = bars(["东门社区", "区市场监管局"], [("投诉", [3, 1], "#5470c6")])
    (cut,) = chart_font(family, [option])
    assert cut.startswith(str(tmp_path)) and cut.endswith(".otf")
    cmap = TTFont(cut).getBestCmap()
    assert all(ord(ch) in cmap for ch in "东门社区市场监管局投诉0123456789.%")
    assert ord("鑫") not in cmap  # only what the charts say
    assert (tmp_path / "chart-fonts").stat().st_size and len(open(cut, "rb").read()) < 200_000
    assert chart_font(family, [option]) == (cut,)  # cut once, then read


def test_a_drafts_figures_are_kept_until_the_daily_figures_change(ranked, roles, tmp_path, monkeypatch):
    from govwatch.imports.runs import run_import
    from govwatch.reports import bulletins

    office = Actor("user:zhengwuban", roles.office)
    draft = do_create_bulletin(office, MARCH, ranked["root"])
    assert draft.computed and draft.computed_at
    computed = []
    real = bulletins.bulletin_content

    def counted(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(bulletins, "bulletin_content", counted)
    draft = Bulletin.objects.get(pk=draft.pk)
    first = bulletins.draft_content(draft)
    assert computed == [] and first.total["received"] == 6  # the stored figures, not computed again
    assert bulletins.draft_content(Bulletin.objects.get(pk=draft.pk)).total == first.total
    assert computed == []
    # A case accepted in March since: the daily figures change, the draft's are computed again.
    cases = tmp_path / "late.csv"
    cases.write_text("case_no,event,at,item_code\nL1,accept,2026-03-20T09:00:00,I9\n", encoding="utf-8")
    assert run_import("cases", cases).rejected == 0
    again = bulletins.draft_content(Bulletin.objects.get(pk=draft.pk))
    assert computed == [1] and again.total["received"] == 7
    assert bulletins.draft_content(Bulletin.objects.get(pk=draft.pk)).total["received"] == 7
    assert computed == [1]
    # On demand (the page's 重新计算): computed again whatever the figures.
    bulletins.draft_content(Bulletin.objects.get(pk=draft.pk), refresh=True)
    assert computed == [1, 1]


def test_the_opening_words_count_the_units_tied_first_when_they_are_many(ranked, monkeypatch):
    from govwatch.reports import bulletin
    from govwatch.reports.bulletin import default_summary
    from govwatch.reports.bulletins import do_set_weights

    do_set_weights(Actor.command("test"), {"complaints": 0})  # the three ranked units share the first place
    content = bulletin_content(MARCH)
    assert "综合排名并列第一的是" in default_summary(content)
    monkeypatch.setattr(bulletin, "TIED_NAMED", 2)
    summary = default_summary(content)
    assert "综合排名并列第一的单位有3个" in summary and "东门社区" not in summary


def test_the_bulletin_is_issued_by_the_regions_own_center_not_one_further_down(ranked):
    from govwatch.core.choices import UnitKind
    from govwatch.orgs.models import Unit
    from govwatch.reports.bulletin import default_organ

    street = Unit.objects.get(code="ST")
    Unit.objects.create(code="ST-ZX", name="街道便民服务中心", parent=street, kind=UnitKind.CENTER)
    assert default_organ(None) != "街道便民服务中心"
    assert default_organ("ST") == "街道便民服务中心"
    root = Unit.objects.get(parent=None)
    Unit.objects.create(code="ZX", name="区政务服务中心", parent=root, kind=UnitKind.CENTER)
    assert default_organ(None) == "区政务服务中心"
