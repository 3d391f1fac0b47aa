"""The worker's jobs of complaint handling. A complaint's cards and order come from e-supervision's
scan and orders jobs (its deadline is a watched one, govwatch.complaints.watching)."""

from govwatch.core.worker import register_job


def _dispatch_model() -> None:
    from .suggest import retrain

    retrain()


# Retraining costs seconds to a minute and is needed only after some hundred new complaints.
register_job("dispatch_model", 600, _dispatch_model)
