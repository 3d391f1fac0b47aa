"""The reports page's figure cells, written in one step, read as the template filters wrote them."""

from __future__ import annotations

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation

from govwatch.reports.templatetags.report_cells import CELLS, COMPLAINT_CELLS, complaint_cells, figure_cells
from govwatch.web.templatetags.govwatch_web import percent


@pytest.mark.parametrize("columns, cells", [(CELLS, figure_cells), (COMPLAINT_CELLS, complaint_cells)])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "count, rate", [(0, None), (999, 0.0), (1234, 1 / 3), (1234567, 1.0), (98765, 0.12345)]
)
def test_cells_equal_intcomma_and_percent(columns, cells, language, count, rate):
    row = {key: rate if is_rate else count for key, is_rate in columns}
    with translation.override(language):
        expected = "".join(
            f'<td class="num">{percent(row[key]) if is_rate else intcomma(row[key])}</td>'
            for key, is_rate in columns
        )
        assert cells(row) == expected
