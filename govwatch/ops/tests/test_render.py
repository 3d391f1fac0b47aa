"""`govwatch deploy render`: the production files, their secrets kept from one deployment to the next."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from govwatch.cli import main
from govwatch.ops.deploy import Layout, cpu_affinity, exec_start, parse_cpus, read_env_file, write
from govwatch.ops.pgcluster import PgCluster, pg_bin_dir
from govwatch.ops.stack import Stack

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


def test_the_cpus_of_each_side_go_into_the_units_and_the_drop_ins(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://govwatch:pw@127.0.0.1:5432/govwatch")
    systemd = tmp_path / "etc/systemd/system"
    write(Layout(domain="pj.example.gov.cn", web_cpus=[0, 1], background_cpus=[2, 3]), tmp_path)
    assert cpu_affinity((systemd / "govwatch-web@.service").read_text()) == {0, 1}
    assert cpu_affinity((systemd / "nginx.service.d/govwatch-cpus.conf").read_text()) == {0, 1}
    assert cpu_affinity((systemd / "govwatch-worker@.service").read_text()) == {2, 3}
    assert cpu_affinity((systemd / "postgresql@.service.d/govwatch-cpus.conf").read_text()) == {2, 3}
    _systemd_reads(tmp_path, systemd)

    # A deployment without the option undoes the earlier one's: every CPU for every process.
    write(Layout(domain="pj.example.gov.cn"), tmp_path)
    for unit in ("govwatch-web@.service", "govwatch-worker@.service", "nginx.service.d/govwatch-cpus.conf",
                 "postgresql@.service.d/govwatch-cpus.conf"):  # fmt: skip
        text = (systemd / unit).read_text()
        assert "CPUAffinity=\n" in text and cpu_affinity(text) is None


def _systemd_reads(tmp_path: Path, systemd: Path) -> None:
    """systemd's own parser takes every key of the units and of the drop-ins (a drop-in checked as a
    unit of its own, with a command to run)."""
    if not shutil.which("systemd-analyze"):
        return
    checked = tmp_path / "checked"
    checked.mkdir(exist_ok=True)
    for source, name in [("govwatch-web@.service", "govwatch-web@8001.service"),
                         ("govwatch-worker@.service", "govwatch-worker@1.service"),
                         ("nginx.service.d/govwatch-cpus.conf", "nginx-cpus.service"),
                         ("postgresql@.service.d/govwatch-cpus.conf", "postgresql-cpus.service")]:  # fmt: skip
        text = (systemd / source).read_text()
        (checked / name).write_text(text if "ExecStart=" in text else text + "ExecStart=/bin/true\n")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, checked.iterdir())],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert "Unknown key" not in done.stderr and "Failed to parse" not in done.stderr, done.stderr


def _render(tmp_path, *options: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        status = main(
            ["deploy", "render", "--root", str(tmp_path), "--domain", "pj.example.gov.cn", *options]
        )
    return status, err.getvalue()


def test_cpus_the_machine_lacks_or_cannot_read_are_refused_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://govwatch:pw@127.0.0.1:5432/govwatch")
    beyond = str(max(os.sched_getaffinity(0)) + 1)
    for options, said in [
        (("--web-cpus", "a", "--background-cpus", "0"), "--web-cpus 应为逗号分隔的 CPU 编号或范围"),
        (
            ("--web-cpus", "0", "--background-cpus", beyond),
            f"--background-cpus 中的 CPU {beyond} 在本机不可用",
        ),
        (("--web-cpus", "0"), "须同时指定"),
    ]:
        status, err = _render(tmp_path, *options)
        assert status == 2 and said in err, err
    # Nothing was written by a refused render.
    assert not (tmp_path / "etc").exists()

    status, _ = _render(tmp_path, "--web-cpus", "0", "--background-cpus", "0")
    assert status == 0
    web = (tmp_path / "etc/systemd/system/govwatch-web@.service").read_text()
    assert cpu_affinity(web) == {0}


def test_parse_cpus_reads_lists_and_ranges():
    available = sorted(os.sched_getaffinity(0))
    assert parse_cpus("", "--web-cpus") == []
    assert parse_cpus(f"{available[0]}-{available[-1]}", "--web-cpus") == available
    assert parse_cpus(f" {available[-1]}, {available[0]} ", "--web-cpus") == sorted(
        {available[0], available[-1]}
    )


def test_a_unit_started_by_the_loopback_stack_runs_on_its_cpus(tmp_path):
    cpu = max(os.sched_getaffinity(0))
    stack = Stack(root=tmp_path)
    Path(stack.layout.log_dir).mkdir(parents=True)
    stack._start_unit("sleeper", ["sleep", "30"], {cpu})
    try:
        for _ in range(100):  # until taskset has set the CPUs and run the command
            status = _status(str(stack.processes["sleeper"].pid))
            if "Name:\tsleep\n" in status:
                break
            time.sleep(0.05)
        assert "Name:\tsleep\n" in status and f"Cpus_allowed_list:\t{cpu}\n" in status
    finally:
        stack.processes["sleeper"].kill()
        stack.processes["sleeper"].wait()


def _status(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:  # ended meanwhile
        return ""


@pytest.mark.skipif(pg_bin_dir() is None, reason="PostgreSQL from Debian's packages")
def test_postgresql_and_what_it_forks_run_on_the_cpus_given(tmp_path):
    cpu = max(os.sched_getaffinity(0))
    cluster = PgCluster()
    cluster.cpus = {cpu}
    try:
        cluster.init()
        cluster.restart()  # a restart starts it on them again
        master = (Path(cluster.data) / "postmaster.pid").read_text().split()[0]
        # The postmaster and what it forked (checkpointer, writers; each backend, later, the same way).
        family = [master] + [
            pid for pid in filter(str.isdigit, os.listdir("/proc")) if f"PPid:\t{master}\n" in _status(pid)
        ]
        assert len(family) > 2
        assert all(f"Cpus_allowed_list:\t{cpu}\n" in _status(pid) for pid in family)
    finally:
        cluster.destroy()


def test_the_web_services_share_the_web_sides_cpus_with_eight_threads_a_process(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://govwatch:pw@127.0.0.1:5432/govwatch")
    env_file = tmp_path / "etc/govwatch/govwatch.env"
    cpus = sorted(os.sched_getaffinity(0))
    write(Layout(domain="pj.example.gov.cn", web_ports=[8101, 8102]), tmp_path)
    env = read_env_file(env_file)
    assert env["GOVWATCH_WEB_WORKERS"] == str(max(1, len(cpus) // 2)) and env["GOVWATCH_WEB_THREADS"] == "8"
    # One CPU for the web side: one process for each service, never none.
    write(Layout(domain="pj.example.gov.cn", web_ports=[8101, 8102], web_cpus=cpus[:1], background_cpus=cpus[:1]),
          tmp_path)  # fmt: skip
    assert read_env_file(env_file)["GOVWATCH_WEB_WORKERS"] == "1"
    # Threads set by hand are kept by a later deployment; the processes follow the CPUs.
    with env_file.open("a") as f:
        f.write("GOVWATCH_WEB_THREADS=12\n")
    write(Layout(domain="pj.example.gov.cn", web_ports=[8101]), tmp_path)
    env = read_env_file(env_file)
    assert env["GOVWATCH_WEB_THREADS"] == "12" and env["GOVWATCH_WEB_WORKERS"] == str(len(cpus))
