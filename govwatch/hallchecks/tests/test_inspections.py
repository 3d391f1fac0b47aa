"""明察暗访: an inspection recorded on one page with photos, failed items become problems, a secret
one is hidden from the unit until published; photos are resized and stripped of their metadata."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from govwatch.hallchecks import actions
from govwatch.hallchecks.models import ChecklistTemplate, Inspection, InspectionPhoto
from govwatch.hallchecks.photos import MAX_SIDE, PhotoRefused, process_photo
from govwatch.rectification.models import Problem
from govwatch.rectification.tests.conftest import at, signed_in

ELDERLY = "适老化服务检查表"


def jpeg_with_location(size=(4000, 3000)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 30.0, 0.0), 3: "E", 4: (114.0, 24.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def noisy_png(megabytes: int = 20) -> bytes:
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 1
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=0)
    return out.getvalue()


def test_the_shipped_checklists_are_there(db):
    elderly = ChecklistTemplate.objects.get(name=ELDERLY)
    texts = " ".join(i.text for i in elderly.current_items())
    for words in (
        "绿色通道",
        "随行家属",
        "轮椅",
        "放大镜",
        "老花镜",
        "医药箱",
        "现金",
        "老年人服务专席",
        "无障碍通道",
    ):
        assert words in texts
    discipline = " ".join(
        i.text for i in ChecklistTemplate.objects.get(name="窗口工作纪律检查表").current_items()
    )
    for words in ("按时在岗", "工作牌", "手机游戏"):
        assert words in discipline


def test_a_photo_loses_its_location_and_is_resized():
    photo = process_photo("IMG_0001.JPG", jpeg_with_location())
    kept = Image.open(io.BytesIO(photo.content))
    assert max(kept.size) == MAX_SIDE and photo.name == "IMG_0001.jpg"
    assert dict(kept.getexif()) == {}
    assert b"PhoneMaker" not in photo.content


def test_a_20_mb_image_is_taken_and_shrunk():
    content = noisy_png(20)
    assert len(content) >= 20 * 1024 * 1024

    photo = process_photo("大厅全景.png", content)

    assert max(photo.width, photo.height) == MAX_SIDE
    assert len(photo.content) < 3 * 1024 * 1024


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(PhotoRefused, match="不是图片"):
        process_photo("检查记录.jpg", b"%PDF-1.4 this is not a photo")


def record(people, region, mode="open", outcomes=None, photos=()):
    template = ChecklistTemplate.objects.get(name=ELDERLY)
    items = list(template.current_items())
    outcomes = outcomes or {1: "fail", 3: "fail"}
    results = [
        actions.ItemResult(item, outcomes.get(item.position, "pass"),
                           "未配备" if outcomes.get(item.position) == "fail" else "", photos if item.position == 1 else ())
        for item in items
    ]  # fmt: skip
    return actions.do_record_inspection(
        people.actor("supervisor"), template=template, unit=region["center"], mode=mode, results=results,
        rectify_days=10, at=at(2026, 3, 2, 10),
    )  # fmt: skip


def test_each_failed_item_becomes_a_problem_with_a_deadline(region, people):
    inspection = record(people, region, photos=[("a.jpg", jpeg_with_location((800, 600)))])

    problems = Problem.objects.filter(rlist=inspection.rlist).order_by("sort")
    assert [p.no for p in problems] == ["1", "3"]
    assert {p.unit.code for p in problems} == {"C"}
    assert problems[0].deadline == date(2026, 3, 16)  # ten working days after Monday 2 March
    assert inspection.rlist.source == "hall_check" and inspection.rlist.published
    assert inspection.rlist.approver_role == "supervisor"
    assert "未配备" in problems[0].description
    assert InspectionPhoto.objects.filter(result__position=1).count() == 1


def test_a_failed_item_needs_a_note_and_every_item_an_outcome(region, people):
    template = ChecklistTemplate.objects.get(name=ELDERLY)
    items = list(template.current_items())
    results = [actions.ItemResult(i, "fail" if i.position == 1 else "pass") for i in items]
    with pytest.raises(actions.InspectionError, match="第 1 项不符合"):
        actions.do_record_inspection(people.actor("supervisor"), template=template, unit=region["center"],
                                     mode="open", results=results)  # fmt: skip
    with pytest.raises(actions.InspectionError, match="没有填写结果"):
        actions.do_record_inspection(people.actor("supervisor"), template=template, unit=region["center"],
                                     mode="open", results=results[1:])  # fmt: skip


def test_a_secret_inspection_is_hidden_from_the_unit_until_published(region, people, django_user_model):
    from govwatch.accounts.models import Membership, Role

    center_staff = django_user_model.objects.create_user("zhongxin", password="x-correct-horse")
    Membership.objects.create(user=center_staff, role=Role.UNIT_STAFF, unit=region["center"])
    inspection = record(people, region, mode="secret")
    problem = Problem.objects.filter(rlist=inspection.rlist).first()
    unit = signed_in(center_staff)

    assert unit.get(f"/halls/{inspection.pk}/").status_code == 404
    assert unit.get(f"/rectification/problems/{problem.pk}/").status_code == 404
    assert "暂无检查记录" in unit.get("/halls/").content.decode()
    assert signed_in(people.supervisor).get(f"/halls/{inspection.pk}/").status_code == 200

    actions.do_publish(people.actor("supervisor"), inspection, at=at(2026, 3, 9, 9))

    assert unit.get(f"/halls/{inspection.pk}/").status_code == 200
    assert unit.get(f"/rectification/problems/{problem.pk}/").status_code == 200
    # Due ten working days from publication, not from the visit.
    assert Problem.objects.get(pk=problem.pk).deadline == date(2026, 3, 23)


def test_unit_staff_cannot_inspect(region, people):
    with pytest.raises(PermissionDenied):
        record_by = people.actor("market_staff")
        template = ChecklistTemplate.objects.get(name=ELDERLY)
        actions.do_record_inspection(
            record_by, template=template, unit=region["market"], mode="open", results=[]
        )
    assert signed_in(people.market_staff).get("/halls/new/").status_code == 403


def test_the_inspection_page_records_a_check_with_photos(region, people):
    template = ChecklistTemplate.objects.get(name=ELDERLY)
    items = list(template.current_items())
    data = {"template": template.pk, "unit": "C", "mode": "open", "rectify_days": "10", "note": "上午检查"}
    for item in items:
        data[f"outcome_{item.pk}"] = "fail" if item.position == 4 else "pass"
    data[f"note_{items[3].pk}"] = "放大镜、老花镜未配备"
    data[f"photos_{items[3].pk}"] = [
        SimpleUploadedFile("IMG_1.jpg", jpeg_with_location((1200, 900)), "image/jpeg")
    ]
    client = signed_in(people.supervisor)

    assert client.get(f"/halls/new/?template={template.pk}").status_code == 200
    response = client.post("/halls/new/", data)

    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.rlist.problems.get().description.endswith("放大镜、老花镜未配备")
    photo = InspectionPhoto.objects.get()
    page = client.get(f"/halls/{inspection.pk}/")
    assert f"/halls/photos/{photo.pk}/" in page.content.decode()
    assert client.get(f"/halls/photos/{photo.pk}/")["Content-Type"] == "image/jpeg"


def test_the_inspection_page_refuses_a_file_that_is_not_an_image(region, people):
    template = ChecklistTemplate.objects.get(name=ELDERLY)
    items = list(template.current_items())
    data = {"template": template.pk, "unit": "C", "mode": "open", "rectify_days": "10", "note": ""}
    for item in items:
        data[f"outcome_{item.pk}"] = "pass"
    data[f"photos_{items[0].pk}"] = [SimpleUploadedFile("report.pdf", b"%PDF-1.4", "application/pdf")]

    response = signed_in(people.supervisor).post("/halls/new/", data)

    assert response.status_code == 400 and "不是图片" in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_office_edits_a_checklist_and_old_points_are_retired(region, people):
    template = ChecklistTemplate.objects.get(name="窗口工作纪律检查表")
    first = template.current_items()[0]
    client = signed_in(people.office)
    response = client.post(f"/halls/templates/{template.pk}/", {
        "name": template.name, "description": "", "active": "on", "items": "工作人员按时在岗\n佩戴工作牌",
    })  # fmt: skip
    assert response.status_code == 302
    assert [i.text for i in template.current_items()] == ["工作人员按时在岗", "佩戴工作牌"]
    first.refresh_from_db()
    assert first.active is False
    assert signed_in(people.supervisor).get("/halls/templates/").status_code == 403
