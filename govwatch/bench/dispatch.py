"""Benchmark: dispatch suggestions (智能派单).

Accuracy, on the demo district (`govwatch demo-data --scale district`): its units, items and
complaints imported, the model trained on the first 80% of the complaints by time (with the
catalog), and each of the last 20% suggested; top-1 and top-3 are the shares whose handling unit is
the first suggestion, or among the three. The complaints' case numbers are left out of the import
(they would need the year's cases imported first, and the model does not read them).

Speed, on a province's history: the province region of `govwatch demo-data --scale province`
(100 districts, about 17,000 units and 200,000 items) with `complaints` complaints drawn by the demo's
own complaint writer (300,000 by default, a year of a province), imported, then the worker's training
(`govwatch.complaints.suggest.retrain`) timed twice: first from nothing (every complaint segmented by
jieba, in parallel on every core, then the model trained and stored) and again from the stored words
(what each later retraining costs). The baseline measured in the same run is segmenting the same
texts with jieba in one process, the part of the work no model choice can avoid. A suggestion's time
is the median and 95th percentile of single suggestions with the stored model.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db.models import Count

from govwatch.complaints import suggest
from govwatch.complaints.models import Complaint
from govwatch.demo import complaint_texts, generator
from govwatch.dispatch.learn import Model, segment, train
from govwatch.imports.runs import run_import

SPLIT = 0.8


def _timed_import(kind: str, path: Path) -> float:
    started = time.perf_counter()
    result = run_import(kind, path, operator_label="bench")
    assert result.rejected == 0, result.errors[:3]
    return time.perf_counter() - started


def _without_case_numbers(path: Path, out: Path) -> Path:
    with open(path, encoding="utf-8", newline="") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, reader.fieldnames)
        writer.writeheader()
        for row in reader:
            row["case_no"] = ""
            writer.writerow(row)
    return out


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the pools that segment and hash)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Clock:
    """Wall and CPU time of a step: on a shared machine the wall time also counts the waits for a
    core, the CPU time only the work."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu() - self.cpu


def _latencies(model: Model, texts: list[str], candidates=None) -> dict[str, float]:
    times, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.process_time()
        model.suggest(text, candidates)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    return {
        "suggestion_ms_median": round(statistics.median(times), 2),
        "suggestion_ms_p95": round(times[int(len(times) * 0.95) - 1], 2),
        "suggestion_cpu_ms_median": round(statistics.median(cpu), 2),
    }


def accuracy(seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="govwatch-bench-dispatch-") as tmp:
        out = Path(tmp)
        generator.generate(out, scale="district", seed=seed)
        for kind in ("units", "items"):
            _timed_import(kind, out / f"{kind}.csv")
        _timed_import(
            "complaints", _without_case_numbers(out / "complaints.csv", out / "complaints-no-cases.csv")
        )
    ordered = list(
        Complaint.objects.filter(suggest.learnable()).order_by("at", "pk").values_list("pk", flat=True)
    )
    cut = int(len(ordered) * SPLIT)
    train_ids, test_ids = ordered[:cut], ordered[cut:]
    with Clock() as clock:
        model = train(suggest.history(Complaint.objects.filter(pk__in=train_ids)), suggest.catalog())
    tests = list(
        Complaint.objects.filter(pk__in=test_ids).order_by("at", "pk").values_list("content", "unit__code")
    )
    suggestions = model.suggest_many([text for text, _ in tests])
    top1 = sum(s.units[0][0] == unit for s, (_, unit) in zip(suggestions, tests, strict=True)) / len(tests)
    top3 = sum(
        unit in [c for c, _ in s.units] for s, (_, unit) in zip(suggestions, tests, strict=True)
    ) / len(tests)
    categories = list(
        Complaint.objects.filter(pk__in=test_ids).order_by("at", "pk").values_list("category", flat=True)
    )
    labelled = [(s.category, c) for s, c in zip(suggestions, categories, strict=True) if c]
    units_seen = Complaint.objects.filter(pk__in=train_ids).aggregate(n=Count("unit", distinct=True))["n"]
    return {
        "complaints": len(ordered),
        "trained_on": len(train_ids),
        "tested_on": len(test_ids),
        "units_in_history": units_seen,
        "units_in_catalog": len(model.units),
        "top1": round(top1, 4),
        "top3": round(top3, 4),
        "category_accuracy": round(sum(a == b for a, b in labelled) / len(labelled), 4) if labelled else None,
        "train_seconds": round(clock.wall, 2),
        "train_cpu_seconds": round(clock.cpu, 2),
        **_latencies(model, [text for text, _ in tests[:500]]),
    }


