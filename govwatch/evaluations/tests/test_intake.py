"""Intake of the evaluations GovWatch collects: the national rules, refused in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest

from govwatch.audit.models import AuditEntry
from govwatch.core.pii import decrypt, keyed_hash
from govwatch.evaluations.intake import EvaluationRefused
from govwatch.evaluations.models import Evaluation, RectificationTask

from .conftest import PHONE, at


def test_a_completed_case_takes_one_evaluation_with_scores_tags_and_a_protected_evaluator(completed, submit):
    case = completed("C1", at(2026, 3, 2, 9))
    evaluation = submit(case, 4, at(2026, 3, 3), scores={"efficiency": 5, "attitude": 4}, evaluator=PHONE)
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.scores == {"efficiency": 5, "attitude": 4, "overall": 4}
    assert stored.unit.code == "SC" and stored.case_id == "C1" and stored.channel == "qr"
    assert stored.evaluator_hash == keyed_hash(PHONE) and decrypt(stored.evaluator_enc) == PHONE
    assert PHONE not in str(AuditEntry.objects.get(action="evaluation.submit").after)
    assert not RectificationTask.objects.exists()


def test_a_second_evaluation_is_refused_whatever_its_channel(completed, submit):
    case = completed("C1", at(2026, 3, 2, 9))
    submit(case, 5, at(2026, 3, 3))
    with pytest.raises(EvaluationRefused, match="该办件已评价，每笔办件只能评价一次"):
        submit(case, 1, at(2026, 3, 3, 11), channel="sms")
    with pytest.raises(EvaluationRefused, match="每笔办件只能评价一次"):
        submit(case, 5, at(2026, 3, 10), auto=True, channel="device")
    assert Evaluation.objects.filter(case=case).count() == 1


def test_an_imported_evaluation_counts_as_the_one_evaluation(completed, submit, tmp_path):
    from govwatch.imports.runs import run_import

    from .conftest import write_csv

    case = completed("C1", at(2026, 3, 2, 9))
    run_import("evaluations", write_csv(tmp_path / "v.csv", ["eval_id", "level", "at", "case_no"],
                                        [["V1", "5", "2026-03-02T10:00:00", "C1"]]))  # fmt: skip
    with pytest.raises(EvaluationRefused, match="只能评价一次"):
        submit(case, 3, at(2026, 3, 3))


def test_an_auto_default_only_when_the_case_has_no_evaluation(completed, submit):
    quiet = completed("C1", at(2026, 3, 2, 9))
    default = submit(quiet, 5, at(2026, 3, 10, 0, 5), auto=True, channel="device")
    assert default.auto and default.level == 5
    rated = completed("C2", at(2026, 3, 2, 9))
    submit(rated, 4, at(2026, 3, 2, 10))
    with pytest.raises(EvaluationRefused, match="只能评价一次"):
        submit(rated, 5, at(2026, 3, 10, 0, 5), auto=True)


def test_an_open_case_cannot_be_evaluated(import_cases, submit):
    from govwatch.cases.models import Case

    import_cases(("OPEN", "accept", at(2026, 3, 2), "I9"))
    with pytest.raises(EvaluationRefused, match="该办件尚未办结，办结后才能评价"):
        submit(Case.objects.get(case_no="OPEN"), 5, at(2026, 3, 3))
    import_cases(("GONE", "accept", at(2026, 3, 2), "I9"), ("GONE", "withdraw", at(2026, 3, 2, 11), "I9"))
    with pytest.raises(EvaluationRefused, match="该办件已撤回，不能评价"):
        submit(Case.objects.get(case_no="GONE"), 5, at(2026, 3, 3))
    assert not Evaluation.objects.exists()


def test_the_window_runs_to_the_end_of_the_seventh_day_after_completion(completed, submit):
    case = completed("C1", at(2026, 3, 2, 9))  # completed Monday 2 March
    last_moment = at(2026, 3, 9, 23, 59, 59, 999999)
    with pytest.raises(
        EvaluationRefused, match=r"已超过评价期限：办结后 7 天内可以评价（截至 2026年03月09日）"
    ):
        submit(case, 5, last_moment + timedelta(microseconds=1))
    assert submit(case, 5, last_moment).at == last_moment


def test_the_window_follows_the_setting(completed, submit, settings):
    settings.EVALUATION_WINDOW_DAYS = 3
    case = completed("C1", at(2026, 3, 2, 9))
    with pytest.raises(EvaluationRefused, match="办结后 3 天内"):
        submit(case, 5, at(2026, 3, 6, 0, 0))


def test_an_evaluation_before_completion_is_refused(completed, submit):
    case = completed("C1", at(2026, 3, 2, 9))
    with pytest.raises(EvaluationRefused, match="评价时间早于办件办结时间"):
        submit(case, 5, at(2026, 3, 2, 8))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": 0}, "评价等级应为 1 至 5"),
        ({"level": 6}, "评价等级应为 1 至 5"),
        ({"level": True}, "评价等级应为 1 至 5"),
        ({"channel": "fax"}, "评价渠道“fax”无效"),
        ({"scores": {"speed": 3}}, "没有评价项“speed”"),
        ({"scores": {"efficiency": 7}}, "办事效率的评分应为 1 至 5 分"),
        ({"scores": {"overall": 5}}, "总体满意度评分应与评价等级一致"),
        ({"tags": ["rude"]}, "没有差评原因“rude”"),
        ({"tags": ["slow", "slow"]}, "差评原因不能重复选择"),
        ({"level": 5, "tags": ["slow"]}, "满意的评价不需要选择差评原因"),
        ({"tags": ["other"]}, "选择“其他”原因时，请填写评价内容"),
        ({"comment": "慢" * 1001}, "评价内容不能超过 1000 字"),
    ],
)
def test_bad_content_is_refused_in_chinese(completed, submit, kwargs, message):
    case = completed("C1", at(2026, 3, 2, 9))
    kwargs = {"level": 2, **kwargs}
    level = kwargs.pop("level")
    with pytest.raises(EvaluationRefused, match=message):
        submit(case, level, at(2026, 3, 3), **kwargs)
    assert not Evaluation.objects.exists()
