"""Demo window operations of the first district: its windows and staff, the clock system's records
and the halls' queue tickets from the start of the previous quarter up to the demo's moment, the
24-hour kiosks with their monitoring (an outage among them) and fault tickets, services for people
who need help, absences from post found by inspections, and the gold-medal rounds.

The windows and staff are those the case events already name (each item's windows and their two
staff). Attendance follows each person's habits (most on time, a few often late); a window opens
when its first person clocks in, and its queue is served in order, so late staff and busy hours
give long waits and windows empty at opening, as in the seed reports. Nineteen kiosks as in seed
003 (在线时长达99.5%). Everything is drawn from `seed`: the same seed writes the same files.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govwatch.workcal.calendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
OPEN, CLOSE = 8 * 3600 + 1800, 17 * 3600 + 1800  # the contract's default hours, 08:30-17:30
NOON, AFTERNOON = 12 * 3600, 14 * 3600
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯鹏晨欣怡佳琳雪婷颖倩梅"
KIOSKS = 19  # seed 003: 全区19台24小时自助服务终端
FILES = {
    "windows": ["window_code", "unit_code", "name", "kind"],
    "staff": ["staff_code", "name", "unit_code", "window_code", "phone", "third_party"],
    "attendance": ["staff_code", "at", "kind"],
    "tickets": ["ticket_id", "unit_code", "taken_at", "called_at", "served_at", "window_code", "number"],
    "absences": ["staff_code", "at", "source", "reference", "note"],
    "kiosks": ["kiosk_code", "name", "unit_code", "location", "hours", "every_day", "heartbeat_seconds", "item_codes"],
    "kiosk_status": ["kiosk_code", "at", "status"],
    "kiosk_faults": ["fault_id", "kiosk_code", "reported_at", "category", "description", "repaired_at", "repair_note"],
    "assists": [
        "service_id", "unit_code", "kind", "requested_at", "group", "item_code", "matter", "staff_codes", "status",
        "finished_at", "outcome", "contact", "address",
    ],
}  # fmt: skip


def _calendar() -> WorkCalendar:
    from govwatch.workcal.schedule import shipped_schedule

    schedule, years = shipped_schedule()
    return WorkCalendar(
        [d for d, k in schedule.items() if k == "holiday"],
        [d for d, k in schedule.items() if k == "workday"],
        years,
    )


@cache
def _clock() -> tuple[str, ...]:
    """ "HH:MM:SS" for every second of a day: formatting is the writer's hot path."""
    return tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))


def _stamp(day: date, second: float) -> str:
    """A local moment as the files write it (no offset: local time, contract section 1)."""
    return f"{day.isoformat()}T{_clock()[int(second)]}"


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period(until: datetime) -> tuple[date, date]:
    """From the first day of the previous quarter (one whole quarter to rank) to the demo's moment."""
    end = until.astimezone(TZ).date()
    this = _quarter_start(end)
    return _quarter_start(this - timedelta(days=1)), end


@dataclass
class Person:
    code: str
    window: str
    unit: str
    late: float
    early: float
    absent: float
    third_party: bool
    first_in: dict[date, int] = field(default_factory=dict)


@dataclass
class Scene:
    rng: random.Random
    district: Any
    cal: WorkCalendar
    start: date
    end: date
    until: datetime
    fraction: float = 1.0  # of the queue tickets, as demo-data's --fraction scales the facts
    rows: dict[str, list[list]] = field(default_factory=lambda: defaultdict(list))

    @property
    def days(self) -> list[date]:
        out, d = [], self.start
        while d <= self.end:
            out.append(d)
            d += timedelta(days=1)
        return out

    def __post_init__(self) -> None:
        local = self.until.astimezone(TZ)
        self.last_day, self.last_second = local.date(), local.hour * 3600 + local.minute * 60 + local.second

    def past(self, day: date, second: float) -> bool:
        """Whether that moment of `day` had come by the demo's moment."""
        return day < self.last_day or (day == self.last_day and second <= self.last_second)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def windows_and_staff(scene: Scene) -> tuple[dict[str, str], list[Person]]:
    """The district's windows (code → unit) and their staff, as the case events name them."""
    rng, district = scene.rng, scene.district
    names = {u[0]: u[1] for u in district.units}
    window_unit: dict[str, str] = {}
    people: dict[str, Person] = {}
    for item in district.items:
        for i, code in enumerate(item.windows):
            window_unit.setdefault(code, item.unit_code)
            for staff_code in item.staff[2 * i : 2 * i + 2]:
                if staff_code not in people:
                    sloppy = rng.random() < 0.08
                    people[staff_code] = Person(
                        staff_code, code, item.unit_code,
                        late=rng.uniform(0.08, 0.2) if sloppy else rng.uniform(0.0, 0.03),
                        early=rng.uniform(0.05, 0.12) if sloppy else rng.uniform(0.0, 0.02),
                        absent=rng.uniform(0.01, 0.04), third_party=staff_code.endswith("2") and rng.random() < 0.5,
                    )  # fmt: skip
    for code, unit in sorted(window_unit.items(), key=lambda kv: int(kv[0][1:])):
        short = names[unit].removeprefix(district.name)
        kind = (
            "general"
            if unit.endswith(("-J01", "-J02")) or "街道" in names[unit] or rng.random() < 0.4
            else "dedicated"
        )
        scene.rows["windows"].append(
            [code, unit, f"{short}{'综合窗口' if kind == 'general' else '专窗'}", kind]
        )
    for p in people.values():
        scene.rows["staff"].append(
            [
                p.code,
                _name(rng),
                p.unit,
                p.window,
                f"139{rng.randrange(10**8):08d}",
                "是" if p.third_party else "否",
            ]
        )
    return window_unit, list(people.values())


