"""gunicorn behind nginx: who closes an idle keep-alive connection first."""

from __future__ import annotations

import re

import pytest

from govwatch.core.console import UsageError
from govwatch.ops.deploy import Layout, render
from govwatch.web.cli import gunicorn_options


def _nginx_upstream_keepalive_timeout() -> int:
    site = render(Layout(), {})["/etc/nginx/sites-available/govwatch.conf"]
    upstream = re.search(r"upstream govwatch \{(.*?)\}", site, re.S).group(1)
    return int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))


def test_nginx_closes_an_idle_upstream_connection_before_gunicorn_does():
    # Else gunicorn closes a connection just as nginx sends a POST on it, and nginx answers 502.
    assert gunicorn_options("127.0.0.1", 8001)["keepalive"] > _nginx_upstream_keepalive_timeout()


def test_keepalive_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOVWATCH_WEB_KEEPALIVE", "90")
    assert gunicorn_options("127.0.0.1", 8001)["keepalive"] == 90


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_bad_keepalive_setting_is_refused_in_chinese(monkeypatch, value):
    monkeypatch.setenv("GOVWATCH_WEB_KEEPALIVE", value)
    with pytest.raises(UsageError, match="GOVWATCH_WEB_KEEPALIVE 应为正整数"):
        gunicorn_options("127.0.0.1", 8001)
