"""Charts as PNG images for the bulletin: the same ECharts options as the pages (govwatch.reports
.charts), rendered on the server by ECharts' own SVG renderer under Node.js and turned into PNG by
resvg (both installed from npm by the project's scripts, beside the ECharts the pages load).

One Node process draws every chart of a document. resvg lays out each text element of a chart with
the font file read and parsed afresh, about 50 ms a label with the 19 MB CJK collection (a six-month
trend's 28 labels: 1.6 s); so the font is first cut to the characters the charts use (fontTools'
subsetter, once per set of characters, kept in VAR_DIR/chart-fonts), a file of some 20 KB whose
labels lay out in a millisecond or two. Where Node.js or the packages are missing the
document is made without its charts (`ChartsUnavailable`, the caller says so): the tables carry the
same figures.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import string
import subprocess
from collections.abc import Iterator
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
def _font_face(family: str) -> tuple[str, int] | None:
    """The file of `family` and the face's index in it, as fontconfig finds them."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(
            [fc_match, "-f", "%{file}|%{index}", family], capture_output=True, text=True, timeout=30,
            check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    path, _bar, index = found.partition("|")
    return (path, int(index or 0)) if path and Path(path).exists() else None


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _texts(value)


def chart_font(family: str, options: list[dict[str, Any]]) -> tuple[str, ...]:
    """The font file for drawing `options`: `family` cut to the characters of their texts and every
    printable ASCII character (the axes' numbers), else the whole file where it cannot be cut."""
    face = _font_face(family)
    if face is None:
        return ()
    text = "".join(sorted(set(string.printable).union(*(set(t) for t in _texts(options)))))
    path, index = face
    stat = Path(path).stat()
    key = hashlib.sha256(f"{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{text}".encode()).hexdigest()
    cut = Path(settings.VAR_DIR) / "chart-fonts" / f"{key[:32]}.otf"
    if cut.exists():
        return (str(cut),)
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        font = TTFont(path, fontNumber=index)
        options_ = subset.Options()
        options_.name_IDs = ["*"]  # the family's name, which the charts ask for
        subsetter = subset.Subsetter(options_)
        subsetter.populate(text=text)
        subsetter.subset(font)
        cut.parent.mkdir(parents=True, exist_ok=True)
        partial = cut.with_suffix(".part")
        font.save(str(partial))
        partial.replace(cut)  # whole or not at all, whoever else draws at the same time
    except Exception:  # noqa: BLE001  (any font fontTools cannot cut is drawn whole)
        return (path,)
    return (str(cut),)


def render_png(charts: dict[str, tuple[dict[str, Any], int, int]], *, scale: float = 2) -> dict[str, bytes]:
    """{name: (option, width px, height px)} -> {name: PNG bytes}, drawn at `scale` times the size."""
    if not charts:
        return {}
    node = _node()
    job = {
        "node_modules": str(Path(settings.NODE_MODULES).resolve()),
        "font": fonts().hei,
        "font_files": list(chart_font(fonts().hei, [option for option, _w, _h in charts.values()])),
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
