"""Evaluation data as it really comes in, and the faults of contract section 8 planted in it.

`EvaluationRealism` sits between the simulation and the files (it wraps the CSV writers) and makes
the honest data look like a real region's, so that the checks' precision means something:
- halls with opening hours (units' `hours`), and a device rating only while the hall is open (a
  citizen served after closing time rates later, by SMS);
- most device ratings anonymous, citizens who come back a few times a year under the same number,
  families who rate their two or three cases together;
- busy windows that really record ratings seconds apart: families and firms whose several cases
  are completed together and rated one after the other on the device;
- the short comments everyone writes (满意, 很好) and free text of one's own.

With `plant=True` it also plants, per district, faults of every kind of section 8 (each planted
evaluation shows its own kind only) and writes the answers to `evaluation_faults.json`, which
`govwatch checks score` reads. Randomness comes from its own generator, seeded from the region's
seed, so the simulation's own draws are the same with or without it.
"""

from __future__ import annotations

import bisect
import json
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

DAY = 86400
HOURS = "08:30-12:00,13:30-17:30"  # the simulation's office hours (generator.MORNING_START ...)
OPEN, LUNCH, REOPEN, CLOSE = 8 * 3600 + 1800, 12 * 3600, 13 * 3600 + 1800, 17 * 3600 + 1800
LATE_DEVICE = CLOSE + 1800  # after this a device rating is moved to SMS (the citizen has left)
ANSWERS = "evaluation_faults.json"

ANONYMOUS_DEVICE = 0.7
RETURNING = 0.12  # of the evaluations with an evaluator: someone who rated before this year
RETURN_LIMIT = 3
RETURNING_POOL = 5_000  # evaluators per district who may come back
SHORT_COMMENT = 0.07
OWN_COMMENT = 0.03
RESERVOIR = 800
MISSING_MIN_MONTHLY = 60  # completed cases a month where a month left out is planted
WINDOW_SHARE = 0.5  # of a unit's cases, those accepted at a window (the rest online, mobile, kiosk)  # completed cases remembered per unit that faults may be planted in
SHORT_COMMENTS = (
    "满意",
    "很好",
    "非常满意",
    "好",
    "赞",
    "服务好",
    "点赞",
    "很满意",
    "满意！",
    "非常好",
    "好评",
    "不错",
)
OWN_OPENINGS = (
    "今天来办",
    "上午来办理",
    "下午过来办",
    "第一次来办",
    "帮家里人办",
    "替公司来办",
    "趁午休前来办",
)
OWN_MIDDLES = (
    "，{w}号窗口的工作人员很耐心，{m}分钟就办好了",
    "，材料没带齐，{w}号窗口的同志一次性告诉我缺什么，{m}分钟补齐办结",
    "，取号后等了{m}分钟，窗口讲解很清楚",
    "，{s}老师帮我把表格一项项填好，前后{m}分钟",
    "，原以为要跑好几趟，结果{m}分钟一次办成",
    "，自助机不会用，大厅引导员带着操作，{m}分钟搞定",
)
OWN_ENDINGS = ("，点赞！", "，谢谢！", "。", "，给个好评。", "，比以前方便多了。", "，希望继续保持。", "！")
COMPLAINT_OPENINGS = (
    "",
    "这次办事",
    "上周来办，",
    "说实话，",
    "第二次来了，",
    "来办业务，",
    "反映一下：",
    "唉，",
)
COMPLAINT_ENDINGS = (
    "。",
    "！",
    "，希望改进。",
    "，请领导重视。",
    "，太耽误事了。",
    "，很失望。",
    "，建议整改。",
)
STAFF_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
# What a unit's staff write when they make up evaluations: long, warm, and all alike.
FAKE_OPENINGS = ("{unit}", "在{unit}办事，", "{unit}的", "给{unit}点赞：", "")
FAKE_COMMENTS = (
    "窗口工作人员服务热情周到，办事效率非常高，为民服务真心实意！",
    "工作人员业务熟练，一次性告知所需材料，全程耐心细致，非常满意！",
    "感谢窗口同志的热情帮助，政务服务越来越便民高效，点赞点赞！",
    "办事流程简单快捷，工作人员态度和蔼可亲，真正做到了群众满意。",
    "服务态度一流，办事效率一流，为这个窗口的全体工作人员点赞！",
    "窗口工作人员主动靠前服务，手把手指导填表，让群众少跑腿，非常感谢！",
)


