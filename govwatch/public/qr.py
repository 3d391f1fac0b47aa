"""QR codes of the evaluation and window links, drawn by segno as SVG and served by GovWatch (no
outside QR service: the link would leave the building, and pages must work with no internet)."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, title: str) -> bytes:
    """An SVG QR code of `url`; the address is also written in its description, for screen readers
    and for anyone who wants to check where the code leads without a phone."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    # A white quiet zone and background: the code must scan when printed on coloured paper.
    code.save(out, kind="svg", scale=8, border=4, dark="#000", light="#fff", title=title, desc=url, nl=False)
    return out.getvalue()
