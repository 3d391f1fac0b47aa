"""`govwatch calendar import`: a year's State Council schedule from a `date,kind` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govwatch.core.parsing import parse_date

from .models import CalendarDay, DayKind, ScheduledYear
from .schedule import set_schedule

KIND_WORDS = {"holiday": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "假": DayKind.HOLIDAY,
              "workday": DayKind.WORKDAY, "班": DayKind.WORKDAY}  # fmt: skip


def import_schedule_file(path: str | Path, operator_label: str = "") -> dict[str, Any]:
    """Read the file, replace the schedule of every year it covers, and report like an import.

    Raises `govwatch.core.tables.FileProblem` for an unusable file.
    """
    from govwatch.audit.log import Actor, record
    from govwatch.core.rowfields import Field, RowError
    from govwatch.core.tables import open_table

    table = open_table(path, (Field("date", "日期", True), Field("kind", "类型", True)))
    days: dict = {}
    errors: list[dict[str, Any]] = []
    read = 0
    for line, values in table.rows:
        read += 1
        if isinstance(values, RowError):
            errors.append({"line": line, "field": values.field, "message": values.message})
            continue
        try:
            day = parse_date(values.get("date", ""))
        except ValueError:
            errors.append(
                {
                    "line": line,
                    "field": "date",
                    "message": f"日期格式错误：“{values.get('date', '')}”，应为 YYYY-MM-DD",
                }
            )
            continue
        kind = KIND_WORDS.get(values.get("kind", "").strip().lower())
        if kind is None:
            errors.append({"line": line, "field": "kind", "message": "类型应为 holiday(休) 或 workday(班)"})
            continue
        if days.get(day, kind) != kind:
            errors.append({"line": line, "field": "date", "message": f"{day} 重复出现且类型不一致"})
            continue
        days[day] = kind
    years = {d.year for d in days}
    # Contract section 1: importing the same file twice changes nothing the second time, and a day
    # already scheduled as the file says is a duplicate, counted, not imported again.
    stored = (
        dict(CalendarDay.objects.filter(date__year__in=years).values_list("date", "kind")) if years else {}
    )
    duplicates = sum(1 for day, kind in days.items() if stored.get(day) == kind)
    unchanged = stored == days and ScheduledYear.objects.filter(year__in=years).count() == len(years)
    recomputed: dict[str, int] = {"cases": 0}
    if years and not unchanged:
        for _, answer in set_schedule(days, years, source=f"import:{Path(path).name}"):
            for what, n in answer.items():
                recomputed[what] = recomputed.get(what, 0) + n
    if years:
        record(
            Actor.command(operator_label),
            "calendar.import",
            target_type="workcal.scheduledyear",
            target_id=",".join(str(y) for y in sorted(years)),
            summary=f"导入节假日安排 {Path(path).name}：{len(days)} 天，年份 {sorted(years)}",
            after={"file": str(path), "days": len(days), "years": sorted(years), "rejected": len(errors)},
        )
    return {
        "read": read,
        "imported": len(days) - duplicates,
        "duplicates": duplicates,
        "rejected": len(errors),
        "errors": errors,
        "years": sorted(years),
        **{f"recomputed_{what}": n for what, n in recomputed.items()},
        "warnings": list(table.warnings),  # unknown columns (section 1); the command says them on stderr
    }
