"""What may be attached as evidence: documents and pictures by extension and by content, never a
program, with a clear Chinese reason."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govwatch.core.attachments import MAX_ATTACHMENTS, AttachmentRefused, check_attachments, refusal
from govwatch.core.forms import AttachmentsField

PDF = b"%PDF-1.7\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 8
ZIP = b"PK\x03\x04" + b"\0" * 8
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8


@pytest.mark.parametrize(
    "name, content",
    [("说明.pdf", PDF), ("照片.JPG", JPEG), ("照片.jpeg", JPEG), ("截图.png", PNG), ("报告.docx", ZIP),
     ("台账.xlsx", ZIP), ("公文.ofd", ZIP), ("旧报告.doc", OLE), ("旧台账.xls", OLE)],
)  # fmt: skip
def test_documents_and_pictures_are_accepted(name, content):
    assert refusal(name, content[:16], len(content)) is None


@pytest.mark.parametrize("content", [b"MZ\x90\x00", b"\x7fELF\x02", b"#!/bin/sh\n", b"\xcf\xfa\xed\xfe"])
def test_a_program_is_refused_whatever_its_name(content):
    assert refusal("整改报告.pdf", content, 100) == "附件“整改报告.pdf”是可执行程序或脚本，不能上传"


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "script.js", "说明.txt", "无扩展名"])
def test_other_file_types_are_refused_by_extension(name):
    assert refusal(name, PDF, 100).startswith(f"附件“{name}”的文件类型不能上传：请上传 PDF、OFD、JPG")


def test_content_that_does_not_match_the_extension_is_refused():
    assert refusal("照片.png", b"<html><script>", 100) == "附件“照片.png”的内容不是 PNG 文件，请上传原始文件"


def test_empty_and_oversized_files_are_refused():
    assert refusal("说明.pdf", b"", 0) == "附件“说明.pdf”是空文件"
    assert "超过 10 MB" in refusal("说明.pdf", PDF, 10 * 1024 * 1024 + 1)


def test_too_many_files_at_once_are_refused():
    with pytest.raises(AttachmentRefused, match=f"一次最多上传 {MAX_ATTACHMENTS} 个附件"):
        check_attachments([(f"{n}.pdf", PDF) for n in range(MAX_ATTACHMENTS + 1)])


def test_the_form_field_names_every_refused_file_and_leaves_the_files_readable():
    field = AttachmentsField()
    good = SimpleUploadedFile("说明.pdf", PDF)
    assert field.clean([good]) == [good] and good.read() == PDF
    with pytest.raises(Exception) as refused:
        field.clean([SimpleUploadedFile("a.exe", b"MZ\x90"), SimpleUploadedFile("b.png", b"GIF89a")])
    assert refused.value.messages == [
        "附件“a.exe”是可执行程序或脚本，不能上传",
        "附件“b.png”的内容不是 PNG 文件，请上传原始文件",
    ]
