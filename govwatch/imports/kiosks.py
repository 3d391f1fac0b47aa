"""Importing self-service kiosks: `govwatch import kiosks|kiosk_status|kiosk_faults FILE`.

Kiosks are master data (their items replaced by the row's list). Status rows are facts of the
monitoring: a heartbeat or a change of status at a moment, one per kiosk and moment. Fault tickets
come from the operator's ticket system: a later export may add the repair, nothing else changes.
"""

from __future__ import annotations

from typing import Any

from govwatch.catalog.models import Item
from govwatch.core.parsing import parse_timestamp
from govwatch.core.rowfields import Field, Row, RowError, utc_text
from govwatch.kiosks.faults import store_imported_faults
from govwatch.kiosks.models import Kiosk, KioskFault, KioskSignal
from govwatch.orgs.hours import HoursError, normalise_hours

from .areas import AreaKind, insert_facts, sign
from .windows import LIST_SEPARATORS

F = Field


class KioskKind(AreaKind):
    kind = "kiosks"
    fields = (
        F("kiosk_code", "终端编号", True, 64), F("name", "终端名称", True, 200), F("unit_code", "责任单位编码", True, 64),
        F("location", "放置地点", False, 200), F("hours", "服务时间", False, 200), F("every_day", "每日开放"),
        F("heartbeat_seconds", "心跳超时"), F("item_codes", "可办事项编码", False, 20000), F("active", "在用"),
    )  # fmt: skip
    key_field = "kiosk_code"
    label = "终端编号"

    def __init__(self, result, run):
        super().__init__(result, run)
        self.items = dict(Item.objects.values_list("code", "id"))

    def parse(self, row: Row) -> tuple[Any, dict]:
        try:
            hours = normalise_hours(row.text("hours"))
        except HoursError as exc:
            raise RowError("hours", str(exc)) from None
        codes = [c for c in LIST_SEPARATORS.split(row.text("item_codes")) if c]
        unknown = [c for c in codes if c not in self.items]
        if unknown:
            raise RowError("item_codes", f"事项编码 {'、'.join(unknown[:5])} 不存在")
        heartbeat = row.integer("heartbeat_seconds", minimum=0)
        return row.text("kiosk_code"), {
            "name": row.text("name"), "unit_id": self.unit_id(row), "location": row.text("location"), "hours": hours,
            "every_day": row.boolean("every_day", True), "heartbeat_seconds": 600 if heartbeat is None else heartbeat,
            "active": row.boolean("active", True), "items": tuple(sorted({self.items[c] for c in codes})),
        }  # fmt: skip

    def stored(self, keys: list) -> dict:
        return dict(Kiosk.objects.filter(code__in=keys).values_list("code", "digest"))

    def save(self, new: list, changed: list) -> None:
        for code, c in new + changed:
            items = c.pop("items")
            kiosk, _ = Kiosk.objects.update_or_create(code=code, defaults=c)
            kiosk.items.set(items)


def _kiosk_ids() -> dict[str, int]:
    return dict(Kiosk.objects.values_list("code", "id"))


class _KioskRows(AreaKind):
    def __init__(self, result, run):
        super().__init__(result, run)
        self.kiosks = _kiosk_ids()

    def kiosk_id(self, row: Row) -> int:
        code = row.text("kiosk_code")
        if code not in self.kiosks:
            raise RowError("kiosk_code", f"终端编号 {code} 不存在（请先导入自助终端）")
        return self.kiosks[code]


class StatusKind(_KioskRows):
    kind = "kiosk_status"
    fields = (F("kiosk_code", "终端编号", True, 64), F("at", "时间", True), F("status", "状态", True))
    key_field = "at"
    label = "终端状态"
    facts = True

    def parse(self, row: Row) -> tuple[Any, dict]:
        at = row.timestamp("at")
        return (self.kiosk_id(row), utc_text(at)), {
            "at": at,
            "status": row.choice("status", KioskSignal.Status),
        }

    def shown(self, key: Any) -> str:
        return key[1]

    def stored(self, keys: list) -> dict:
        if not keys:
            return {}
        moments = [c for _, c in keys]
        wanted = set(keys)
        rows = KioskSignal.objects.filter(
            kiosk_id__in={k for k, _ in keys}, at__gte=parse_timestamp(min(moments)),
            at__lte=parse_timestamp(max(moments)),
        ).values_list("kiosk_id", "at", "status")  # fmt: skip
        return {
            k: sign({"at": at, "status": status})
            for kid, at, status in rows
            if (k := (kid, utc_text(at))) in wanted
        }

    def save(self, new: list, changed: list) -> None:
        rows = [(k, c["at"], c["status"], self.run.pk) for (k, _), c in new]
        insert_facts(KioskSignal, ("kiosk_id", "at", "status", "import_run_id"), rows)


class FaultKind(_KioskRows):
    kind = "kiosk_faults"
    fields = (
        F("fault_id", "报修编号", True, 100), F("kiosk_code", "终端编号", True, 64), F("reported_at", "报修时间", True),
        F("category", "故障类型"), F("description", "故障描述", False, 2000), F("repaired_at", "修复时间"),
        F("repair_note", "修复情况", False, 2000),
    )  # fmt: skip
    key_field = "fault_id"
    label = "报修编号"

    def parse(self, row: Row) -> tuple[Any, dict]:
        reported, repaired = row.timestamp("reported_at"), row.timestamp("repaired_at")
        if repaired is not None and repaired < reported:
            raise RowError("repaired_at", "修复时间早于报修时间")
        return row.text("fault_id"), {
            "kiosk_id": self.kiosk_id(row), "reported_at": reported,
            "category": row.choice("category", KioskFault.Category, KioskFault.Category.OTHER),
            "description": row.text("description"), "repaired_at": repaired, "repair_note": row.text("repair_note"),
        }  # fmt: skip

    FIXED = ("kiosk_id", "reported_at", "category", "description")

    def stored(self, keys: list) -> dict:
        rows = KioskFault.objects.filter(number__in=keys).values(
            "number", "digest", "repaired_at", *self.FIXED
        )
        self.known = {row["number"]: row for row in rows}
        return {row["number"]: row["digest"] for row in rows}

    def check_change(self, key: Any, content: dict) -> None:
        """A later export may add the repair of a ticket; the fault itself and a recorded repair stay."""
        known = self.known[key]
        for name in self.FIXED:
            if content[name] != known[name]:
                field = {"kiosk_id": "kiosk_code"}.get(name, name)
                raise RowError(field, f"报修 {key} 已导入，{self.spec[field].alias}不能更改")
        if known["repaired_at"] is not None and content["repaired_at"] != known["repaired_at"]:
            raise RowError("repaired_at", f"报修 {key} 已修复，修复时间不能更改")

    def save(self, new: list, changed: list) -> None:
        store_imported_faults(new, changed, self.run)
