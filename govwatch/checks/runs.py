"""A run of the checks: every rule over a period, its candidates stored as findings, never twice.

Per kind an evaluation is evidence of one finding only (`Evidence`, unique on kind and eval_id), so a
second run over the same data raises nothing new. A candidate's evidence not seen before joins the
live (open or dismissed) finding of its group, which keeps its status: a dismissed finding stays
dismissed. With no live finding of the group, the new evidence is a new finding; a raised finding is
in the supervisors' hands, so what comes after it is a new matter. missing_evaluations names cases,
not evaluations: its group (unit, window, month) is raised at most once, whatever its status.

Before the rules run, evaluations whose case has arrived leave the pending table
(`link_arrived_cases`), and the unknown_case evidence they were is cleared.
"""

from __future__ import annotations

import itertools
import pickle
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from govwatch.audit.log import Actor, record
from govwatch.evaluations.models import Evaluation, PendingEvaluation
from govwatch.evaluations.pending import link_arrived_cases
from govwatch.orgs.models import Unit

from .data import Period, Units, run_memory
from .missing import missing_evaluations
from .models import CheckRun, DailyCheck, Evidence, Finding, FindingStep, Kind
from .rules import (
    Candidate,
    Context,
    before_completion,
    device_candidates,
    duplicate_comment,
    evaluator_many,
    unknown_case,
    wrong_unit,
)

Status = Finding.Status
LIVE = (Status.OPEN, Status.DISMISSED)
WORKER = Actor("system:worker")


class CheckError(ValueError):
    """Arguments a run cannot use; the message is for the user."""


def candidates(ctx: Context, kinds: set[str] | None = None) -> Iterator[Candidate]:
    """Every rule's candidates, in the order of contract section 8."""
    want = kinds or set(Kind.values)
    if Kind.UNKNOWN_CASE in want:
        yield from unknown_case(ctx)
    if Kind.WRONG_UNIT in want:
        yield from wrong_unit(ctx)
    if Kind.BEFORE_COMPLETION in want:
        yield from before_completion(ctx)
    if want & {Kind.BURST, Kind.OFF_HOURS}:
        yield from device_candidates(ctx, want)
    if Kind.EVALUATOR_MANY in want:
        yield from evaluator_many(ctx)
    if Kind.DUPLICATE_COMMENT in want:
        yield from duplicate_comment(ctx)
    if Kind.MISSING_EVALUATIONS in want:
        yield from missing_evaluations(ctx)


@dataclass
class Outcome:
    """What a run found and where it was recorded. A run holds every outcome until its end (for the
    counts and the JSON document), so an outcome keeps the finding's id and status, not the stored
    row: a finding loaded with its reasons and cases would hold them a second time, and a
    province's thousands of findings grew the run's memory with them."""

    candidate: Candidate
    finding_id: int
    status: str
    new: bool

    @property
    def finding(self) -> Finding:
        return Finding.objects.get(pk=self.finding_id)


