"""The worker's prediction jobs: retrain when the model is a day old; warn at each warning moment."""

from govwatch.core.worker import register_job


def _train() -> None:
    from .warning import train_if_stale

    train_if_stale()


def _predict() -> None:
    from .warning import tick

    tick()


# Training checks often and trains only when the newest model is GOVWATCH_PREDICT_TRAIN_HOURS old.
register_job("predict-train", 300, _train)
register_job("predict", 60, _predict)


def _replay() -> None:
    from .warning import replay_if_stale

    replay_if_stale()


register_job("predict-replay", 3600, _replay)
