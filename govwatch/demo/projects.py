"""The demo region's key projects, double-random inspections and Internet-plus regulation.

`write_area_files(directory, district, as_of, seed)` writes, beside the five files of section 2:

- the registers, loaded by `govwatch import KIND FILE`: projects.csv and milestones.csv (29 key
  projects on one platform, as the 监督一点通 seed report has it, some behind plan), targets.csv and
  inspectors.csv (three departments' registers, one department short of inspectors), officers.csv,
  regulatory_items.csv and supervision_actions.csv (shaped so that the seed reports' figures come
  out: 95 % of the regulatory items covered this year, 242 and 567 items returned, 38 certified
  officers all registered; the double-random list at 7.25 % in the first third of the year and
  146 of 210 items, about 70 %, by now);
- area_activity.json: what people did, replayed through the areas' own `do_*` services by
  `load_activity` (monthly reports with site photos, reminder letters issued, answered and closed,
  three double-random plans drawn with their seeds, results entered and published, one plan late).

Everything is drawn from `random.Random(seed)` and dated relative to `as_of`: the same seed and
moment give the same files.
"""

from __future__ import annotations

import csv
import json
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govwatch.projects.progress import curve

TZ = ZoneInfo("Asia/Shanghai")
ACTIVITY = "area_activity.json"
# (department number, project names) of the key projects; a department's projects are its own.
PROJECTS = [
    ("B02", "industry", ["智能制造产业园一期", "新能源汽车零部件基地", "生物医药孵化中心", "数字经济产业园"]),
    ("B04", "industry", ["高端装备制造产业园", "半导体封装测试项目", "工业互联网创新中心"]),
    ("B12", "livelihood", ["城东保障性住房", "老旧小区改造（二期）", "人才公寓", "城市更新示范片区"]),
    ("B14", "infrastructure", ["环城快速路东段", "公交枢纽站", "滨江大道提升工程"]),
    ("B15", "infrastructure", ["城东污水处理厂扩建", "排涝泵站新建工程", "水系连通工程"]),
    ("B03", "livelihood", ["第三实验小学新建", "职业教育实训基地"]),
    ("B19", "livelihood", ["区人民医院新院区", "疾控中心业务楼"]),
    ("B17", "service", ["商贸物流园", "跨境电商产业园"]),
    ("B16", "other", ["高标准农田建设", "冷链物流中心"]),
    ("B25", "infrastructure", ["湿地公园", "滨湖绿道"]),
    ("B18", "service", ["文化艺术中心", "全域旅游集散中心"]),
]
MILESTONES = [
    ("立项批复", 3),
    ("用地规划许可", 8),
    ("施工许可", 12),
    ("开工建设", 15),
    ("主体完工", 70),
    ("竣工验收", 100),
]
FRACTIONS = [0.03, 0.08, 0.12, 0.16, 0.7, 1.0]  # where each milestone falls in the planned span
LEADERS = ["王建国", "李明华", "张卫东", "刘志强", "陈晓燕", "杨国平", "赵红梅", "黄海涛"]
# The double-random registers: (department, targets, inspectors, what its targets are).
RANDOM_UNITS = [
    ("B22", 160, 8, "市场主体"),
    ("B19", 90, 5, "医疗卫生机构"),
    ("B28", 70, 4, "排污单位"),
    ("B18", 12, 1, "文化经营场所"),
]
TARGET_KINDS = {
    "市场主体": ["餐饮店", "超市", "药店", "建材商行", "食品厂", "农贸市场"],
    "医疗卫生机构": ["诊所", "卫生院", "口腔门诊", "医学检验所"],
    "排污单位": ["印染厂", "化工厂", "电镀厂", "污水处理站"],
    "文化经营场所": ["网吧", "歌舞娱乐场所", "剧本杀店"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = "建华明国伟芳娜敏静丽强磊军洋勇艳杰涛超霞平刚桂英"
# Regulatory items: the figures of the seed reports (梁子湖区, 武汉经开区).
LISTED_ITEMS = 800  # on the list at the end: 95 % of them (760) with a supervision action this year
RANDOM_ITEMS = 210  # the double-random list now: 146 of them checked (≈ 70 %)
RANDOM_CHECKED = 146
RANDOM_RETURNED_LATER = (
    66  # on the random list in the first third of the year, returned since: 20 / 276 = 7.25 %
)
RANDOM_CHECKED_EARLY = 20
RETURNED = {"no_object": 242, "no_power": 567}
CERTIFIED_OFFICERS = 38


@dataclass
class Writer:
    directory: Path

    def csv(self, name: str, header: list[str], rows: list[list[Any]]) -> None:
        with (self.directory / name).open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _moment(day: date, hour: int = 10, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).isoformat()


def _month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def _progress_text(rng: random.Random, percent: int) -> str:
    if percent < 5:
        work = rng.choice(["办理用地和规划手续", "完成施工图审查", "开展施工招标"])
    elif percent < 20:
        work = rng.choice(["场地平整和土方开挖", "桩基施工"])
    elif percent < 70:
        work = rng.choice(["主体结构施工", "钢结构吊装", "主体结构施工和砌体工程"])
    else:
        work = rng.choice(["机电安装和装饰装修", "室外配套和绿化", "竣工验收准备"])
    return f"本月推进{work}，累计完成形象进度{percent}%。"


def key_projects(rng: random.Random, district: str, as_of: date, activity: dict) -> tuple[list, list]:
    projects, milestones = [], []
    behind = set(rng.sample(range(29), 7))
    n = 0
    for dept, category, names in PROJECTS:
        for name in names:
            n += 1
            code = f"XM{as_of.year}{n:03d}"
            start = as_of - timedelta(days=rng.randint(90, 420))
            end = start + timedelta(days=rng.randint(480, 900))
            slow = (n - 1) in behind
            projects.append([
                code, name, f"{district}-{dept}", f"{rng.choice(LEADERS)}（副区长）", category,
                rng.randint(8, 120) * 1000, f"{rng.choice(['城东', '城西', '滨江', '高新'])}片区",
                start.isoformat(), end.isoformat(), "", f"{name}，总用地约{rng.randint(50, 600)}亩。",
            ])  # fmt: skip
            span = (end - start).days
            points = [
                (start + timedelta(days=round(span * frac)), percent)
                for (_, percent), frac in zip(MILESTONES, FRACTIONS, strict=True)
            ]
            past = [seq for seq, (planned, _) in enumerate(points, start=1) if planned < as_of]
            for seq, ((label, percent), (planned, _)) in enumerate(
                zip(MILESTONES, points, strict=True), start=1
            ):
                actual = ""
                if seq in past and not (
                    slow and seq == past[-1]
                ):  # a slow project's latest milestone is open
                    reached = planned + timedelta(days=rng.randint(-5, 6))
                    actual = min(reached, as_of - timedelta(days=1)).isoformat()
                milestones.append([code, seq, label, planned.isoformat(), actual, percent])
            lag = rng.randint(12, 20) if slow and n % 2 else rng.randint(0, 4)
            last = 0
            for month in _month_starts(start, as_of - timedelta(days=1)):
                month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
                if month_end >= as_of:
                    break
                percent = max(last, curve(start, end, points[:-1], month_end) - lag)
                last = percent
                activity["reports"].append({
                    "project": code, "month": month.isoformat(), "percent": percent,
                    "invested": round(percent * rng.uniform(80, 120), 2),
                    "text": _progress_text(rng, percent),
                    "problems": rng.choice(["", "", "受雨季影响工期有所延误", "部分用地手续仍在办理"]) if slow else "",
                    "photo": month.month % 3 == 0, "at": _moment(month_end + timedelta(days=rng.randint(1, 5)), 16),
                })  # fmt: skip
    return projects, milestones


def letters(rng: random.Random, activity: dict, behind_codes: list[str], as_of: date) -> None:
    """Reminder letters to four of the slow projects: closed, answered, waiting, overdue."""
    for i, code in enumerate(behind_codes[:4]):
        issued = as_of - timedelta(days=(30, 20, 5, 16)[i])
        letter = {"project": code, "issued_at": _moment(issued, 10)}
        if i <= 1:
            letter["reply"] = "已召开专题调度会，增加施工作业面，倒排工期，确保下月追回进度。"
            letter["replied_at"] = _moment(issued + timedelta(days=4), 15)
        if i == 0:
            letter["closed_at"] = _moment(issued + timedelta(days=6), 9)
        activity["letters"].append(letter)


def random_registers(rng: random.Random, district: str) -> tuple[list, list]:
    targets, inspectors = [], []
    for dept, count, staff, what in RANDOM_UNITS:
        unit = f"{district}-{dept}"
        ids = []
        for k in range(1, count + 1):
            tid = f"91420{dept[1:]}{k:05d}"
            ids.append(tid)
            risk = rng.choices(["low", "medium", "high"], weights=(6, 3, 1))[0]
            name = f"{rng.choice(['恒', '瑞', '鑫', '华', '兴', '盛', '康', '安'])}{rng.choice(['源', '达', '泰', '丰', '和', '通'])}{rng.choice(TARGET_KINDS[what])}"
            targets.append(
                [
                    tid,
                    f"{name}（{k}号）",
                    unit,
                    risk,
                    f"{rng.choice(['城东', '城西', '滨江'])}街{rng.randint(1, 300)}号",
                ]
            )
        for k in range(1, staff + 1):
            conflicts = "、".join(rng.sample(ids, 2)) if k == 1 else ""
            inspectors.append(
                [
                    f"ZF{dept[1:]}{k:03d}",
                    _name(rng),
                    unit,
                    f"4201{dept[1:]}{rng.randint(100000, 999999)}",
                    conflicts,
                ]
            )
    return targets, inspectors


def random_plans(activity: dict, district: str, as_of: date) -> None:
    def plan(
        name: str,
        units: list[str],
        rates: dict,
        drawn: date,
        results: float,
        inspected: date,
        published: date | None,
    ):
        activity["plans"].append({
            "name": name, "units": [f"{district}-{u}" for u in units], "rates": rates,
            "seed": f"{drawn:%Y%m%d}-{sum(map(ord, name)) % 10000:04d}", "drawn_at": _moment(drawn, 9, 30),
            "inspect_by": (drawn + timedelta(days=45)).isoformat(), "results": results,
            "inspected_on": inspected.isoformat(), "published_at": _moment(published, 10) if published else None,
        })  # fmt: skip

    plan("餐饮服务和食品经营单位双随机抽查", ["B22"], {"low": 5, "medium": 10, "high": 30},
         as_of - timedelta(days=120), 1.0, as_of - timedelta(days=100), as_of - timedelta(days=80))  # fmt: skip
    plan("医疗机构和排污单位跨部门联合抽查", ["B19", "B28"], {"low": 5, "medium": 10, "high": 20},
         as_of - timedelta(days=60), 0.8, as_of - timedelta(days=45), None)  # fmt: skip
    plan("文化市场经营场所双随机抽查", ["B18"], {"low": 20, "medium": 30, "high": 50},
         as_of - timedelta(days=6), 0.0, as_of, None)  # fmt: skip


def regulation(rng: random.Random, district: str, as_of: date) -> tuple[list, list, list]:
    """The items, actions and officers whose figures are the seeds' (see the module's docstring)."""
    departments = [f"{district}-B{n:02d}" for n in (5, 9, 10, 12, 13, 14, 15, 16, 18, 19, 21, 22, 28)]
    start = as_of.replace(month=1, day=1)
    span = max((as_of - start).days, 1)
    # The end of April when the year stands at the end of November (the seed's "截至4月底").
    early_end = start + timedelta(days=span * 4 // 11 - 1)

    def day_between(a: date, b: date) -> str:
        return (a + timedelta(days=rng.randint(0, max((b - a).days, 0)))).isoformat()

    items, actions = [], []
    seq = 0

    def item(unit: str, random_check: bool, reason: str = "", returned_on: str = "") -> str:
        nonlocal seq
        seq += 1
        code = f"JG{seq:05d}"
        kind = rng.choice(["对食品经营者的监督检查", "对特种设备使用单位的监督检查", "对建筑施工企业的监督检查",
                           "对排污单位的监督检查", "对医疗机构的执业监督检查", "对道路运输经营者的监督检查"])  # fmt: skip
        items.append([code, f"{kind}（{seq}）", unit, rng.choice(["inspection", "inspection", "penalty", "coercion"]),
                      "是" if random_check else "否", reason, returned_on])  # fmt: skip
        return code

    def act(code: str, unit: str, kind: str, on: str, joint: bool = False) -> None:
        actions.append([f"XW{len(actions) + 1:07d}", code, on, unit, kind, "是" if joint else "否",
                        f"{rng.choice(['恒', '瑞', '鑫', '华'])}{rng.choice(['源', '达', '泰'])}公司", "未发现问题"])  # fmt: skip

    random_codes = [item(rng.choice(departments), True) for _ in range(RANDOM_ITEMS)]
    for n, code in enumerate(random_codes[:RANDOM_CHECKED]):
        unit = items[int(code[2:]) - 1][2]
        on = (
            day_between(start, early_end)
            if n < RANDOM_CHECKED_EARLY
            else day_between(early_end + timedelta(days=1), as_of)
        )
        act(code, unit, "random", on, joint=n % 9 == 0)
    for _ in range(RANDOM_RETURNED_LATER):
        item(rng.choice(departments), True, "no_object", day_between(early_end + timedelta(days=1), as_of))
    others = [item(rng.choice(departments), False) for _ in range(LISTED_ITEMS - RANDOM_ITEMS)]
    # 95 %: 760 of the 800 listed items have an action; the random ones checked count already.
    covered_needed = round(LISTED_ITEMS * 0.95) - RANDOM_CHECKED
    uncovered_random = random_codes[RANDOM_CHECKED:]
    for code in uncovered_random[: max(0, covered_needed - len(others))]:
        act(code, items[int(code[2:]) - 1][2], "routine", day_between(start, as_of))
    for code in others[:covered_needed]:
        unit = items[int(code[2:]) - 1][2]
        for _ in range(rng.choice((1, 1, 2, 3))):
            act(
                code,
                unit,
                rng.choice(["routine", "routine", "special", "complaint", "penalty"]),
                day_between(start, as_of),
                joint=rng.random() < 0.05,
            )
    for reason, count in RETURNED.items():
        # The random-list items returned since April are among the 242 with no object to regulate.
        for _ in range(count - (RANDOM_RETURNED_LATER if reason == "no_object" else 0)):
            item(rng.choice(departments), False, reason, day_between(start, as_of))
    officers = []
    for n in range(CERTIFIED_OFFICERS + 6):
        certified = n < CERTIFIED_OFFICERS
        officers.append([f"ZFRY{n + 1:03d}", _name(rng), rng.choice(departments),
                         f"42{rng.randint(10000000, 99999999)}" if certified else "", "是" if certified else "否"])  # fmt: skip
    return items, actions, officers


def write_area_files(directory: Path, district: str, as_of: datetime, seed: int = 1) -> dict[str, int]:
    """Write the area files of the demo region into `directory`; returns rows per file."""
    rng = random.Random(f"areas:{seed}")
    day = as_of.astimezone(TZ).date()
    activity: dict[str, Any] = {
        "as_of": as_of.astimezone(TZ).isoformat(),
        "reports": [],
        "letters": [],
        "plans": [],
    }
    projects, milestones = key_projects(rng, district, day, activity)
    open_late = sorted({m[0] for m in milestones if not m[4] and m[3] < day.isoformat()})
    letters(rng, activity, open_late, day)
    targets, inspectors = random_registers(rng, district)
    random_plans(activity, district, day)
    items, actions, officers = regulation(rng, district, day)
    w = Writer(Path(directory))
    w.csv("projects.csv", ["code", "name", "unit_code", "leader", "category", "investment", "location", "start_date",
                           "planned_end", "completed_on", "description"], projects)  # fmt: skip
    w.csv(
        "milestones.csv",
        ["project_code", "seq", "name", "planned_date", "actual_date", "planned_percent"],
        milestones,
    )
    w.csv("targets.csv", ["target_id", "name", "unit_code", "risk", "address"], targets)
    w.csv("inspectors.csv", ["inspector_id", "name", "unit_code", "certificate_no", "conflicts"], inspectors)
    w.csv("officers.csv", ["officer_id", "name", "unit_code", "certificate_no", "registered"], officers)
    w.csv(
        "regulatory_items.csv",
        ["code", "name", "unit_code", "category", "random_check", "return_reason", "returned_on"],
        items,
    )
    w.csv(
        "supervision_actions.csv",
        ["action_id", "item_code", "on", "unit_code", "kind", "joint", "target_name", "result"],
        actions,
    )
    (Path(directory) / ACTIVITY).write_text(
        json.dumps(activity, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return {"projects": len(projects), "milestones": len(milestones), "targets": len(targets), "inspectors": len(inspectors),
            "officers": len(officers), "regulatory_items": len(items), "supervision_actions": len(actions)}  # fmt: skip


# -- replaying what people did ------------------------------------------------------------------


@lru_cache(maxsize=8)
def site_photo(seed: int, width: int = 240, height: int = 150) -> bytes:
    """A small PNG standing in for a site photo: sky, ground and a building's outline."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if y > height * 0.7:
                pixel = (150 + seed % 40, 120, 80)
            elif 80 < x < 240 and y > height * (0.25 + (seed % 5) / 40):
                pixel = (170, 170, 175) if (x // 16 + y // 14) % 2 else (120, 130, 140)
            else:
                pixel = (160 - y // 4, 200 - y // 5, 235)
            row += bytes(pixel)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@dataclass
class ActivityResult:
    read: int = 0
    imported: int = 0
    warnings: tuple = ()

    def document(self) -> dict:
        return {"read": self.read, "imported": self.imported, "duplicates": 0, "rejected": 0, "errors": []}


def load_activity(kind: str, path: str, *, operator_label: str | None = None) -> ActivityResult:
    """Replay area_activity.json through the areas' `do_*` services, as a system actor, and record
    the run (kind `demo_activity`) so that loading the demo again skips it."""
    from django.db import transaction
    from django.utils import timezone

    from govwatch.audit.log import Actor
    from govwatch.core.parsing import parse_timestamp
    from govwatch.imports.models import ImportRun
    from govwatch.orgs.models import Unit
    from govwatch.projects import letters as project_letters
    from govwatch.projects.models import KeyProject
    from govwatch.projects.reporting import do_report_progress
    from govwatch.randomchecks.models import Outcome, RandomPlan
    from govwatch.randomchecks.plans import do_draw, do_publish_results, do_record_result, plan_from_registers

    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    actor = Actor(operator_label or "cli:demo-load")
    result = ActivityResult()
    run = ImportRun.objects.create(kind=kind, filename=str(path)[:500], operator_label=actor.label)
    projects = {p.code: p for p in KeyProject.objects.select_related("unit")}
    rng = random.Random(7)
    with transaction.atomic():
        for r in doc["reports"]:
            result.read += 1
            photos = (
                [(f"{r['project']}-{r['month'][:7]}.png", site_photo(result.read % 6))] if r["photo"] else []
            )
            do_report_progress(
                actor, projects[r["project"]], date.fromisoformat(r["month"]), r["percent"], r["text"],
                invested=r["invested"], problems=r["problems"], photos=photos, at=parse_timestamp(r["at"]),
            )  # fmt: skip
            result.imported += 1
        for spec in doc["letters"]:
            result.read += 1
            issued = parse_timestamp(spec["issued_at"])
            letter = project_letters.do_draft_letter(
                actor, projects[spec["project"]], at=issued - timedelta(hours=1)
            )
            letter = project_letters.do_issue_letter(actor, letter, at=issued)
            if "replied_at" in spec:
                letter = project_letters.do_reply_letter(
                    actor, letter, spec["reply"], at=parse_timestamp(spec["replied_at"])
                )
            if "closed_at" in spec:
                project_letters.do_close_letter(actor, letter, at=parse_timestamp(spec["closed_at"]))
            result.imported += 1
        for spec in doc["plans"]:
            result.read += 1
            units = list(Unit.objects.filter(code__in=spec["units"]))
            drawn_at = parse_timestamp(spec["drawn_at"])
            plan, _ = do_draw(
                actor, plan_from_registers(units, spec["rates"]), spec["seed"], name=spec["name"],
                source=RandomPlan.Source.REGISTERS, inspect_by=date.fromisoformat(spec["inspect_by"]), at=drawn_at,
            )  # fmt: skip
            staffed = list(plan.drawn.filter(unstaffed=False))
            inspected_on = date.fromisoformat(spec["inspected_on"])
            for d in staffed[: round(len(staffed) * spec["results"])]:
                outcome = rng.choices(list(Outcome), weights=(70, 18, 4, 4, 4))[0]
                findings = {
                    Outcome.RECTIFY: "发现台账记录不全，已当场责令限期整改",
                    Outcome.PENALTY: "发现超范围经营，已立案调查",
                }
                do_record_result(
                    actor, d, outcome, findings.get(outcome, ""), inspected_on,
                    at=datetime.combine(inspected_on, time(17), tzinfo=TZ),
                )  # fmt: skip
            if spec["published_at"]:
                do_publish_results(actor, plan, at=parse_timestamp(spec["published_at"]))
            result.imported += 1
    run.read = run.imported = result.imported
    run.finished_at = timezone.now()
    run.save()
    return result
