"""Letters: drafted from a unit's record, edited while draft, numbered at issue, printed as DOCX,
replied to with the institutional fix, closed; each step audited and by its role."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from govwatch.accounts.models import Role
from govwatch.audit.log import Actor
from govwatch.audit.models import AuditEntry
from govwatch.evaluations import rectification as loop
from govwatch.evaluations.documents import letter_docx
from govwatch.evaluations.letters import (
    LetterError,
    do_close_letter,
    do_create_letter,
    do_edit_letter,
    do_issue_letter,
    do_reply_letter,
    do_return_letter,
    draft_letter,
)
from govwatch.evaluations.models import Letter
from govwatch.orgs.tests.trees import province_tree
from govwatch.tests.fixtures import person

from .conftest import at

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def test_the_draft_lists_the_units_negative_reviews_and_overdue_tasks(negative, completed, submit, region):
    submit(
        completed("SC-002", at(2026, 3, 9, 9)),
        2,
        at(2026, 3, 9, 11),
        tags=["attitude"],
        comment="窗口人员玩手机",
    )
    submit(completed("SC-003", at(2026, 3, 9, 9)), 5, at(2026, 3, 9, 12))
    loop.supervise_overdue(at(2026, 3, 11, 9))  # the first task's verification came late
    draft = draft_letter("recommendation", region["market"], *MARCH, at=at(2026, 3, 11, 9))
    assert draft.subject == "关于区市场监管局改进政务服务工作作风的纪检监察建议书"
    body = draft.body
    assert body.startswith("区市场监管局：")
    assert (
        "2026年3月1日至2026年3月31日，你单位共收到群众和企业差评 2 条（非常不满意1条、不满意1条）。" in body
    )
    assert "办理时间长（1条）" in body and "态度不好（1条）" in body
    assert "差评整改逾期 1 件，因逾期下发督办单 1 份" in body
    assert (
        "1. 2026年3月6日 办件 SC-001（食品经营许可）：非常不满意，原因：办理时间长、多次跑动，评价内容：“跑了三次才办完”；"
        in body
    )
    assert "窗口人员玩手机" in body and "建章立制" in body
    reminder = draft_letter("reminder", region["market"], *MARCH)
    assert reminder.subject == "关于区市场监管局差评整改工作的提醒函"
    assert "区人社局" not in draft_letter("reminder", region["social"], *MARCH).body.split("：", 1)[1]


def test_appeals_upheld_are_not_the_units_problems(negative, people, region):
    loop.do_appeal(people.actor("market_staff"), negative, "恶意评价", at=at(2026, 3, 9))
    loop.do_decide_appeal(
        people.actor("office"), negative, upheld=True, comment="成立", at=at(2026, 3, 9, 15)
    )
    assert "你单位未收到差评" in draft_letter("reminder", region["market"], *MARCH).body


def test_a_letter_is_numbered_at_issue_per_series_and_year(region, people):
    jw = people.actor("supervisor")
    first = do_create_letter(jw, "recommendation", region["market"], *MARCH, at=at(2026, 4, 1))
    reminder = do_create_letter(jw, "reminder", region["social"], *MARCH, at=at(2026, 4, 1))
    second = do_create_letter(jw, "recommendation", region["social"], *MARCH, at=at(2026, 4, 1))
    assert first.number is None
    do_issue_letter(jw, second, at=at(2026, 4, 2))
    do_issue_letter(jw, first, at=at(2026, 4, 3))
    do_issue_letter(jw, reminder, at=at(2026, 4, 3))
    numbers = dict(Letter.objects.values_list("pk", "number"))
    assert numbers[second.pk] == "纪检建议〔2026〕第0001号"
    assert numbers[first.pk] == "纪检建议〔2026〕第0002号"
    assert numbers[reminder.pk] == "提醒函〔2026〕第0001号"
    issued = Letter.objects.get(pk=first.pk)
    assert issued.reply_due == date(2026, 4, 27)  # 15 working days, Qingming (4-6 April) skipped
    with pytest.raises(LetterError, match="不能下发"):
        do_issue_letter(jw, issued)


def test_a_draft_is_editable_until_issued(region, people):
    jw = people.actor("supervisor")
    letter = do_create_letter(jw, "reminder", region["market"], *MARCH, at=at(2026, 4, 1))
    with pytest.raises(LetterError, match="正文不能为空"):
        do_edit_letter(jw, letter, "标题", "  ")
    do_edit_letter(jw, letter, "关于加强窗口管理的提醒函", "区市场监管局：\n请加强窗口管理。")
    do_issue_letter(jw, letter, at=at(2026, 4, 2))
    with pytest.raises(LetterError, match="该提醒函已下发，不能修改"):
        do_edit_letter(jw, letter, "改标题", "改正文")
    entry = AuditEntry.objects.get(action="letter.edit")
    assert entry.after["subject"] == "关于加强窗口管理的提醒函" and entry.before["subject"].startswith(
        "关于区市场监管局"
    )


def test_the_issued_letter_is_a_readable_docx(negative, region, people):
    jw = people.actor("supervisor")
    letter = do_issue_letter(jw, do_create_letter(jw, "recommendation", region["market"], *MARCH, at=at(2026, 4, 1)),
                             at=at(2026, 4, 2))  # fmt: skip
    doc = Document(io.BytesIO(letter_docx(letter)))
    text = [p.text for p in doc.paragraphs]
    # 版头 (the organ's mark, the number), the title, the addressee once, the body, the signature.
    assert text[:2] == ["区纪委监委", "纪检建议〔2026〕第0001号"]
    assert text[2].replace("\n", "") == letter.subject  # a long title turns its line
    assert text.count("区市场监管局：") == 1 and "2026年4月2日" in text
    assert any("跑了三次才办完" in line for line in text)
    assert "反馈期限：2026年4月24日。" in text
    assert text.index("区纪委监委", 1) < text.index("2026年4月2日") < text.index("回　执")
    assert "建立完善的制度机制" in [c.text for t in doc.tables for row in t.rows for c in row.cells]


def test_a_letter_to_a_second_districts_unit_is_signed_by_that_districts_commission(
    region, django_user_model
):
    # The old rule took the supervisor unit nearest the root of the whole tree: here the test
    # region's 区纪委监委, for every district.
    tree = province_tree()
    user = person(django_user_model, "shengjiwei", Role.SUPERVISOR, tree["province"])
    jw = Actor("user:shengjiwei", user, "127.0.0.1")
    draft = do_create_letter(jw, "reminder", tree["b_market"], *MARCH, at=at(2026, 4, 1))
    assert draft.issuer is None  # a draft is no one's document yet
    letter = do_issue_letter(jw, draft, at=at(2026, 4, 2))
    assert letter.issuer == tree["b_commission"]
    doc = Document(io.BytesIO(letter_docx(letter)))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "乙区纪委监委" and text.count("乙区纪委监委") == 2
    assert not {"区纪委监委", "甲区纪委监委", "某某省纪委监委"} & set(text)
    assert doc.core_properties.author == "乙区纪委监委"
    # The letter to the first district's bureau, issued by the same person, is the first district's.
    other = do_issue_letter(jw, do_create_letter(jw, "reminder", tree["a_market"], *MARCH), at=at(2026, 4, 2))
    assert other.issuer == tree["a_commission"]


def test_reply_with_the_institutional_fix_then_close_or_send_back(region, people):
    jw, unit = people.actor("supervisor"), people.actor("market_staff")
    draft = do_create_letter(jw, "recommendation", region["market"], *MARCH, at=at(2026, 4, 1))
    letter = do_issue_letter(jw, draft, at=at(2026, 4, 2))
    with pytest.raises(LetterError, match="请填写建立完善的制度机制（建章立制）"):
        do_reply_letter(unit, letter, "已整改", "")
    do_reply_letter(unit, letter, "对窗口人员批评教育", "修订《窗口考勤管理办法》", at=at(2026, 4, 10))
    back = do_return_letter(jw, letter, "制度未附文件", at=at(2026, 4, 13))
    assert back.status == Letter.Status.ISSUED
    do_reply_letter(
        unit, letter, "对窗口人员批评教育", "印发《窗口考勤管理办法》（附文件）", at=at(2026, 4, 14)
    )
    closed = do_close_letter(jw, letter, "整改到位", at=at(2026, 4, 15))
    assert closed.status == Letter.Status.CLOSED and closed.reply_institution.startswith("印发")
    assert list(closed.steps.values_list("kind", flat=True)) == [
        "drafted", "issued", "replied", "returned", "replied", "closed",
    ]  # fmt: skip
    actions = list(
        AuditEntry.objects.filter(action__startswith="letter.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "letter.draft",
        "letter.issue",
        "letter.reply",
        "letter.return",
        "letter.reply",
        "letter.close",
    ]


def test_a_reminder_needs_measures_only(region, people):
    jw = people.actor("supervisor")
    letter = do_issue_letter(jw, do_create_letter(jw, "reminder", region["market"], *MARCH))
    replied = do_reply_letter(people.actor("market_staff"), letter, "已逐件核实回访", "")
    assert replied.status == Letter.Status.REPLIED


def test_letters_are_issued_by_supervisors_and_replied_by_the_unit_only(region, people):
    jw = people.actor("supervisor")
    for name in ("office", "market_staff", "leader"):
        with pytest.raises(PermissionDenied):
            do_create_letter(people.actor(name), "reminder", region["market"], *MARCH)
    letter = do_issue_letter(jw, do_create_letter(jw, "reminder", region["market"], *MARCH))
    for name in ("social_staff", "supervisor", "office"):
        with pytest.raises(PermissionDenied):
            do_reply_letter(people.actor(name), letter, "措施", "")
    with pytest.raises(PermissionDenied):
        do_close_letter(people.actor("market_staff"), letter)