def _volumes(district) -> dict[str, float]:
    """Each unit's share of the district's demand (its items' weights)."""
    volume: dict[str, float] = defaultdict(float)
    previous = 0.0
    for item, cum in zip(district.items, district.cum_weights, strict=True):
        volume[item.unit_code] += cum - previous
        previous = cum
    return volume


def _clock(sec: int) -> str:
    return f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}+08:00"


def stamp(t: int) -> str:
    d, s = divmod(t, DAY)
    return f"{date.fromordinal(d).isoformat()}T{_clock(s)}"


def moment(text: str) -> int:
    """Simulation seconds (local day ordinal * DAY + second of day) of a row's `at`."""
    d = date(int(text[0:4]), int(text[5:7]), int(text[8:10])).toordinal()
    return d * DAY + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])


@dataclass
class Done:
    """A completed case a fault may be planted in."""

    case_no: str
    unit: str
    window: str
    accepted: int
    completed: int


@dataclass
class UnitWatch:
    """What is remembered of one target unit's cases: a fair sample of the completed ones."""

    done: list[Done] = field(default_factory=list)
    seen: int = 0
    evaluated: set[str] = field(default_factory=set)  # of the sample's cases, those rated
    members: set[str] = field(default_factory=set)  # the sample's case numbers


class _Writer:
    """A csv writer's stand-in: rows pass through `change`, which may drop them (None)."""

    def __init__(self, writer: Any, change) -> None:
        self.writer = writer
        self.change = change

    def writerow(self, row: Iterable) -> None:
        row = self.change(tuple(row))
        if row is not None:
            self.writer.writerow(row)

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


@dataclass
class Fault:
    kind: str
    unit_code: str
    window_code: str | None
    eval_ids: list[str] = field(default_factory=list)
    month: str = ""

    def document(self) -> dict:
        doc: dict[str, Any] = {
            "kind": self.kind,
            "unit_code": self.unit_code,
            "window_code": self.window_code,
        }
        if self.kind == "missing_evaluations":
            doc["month"] = self.month
        else:
            doc["eval_ids"] = self.eval_ids
        return doc


