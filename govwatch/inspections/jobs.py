"""The worker's job of the inspections: a feedback form answered late is supervised."""

from govwatch.core.worker import register_job


def _overdue_forms() -> None:
    from .feedback import supervise_overdue_forms

    supervise_overdue_forms()


register_job("feedback_overdue", 300, _overdue_forms)
