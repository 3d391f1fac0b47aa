"""The worker's audit job: entries past the retention period move to archive files, hourly."""

from govwatch.core.worker import register_job


def _archive() -> None:
    from .archive import archive_expired

    archive_expired()


register_job("audit-archive", 3600, _archive)
