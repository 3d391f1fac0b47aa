"""Evidence files (整改佐证材料): the kinds a sign-off may rest on, checked before anything is kept.

Documents and photos only: PDF and OFD, Word and Excel, JPG, PNG and WebP. A file is judged by its
name and by its first bytes, so a program renamed to .pdf is refused too. Evidence is kept whole
(its digest is stored beside it); photos of hall inspections are a different matter (hallchecks).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
ALLOWED = {".pdf", ".ofd", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".webp"}
# Executables and scripts, whatever their names say.
_FORBIDDEN_STARTS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
ALLOWED_TEXT = "PDF、OFD、Word、Excel、JPG、PNG、WebP"


class EvidenceRefused(Exception):
    """A file that cannot be evidence; the message is for the user."""


def evidence_problem(name: str, content: bytes) -> str | None:
    """Why a file cannot be kept as evidence, or None when it can."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        return f"附件“{name}”的类型不支持，请上传 {ALLOWED_TEXT} 文件"
    if not content:
        return f"附件“{name}”是空文件"
    if len(content) > MAX_BYTES:
        return f"附件“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB，请压缩或拆分后再上传"
    if content.startswith(_FORBIDDEN_STARTS):
        return f"附件“{name}”是可执行程序，不能作为佐证材料"
    return None


def check_evidence(files: Sequence[tuple[str, bytes]]) -> None:
    if len(files) > MAX_FILES:
        raise EvidenceRefused(f"一次最多上传 {MAX_FILES} 个附件")
    for name, content in files:
        problem = evidence_problem(name, content)
        if problem:
            raise EvidenceRefused(problem)
