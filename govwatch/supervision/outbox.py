"""What people do to the outbox by hand: send a failed message again, edit the message texts.

The worker (`dispatch`) owns every other change of a message; a requeue only hands a failed message
back to it, so the same claim, back-off and attempt counting apply to the new try.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import ISSUE_ORDERS, MANAGE_TEMPLATES, access, check_actor
from govwatch.audit.log import Actor, record

from .kinds import TEXT_KINDS, kind_of, template_key
from .models import Notification, NotificationTemplate

Status = Notification.Status
# Those who act on supervision (纪检监察 and the service office) also see a failed message through;
# there is no role for the outbox alone.
REQUEUE = ISSUE_ORDERS


class OutboxError(Exception):
    """A requeue the message's state does not allow; the message is for the user."""


def access_notification(user, pk: int, action: str | None = None) -> Notification:
    """A message as `user` sees it: 404 outside their scope, 403 without the role for `action`."""
    return access(user, Notification.objects.all(), action, pk=pk)


@transaction.atomic
def do_requeue(notification: Notification, actor: Actor, at: datetime | None = None) -> Notification:
    """Queue a failed message for the next worker round; its attempts are kept so the history and
    the back-off stay true."""
    check_actor(actor, REQUEUE, notification.unit)
    if not notification.recipient_enc:
        # Without a stored number the transport has nothing to send to: it would only fail again.
        raise OutboxError("该通知没有接收号码（单位未设置联系电话），无法重新发送")
    at = at or timezone.now()
    # Conditional on the status, so a message a worker or another person took meanwhile is left alone.
    moved = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.QUEUED, next_attempt_at=at, claimed_by="", claimed_at=None
    )
    if moved != 1:
        raise OutboxError("只有发送失败的通知可以重新发送")
    record(
        actor, "notification.requeue", notification,
        summary=f"重新发送通知 #{notification.pk}（{notification.recipient_masked}）",
        before={"status": Status.FAILED.value, "attempts": notification.attempts, "last_error": notification.last_error},
        after={"status": Status.QUEUED.value, "next_attempt_at": at.isoformat()},
        at=at,
    )  # fmt: skip
    notification.refresh_from_db()
    return notification


@transaction.atomic
def do_save_templates(actor: Actor, texts: dict[str, str]) -> list[str]:
    """Store the case texts (yellow, red) that changed, each with an audit entry of before and
    after; returns the names of the kinds changed."""
    check_actor(actor, MANAGE_TEMPLATES)
    return _save(
        actor,
        texts,
        NotificationTemplate.texts(),
        lambda key: NotificationTemplate(kind=key).get_kind_display(),
    )


@transaction.atomic
def do_save_watch_templates(actor: Actor, code: str, texts: dict[str, str]) -> list[str]:
    """Store a watch kind's texts (`texts` by "yellow", "red", "reminder") that changed, audited
    like the case texts; returns their names ("检查反馈表逾期提醒")."""
    check_actor(actor, MANAGE_TEMPLATES)
    spec = kind_of(code)
    keyed = {template_key(code, text_kind): text for text_kind, text in texts.items()}
    return _save(
        actor,
        keyed,
        NotificationTemplate.watch_texts(),
        lambda key: spec.label + TEXT_KINDS[key.rsplit(".", 1)[1]],
    )


def _save(
    actor: Actor, texts: dict[str, str], current: dict[str, str], name: Callable[[str], str]
) -> list[str]:
    changed = []
    for kind, text in texts.items():
        if text == current[kind]:
            continue
        template, _ = NotificationTemplate.objects.update_or_create(kind=kind, defaults={"text": text})
        record(
            actor, "template.update", template, summary=f"修改{name(kind)}通知模板",
            before={"kind": kind, "text": current[kind]}, after={"kind": kind, "text": text},
        )  # fmt: skip
        changed.append(name(kind))
    return changed
