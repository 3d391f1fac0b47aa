"""The demo region's rectification lists and hall inspections (seeds 003, 000 and 001).

`write_lists` (called by the generator) writes, beside the five files of section 2:
- `rectification.xlsx`: the 18 problems in four aspects that an inspection tour handed to a
  district's administrative approval bureau (seed 003), in the form the office keeps them: a merged
  title row, each aspect a merged row of its own, Chinese dates;
- `rectification_openness.csv`: a quarterly government-openness problem list (seed 001);
- `rectification.json`: the moment the demo stands at and the district it belongs to.

`govwatch demo-load DIR` (govwatch.demo.loading, run by scripts/start) imports both lists through
the real importer, then `load_history` plays their history up to that moment through the real
services: progress reports, requests for sign-off with evidence, sign-offs, a send-back, a
look-back that finds a relapse and reopens the problem, problems left overdue or due within three
working days; an open elderly-friendly hall inspection (seed 000) with failures, a secret
window-discipline check not yet published, and the bureau's integrity risk points. It records an
import run of kind `demo_rectification`, so loading the demo again changes nothing.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
LIST_CODE = "XC-2026-01"
OPENNESS_CODE = "GK-Q4"
TITLE = "区行政审批局优化营商环境专项巡察反馈问题整改清单"

# Seed 003: the four aspects and 18 problems, each with its leader, the unit that answers for it
# ("bureau": the bureau itself, "center": the service center, "K1".."K4": the bureau's sections),
# its plan in the demo (see PLAN) and its measures.
ASPECTS = (
    ("（一）关于学习贯彻党中央深化“放管服”改革、优化营商环境决策部署方面存在的问题", (
        ("对上级精神和工作部署学习贯彻不够深入，未对优化营商环境重要论述开展专题学习", "林局长", "bureau", "signed", "列入党组理论学习中心组计划，每两周一次局务会学习"),
        ("优化营商环境主动担当意识不强，牵头单位统筹调度、督促督办和培训指导不充分", "徐副局长", "bureau", "signed", "成立高效办成一件事推进领导小组，细化考核指标"),
        ("坚持问题导向、破解难题缺乏新举措，改革按部就班、照搬照套", "徐副局长", "K1", "relapse", "制定推进高效办成一件事工作方案及责任清单"),
    )),
    ("（二）关于落实优化营商环境任务措施方面存在的问题", (
        ("政务审批“五减”落实不到位，60项事项未按规定调用电子证照，减时限成效排名靠后", "吴副局长", "K1", "signed", "完成电子证照入库和免提交标注"),
        ("政务服务一体化平台“五通”不通畅，省垂系统打通不足三分之一", "吴副局长", "bureau", "submitted", "配合省市推进系统打通和证照库互通"),
        ("“一网通办”水平有待提升，577项街道事项未实现全程网办", "滕副局长", "center", "signed", "重新设置网办深度，及时修正办事指南"),
        ("“一事联办”需提速增效，计划9项主题事项仅落地4项", "滕副局长", "K2", "signed", "完成市级4项主题事项对标定标并上线"),
        ("“一窗通办”覆盖不足，3个区直单位、4个街道未完成全覆盖", "滕副局长", "center", "overdue", "印发三级事项清单，推进综合窗口全覆盖"),
        ("24小时自助服务终端管理机制不完善，部分点位收不到验证码、打印故障", "朱副局长", "center", "signed", "制定自助服务管理制度，加强监控巡查"),
        ("“好差评”接入事项占比不高，主动评价率有差距，22个事项未评价", "朱副局长", "center", "soon", "加强评价设备管理，引导“一次一评”"),
        ("企业开办、变更、注销便利性不够，刻章需二次录入、变更材料多次退回", "吴副局长", "K1", "signed", "引入“云帮办”，一次性告知并专人引导"),
        ("窗口服务质效有待提升，排队时间长，工作人员业务不精", "朱副局长", "center", "returned", "调整窗口设置，每周三开展业务和礼仪培训"),
        ("“互联网+监管”力度不够，线上监管行为少，“双随机、一公开”覆盖率仅7.25%", "鄢副局长", "bureau", "later", "制定推进方案和考核打分细则，每日一检查"),
    )),
    ("（三）关于影响市场主体在市场经济活动中的体制机制性方面存在的问题", (
        ("职能职责交叉、互相推诿扯皮：与行业主管部门职责边界不清，企业群众两头跑；审批与监管衔接不畅，"
         "“谁审批谁监管”争议久拖不决", "林局长", "K3", "later", "签订审批职能交接备忘录，印发撤销冒名登记工作通知，建立审管沟通机制"),
    )),
    ("（四）关于治理“庸懒散慢乱浮”等机关干部作风方面存在的问题", (
        ("主动作为不够，服务企业不主动，向上联系对接不够", "林局长", "bureau", "submitted2", "班子成员认领“我为群众办实事”项目"),
        ("纪律管理不严，违反考勤制度问题未举一反三；个别工作人员现场检查时收受健身卡", "林局长", "K4", "overdue2", "严格考勤备案审核，制定岗位廉政风险点及防控措施表"),
        ("任务推进拖拉，政务服务时效意识不强，企业开办办理速度慢", "徐副局长", "center", "soon2", "集中整治办事拖拉、效率低下问题，每月监督检查"),
        ("归口管理机制不健全，政府信息公开工作交接无手续", "徐副局长", "bureau", "lookback_due", "建立与大数据中心的工作沟通联络机制"),
    )),
)  # fmt: skip
# Seed 001: the quarterly government-openness problem list the office works through.
OPENNESS = (
    ("政府信息公开专栏更新不及时，部分政策文件未在规定时限内公开", "B02", "overdue"),
    ("重要政策文件未同步发布政策解读", "B03", "soon"),
    ("依申请公开答复格式不规范，告知救济渠道不完整", "B04", "later"),
)

# Working days from the demo's moment to each kind of deadline (negative: already past).
DEADLINE_DAYS = {"signed": -20, "relapse": -60, "submitted": 8, "submitted2": 15, "overdue": -9, "overdue2": -3,
                 "soon": 2, "soon2": 3, "later": 25, "returned": 12, "lookback_due": -70}  # fmt: skip


def _units(district: str) -> dict[str, str]:
    bureau = f"{district}-B01"
    return {"bureau": bureau, "center": f"{district}-ZX", **{f"K{k}": f"{bureau}-K{k}" for k in range(1, 5)}}


def _workdays_from(day: date, n: int) -> date:
    """The n-th weekday from `day` (back for n < 0): the generator's files are read before any
    holiday calendar is loaded, and a demo deadline need only land on a plausible day."""
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        day += timedelta(days=step)
        if day.weekday() < 5:
            left -= 1
    return day


def write_lists(directory: Path, district: str, as_of: datetime) -> list[Path]:
    """Write the demo's rectification files into `directory`; returns their paths."""
    from govwatch.core.sheets import Workbook
    from govwatch.imports.rectification import HEADER

    today = as_of.astimezone(TZ).date()
    feedback = today - timedelta(days=110)
    units = _units(district)
    book = Workbook()
    sheet = book.active
    sheet.title = "整改清单"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    no = 0
    for aspect, problems in ASPECTS:
        sheet.append([aspect])
        sheet.merge_cells(
            start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(HEADER)
        )
        for text, leader, unit, plan, measures in problems:
            no += 1
            deadline = _workdays_from(today, DEADLINE_DAYS[plan])
            sheet.append([LIST_CODE, TITLE, "巡察", f"{feedback.year}年{feedback.month}月{feedback.day}日", str(no), "",
                          text, leader, units[unit], f"{deadline.year}年{deadline.month}月{deadline.day}日", measures])  # fmt: skip
    xlsx = directory / "rectification.xlsx"
    book.save(xlsx)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_end = quarter_start - timedelta(days=1)
    q = (last_quarter_end.month - 1) // 3 + 1
    name = f"{last_quarter_end.year}年度第{q}季度政务公开问题清单"
    csv_path = directory / "rectification_openness.csv"
    from govwatch.imports.rectification import HEADER

    lines = [",".join(HEADER)]
    for i, (text, dept, plan) in enumerate(OPENNESS, start=1):
        deadline = _workdays_from(today, DEADLINE_DAYS[plan])
        lines.append(",".join([OPENNESS_CODE, name, "政务公开", quarter_start.isoformat(), str(i), "政务公开",
                               text, "", f"{district}-{dept}", deadline.isoformat(), "对照问题清单逐项整改"]))  # fmt: skip
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = directory / "rectification.json"
    manifest.write_text(
        json.dumps({"as_of": as_of.astimezone(TZ).isoformat(), "district": district}, ensure_ascii=False)
    )
    return [xlsx, csv_path, manifest]


