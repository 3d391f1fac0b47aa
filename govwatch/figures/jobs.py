"""The worker keeps the daily figures up to date: it folds what the writers marked stale."""

from govwatch.core.worker import register_job

# Units per turn: a turn stays short, so the other jobs keep their rhythm after a large import.
UNITS_PER_TURN = 2000


def _fold() -> None:
    from .fold import fold

    fold(limit_units=UNITS_PER_TURN)


register_job("figures", 30, _fold)
