"""`govwatch complaints suggest FILE` (contract section 7) and `govwatch complaints train`."""

from __future__ import annotations

import argparse
import sys

from govwatch.core.console import EXIT_OK, EXIT_REJECTED, UsageError, emit

# The rows of a suggestion file: complaint rows of contract section 2, of which only the id and the
# content are needed (unit_code and category, if present, are ignored).
SUGGEST_REQUIRED = {"complaint_id", "content"}


def _fields():
    from govwatch.core.rowfields import Field

    from .fields import COMPLAINT_FIELDS

    return tuple(Field(f.name, f.alias, f.name in SUGGEST_REQUIRED, f.max_length) for f in COMPLAINT_FIELDS)


def _model():
    """The stored model, or (no model trained yet) one trained now in memory: nothing is stored."""
    from govwatch.dispatch.learn import NothingToLearn, train

    from . import suggest

    loaded = suggest.current()
    if loaded is not None:
        return loaded[1]
    try:
        return train(suggest.history(), suggest.catalog())
    except NothingToLearn as exc:
        raise UsageError(f"无法给出派单建议：{exc}（请先导入单位、事项和投诉）") from exc


def _candidates(unit_code: str | None) -> list[str] | None:
    from govwatch.orgs.models import Unit

    if unit_code is None:
        return None
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise UsageError(f"单位编码 {unit_code} 不存在")
    return list(unit.subtree().values_list("code", flat=True))


def cmd_suggest(args: argparse.Namespace) -> int:
    from govwatch.core.rowfields import Row, RowError
    from govwatch.core.tables import FileProblem, open_table

    fields = _fields()
    try:
        table = open_table(args.file, fields)
    except FileProblem as exc:
        raise UsageError(str(exc)) from exc
    candidates = _candidates(args.unit)
    model = _model()
    spec = {f.name: f for f in fields}
    ids, texts, errors = [], [], []
    for line, values in table.rows:
        try:
            if isinstance(values, RowError):
                raise values
            row = Row(values, spec)
            complaint_id, content = row.text("complaint_id"), row.text("content")
            ids.append(complaint_id)
            texts.append(content)
        except RowError as exc:
            errors.append({"line": line, "field": exc.field, "message": exc.message})
    for warning in table.warnings:
        sys.stderr.write(f"govwatch: 警告: {warning}\n")
    suggestions = model.suggest_many(texts, candidates) if texts else []
    doc = {
        "suggestions": [{"complaint_id": i, **s.as_dict()} for i, s in zip(ids, suggestions, strict=True)],
        "rejected": len(errors),
        "errors": errors,
    }
    if args.format == "json":
        emit(doc)
    else:
        for item in doc["suggestions"]:
            units = "，".join(f"{u['unit_code']}({u['score']:.2f})" for u in item["units"])
            sys.stdout.write(f"{item['complaint_id']}: {units}；类别 {item['category'] or '—'}\n")
        for e in errors:
            sys.stdout.write(f"第 {e['line']} 行 {e['field']}: {e['message']}\n")
    return EXIT_REJECTED if errors else EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from . import suggest

    stored = suggest.retrain(force=True)
    if stored is None:
        raise UsageError("没有可学习的投诉记录和事项目录，或另一进程正在训练")
    emit(
        {
            "model": stored.pk,
            "complaints": stored.complaints,
            "units": stored.units,
            "seconds": stored.seconds,
        },
        args.format,
    )
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("complaints", help="投诉：智能派单建议、训练派单模型")
    commands = p.add_subparsers(dest="complaints_command", required=True, parser_class=type(p))
    s = commands.add_parser("suggest", help="为文件中的投诉给出承办单位与类别建议（不保存任何内容）")
    s.add_argument("file", help="投诉文件(.csv/.xlsx/.jsonl)，至少含 complaint_id 与 content")
    s.add_argument("--unit", default=None, help="只在该单位及其下级单位中建议")
    s.add_argument("--format", choices=["json", "text"], default="json")
    s.set_defaults(func=cmd_suggest)
    t = commands.add_parser("train", help="立即用已办理的投诉和事项目录训练派单模型并保存")
    t.add_argument("--format", choices=["json", "text"], default="json")
    t.set_defaults(func=cmd_train)
