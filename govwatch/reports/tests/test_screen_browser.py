"""The big screen in a real browser (Debian's headless Chromium) with the network cut off: every
chart is drawn by the ECharts GovWatch serves, no script fails, nothing is fetched from elsewhere,
and the screen refreshes its figures by itself."""

from __future__ import annotations

import pytest

from .leaders_fixtures import *  # noqa: F403  (the fixtures ranked and roles)
from .leaders_fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each chart's canvas holds painted pixels (not only a blank, transparent canvas).
PAINTED = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
  const canvas = el.querySelector('canvas');
  if (!canvas || !canvas.width || !canvas.height) return [el.dataset.chart, 0];
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]) painted++;
  return [el.dataset.chart, painted];
})"""


@pytest.mark.parametrize("viewport", [(1920, 1080), (390, 844)])
def test_every_chart_of_the_big_screen_draws_offline(browser, live_server, ranked, roles, viewport):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": viewport[0], "height": viewport[1]}
    )
    outside: list[str] = []
    problems: list[str] = []

    def cut_off(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:  # the network beyond GovWatch is not there
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", cut_off)
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(roles.leader.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/reports/screen/")
    page.locator("[data-chart='chart-screen-complaints'] canvas").wait_for()
    page.wait_for_timeout(500)
    painted = dict(page.evaluate(PAINTED))
    assert set(painted) == {f"chart-screen-{n}" for n in ("trend", "cards", "ranking", "loop", "complaints")}
    assert all(n > 300 for n in painted.values()), painted  # a blank canvas has none
    # The refresh fetches the same document and redraws without an error.
    page.evaluate("() => fetch(document.body.dataset.source).then(r => r.json())")
    context.close()
    assert outside == [] and problems == []
