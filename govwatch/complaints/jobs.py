"""The worker's jobs of complaint handling: cards and orders of overdue complaints."""

from govwatch.core.worker import register_job


def _complaint_scan() -> None:
    from .watch import scan, supervise_overdue

    scan()
    supervise_overdue()


# The same minute as the case scan: a complaint going overdue is told as soon as a case would be.
register_job("complaint_scan", 60, _complaint_scan)


def _dispatch_model() -> None:
    from .suggest import retrain

    retrain()


# Retraining costs seconds to a minute and is needed only after some hundred new complaints.
register_job("dispatch_model", 600, _dispatch_model)
