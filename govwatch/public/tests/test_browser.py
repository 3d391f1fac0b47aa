"""A citizen on a phone (390x844, Debian's headless Chromium driven by Playwright): opens the
case's link, gives one star with a reason and a comment, is thanked; the link then shows 已评价."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from govwatch.evaluations.models import Evaluation
from govwatch.public.intake import take_all
from govwatch.public.tokens import evaluation_link

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
        is_mobile=True, has_touch=True, device_scale_factor=2,
    )  # fmt: skip
    page = context.new_page()
    # Nothing may leave the machine, and nothing may break the Content-Security-Policy.
    outside: list[str] = []
    refused: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert outside == [] and refused == []


def test_one_star_with_a_reason_then_the_outcome(phone, live_server, done):
    link = live_server.url + evaluation_link(done, "sms")
    phone.goto(link)
    expect(phone.get_by_role("heading", name="请评价本次服务")).to_be_visible()
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_text("非常不满意", exact=True).click()
    assert phone.get_by_label("非常不满意").is_checked()
    # The reasons become required, and say so, once a negative level is chosen.
    expect(phone.get_by_text("（选择“不满意”或“非常不满意”时必选，可多选）")).to_be_visible()
    phone.get_by_text("态度不好", exact=True).click()
    phone.get_by_label("意见建议").fill("窗口人员态度冷淡，材料要求没有一次说清。")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_url("**/thanks/")
    expect(phone.get_by_role("heading", name="感谢您的评价")).to_be_visible()
    assert "非常不满意" in phone.content() and "已收到，正在登记" in phone.content()
    assert take_all() == 1  # the worker's step

    phone.goto(link)
    expect(phone.get_by_role("heading", name="已评价")).to_be_visible()
    expect(phone.get_by_role("heading", name="处理情况")).to_be_visible()
    text = phone.locator("main").inner_text()
    assert "非常不满意" in text and "态度不好" in text and "窗口人员态度冷淡" in text
    assert "办理单位" in text
    assert PHONE not in phone.content()

    evaluation = Evaluation.objects.get(case=done)
    assert (evaluation.level, evaluation.channel, evaluation.tags) == (1, "sms", ["attitude"])


def test_tap_targets_are_large(phone, live_server, done):
    phone.goto(live_server.url + evaluation_link(done))
    for label in ("非常满意", "态度不好", "3分"):
        box = phone.locator("label", has_text=label).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (label, box)
    box = phone.get_by_role("button", name="提交评价").bounding_box()
    assert box["height"] >= 44


def _one_line(phone, selector: str) -> list[dict]:
    """Each element's text box, font size, colour and how many lines its text takes."""
    return phone.eval_on_selector_all(
        selector,
        """els => els.map(el => {
            const style = getComputedStyle(el);
            const range = document.createRange();
            range.selectNodeContents(el);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
            return {text: el.innerText, lines, size: parseFloat(style.fontSize), color: style.color,
                    right: el.getBoundingClientRect().right};
        })""",
    )


def test_the_page_reads_for_the_elderly_at_390_by_844(phone, live_server, done):
    phone.goto(live_server.url + evaluation_link(done))
    words = _one_line(phone, ".stars .word")
    assert [w["text"] for w in words] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    for w in words:
        assert w["lines"] == 1 and w["size"] >= 16 and w["right"] <= 390, w
        r, g, b = (int(v) for v in w["color"].removeprefix("rgb(").removesuffix(")").split(",")[:3])
        assert max(r, g, b) <= 80, w  # dark text
    for chip in _one_line(phone, ".tags .choice label"):
        assert chip["lines"] == 1 and chip["size"] >= 16 and chip["right"] <= 390, chip


def test_a_quick_honest_tap_is_taken_at_once(phone, live_server, done):
    phone.goto(live_server.url + evaluation_link(done))
    phone.get_by_text("非常满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()  # no pause: the elderly do not dawdle either
    phone.wait_for_url("**/thanks/")
    assert take_all() == 1 and Evaluation.objects.get(case=done).level == 5
