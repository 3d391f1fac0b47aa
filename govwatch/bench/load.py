"""`govwatch bench --only load`: wrk against the production shape on loopback.

The deployment of `scripts/deploy` is started as the deployment test starts it (govwatch.ops.stack:
PostgreSQL from Debian's packages, nginx with TLS, two gunicorn services of two processes each, two
workers), then wrk, from Debian's packages, drives through nginx over HTTPS, one after the other
and for the same time with the same connections:

1. the floor: `/healthz`, a view that touches no database, through every middleware;
2. the public evaluation POST: one evaluation per completed case, the forms made beforehand
   (their CSRF cookie, token and signed stamp), the per-address limits raised (every request
   comes from 127.0.0.1); a run that sends more POSTs than there are cases sends forms a second
   time (`forms_sent_again`, and its POST figures are not a first POST's: prepare more cases);
3. the batch ingest API: `POST /api/v1/case-events/` of 100 records (50 new cases accepted and
   completed) per request, with an integration token;
4. the floor again, to show how much the machine drifted meanwhile;
5. then it waits for the workers to record every evaluation the POSTs left received (the POST
   answers once the submission is written; `govwatch.public.intake`) and counts them.

Each figure is requests per second and the latency percentiles that wrk measured.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from govwatch.ops.pgcluster import on_cpus
from govwatch.ops.stack import Stack

# wrk's Lua: requests from a file (one per line: method, path, body, headers as JSON), every
# thread on its own stride; the statuses counted per thread and printed as JSON at the end.
LUA = r"""
local cjson_ok = false
local lines = {}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  ok, bad, wraps = 0, 0, 0
  statuses = {}  -- the answers that were not the expected one, by status
  mode = args[1]
  stride = tonumber(args[2])
  prefix = args[3]
  token = args[4]
  n = id
  if mode == "file" then
    for line in io.lines(args[5]) do table.insert(lines, line) end
  end
end

local function esc(s) return (s:gsub('"', '\\"')) end

function request()
  if mode == "file" then
    local i = n % #lines + 1
    if n >= #lines then wraps = wraps + 1 end
    n = n + stride
    local path, body, cookie, referer = lines[i]:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)")
    return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded",
                                     ["Cookie"] = cookie, ["Referer"] = referer}, body)
  elseif mode == "ingest" then
    n = n + stride
    local records = {}
    for k = 1, 50 do
      local no = string.format("%s-%d-%d", prefix, n, k)
      table.insert(records, string.format(
        '{"case_no":"%s","event":"accept","at":"2026-05-11T09:%02d:00+08:00","item_code":"I1"}', no, k % 60))
      table.insert(records, string.format(
        '{"case_no":"%s","event":"complete","at":"2026-05-12T10:%02d:00+08:00"}', no, k % 60))
    end
    return wrk.format("POST", "/api/v1/case-events/", {["Content-Type"] = "application/json",
                      ["Authorization"] = "Token " .. token}, '{"records":[' .. table.concat(records, ",") .. ']}')
  end
  return wrk.format("GET", "/healthz")
end

function response(status, headers, body)
  if (mode == "file" and status == 302) or (mode ~= "file" and status == 200) then ok = ok + 1
  else
    bad = bad + 1
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  end
end

function done(summary, latency, requests)
  local good, errors, wrapped, by_status = 0, 0, 0, {}
  for _, t in ipairs(threads) do
    good = good + t:get("ok"); errors = errors + t:get("bad"); wrapped = wrapped + t:get("wraps")
    for code, count in pairs(t:get("statuses")) do by_status[code] = (by_status[code] or 0) + count end
  end
  local parts = {}
  for code, count in pairs(by_status) do table.insert(parts, string.format('"%s": %d', code, count)) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "ok": %d, "errors": %d, "socket_errors": %d, "wrapped": %d, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "mean_ms": %.2f, "error_statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, good, errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, wrapped,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, table.concat(parts, ", ")))