# -- loading: the history up to the demo's moment ---------------------------------------------------


def _actor(username: str):
    """Someone of the demo acting through the services; marked as the demo's doing (source "demo"),
    with no account behind it, so the play does not depend on `demo-users` having run."""
    from govwatch.audit.log import Actor

    return Actor(f"user:{username}", None, "demo")


def _on_workday(as_of: datetime, n: int, clock: time) -> datetime:
    return datetime.combine(_workdays_from(as_of.astimezone(TZ).date(), n), clock, tzinfo=TZ)


def _photo(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 150, 1050, 750), outline=(255, 255, 255), width=12)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


EVIDENCE = ("整改情况报告.pdf", b"%PDF-1.4\n% GovWatch demo evidence\n")


def _play_list(as_of: datetime) -> None:
    from govwatch.rectification import actions
    from govwatch.rectification.models import Problem

    bureau, center, supervisor = _actor("unitstaff"), _actor("zhongxin"), _actor("supervisor")
    plans = [plan for _, problems in ASPECTS for *_, plan, _ in problems]
    problems = {p.no: p for p in Problem.objects.filter(rlist__code=LIST_CODE)}
    opened = min(p.created_at for p in problems.values())

    def moment(days_after_open: float) -> datetime:
        return min(as_of - timedelta(hours=1), opened + timedelta(days=days_after_open, hours=10))

    for no, plan in enumerate(plans, start=1):
        problem = problems.get(str(no))
        if problem is None:
            continue
        unit = center if problem.unit.code.endswith("-ZX") else bureau
        early = 1 if plan in ("relapse", "lookback_due") else 25 + no
        actions.do_report_progress(unit, problem, f"已制定整改方案：{problem.measures}，正在推进。",
                                   at=moment(max(0, min(early, 7 + no % 5) - 1)))  # fmt: skip
        if plan in ("signed", "relapse", "lookback_due"):
            problem = actions.do_submit(
                unit, problem, "整改已完成，附整改报告及制度文件。", (EVIDENCE,), at=moment(early + 1)
            )
            actions.do_sign_off(supervisor, problem, "佐证材料齐全，整改到位", at=moment(early + 2))
        elif plan in ("submitted", "submitted2"):
            actions.do_submit(unit, problem, "整改已完成，请审核销号。", (EVIDENCE,),
                              at=min(as_of, _on_workday(as_of, -1, time(16, 20))))  # fmt: skip
        elif plan == "returned":
            problem = actions.do_submit(unit, problem, "已调整窗口设置。", (EVIDENCE,), at=moment(60))
            actions.do_send_back(
                supervisor, problem, "仅调整了窗口设置，未见培训记录和高峰期分流措施，请补充", at=moment(62)
            )
    relapse = problems.get(str(plans.index("relapse") + 1))
    if relapse is not None:
        relapse.refresh_from_db()
        actions.do_look_back(
            supervisor, relapse, held=False, note="回头看发现改革创新工作再次按部就班，责任清单未更新",
            new_deadline=_workdays_from(as_of.astimezone(TZ).date(), 15), at=min(as_of, _on_workday(as_of, -2, time(15))),
        )  # fmt: skip


