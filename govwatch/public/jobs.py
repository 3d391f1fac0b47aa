"""The worker's jobs of the public channels: the evaluations received by the public pages recorded
in batches, SMS invitations to evaluate, default ratings when the evaluation window passed in
silence (where the region records them), and the rate-limit counts' clean-up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from govwatch.cases.models import Case
from govwatch.core.choices import CaseChannel, CaseStatus, EvalChannel
from govwatch.core.localtime import end_of_day
from govwatch.core.worker import register_job
from govwatch.evaluations.intake import EvaluationRefused, do_submit_evaluation
from govwatch.evaluations.models import Evaluation
from govwatch.evaluations.rules import windows_closed_by
from govwatch.supervision.models import Notification
from govwatch.supervision.routing import Recipient, message
from govwatch.supervision.rules import CITIZENS

from . import ratelimit
from .intake import take_all
from .models import ApplicantContact, Invitation, Submission
from .tokens import absolute_url, evaluation_last_day, evaluation_link

logger = logging.getLogger(__name__)

INVITE_KIND = "invite"
AUTO_BATCH = 500
# A default rating is recorded through the channel the citizen would have used for that case.
AUTO_CHANNEL = {
    CaseChannel.WINDOW: EvalChannel.DEVICE,
    CaseChannel.KIOSK: EvalChannel.DEVICE,
    CaseChannel.ONLINE: EvalChannel.WEB,
    CaseChannel.MOBILE: EvalChannel.APP,
}


def sms_link(case: Case) -> str:
    """The full address of the case's SMS evaluation link (needs GOVWATCH_PUBLIC_BASE_URL)."""
    return absolute_url(evaluation_link(case, EvalChannel.SMS))


def sms_invitation_text(case: Case, link: str | None = None) -> str:
    """The invitation to evaluate a completed case, with its SMS link."""
    link = link or sms_link(case)
    last_day = evaluation_last_day(case)
    # A space after the link: phones would otherwise take the full-width comma into the address.
    return (
        f"您办理的{case.item.name}（业务编号：{case.case_no}）已办结，欢迎对本次服务作出评价：{link} "
        f"，请于{last_day.month}月{last_day.day}日前评价。"
    )


def _received(case_no):
    return Submission.objects.filter(case_no=case_no).exclude(state=Submission.State.REFUSED)


def invite_completed_cases(now: datetime | None = None) -> int:
    """Queue one SMS invitation for each case completed in the last PUBLIC_INVITE_WITHIN_MINUTES
    whose applicant left a number and that has no evaluation yet; never twice for a case.

    The look-back is long (a day by default) because completions arrive by import, often hours late.
    """
    if not settings.PUBLIC_BASE_URL:
        logger.warning(
            "GOVWATCH_PUBLIC_BASE_URL is not set: no SMS invitations (the link needs a public address)"
        )
        return 0
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.PUBLIC_INVITE_WITHIN_MINUTES)
    cases = (
        Case.objects.filter(status=CaseStatus.COMPLETED, closed_at__gte=since, closed_at__lte=now)
        .filter(Exists(ApplicantContact.objects.filter(case_no=OuterRef("case_no"))))
        .exclude(Exists(Invitation.objects.filter(case_no=OuterRef("case_no"))))
        .exclude(Exists(Evaluation.objects.filter(case_id=OuterRef("case_no"))))
        .exclude(Exists(_received(OuterRef("case_no"))))
        .select_related("item", "unit")
        .order_by("closed_at")
    )
    queued = 0
    for case in cases:
        contact = ApplicantContact.objects.get(case_no=case.case_no)
        link = sms_link(case)
        with transaction.atomic():
            # The unique case number decides between two workers: the loser creates nothing.
            _, created = Invitation.objects.get_or_create(case_no=case.case_no)
            if not created:
                continue
            to = Recipient(contact.phone_hash, contact.phone_enc, contact.phone_masked)
            Notification.objects.create(
                **message(
                    INVITE_KIND, sms_invitation_text(case, link), to, at=now, rule=CITIZENS, case_no=case.case_no,
                    unit_id=case.unit_id, params={"item_name": case.item.name, "case_no": case.case_no, "link": link},
                )
            )  # fmt: skip
        queued += 1
    if queued:
        logger.info("queued %d evaluation invitations", queued)
    return queued


def auto_default_ratings(now: datetime | None = None) -> int:
    """Where the region records default ratings (GOVWATCH_AUTO_DEFAULT_RATING=1): for each case
    whose evaluation window closed without an evaluation, record one with auto=True, at the moment
    the window closed, through the intake service (which refuses a second one: once per case).

    Only cases whose window closed in the last AUTO_DEFAULT_RATING_LOOKBACK_DAYS are considered, so
    that turning the setting on does not rate years of imported history.
    """
    if not settings.AUTO_DEFAULT_RATING:
        return 0
    now = now or timezone.now()
    # The window of a case completed on day d closes at the start of day d + window + 1.
    closed_before = windows_closed_by(now)
    closed_since = closed_before - timedelta(days=settings.AUTO_DEFAULT_RATING_LOOKBACK_DAYS)
    cases = (
        Case.objects.filter(
            status=CaseStatus.COMPLETED, closed_at__gte=closed_since, closed_at__lt=closed_before
        )
        .exclude(Exists(Evaluation.objects.filter(case_id=OuterRef("case_no"))))
        # The citizen's own, received in time and not yet recorded, is no silence.
        .exclude(Exists(_received(OuterRef("case_no"))))
        .order_by("closed_at")[:AUTO_BATCH]
    )
    recorded = 0
    for case in cases:
        try:
            do_submit_evaluation(
                case=case,
                level=settings.AUTO_DEFAULT_RATING_LEVEL,
                channel=AUTO_CHANNEL.get(case.channel, EvalChannel.WEB),
                at=end_of_day(evaluation_last_day(case)),
                auto=True,
            )
        except EvaluationRefused:
            continue  # evaluated meanwhile (another worker, a late import): nothing to default
        recorded += 1
    if recorded:
        logger.info("recorded %d default ratings", recorded)
    return recorded


def purge_rate_hits() -> int:
    return ratelimit.purge()


register_job("public-invitations", 60, invite_completed_cases)
register_job("public-default-ratings", 300, auto_default_ratings)
register_job("public-rate-purge", 3600, purge_rate_hits)
# Evaluations received by the public pages, recorded in batches (govwatch.public.intake).
register_job("public-evaluation-intake", 2, take_all)
