"""The five record kinds of contract section 2 and their fields (name, Chinese alias, required,
maximum length), as files and API batches name them."""

from __future__ import annotations

from govwatch.complaints.fields import COMPLAINT_FIELDS
from govwatch.core.rowfields import Field

UNIT_FIELDS = (
    Field("code", "单位编码", True, 64),
    Field("name", "单位名称", True, 200),
    Field("parent_code", "上级单位编码", False, 64),
    Field("kind", "类型", True),
    Field("phone", "联系电话", False, 32),
    Field("hours", "服务时间", False, 200),
)
ITEM_FIELDS = (
    Field("code", "事项编码", True, 64),
    Field("name", "事项名称", True, 300),
    Field("unit_code", "实施单位编码", True, 64),
    Field("type", "事项类型"),
    Field("level", "层级"),
    Field("legal_days", "法定时限", True),
    Field("promised_days", "承诺时限", True),
    Field("online", "网办程度"),
    # GovWatch's extension: the catalog figures of the seed reports (govwatch.catalog.models.Item).
    Field("in_hall", "进驻大厅"),
    Field("themes", "一件事主题", False, 300),
    Field("cross_region", "跨域通办"),
    Field("e_licence", "电子证照免提交"),
    Field("claimed", "事项认领"),
)
EVENT_FIELDS = (
    Field("case_no", "业务编号", True, 64),
    Field("event", "环节", True),
    Field("at", "时间", True),
    Field("item_code", "事项编码", False, 64),
    Field("unit_code", "办理单位编码", False, 64),
    Field("channel", "渠道"),
    Field("applicant_type", "申请人类型"),
    Field("window_code", "窗口编号", False, 64),
    Field("staff_code", "经办人编号", False, 64),
    Field("reason", "原因"),
    Field("event_id", "事件编号", False, 200),
)
EVALUATION_FIELDS = (
    Field("eval_id", "评价编号", True, 100),
    Field("level", "评价等级", True),
    Field("at", "评价时间", True),
    Field("case_no", "业务编号", False, 64),
    Field("unit_code", "单位编码", False, 64),
    Field("channel", "评价渠道"),
    Field("window_code", "窗口编号", False, 64),
    Field("evaluator", "评价人"),
    Field("auto", "默认评价"),
    Field("comment", "评价内容"),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "units": UNIT_FIELDS,
    "items": ITEM_FIELDS,
    "cases": EVENT_FIELDS,
    "evaluations": EVALUATION_FIELDS,
    "complaints": COMPLAINT_FIELDS,
}


def spec_of(kind: str) -> dict[str, Field]:
    return {f.name: f for f in FIELDS[kind]}
