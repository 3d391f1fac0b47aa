"""`govwatch predict` (contract section 13), and its training and replay."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from govwatch.core.console import EXIT_OK, UsageError, emit, parse_date_arg, parse_moment_arg


def _moment(text: str | None):
    from django.utils import timezone

    return parse_moment_arg(text) if text else timezone.now()


def cmd_predict(args: argparse.Namespace) -> int:
    from govwatch.audit.log import Actor

    from .predicting import NO_MODEL_REASON, predict
    from .warning import issue_warnings

    at = _moment(args.at)
    actor = Actor.command()
    prediction = predict(at, actor=actor)
    if prediction.model is None:
        sys.stderr.write(f"govwatch: {NO_MODEL_REASON}\n")
    elif not args.no_warn:
        new, queued = issue_warnings(prediction, actor)
        sys.stderr.write(
            f"predict: 预警 {int(prediction.warn.sum())} 件，其中新发 {new} 件，生成提醒 {queued} 条\n"
        )
    if args.format == "json":
        # A province's document is some 80 MB: written as the bytes it is built in, in one go.
        sys.stdout.flush()
        sys.stdout.buffer.write(prediction.json_bytes())
        sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()
    else:
        emit(prediction.as_dict(), args.format)
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from govwatch.audit.log import Actor

    from . import learn
    from .predicting import train_model

    at = _moment(args.at)
    try:
        row = train_model(at, Actor.command())
    except learn.NotEnoughHistory as exc:
        raise UsageError(f"无法训练：{exc}") from exc
    emit(model_doc(row), args.format)
    return EXIT_OK


def model_doc(row) -> dict:
    from django.utils import timezone

    return {
        "id": row.pk,
        "as_of": timezone.localtime(row.as_of).isoformat(),
        "cases": row.cases,
        "seconds": row.seconds,
        "threshold": round(row.threshold, 4),
        "false_alarm_target": row.false_alarm_target,
        "metrics": row.metrics,
        "library": row.library,
    }


def cmd_replay(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from . import learn
    from .warning import REPLAY_SETTLE_DAYS, replay_doc, save_replay

    # By default the replay ends where most outcomes are known: how the last two weeks end is not.
    last = parse_date_arg(args.to) if args.to else timezone.localdate() - timedelta(days=REPLAY_SETTLE_DAYS)
    first = parse_date_arg(args.since) if args.since else last - timedelta(days=args.days - 1)
    if first > last:
        raise UsageError(f"回放起始日 {first} 晚于截止日 {last}")
    if args.retrain_days < 1:
        raise UsageError("--retrain-days 应为正整数")

    def progress(text: str) -> None:
        sys.stderr.write(f"replay: {text}\n")

    try:
        saved = save_replay(first, last, args.retrain_days, progress)
    except learn.NotEnoughHistory as exc:
        raise UsageError(f"无法回放：{exc}") from exc
    emit(replay_doc(saved), args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="超时风险预测：在办未亮牌办件的超期风险、预警与原因（合同第13节）")
    p.add_argument("--at", help="预测时刻 (ISO 8601，无时区按本地时间)；默认当前时间")
    p.add_argument("--no-warn", action="store_true", help="只输出预测，不记录预警、不生成提醒")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_predict)
    actions = p.add_subparsers(dest="predict_command", parser_class=type(p))

    t = actions.add_parser("train", help="用截至某时刻的历史训练并保存模型")
    t.add_argument("--at", help="历史截止时刻 (ISO 8601)；默认当前时间")
    t.add_argument("--format", choices=["json", "text"], default="json")
    t.set_defaults(func=cmd_train)

    r = actions.add_parser("replay", help="回放过去若干天：每天的预警时点模型会预警哪些办件，结果如何")
    r.add_argument("--from", dest="since", help="回放起始日 YYYY-MM-DD（默认：截止日前 --days 天）")
    r.add_argument("--to", help="回放截止日 YYYY-MM-DD（默认两周前：此后受理的办件结果多未知）")
    r.add_argument("--days", type=int, default=91, help="回放天数（默认 91）")
    r.add_argument("--retrain-days", type=int, default=7, help="每隔几天重新训练一次（默认 7）")
    r.add_argument("--format", choices=["json", "text"], default="json")
    r.set_defaults(func=cmd_replay)
