"""The worker's job of the integrity risk points: review reminders, once per point and due date."""

from govwatch.core.worker import register_job


def _reviews() -> None:
    from .actions import review_reminders

    review_reminders()


register_job("integrity_reviews", 3600, _reviews)
