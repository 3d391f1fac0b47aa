"""The rectification pages as each role sees them: who sees what, who may take which step."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from govwatch.rectification.models import Problem, RectificationList

from .conftest import HEADER, signed_in, write_csv


def test_every_page_opens_for_the_region_roles(problems, people):
    for user in (people.supervisor, people.office, people.leader):
        client = signed_in(user)
        for url in ("/rectification/", "/rectification/lists/XC1/", f"/rectification/problems/{problems['1'].pk}/",
                    "/reports/rectification/", "/halls/", "/integrity/"):  # fmt: skip
            assert client.get(url).status_code == 200, (user, url)


def test_a_unit_sees_its_own_problems_only(problems, people):
    client = signed_in(people.market_staff)
    page = client.get("/rectification/").content.decode()
    assert "学习不深入" in page and "考勤不严" not in page
    assert client.get(f"/rectification/problems/{problems['2'].pk}/").status_code == 404
    listing = client.get("/rectification/lists/XC1/").content.decode()
    assert "学习不深入" in listing and "考勤不严" not in listing


def test_a_unit_reports_progress_and_asks_for_sign_off_with_evidence(problems, people):
    client = signed_in(people.market_staff)
    url = f"/rectification/problems/{problems['1'].pk}/"

    response = client.post(url + "progress/", {"progress-text": "已召开专题学习会"})
    assert response.status_code == 302
    refused = client.post(url + "submit/", {"submit-text": "已完成"})
    assert refused.status_code == 200 and "佐证材料" in refused.content.decode()
    done = client.post(
        url + "submit/",
        {"submit-text": "已完成", "submit-attachments": [SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4 x")]},
    )
    assert done.status_code == 302
    assert Problem.objects.get(pk=problems["1"].pk).status == "submitted"
    page = client.get(url).content.decode()
    assert "已召开专题学习会" in page and "会议记录.pdf" in page


def test_sign_off_by_the_unit_is_forbidden_and_by_the_supervisor_done(problems, people):
    url = f"/rectification/problems/{problems['1'].pk}/"
    signed_in(people.market_staff).post(
        url + "submit/", {"submit-text": "完成", "submit-attachments": [SimpleUploadedFile("a.pdf", b"%PDF")]}
    )

    assert signed_in(people.market_staff).post(url + "sign-off/", {}).status_code == 403
    assert signed_in(people.office).post(url + "sign-off/", {}).status_code == 403
    supervisor = signed_in(people.supervisor)
    assert "审核通过，予以销号" in supervisor.get(url).content.decode()
    assert supervisor.post(url + "sign-off/", {"signoff-comment": ""}).status_code == 302
    assert Problem.objects.get(pk=problems["1"].pk).status == "signed_off"
    assert "登记回头看" in supervisor.get(url).content.decode()


def test_the_office_uploads_a_list_and_a_unit_cannot(region, people, tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        [HEADER, ["U1", "上传的清单", "政务公开", "", "1", "", "问题", "", "SC", "2026年5月1日", ""]],
    )
    assert signed_in(people.market_staff).get("/rectification/upload/").status_code == 403

    response = signed_in(people.office).post(
        "/rectification/upload/", {"file": SimpleUploadedFile("清单.csv", path.read_bytes())}
    )

    assert response.status_code == 200 and "导入结果" in response.content.decode()
    assert RectificationList.objects.get(code="U1").approver_role == "office"


def test_the_export_downloads_a_workbook(problems, people):
    response = signed_in(people.market_staff).get("/rectification/lists/XC1/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_reports_page_shows_the_quarterly_scores_and_formula(problems, people):
    page = signed_in(people.leader).get("/reports/rectification/?year=2026&quarter=1").content.decode()
    assert "按时销号率" in page and "区市场监管局" in page


def test_the_reports_page_shows_last_months_bulletin_section(problems, people):
    page = signed_in(people.leader).get("/reports/rectification/").content.decode()

    # Both problems (due in March 2026) are overdue at the end of last month, longest first.
    assert "月通报：整改清单落实情况" in page and "问题 2 项" in page and "逾期未销号 2 项" in page
    assert page.index("考勤不严") > page.index("学习不深入")
    page = signed_in(people.social_staff).get("/reports/rectification/").content.decode()
    assert "问题 1 项" in page and "学习不深入" not in page  # a unit's staff see their own
