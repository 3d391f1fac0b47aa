"""明察暗访 pages: the inspections in scope, the inspection form (made for a phone), one inspection
with its photos, publishing a secret one, and the office's checklist editor.

A unit's staff see only published inspections of their subtree; a secret one does not exist for
them (404) until it is published.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import INSPECT_HALLS, MANAGE_CHECKLISTS, may
from govwatch.audit.log import Actor
from govwatch.rectification.views import context
from govwatch.supervision.views.common import paginate

from . import actions
from .forms import InspectionForm, TemplateForm
from .models import ChecklistTemplate, InspectionPhoto
from .photos import PhotoRefused


@member_required
def index(request: HttpRequest) -> HttpResponse:
    inspections = actions.visible_inspections(request.user).order_by("-inspected_at", "-id")
    return render(request, "hallchecks/index.html", context(
        request, "halls", listing=paginate(request, inspections),
        templates=ChecklistTemplate.objects.filter(active=True),
    ))  # fmt: skip


@action_required(INSPECT_HALLS)
def new(request: HttpRequest) -> HttpResponse:
    """Choose a checklist, then record the inspection on one page."""
    templates = ChecklistTemplate.objects.filter(active=True)
    template_id = request.POST.get("template") or request.GET.get("template")
    template = templates.filter(pk=template_id).first() if template_id and template_id.isdigit() else None
    if template is None:
        return render(request, "hallchecks/choose.html", context(request, "halls", templates=templates))
    form = InspectionForm(request.POST or None, request.FILES or None, template=template, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = actions.do_record_inspection(
                Actor.of_request(request), template=template, unit=data["unit"], mode=data["mode"],
                results=form.results(), note=data["note"], rectify_days=data["rectify_days"],
                photos=form.overall_photos(),
            )  # fmt: skip
        except (actions.InspectionError, PhotoRefused) as exc:
            messages.error(request, str(exc))
        else:
            failed = inspection.results.filter(outcome="fail").count()
            messages.success(
                request, f"检查已记录：{failed} 项不符合" + ("，已列入整改清单" if failed else "")
            )
            return redirect("hallchecks:detail", pk=inspection.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "hallchecks/new.html", context(request, "halls", form=form, template=template), status=status
    )


@member_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(actions.visible_inspections(request.user), pk=pk)
    results = inspection.results.select_related("problem").prefetch_related("photos")
    return render(request, "hallchecks/detail.html", context(
        request, "halls", inspection=inspection, results=results,
        photos=inspection.photos.filter(result=None),
        can_publish=inspection.can_move_to("published") and may(request.user, INSPECT_HALLS),
    ))  # fmt: skip


@action_required(INSPECT_HALLS)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(actions.visible_inspections(request.user), pk=pk)
    try:
        actions.do_publish(Actor.of_request(request), inspection)
    except actions.InspectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "暗访结果已公开，被检查单位可以看到检查记录并开始整改")
    return redirect("hallchecks:detail", pk=inspection.pk)


@member_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of an inspection the viewer may see: our own re-encoded JPEG, shown inline."""
    item = get_object_or_404(
        InspectionPhoto.objects.filter(inspection__in=actions.visible_inspections(request.user)), pk=pk
    )
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("照片文件已不存在") from exc
    return FileResponse(handle, content_type="image/jpeg")


@action_required(MANAGE_CHECKLISTS)
def templates(request: HttpRequest) -> HttpResponse:
    return render(request, "hallchecks/templates.html", context(
        request, "checklists", templates=ChecklistTemplate.objects.prefetch_related("items"),
    ))  # fmt: skip


@action_required(MANAGE_CHECKLISTS)
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(ChecklistTemplate, pk=pk) if pk else None
    initial = {}
    if template is not None:
        initial = {"name": template.name, "description": template.description, "active": template.active,
                   "items": "\n".join(i.text for i in template.current_items())}  # fmt: skip
    form = TemplateForm(request.POST or None, initial=initial or {"active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.do_save_template(
                Actor.of_request(request), template, name=data["name"], description=data["description"],
                items=form.lines(), active=data["active"],
            )  # fmt: skip
        except actions.InspectionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"检查表“{saved.name}”已保存")
            return redirect("hallchecks:templates")
    return render(
        request, "hallchecks/template_edit.html", context(request, "checklists", form=form, template=template)
    )
