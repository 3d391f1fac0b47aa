"""The production deployment of `scripts/deploy`, started on loopback as its units would start it
(PostgreSQL from Debian's packages, nginx with TLS, two gunicorn services, two workers), driven
through a day of the demo region: yesterday's history imported, today's case events pushed through
the batch API behind nginx, a scan, every message sent once by the two workers, pages served.

Run with `bash scripts/test -m deploy` (CI runs it once, in its PostgreSQL step).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from govwatch.ops.fakesms import FakeSms
from govwatch.ops.pgcluster import pg_bin_dir
from govwatch.ops.stack import Stack

# Both tests run on one xdist worker (`--dist loadgroup`): the deployment is started once, not once
# per worker.
pytestmark = [
    pytest.mark.deploy,
    pytest.mark.xdist_group("deploy"),
    pytest.mark.skipif(pg_bin_dir() is None or not shutil.which("nginx"),
                       reason="needs Debian's postgresql and nginx (scripts/test -m deploy installs them)"),
]  # fmt: skip


@pytest.fixture(scope="module")
def sms():
    fake = FakeSms().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(sms):
    s = Stack(extra_env=sms.environment("aliyun"))
    try:
        yield s.start()
    finally:
        s.stop()


def split_last_day(cases: Path, out: Path) -> tuple[Path, list[dict]]:
    """The history before the region's last working day as a file, that day's events as records."""
    with cases.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    day = max(datetime.fromisoformat(r["at"]).astimezone().date() for r in rows)
    start = datetime.combine(day, time(0)).astimezone()
    history = [r for r in rows if datetime.fromisoformat(r["at"]).astimezone() < start]
    last_day = [r for r in rows if datetime.fromisoformat(r["at"]).astimezone() >= start]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(history)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return out, last_day


def test_a_day_of_the_demo_region_through_the_deployment(stack, sms, tmp_path):
    # The data end with yesterday (in the region's time): whatever the hour the test runs at, the
    # last day pushed below is a whole working day, not the first hours of today.
    yesterday = datetime.now(ZoneInfo(settings.TIME_ZONE)).date() - timedelta(days=1)
    demo = tmp_path / "demo"
    stack.govwatch(
        "demo-data", "--seed", "1", "--fraction", "0.25", "--year", str(yesterday.year),
        "--until", f"{yesterday.isoformat()}T23:59:59", "--out", str(demo),
    )  # fmt: skip
    for kind in ("units", "items"):
        stack.govwatch("import", kind, str(demo / f"{kind}.csv"))
    history, today = split_last_day(demo / "cases.csv", tmp_path / "history.csv")
    assert len(today) > 50
    stack.govwatch("import", "cases", str(history), ok=(0, 1))
    for kind in ("evaluations", "complaints"):
        stack.govwatch("import", kind, str(demo / f"{kind}.csv"), ok=(0, 1))

    accounts = {u["username"]: u["password"] for u in stack.govwatch_json("demo-users")["users"]}
    token = next(p for u, p in accounts.items() if u == "integration")
    api = stack.session()
    pushed = 0
    for i in range(0, len(today), 500):
        status, _, body = api.request("/api/v1/case-events/", json.dumps({"records": today[i : i + 500]}).encode(),
                                      {"Authorization": f"Token {token}", "Content-Type": "application/json"})  # fmt: skip
        assert status == 200, body[:500]
        answer = json.loads(body)
        assert answer["rejected"] == 0, answer["errors"][:3]
        pushed += answer["imported"]
    assert pushed == len(today)
    # The same batch again changes nothing (the push is idempotent).
    status, _, body = api.request("/api/v1/case-events/", json.dumps({"records": today[:500]}).encode(),
                                  {"Authorization": f"Token {token}", "Content-Type": "application/json"})  # fmt: skip
    assert status == 200 and json.loads(body)["imported"] == 0

    scanned = stack.govwatch_json("scan")
    queued = len(stack.govwatch_json("notifications", "list"))
    assert scanned["yellow"] + scanned["red"] > 0 and queued > 0

    # The two workers share the outbox: every message reaches the provider, once. A recipient
    # without a number is marked failed when queued, with the reason, and never handed over.
    rows: list[dict] = []

    def settled() -> bool:
        rows[:] = stack.govwatch_json("notifications", "list")
        return all(r["status"] == "sent" or (r["status"] == "failed" and r["attempts"] == 0) for r in rows)

    try:
        stack.wait_until(settled, 240, "the workers did not send every message")
    except RuntimeError as e:
        raise AssertionError(f"{e}: {Counter((r['status'], r['last_error']) for r in rows)}") from e
    sent = [r for r in rows if r["status"] == "sent"]
    assert len(sent) > len(rows) / 2, Counter(r["last_error"] for r in rows)
    assert all(r["last_error"] for r in rows if r["status"] == "failed")
    deliveries = sms.deliveries()
    assert len(deliveries) == len(sent)
    assert set(deliveries.values()) == {1}

    # Pages, as each role sees them, over HTTPS through nginx.
    for username, password in accounts.items():
        if username == "integration":
            continue
        person = stack.session()
        assert person.login(username, password) == 302, username
        status, headers, page = person.request("/")
        assert status == 200 and "<html" in page, username
        assert "Strict-Transport-Security" in headers
        assert person.request("/cases/")[0] in (200, 403), username
    status, _, body = api.request("/api/v1/cases/?page_size=1", headers={"Authorization": f"Token {token}"})
    assert status == 200 and json.loads(body)["count"] > 0

    # Static files come from disk through nginx; plain HTTP is sent to HTTPS.
    static = next(p for p in Path(stack.layout.static_root).rglob("*.css"))
    status, headers, _ = stack.session().request(
        "/static/" + static.relative_to(stack.layout.static_root).as_posix()
    )
    assert (
        status == 200
        and headers.get("Server", "").startswith("nginx")
        and "max-age" in headers["Cache-Control"]
    )
    redirect = subprocess.run(["curl", "-sI", f"http://127.0.0.1:{stack.layout.http_port}/login/"],
                              capture_output=True, text=True, check=False)  # fmt: skip
    if redirect.returncode == 0:
        assert " 301" in redirect.stdout.splitlines()[0] and "https://" in redirect.stdout

    # Every process is still up, and the logs are where logrotate looks for them.
    assert all(p.poll() is None for p in stack.processes.values())
    logs = {p.name for p in Path(stack.layout.log_dir).glob("*.log")}
    assert {
        "worker-1.log",
        "worker-2.log",
        f"web-{stack.layout.web_ports[0]}.log",
        "nginx-access.log",
    } <= logs


def test_the_rendered_logrotate_and_unit_files_are_well_formed(stack):
    rotate = (
        stack.file("/etc/logrotate.d/govwatch").read_text().replace("su govwatch govwatch", "su root root")
    )
    checked = Path(stack.root) / "logrotate.conf"
    checked.write_text(rotate)
    if shutil.which("logrotate"):
        done = subprocess.run(["logrotate", "-d", "-s", str(stack.root / "logrotate.state"), str(checked)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
    if shutil.which("systemd-analyze"):
        units = stack.fs / "etc/systemd/system"
        done = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units.glob("*.timer"))],
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert "Failed to parse" not in done.stderr
