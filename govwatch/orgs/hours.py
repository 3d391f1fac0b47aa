"""A hall's opening hours on working days (contract 1.1, field `hours` of units, 服务时间).

Written as comma-separated ranges of local wall time, e.g. ``08:30-12:00,14:00-17:30``. A unit
without hours of its own keeps those of its nearest ancestor that has some, and the region's
default (setting GOVWATCH_DEFAULT_HOURS) above that.
"""

from __future__ import annotations

import re

Span = tuple[int, int]  # seconds of the day, start inclusive, end exclusive

_RANGE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-–~～至]\s*(\d{1,2})[:：](\d{2})$")


class HoursError(ValueError):
    """Hours that cannot be read; the message is for the user."""


def parse_hours(text: str) -> tuple[Span, ...]:
    """The ranges of `text` in seconds of the day, sorted; HoursError when it is not valid.

    Ranges must not overlap; an end of 24:00 is allowed (a hall open till midnight).
    """
    spans: list[Span] = []
    for part in re.split(r"[,，;；、]", text.strip()):
        part = part.strip()
        if not part:
            continue
        m = _RANGE.match(part)
        if not m:
            raise HoursError(f"服务时间“{part}”格式无效，应如 08:30-12:00,14:00-17:30")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise HoursError(f"服务时间“{part}”不是有效的时刻")
        start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
        if end <= start:
            raise HoursError(f"服务时间“{part}”的结束时刻应晚于开始时刻")
        spans.append((start, end))
    if not spans:
        raise HoursError("服务时间为空，应如 08:30-12:00,14:00-17:30")
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise HoursError("服务时间的各时段不能重叠")
    return tuple(spans)


def format_hours(spans: tuple[Span, ...]) -> str:
    return ",".join(
        f"{s // 3600:02d}:{s // 60 % 60:02d}-{e // 3600:02d}:{e // 60 % 60:02d}" for s, e in spans
    )


def normalise_hours(text: str) -> str:
    """The canonical text of valid hours ("" stays ""): what is stored and compared on import."""
    return format_hours(parse_hours(text)) if text.strip() else ""