def attendance(scene: Scene, people: list[Person]) -> None:
    rng = scene.rng
    for day in scene.days:
        if not scene.cal.is_workday(day):
            # Weekend duty (周末延时服务) in the center now and then: kept, counted nowhere.
            for p in people:
                if day.weekday() == 5 and "-B" in p.unit and rng.random() < 0.03:
                    scene.rows["attendance"].append(
                        [p.code, _stamp(day, 9 * 3600 + rng.randrange(600)), "in"]
                    )
                    scene.rows["attendance"].append(
                        [p.code, _stamp(day, 12 * 3600 + rng.randrange(600)), "out"]
                    )
            continue
        for p in people:
            if rng.random() < p.absent:
                continue
            r = rng.random()
            if r < p.late:
                first = OPEN + rng.randint(1, 45 * 60)
            elif r < p.late + 0.01:
                first = OPEN  # on the dot: on time
            else:
                first = OPEN - rng.randint(60, 30 * 60)
            last = (
                CLOSE - rng.randint(60, 40 * 60)
                if rng.random() < p.early
                else CLOSE + rng.randint(0, 35 * 60)
            )
            if scene.past(day, first):
                p.first_in[day] = first
                scene.rows["attendance"].append([p.code, _stamp(day, first), "in"])
            if rng.random() > 0.01 and scene.past(day, last):  # now and then someone forgets to clock out
                scene.rows["attendance"].append([p.code, _stamp(day, last), "out"])


def _arrivals(rng: random.Random, n: int) -> list[int]:
    """Moments a hall's tickets are taken: busiest at 9-11 and 14:30-16."""
    spans = ((OPEN, 9 * 3600, 0.6), (9 * 3600, 11 * 3600, 1.6), (11 * 3600, NOON, 0.8),
             (AFTERNOON, 14 * 3600 + 1800, 0.8), (14 * 3600 + 1800, 16 * 3600, 1.4), (16 * 3600, CLOSE - 900, 0.7))  # fmt: skip
    weights = [(b - a) * w for a, b, w in spans]
    out = []
    for _ in range(n):
        a, b, _ = rng.choices(spans, weights)[0]
        out.append(rng.randrange(a, b))
    return sorted(out)


