"""`govwatch demo-integrity`: the demo region's year of the inspection group's work, after the seed
report (65 checks, 23 problems in 17 units, feedback forms, 31 people held accountable of whom 7
sanctioned, 15 institutional fixes), scaled to the part of the year gone by; and the data checks
run over the year so far, whose findings (the planted faults) wait on the supervisors' page.

Everything goes through the domain services, at the moments it would have happened, so timelines,
deadlines, overdue orders and the audit log are those of a real year. It runs once: a region that
already has inspections is left as it is.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from govwatch.accountability import records as accountability
from govwatch.accountability.models import Action, Matter
from govwatch.audit.log import Actor
from govwatch.checks.runs import run_checks
from govwatch.core.choices import UnitKind
from govwatch.core.console import EXIT_OK, emit
from govwatch.core.localtime import local_tz
from govwatch.inspections import feedback as inspections
from govwatch.inspections.models import Inspection, Method, Problem
from govwatch.inspections.watching import FEEDBACK
from govwatch.orgs.models import Unit
from govwatch.supervision.watches import issue_for_overdue_watches
from govwatch.workcal.calendar import get_calendar

GROUP = Actor("system:demo")
# A year of the seed report.
YEAR = {"inspections": 65, "problem_units": 17, "problems": 23, "people": 31, "sanctioned": 7, "fixes": 15}
INSPECTORS = (
    "专项检查第一组（王建国、刘丽华）",
    "专项检查第二组（陈志强、赵敏）",
    "专项检查第三组（孙立新、周红）",
)
SUBJECTS = (
    "{m}月“双评议”评价数据录入情况", "窗口评价器使用情况", "群众评价真实性回访抽查", "“不满意请找我”窗口运行情况",
    "窗口工作人员作风纪律", "差评整改落实情况",
)  # fmt: skip
PROBLEMS = (
    (
        Problem.Category.UNDER_REPORTING,
        "{m}月系统录入数据与群众扫码评价数据存在出入，{n}条群众评价未及时录入系统。",
    ),
    (Problem.Category.FALSE_REPORTING, "评价数据中有{n}条评价对应的业务编号在办件系统中查无此件。"),
    (
        Problem.Category.FAKE_RATINGS,
        "回访抽查发现，{n}名群众表示未作出“非常满意”评价，系窗口工作人员代为评价。",
    ),
    (Problem.Category.FAKE_RATINGS, "窗口工作人员在办件过程中诱导办事群众给予“非常满意”评价。"),
    (Problem.Category.DISCIPLINE, "“双评议”管理员未按要求每日核对评价数据，评价台账记录不全。"),
    (Problem.Category.CONDUCT, "窗口值班人员未经批准私自调整上班时间，存在迟到早退现象。"),
    (Problem.Category.CONDUCT, "窗口工作人员以没有权限为由推诿，要求群众到街道分别办理。"),
    (Problem.Category.CONDUCT, "窗口工作人员服务态度生硬，群众多次反映不满意。"),
)
FIXES = (
    ("评价数据每日核对制度", "“双评议”管理员每日核对系统录入数据与群众扫码数据，差异当日说明原因并留档。"),
    ("窗口工作人员考勤管理办法", "窗口人员上下班刷脸考勤，调整工作时间须书面报批，考勤结果每月公示。"),
    ("评价器使用管理规定", "评价器由窗口工作人员以外的人员管理，办结后由群众自主评价，严禁代评、诱导评价。"),
    ("首问负责制实施细则", "群众首次咨询的工作人员负责解答或引导到位，不得以没有权限为由推诿。"),
    ("“不满意请找我”窗口工作规程", "不满意事项当场登记，一般问题当日答复，复杂问题三个工作日内答复。"),
    ("差评整改回访制度", "差评件核实、整改、回访全程留痕，回访率百分之百。"),
    ("窗口服务规范和文明用语", "明确窗口服务礼仪、文明用语和禁语，纳入月度考核。"),
    ("评价数据异常预警机制", "评价数据出现集中、重复或非工作时间评价时自动预警，由监督科核查。"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛龙"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌辉建国志勇海波晓东春梅兰"
POSTS = ("窗口工作人员", "“双评议”管理员", "窗口负责人", "科室负责人", "分管负责人")
ACTIONS = (  # the seed: 31 people, 7 of them given a disciplinary sanction
    (Action.SANCTION, "政务警告"), (Action.SANCTION, "党内警告"), (Action.SANCTION, "政务记过"),
    (Action.ORGANISATIONAL, "调离窗口岗位"),
    (Action.CIRCULATED_CRITICISM, ""), (Action.ADMONISHING_TALK, ""), (Action.CRITICISM, ""),
)  # fmt: skip


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=local_tz())


def _scaled(n: int, share: float) -> int:
    return max(1, round(n * share))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _units(rng: random.Random) -> list[Unit]:
    """The departments and streets of the first district (the demo's region)."""
    first = Unit.objects.filter(kind=UnitKind.SUPERVISOR).order_by("path").first()
    base = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET])
    if first is not None and first.parent_id:
        base = base.filter(path__startswith=first.parent.path)
    units = list(base.order_by("path"))
    rng.shuffle(units)
    return units


