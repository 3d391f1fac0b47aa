"""The dispatch model: learns units and categories from a small history and the catalog, ranks as
scikit-learn's ComplementNB does, suggests for wordings it has never seen, stores without pickle."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.naive_bayes import ComplementNB

from govwatch.dispatch.learn import Example, Model, NothingToLearn, SparseComplementNB, segment, train

HISTORY = [
    Example("失业金申请了一个多月还没到账，人社局一直说在审核", "RS", "delay"),
    Example("人社窗口工作人员态度很差，问社保卡补办要什么材料不耐烦", "RS", "attitude"),
    Example("社保卡补办等了三周，人社局不给答复", "RS", "delay"),
    Example("去人社局办就业登记，说不归他们管让去街道", "RS", "shirking"),
    Example("营业执照办了一个月还没下来，市场监管局一直拖", "SC", "delay"),
    Example("市监局窗口让我补办事指南上没有的材料办食品经营许可证", "SC", "rules"),
    Example("市场监管局的人说话很冲，办个体户执照被呵斥", "SC", "attitude"),
    Example("个体户执照注销，市场监管窗口推来推去", "SC", "shirking"),
    Example("城关街道便民服务中心办低保，工作人员迟到早退", "ST", "absence"),
    Example("城关街道办事处申请低保材料交了没人管", "ST", "delay"),
    Example("城关街道窗口下午三点就没人了", "ST", "absence"),
]
CATALOG = [
    Example("区人力资源和社会保障局", "RS"), Example("失业保险金申领", "RS"), Example("社会保障卡补换", "RS"),
    Example("区市场监督管理局", "SC"), Example("食品经营许可（新办）", "SC"), Example("个体工商户设立登记", "SC"),
    Example("城关街道", "ST"), Example("最低生活保障申请受理", "ST"),
]  # fmt: skip


@pytest.fixture(scope="module")
def model() -> Model:
    return train(HISTORY, CATALOG)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("我想问一下领失业保险金需要带哪些证件？", "RS"),
        ("开饭店要的食品许可证拖了很久都没批", "SC"),
        ("城关街道那边的低保到底谁来管？", "ST"),
        ("社会保障卡丢了去哪里补", "RS"),
    ],
)
def test_an_unseen_wording_goes_to_the_unit_that_handles_it(model, text, unit):
    suggestion = model.suggest(text)
    assert suggestion.units[0][0] == unit


def test_up_to_three_units_best_first_with_scores_between_0_and_1(model):
    units = model.suggest("营业执照办不下来").units
    assert len(units) == 3 and units[0][0] == "SC"
    scores = [s for _, s in units]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_the_category_is_learned_too(model):
    assert model.suggest("人社局工作人员态度恶劣，说话难听").category == "attitude"
    assert model.suggest("申请交了两个月了一直拖着不办").category == "delay"


def test_candidates_keep_the_suggestion_within_the_callers_units(model):
    suggestion = model.suggest("营业执照办不下来", candidates=["RS", "ST"])
    assert [u for u, _ in suggestion.units] in (["RS", "ST"], ["ST", "RS"])
    assert model.suggest("营业执照", candidates=["NOPE"]).units == []


def test_the_catalog_alone_already_points_somewhere_sensible():
    model = train([], CATALOG)
    assert model.suggest("失业保险金怎么申领").units[0][0] == "RS"
    assert model.suggest("").units  # an empty text still gets an answer, however weak
    assert model.suggest("失业保险金怎么申领").category == ""  # no categories without a history


def test_nothing_to_learn_is_said_plainly():
    with pytest.raises(NothingToLearn, match="没有可学习"):
        train([], [])


def test_the_stored_model_suggests_exactly_as_the_trained_one(model):
    blob = model.dumps()
    assert not blob.startswith(b"\x80")  # npz (a zip), not a pickle
    again = Model.loads(blob)
    for text in ("失业金到账慢", "食品经营许可证", "城关街道低保", "窗口人员态度差"):
        assert again.suggest(text).as_dict() == model.suggest(text).as_dict()


def test_unit_scores_rank_as_scikit_learns_complement_naive_bayes():
    rng = np.random.default_rng(3)
    X = sparse.random(60, 40, density=0.2, random_state=4, format="csr") * 3
    y = rng.integers(0, 5, size=60)
    ours = SparseComplementNB(alpha=0.1, prune=0.0).fit(X, y, 5).decision_function(X)
    theirs = ComplementNB(alpha=0.1).fit(X, y)._joint_log_likelihood(X)
    # Equal up to a term that is the same for every class of a row.
    difference = ours - np.asarray(theirs)
    assert np.allclose(difference, difference[:, :1], atol=1e-4)
    assert (ours.argmax(axis=1) == np.asarray(theirs).argmax(axis=1)).all()


def test_segmentation_is_jiebas_words():
    assert segment("窗口工作人员态度很差").split()[:3] == ["窗口", "工作人员", "态度"]
    assert segment("") == "" and segment("  ") == ""