class Spool:
    """A run's outcomes, written to a temporary file as they come and read back in order, as often
    as asked: a run holds none of them, so its memory does not grow with what it finds (a
    province's thousands of findings and their evidence lists)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._count = 0

    def append(self, outcome: Outcome) -> None:
        self._file.seek(0, 2)
        pickle.dump(outcome, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Outcome]:
        offset = 0  # each reader keeps its own place (two may read at once)
        for _ in range(self._count):
            self._file.seek(offset)
            outcome = pickle.load(self._file)
            offset = self._file.tell()
            yield outcome

    def close(self) -> None:
        self._file.close()


@dataclass
class RunResult:
    run: CheckRun
    outcomes: Spool


def clear_arrived(at: datetime) -> int:
    """unknown_case evidence whose evaluation now has its case is cleared; an open finding left with
    no evidence standing is cleared too (自动撤销). How many findings were cleared."""
    arrived = Evidence.objects.filter(kind=Kind.UNKNOWN_CASE, cleared=False).filter(
        eval_id__in=Evaluation.objects.values("eval_id")
    )
    touched = set(arrived.values_list("finding_id", flat=True))
    arrived.update(cleared=True)
    cleared = 0
    for finding in Finding.objects.filter(pk__in=touched, status=Status.OPEN).annotate(
        standing=Count("evidence", filter=Q(evidence__cleared=False))
    ):
        if finding.standing == 0:
            with transaction.atomic():
                finding.status = Status.CLEARED
                finding.decided_at, finding.decided_by = at, WORKER.label
                finding.decision = "评价所指办件的数据已到达，评价不再可疑"
                finding.save(update_fields=["status", "decided_at", "decided_by", "decision"])
                _step(finding, at, "cleared", WORKER, finding.decision)
            cleared += 1
    return cleared


def _step(finding: Finding, at: datetime, kind: str, actor: Actor, text: str = "") -> None:
    FindingStep.objects.create(finding=finding, at=at, kind=kind, actor=actor.label, text=text)


STORE_BATCH = 1000  # candidates stored per transaction


def _store(run: CheckRun, batch: list[Candidate], at: datetime) -> list[Outcome]:
    """Store a batch of candidates in a few statements: the evidence already held, the live
    findings of their groups, then new findings, evidence, steps and updates in bulk."""
    # One run stores at a time: taking this row's lock first serialises them (PostgreSQL and SQLite).
    DailyCheck.objects.get_or_create(name="store", defaults={"due_at": at})
    DailyCheck.objects.filter(name="store").update(holder=f"run {run.pk}")
    actor = run.actor
    known: dict[tuple[str, str], int | Finding] = {}  # evidence held: its finding's id, or the finding
    by_kind: dict[str, list[str]] = defaultdict(list)
    for c in batch:
        by_kind[c.kind].extend(c.eval_ids)
    for kind, ids in by_kind.items():
        for i in range(0, len(ids), 900):
            for eval_id, finding_id in Evidence.objects.filter(
                kind=kind, eval_id__in=ids[i : i + 900]
            ).values_list("eval_id", "finding_id"):
                known[(kind, eval_id)] = finding_id
    keys = {(c.kind, c.key) for c in batch}
    existing: dict[tuple[str, str], Finding] = {}
    for kind in {k for k, _ in keys}:
        wanted = [key for k, key in keys if k == kind]
        for i in range(0, len(wanted), 900):
            qs = Finding.objects.filter(kind=kind, key__in=wanted[i : i + 900])
            qs = (
                qs.exclude(status=Status.CLEARED)
                if kind == Kind.MISSING_EVALUATIONS
                else qs.filter(status__in=LIVE)
            )
            for f in qs.order_by("found_at", "id"):
                existing[(f.kind, f.key)] = f  # the latest of a group wins
    plans: list[tuple[Candidate, Finding | None, list[str]]] = []
    created: list[Finding] = []
    for c in batch:
        fresh = [e for e in c.eval_ids if (c.kind, e) not in known]
        live = existing.get((c.kind, c.key))
        if c.kind != Kind.MISSING_EVALUATIONS and not fresh and live is None:
            plans.append((c, None, []))  # all of it held by findings of other groups
            continue
        if live is None:
            live = Finding(
                kind=c.kind, key=c.key, unit_id=c.unit_id, window_code=c.window_code, month=c.month, score=c.score,
                reasons=c.reasons, case_nos=c.case_nos, found_at=at, found_by=run, updated_at=at,
            )  # fmt: skip
            created.append(live)
            existing[(c.kind, c.key)] = live
        for e in fresh:  # a later candidate of this batch must not name them again
            known[(c.kind, e)] = live
        plans.append((c, live, fresh))
    Finding.objects.bulk_create(created, batch_size=500)
    new_ids = {id(f) for f in created}
    evidence, steps, changed = [], [], {}
    for c, finding, fresh in plans:
        if finding is None:
            continue
        evidence += [Evidence(finding=finding, kind=c.kind, eval_id=e, added_at=at) for e in fresh]
        if id(finding) in new_ids:
            if not any(s.finding is finding and s.kind == "found" for s in steps[-1:]):
                steps.append(
                    FindingStep(finding=finding, at=at, kind="found", actor=actor, text="；".join(c.reasons))
                )
            continue
        if c.kind == Kind.MISSING_EVALUATIONS:
            if finding.status == Status.OPEN and (
                finding.case_nos != c.case_nos or finding.reasons != c.reasons
            ):
                finding.case_nos, finding.reasons, finding.score, finding.updated_at = (
                    c.case_nos,
                    c.reasons,
                    c.score,
                    at,
                )
                changed[finding.pk] = finding
                steps.append(
                    FindingStep(finding=finding, at=at, kind="grew", actor=actor, text="；".join(c.reasons))
                )
        elif fresh:
            if finding.status == Status.OPEN:
                finding.score, finding.reasons, finding.updated_at = (
                    max(finding.score, c.score),
                    c.reasons,
                    at,
                )
                changed[finding.pk] = finding
            steps.append(FindingStep(finding=finding, at=at, kind="grew", actor=actor,
                                     text=f"新增 {len(fresh)} 条证据（核查运行第 {run.pk} 次）"))  # fmt: skip
    Evidence.objects.bulk_create(evidence, batch_size=1000)
    FindingStep.objects.bulk_create(steps, batch_size=1000)
    Finding.objects.bulk_update(
        list(changed.values()), ["score", "reasons", "case_nos", "updated_at"], batch_size=500
    )
    outcomes = []
    for c, finding, _fresh in plans:
        if finding is None:
            held = [known[(c.kind, e)] for e in c.eval_ids]
            holder = max(held, key=held.count)
            finding = holder if isinstance(holder, Finding) else Finding.objects.get(pk=holder)
        new = id(finding) in new_ids and finding.found_by_id == run.pk
        outcomes.append(Outcome(c, finding.pk, finding.status, new))
    return outcomes


def run_checks(
    date_from: date,
    date_to: date,
    actor: Actor,
    *,
    kinds: set[str] | None = None,
    now: datetime | None = None,
) -> RunResult:
    """Check the evaluations of [date_from, date_to] and record what is found; audited."""
    if date_from > date_to:
        raise CheckError("开始日期不能晚于结束日期")
    unknown = (kinds or set()) - set(Kind.values)
    if unknown:
        raise CheckError(f"未知的核查类型：{'、'.join(sorted(unknown))}（可选：{'、'.join(Kind.values)}）")
    began = time.perf_counter()
    now = now or timezone.now()
    link_arrived_cases()
    clear_arrived(now)
    run = CheckRun.objects.create(
        date_from=date_from, date_to=date_to, started_at=now, actor=actor.label,
        evaluations_seen=Evaluation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        pending_seen=PendingEvaluation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )  # fmt: skip
    ctx = Context(Period(date_from, date_to), Units(), now)
    outcomes = Spool()
    counts: dict[str, dict[str, int]] = {}
    with run_memory():
        try:
            # Stored as they come, a batch at a time: the candidates of a region are never held at once.
            found = candidates(ctx, kinds)
            while batch := list(itertools.islice(found, STORE_BATCH)):
                with transaction.atomic():
                    stored = _store(run, batch, now)
                for o in stored:
                    _count(counts, o)
                    outcomes.append(o)
        finally:
            ctx.close()
    run.findings = len(outcomes)
    run.new_findings = sum(entry["new"] for entry in counts.values())
    run.counts = counts
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - began, 2)
    run.save()
    record(
        actor, "checks.run", run,
        summary=f"评价数据核查 {date_from} 至 {date_to}：线索 {run.findings} 条，其中新线索 {run.new_findings} 条",
        after={"from": date_from, "to": date_to, "findings": run.findings, "new": run.new_findings,
               "counts": counts},
    )  # fmt: skip
    return RunResult(run, outcomes)


def _count(counts: dict[str, dict[str, int]], o: Outcome) -> None:
    entry = counts.setdefault(o.candidate.kind, {"findings": 0, "new": 0, "evaluations": 0, "cases": 0})
    entry["findings"] += 1
    entry["new"] += o.new
    entry["evaluations"] += len(o.candidate.eval_ids)
    entry["cases"] += len(o.candidate.case_nos)


def contract_document(result: RunResult, streamed: bool = False) -> dict:
    """`checks run --format json` (contract section 8), each finding with its stored id and status.
    `streamed`: the findings as an iterator read from the run's spool, for a writer that prints
    them one at a time (a list of them would hold the whole run again)."""
    codes = dict(Unit.objects.values_list("id", "code"))
    findings = (
        {
            "kind": o.candidate.kind,
            "unit_code": codes[o.candidate.unit_id],
            "window_code": o.candidate.window_code or None,
            "month": f"{o.candidate.month:%Y-%m}",
            "eval_ids": o.candidate.eval_ids,
            "case_nos": o.candidate.case_nos,
            "score": o.candidate.score,
            "reasons": o.candidate.reasons,
            "finding_id": o.finding_id,
            "status": o.status,
            "new": o.new,
        }
        for o in result.outcomes
    )
    return {
        "findings": findings if streamed else list(findings),
        "run": {
            "id": result.run.pk,
            "from": result.run.date_from.isoformat(),
            "to": result.run.date_to.isoformat(),
            "findings": result.run.findings,
            "new": result.run.new_findings,
            "counts": result.run.counts,
            "seconds": result.run.seconds,
        },
    }
