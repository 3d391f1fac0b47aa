"""The worker's e-supervision jobs."""

from govwatch.core.worker import register_job

from .scan import ScanBusy, scan


def _scan() -> None:
    try:
        scan(wait=0)
    except ScanBusy:
        pass  # another worker is scanning: this turn is theirs


# The seed districts text the commission when a case goes overdue: a minute is soon enough.
register_job("scan", 60, _scan)


def _dispatch() -> None:
    from .dispatch import dispatch

    dispatch()


register_job("dispatch", 10, _dispatch)


def _orders() -> None:
    from .orders import escalate_overdue, issue_for_failed_deliveries, issue_for_overdue_cases
    from .watches import issue_for_overdue_watches

    issue_for_overdue_cases()
    issue_for_overdue_watches()
    issue_for_failed_deliveries()
    escalate_overdue()


register_job("orders", 60, _orders)