def load_history(now: datetime | None = None, seed: int = 1) -> dict:
    """The year so far; nothing when the region already has inspections."""
    if Inspection.objects.exists():
        return {"skipped": "已有专项检查记录，未重复生成"}
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today.replace(month=1, day=1)
    share = min(1.0, ((today - first).days + 1) / 365)
    rng = random.Random(f"integrity/{seed}/{today.year}")
    cal = get_calendar()
    days = [d for d in (first + timedelta(n) for n in range((today - first).days - 5)) if cal.is_workday(d)]
    units = _units(rng)
    if not days or len(units) < 3:
        return {"skipped": "演示区域的日期或单位不足"}
    result = run_checks(first, today, Actor("system:worker"), now=now)
    counts = {k: _scaled(v, share) for k, v in YEAR.items()}
    problem_units = units[: min(counts["problem_units"], len(units))]
    # Which inspections find problems, and how many each: one per unit, the rest a second one.
    found = [1] * len(problem_units)
    for i in range(counts["problems"] - len(found)):
        found[i % len(found)] += 1
    plan = [(u, n) for u, n in zip(problem_units, found, strict=True)]
    plan += [(rng.choice(units), 0) for _ in range(max(0, counts["inspections"] - len(plan)))]
    rng.shuffle(plan)
    problems: list[Problem] = []
    for (unit, n), day in zip(plan, sorted(rng.choices(days, k=len(plan))), strict=True):
        with transaction.atomic():
            problems += _inspection(rng, unit, n, day, today)
    issue_for_overdue_watches(now, kinds=[FEEDBACK])
    people = _accountability(rng, problems, counts, today)
    fixes = _fixes(rng, problems, counts, today, now)
    exposed = _exposure(rng, people, today)
    return {"findings": result.run.findings, "inspections": len(plan), "problems": len(problems),
            "people": len(people), "fixes": fixes, "typical_cases": exposed}  # fmt: skip


def _inspection(rng: random.Random, unit: Unit, n: int, day: date, today: date) -> list[Problem]:
    method = [rng.choice(list(Method))] + ([Method.DATA_COMPARISON] if rng.random() < 0.5 else [])
    subject = rng.choice(SUBJECTS).format(m=max(1, day.month - 1))
    inspection = inspections.do_create_inspection(
        GROUP, unit, subject=subject, methods=sorted(set(method)), conducted_on=day,
        inspectors=rng.choice(INSPECTORS), summary="检查组调阅评价台账，比对系统数据，并随机回访办事群众。",
        at=_moment(day, 16),
    )  # fmt: skip
    made = []
    for _ in range(n):
        category, text = rng.choice(PROBLEMS)
        made.append(inspections.do_add_problem(
            GROUP, inspection, category=category, description=text.format(m=max(1, day.month - 1), n=rng.randint(2, 12)),
            requirement="立行立改，查明原因，追究相关人员责任，建立长效机制。", at=_moment(day, 17),
        ))  # fmt: skip
    if not made:
        return []
    cal = get_calendar()
    issued = cal.add_workdays(day, rng.randint(1, 3)).date
    if issued > today:
        return made
    form = inspections.do_issue_form(GROUP, inspection, at=_moment(issued, 9, 30))
    late = rng.random() < 0.12
    answered = cal.add_workdays(form.reply_due, rng.randint(1, 4)).date if late else cal.add_workdays(
        issued, rng.randint(3, 9)).date  # fmt: skip
    if late:
        issue_for_overdue_watches(_moment(cal.add_workdays(form.reply_due, 1).date, 0, 30), kinds=[FEEDBACK])
    if answered > today:
        return made
    fixes = {
        p.pk: f"已对问题{p.no}立行立改：约谈相关人员，补录和更正评价数据，并对照检查其他窗口。" for p in made
    }
    form = inspections.do_answer_form(
        GROUP, form, answer="已召开专题会议逐项整改，相关人员已按规定处理。", fixes=fixes,
        institution=rng.choice(FIXES)[0] if rng.random() < 0.6 else "", at=_moment(answered, 15),
    )  # fmt: skip
    checked = cal.add_workdays(answered, rng.randint(1, 3)).date
    if checked > today:
        return made
    if rng.random() < 0.15:
        form = inspections.do_return_form(
            GROUP, form, "整改措施不具体，未说明责任追究情况", at=_moment(checked, 10)
        )
        again = cal.add_workdays(checked, rng.randint(2, 5)).date
        if again > today:
            return made
        form = inspections.do_answer_form(
            GROUP, form, answer="补充说明：已对相关责任人批评教育，并建立每日核对台账。", fixes=fixes,
            at=_moment(again, 15),
        )  # fmt: skip
        checked = cal.add_workdays(again, 2).date
        if checked > today:
            return made
    inspections.do_accept_form(GROUP, form, "整改到位，予以销号", at=_moment(checked, 11))
    return made


