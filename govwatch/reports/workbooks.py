"""The ranking as a workbook: the table as the page shows it, and the weights beside it."""

from __future__ import annotations

import io
from typing import Any

from openpyxl.styles import Font

from govwatch.core.sheets import Workbook

from .models import COMPONENTS


def ranking_xlsx(doc: dict[str, Any]) -> bytes:
    """Sheet 综合排名: rank, unit, score, change, then each component's figure (as a percentage)
    and points; sheet 权重: the weights the scores were computed with."""
    book = Workbook()
    sheet = book.active
    sheet.title = "综合排名"
    header = ["名次", "单位编码", "单位名称", "综合得分", "上期名次", "名次变化"]
    for _code, label, _w in COMPONENTS:
        header += [label, f"{label}得分"]
    sheet.append(header)
    for row in doc["rows"]:
        values: list[Any] = [
            row["rank"],
            row["unit_code"],
            row["unit_name"],
            row["score"],
            row["previous_rank"],
            row["change"],
        ]
        for code, _label, _w in COMPONENTS:
            component = row["components"][code]
            values += [component["figure"], component["points"]]
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index in range(len(COMPONENTS)):
        letter = sheet.cell(row=1, column=7 + 2 * index).column_letter
        for cell in sheet[letter][1:]:
            cell.number_format = "0.00%"
    sheet.column_dimensions["C"].width = 28
    sheet.freeze_panes = "D2"
    weights = book.create_sheet("权重")
    weights.append(["指标", "权重"])
    for code, label, _w in COMPONENTS:
        weights.append([label, doc["weights"].get(code, 0)])
    weights.append([])
    weights.append(["统计期间", f"{doc['from']} 至 {doc['to']}"])
    weights.append(["对比期间", f"{doc['previous']['from']} 至 {doc['previous']['to']}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
