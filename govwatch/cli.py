"""The `govwatch` console command (contract section 5): `main` and the parser of every subcommand.

The subcommands come from the modules listed in `govwatch.commands`; what they share (exit codes,
`emit`, `UsageError`) is `govwatch.core.console`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from govwatch.core.collector import collector_paused

# The commands that serve pages or run Django's own management (its checks read the admin).
SERVING = {"serve", "manage", "init"}
# Short commands that do no linear algebra: numpy's OpenBLAS starts no pool of threads for them
# (starting one per core took 50 ms of CPU and 80 ms of wall of `import numpy` on a loaded machine).
# Read before numpy is first imported; a thread count set in the environment is kept.
ONE_BLAS_THREAD = {("report", "kpi")}


def setup_django(command: str | None = None, subcommand: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govwatch.settings")
    import django
    from django.apps import apps

    from govwatch.commands import COMMAND_APPS

    lean = COMMAND_APPS.get((command, subcommand))
    if lean is not None and not apps.ready:
        # Only those apps, in INSTALLED_APPS' order (a process set up already keeps its apps).
        from django.conf import settings

        settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app in lean]
    elif command is not None and command not in SERVING:
        from govwatch.web import apps as web_apps

        web_apps.DISCOVER_ADMIN = False

    django.setup()


# -- commands ------------------------------------------------------------------------------------


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a fresh process imports GovWatch and sets Django up,
    then the objects made so far frozen out of its later passes.

    Nearly every object the set-up makes (classes, functions, models, settings) lives to the end,
    yet each pass walks them all again: 160 passes took 0.17 s of `report kpi`'s 0.75 s of
    start-up. A process set up already (tests calling `main`) is left as it is."""
    django_apps = sys.modules.get("django.apps")
    if django_apps is not None and django_apps.apps.ready:
        yield
        return
    with collector_paused(freeze=True):
        yield


def cmd_init(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from govwatch.core.console import EXIT_OK, emit
    from govwatch.workcal.schedule import load_shipped

    call_command("migrate", interactive=False, verbosity=0)
    years = load_shipped()
    emit({"migrated": True, "calendar_years_loaded": sorted(years)}, args.format)
    return EXIT_OK


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    from govwatch.core.console import EXIT_OK

    execute_from_command_line(["govwatch manage", *args.rest])
    return EXIT_OK


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or, given the command line, of its subcommand only (the
    others' modules are not imported; `govwatch --help` and an unknown command still list all)."""
    from govwatch import commands
    from govwatch.core.console import ChineseArgumentParser

    parser = ChineseArgumentParser(prog="govwatch", description="GovWatch 政务服务效能监督平台")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)

    p = sub.add_parser("init", help="创建或升级数据库，载入内置节假日安排")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("manage", help="Django 管理命令")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    # The command is the first word; an option before it (`govwatch --help`) asks for them all.
    commands.register(sub, argv[0] if argv and not argv[0].startswith("-") else None)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    words = (
        [word for word in argv[:2] if not word.startswith("-")]
        if argv and not argv[0].startswith("-")
        else []
    )
    if tuple(words[:2]) in ONE_BLAS_THREAD:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with _collector_paused():
        from django.core.exceptions import ImproperlyConfigured

        from govwatch.core.console import EXIT_UNUSABLE, UsageError, configuration_problem

        try:
            setup_django(*words[:2])
        except (ValueError, ImproperlyConfigured) as exc:  # e.g. GOVWATCH_TIME_ZONE, DATABASE_URL
            sys.stderr.write(f"govwatch: 配置错误：{exc}\n")
            return EXIT_UNUSABLE
        parser = build_parser(argv)
        args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        sys.stderr.write(f"govwatch: {exc}\n")
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        problem = configuration_problem(exc)
        if problem is None:
            raise
        sys.stderr.write(f"govwatch: {problem}\n")
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
