"""The applicant's mobile number per case: registered by whoever receives it (the importer, the
API), used for the SMS invitation and checked, by its last four digits, in the window flow."""

from __future__ import annotations

import hmac
import re

from govwatch.core import pii

from .models import ApplicantContact

PHONE = re.compile(r"\d{7,20}")


def _last4_hash(case_no: str, last4: str) -> str:
    # Bound to the case: the same four digits of another case's number give another hash.
    return pii.keyed_hash(f"{case_no}:{last4}")


def register_applicant_phone(case_no: str, phone: str) -> ApplicantContact:
    """Keep (or replace) the number the applicant of `case_no` gave; ValueError if it is no number.

    The case need not exist yet: the number may come with the acceptance, before the case's import.
    """
    number = pii.normalise(phone)
    if not PHONE.fullmatch(number):
        raise ValueError("联系电话格式不正确")
    case_no = case_no.strip()
    if not case_no:
        raise ValueError("业务编号不能为空")
    phone_hash, phone_enc = pii.protect(number)
    contact, _ = ApplicantContact.objects.update_or_create(
        case_no=case_no,
        defaults={
            "phone_hash": phone_hash,
            "phone_enc": phone_enc,
            "phone_masked": pii.mask(number),
            "last4_hash": _last4_hash(case_no, number[-4:]),
        },
    )
    return contact


def find_contact(case_no: str) -> ApplicantContact | None:
    """The contact of a case number as a citizen types it (spaces around it, lower case)."""
    typed = case_no.strip()
    if not typed:
        return None
    return (
        ApplicantContact.objects.filter(case_no=typed).first()
        or ApplicantContact.objects.filter(case_no=typed.upper()).first()
    )


def last_four_match(contact: ApplicantContact, last4: str) -> bool:
    return hmac.compare_digest(_last4_hash(contact.case_no, last4.strip()), contact.last4_hash)
