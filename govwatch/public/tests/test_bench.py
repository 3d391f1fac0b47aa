"""The load benchmark: loopback only, and a small run against the test server."""

from __future__ import annotations

import pytest

from govwatch.bench.public_load import bench_public_submissions, evaluable_tokens
from govwatch.evaluations.models import Evaluation
from govwatch.public.intake import take_all


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "https://127.0.0.1:8000", "http://example.gov.cn"])
def test_the_benchmark_runs_on_loopback_only(url):
    with pytest.raises(ValueError):
        bench_public_submissions(url, ["x"], 1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_small_run_evaluates_each_token_once(live_server, make_case, settings):
    for n in range(6):
        make_case(f"RS20261105{n:02d}")
    tokens = evaluable_tokens(100)
    assert len(tokens) == 6
    # One thread: the test database is SQLite in memory, whose shared cache fails concurrent writers
    # at once instead of making them wait (the file database of `govwatch serve` waits).
    result = bench_public_submissions(live_server.url, tokens, seconds=20, concurrency=1)
    assert result["requests"] == result["prepared"] == 6
    assert result["errors"] == 0 and result["statuses"] == {"302": 6}
    assert result["p50_ms"] <= result["p99_ms"]
    assert take_all() == 6
    assert Evaluation.objects.filter(channel="web", level=5).count() == 6
    assert evaluable_tokens(100) == []
