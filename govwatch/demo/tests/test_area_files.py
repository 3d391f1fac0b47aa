"""The demo region's key projects, double-random inspections and Internet+regulation: the files
import cleanly, the replayed activity leaves projects behind plan with letters, plans drawn and
published (one late), and the seed reports' figures come out."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from govwatch.demo.generator import generate
from govwatch.demo.loading import REGISTER_KINDS
from govwatch.demo.projects import load_activity
from govwatch.imports.runs import run_import
from govwatch.orgs.models import Unit
from govwatch.projects.models import KeyProject, ProjectLetter, ReportPhoto
from govwatch.projects.progress import states
from govwatch.randomchecks.models import RandomPlan
from govwatch.regulation.figures import figures

AS_OF = datetime(2026, 11, 29, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
KINDS = ("units", *REGISTER_KINDS)


@pytest.mark.slow
def test_the_demo_areas_load_and_give_the_seed_reports_figures(shipped_calendar, tmp_path):
    report = generate(tmp_path, seed=1, year=2026, fraction=0.001, until=AS_OF)
    assert report["areas"]["projects"] == 29
    for kind in KINDS:
        result = run_import(kind, tmp_path / f"{kind}.csv", operator_label="test")
        assert result.rejected == 0, (kind, result.errors[:3])
    load_activity("demo_activity", str(tmp_path / "area_activity.json"))

    projects = list(KeyProject.objects.all())
    state = states(projects, AS_OF.date())
    assert len(projects) == 29 and 4 <= sum(s.behind for s in state.values()) <= 10
    assert (
        ProjectLetter.objects.filter(status="closed").exists()
        and ProjectLetter.objects.filter(status="issued").exists()
    )
    assert ReportPhoto.objects.exists()

    plans = {p.name: p for p in RandomPlan.objects.all()}
    assert len(plans) == 3
    assert plans["餐饮服务和食品经营单位双随机抽查"].drawn.filter(published_at__isnull=False).exists()
    assert plans["医疗机构和排污单位跨部门联合抽查"].joint
    assert plans["医疗机构和排污单位跨部门联合抽查"].publication_late(AS_OF.date())
    assert plans["文化市场经营场所双随机抽查"].result["unstaffed"]  # one inspector for the department

    _, year = figures(Unit.objects.all(), date(2026, 1, 1), AS_OF.date())
    assert (year.covered, year.items, year.coverage) == (760, 800, 0.95)  # 监管事项覆盖率达95%
    assert (year.random_covered, year.random_items) == (146, 210)  # 已开展146条 / 210条, 覆盖率达70%
    assert year.returned == {"no_object": 242, "no_power": 567}
    assert (year.certified, year.registered) == (38, 38)
    _, april = figures(Unit.objects.all(), date(2026, 1, 1), date(2026, 4, 30))
    assert round(april.random_coverage * 100, 2) == 7.25  # 截至4月底覆盖率仅有7.25%