end
"""


def _cpu_of_trees(roots: dict[str, int]) -> dict[str, float]:
    """User and system CPU seconds so far of each named process and all its descendants (/proc)."""
    parent, cpu = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(pid)] = int(fields[1])
        # Its own time and its reaped children's (a PostgreSQL backend that ended in the run).
        cpu[int(pid)] = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    owner = {pid: name for name, pid in roots.items()}
    totals = dict.fromkeys(roots, 0.0)
    for pid, seconds in cpu.items():
        p = pid
        while p and p not in owner:
            p = parent.get(p, 0)
        if p:
            totals[owner[p]] += seconds
    return totals


def _roots(stack: Stack) -> dict[str, int]:
    """The processes whose CPU a run counts: nginx, the web services, the workers, PostgreSQL."""
    roots = {name: process.pid for name, process in stack.processes.items()}
    master = open(f"{stack.cluster.data}/postmaster.pid").readline().strip()
    roots["postgresql"] = int(master)
    return roots


def _commits(stack: Stack) -> int:
    """Transactions committed so far in GovWatch's database (the statistics lag up to a second)."""
    time.sleep(1.1)
    return int(
        stack.cluster.psql("SELECT xact_commit FROM pg_stat_database WHERE datname = 'govwatch'").strip()
    )


