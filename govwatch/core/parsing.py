"""Parsing of the contract's value formats: timestamps, dates, booleans, integers."""

from __future__ import annotations

from datetime import date, datetime

from .localtime import local_tz

# The years a record may be dated in: any period GovWatch is fed (replays, migrations, tests), and
# far enough from the calendar's ends that deadlines and time zones never overflow a date.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _in_range(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} outside {FIRST_YEAR}-{LAST_YEAR}")


TRUE = {"1", "true", "yes", "是", "y", "t"}
FALSE = {"0", "false", "no", "否", "n", "f", ""}


def parse_timestamp(text: str) -> datetime:
    """ISO 8601; a timestamp without an offset is local time. Raises ValueError."""
    value = text.strip()
    if not value:
        raise ValueError("empty")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value.replace("/", "-"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_tz())
    _in_range(moment.year)
    return moment


def parse_date(text: str) -> date:
    value = text.strip()
    if "T" in value or " " in value:
        return parse_timestamp(value).astimezone(local_tz()).date()
    day = date.fromisoformat(value.replace("/", "-"))
    _in_range(day.year)
    return day


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(value)


def parse_int(text: str) -> int:
    value = text.strip()
    if value.endswith(".0"):  # spreadsheets write whole numbers as floats
        value = value[:-2]
    return int(value)
