"""Importing evaluations (好差评) reported by other systems: facts, never edited.

The evaluator is personal data: only its keyed hash and ciphertext are stored, and no message
repeats it.
"""

from __future__ import annotations

from typing import Any

from govwatch.core.choices import EvalChannel, EvalLevel
from govwatch.core.pii import protect
from govwatch.core.rowfields import Row, RowError
from govwatch.core.tables import Table
from govwatch.evaluations.models import Evaluation
from govwatch.evaluations.rules import evaluation_digest

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

    def build(self, p: dict[str, Any], cases: dict[str, tuple]) -> Evaluation:
        unit_id = self.unit_id(p, cases, required=True)
        evaluator_hash, evaluator_enc = protect(p["evaluator"])
        return Evaluation(
            eval_id=p["eval_id"], level=p["level"], at=p["at"], case_id=p["case_no"] or None, unit_id=unit_id,
            channel=p["channel"], window_code=p["window_code"], evaluator_hash=evaluator_hash,
            evaluator_enc=evaluator_enc, auto=p["auto"], comment=p["comment"],
            digest=evaluation_digest(
                p["eval_id"], p["level"], p["at"], p["case_no"], unit_id, p["channel"], p["window_code"],
                evaluator_hash, p["auto"], p["comment"],
            ),
        )  # fmt: skip


def import_evaluations(table: Table, result: ImportResult, run: ImportRun) -> None:
    _Evaluations(result, run).run_rows(table.rows)
