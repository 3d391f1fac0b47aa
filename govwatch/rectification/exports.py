"""A list written back as the offices keep it (contract section 9: `rectification export`).

One sheet: the list's name as a title row merged across the table, then the contract's columns
under their Chinese names (so the file imports again as it is: the title row is skipped and every
row is a duplicate), then the progress columns: the status now, each dated progress report, the
date of sign-off and the relapses. Aspects keep the order of the list.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from govwatch.core.localtime import local_date
from govwatch.core.sheets import Workbook

from .figures import problem_state, with_steps
from .models import ProblemStep, RectificationList

COLUMNS = (
    ("list_code", "清单编号", 14), ("list_name", "清单名称", 24), ("source", "来源", 10),
    ("feedback_date", "反馈日期", 12), ("no", "序号", 7), ("aspect", "方面", 24), ("problem", "问题", 50),
    ("leader", "责任领导", 10), ("unit_code", "责任单位编码", 14), ("deadline", "整改时限", 12),
    ("measures", "整改措施", 40),
)  # fmt: skip
PROGRESS_COLUMNS = (("unit_name", "责任单位名称", 18), ("status", "整改状态", 12), ("progress", "整改进展", 60),
                    ("signed_off", "销号日期", 12), ("relapses", "反弹次数", 8))  # fmt: skip
_THIN = Side(style="thin", color="999999")


def _progress(problem) -> str:
    lines = []
    for step in problem.steps.all():
        if step.kind in (ProblemStep.Kind.PROGRESS, ProblemStep.Kind.SUBMITTED, ProblemStep.Kind.RETURNED,
                         ProblemStep.Kind.RELAPSED, ProblemStep.Kind.SIGNED_OFF):  # fmt: skip
            label = ProblemStep.Kind(step.kind).label
            lines.append(f"{local_date(step.at):%Y-%m-%d} {label}：{step.text}")
    return "\n".join(lines)


def list_workbook(rlist: RectificationList, at: datetime | None = None) -> bytes:
    at = at or timezone.now()
    book = Workbook()
    sheet = book.active
    sheet.title = "整改清单"
    columns = (*COLUMNS, *PROGRESS_COLUMNS)
    width = len(columns)
    sheet.cell(row=1, column=1, value=rlist.name).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for i, (_, label, size) in enumerate(columns, start=1):
        cell = sheet.cell(row=2, column=i, value=label)
        cell.font = Font(bold=True)
        cell.border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
        sheet.column_dimensions[get_column_letter(i)].width = size
    problems = with_steps(rlist.problems.select_related("unit").order_by("sort", "id"))
    for r, problem in enumerate(problems, start=3):
        state = problem_state(problem, at)
        values = {
            "list_code": rlist.code, "list_name": rlist.name, "source": rlist.get_source_display(),
            "feedback_date": rlist.feedback_date, "no": problem.no, "aspect": problem.aspect,
            "problem": problem.description, "leader": problem.leader, "unit_code": problem.unit.code,
            "deadline": problem.deadline, "measures": problem.measures, "unit_name": problem.unit.name,
            "status": state.label, "progress": _progress(problem),
            "signed_off": local_date(problem.signed_off_at) if problem.signed_off_at else None,
            "relapses": problem.reopen_count,
        }  # fmt: skip
        for c, (key, _, _) in enumerate(columns, start=1):
            cell = sheet.cell(row=r, column=c, value=values[key])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
            if key in ("feedback_date", "deadline", "signed_off") and values[key] is not None:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
