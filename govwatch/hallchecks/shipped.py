"""The checklists GovWatch ships (seed 000's elderly-friendly points and a window-discipline list):
created by a migration, and again by `ensure_shipped` where a test database lost them."""

from __future__ import annotations

SHIPPED = [
    (
        "适老化服务检查表",
        "老年人等特殊群体办事便利化检查（东湖高新区纪检监察工委明察暗访要点）",
        [
            "65岁以上老年人等特殊群体开通绿色通道：免预约、免排队、优先办理",
            "允许一名随行家属陪同办理",
            "配备轮椅等无障碍设备",
            "配备放大镜、老花镜",
            "配备医药箱",
            "水电气费、行政事业性收费等保留人工窗口，提供现金和银行卡支付",
            "咨询台设置老年人服务专席，优先提供咨询指导并引领至窗口",
            "无障碍通道和设施设置到位、畅通",
            "窗口工作人员为特殊群体提供简易便捷的办理流程、全程帮办",
        ],
    ),
    (
        "窗口工作纪律检查表",
        "窗口工作人员在岗、着装与服务规范检查",
        [
            "开门办公时工作人员按时在岗，无迟到早退、脱岗空岗",
            "工作人员佩戴工作牌（胸牌），桌面摆放岗位牌",
            "工作时间无玩手机游戏、看视频、闲聊等与工作无关的行为",
            "着装规范，服务用语文明，无推诿、刁难",
            "“好差评”评价器正常使用，主动邀请办事群众评价",
        ],
    ),
]


def ship(Template, Item) -> None:  # noqa: N803 (the migration passes its historical models)
    for name, description, items in SHIPPED:
        template, created = Template.objects.get_or_create(name=name, defaults={"description": description})
        if created:
            Item.objects.bulk_create(
                [Item(template=template, position=i, text=text) for i, text in enumerate(items, start=1)]
            )


def ensure_shipped() -> None:
    from .models import ChecklistItem, ChecklistTemplate

    ship(ChecklistTemplate, ChecklistItem)
