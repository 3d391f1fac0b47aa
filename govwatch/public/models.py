"""What the public evaluation channels keep of their own: the applicant's phone, the SMS invitations
sent, and the hits the rate limits count."""

from __future__ import annotations

from django.db import models


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


class RateHit(models.Model):
    """One counted request (a submission, a verification attempt) under a key such as the hashed
    address or the case number; a limit counts the key's hits in a sliding period."""

    key = models.CharField(max_length=100)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"]), models.Index(fields=["at"])]


class QrImage(models.Model):
    """A window's QR code as drawn once (segno's choice of mask is most of the cost): the hall's
    sheet shows a hundred and more of them, and they only change with the address they encode."""

    key = models.CharField(max_length=64, unique=True)  # SHA-256 of the address and the title
    svg = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "二维码图片"
        verbose_name_plural = "二维码图片"
