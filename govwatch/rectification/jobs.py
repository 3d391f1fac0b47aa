"""The worker's rectification jobs: the daily reminders (日提醒) and the weekly digests (周调度).
Each is safe to run by any number of workers, as often as they like: a reminder is one per problem
and day, a digest one per list and week (supervision's reminders). Overdue problems' cards and
orders are the watch engine's (supervision's scan and orders jobs)."""

from govwatch.core.worker import register_job


def _daily() -> None:
    from .rhythm import daily_reminders

    daily_reminders()


def _weekly() -> None:
    from .rhythm import weekly_digests

    weekly_digests()


# Checked every ten minutes: the first round of a working day sends it, the others find it sent.
register_job("rectification_daily", 600, _daily)
register_job("rectification_weekly", 600, _weekly)
