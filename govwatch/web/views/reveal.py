"""「显示完整号码」: one personal value in clear, for the roles that may see it, each time audited.

POST only (CSRF-protected, never cached, never prefetched by a link), one field of one record of the
user's scope; the audit entry names the record and the field, never the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required
from govwatch.accounts.permissions import VIEW_PII, access
from govwatch.accounts.reveal import do_reveal
from govwatch.audit.log import Actor
from govwatch.complaints.models import Complaint
from govwatch.core import pii
from govwatch.core.fields import FreeTextField, original
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit


def _decrypted(token: str) -> str:
    return pii.decrypt(token) if token else ""


@dataclass(frozen=True)
class Revealable:
    label: str  # what is shown, in the page and in the audit summary
    model: type[Model]  # whose records the user sees (`visible_to`)
    key: str  # the field the address names the record by
    field: str  # the field revealed, as the audit entry names it
    clear: Callable[[Model], str]


REVEALABLE = {
    "unit-phone": Revealable("单位联系电话", Unit, "code", "phone", lambda u: u.phone),
    "evaluator": Revealable(
        "评价人", Evaluation, "eval_id", "evaluator", lambda e: _decrypted(e.evaluator_enc)
    ),
    "complainant": Revealable(
        "投诉人联系方式", Complaint, "complaint_id", "contact", lambda c: _decrypted(c.contact_enc)
    ),
}


@action_required(VIEW_PII)
@require_POST
@never_cache
@sensitive_variables("value")
def reveal(request: HttpRequest, what: str, key: str) -> HttpResponse:
    spec = REVEALABLE.get(what)
    if spec is None:
        raise Http404
    obj = access(request.user, spec.model.objects.all(), **{spec.key: key})
    value = do_reveal(Actor.of_request(request), obj, spec.label, spec.field, spec.clear)
    return _answer(request, spec.label, obj, value)


@action_required(VIEW_PII)
@require_POST
@never_cache
@sensitive_variables("value")
def reveal_text(request: HttpRequest, label: str, pk: int, field: str) -> HttpResponse:
    """The original of a free text whose phones or ID numbers are masked (core.fields.FreeTextField),
    for any record of any area the user sees: the model's `visible_to` decides, as for its pages."""
    try:
        model = apps.get_model(label)
        free = model._meta.get_field(field)
    except (LookupError, ValueError, FieldDoesNotExist):
        raise Http404 from None
    rows = model._default_manager.all()
    if not isinstance(free, FreeTextField) or not hasattr(rows, "visible_to"):
        raise Http404
    obj = access(request.user, rows, pk=pk)
    what = f"{free.verbose_name}原文"
    value = do_reveal(Actor.of_request(request), obj, what, field, lambda o: original(getattr(o, field)))
    return _answer(request, what, obj, value)


def _answer(request: HttpRequest, label: str, obj: Model, value: str) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"value": value})
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    context = {"label": label, "target": str(obj), "value": value, "back": back}
    return render(request, "web/revealed.html", context)
