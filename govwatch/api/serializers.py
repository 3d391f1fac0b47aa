"""What the API shows of each record. Personal data has no field here at all: not the evaluator, not
the complainant's contact; a unit's phone only masked."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from govwatch.cases.models import Case, CaseEvent, Suspension
from govwatch.catalog.models import Item
from govwatch.complaints.models import Complaint
from govwatch.core import pii
from govwatch.core.pii import mask
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code",
        default=None,
        read_only=True,
        allow_null=True,
        help_text="上级单位编码；区县为 null",
    )
    phone = serializers.SerializerMethodField(help_text="联系电话（已脱敏）")

    class Meta:
        model = Unit
        fields = ["code", "name", "parent_code", "kind", "phone", "hours"]

    def get_phone(self, unit: Unit) -> str:
        return mask(unit.phone)


class ItemSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    yellow_threshold = serializers.IntegerField(read_only=True, help_text="黄牌预警阈值（工作日）")

    class Meta:
        model = Item
        fields = [
            "code", "name", "unit_code", "type", "level", "legal_days", "promised_days", "online",
            "yellow_threshold", "in_hall", "themes", "cross_region", "e_licence", "claimed",
        ]  # fmt: skip


class CaseSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        extra_kwargs = {"card": {"help_text": "最近一次扫描时的亮牌：none、yellow、red"}}
        fields = [
            "case_no", "item_code", "item_name", "unit_code", "status", "accepted_at", "due_date",
            "completed_at", "completed_on_time", "provisional", "card",
        ]  # fmt: skip


class CaseEventSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="kind", read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "event_id", "event", "at", "item_code", "unit_code", "channel", "applicant_type", "window_code",
            "staff_code", "reason",
        ]  # fmt: skip


class SuspensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suspension
        fields = ["started_at", "ended_at", "workdays", "reason"]


class CaseDetailSerializer(CaseSerializer):
    card_scanned_at = serializers.DateTimeField(source="card_at", read_only=True, allow_null=True)
    events = CaseEventSerializer(many=True, read_only=True)
    suspensions = SuspensionSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields, "channel", "applicant_type", "window_code", "staff_code", "closed_at",
            "suspended_days", "card_scanned_at", "events", "suspensions",
        ]  # fmt: skip


class EvaluationSerializer(serializers.ModelSerializer):
    case_no = serializers.CharField(source="case_id", read_only=True, allow_null=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "eval_id",
            "level",
            "at",
            "case_no",
            "unit_code",
            "channel",
            "window_code",
            "auto",
            "comment",
        ]


class ComplaintSerializer(serializers.ModelSerializer):
    case_no = serializers.CharField(source="case_id", read_only=True, allow_null=True)
    unit_code = serializers.CharField(source="unit.code", default=None, read_only=True, allow_null=True)
    # A phone or ID number the complainant wrote into the text is masked, as on the pages.
    content = serializers.SerializerMethodField()
    repeat_of = serializers.CharField(
        source="repeat_of.complaint_id", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Complaint
        fields = [
            "complaint_id", "at", "source", "content", "unit_code", "case_no", "category", "kind", "urgency",
            "status", "due_date", "closed_at", "closed_on_time", "finding", "callback_result", "repeat_of",
        ]  # fmt: skip

    def get_content(self, complaint: Complaint) -> str:
        return pii.redact(complaint.content)


# -- pushes (for the schema: the records are checked by the import service, not here) ----------------


@extend_schema_field(
    {
        "type": "object",
        "description": "一条记录：字段名用英文名或中文别名（见接口契约第 2 节），值为字符串、数字或布尔值",
        "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]},
    }
)
class RecordField(serializers.DictField):
    pass


class PushRequestSerializer(serializers.Serializer):
    records = serializers.ListField(
        child=RecordField(), min_length=1, max_length=5000, help_text="记录数组，每批 1 至 5000 条"
    )


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="出错记录在 records 数组中的序号（从 1 开始）")
    field = serializers.CharField(help_text="出错字段（英文名）")
    message = serializers.CharField(help_text="中文说明")


class ImportDocumentSerializer(serializers.Serializer):
    read = serializers.IntegerField()
    imported = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)


class ProblemSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")