class EvaluationRealism:
    def __init__(
        self, seed: int, year: int, districts: list, end: int | None, workdays: list[date], plant: bool = True
    ) -> None:
        self.rng = random.Random(f"evaluation-faults/{seed}/{year}")
        self.year = year
        self.districts = districts
        self.plant = plant
        year_end = date(year + 1, 1, 1).toordinal() * DAY
        self.end = year_end if end is None else min(end, year_end)
        every = [d.toordinal() for d in workdays]
        self.workday_set = set(every)
        self.workdays = [d for d in every if d * DAY < self.end - DAY]
        self.writers: dict[str, Any] = {}
        self.returning: dict[str, list[list]] = defaultdict(list)  # district code -> [[phone, uses]]
        self.watch: dict[str, UnitWatch] = {}
        self.open: dict[
            str, tuple[str, str, int]
        ] = {}  # the watched units' open cases: unit, window, accepted
        self.roles: dict[str, dict] = {}
        self.drop_units: dict[str, set[str]] = {}  # unit -> months whose evaluations were not entered
        self.drop_windows: dict[tuple[str, str], set[str]] = {}
        self.faults: list[Fault] = []
        self.seq = {"case": 0, "honest_eval": 0, "fake_eval": 0, "phone": 0}
        self.counts = {"honest_groups": 0, "moved_to_sms": 0, "dropped": 0}
        self.added = {"cases": 0, "evaluations": 0, "negative_dropped": 0}
        if plant:
            for district in districts:
                self._choose_targets(district)

    # -- wiring ---------------------------------------------------------------------------------

    def wrap(self, writers: dict[str, Any]) -> dict[str, Any]:
        self.writers = dict(writers)
        return {
            **writers,
            "units": _Writer(writers["units"], self._unit_row),
            "cases": _Writer(writers["cases"], self._case_row),
            "evaluations": _Writer(writers["evaluations"], self._evaluation_row),
        }

    def _unit_row(self, row: tuple) -> tuple:
        if row[0] == "code":
            return (*row, "hours")
        # Hours are set once at the top of each district (and the province); units inherit them.
        return (*row, HOURS if row[3] == "district" else "")

    def _case_row(self, row: tuple) -> tuple:
        case_no, event = row[0], row[1]
        if case_no == "case_no":  # the header
            return row
        if event == "accept":
            if row[4] in self.watch:
                self.open[case_no] = (row[4], row[7], moment(row[2]))
        elif event in ("complete", "reject", "withdraw"):
            opened = self.open.pop(case_no, None)
            if opened is not None and event == "complete":
                unit, window, accepted = opened
                self._remember(self.watch[unit], Done(case_no, unit, window, accepted, moment(row[2])))
        return row

    def _remember(self, watch: UnitWatch, done: Done) -> None:
        """Reservoir sampling: a fixed-size fair sample of the unit's completed cases."""
        watch.seen += 1
        if len(watch.done) < RESERVOIR:
            watch.done.append(done)
            watch.members.add(done.case_no)
        else:
            slot = self.rng.randrange(watch.seen)
            if slot < RESERVOIR:
                watch.members.discard(watch.done[slot].case_no)
                watch.evaluated.discard(watch.done[slot].case_no)
                watch.done[slot] = done
                watch.members.add(done.case_no)

    # -- honest evaluations ---------------------------------------------------------------------

    def _evaluation_row(self, row: tuple) -> tuple | None:
        eval_id, level, at, case_no, unit, channel, window, evaluator, auto, comment = row
        if eval_id == "eval_id":  # the header
            return row
        watch = self.watch.get(unit)
        if watch is not None and case_no in watch.members:
            watch.evaluated.add(case_no)
        t = moment(at)
        month = at[:7]
        if auto != "true" and (
            month in self.drop_units.get(unit, ()) or month in self.drop_windows.get((unit, window), ())
        ):
            if self.rng.random() < 0.96:  # the unit did not enter them (漏报); a few got through
                self.counts["dropped"] += 1
                self.added["negative_dropped"] += int(level) <= 2
                return None
        if channel == "device" and t % DAY >= LATE_DEVICE:
            channel, window = "sms", ""
            self.counts["moved_to_sms"] += 1
        if auto != "true":
            evaluator = self._evaluator(unit, channel, evaluator)
            if not comment and int(level) >= 4:
                comment = self._comment(window)
            elif comment and int(level) <= 2 and self.rng.random() < 0.85:
                comment = self._in_own_words(comment)
        return (eval_id, level, at, case_no, unit, channel, window, evaluator, auto, comment)

    def _district_of(self, unit: str) -> str:
        return unit.split("-", 1)[0]

    def _evaluator(self, unit: str, channel: str, phone: str) -> str:
        rng = self.rng
        if channel == "device" and rng.random() < ANONYMOUS_DEVICE:
            return ""
        pool = self.returning[self._district_of(unit)]
        if pool and rng.random() < RETURNING:
            person = pool[rng.randrange(len(pool))]
            if person[1] < RETURN_LIMIT:
                person[1] += 1
                return person[0]
        if len(pool) < RETURNING_POOL:
            pool.append([phone, 1])
        else:
            pool[rng.randrange(len(pool))] = [phone, 1]
        return phone

    def _comment(self, window: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < SHORT_COMMENT:
            return rng.choice(SHORT_COMMENTS)
        if r < SHORT_COMMENT + OWN_COMMENT:
            middle = rng.choice(OWN_MIDDLES).format(
                w=window.lstrip("W0") or str(rng.randint(1, 30)),
                m=rng.randint(3, 40),
                s=rng.choice(STAFF_SURNAMES),
            )
            return (
                rng.choice(OWN_OPENINGS)
                + rng.choice(("业务", "手续", "证件", "登记"))
                + middle
                + rng.choice(OWN_ENDINGS)
            )
        return ""

    def _in_own_words(self, complaint: str) -> str:
        """A complaint as one person writes it: the same grievance, not the same sentence."""
        rng = self.rng
        return rng.choice(COMPLAINT_OPENINGS) + complaint.rstrip("。！") + rng.choice(COMPLAINT_ENDINGS)

    # -- honest busy windows --------------------------------------------------------------------

    def _case_no(self, district) -> str:
        self.seq["case"] += 1
        return f"{self.year}{district.no:03d}{8_000_000 + self.seq['case']:07d}"

    def _eval_id(self, honest: bool) -> str:
        key = "honest_eval" if honest else "fake_eval"
        self.seq[key] += 1
        return f"PJ{self.year}{(80_000_000 if honest else 90_000_000) + self.seq[key]:08d}"

    def _phone(self) -> str:
        self.seq["phone"] += 1
        return f"1703{self.rng.randrange(10_000_000):07d}"

    def honest_groups(self, district) -> None:
        """Families and firms whose cases are completed together and rated one after the other."""
        rng = self.rng
        left_out = set(self.drop_units) | {u for u, _ in self.drop_windows}
        volume = _volumes(district)
        busy = sorted(
            {
                (i.unit_code, i.windows)
                for i in district.items
                if i.windows and not i.promised and i.unit_code not in left_out
            },
            key=lambda u: -volume[u[0]],
        )[:3]
        if not busy or not self.workdays:
            return
        groups = round(150 * district.yearly_cases / 96_000 * len(self.workdays) / 250)
        items = {u: [i for i in district.items if i.unit_code == u and i.promised == 0] for u, _ in busy}
        for _ in range(groups):
            unit, windows = rng.choice(busy)
            item = rng.choice(items[unit])
            window = rng.choice(windows)
            size = rng.choices((2, 3, 4, 5, 6, 7, 8), (40, 25, 12, 8, 6, 5, 4))[0]
            family = size <= 3 and rng.random() < 0.6
            phone = self._phone() if family else ""
            day = rng.choice(self.workdays)
            start = rng.choice((OPEN + 600, REOPEN + 300)) + rng.randrange(2 * 3600)
            accepted = day * DAY + start
            done = accepted + rng.randint(300, 1200)
            for k in range(size):
                case_no = self._case_no(district)
                completed = done + k * rng.randint(5, 25)
                rated = completed + rng.randint(8, 40)
                self._write_case(case_no, item.code, unit, window, item.staff[0], accepted + k, completed)
                self.added["evaluations"] += 1
                self.writers["evaluations"].writerow(
                    (self._eval_id(True), 5 if rng.random() < 0.9 else 4, stamp(rated), case_no, unit, "device",
                     window, phone, "false", "")
                )  # fmt: skip
            self.counts["honest_groups"] += 1

    def _write_case(self, case_no, item, unit, window, staff, accepted, completed) -> None:
        self.added["cases"] += 1
        cases = self.writers["cases"]
        cases.writerow((case_no, "accept", stamp(accepted), item, unit, "window", "person", window, staff, "",
                        f"{case_no}-1"))  # fmt: skip
        cases.writerow((case_no, "complete", stamp(completed), "", "", "", "", "", staff, "", f"{case_no}-2"))

    # -- the faults -----------------------------------------------------------------------------

    def _choose_targets(self, district) -> None:
        """Which units (and windows) of the district get which fault: distinct units, busy enough."""
        rng = random.Random(f"targets/{self.rng.random()}/{district.code}")
        volume = _volumes(district)
        windows = {item.unit_code: item.windows for item in district.items if item.windows}
        # Departments and streets (codes D001-B01, D001-J01): the units with a hall and volume.
        ranked = [u for u, _ in sorted(volume.items(), key=lambda kv: -kv[1]) if u.count("-") == 1]
        # The window left out is a busy one of a unit with a few windows.
        multi = sorted(
            (u for u in ranked if len(windows.get(u, ())) >= 3), key=lambda u: -volume[u] / len(windows[u])
        )
        take = [u for u in ranked[:18]]
        rng.shuffle(take)
        # A month left out is planted only where a month holds enough cases to tell it from chance
        # (a unit of thirty cases a month may well see few evaluations by chance).
        total = sum(volume.values()) or 1.0
        monthly = {u: district.yearly_cases * volume[u] / total / 12 for u in volume}
        roles: dict[str, Any] = {"missing_window": None, "missing_unit": None}
        if multi and monthly[multi[0]] * WINDOW_SHARE / len(windows[multi[0]]) >= MISSING_MIN_MONTHLY:
            roles["missing_window"] = (multi[0], rng.choice(windows[multi[0]]))
        pool = [u for u in take if not roles["missing_window"] or u != roles["missing_window"][0]]
        big = [u for u in pool if monthly[u] >= MISSING_MIN_MONTHLY]
        if big:
            roles["missing_unit"] = big[0]
            pool.remove(big[0])
        for role in (
            "unknown",
            "wrong_unit",
            "wrong_victim",
            "before",
            "rater1",
            "rater2",
            "duplicate1",
            "duplicate2",
        ):
            roles[role] = pool.pop() if pool else None  # fmt: skip
        device = [u for u in pool if len(windows.get(u, ())) >= 1]
        roles["burst"] = [(u, rng.choice(windows[u])) for u in device[:2]]
        roles["off_hours"] = [(u, rng.choice(windows[u])) for u in device[2:3]]
        self.roles[district.code] = roles
        for role, value in roles.items():
            if role in ("missing_unit", "missing_window") or not value:
                continue
            for unit in (v[0] for v in value) if isinstance(value, list) else [value]:
                self.watch.setdefault(unit, UnitWatch())
        # Months the unit (or window) left out: whole months before the end, not the first.
        months = sorted({date.fromordinal(d).strftime("%Y-%m") for d in self.workdays})[1:-1]
        if roles["missing_unit"] and months:
            first = rng.randrange(len(months))
            chosen = set(months[first : first + rng.choice((1, 2))])
            self.drop_units[roles["missing_unit"]] = chosen
            self.faults += [
                Fault("missing_evaluations", roles["missing_unit"], None, month=m) for m in sorted(chosen)
            ]
        if roles["missing_window"] and months:
            month = rng.choice(months)
            self.drop_windows[roles["missing_window"]] = {month}
            self.faults.append(Fault("missing_evaluations", roles["missing_window"][0], roles["missing_window"][1],
                                     month=month))  # fmt: skip

    def finish(self, summary) -> None:
        """After the simulation: the honest groups, then the planted faults, through the writers;
        the generator's summary counts what was added and left out."""
        for district in self.districts:
            self.honest_groups(district)
        if self.plant:
            for district in self.districts:
                self._plant(district)
        summary.events["accept"] += self.added["cases"]
        summary.events["complete"] += self.added["cases"]
        summary.counts["evaluations"] += self.added["evaluations"] - self.counts["dropped"]
        summary.negative_evaluations -= self.added["negative_dropped"]

    def _unrated(self, unit: str, window: str | None = None, before: int | None = None) -> list[Done]:
        watch = self.watch.get(unit)
        if watch is None:
            return []
        out = [
            d
            for d in watch.done
            if d.case_no not in watch.evaluated and (window is None or d.window == window)
        ]
        if before is not None:
            out = [d for d in out if d.completed < before]
        return out

    def _fake(self, fault: Fault, case_no: str, unit: str, channel: str, window: str, t: int,
              evaluator: str = "", comment: str = "", level: int = 5) -> None:  # fmt: skip
        eval_id = self._eval_id(False)
        self.added["evaluations"] += 1
        self.writers["evaluations"].writerow(
            (eval_id, level, stamp(t), case_no, unit, channel, window, evaluator, "false", comment)
        )
        fault.eval_ids.append(eval_id)
        watch = self.watch.get(unit)
        if watch is not None:
            watch.evaluated.add(case_no)

    def _office_moment(self, day: int) -> int:
        rng = self.rng
        sec = (
            rng.randrange(OPEN + 300, LUNCH - 300)
            if rng.random() < 0.5
            else rng.randrange(REOPEN + 300, CLOSE - 300)
        )
        return day * DAY + sec

    def _after(self, t: int, days: tuple[int, int]) -> int | None:
        """A working-day office moment some days after t, before the end; None when there is none."""
        i = bisect.bisect_right(self.workdays, t // DAY)
        choices = self.workdays[i + days[0] : i + days[1] + 1]
        if not choices:
            return None
        moment_ = self._office_moment(self.rng.choice(choices))
        return moment_ if moment_ < self.end else None

    def _plant(self, district) -> None:
        roles = self.roles.get(district.code, {})
        rng = self.rng
        if not self.workdays:
            return
        # unknown_case (虚报): ratings of case numbers that never existed, in the unit's name.
        if roles.get("unknown"):
            fault = Fault("unknown_case", roles["unknown"], None)
            days = sorted(rng.sample(self.workdays, min(6, len(self.workdays))))
            for _ in range(rng.randint(25, 40)):
                self.seq["case"] += 1
                case_no = f"{self.year}{district.no:03d}{9_500_000 + self.seq['case']:07d}"
                t = self._office_moment(rng.choice(days))
                self._fake(fault, case_no, roles["unknown"], rng.choice(("qr", "sms")), "", t, self._phone())
            self.faults.append(fault)
        # wrong_unit: another unit's cases rated in this unit's name.
        if roles.get("wrong_unit") and roles.get("wrong_victim"):
            fault = Fault("wrong_unit", roles["wrong_unit"], None)
            for done in rng.sample(
                self._unrated(roles["wrong_victim"]), min(30, len(self._unrated(roles["wrong_victim"])))
            ):
                t = self._after(done.completed, (1, 5))
                if t:
                    self._fake(
                        fault,
                        done.case_no,
                        roles["wrong_unit"],
                        rng.choice(("qr", "sms")),
                        "",
                        t,
                        self._phone(),
                    )
            self.faults.append(fault)
        # before_completion: rated while the case was still being handled, or never completed.
        if roles.get("before"):
            unit = roles["before"]
            fault = Fault("before_completion", unit, None)
            slow = [d for d in self._unrated(unit) if d.completed - d.accepted > 4 * 3600]
            for done in rng.sample(slow, min(25, len(slow))):
                t = done.accepted + rng.randint(1800, done.completed - done.accepted - 1800)
                self._fake(fault, done.case_no, unit, rng.choice(("qr", "web")), "", t, self._phone())
            still_open = [(c, o[2]) for c, o in self.open.items() if o[0] == unit]
            for case_no, accepted in still_open[:8]:
                t = self._after(accepted, (1, 3))
                if t:
                    self._fake(fault, case_no, unit, "qr", "", t, self._phone())
            self.faults.append(fault)
        # evaluator_many (刷评): one number rating many of its own unit's cases, several a day.
        for role in ("rater1", "rater2"):
            unit = roles.get(role)
            candidates = sorted(self._unrated(unit), key=lambda d: d.completed) if unit else []
            if len(candidates) < 15:
                continue
            fault = Fault("evaluator_many", unit, None)
            phone = self._phone()
            end = rng.randrange(14, len(candidates))
            chosen = candidates[max(0, end - rng.randint(15, 30)) : end + 1]
            first = bisect.bisect_right(self.workdays, chosen[-1].completed // DAY) + 1
            days = self.workdays[first : first + len(chosen)]
            n = 0
            for day in days:
                for _ in range(rng.randint(3, 6)):
                    if n == len(chosen):
                        break
                    t = self._office_moment(day)
                    if t < self.end:
                        self._fake(
                            fault, chosen[n].case_no, unit, rng.choice(("qr", "sms", "app")), "", t, phone
                        )
                    n += 1
            self.faults.append(fault)
        # burst: top ratings seconds apart on a window's device, of cases done days before.
        for unit, window in roles.get("burst", []):
            old = self._unrated(unit, window)
            if len(old) < 12:
                continue
            for _ in range(2):
                pick = sorted(rng.sample(old, min(len(old), rng.randint(8, 20))), key=lambda d: d.completed)
                old = [d for d in old if d not in pick]
                if len(pick) < 6:
                    continue
                t = self._after(pick[-1].completed, (2, 10))
                if not t:
                    continue
                fault = Fault("burst", unit, window)
                t = t // DAY * DAY + rng.choice((OPEN + 1800, REOPEN + 1800)) + rng.randrange(3600)
                for done in pick:
                    self._fake(
                        fault, done.case_no, unit, "device", window, t, level=5 if rng.random() < 0.95 else 4
                    )
                    t += rng.randint(2, 12)
                self.faults.append(fault)
        # off_hours: device ratings at night or on a rest day, of cases done before.
        for unit, window in roles.get("off_hours", []):
            fault = Fault("off_hours", unit, window)
            old = self._unrated(unit, window)
            last = 0
            for done in sorted(
                rng.sample(old, min(len(old), rng.randint(15, 25))), key=lambda d: d.completed
            ):
                day = done.completed // DAY + rng.randint(1, 6)
                if day * DAY + DAY >= self.end:
                    continue
                if rng.random() < 0.5:
                    t = day * DAY + rng.randint(19 * 3600 + 1800, 23 * 3600)
                else:
                    while day in self.workday_set:  # the next rest day (a make-up Saturday is not one)
                        day += 1
                    t = day * DAY + rng.randint(9 * 3600, 17 * 3600)
                if t >= self.end or abs(t - last) < 1800:
                    continue
                last = t
                self._fake(fault, done.case_no, unit, "device", window, t)
            self.faults.append(fault)
        # duplicate_comment: one invented comment on several cases, under different numbers.
        for role in ("duplicate1", "duplicate2"):
            unit = roles.get(role)
            if not unit:
                continue
            fault = Fault("duplicate_comment", unit, None)
            name = next((u[1] for u in district.units if u[0] == unit), "")
            comment = rng.choice(FAKE_OPENINGS).format(unit=name) + rng.choice(FAKE_COMMENTS)
            old = self._unrated(unit)
            for done in rng.sample(old, min(len(old), rng.randint(4, 9))):
                t = self._after(done.completed, (1, 4))
                if t:
                    self._fake(
                        fault, done.case_no, unit, rng.choice(("qr", "sms")), "", t, self._phone(), comment
                    )
            self.faults.append(fault)

    # -- the answers ----------------------------------------------------------------------------

    def write_answers(self, directory: Path) -> dict:
        first = date(self.year, 1, 1)
        last = date.fromordinal((self.end - 1) // DAY)
        faults = [f for f in self.faults if f.kind == "missing_evaluations" or f.eval_ids]
        path = directory / ANSWERS
        if self.plant:
            doc = {"format": "govwatch-evaluation-faults/1", "year": self.year, "from": first.isoformat(),
                   "to": last.isoformat(), "faults": [f.document() for f in faults]}  # fmt: skip
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        elif path.exists():
            path.unlink()
        planted: dict[str, int] = defaultdict(int)
        for f in faults:
            planted[f.kind] += len(f.eval_ids) if f.eval_ids else 1
        return {"answers": str(path) if self.plant else None, "planted": dict(planted), **self.counts}
