"""The worker's audit jobs: entries past the retention period move to archive files, and the
chain's head is signed as a checkpoint (govwatch.audit.checkpoints)."""

from govwatch.core.worker import register_job


def _archive() -> None:
    from .archive import archive_expired

    archive_expired()


register_job("audit-archive", 3600, _archive)


def _checkpoint() -> None:
    from .log import make_checkpoint

    make_checkpoint(only_if_due=True)


# Hourly look; a checkpoint is signed when the last is GOVWATCH_AUDIT_CHECKPOINT_HOURS old.
register_job("audit-checkpoint", 3600, _checkpoint)
