"""QR codes of the evaluation and window links, drawn by segno as SVG and served by GovWatch (no
outside QR service: the link would leave the building, and pages must work with no internet)."""

from __future__ import annotations

import base64
import hashlib
import io

import segno

from .models import QrImage


def qr_svg(url: str, title: str) -> bytes:
    """An SVG QR code of `url`; the address is also written in its description, for screen readers
    and for anyone who wants to check where the code leads without a phone."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    # A white quiet zone and background: the code must scan when printed on coloured paper.
    code.save(out, kind="svg", scale=8, border=4, dark="#000", light="#fff", title=title, desc=url, nl=False)
    return out.getvalue()


def _key(url: str, title: str) -> str:
    return hashlib.sha256(f"{url}\n{title}".encode()).hexdigest()


def cached_qr_svgs(wanted: dict[str, tuple[str, str]]) -> dict[str, bytes]:
    """The SVG of each (url, title) in `wanted` (by the caller's key), drawn once and kept: one query
    for those already drawn, one insert for the new ones (a concurrent drawing of the same code
    is the same picture, so a conflict is ignored)."""
    keys = {name: _key(url, title) for name, (url, title) in wanted.items()}
    stored = dict(QrImage.objects.filter(key__in=list(keys.values())).values_list("key", "svg"))
    new = []
    for name, (url, title) in wanted.items():
        if keys[name] not in stored:
            svg = qr_svg(url, title).decode()
            stored[keys[name]] = svg
            new.append(QrImage(key=keys[name], svg=svg))
    if new:
        QrImage.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return {name: stored[keys[name]].encode() for name in wanted}


def data_uri(svg: bytes) -> str:
    """An SVG as an <img> source inside the page itself (the CSP allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