def _wrk(
    stack: Stack, script: Path, seconds: float, connections: int, *args: str, cpus: set[int] | None = None
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if not wrk:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    roots = _roots(stack)
    commits = _commits(stack)
    before, children = _cpu_of_trees(roots), os.times()
    done = subprocess.run(
        on_cpus(cpus, [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s",
                       "-s", str(script), f"{stack.base}/", "--", *args]),
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    result = json.loads(line.removeprefix("WRKJSON "))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    after, children_after = _cpu_of_trees(roots), os.times()
    used: dict[str, float] = {}
    for name in roots:
        part = "web" if name.startswith("web") else "worker" if name.startswith("worker") else name
        used[part] = used.get(part, 0.0) + after[name] - before[name]
    used["wrk"] = (children_after.children_user + children_after.children_system
                   - children.children_user - children.children_system)  # fmt: skip
    # CPU milliseconds per request of each part (the machine's other work is not in them).
    result["cpu_ms_per_request"] = {
        k: round(1000 * v / max(result["requests"], 1), 3) for k, v in used.items()
    }
    result["cpu_ms_per_request"]["total"] = round(sum(result["cpu_ms_per_request"].values()), 3)
    # Transactions PostgreSQL committed per request (an autocommitted statement is one), the
    # workers' included.
    result["commits_per_request"] = round((_commits(stack) - commits) / max(result["requests"], 1), 2)
    return result


def _forms(stack: Stack, tokens: list[str]) -> list[str]:
    """One line per case for the Lua script: path, body, cookie, referer.

    Each form is what the page would give (the CSRF cookie's secret and the masked token, the signed
    stamp of the form shown), minted here by the functions the page uses, with the server's settings
    and secret key: fetching thousands of pages through the server took a minute, which limited how
    many forms a run could have, and a run that runs out sends forms a second time (a second POST of
    a form is a double tap: cheaper than a first one, so the run's figure is no longer the POST's)."""
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    from govwatch.public.tokens import form_stamp

    lines = []
    for token in tokens:
        secret = _get_new_csrf_string()
        form = (f"csrfmiddlewaretoken={_mask_cipher_secret(secret)}&stamp={quote(form_stamp(token))}&level=5"
                "&score_efficiency=5&comment=&website=")  # fmt: skip
        path = f"/e/{token}/"
        lines.append("\t".join([path, form, f"csrftoken={secret}", stack.base + path]))
    return lines


def _drain(limit_seconds: float = 600) -> dict[str, Any]:
    """Wait for the workers to record every evaluation the POSTs left received; what they did."""
    from django.db.models import Count

    from govwatch.evaluations.models import Evaluation
    from govwatch.public.models import Submission

    began = time.monotonic()
    while Submission.objects.filter(state=Submission.State.RECEIVED).exists():
        if time.monotonic() - began > limit_seconds:
            break
        time.sleep(0.5)
    states = dict(Submission.objects.values_list("state").annotate(n=Count("id")))
    return {
        "submissions": states, "evaluations": Evaluation.objects.count(),
        "seconds_after_the_runs": round(time.monotonic() - began, 1),
    }  # fmt: skip


def run(
    seconds: float = 20,
    connections: int = 16,
    cases: int = 12_000,
    web_threads: int = 0,
    split: bool = False,
    web_processes: int = 0,
) -> dict[str, Any]:
    """`web_threads`: gunicorn's threads per process, when not the deployment's own (0);
    `web_processes`: its processes per web service, when not the deployment's own (0). `split`: the
    deployment's CPUs split in two (`scripts/deploy --web-cpus ... --background-cpus ...`), nginx, the
    web services and wrk on the first half, PostgreSQL and the workers on the second."""
    cpus = sorted(os.sched_getaffinity(0))
    web_cpus, background_cpus = (cpus[: len(cpus) // 2], cpus[len(cpus) // 2 :]) if split else ([], [])
    if split and not web_cpus:
        raise RuntimeError("splitting the CPUs needs two of them")
    stack = Stack(web_cpus=web_cpus, background_cpus=background_cpus, web_processes=web_processes, extra_env={
        "GOVWATCH_PUBLIC_SUBMITS_PER_MINUTE": "100000000", "GOVWATCH_PUBLIC_SUBMITS_PER_CASE_HOUR": "100000000",
        "GOVWATCH_LOG_LEVEL": "WARNING", **({"GOVWATCH_WEB_THREADS": str(web_threads)} if web_threads else {}),
    })  # fmt: skip
    try:
        stack.start()
        os.environ.update(stack.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "govwatch.settings"
        import django

        django.setup()
        from govwatch.bench.public import _region
        from govwatch.bench.public_load import evaluable_tokens

        _region(cases)
        token = stack.govwatch_json("demo-users")["users"]
        api_token = next(u["password"] for u in token if u["username"] == "integration")
        began = time.monotonic()
        lines = _forms(stack, evaluable_tokens(cases))
        prepare_seconds = time.monotonic() - began
        time.sleep(2.2)  # every stamp older than the minimum fill time
        with tempfile.TemporaryDirectory() as tmp:
            script, forms = Path(tmp) / "govwatch.lua", Path(tmp) / "forms.tsv"
            script.write_text(LUA)
            forms.write_text("\n".join(lines) + "\n")
            common = ("2", "L", api_token)
            load_before = os.getloadavg()
            wrk_cpus = set(web_cpus) or None  # the load tool beside the web tier, not the database
            floor = _wrk(stack, script, seconds, connections, "floor", *common, cpus=wrk_cpus)
            evaluation = _wrk(stack, script, seconds, connections, "file", *common, str(forms), cpus=wrk_cpus)
            ingest = _wrk(stack, script, seconds, connections, "ingest", *common, cpus=wrk_cpus)
            floor_after = _wrk(stack, script, seconds, connections, "floor", *common, cpus=wrk_cpus)
        drain = _drain()
        floor_rps = (floor["rps"] + floor_after["rps"]) / 2
        return {
            "shape": f"nginx (TLS) -> 2 x gunicorn ({stack.layout.processes_per_service} processes x {stack.env['GOVWATCH_WEB_THREADS']} threads) -> PostgreSQL; 2 workers",
            "postgresql": stack.cluster.psql("SHOW server_version").strip(),
            "wrk": f"2 threads, {connections} connections, {seconds:g} s each",
            "cpus": {"web, nginx, wrk": web_cpus, "postgresql, workers": background_cpus}
            if split
            else "every CPU, shared",
            "forms_prepared": len(lines),
            "prepare_seconds": round(prepare_seconds, 1),
            "floor_healthz": floor,
            "evaluation_post": evaluation,
            "ingest_100_records": {**ingest, "records_per_second": round(ingest["rps"] * 100)},
            "floor_healthz_after": floor_after,
            "evaluation_vs_floor": round(evaluation["rps"] / floor_rps, 3),
            # Forms posted a second time (answered as a double tap): any makes the POST's figures
            # those of a cheaper request.
            "forms_sent_again": evaluation["wrapped"],
            "ingest_vs_floor": round(ingest["rps"] / floor_rps, 3),
            "received_evaluations_recorded": drain,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.stdout.write(
        json.dumps(run(**json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")), ensure_ascii=False) + "\n"
    )
