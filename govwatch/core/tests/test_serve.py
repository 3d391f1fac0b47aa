"""`govwatch serve`: gunicorn answers on loopback, serves static files without collectstatic, stops on SIGTERM."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from govwatch.cli import build_parser
from govwatch.tests import shared_run

GOVWATCH = "import sys; from govwatch.cli import main; sys.exit(main())"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        # A fresh worker renders its first page slowly on a busy machine: the answer, not its speed, is tested.
        with opener.open(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow
def test_serve_answers_on_loopback_and_stops_on_sigterm(tmp_path, request):
    # A SQLite file of its own: the test never touches the database DATABASE_URL names. It starts as a
    # copy of the run's migrated one, so that `init` applies no migration (about 25 s of CPU).
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GOVWATCH_VAR_DIR=str(tmp_path / "var"), GOVWATCH_WEB_WORKERS="1")
    shared_run.copy_sqlite(shared_run.initialized_sqlite(request), tmp_path / "var" / "govwatch.sqlite3")
    subprocess.run(
        [sys.executable, "-c", GOVWATCH, "init"], cwd=tmp_path, env=env, check=True, capture_output=True
    )

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", GOVWATCH, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Starting Python, Django and gunicorn takes seconds, many more on a busy machine.
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                static = _get(f"{base}/static/admin/css/base.css")
                break
            except OSError:
                assert time.monotonic() < deadline, "govwatch serve did not answer within 60 s"
                time.sleep(0.1)
        login = _get(f"{base}/admin/login/")
        home = _get(f"{base}/")
        server.terminate()
        _, stderr = server.communicate(timeout=15)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    assert static == 200  # WhiteNoise serves from the installed packages, no collectstatic
    assert login == 200
    assert home in (200, 302)
    assert server.returncode == 0
    assert f"Listening at: {base}" in stderr
    assert '"GET /admin/login/ HTTP/1.1" 200' in stderr  # the access log goes to standard error


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GOVWATCH_WEB_WORKERS": "zero"}, "GOVWATCH_WEB_WORKERS"),
        ({"GOVWATCH_WEB_THREADS": "0"}, "GOVWATCH_WEB_THREADS"),
    ],
)
def test_serve_refuses_bad_settings(monkeypatch, env, message):
    from govwatch.core.console import UsageError

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = build_parser().parse_args(["serve"])
    with pytest.raises(UsageError, match=message):
        args.func(args)


def test_serve_refuses_a_bad_port():
    from govwatch.core.console import UsageError

    args = build_parser().parse_args(["serve", "--port", "70000"])
    with pytest.raises(UsageError):
        args.func(args)