def tickets(scene: Scene, window_unit: dict[str, str], people: list[Person]) -> None:
    """Each hall's day: tickets taken for a unit's windows, each called by the first of them free
    once its first person has clocked in; someone who waits too long gives up."""
    rng, district = scene.rng, scene.district
    center = f"{district.code}-ZX"
    kinds = {u[0]: u[3] for u in district.units}
    staff_of: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        staff_of[p.window].append(p)
    # hall → unit → its windows (the center's departments, each street its own hall)
    halls: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for code, unit in sorted(window_unit.items()):
        if kinds.get(unit) == "department":
            halls[center][unit].append(code)
        elif kinds.get(unit) == "street":
            halls[unit][unit].append(code)
    speed = {code: rng.uniform(0.8, 1.8) for code in window_unit}
    for day in scene.days:
        if not scene.cal.is_workday(day):
            continue
        load = (1.25, 1.05, 1.0, 0.95, 0.85, 1.0, 1.0)[day.weekday()]  # a make-up Saturday as a Wednesday
        for hall, units in halls.items():
            n = max(1, int((560 if hall == center else 24) * load * scene.fraction * rng.uniform(0.85, 1.15)))
            free: dict[str, float] = {}
            for codes in units.values():
                for c in codes:
                    arrivals = [p.first_in[day] for p in staff_of[c] if day in p.first_in]
                    if arrivals:
                        free[c] = max(OPEN, min(arrivals))
            groups = list(units)
            weights = [len(units[u]) for u in groups]
            letters = {u: chr(65 + i % 26) for i, u in enumerate(groups)}
            for seq, taken in enumerate(_arrivals(rng, n), 1):
                if not scene.past(day, taken):
                    break
                unit = rng.choices(groups, weights)[0]
                tid, number = f"{hall}-{day:%Y%m%d}-{seq:04d}", f"{letters[unit]}{seq:03d}"
                open_windows = [c for c in units[unit] if c in free]
                code = min(open_windows, key=lambda c: free[c]) if open_windows else None
                at = max(taken, free[code]) if code else CLOSE
                if NOON <= at < AFTERNOON:
                    at = AFTERNOON + (at - NOON) / 4
                if (
                    code is None
                    or at - taken > rng.uniform(30, 80) * 60
                    or at >= CLOSE
                    or not scene.past(day, at)
                ):
                    scene.rows["tickets"].append([tid, hall, _stamp(day, taken), "", "", "", number])
                    continue
                served = at + rng.uniform(8, 24) * 60 * speed[code]
                free[code] = served + rng.uniform(10, 60)
                done = _stamp(day, served) if scene.past(day, served) else ""
                scene.rows["tickets"].append(
                    [tid, hall, _stamp(day, taken), _stamp(day, at), done, code, number]
                )


def absences(scene: Scene, people: list[Person]) -> None:
    """A few absences from post found by inspections, patrols and complaints (sloppy staff first)."""
    rng = scene.rng
    sloppy = sorted(people, key=lambda p: -p.late)[:12]
    workdays = [d for d in scene.days if scene.cal.is_workday(d) and d < scene.end]
    sources = (("inspection", "JC"), ("patrol", "XC"), ("video", "SP"), ("complaint", "TS"))
    notes = (
        "检查时窗口无人，经查擅自离岗",
        "巡查发现上班时间离开窗口超过30分钟",
        "视频巡查发现窗口空岗",
        "群众反映办事时窗口人员不在岗",
    )
    for n in range(10):
        p = rng.choice(sloppy)
        day = rng.choice(workdays)
        if day not in p.first_in:
            continue
        second = rng.choice(
            (rng.randrange(9 * 3600 + 1800, 11 * 3600 + 1800), rng.randrange(14 * 3600 + 1800, 17 * 3600))
        )
        source, prefix = rng.choice(sources)
        scene.rows["absences"].append(
            [
                p.code,
                _stamp(day, second),
                source,
                f"{prefix}{day.year}-{n + 1:03d}",
                notes[sources.index((source, prefix))],
            ]
        )


def kiosks(scene: Scene) -> None:
    """Nineteen kiosks: seven in the center's 24-hour area (three report heartbeats), the rest in the
    streets (status changes); short outages now and then, one long outage with a fault repaired
    late, and one kiosk down now with its fault overdue."""
    rng, district = scene.rng, scene.district
    streets = [u for u in district.units if u[3] == "street"]
    offered = [i.code for i in district.items if i.online != "none" and i.level != "village"]
    since = datetime.combine(scene.start, time(0), tzinfo=TZ)
    until = scene.until
    for n in range(KIOSKS):
        in_center = n < 7
        unit = f"{district.code}-ZX" if in_center else streets[(n - 7) % len(streets)][0]
        place = (
            "区政务服务中心24小时自助区"
            if in_center
            else f"{next(u[1] for u in streets if u[0] == unit)}便民服务中心自助区"
        )
        code = f"{district.code}-ZZ{n + 1:02d}"
        heartbeat = n < 3
        items = sorted(rng.sample(offered, min(len(offered), 175 if in_center else rng.randint(40, 90))))
        scene.rows["kiosks"].append(
            [
                code,
                f"24小时自助服务终端{n + 1}号",
                unit,
                place,
                "",
                "是",
                "1200" if heartbeat else "0",
                ",".join(items),
            ]
        )
        outages = []
        t = since + timedelta(hours=rng.uniform(24, 24 * 25))
        while t < until:
            outages.append((t, t + timedelta(minutes=rng.uniform(5, 55))))
            t += timedelta(hours=rng.uniform(24 * 12, 24 * 40))
        if n == 9:  # seed 003: 收不到验证码、打印故障 one evening, repaired a day after its deadline
            day = scene.end - timedelta(days=12)
            while not all(scene.cal.is_workday(day + timedelta(days=k)) for k in range(3)):
                day -= timedelta(days=1)
            back = datetime.combine(day + timedelta(days=2), time(15, 40), tzinfo=TZ)
            outages.append((datetime.combine(day, time(20, 10), tzinfo=TZ), back))
        if n == 14:  # down now: its fault overdue
            outages.append((until - timedelta(days=3, hours=2), until + timedelta(days=30)))
        outages.sort()
        if heartbeat:
            t = since
            while t < until:
                if not any(a <= t < b for a, b in outages):
                    scene.rows["kiosk_status"].append(
                        [
                            code,
                            (t + timedelta(seconds=rng.randint(0, 40))).strftime("%Y-%m-%dT%H:%M:%S"),
                            "up",
                        ]
                    )
                t += timedelta(minutes=10)
        else:
            scene.rows["kiosk_status"].append([code, since.strftime("%Y-%m-%dT%H:%M:%S"), "up"])
            for a, b in outages:
                if a < until:
                    scene.rows["kiosk_status"].append([code, a.strftime("%Y-%m-%dT%H:%M:%S"), "down"])
                if b < until:
                    scene.rows["kiosk_status"].append([code, b.strftime("%Y-%m-%dT%H:%M:%S"), "up"])
        faults(scene, code, n, outages)