def _province_files(out: Path, seed: int, complaints: int) -> None:
    """The province's units and items (as demo-data writes them) and `complaints` complaints, each
    about an item drawn by case volume, written by the demo's complaint writer."""
    rng = random.Random(seed)
    top, districts = generator.build_region(rng, generator.SCALES["province"], 1.0)
    with (
        open(out / "units.csv", "w", encoding="utf-8", newline="") as u,
        open(out / "items.csv", "w", encoding="utf-8", newline="") as i,
    ):
        writers = {"units": csv.writer(u), "items": csv.writer(i)}
        writers["units"].writerow(generator.UNIT_FIELDS)
        writers["items"].writerow(generator.ITEM_FIELDS)
        generator.write_catalog(writers, top, districts, generator.Summary())
    composer = complaint_texts.Composer({u[0]: (u[1], u[2], u[3]) for d in districts for u in d.units})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / complaints
    with open(out / "complaints.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["complaint_id", "at", "source", "content", "unit_code", "category", "contact", "kind", "urgency"]
        )
        for n in range(complaints):
            district = districts[n % len(districts)]
            item = district.pick_item(rng)
            source = generator._weighted(rng, generator.COMPLAINT_SOURCES)[0]
            category = generator._weighted(rng, generator.COMPLAINT_CATEGORIES)[0]
            kind, urgency, category, content = composer.complaint(
                rng, item.name, item.unit_code, category, source
            )
            stamp = (start + n * step).isoformat(timespec="seconds")
            writer.writerow([f"P{n:07d}", stamp, source, content, item.unit_code, category,
                             f"1702{n % 10_000_000:07d}", kind, urgency])  # fmt: skip


def speed(seed: int, complaints: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="govwatch-bench-dispatch-") as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        _province_files(out, seed, complaints)
        generated = time.perf_counter() - started
        imported = {
            kind: round(_timed_import(kind, out / f"{kind}.csv"), 1)
            for kind in ("units", "items", "complaints")
        }
    texts = list(Complaint.objects.order_by("pk").values_list("content", flat=True)[:20_000])
    segment("")
    with Clock() as baseline:
        for text in texts:
            segment(text)
    scale = complaints / len(texts)
    with Clock() as cold:
        first = suggest.retrain(force=True)
    with Clock() as warm:
        second = suggest.retrain(force=True)
    suggest.forget()
    model_id, model = suggest.current()
    sample = random.Random(seed).sample(texts, 500)
    district = list(
        Complaint.objects.filter(unit__code__startswith="D001")
        .values_list("unit__code", flat=True)
        .distinct()
    )
    return {
        "complaints": Complaint.objects.count(),
        "units": len(model.units),
        "generate_seconds": round(generated, 1),
        "import_seconds": imported,
        "processes": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "baseline_segment_one_process_seconds": round(baseline.wall * scale, 1),
        "baseline_segment_cpu_seconds": round(baseline.cpu * scale, 1),
        "train_from_nothing_seconds": round(cold.wall, 1),
        "train_from_nothing_cpu_seconds": round(cold.cpu, 1),
        "train_from_stored_words_seconds": round(warm.wall, 1),
        "train_from_stored_words_cpu_seconds": round(warm.cpu, 1),
        "model_mib": round(len(bytes(first.blob)) / 2**20, 1) if first else None,
        "second_model": second.pk if second else None,
        **_latencies(model, sample),
        "suggestion_within_one_district": _latencies(model, sample[:200], district + ["D001"]),
    }


def run(seed: int = 1, complaints: int = 300_000, what: str = "accuracy,speed") -> dict[str, Any]:
    result: dict[str, Any] = {}
    parts = [p.strip() for p in what.split(",") if p.strip()]
    if "accuracy" in parts:
        result["accuracy"] = accuracy(seed)
    if "speed" in parts:
        if "accuracy" in parts:
            from django.core.management import call_command

            from govwatch.workcal.calendar import invalidate
            from govwatch.workcal.schedule import load_shipped

            call_command("flush", interactive=False, verbosity=0)
            invalidate()
            load_shipped()
            suggest.forget()
        result["province"] = speed(seed, complaints)
    return result
