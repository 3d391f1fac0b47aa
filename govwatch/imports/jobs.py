"""The worker's import job: runs whose process died midway are marked interrupted and audited."""

from govwatch.core.worker import register_job


def _interrupted() -> None:
    from .interrupted import mark_interrupted

    mark_interrupted()


register_job("import-interrupted", 60, _interrupted)
