"""发件箱 and 通知模板: the messages in the user's scope, and the texts the office may edit."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from govwatch.accounts.access import action_required, member_required
from govwatch.accounts.permissions import MANAGE_TEMPLATES, may, scope
from govwatch.audit.log import Actor

from ..forms import (
    CHANNELS,
    NOTIFICATION_KINDS,
    PLACEHOLDER_HELP,
    OutboxFilterForm,
    TemplatesForm,
    WatchTemplatesForm,
)
from ..kinds import PLACEHOLDERS as WATCH_PLACEHOLDERS
from ..kinds import TEXT_KINDS, all_kinds, template_key
from ..models import Notification, NotificationTemplate
from ..outbox import (
    REQUEUE,
    OutboxError,
    access_notification,
    do_requeue,
    do_save_templates,
    do_save_watch_templates,
)
from ..texts import DEFAULTS
from .common import page_context, paginate


@member_required
def outbox(request: HttpRequest) -> HttpResponse:
    mine = scope(request.user)
    form = OutboxFilterForm(request.GET or None)
    # The recipient is shown as stored masked; the encrypted number never leaves the database.
    rows = (
        Notification.objects.visible_to(mine)
        .defer("recipient_enc", "recipient_hash")
        .select_related("unit")
        # Whether there is a number to send to at all: only then is "重新发送" offered.
        .annotate(has_number=ExpressionWrapper(~Q(recipient_enc=""), output_field=BooleanField()))
    )
    if form.is_bound and not form.is_valid():
        rows = rows.none()
    elif form.is_bound:
        for name in ("status", "kind", "channel"):
            if form.cleaned_data[name]:
                rows = rows.filter(**{name: form.cleaned_data[name]})
    listing = paginate(request, rows.order_by("-id"))
    kinds, channels = dict(NOTIFICATION_KINDS), dict(CHANNELS)
    for message in listing.page:
        message.kind_label = kinds.get(message.kind, message.kind)
        message.channel_label = channels.get(message.channel, message.channel)
    context = page_context(
        request, "outbox",
        form=form,
        outbox=listing,
        failed=Notification.objects.visible_to(mine).filter(status=Notification.Status.FAILED).count(),
        can_requeue=may(request.user, REQUEUE),
        query=request.GET.urlencode(),
    )  # fmt: skip
    return render(request, "supervision/outbox.html", context)


@member_required
@require_POST
def requeue(request: HttpRequest, pk: int) -> HttpResponse:
    message = access_notification(request.user, pk, REQUEUE)
    try:
        do_requeue(message, Actor.of_request(request))
    except OutboxError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"通知 #{message.pk} 已重新加入发送队列")
    # Back to the list as it was filtered; only a query string is taken from the form, never an address.
    back = QueryDict(request.POST.get("query", "")).urlencode()
    return redirect(reverse("supervision:outbox") + (f"?{back}" if back else ""))


@action_required(MANAGE_TEMPLATES)
def notification_texts(request: HttpRequest) -> HttpResponse:
    current = NotificationTemplate.texts()
    form = TemplatesForm(request.POST or None, initial={k: current[k] for k in DEFAULTS})
    if request.method == "POST" and form.is_valid():
        changed = do_save_templates(Actor.of_request(request), {k: form.cleaned_data[k] for k in DEFAULTS})
        if changed:
            messages.success(request, f"已保存{'、'.join(changed)}模板，下一次扫描起使用新模板")
        else:
            messages.info(request, "模板没有改动")
        return redirect("supervision:texts")
    return _texts_page(request, form, _watch_forms())


def _watch_forms(data=None, only: str | None = None) -> list[WatchTemplatesForm]:
    """Each registered watch kind's form, filled with its texts; `data` binds the one named `only`."""
    current = NotificationTemplate.watch_texts()
    return [
        WatchTemplatesForm(
            data if kind.code == only else None,
            kind=kind,
            initial={t: current[template_key(kind.code, t)] for t in TEXT_KINDS},
        )  # fmt: skip
        for kind in all_kinds()
    ]


def _texts_page(
    request: HttpRequest, form: TemplatesForm, watch_forms: list[WatchTemplatesForm]
) -> HttpResponse:
    saved = {t.kind: t for t in NotificationTemplate.objects.all()}
    context = page_context(
        request, "texts",
        form=form,
        placeholders=PLACEHOLDER_HELP,
        fields=[(form[k], saved.get(k)) for k in DEFAULTS],
        watch_placeholders="、".join(f"{{{p}}}" for p in sorted(WATCH_PLACEHOLDERS)),
        watch_forms=[
            (f, [(f[t], saved.get(template_key(f.kind.code, t))) for t in TEXT_KINDS]) for f in watch_forms
        ],
    )  # fmt: skip
    return render(request, "supervision/texts.html", context)


@action_required(MANAGE_TEMPLATES)
@require_POST
def watch_texts(request: HttpRequest, kind: str) -> HttpResponse:
    """Save one watch kind's texts (its form on the templates page)."""
    if kind not in {k.code for k in all_kinds()}:
        raise Http404("没有这个类型")
    forms = _watch_forms(request.POST, only=kind)
    form = next(f for f in forms if f.kind.code == kind)
    if not form.is_valid():
        current = NotificationTemplate.texts()
        return _texts_page(request, TemplatesForm(initial={k: current[k] for k in DEFAULTS}), forms)
    changed = do_save_watch_templates(
        Actor.of_request(request), kind, {t: form.cleaned_data[t] for t in TEXT_KINDS}
    )
    if changed:
        messages.success(request, f"已保存{'、'.join(changed)}模板，下一次扫描起使用新模板")
    else:
        messages.info(request, "模板没有改动")
    return redirect(reverse("supervision:texts") + f"#kind-{kind}")
