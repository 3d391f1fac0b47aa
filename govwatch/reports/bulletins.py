"""The monthly bulletins' life: a draft made from the month's figures, its words edited by the
service office, then issued once with a running number, its files kept as issued (archived).

Each change is a `do_*` in one transaction that checks its actor (ISSUE_BULLETINS) and writes the
audit entry; the pages and the command call these.
"""

from __future__ import annotations

import hashlib
import pickle
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import ISSUE_BULLETINS, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import local_date
from govwatch.core.pdf import PdfError, available, docx_to_pdf
from govwatch.figures.fold import freshness
from govwatch.orgs.models import Unit
from govwatch.supervision.orders import next_number

from .bulletin import (
    BulletinContent,
    bulletin_content,
    bulletin_docx,
    bulletin_xlsx,
    chart_images,
    default_organ,
    default_requirements,
    default_summary,
    default_title,
)
from .models import Bulletin, RankingWeights

SERIES = "效能通报"  # 效能通报〔2026〕第0001号
EDITABLE = ("organ", "title", "addressee", "summary", "requirements")
LIMITS = {"organ": 100, "title": 200, "addressee": 200, "summary": 5000, "requirements": 5000}
DEFAULT_ADDRESSEE = "各有关单位"


def _unit_code(bulletin: Bulletin) -> str:
    return bulletin.unit.code


def region_root() -> Unit | None:
    """The unit at the top of the tree: a bulletin of the whole region covers its subtree."""
    return Unit.objects.filter(parent__isnull=True).order_by("path").first()


@transaction.atomic
def do_create_bulletin(actor: Actor, month: date, unit: Unit, at: datetime | None = None) -> Bulletin:
    """A draft of `month`'s bulletin for `unit`'s subtree (the region: its root), its words drafted
    from the figures."""
    check_actor(actor, ISSUE_BULLETINS, unit)
    at = at or timezone.now()
    code = unit.code
    content = bulletin_content(month, code)
    bulletin = Bulletin.objects.create(
        month=content.month,
        unit=unit,
        organ=default_organ(code),
        title=default_title(content),
        addressee=DEFAULT_ADDRESSEE,
        summary=default_summary(content),
        requirements=default_requirements(content),
        created_at=at,
        created_by=actor.label,
        updated_at=at,
        # The figures just computed, kept for the draft's page (`draft_content`).
        computed=pickle.dumps(content),
        computed_at=timezone.now(),
        computed_from=freshness(),
    )
    record(actor, "bulletin.create", bulletin, summary=f"起草{content.label}月通报", at=at)
    return bulletin


def _locked(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update(of=("self",)).select_related("unit").get(pk=bulletin.pk)


@transaction.atomic
def do_edit_bulletin(actor: Actor, bulletin: Bulletin, at: datetime | None = None, **words: str) -> Bulletin:
    """The office's words (EDITABLE) of a draft; an issued bulletin is never changed."""
    check_actor(actor, ISSUE_BULLETINS, bulletin.unit)
    bulletin = _locked(bulletin)
    if bulletin.issued:
        raise ValidationError("通报已印发，不能再修改")
    before, after = {}, {}
    for name, value in words.items():
        if name not in EDITABLE:
            raise ValueError(name)
        value = (value or "").strip()
        if name in ("organ", "title") and not value:
            raise ValidationError({name: "不能为空"})
        if len(value) > LIMITS[name]:
            raise ValidationError({name: f"过长（最多 {LIMITS[name]} 个字符）"})
        if getattr(bulletin, name) != value:
            before[name], after[name] = getattr(bulletin, name), value
            setattr(bulletin, name, value)
    if after:
        bulletin.updated_at = at or timezone.now()
        bulletin.save()
        record(
            actor,
            "bulletin.edit",
            bulletin,
            summary=f"修改月通报草稿 {bulletin.title}",
            before=before,
            after=after,
        )
    return bulletin


def draft_content(bulletin: Bulletin, *, refresh: bool = False) -> BulletinContent:
    """A draft's figures, tables and charts: those stored with it while the daily figures have not
    changed since (`freshness`), else, or when `refresh` (the office asks), computed now and stored.

    A bulletin of a province's month takes seconds to compute; the office opens its draft many
    times while writing its words. What is read live beside the daily figures (complaints, tasks,
    findings) is as of `computed_at`, which the draft's page shows with a button to compute afresh.
    Issuing always computes afresh.
    """
    if not refresh and bulletin.computed and bulletin.computed_from == freshness():
        try:
            return pickle.loads(bytes(bulletin.computed))  # noqa: S301  (written by this code only)
        except Exception:  # noqa: BLE001  (stored by an older GovWatch: computed again)
            pass
    content = bulletin_content(bulletin.month, _unit_code(bulletin))
    # The state after computing: reading folded the marks it found.
    computed, computed_at, computed_from = pickle.dumps(content), timezone.now(), freshness()
    Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT).update(
        computed=computed, computed_at=computed_at, computed_from=computed_from
    )
    bulletin.computed, bulletin.computed_at, bulletin.computed_from = computed, computed_at, computed_from
    return content