def _accountability(rng: random.Random, problems: list[Problem], counts: dict, today: date) -> list:
    """The people held accountable for the problems found; a sanction for the gravest."""
    grave = [p for p in problems if p.category in (Problem.Category.FAKE_RATINGS, Problem.Category.CONDUCT)]
    matters = (grave + [p for p in problems if p not in grave])[: max(1, round(len(problems) * 0.7))]
    actions = [ACTIONS[i % 3] for i in range(counts["sanctioned"])]
    actions += rng.choices(ACTIONS[3:], weights=(1, 2, 3, 5), k=counts["people"] - len(actions))
    rows = []
    for i, (action, detail) in enumerate(actions):
        problem = matters[i % len(matters)]
        decided = min(problem.inspection.conducted_on + timedelta(days=rng.randint(10, 40)), today)
        rows.append(accountability.do_record_accountability(
            GROUP, problem.inspection.unit, person=_name(rng), post=rng.choice(POSTS), action=action, detail=detail,
            facts=problem.description, decided_by="区纪检监察工委" if action >= Action.CIRCULATED_CRITICISM else "所在单位党组（党委）",
            decided_on=decided, matter=accountability.resolve_matter(Matter.INSPECTION_PROBLEM, str(problem.pk)),
            at=_moment(decided, 17),
        ))  # fmt: skip
    return rows


def _fixes(rng: random.Random, problems: list[Problem], counts: dict, today: date, now: datetime) -> int:
    made = 0
    for i in range(min(counts["fixes"], len(problems))):
        problem = problems[i]
        title, content = FIXES[i % len(FIXES)]
        adopted = min(problem.inspection.conducted_on + timedelta(days=rng.randint(15, 45)), today)
        fix = accountability.do_record_fix(
            GROUP, problem.inspection.unit, title=title, content=content, adopted_on=adopted,
            matter=accountability.resolve_matter(Matter.INSPECTION_PROBLEM, str(problem.pk)), at=_moment(adopted, 16),
        )  # fmt: skip
        if fix.follow_up_on <= today - timedelta(days=3):
            accountability.do_follow_up_fix(
                GROUP, fix, effective=rng.random() < 0.85, note="回头看：查阅台账、随机回访，制度执行情况良好。",
                at=_moment(fix.follow_up_on + timedelta(days=2), 10),
            )  # fmt: skip
        made += 1
    return made


def _exposure(rng: random.Random, people: list, today: date) -> int:
    sanctioned = [r for r in people if r.action == Action.SANCTION]
    published = 0
    for row in sanctioned[:3]:
        case = accountability.do_draft_exposure(
            GROUP, row.unit, title=f"{row.unit.name}{row.person}违反评议纪律受到{row.detail}处分",
            body=(f"经查，{row.unit.name}{row.post}{row.person}{row.facts.rstrip('。')}，违反“双评议”工作纪律。"
                  f"{row.decided_by}给予{row.person}{row.detail}处分。"),
            records=[row], at=_moment(row.decided_on, 18),
        )  # fmt: skip
        accountability.do_publish_exposure(
            GROUP, case, at=_moment(min(row.decided_on + timedelta(days=3), today), 9)
        )
        published += 1
    return published


def cmd_demo_integrity(args: argparse.Namespace) -> int:
    emit(load_history(seed=args.seed), args.format)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo-integrity", help="演示区域今年的评价数据核查、专项检查、问责与建章立制（只生成一次）"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=cmd_demo_integrity)
