"""What the fixtures of every app's tests build with: one named person per role, cases stored the way
the importer stores them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PASSWORD = "correct-horse-battery"


@dataclass
class People:
    """One named person per role, bound as the demo region binds them (healthchecks' BaseTestCase):
    the commission's supervisor, the service office, a leader, and the staff of two departments."""

    supervisor: object
    office: object
    leader: object
    market_staff: object
    social_staff: object

    def actor(self, name: str):
        from govwatch.audit.log import Actor

        return Actor(f"user:{name}", getattr(self, name), "127.0.0.1")


def person(django_user_model, name: str, role: str, unit) -> object:
    from govwatch.accounts.models import Membership

    user = django_user_model.objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=user, role=role, unit=unit)
    return user


def build_case(
    case_no: str,
    item,
    events: Sequence[tuple],
    *,
    unit=None,
    channel: str = "window",
    applicant_type: str = "person",
    window_code: str = "",
    event_window_code: str | None = None,
):
    """A case stored from its events (kind, at[, reason]) through the domain's own
    `cases.events.apply_events`, the path every import takes: facts derived, events and suspensions
    written. The item's unit handles it unless `unit` is given."""
    from govwatch.cases.deadlines import Event
    from govwatch.cases.events import CaseChange, CaseHeader, NewEvent, apply_events, micros
    from govwatch.cases.models import Case
    from govwatch.workcal.calendar import get_calendar

    unit = unit or item.unit
    evs = [e if isinstance(e, Event) else Event(*e) for e in events]
    ev_window = window_code if event_window_code is None else event_window_code
    new = [
        NewEvent(
            f"{case_no}-{e.kind}-{e.at.isoformat()}",
            case_no,
            e.kind,
            micros(e.at),
            "",
            "",
            "",
            "",
            ev_window,
            "",
            e.reason,
            "-",
        )  # fmt: skip
        for e in evs
    ]
    header = CaseHeader(item.id, unit.id, channel, applicant_type, window_code, "")
    apply_events([CaseChange(case_no, evs, item.promised_days, new, header)], get_calendar())
    return Case.objects.select_related("item", "unit").get(case_no=case_no)


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign `username` in through the live server's login form, in a browser page (Playwright)."""
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
