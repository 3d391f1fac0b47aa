"""Charts as PNG images for the bulletin: the same ECharts options as the pages (govwatch.reports
.charts), rendered on the server by ECharts' own SVG renderer under Node.js and turned into PNG by
resvg (both installed from npm by the project's scripts, beside the ECharts the pages load).

One Node process draws every chart of a document. Where Node.js or the packages are missing the
document is made without its charts (`ChartsUnavailable`, the caller says so): the tables carry the
same figures.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from govwatch.core.documents import fonts

SCRIPT = Path(__file__).with_name("data") / "render_charts.js"
TIMEOUT = 120  # seconds, for every chart of one document


class ChartsUnavailable(Exception):
    """The charts could not be drawn; the message is for the user."""


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise ChartsUnavailable("未安装 Node.js，通报中的图表未能生成（表格数据不受影响）")
    modules = Path(settings.NODE_MODULES)
    for package in ("echarts/dist/echarts.js", "@resvg/resvg-js/package.json"):
        if not (modules / package).exists():
            raise ChartsUnavailable("未安装图表组件（请运行 scripts/start 或 npm ci），通报中的图表未能生成")
    return node


@lru_cache(maxsize=4)
def font_files(family: str) -> tuple[str, ...]:
    """The files of `family` as fontconfig finds them (empty without fontconfig): resvg then loads
    those alone instead of parsing every font of the machine."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return ()
    try:
        found = subprocess.run(
            [fc_match, "-f", "%{file}", family], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ()
    return (found,) if found and Path(found).exists() else ()


def render_png(charts: dict[str, tuple[dict[str, Any], int, int]], *, scale: float = 2) -> dict[str, bytes]:
    """{name: (option, width px, height px)} -> {name: PNG bytes}, drawn at `scale` times the size."""
    if not charts:
        return {}
    node = _node()
    job = {
        "node_modules": str(Path(settings.NODE_MODULES).resolve()),
        "font": fonts().hei,
        "font_files": list(font_files(fonts().hei)),
        "scale": scale,
        "charts": {
            name: {"option": option, "width": w, "height": h} for name, (option, w, h) in charts.items()
        },
    }
    try:
        done = subprocess.run(
            [node, str(SCRIPT)],
            input=json.dumps(job, ensure_ascii=False).encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ChartsUnavailable(f"生成图表超时（超过 {TIMEOUT} 秒）") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChartsUnavailable("图表未能生成" + (f"：{detail[-1]}" if detail else ""))
    return {name: base64.b64decode(data) for name, data in json.loads(done.stdout).items()}
