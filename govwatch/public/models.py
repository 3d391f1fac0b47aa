"""What the public evaluation channels keep of their own: the applicant's phone, the SMS invitations
sent, the evaluations received and not yet recorded, and the hits the rate limits count."""

from __future__ import annotations

from django.db import models

from govwatch.core.fields import FreeTextField


class ApplicantContact(models.Model):
    """The mobile number an applicant gave for a case, for the SMS invitation and the window check.

    Cases carry no personal data, so the number lives here, keyed by case number (the case may not
    be imported yet when the number arrives). Never in clear: a keyed hash of the whole number, a
    keyed hash of case number + last four digits (what the citizen types at the window), the
    ciphertext for the SMS gateway and the masked form for pages.
    """

    case_no = models.CharField("业务编号", max_length=64, unique=True)
    phone_hash = models.CharField(max_length=64, db_index=True)
    last4_hash = models.CharField(max_length=64)
    phone_enc = models.TextField()
    phone_masked = models.CharField("手机号", max_length=32)
    updated_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        verbose_name = "申请人联系电话"
        verbose_name_plural = "申请人联系电话"

    def __str__(self) -> str:
        return f"{self.case_no} {self.phone_masked}"


class Invitation(models.Model):
    """One SMS invitation to evaluate per case: the unique case number makes a second one impossible
    even with two workers queueing at once."""

    case_no = models.CharField("业务编号", max_length=64, unique=True)
    created_at = models.DateTimeField("邀请时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价邀请"
        verbose_name_plural = "评价邀请"

    def __str__(self) -> str:
        return self.case_no


class RateCount(models.Model):
    """The hits of one (limit, subject) in one period of the limit (a fixed window: the minute or
    the hour it falls in), counted by a single upsert; `until` is when the window ends."""

    key = models.CharField(max_length=150, unique=True)
    n = models.PositiveIntegerField(default=0)
    until = models.DateTimeField(db_index=True)


class Submission(models.Model):
    """An evaluation received through a public link, as the citizen sent it: written by the page
    with one INSERT and turned into an `Evaluation` by the worker (`govwatch.public.intake`).

    One per case (the unique case number refuses a second at once, without a lock or a read);
    a submission the worker refused keeps the reason, which the citizen's page shows. The applicant's
    phone is not copied here: the worker reads it from `ApplicantContact` when it records the
    evaluation."""

    class State(models.TextChoices):
        RECEIVED = "received", "已收到"
        TAKEN = "taken", "已登记"
        REFUSED = "refused", "未登记"

    case_no = models.CharField("业务编号", max_length=64, unique=True)
    channel = models.CharField("评价渠道", max_length=16)
    window_code = models.CharField("窗口编号", max_length=64, blank=True)
    level = models.PositiveSmallIntegerField("评价等级")
    scores = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    comment = FreeTextField("评价内容", blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    received_at = models.DateTimeField("收到时间")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.RECEIVED)
    refusal = models.CharField("未登记原因", max_length=200, blank=True)
    taken_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "收到的评价"
        verbose_name_plural = "收到的评价"
        indexes = [
            models.Index(
                fields=["id"], name="public_submission_waiting", condition=models.Q(state="received")
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_no} {self.get_state_display()}"


class QrImage(models.Model):
    """A window's QR code as drawn once (segno's choice of mask is most of the cost): the hall's
    sheet shows a hundred and more of them, and they only change with the address they encode."""

    key = models.CharField(max_length=64, unique=True)  # SHA-256 of the address and the title
    svg = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "二维码图片"
        verbose_name_plural = "二维码图片"
