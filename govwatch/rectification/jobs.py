"""The worker's rectification jobs: orders for overdue problems, the daily reminders and the weekly
digests. Each is safe to run by any number of workers, as often as they like: an order is one per
deadline, a reminder one per unit and day, a digest one per list and week."""

from govwatch.core.worker import register_job


def _overdue() -> None:
    from .actions import supervise_overdue

    supervise_overdue()


def _daily() -> None:
    from .rhythm import daily_reminders

    daily_reminders()


def _weekly() -> None:
    from .rhythm import weekly_digests

    weekly_digests()


register_job("rectification_overdue", 60, _overdue)
# Checked every ten minutes: the first round of a working day sends it, the others find it sent.
register_job("rectification_daily", 600, _daily)
register_job("rectification_weekly", 600, _weekly)
