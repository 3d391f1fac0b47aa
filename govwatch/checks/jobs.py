"""The worker's daily data check (run once a day, at DAILY_HOUR local time, by one worker)."""

from govwatch.core.worker import register_job


def _daily_checks() -> None:
    from .daily import run_daily

    run_daily()


# Every ten minutes each worker asks whether the day's run is due; one claims it.
register_job("checks_daily", 600, _daily_checks)