CATEGORIES = (("printer", "打印机卡纸，无法打印回执"), ("network", "网络中断，终端无法连接政务服务网"),
              ("screen", "触摸屏失灵"), ("reader", "身份证读卡器无法识别"), ("sms", "收不到手机验证码"),
              ("power", "终端死机，重启后无法进入系统"))  # fmt: skip


def faults(scene: Scene, code: str, n: int, outages: list[tuple[datetime, datetime]]) -> None:
    """Fault tickets for the longer outages: repaired when the kiosk came back."""
    rng = scene.rng
    for i, (a, b) in enumerate(outages):
        if (b - a) < timedelta(minutes=40) or a >= scene.until:
            continue
        category, text = CATEGORIES[(n + i) % len(CATEGORIES)]
        if n == 9:
            category, text = "sms", "收不到手机验证码，打印回执时卡纸"
        reported = a + timedelta(minutes=rng.randint(10, 30))
        repaired = b if b < scene.until else None
        scene.rows["kiosk_faults"].append([
            f"GZ-{code}-{i + 1:02d}", code, reported.strftime("%Y-%m-%dT%H:%M:%S"), category, text,
            repaired.strftime("%Y-%m-%dT%H:%M:%S") if repaired else "", "更换配件后恢复正常" if repaired else "",
        ])  # fmt: skip


ASSIST_MATTERS = {
    "home": (
        "老年人社保待遇资格认证上门办理",
        "残疾人证换领上门办理",
        "高龄津贴申领上门办理",
        "居民身份证上门采集",
    ),
    "proxy": ("企业开办全程代办", "工程建设项目审批代办", "不动产登记代办", "个体工商户设立代办"),
    "assist": ("社保卡补换帮办", "医保异地就医备案帮办", "营业执照变更帮办", "住房公积金提取帮办"),
}
OUTCOMES = {
    "done": "已当场办结，群众满意",
    "unresolved": "材料不全，已一次性告知所需材料",
    "cancelled": "申请人不再需要",
}


