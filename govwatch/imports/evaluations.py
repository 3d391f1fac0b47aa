"""Importing evaluations (好差评) reported by other systems: facts, never edited.

The evaluator is personal data: only its keyed hash and ciphertext are stored, and no message
repeats it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from govwatch.core.choices import EvalChannel, EvalLevel
from govwatch.core.localtime import local_date, local_tz
from govwatch.core.pii import protect
from govwatch.core.rowfields import Row, RowError
from govwatch.core.tables import Table
from govwatch.evaluations.models import Evaluation, PendingEvaluation
from govwatch.evaluations.rules import evaluation_digest

from .db import values_in
from .keyed import KeyedFacts
from .models import ImportRun
from .results import ImportResult

_LEVEL_WORDS = {str(m.label): m.value for m in EvalLevel}


def _level(row: Row) -> int:
    text = row.text("level")
    word = text.lstrip("0123456789 ").strip()
    number = text[: len(text) - len(word)].strip()
    if number in {"1", "2", "3", "4", "5"} and (not word or _LEVEL_WORDS.get(word) == int(number)):
        return int(number)
    if not number and word in _LEVEL_WORDS:
        return _LEVEL_WORDS[word]
    choices = "、".join(f"{m.value}({m.label})" for m in EvalLevel)
    raise RowError("level", f"评价等级 level(评价等级) 的值“{text}”无效，应为 {choices}")


class _Evaluations(KeyedFacts):
    kind = "evaluations"
    model = Evaluation
    key = "eval_id"
    label = "评价编号"

    def parse(self, row: Row) -> dict[str, Any]:
        return {
            "eval_id": row.text("eval_id"),
            "level": _level(row),
            "at": row.timestamp("at"),
            "case_no": row.text("case_no"),
            "unit_code": row.text("unit_code"),
            "channel": row.choice("channel", EvalChannel, EvalChannel.DEVICE),
            "window_code": row.text("window_code"),
            "evaluator": row.text("evaluator"),
            "auto": row.boolean("auto"),
            "comment": row.text("comment"),
        }

    def stored(self, keys: list[str]) -> dict[str, tuple]:
        # An eval_id is one evaluation, whether its case has arrived or not.
        return values_in(PendingEvaluation, self.key, keys, "digest") | super().stored(keys)

    def build(self, p: dict[str, Any], cases: dict[str, tuple]) -> Evaluation | PendingEvaluation:
        # An evaluation of a case GovWatch does not have is kept, outside the figures, until the
        # case arrives (contract section 8); without a unit it cannot be placed and is refused.
        pending = bool(p["case_no"]) and p["case_no"] not in cases
        if pending and not p["unit_code"]:
            raise RowError(
                "case_no", f"业务编号 {p['case_no']} 不存在，且未填写单位编码 unit_code（无法确定被评价单位）"
            )
        unit_id = self.unit_id({**p, "case_no": ""} if pending else p, cases, required=True)
        evaluator_hash, evaluator_enc = protect(p["evaluator"])
        model = PendingEvaluation if pending else Evaluation
        case = {"case_no": p["case_no"]} if pending else {"case_id": p["case_no"] or None}
        return model(
            eval_id=p["eval_id"], level=p["level"], at=p["at"], unit_id=unit_id, **case,
            channel=p["channel"], window_code=p["window_code"], evaluator_hash=evaluator_hash,
            evaluator_enc=evaluator_enc, auto=p["auto"], comment=p["comment"],
            digest=evaluation_digest(
                p["eval_id"], p["level"], p["at"], p["case_no"], unit_id, p["channel"], p["window_code"],
                evaluator_hash, p["auto"], p["comment"],
            ),
        )  # fmt: skip

    def stale_days(self, new: list[Evaluation], cases: dict[str, tuple]) -> Iterable[tuple[int, date]]:
        # Its own day under its unit; its case's completion day (evaluation rates) under the case's unit.
        tz = local_tz()
        for evaluation in new:
            if not isinstance(evaluation, Evaluation):
                continue  # kept pending (contract section 8): out of the figures until its case comes
            yield evaluation.unit_id, local_date(evaluation.at, tz)
            if evaluation.case_id:
                unit_id, closed_on = cases[evaluation.case_id]
                if closed_on:
                    yield unit_id, closed_on if isinstance(closed_on, date) else date.fromisoformat(closed_on)


def import_evaluations(table: Table, result: ImportResult, run: ImportRun) -> None:
    _Evaluations(result, run).run_rows(table.rows)
