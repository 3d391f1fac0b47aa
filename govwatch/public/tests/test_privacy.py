"""The applicant's phone never appears in clear: not in a page, a log, the audit trail or a message."""

from __future__ import annotations

import logging

import pytest

from govwatch.audit.models import AuditEntry
from govwatch.public.intake import take_all
from govwatch.public.jobs import invite_completed_cases
from govwatch.public.models import RateCount
from govwatch.public.tokens import evaluation_link
from govwatch.supervision.models import Notification

from .conftest import PHONE, aged_stamp, evaluation_post, token_of
from .links import window_link

pytestmark = pytest.mark.django_db


def test_the_phone_is_never_in_clear(client, done, staff, settings, caplog):
    settings.PUBLIC_BASE_URL = "https://pj.example.gov.cn"
    caplog.set_level(logging.DEBUG)
    pages = []

    invite_completed_cases()
    pages.append(client.get(window_link("W01")))
    wtoken = window_link("W01").removeprefix("/e/w/").strip("/")
    # The phone typed into the case number box by mistake, then the right answer.
    for case_no, last4 in ((PHONE, "5678"), (done.case_no, "5678")):
        pages.append(
            client.post(
                window_link("W01"),
                {"case_no": case_no, "last4": last4, "website": "", "stamp": aged_stamp(wtoken)},
            )
        )
    link = pages[-1].url
    pages.append(client.get(link))
    pages.append(
        client.post(link, evaluation_post(token_of(link), level="1", tags=["attitude"], comment="态度差"))
    )
    pages.append(client.get(link))
    pages.append(client.get(f"{evaluation_link(done)}qr.svg"))
    client.force_login(staff["office"])
    pages.append(client.get(f"/e/notice/{done.case_no}/"))
    pages.append(client.get("/e/sheet/"))

    assert [p.status_code for p in pages] == [200, 400, 302, 200, 302, 200, 200, 200, 200]
    for page in pages:
        assert PHONE not in page.content.decode()
        assert PHONE not in str(page.headers)
    assert PHONE not in caplog.text
    assert not RateCount.objects.filter(key__contains=PHONE).exists()
    for entry in AuditEntry.objects.all():
        assert PHONE not in f"{entry.summary} {entry.before} {entry.after} {entry.target_id}"
    message = Notification.objects.get(kind="invite")
    assert PHONE not in f"{message.text} {message.params} {message.recipient_masked}"


def test_a_number_typed_into_the_comment_is_masked_on_the_link_page(client, done):
    from govwatch.evaluations.models import Evaluation

    link = evaluation_link(done)
    typed = "请打我电话 13987654321 或查身份证 110105199001011234"
    answer = client.post(link, evaluation_post(token_of(link), level="1", tags=["attitude"], comment=typed))
    assert answer.status_code == 302
    take_all()
    page = client.get(link).content.decode()
    assert "139****4321" in page and "1101**********1234" in page
    assert "13987654321" not in page and "110105199001011234" not in page
    assert Evaluation.objects.get().comment == "请打我电话 139****4321 或查身份证 1101**********1234"
