"""The demo region's rectification lists through `govwatch demo-load`: seed 003's 18 problems in
four aspects with their history, the openness list, an elderly-friendly hall inspection with
failures, a secret check still hidden, risk points; loaded once, and watched by e-supervision."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from govwatch.cli import main
from govwatch.demo.rectification_lists import LIST_CODE, OPENNESS_CODE, write_lists
from govwatch.hallchecks.models import Inspection
from govwatch.imports.models import ImportRun
from govwatch.integrity.models import RiskPoint
from govwatch.rectification.models import Problem, ProblemStep
from govwatch.rectification.watching import PROBLEM
from govwatch.supervision.models import Watch

TZ = ZoneInfo("Asia/Shanghai")
UNITS = [
    ("D", "测试区", "", "district"),
    ("D-JW", "区纪委监委", "D", "supervisor"),
    ("D-ZX", "区政务服务中心", "D", "center"),
    ("D-B01", "区行政审批局", "D", "department"),
    *[(f"D-B01-K{k}", f"审批{k}科", "D-B01", "section") for k in range(1, 5)],
    *[(f"D-B0{n}", f"区部门{n}", "D", "department") for n in range(2, 5)],
]


def test_demo_load_plays_the_seeds_lists_once(tmp_path, shipped_calendar, capsys):
    (tmp_path / "units.csv").write_text(
        "code,name,parent_code,kind,phone\n" + "".join(f"{c},{n},{p},{k},\n" for c, n, p, k in UNITS),
        encoding="utf-8",
    )
    write_lists(tmp_path, "D", datetime(2026, 11, 20, 17, tzinfo=TZ))

    assert main(["demo-load", str(tmp_path)]) == 0
    capsys.readouterr()

    seed = Problem.objects.filter(rlist__code=LIST_CODE)
    assert seed.count() == 18 and len(set(seed.values_list("aspect", flat=True))) == 4
    assert Problem.objects.filter(rlist__code=OPENNESS_CODE).count() == 3
    assert seed.filter(status="signed_off").exists() and seed.filter(status="submitted").exists()
    assert ProblemStep.objects.filter(kind="relapsed").count() == 1
    assert ProblemStep.objects.filter(kind="returned").count() == 1
    elderly = Inspection.objects.get(template__name="适老化服务检查表")
    assert elderly.status == "published" and elderly.results.filter(outcome="fail").count() == 3
    assert Inspection.objects.get(mode="secret").status == "recorded"
    assert RiskPoint.objects.count() == 4
    # What the unit owes on published lists is watched; the secret check's problems are not yet.
    owed = Problem.objects.filter(status__in=Problem.OWED, rlist__published=True)
    assert Watch.objects.filter(kind=PROBLEM, status="open").count() == owed.count() > 0

    assert main(["demo-load", str(tmp_path)]) == 0
    assert ImportRun.objects.filter(kind="demo_rectification").count() == 1
    assert ProblemStep.objects.filter(kind="relapsed").count() == 1
