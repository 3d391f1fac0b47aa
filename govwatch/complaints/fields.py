"""The fields of a complaint record (contract section 2, version 1.1), as files and API batches
name them: what the importer reads and `govwatch complaints suggest` reads."""

from __future__ import annotations

from govwatch.core.rowfields import Field

COMPLAINT_FIELDS = (
    Field("complaint_id", "投诉编号", True, 100),
    Field("at", "投诉时间", True),
    Field("source", "来源", True),
    Field("content", "内容", True),
    Field("unit_code", "被投诉单位编码", False, 64),
    Field("case_no", "业务编号", False, 64),
    Field("category", "类别"),
    Field("contact", "联系方式"),
    Field("kind", "诉求类型"),
    Field("urgency", "紧急程度"),
    # GovWatch's extension: the outcome of a complaint the source system has handled already.
    Field("closed_at", "办结时间"),
    Field("finding", "核查结论"),
    Field("reply", "答复内容"),
    Field("callback", "回访结果"),
)
