"""Official documents as downloads: the Word file, or its PDF (`?format=pdf`) rendered by
LibreOffice; where the PDF cannot be made the user is sent back with the reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header

from govwatch.core.pdf import PdfError, docx_to_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def document_download(request: HttpRequest, docx: bytes, name: str, back: str) -> HttpResponse:
    """`name` without its extension; `back` is the page to return to when the PDF fails."""
    if request.GET.get("format") == "pdf":
        try:
            data, content_type, filename = docx_to_pdf(docx), PDF, f"{name}.pdf"
        except PdfError as exc:
            messages.error(request, str(exc))
            return redirect(back)
    else:
        data, content_type, filename = docx, DOCX, f"{name}.docx"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
