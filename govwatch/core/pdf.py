"""DOCX to PDF with LibreOffice headless (Debian's libreoffice-writer-nogui, installed by the
project's scripts with fonts-noto-cjk), so a PDF looks exactly like the Word file it comes from.

Each conversion runs its own soffice in a private profile directory (-env:UserInstallation):
LibreOffice refuses a second instance on a profile in use, so calls in parallel (two web
requests, a worker and a page) would otherwise fail or wait on each other. A conversion that
hangs is killed with its whole process group after `timeout` seconds.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")
TIMEOUT = 120  # seconds; a first start with a fresh profile takes a few


class PdfError(Exception):
    """The PDF could not be made; the message is for the user."""


def soffice_path() -> str | None:
    """The LibreOffice executable, or None where it is not installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(docx: bytes, *, timeout: float = TIMEOUT) -> bytes:
    """The PDF of a DOCX document, rendered by LibreOffice with the fonts the machine has."""
    # LibreOffice would render anything else as plain text: a DOCX is a zip with a document part.
    try:
        is_docx = "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx)).namelist()
    except zipfile.BadZipFile:
        is_docx = False
    if not is_docx:
        raise PdfError("不是 Word 文档（DOCX），无法生成 PDF")
    soffice = soffice_path()
    if soffice is None:
        raise PdfError(
            "未安装 LibreOffice，无法生成 PDF：请运行 scripts/start 或安装 libreoffice-writer-nogui 和 fonts-noto-cjk"
        )
    with tempfile.TemporaryDirectory(prefix="govwatch-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(docx)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", "pdf:writer_pdf_Export",
            "--outdir", str(work),
            str(source),
        ]  # fmt: skip
        env = {**os.environ, "HOME": str(work), "SAL_USE_VCLPLUGIN": "svp"}
        # A session of its own: on a timeout the whole group (oosplash, soffice.bin) is killed.
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,
        )  # fmt: skip
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfError(f"生成 PDF 超时（超过 {timeout:g} 秒），请稍后重试") from None
        result = work / "document.pdf"
        if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            detail = (err or out).decode("utf-8", "replace").strip().splitlines()
            raise PdfError("LibreOffice 未能生成 PDF" + (f"：{detail[-1]}" if detail else ""))
        return result.read_bytes()
