"""Runs one benchmark section in a process of its own, on a fresh SQLite database in a temporary
directory, and prints its figures as one JSON document (with the process's peak RSS).

`govwatch bench` starts one of these per section so that sections neither share a database nor
inherit each other's memory high-water mark.
"""

from __future__ import annotations

import json
import os
import resource
import sys


def _check_migrated() -> None:
    """A region read as it is must already hold this code's migrations: it is not migrated here."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        sys.stderr.write(f"数据目录未迁移到本代码（{len(pending)} 个迁移未执行: {names}）\n")
        sys.exit(2)


def main() -> None:
    name, params = sys.argv[1], json.loads(sys.argv[2])
    if name in ("load", "partitions"):
        # Their own PostgreSQL (and deployment): Django is set up once that is running.
        from govwatch.bench import load, partitions

        result = {"load": load.run, "partitions": partitions.run}[name](**params)
        result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govwatch.settings")
    import django

    django.setup()
    from django.conf import settings

    if getattr(settings, "READ_ONLY", False):
        _check_migrated()
    elif name != "deadlines":
        from django.core.management import call_command

        from govwatch.workcal.schedule import load_shipped

        call_command("migrate", interactive=False, verbosity=0)
        load_shipped()
    if name == "deadlines":
        from .deadlines import run
    elif name == "scan":
        from .scanning import run
    elif name == "public":
        from .public import run
    elif name == "qrsheet":
        from .qrsheet import run
    elif name == "areas":
        from .areas import run
    elif name == "leaders":
        from .leaders import run
    elif name == "checks":
        from .checks import run
    elif name == "dispatch":
        from .dispatch import run
    elif name == "predict-quality":
        from .predicting import quality as run
    elif name == "predict-speed":
        from .predicting import speed as run
    elif name == "pages":
        from .pages import run
    else:
        from .importing import SECTIONS

        run = SECTIONS[name]
    result = run(**params)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