def _play_openness(as_of: datetime) -> None:
    from govwatch.rectification import actions
    from govwatch.rectification.models import Problem

    problem = Problem.objects.filter(rlist__code=OPENNESS_CODE, no="2").first()
    if problem is not None:
        actions.do_report_progress(_actor("unitstaff"), problem, "已起草政策解读，待审核后发布。",
                                   at=min(as_of, _on_workday(as_of, -3, time(11))))  # fmt: skip


def _inspections(district: str, as_of: datetime) -> None:
    from govwatch.hallchecks import actions
    from govwatch.hallchecks.models import ChecklistTemplate
    from govwatch.hallchecks.shipped import ensure_shipped
    from govwatch.orgs.models import Unit

    ensure_shipped()
    center = Unit.objects.get(code=f"{district}-ZX")
    inspector = _actor("supervisor")
    elderly = ChecklistTemplate.objects.get(name="适老化服务检查表")
    failures = {
        4: ("咨询台和窗口均未配备放大镜、老花镜", _photo((90, 110, 140))),
        5: ("医药箱过期药品未清理，缺少常用药", _photo((140, 90, 90))),
        7: ("咨询台未设置老年人服务专席，老年人需自行排队取号", _photo((110, 130, 90))),
    }
    results = []
    for item in elderly.current_items():
        note, photo = failures.get(item.position, ("", None))
        results.append(
            actions.ItemResult(
                item, "fail" if note else "pass", note, [(f"现场{item.position}.jpg", photo)] if photo else []
            )
        )
    actions.do_record_inspection(
        inspector, template=elderly, unit=center, mode="open", results=results, rectify_days=10,
        note="对照适老化服务要求全流程体验，绿色通道、现金缴费窗口运行正常，发现 3 项问题。",
        at=min(as_of, _on_workday(as_of, -6, time(10, 30))),
    )  # fmt: skip
    discipline = ChecklistTemplate.objects.get(name="窗口工作纪律检查表")
    results = [
        actions.ItemResult(item, "fail" if item.position == 3 else "pass",
                           "下午 2:40 一名窗口工作人员在工作时间玩手机游戏" if item.position == 3 else "")
        for item in discipline.current_items()
    ]  # fmt: skip
    actions.do_record_inspection(inspector, template=discipline, unit=center, mode="secret", results=results,
                                 rectify_days=5, at=min(as_of, _on_workday(as_of, -1, time(14, 40))))  # fmt: skip


