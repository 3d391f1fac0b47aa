"""For tests of documents rendered to PDF: the marker of tests that need LibreOffice and
poppler-utils, and the text of a PDF as pdftotext reads it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from govwatch.core import pdf

POPPLER = bool(shutil.which("pdftotext") and shutil.which("pdffonts"))
# CI installs LibreOffice and poppler-utils (scripts/test): there a missing one fails, never skips.
needs_libreoffice = pytest.mark.skipif(
    not (pdf.available() and POPPLER) and not os.environ.get("CI"),
    reason="LibreOffice 或 poppler-utils 未安装（bash scripts/test 会安装 libreoffice-writer-nogui、poppler-utils）",
)


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def _poppler(tool: str, data: bytes, *options: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(data)
        return run(tool, *options, str(path), *(["-"] if tool == "pdftotext" else []))


def pdf_text(data: bytes, *options: str) -> str:
    """The text pdftotext reads out of a PDF (with its options, e.g. "-f", "2", "-l", "2")."""
    return _poppler("pdftotext", data, *options)


def pdf_info(data: bytes) -> str:
    """pdfinfo's report: pages, page size, title, author."""
    return _poppler("pdfinfo", data)


def pdf_fonts(data: bytes) -> list[tuple[str, bool]]:
    """Each font of a PDF with whether it is embedded, as pdffonts lists them."""
    rows = _poppler("pdffonts", data).splitlines()[2:]
    return [(row.split()[0], row.split()[-5] == "yes") for row in rows]
