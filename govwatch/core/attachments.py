"""Evidence files attached to a step (a reply to an order, a verification, a callback ...): the one
helper every area uses to accept, keep and hand out a file.

Only documents and pictures are accepted, by extension and by content: PDF, OFD, JPG/JPEG, PNG,
Word (DOC, DOCX) and Excel (XLS, XLSX), each of which must begin with its format's signature
("magic bytes"), so a renamed program or page is refused; programs and scripts are refused in
plain words. A file is kept whole with its SHA-256, and always handed out as a download, never
rendered: an uploaded page must never show as one of ours.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import FileResponse, Http404

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# What the first bytes of each accepted format are.
_ZIP = (b"PK\x03\x04",)  # DOCX, XLSX and OFD are ZIP containers
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # DOC and XLS (Compound File Binary)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "ofd": _ZIP,
    "jpg": (b"\xff\xd8",),
    "jpeg": (b"\xff\xd8",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "doc": _OLE,
    "xls": _OLE,
    "docx": _ZIP,
    "xlsx": _ZIP,
}
ALLOWED_TEXT = "PDF、OFD、JPG、PNG、Word（DOC、DOCX）或 Excel（XLS、XLSX）"
# Programs and scripts: Windows (MZ), Linux (ELF), macOS (Mach-O, universal), shell scripts.
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
HEAD_BYTES = 16


class AttachmentRefused(ValueError):
    """A file that may not be attached; the message is for the user, in Chinese."""


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def refusal(name: str, head: bytes, size: int) -> str | None:
    """Why the file `name` (whose first bytes are `head`, `size` bytes long) may not be attached, or
    None when it may."""
    if size == 0:
        return f"附件“{name}”是空文件"
    if size > MAX_ATTACHMENT_BYTES:
        return f"附件“{name}”超过 10 MB，请压缩或拆分后再上传"
    if head.startswith(_PROGRAMS):
        return f"附件“{name}”是可执行程序或脚本，不能上传"
    extension = _extension(name)
    if extension not in SIGNATURES:
        return f"附件“{name}”的文件类型不能上传：请上传 {ALLOWED_TEXT} 文件"
    if not head.startswith(SIGNATURES[extension]):
        return f"附件“{name}”的内容不是 {extension.upper()} 文件，请上传原始文件"
    return None


def check_attachments(files: Sequence[tuple[str, bytes]]) -> None:
    """AttachmentRefused for the first file that may not be attached, or too many files."""
    if len(files) > MAX_ATTACHMENTS:
        raise AttachmentRefused(f"一次最多上传 {MAX_ATTACHMENTS} 个附件")
    for name, content in files:
        reason = refusal(name, content[:HEAD_BYTES], len(content))
        if reason:
            raise AttachmentRefused(reason)


def download(attachment) -> FileResponse:
    """An attachment (a model with `file` and `name`) as a download."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("附件文件已不存在") from exc
    return FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type="application/octet-stream"
    )