def render(
    bulletin: Bulletin, *, number: str | None = None, issued_on: date | None = None
) -> tuple[bytes, bytes, list[str]]:
    """The Word file and the workbook of a bulletin as it stands (a draft's figures: `draft_content`)."""
    content = draft_content(bulletin)
    docx, warnings = _docx(
        bulletin, content, number=bulletin.number if number is None else number, issued_on=issued_on
    )
    return docx, bulletin_xlsx(content), warnings


def _docx(bulletin: Bulletin, content: BulletinContent, **options) -> tuple[bytes, list[str]]:
    return bulletin_docx(
        content,
        organ=bulletin.organ,
        title=bulletin.title,
        addressee=bulletin.addressee,
        summary=bulletin.summary,
        requirements=bulletin.requirements,
        **options,
    )


def do_issue_bulletin(
    actor: Actor, bulletin: Bulletin, at: datetime | None = None
) -> tuple[Bulletin, list[str]]:
    """Issue a draft: the next number of the series, its Word file, PDF and workbook kept as they
    are now. Returns the bulletin and the warnings (no PDF renderer, charts not drawn).

    The figures and charts are made before the transaction and the PDF after it, so that the
    database is held only while the number is taken and the Word file written (a fraction of a
    second); a PDF that fails is made again from the archived Word file on download (`archived_pdf`).
    """
    check_actor(actor, ISSUE_BULLETINS, bulletin.unit)
    at = at or timezone.now()
    content = bulletin_content(bulletin.month, _unit_code(bulletin))
    images, warnings = chart_images(content)
    xlsx = bulletin_xlsx(content)
    with transaction.atomic():
        bulletin = _locked(bulletin)
        if bulletin.issued:
            raise ValidationError("通报已印发")
        number = next_number(SERIES, local_date(at).year)
        docx, _ = _docx(bulletin, content, number=number, issued_on=local_date(at), images=images)
        bulletin.number, bulletin.status = number, Bulletin.Status.ISSUED
        bulletin.issued_at, bulletin.issued_by, bulletin.updated_at = at, actor.label, at
        bulletin.docx, bulletin.xlsx = docx, xlsx
        bulletin.sha256 = hashlib.sha256(docx).hexdigest()
        bulletin.computed, bulletin.computed_from = None, ""  # the archived files are the figures now
        bulletin.save()
        record(
            actor,
            "bulletin.issue",
            bulletin,
            summary=f"印发月通报 {number}",
            after={"number": number, "month": bulletin.month, "sha256": bulletin.sha256},
            at=at,
        )
    try:
        archived_pdf(bulletin)
    except PdfError as exc:
        warnings.append(f"{exc}；下载 PDF 时将重新生成")
    return bulletin, warnings


def archived_pdf(bulletin: Bulletin) -> bytes:
    """The PDF of an issued bulletin: the one kept, or else made now from the kept Word file (and
    kept). Raises PdfError where LibreOffice is missing or fails."""
    if bulletin.pdf:
        return bytes(bulletin.pdf)
    if not available():
        raise PdfError("未安装 LibreOffice，无法生成 PDF")
    pdf = docx_to_pdf(bytes(bulletin.docx))
    Bulletin.objects.filter(pk=bulletin.pk, pdf__isnull=True).update(pdf=pdf)
    bulletin.pdf = pdf
    return pdf


@transaction.atomic
def do_set_weights(actor: Actor, weights: dict[str, int], at: datetime | None = None) -> RankingWeights:
    """The region's ranking weights (integers >= 0, at least one above 0)."""
    check_actor(actor, ISSUE_BULLETINS)
    # The row is made on the first change (reading the weights writes nothing), then locked.
    RankingWeights.objects.get_or_create(pk=1)
    current = RankingWeights.objects.select_for_update().get(pk=1)
    before = current.as_dict()
    unknown = set(weights) - set(before)
    if unknown:
        raise ValueError(", ".join(sorted(unknown)))
    if any(not isinstance(w, int) or w < 0 for w in weights.values()):
        raise ValidationError("权重应为不小于 0 的整数")
    merged = {**before, **weights}
    if not any(merged.values()):
        raise ValidationError("至少有一项权重大于 0")
    for name, w in merged.items():
        setattr(current, name, w)
    current.updated_at, current.updated_by = at or timezone.now(), actor.label
    current.save()
    record(actor, "ranking.weights", current, summary="修改排名权重", before=before, after=merged)
    return current