def _risk_points(district: str, as_of: datetime) -> None:
    from govwatch.integrity.actions import do_save_risk
    from govwatch.orgs.models import Unit

    units = {u.code: u for u in Unit.objects.filter(code__startswith=f"{district}-B01")}
    rows = (
        (
            "K4",
            "现场核查岗",
            "审批前现场检查时收受服务对象财物（如健身卡）",
            "high",
            "两人同行、全程记录，核查结果公示，法纪科不定期抽查",
            350,
        ),
        (
            "K1",
            "市场准入审批岗",
            "违规受理、超时办理或“吃拿卡要”",
            "medium",
            "一次性告知、限时办结，办件全程留痕并接受电子监察",
            200,
        ),
        (
            "K3",
            "建设项目审批岗",
            "设置不合理条件或为特定企业提供便利",
            "high",
            "审批标准公开，集体研究，重大事项报分管领导签批",
            30,
        ),
        ("K2", "社会事务审批岗", "材料审核把关不严", "low", "双人复核，定期抽查审批档案", 100),
    )
    for section, post, risk, level, controls, days_ago in rows:
        unit = units.get(f"{district}-B01-{section}")
        if unit is not None:
            do_save_risk(_actor("unitstaff"), None, unit=unit, post=post, risk=risk, level=level, controls=controls,
                         at=as_of - timedelta(days=days_ago))  # fmt: skip


@dataclass
class HistoryResult:
    """What `govwatch demo-load` reports of the played history (the import document's shape)."""

    read: int = 0
    imported: int = 0
    warnings: tuple = ()

    def document(self) -> dict:
        return {"read": self.read, "imported": self.imported, "duplicates": 0, "rejected": 0, "errors": []}


def load_history(kind: str, path: str, *, operator_label: str | None = None) -> HistoryResult:
    """Play the demo lists' history (rectification.json: the demo's moment and district) through the
    services, once the lists are imported (demo-load imports them first), and record the run."""
    from django.db import transaction
    from django.utils import timezone

    from govwatch.imports.models import ImportRun
    from govwatch.rectification.models import RectificationList

    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    as_of = datetime.fromisoformat(manifest["as_of"])
    district = manifest["district"]
    result = HistoryResult(read=1)
    run = ImportRun.objects.create(
        kind=kind, filename=str(path)[:500], operator_label=operator_label or "cli:demo-load"
    )
    if not RectificationList.objects.filter(code=LIST_CODE).exists():
        result.warnings = (f"整改清单 {LIST_CODE} 尚未导入（rectification.xlsx），演示过程未载入",)
    else:
        with transaction.atomic():
            _play_list(as_of)
            _play_openness(as_of)
            _inspections(district, as_of)
            _risk_points(district, as_of)
        result.imported = 1
    run.read, run.imported, run.warnings, run.finished_at = (
        result.read,
        result.imported,
        list(result.warnings),
        timezone.now(),
    )
    run.save()
    return result
