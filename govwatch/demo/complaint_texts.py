"""Complaint texts for the synthetic region, written the way people write and hotline operators
transcribe them: items named loosely (营业执照 for 企业设立登记, 过户 for a transfer registration),
units by their everyday short names (人社局, 市监局, 不动产) or not at all (政务大厅的窗口), streets and
communities named when the matter is theirs, varied openings, details and closings, and some noise
(typos, repeated punctuation, texts that say too little to place).

`Composer.complaint` draws one complaint: its kind (咨询, 求助, 建议, 投诉, 举报), urgency, category,
content, and, for the region's history, its outcome (closed, with a finding, a reply and a
callback result) when it was handled before the end of the simulated period. Everything is drawn
from the rng it is given, so a seed gives the same texts.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

DAY = 86400

# Everyday names of the departments (the part after the district's name), the way citizens and
# hotline operators say them; the official name is used too, less often.
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "行政审批局": ("审批局", "行政审批局", "政务大厅审批窗口", "审批科"),
    "发展和改革局": ("发改局", "发改委", "发改"),
    "教育局": ("教育局", "教育部门", "区教育局"),
    "科学技术和经济信息化局": ("科经局", "科技局", "经信局"),
    "公安分局": ("公安分局", "派出所", "户籍窗口", "公安", "出入境窗口"),
    "民政局": ("民政局", "民政", "民政部门"),
    "司法局": ("司法局", "司法部门"),
    "财政局": ("财政局", "财政"),
    "人力资源和社会保障局": ("人社局", "人社", "社保局", "人社窗口", "社保窗口", "劳动局"),
    "自然资源和规划局": ("自规局", "规划局", "国土局", "自然资源局"),
    "不动产登记中心": ("不动产", "不动产登记窗口", "不动产中心", "房产登记", "登记中心"),
    "住房和城市更新局": ("住建局", "房管局", "住房局", "住更局"),
    "城市管理执法局": ("城管", "城管局", "城管执法局", "城管窗口"),
    "交通运输局": ("交通局", "运管", "交通运输局", "运管所"),
    "水务和湖泊局": ("水务局", "水利局", "水务"),
    "农业农村局": ("农业局", "农业农村局", "农业部门"),
    "商务局": ("商务局", "商务部门"),
    "文化和旅游局": ("文旅局", "文化局", "旅游局"),
    "卫生健康局": ("卫健局", "卫健委", "卫生局"),
    "退役军人事务局": ("退役军人局", "退役军人事务局", "退役军人服务站"),
    "应急管理局": ("应急局", "安监局", "应急管理局"),
    "市场监督管理局": ("市场监管局", "市监局", "工商局", "市场局", "市场监管窗口"),
    "医疗保障局": ("医保局", "医保", "医保窗口", "医保中心"),
    "统计局": ("统计局",),
    "园林和林业局": ("园林局", "林业局", "园林部门"),
    "残疾人联合会": ("残联", "残联窗口"),
    "税务局": ("税务局", "税务", "税务窗口", "税务大厅", "办税大厅"),
    "生态环境分局": ("环保局", "生态环境局", "环保部门", "环保"),
}
# How citizens name the commonest items; other items are loosened by rule (`loose_item`).
ITEM_ALIASES: dict[str, tuple[str, ...]] = {
    "企业设立登记": ("营业执照", "公司执照", "开公司", "公司注册", "执照"),
    "企业变更登记": ("公司变更", "执照变更", "改法人", "变更经营范围"),
    "企业注销登记": ("公司注销", "注销公司", "注销执照"),
    "个体工商户设立登记": ("个体执照", "个体户营业执照", "办个体户", "个体营业执照"),
    "个体工商户注销登记": ("注销个体户", "个体户注销"),
    "国有建设用地使用权及房屋所有权转移登记": ("过户", "房产过户", "二手房过户", "房子过户", "办房产证"),
    "二手房转移登记与税费一窗办理": ("二手房过户", "过户交税", "房子过户"),
    "抵押权首次登记": ("抵押登记", "房贷抵押", "办抵押"),
    "抵押权注销登记": ("解押", "注销抵押", "抵押注销"),
    "预告登记（预购商品房）": ("预告登记", "期房预告登记"),
    "不动产登记资料查询（权利人）": ("查房产档案", "查档", "房产信息查询"),
    "社会保障卡申领": ("社保卡", "办社保卡", "社保卡申请"),
    "社会保障卡补换": ("补社保卡", "社保卡补办", "换社保卡"),
    "社会保障卡密码重置": ("社保卡密码", "重置社保卡密码"),
    "个人权益记录查询打印": ("打社保清单", "社保缴费证明", "社保记录打印"),
    "失业保险金申领": ("失业金", "领失业金", "失业保险金"),
    "发票代开": ("代开发票", "开发票", "开票"),
    "发票领用": ("领发票", "申领发票"),
    "社会保险费申报缴纳": ("交社保", "社保缴费", "社保费"),
    "城乡居民医疗保险费缴纳": ("交医保", "居民医保缴费", "医保费"),
    "清税申报": ("清税", "清税证明"),
    "医疗费用手工（零星）报销": ("医药费报销", "手工报销", "住院费报销", "报销医疗费"),
    "异地就医备案（临时外出就医）": ("异地就医备案", "异地医保备案", "外地看病备案"),
    "异地就医备案（异地长期居住）": ("异地就医", "异地安置备案", "异地长期居住备案"),
    "居民身份证换领": ("换身份证", "身份证到期换证", "身份证"),
    "居民身份证申领": ("办身份证", "身份证", "首次办身份证"),
    "居住证申领": ("居住证", "办居住证"),
    "出生登记": ("给孩子上户口", "新生儿落户", "报户口"),
    "户口迁入（购房）": ("迁户口", "买房落户", "户口迁入"),
    "往来港澳通行证及签注签发（个人旅游签注）": ("港澳通行证", "港澳签注", "去香港的签注"),
    "普通护照签发（首次）": ("办护照", "护照", "出国护照"),
    "机动车转移登记": ("车辆过户", "汽车过户"),
    "食品经营许可（新办）": ("食品经营许可证", "餐饮许可证", "食品许可证", "开饭店的证"),
    "结婚登记": ("领结婚证", "结婚登记", "扯证"),
    "最低生活保障": ("低保", "吃低保", "低保申请"),
    "最低生活保障申请受理": ("低保", "低保申请", "申请低保"),
    "最低生活保障申请（代收）": ("低保", "低保材料"),
    "残疾人证": ("残疾证", "办残疾证"),
    "残疾人证办理（受理）": ("残疾证", "办残疾证"),
    "退役军人优待证申领": ("优待证", "退役军人优待证"),
    "教师资格认定（小学）": ("教师资格证", "教资认定"),
    "义务教育阶段入学登记（小学）": ("小学入学", "孩子上学报名", "入学登记"),
    "高龄津贴申领": ("高龄补贴", "老人补贴", "高龄津贴"),
    "公共租赁住房申请（受理）": ("公租房", "申请公租房"),
    "犬只登记（街道）": ("狗证", "养狗登记"),
    "生育登记": ("生育登记", "准生证"),
}
OPENINGS = {
    "hotline": ("来电人反映：", "市民来电反映，", "来电人称，", "市民来电：", "来电反映：", "热线转来：", ""),
    "mayor_line": ("市民致电市长专线反映：", "市长专线来电：", "来电人通过市长专线反映，", ""),
    "window": ("群众在“不满意请找我”窗口反映：", "窗口现场反映：", "办事群众现场反映，", ""),
    "web": ("您好，", "领导好，", "我想反映一个问题：", "你好！", "", "", "请问一下，"),
    "letter": ("尊敬的领导：", "尊敬的有关部门：", "来信反映：", ""),
    "inspection": ("明察暗访发现：", "监督检查发现，", "专项检查组检查时发现，"),
}
WHEN = ("前几天", "上周", "昨天上午", "今天上午", "上周五下午", "这个月初", "上个月", "本周二", "前天", "上午十点左右",
        "下午三点多", "")  # fmt: skip
WHO = ("我", "本人", "我家老人", "我爱人", "我们公司", "我父亲", "我", "我", "我们", "我妈")
CLOSINGS = (
    "希望尽快处理。", "请相关部门核实处理。", "请给个说法！", "希望有关部门重视。", "望回复。", "谢谢！", "请尽快答复。",
    "麻烦帮忙协调一下。", "", "", "希望改进。", "请领导关注一下。",
)  # fmt: skip
URGENT = ("事情很急，", "明天就要用，", "老人住院急用，", "孩子下周报名急需，", "急！", "合同马上到期，")
NOISE = ("说了半天也没用", "真的太难了", "手机号码见登记", "电话一直占线", "排了两个小时队", "我也不懂这些",
         "网上也查不到", "跑了好几趟了", "之前也反映过")  # fmt: skip
# Homophone slips of a hurried typist.
TYPOS = (("的", "得"), ("在", "再"), ("已经", "以经"), ("登记", "登纪"), ("办理", "办里"), ("窗口", "窗囗"))

# What is said, by kind and category: {act} the loose item, {place} where (a unit's everyday
# name, a street, a community, or the hall), {when} and {who} the situation.
COMPLAINT = {
    "attitude": (
        "{when}{who}去{place}办{item}，工作人员态度很差，问两句就不耐烦",
        "{place}办{item}的窗口人员说话很冲，一点服务意识都没有",
        "{who}在{place}咨询{item}，工作人员爱答不理，一直玩手机",
        "{place}那个窗口的工作人员对老人大声呵斥，办{item}时态度恶劣",
        "{when}到{place}办理{item}，被工作人员怼了回来，说看不懂就别来",
    ),
    "delay": (
        "{who}在{place}申请{item}，说好几个工作日办完，到现在一个多月了还没消息",
        "{item}交材料好久了，{place}一直说在走流程，拖着不办",
        "{place}的{item}超期了，打电话催了好几次都说再等等",
        "{when}提交的{item}，{place}到现在都没办好，影响我后面的事",
        "{item}已经超过承诺时间，{place}没有任何答复",
    ),
    "shirking": (
        "办{item}时{place}让我去别的部门，那边又让回来，来回跑了三趟",
        "{place}说{item}不归他们管，让我自己去找，到底归谁管",
        "{item}的事{place}互相推，谁都不管，群众跑断腿",
        "{who}去{place}办{item}，说没有权限办不了，要去别处，但别处也说不行",
    ),
    "absence": (
        "墙上写的8点半上班，9点了{place}窗口还没人，{item}办不成，白跑一趟",
        "下午4点多去{place}办{item}，工作人员已经提前下班了",
        "{place}窗口中午过后迟迟不开，排队办{item}的人等了很久",
        "{when}去{place}，办{item}的窗口没人，也没有放去向牌",
    ),
    "rules": (
        "{place}办{item}要求提供办事指南上没有的证明，和一次性告知的不一样",
        "办{item}时{place}让重复提交已经上传过的材料",
        "{place}对{item}的政策解释前后不一致，每次说法都不一样",
        "{item}的材料清单网上和{place}窗口说的不一样，让我补了三次材料",
    ),
    "integrity": (
        "{place}有工作人员暗示办{item}要“意思意思”",
        "{place}的人介绍中介代办{item}，收了好几千块钱",
        "办{item}时{place}工作人员收了我的购物卡才给办",
    ),
    "other": (
        "{place}的自助机办{item}一直报错，收不到验证码",
        "{place}叫号系统乱，办{item}等了一上午",
        "网上办{item}系统老是卡，提交不了，{place}也说没办法",
        "{place}停车太难，办个{item}找不到地方停车",
    ),
}
CONSULT = (
    "请问{place}办{item}需要带哪些材料？",
    "想咨询一下{item}在哪里办，{place}可以办吗？",
    "{item}网上能办吗？还是必须去{place}？",
    "请问{item}要多长时间能办下来，{place}周末上班吗？",
    "咨询{item}的办理条件，{who}符合吗？",
)
HELP = (
    "{who}行动不便，想申请{place}上门帮办{item}",
    "{who}不会用手机，网上办不了{item}，请{place}帮帮忙",
    "{item}的材料丢了，{place}说要重新开证明，不知道怎么办，请求帮助",
    "外地回来没几天，{item}办不下来，生活很困难，请{place}帮忙协调",
)
SUGGEST = (
    "建议{place}增加{item}的窗口，每次排队太久",
    "建议{item}能全程网上办，不要再让群众跑{place}",
    "建议{place}中午也安排人办{item}，上班族只有午休有时间",
    "希望{place}把{item}的办事指南写清楚一点",
)
REPORT = (
    "举报{place}工作人员办{item}时收受好处费",
    "实名举报{place}有人利用办{item}的便利吃拿卡要",
    "举报{place}有人和中介勾结，{item}不找中介就办不下来",
    "举报{place}窗口人员上班时间长期不在岗，{item}没人办",
)
INSPECTION = (
    ("{place}窗口工作人员上班时间玩手机，办理{item}的群众等候", "absence"),
    ("{place}窗口无人值守，未放置去向告知牌", "absence"),
    ("{place}“好差评”数据录入与群众扫码数据不一致", "rules"),
    ("{place}{item}办结超时未说明原因", "delay"),
    ("{place}要求群众提供办事指南以外的材料办理{item}", "rules"),
)
KINDS = (("complaint", 0.55), ("consult", 0.18), ("help", 0.09), ("suggest", 0.09), ("report", 0.09))
TEXTS_OF_KIND = {"consult": CONSULT, "help": HELP, "suggest": SUGGEST}
# Shares of outcomes in the region's history.
FINDINGS = (("substantiated", 0.35), ("partly", 0.25), ("unsubstantiated", 0.4))
CALLBACKS = (("satisfied", 0.72), ("basically", 0.15), ("dissatisfied", 0.07), ("unreachable", 0.06))
REPLIES = {
    "substantiated": (
        "经核查情况属实，已对相关工作人员批评教育，并向您致歉。",
        "经查属实，已督促限时办结并约谈窗口负责人。",
    ),
    "partly": ("经核查部分属实，已要求窗口加强管理、规范服务。", "部分属实，已调整窗口人员并完善告知材料。"),
    "unsubstantiated": (
        "经调取监控和办件记录，未发现所反映问题，已向您说明情况。",
        "经核查不属实，办理符合规定，已解释政策。",
    ),
    "consult": ("已电话答复办理流程和所需材料。", "已告知办理地点、材料清单和网上办理入口。"),
    "help": ("已安排工作人员联系并上门帮办。", "已协调相关窗口开辟绿色通道协助办理。"),
    "suggest": ("已收悉建议，将研究改进。", "感谢建议，已纳入窗口服务改进措施。"),
}
# Working days each kind takes to handle, as drawn (some beyond their deadline).
HANDLING_DAYS = {
    "consult": (1, 3),
    "help": (3, 12),
    "suggest": (3, 12),
    "complaint": (4, 18),
    "report": (5, 20),
}


def weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _, w in choices)
    for value, w in choices:
        r -= w
        if r < 0:
            return value
    return choices[-1][0]


_BRACKETS = re.compile(r"（[^）]*）")


def loose_item(rng: random.Random, name: str) -> str:
    """How a citizen might name an item: an everyday name when there is one, else the catalog name
    loosened (no bracketed variant, fewer procedural words, sometimes cut short)."""
    if name in ITEM_ALIASES and rng.random() < 0.75:
        return rng.choice(ITEM_ALIASES[name])
    base = _BRACKETS.sub("", name) or name
    if rng.random() < 0.25:
        return name
    for word, instead in (("申领", "申请"), ("核发", ""), ("审批", "手续"), ("受理", ""), ("代收", ""), ("代办", ""),
                          ("许可", "许可证"), ("认定", "认定"), ("登记", "登记")):  # fmt: skip
        if word in base and rng.random() < 0.5:
            base = base.replace(word, instead, 1)
    if len(base) > 8 and rng.random() < 0.4:
        cut = rng.randint(5, len(base) - 1)
        base = base[:cut]
    return base or name


@dataclass(frozen=True)
class Place:
    """Where an item is handled: the unit, its kind, and (for streets and communities) names."""

    unit_code: str
    unit_name: str
    kind: str
    street: str = ""
    district: str = ""


class Composer:
    """Complaints of one region: `units` maps a unit code to (name, parent code, kind)."""

    def __init__(self, units: dict[str, tuple[str, str, str]]):
        self.units = units

    def place_of(self, unit_code: str) -> Place:
        name, parent, kind = self.units[unit_code]
        street = ""
        if kind == "community" and parent in self.units:
            street = self.units[parent][0]
        district = ""
        code = unit_code
        while code in self.units:
            name_, parent_, kind_ = self.units[code]
            if kind_ == "district":
                district = name_
                break
            code = parent_
        return Place(unit_code, name, kind, street, district)

    def place_words(self, rng: random.Random, place: Place) -> str:
        """How the text names where: everyday names, the official one, or only the hall."""
        r = rng.random()
        if place.kind == "department":
            short = place.unit_name[len(place.district) :] if place.district else place.unit_name
            aliases = UNIT_ALIASES.get(short, (short,))
            if r < 0.55:
                return rng.choice(aliases)
            if r < 0.7:
                return rng.choice(("区", "", "")) + short
            if r < 0.78:
                return place.unit_name
            if r < 0.9:
                return rng.choice(("政务大厅", "市民之家", "区政务服务中心")) + rng.choice(aliases) + "窗口"
            return rng.choice(("政务大厅", "区政务服务中心", "市民之家", "大厅窗口", "那边"))
        if place.kind == "street":
            bare = place.unit_name.removesuffix("街道")
            if r < 0.45:
                return place.unit_name + rng.choice(("便民服务中心", "", "办事处", "政务服务中心"))
            if r < 0.7:
                return bare + rng.choice(("街", "街道办", "街道的窗口"))
            if r < 0.85:
                return place.unit_name
            return rng.choice(("街道办", "街道", "街道便民服务中心"))
        if place.kind == "community":
            bare = place.unit_name.removesuffix("社区")
            if r < 0.5:
                return place.unit_name + rng.choice(("", "居委会", "服务站", "党群服务中心"))
            if r < 0.7:
                street = place.street + rng.choice(("", "的")) if place.street and rng.random() < 0.6 else ""
                return street + bare + rng.choice(("社区", "小区那边的社区"))
            if r < 0.85:
                return bare + "社区"
            return rng.choice(("社区", "居委会", "社区服务站"))
        return place.unit_name

    def content(
        self, rng: random.Random, kind: str, category: str, source: str, item: str, place: str
    ) -> str:
        if source == "inspection":
            template, category = rng.choice(INSPECTION)
        elif kind in TEXTS_OF_KIND:
            template = rng.choice(TEXTS_OF_KIND[kind])
        elif kind == "report":
            template = rng.choice(REPORT)
        else:
            template = rng.choice(COMPLAINT[category])
        text = template.format(when=rng.choice(WHEN), who=rng.choice(WHO), item=item, place=place)
        parts = [rng.choice(OPENINGS[source]), text]
        if rng.random() < 0.25:
            parts.append("，" + rng.choice(NOISE))
        parts.append("。" if not text.endswith(("？", "！", "。")) else "")
        if source != "inspection":
            parts.append(rng.choice(CLOSINGS))
        content = "".join(parts)
        if rng.random() < 0.08:
            slip, typo = rng.choice(TYPOS)
            content = content.replace(slip, typo, 1)
        if rng.random() < 0.05:
            content = content.replace("。", "！！！", 1)
        return content.replace("窗口窗口", "窗口"), category

    def complaint(
        self, rng: random.Random, item_name: str, unit_code: str, category: str, source: str
    ) -> tuple[str, str, str, str]:
        """(kind, urgency, category, content) of a complaint about an item of a unit."""
        kind = "complaint" if source == "inspection" else weighted(rng, KINDS)
        if kind in TEXTS_OF_KIND:
            category = ""
        elif kind == "report" and rng.random() < 0.6:
            category = "integrity"
        place = self.place_of(unit_code)
        item = loose_item(rng, item_name)
        if rng.random() < 0.04:
            # Says too little to place: what a dispatcher reads now and then.
            content = rng.choice(OPENINGS.get(source, ("",))) + rng.choice(
                (
                    "打了好几次电话都没人接，什么服务态度！",
                    "办个事太难了，跑了好几次都没办成。",
                    "工作人员态度太差了。",
                    "材料交了一直没消息，请尽快处理。",
                )  # fmt: skip
            )
            if source == "inspection":
                content = "明察暗访发现窗口工作人员上班时间玩手机。"
        else:
            where = self.place_words(rng, place)
            if place.kind in ("street", "community") and rng.random() < 0.12:
                where = place.district + where if place.district else where
            content, found = self.content(rng, kind, category or "other", source, item, where)
            category = found if kind not in TEXTS_OF_KIND else ""
        urgency = "normal"
        if kind in ("help", "complaint", "consult") and rng.random() < 0.05:
            urgency = "urgent"
            content = rng.choice(URGENT) + content
        if source == "inspection":
            category = category or "absence"
        return kind, urgency, category, content


def outcome(
    rng: random.Random, kind: str, urgency: str, t: int, workdays: list[int], end: int
) -> tuple[str, ...]:
    """(closed_at seconds or "", finding, reply, callback) of a complaint arriving at `t` (seconds,
    local day ordinal * DAY + second): handled within a few working days, some late, or still open
    at the end of the period. `workdays` are the period's working-day ordinals."""
    from bisect import bisect_right

    low, high = HANDLING_DAYS[kind] if urgency == "normal" else (0, 2)
    days = rng.randint(low, high)
    i = bisect_right(workdays, t // DAY) - 1 + days
    if i >= len(workdays) or i < 0:
        return ("", "", "", "")
    closed = max(t + 3600, workdays[i] * DAY + 9 * 3600 + int(rng.random() * 8 * 3600))
    if closed >= end:
        return ("", "", "", "")
    finding = weighted(rng, FINDINGS) if kind in ("complaint", "report") else ""
    reply = rng.choice(REPLIES[finding or kind])
    callback = weighted(rng, CALLBACKS)
    return (closed, finding, reply, callback)


# Complaints of the period's last days not yet dispatched: the office's triage is still to come.
TRIAGE_DAYS = 2


def awaiting_triage(closed, case, source: str, t: int, end: int) -> bool:
    """Whether a complaint is written without its unit: open, about no case, not an inspection's
    finding (the inspectors name the unit), and received in the last TRIAGE_DAYS days."""
    return not closed and case is None and source != "inspection" and t >= end - TRIAGE_DAYS * DAY
