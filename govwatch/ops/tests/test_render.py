"""`govwatch deploy render`: the production files, their secrets kept from one deployment to the next."""

from __future__ import annotations

import shutil

import pytest

from govwatch.ops.deploy import Layout, exec_start, read_env_file, write

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="openssl makes the first certificate")


def test_the_files_of_a_deployment_and_the_commands_their_units_run(tmp_path, monkeypatch):
    monkeypatch.delenv("GOVWATCH_PII_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://govwatch:pw@127.0.0.1:5432/govwatch")
    layout = Layout(domain="pj.example.gov.cn", web_ports=[8101, 8102], workers=3)
    write(layout, tmp_path)
    env_file = tmp_path / "etc/govwatch/govwatch.env"
    env = read_env_file(env_file)
    assert env["DATABASE_URL"].endswith("/govwatch") and len(env["GOVWATCH_PII_KEY"]) == 32
    assert env["GOVWATCH_CSRF_TRUSTED_ORIGINS"] == "https://pj.example.gov.cn"
    assert env["GOVWATCH_PROXY_SSL_HEADER"] == "X-Forwarded-Proto: https"
    assert oct(env_file.stat().st_mode & 0o777) == "0o640"
    web = (tmp_path / "etc/systemd/system/govwatch-web@.service").read_text()
    assert exec_start(web, "8101") == [
        "/srv/govwatch/.venv/bin/govwatch",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "8101",
    ]
    worker = (tmp_path / "etc/systemd/system/govwatch-worker@.service").read_text()
    assert exec_start(worker, "2")[-1] == "worker" and "EnvironmentFile=/etc/govwatch/govwatch.env" in worker
    target = (tmp_path / "etc/systemd/system/govwatch.target").read_text()
    assert "govwatch-worker@3.service" in target and "govwatch-web@8102.service" in target
    nginx = (tmp_path / "etc/nginx/sites-available/govwatch.conf").read_text()
    assert "server 127.0.0.1:8101" in nginx and "server 127.0.0.1:8102" in nginx
    assert "return 301 https://" in nginx and "location /media/" not in nginx
    assert (tmp_path / "etc/govwatch/tls/govwatch.crt").exists()
    assert "copytruncate" in (tmp_path / "etc/logrotate.d/govwatch").read_text()

    # A later deployment keeps the secrets and the settings added by hand.
    with env_file.open("a") as f:
        f.write("GOVWATCH_SMS_TRANSPORT=aliyun\n")
    write(layout, tmp_path)
    again = read_env_file(env_file)
    assert (
        again["GOVWATCH_PII_KEY"] == env["GOVWATCH_PII_KEY"] and again["GOVWATCH_SMS_TRANSPORT"] == "aliyun"
    )
