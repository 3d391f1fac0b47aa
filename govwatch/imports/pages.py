"""Import pages that belong to an area's pages but run the importer (which stands above the areas):
the rectification list upload (整改清单导入), the same import as `govwatch import rectification`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govwatch.accounts.access import action_required
from govwatch.accounts.permissions import MANAGE_RECTIFICATION
from govwatch.core.tables import FileProblem
from govwatch.rectification.forms import UploadForm
from govwatch.rectification.views import context

from .runs import run_import


@action_required(MANAGE_RECTIFICATION)
def rectification_upload(request: HttpRequest) -> HttpResponse:
    """Upload a list in the offices' form: the same import as `govwatch import rectification`."""
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        suffix = Path(upload_file.name).suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            form.add_error("file", "请上传 .xlsx 或 .csv 文件")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                path.write_bytes(upload_file.read())
                try:
                    result = run_import(
                        "rectification", path, operator=request.user, operator_label=f"user:{request.user.get_username()}",
                        filename=upload_file.name, source=request.META.get("REMOTE_ADDR", ""),
                    )  # fmt: skip
                except FileProblem as exc:
                    form.add_error("file", str(exc))
    return render(request, "rectification/upload.html", context(request, "lists", form=form, result=result))
