"""Precision and recall of the checks against planted faults (`govwatch checks score ANSWERS`).

The answers file is what `govwatch demo-data` writes beside the region (evaluation_faults.json),
or any file of the same shape written by whoever planted the faults:

    {"from": "2026-01-01", "to": "2026-12-31",
     "faults": [{"kind": "burst", "unit_code": "...", "window_code": "W03", "eval_ids": ["..."]},
                {"kind": "missing_evaluations", "unit_code": "...", "window_code": null, "month": "2026-03"}]}

For the kinds that name evaluations, precision and recall count evaluations: of those a kind's
findings name, the share planted as that kind (precision); of those planted, the share named
(recall). missing_evaluations names a unit or window and a month: a finding is right when a fault
was planted in that unit and month (at that window, or in the whole unit), and a planted fault is
found when such a finding names it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from .models import Kind

TARGET_RECALL = 0.95
TARGET_PRECISION = 0.9


class AnswersError(ValueError):
    """An answers or findings file that cannot be used; the message is for the user."""


def load_json(path: str | Path, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AnswersError(f"{what}文件不存在: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnswersError(f"{what}文件无法读取（应为 UTF-8 JSON）: {path}: {exc}") from exc


def read_answers(path: str | Path) -> dict:
    doc = load_json(path, "答案")
    faults = doc.get("faults") if isinstance(doc, dict) else None
    if not isinstance(faults, list):
        raise AnswersError('答案文件应为 {"from", "to", "faults": [...]}')
    for n, fault in enumerate(faults, 1):
        if not isinstance(fault, dict) or fault.get("kind") not in Kind.values:
            raise AnswersError(f"答案文件第 {n} 条的 kind 无效（可选：{'、'.join(Kind.values)}）")
        if fault["kind"] == Kind.MISSING_EVALUATIONS:
            if not fault.get("unit_code") or not fault.get("month"):
                raise AnswersError(f"答案文件第 {n} 条（missing_evaluations）缺少 unit_code 或 month")
        elif not isinstance(fault.get("eval_ids"), list):
            raise AnswersError(f"答案文件第 {n} 条缺少 eval_ids")
    for key in ("from", "to"):
        if doc.get(key):
            try:
                date.fromisoformat(doc[key])
            except (TypeError, ValueError) as exc:
                raise AnswersError(f"答案文件的 {key} 应为 YYYY-MM-DD") from exc
    return doc


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def score(answers: dict, findings: list[dict]) -> dict:
    """{"kinds": {kind: {...}}, "met": bool}: per kind planted, flagged, right, precision, recall."""
    planted: dict[str, set] = defaultdict(set)
    missing_planted: list[tuple[str, str | None, str]] = []
    for fault in answers["faults"]:
        if fault["kind"] == Kind.MISSING_EVALUATIONS:
            missing_planted.append((fault["unit_code"], fault.get("window_code") or None, fault["month"]))
        else:
            planted[fault["kind"]].update(fault["eval_ids"])
    flagged: dict[str, set] = defaultdict(set)
    missing_found: list[tuple[str, str | None, str]] = []
    for f in findings:
        if f["kind"] == Kind.MISSING_EVALUATIONS:
            missing_found.append((f["unit_code"], f.get("window_code") or None, f.get("month", "")))
        else:
            flagged[f["kind"]].update(f.get("eval_ids") or [])
    kinds: dict[str, dict] = {}
    for kind in Kind.values:
        if kind == Kind.MISSING_EVALUATIONS:
            right = [f for f in missing_found if any(_same_place(f, p) for p in missing_planted)]
            caught = [p for p in missing_planted if any(_same_place(f, p) for f in missing_found)]
            entry = {"planted": len(missing_planted), "flagged": len(missing_found), "right": len(right),
                     "found": len(caught), "precision": _ratio(len(right), len(missing_found)),
                     "recall": _ratio(len(caught), len(missing_planted)), "unit": "单位或窗口·月"}  # fmt: skip
        else:
            hit = len(planted[kind] & flagged[kind])
            entry = {"planted": len(planted[kind]), "flagged": len(flagged[kind]), "right": hit, "found": hit,
                     "precision": _ratio(hit, len(flagged[kind])), "recall": _ratio(hit, len(planted[kind])),
                     "unit": "评价"}  # fmt: skip
        entry["met"] = _met(entry)
        kinds[kind] = entry
    return {
        "targets": {"recall": TARGET_RECALL, "precision": TARGET_PRECISION},
        "kinds": kinds,
        "met": all(k["met"] for k in kinds.values() if k["planted"]),
    }


def _met(entry: dict) -> bool:
    if not entry["planted"]:
        return entry["flagged"] == 0 or entry["precision"] is None
    return (entry["recall"] or 0) >= TARGET_RECALL and (entry["precision"] or 0) >= TARGET_PRECISION


def _same_place(found: tuple, planted: tuple) -> bool:
    unit, window, month = found
    p_unit, p_window, p_month = planted
    return unit == p_unit and month == p_month and (window is None or p_window is None or window == p_window)
