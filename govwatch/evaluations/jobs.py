"""The worker's jobs of the negative-review loop."""

from govwatch.core.worker import register_job


def _negative_intake() -> None:
    from .rectification import open_tasks_for_imported

    open_tasks_for_imported()


# Imported and pushed evaluations arrive by bulk insert, without their tasks: a minute later they
# have them.
register_job("negative_intake", 60, _negative_intake)


def _negative_overdue() -> None:
    from .rectification import supervise_overdue

    supervise_overdue()


register_job("negative_overdue", 60, _negative_overdue)