def assists(scene: Scene, people: list[Person]) -> None:
    rng = scene.rng
    by_unit: dict[str, list[str]] = defaultdict(list)
    for p in people:
        by_unit[p.unit].append(p.code)
    units = [u for u in by_unit if "-B" in u or "-J" in u]
    workdays = [d for d in scene.days if scene.cal.is_workday(d)]
    for n in range(1, 61):
        kind = rng.choices(("assist", "proxy", "home"), (0.45, 0.3, 0.25))[0]
        unit = rng.choice([u for u in units if "-J" in u] if kind == "home" else units)
        group = (
            rng.choice(("elderly", "disabled"))
            if kind == "home"
            else rng.choice(("elderly", "enterprise", "other"))
        )
        if kind == "proxy":
            group = "enterprise"
        day = rng.choice(workdays)
        requested = datetime.combine(day, time(0), tzinfo=TZ) + timedelta(
            seconds=rng.randrange(OPEN, CLOSE - 3600)
        )
        if requested >= scene.until:
            continue
        age = (scene.until - requested).days
        status = (
            rng.choices(("done", "unresolved", "cancelled"), (0.88, 0.08, 0.04))[0]
            if age > 7
            else rng.choice(("requested", "helping", "done"))
        )
        helpers = (
            rng.sample(by_unit[unit], min(len(by_unit[unit]), rng.choice((1, 1, 2))))
            if status != "requested"
            else []
        )
        finished = ""
        if status in ("done", "unresolved", "cancelled"):
            later = rng.choice((0, 0, 1, 2, 3, 5))
            done_day = scene.cal.add_workdays(day, later).date if later else day
            moment = datetime.combine(done_day, time(16, rng.randrange(60)), tzinfo=TZ)
            finished = min(max(moment, requested + timedelta(hours=1)), scene.until).strftime(
                "%Y-%m-%dT%H:%M:%S"
            )
        scene.rows["assists"].append([
            f"BB-{scene.district.code}-{n:04d}", unit, kind, requested.strftime("%Y-%m-%dT%H:%M:%S"), group, "",
            rng.choice(ASSIST_MATTERS[kind]), ",".join(helpers), status, finished, OUTCOMES.get(status, ""),
            f"137{rng.randrange(10**8):08d}", f"幸福路{rng.randint(1, 200)}号" if kind == "home" else "",
        ])  # fmt: skip


def write_window_files(
    directory: Path, district, until: datetime, seed: int, fraction: float = 1.0
) -> dict[str, Any]:
    """Write the window-operation files of `district` into `directory` and the gold-medal rounds to
    rank (gold.json): the previous quarter awarded, the current one a draft."""
    start, end = period(until)
    scene = Scene(random.Random(seed * 1_000_003 + 12), district, _calendar(), start, end, until, fraction)
    window_unit, people = windows_and_staff(scene)
    attendance(scene, people)
    tickets(scene, window_unit, people)
    absences(scene, people)
    kiosks(scene)
    assists(scene, people)
    files = {}
    for kind, header in FILES.items():
        path = directory / f"{kind}.csv"
        part = path.with_suffix(".csv.part")
        with part.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(scene.rows[kind])
        part.replace(path)
        files[kind] = {"path": str(path), "rows": len(scene.rows[kind])}
    previous = start
    current = _quarter_start(end)
    rounds = [
        {"region": district.code, "year": previous.year, "quarter": (previous.month - 1) // 3 + 1, "award": True,
         "at": datetime.combine(current + timedelta(days=6), time(10), tzinfo=TZ).isoformat()},
        {"region": district.code, "year": current.year, "quarter": (current.month - 1) // 3 + 1, "award": False,
         "at": until.isoformat()},
    ]  # fmt: skip
    gold = directory / "gold.json"
    gold.write_text(json.dumps({"rounds": rounds}, ensure_ascii=False, indent=1), encoding="utf-8")
    files["gold"] = {"path": str(gold), "rows": len(rounds)}
    return {"from": start.isoformat(), "to": end.isoformat(), "files": files}


def load_gold(kind: str, path: str | Path, *, operator_label: str | None = None):
    """Rank (and award) the demo's gold-medal rounds of gold.json as the office would, once: the
    loader `govwatch demo-load` calls for that file. Records an ImportRun of `kind` for the file."""
    from django.utils import timezone

    from govwatch.audit.log import Actor
    from govwatch.imports.models import ImportRun
    from govwatch.imports.results import ImportResult
    from govwatch.orgs.models import Unit
    from govwatch.windows.gold import GoldError, do_award, do_rank

    label = operator_label or "cli:demo"
    result = ImportResult(kind=kind, filename=str(path))
    run = ImportRun.objects.create(kind=kind, filename=str(path)[:500], operator_label=label)
    actor = Actor(label)
    for line, spec in enumerate(json.loads(Path(path).read_text(encoding="utf-8"))["rounds"], 1):
        result.read += 1
        region = Unit.objects.filter(code=spec["region"]).first()
        if region is None:
            result.reject(line, "region", f"单位编码 {spec['region']} 不存在")
            continue
        at = datetime.fromisoformat(spec["at"])
        try:
            round_ = do_rank(actor, region, spec["year"], spec["quarter"], at=at)
            if spec.get("award"):
                do_award(actor, round_, at=at)
        except GoldError as exc:
            result.reject(line, "quarter", str(exc))
            continue
        result.imported += 1
    run.read, run.imported, run.rejected = result.read, result.imported, result.rejected
    run.errors, run.finished_at = result.document()["errors"], timezone.now()
    run.save()
    return result
