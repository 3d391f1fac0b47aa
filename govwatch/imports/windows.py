"""Importing window operations: `govwatch import windows|staff|attendance|absences|tickets|assists
FILE`.

`staff` and `attendance` are contract section 12's; the others are GovWatch's own, in the same
rules (contract section 1). Windows, staff and assisted services are master data (a changed row
updates the record; an assisted service only along its state machine); clock records and queue
tickets are facts. A staff row naming a window its region does not know yet creates that window
(the clock system knows staff and windows, not the hall's register); a ticket naming an unknown
window is refused.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from govwatch.catalog.models import Item
from govwatch.core.localtime import clock_of
from govwatch.core.parsing import parse_date, parse_timestamp
from govwatch.core.pii import keyed_hash
from govwatch.core.rowfields import Field, Row, RowError, utc_text
from govwatch.windows.models import (
    AbsenceReport,
    AssistedService,
    AttendanceRecord,
    QueueTicket,
    Staff,
    Window,
)
from govwatch.windows.regions import region_ids
from govwatch.windows.staffing import OUTSIDE_HOURS, during_hours

from .areas import AreaKind, insert_facts, sign

F = Field
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


class _Windows(AreaKind):
    """What the kinds that name windows share: regions and the windows of each."""

    def __init__(self, result, run):
        super().__init__(result, run)
        self.regions = region_ids()
        self.windows = {
            (r, code): pk for pk, r, code in Window.objects.values_list("id", "region_id", "code")
        }


class WindowKind(_Windows):
    kind = "windows"
    fields = (
        F("window_code", "窗口编号", True, 64), F("unit_code", "单位编码", True, 64), F("name", "窗口名称", False, 100),
        F("kind", "窗口类型"), F("active", "在用"),
    )  # fmt: skip
    key_field = "window_code"
    label = "窗口编号"

    def parse(self, row: Row) -> tuple[Any, dict]:
        unit_id = self.unit_id(row)
        key = (self.regions[unit_id], row.text("window_code"))
        return key, {
            "unit_id": unit_id, "name": row.text("name"), "kind": row.choice("kind", Window.Kind, Window.Kind.GENERAL),
            "active": row.boolean("active", True),
        }  # fmt: skip

    def shown(self, key: Any) -> str:
        return key[1]

    def stored(self, keys: list) -> dict:
        wanted = set(keys)
        rows = Window.objects.filter(code__in={code for _, code in keys}).values_list(
            "region_id", "code", "digest"
        )
        return {(r, code): d for r, code, d in rows if (r, code) in wanted}

    def save(self, new: list, changed: list) -> None:
        Window.objects.bulk_create([Window(region_id=r, code=code, **c) for (r, code), c in new])
        rows = []
        for (r, code), c in changed:
            window = Window(id=self.windows[(r, code)], region_id=r, code=code, **c)
            rows.append(window)
        Window.objects.bulk_update(rows, ["unit_id", "name", "kind", "active", "digest"])


class StaffKind(_Windows):
    kind = "staff"
    fields = (
        F("staff_code", "人员编号", True, 64), F("name", "姓名", True, 100), F("unit_code", "单位编码", True, 64),
        F("window_code", "窗口编号", False, 64), F("phone", "联系电话", False, 32), F("third_party", "第三方人员"),
    )  # fmt: skip
    key_field = "staff_code"
    label = "人员编号"

    def __init__(self, result, run):
        super().__init__(result, run)
        self.created_windows: list[str] = []

    def parse(self, row: Row) -> tuple[Any, dict]:
        unit_id = self.unit_id(row)
        return row.text("staff_code"), {
            "name": row.text("name"), "unit_id": unit_id, "window_code": row.text("window_code"),
            "phone": row.text("phone"), "third_party": row.boolean("third_party", False),
        }  # fmt: skip

    def signed(self, content: dict) -> dict:
        return {**content, "phone": keyed_hash(content["phone"]) if content["phone"] else ""}

    def stored(self, keys: list) -> dict:
        return dict(Staff.objects.filter(staff_code__in=keys).values_list("staff_code", "digest"))

    def _window_id(self, unit_id: int, code: str) -> int | None:
        if not code:
            return None
        key = (self.regions[unit_id], code)
        if key not in self.windows:
            window = Window.objects.create(region_id=key[0], code=code, unit_id=unit_id)
            self.windows[key] = window.pk
            self.created_windows.append(code)
        return self.windows[key]

    def finish(self) -> None:
        if self.created_windows:
            shown = "、".join(self.created_windows[:20]) + ("等" if len(self.created_windows) > 20 else "")
            self.result.warnings.append(
                f"窗口 {shown} 尚未登记，已按人员所属单位新建 {len(self.created_windows)} 个窗口"
            )

    def save(self, new: list, changed: list) -> None:
        def staff(code: str, c: dict) -> Staff:
            return Staff(
                staff_code=code, name=c["name"], unit_id=c["unit_id"], window_id=self._window_id(c["unit_id"], c["window_code"]),
                phone=c["phone"], third_party=c["third_party"], digest=c["digest"], import_run=self.run,
            )  # fmt: skip

        Staff.objects.bulk_create([staff(code, c) for code, c in new])
        ids = dict(
            Staff.objects.filter(staff_code__in=[code for code, _ in changed]).values_list("staff_code", "id")
        )
        rows = []
        for code, c in changed:
            row = staff(code, c)
            row.id = ids[code]
            rows.append(row)
        Staff.objects.bulk_update(
            rows, ["name", "unit_id", "window_id", "phone", "third_party", "digest", "import_run"]
        )


def _staff_ids() -> dict[str, int]:
    return dict(Staff.objects.values_list("staff_code", "id"))


class AttendanceKind(AreaKind):
    kind = "attendance"
    fields = (F("staff_code", "人员编号", True, 64), F("at", "打卡时间", True), F("kind", "类型", True))
    key_field = "at"
    label = "打卡记录"
    facts = True

    def __init__(self, result, run):
        super().__init__(result, run)
        self.staff = _staff_ids()

    def parse(self, row: Row) -> tuple[Any, dict]:
        code = row.text("staff_code")
        if code not in self.staff:
            raise RowError("staff_code", f"人员编号 {code} 不存在（请先导入人员）")
        at = row.timestamp("at")
        return (self.staff[code], utc_text(at), row.choice("kind", AttendanceRecord.Kind)), {"at": at}

    def shown(self, key: Any) -> str:
        return f"{key[1]} {key[2]}"

    def stored(self, keys: list) -> dict:
        if not keys:
            return {}
        moments = sorted(k[1] for k in keys)
        rows = AttendanceRecord.objects.filter(
            staff_id__in={k[0] for k in keys},
            at__gte=parse_timestamp(moments[0]),
            at__lte=parse_timestamp(moments[-1]),
        ).values_list("staff_id", "at", "kind")
        wanted = set(keys)
        # The content of a clock record is its key: a stored one is always an identical duplicate.
        return {k: sign({}) for s, at, kind in rows if (k := (s, utc_text(at), kind)) in wanted}

    def signed(self, content: dict) -> dict:
        return {}

    def save(self, new: list, changed: list) -> None:
        rows = []
        for (staff_id, _, kind), c in new:
            day, micros = clock_of(c["at"])
            rows.append((staff_id, c["at"], kind, day, micros, self.run.pk))
        insert_facts(AttendanceRecord, ("staff_id", "at", "kind", "day", "micros", "import_run_id"), rows)


class AbsenceKind(AreaKind):
    """Absences from post found by inspections, patrols and complaints, from the inspection
    system's export: facts, held to the same rule as those recorded in the pages."""

    kind = "absences"
    fields = (
        F("staff_code", "人员编号", True, 64), F("at", "发现时间", True), F("source", "来源", True),
        F("reference", "来源编号", False, 100), F("note", "情况说明", True, 2000),
    )  # fmt: skip
    key_field = "at"
    label = "脱岗记录"
    facts = True

    def __init__(self, result, run):
        super().__init__(result, run)
        self.staff = {
            code: (pk, hours)
            for code, pk, hours in Staff.objects.values_list("staff_code", "id", "unit__hours")
        }
        self.label_of = f"import:{run.operator_label}" if run.operator_label else "import"

    def parse(self, row: Row) -> tuple[Any, dict]:
        code = row.text("staff_code")
        if code not in self.staff:
            raise RowError("staff_code", f"人员编号 {code} 不存在（请先导入人员）")
        at = row.timestamp("at")
        if not during_hours(self.staff[code][1], at):
            raise RowError("at", OUTSIDE_HOURS)
        source = row.choice("source", AbsenceReport.Source)
        return (self.staff[code][0], utc_text(at), source, row.text("reference")), {
            "at": at,
            "note": row.text("note"),
        }

    def shown(self, key: Any) -> str:
        return f"{key[1]} {key[3]}".strip()

    def stored(self, keys: list) -> dict:
        wanted = set(keys)
        rows = AbsenceReport.objects.filter(
            staff_id__in={k[0] for k in keys}, reference__in={k[3] for k in keys}
        )
        return {
            k: sign({"at": r.at, "note": r.note})
            for r in rows
            if (k := (r.staff_id, utc_text(r.at), r.source, r.reference)) in wanted
        }

    def save(self, new: list, changed: list) -> None:
        AbsenceReport.objects.bulk_create(
            [
                AbsenceReport(
                    staff_id=staff_id, at=c["at"], source=source, reference=reference, note=c["note"],
                    recorded_by=self.label_of,
                )
                for (staff_id, _, source, reference), c in new
            ]
        )  # fmt: skip


class TicketKind(_Windows):
    kind = "tickets"
    fields = (
        F("ticket_id", "票号编号", True, 100), F("unit_code", "服务大厅编码", True, 64), F("taken_at", "取号时间", True),
        F("called_at", "叫号时间"), F("served_at", "办结时间"), F("window_code", "窗口编号", False, 64),
        F("number", "号码", False, 32),
    )  # fmt: skip
    key_field = "ticket_id"
    label = "票号编号"
    facts = True

    def parse(self, row: Row) -> tuple[Any, dict]:
        unit_id = self.unit_id(row)
        taken, called, served = (
            row.timestamp("taken_at"),
            row.timestamp("called_at"),
            row.timestamp("served_at"),
        )
        code = row.text("window_code")
        if called is not None and called < taken:
            raise RowError("called_at", "叫号时间早于取号时间")
        if served is not None and called is None:
            raise RowError("called_at", "有办结时间的票号须有叫号时间")
        if served is not None and served < called:
            raise RowError("served_at", "办结时间早于叫号时间")
        if called is not None and not code:
            raise RowError("window_code", "已叫号的票号须有窗口编号")
        window_id = None
        if code:
            window_id = self.windows.get((self.regions[unit_id], code))
            if window_id is None:
                raise RowError("window_code", f"窗口编号 {code} 不存在（请先导入窗口或人员）")
        if called is not None and called - taken > timedelta(days=1):
            raise RowError("called_at", "叫号时间晚于取号时间一天以上")
        return row.text("ticket_id"), {
            "unit_id": unit_id, "number": row.text("number"), "window_id": window_id,
            "taken_at": taken, "called_at": called, "served_at": served,
        }  # fmt: skip

    def stored(self, keys: list) -> dict:
        return dict(QueueTicket.objects.filter(ticket_id__in=keys).values_list("ticket_id", "digest"))

    def save(self, new: list, changed: list) -> None:
        rows = []
        for ticket_id, c in new:
            day, micros = clock_of(c["taken_at"])
            called, served = c["called_at"], c["served_at"]
            rows.append((
                ticket_id, c["unit_id"], c["number"], c["window_id"], c["taken_at"], called, served, day,
                micros // 1_000_000, None if called is None else int((called - c["taken_at"]).total_seconds()),
                None if served is None else int((served - called).total_seconds()), c["digest"], self.run.pk,
            ))  # fmt: skip
        insert_facts(QueueTicket, TICKET_COLUMNS, rows)


TICKET_COLUMNS = (
    "ticket_id", "unit_id", "number", "window_id", "taken_at", "called_at", "served_at", "day", "taken_second",
    "wait_seconds", "service_seconds", "digest", "import_run_id",
)  # fmt: skip


class AssistKind(AreaKind):
    kind = "assists"
    fields = (
        F("service_id", "服务编号", True, 100), F("unit_code", "服务单位编码", True, 64), F("kind", "服务类型", True),
        F("requested_at", "申请时间", True), F("group", "服务对象"), F("item_code", "事项编码", False, 64),
        F("matter", "所办事项", False, 300), F("case_no", "业务编号", False, 64), F("staff_codes", "服务人员编号", False, 2000),
        F("status", "状态"), F("finished_at", "完成时间"), F("outcome", "服务结果", False, 5000),
        F("contact", "联系方式", False, 64), F("address", "上门地址", False, 300), F("scheduled_on", "预约日期"),
    )  # fmt: skip
    key_field = "service_id"
    label = "服务编号"

    def __init__(self, result, run):
        super().__init__(result, run)
        self.staff = _staff_ids()
        self.items = dict(Item.objects.values_list("code", "id"))
        self.statuses: dict[str, str] = {}

    def parse(self, row: Row) -> tuple[Any, dict]:
        S = AssistedService.Status
        unit_id = self.unit_id(row)
        item_code = row.text("item_code")
        if item_code and item_code not in self.items:
            raise RowError("item_code", f"事项编码 {item_code} 不存在")
        helpers = [c for c in LIST_SEPARATORS.split(row.text("staff_codes")) if c]
        unknown = [c for c in helpers if c not in self.staff]
        if unknown:
            raise RowError("staff_codes", f"人员编号 {'、'.join(unknown)} 不存在（请先导入人员）")
        status = row.choice("status", S, S.REQUESTED)
        requested, finished = row.timestamp("requested_at"), row.timestamp("finished_at")
        if status in (S.DONE, S.UNRESOLVED) and finished is None:
            raise RowError("finished_at", "已办成或未办成的服务须有完成时间")
        if finished is not None and finished < requested:
            raise RowError("finished_at", "完成时间早于申请时间")
        scheduled = row.text("scheduled_on")
        try:
            scheduled_on = parse_date(scheduled) if scheduled else None
        except ValueError:
            raise RowError("scheduled_on", f"预约日期“{scheduled}”不是有效的日期（如 2026-03-05）") from None
        return row.text("service_id"), {
            "unit_id": unit_id, "kind": row.choice("kind", AssistedService.Kind),
            "group": row.choice("group", AssistedService.Group, AssistedService.Group.OTHER),
            "item_id": self.items.get(item_code), "matter": row.text("matter"), "case_no": row.text("case_no"),
            "requested_at": requested, "status": status, "finished_at": finished, "outcome": row.text("outcome"),
            "contact": row.text("contact"), "address": row.text("address"), "scheduled_on": scheduled_on,
            "helpers": tuple(sorted(self.staff[c] for c in helpers)),
        }  # fmt: skip

    def signed(self, content: dict) -> dict:
        return {
            **content,
            **{k: keyed_hash(content[k]) if content[k] else "" for k in ("contact", "address")},
        }

    def stored(self, keys: list) -> dict:
        rows = AssistedService.objects.filter(number__in=keys).values_list("number", "digest", "status")
        self.statuses = {number: status for number, _, status in rows}
        return {number: d for number, d, _ in rows}

    def check_change(self, key: Any, content: dict) -> None:
        S = AssistedService.Status
        stored = S(self.statuses[key])
        if content["status"] != stored and content["status"] not in AssistedService.TRANSITIONS[stored]:
            raise RowError(
                "status", f"服务 {key} 已是“{stored.label}”，不能改为“{S(content['status']).label}”"
            )

    def save(self, new: list, changed: list) -> None:
        for number, c in new + changed:
            helpers = c.pop("helpers")
            service, _ = AssistedService.objects.update_or_create(
                number=number, defaults={**c, "import_run": self.run}
            )
            service.helpers.set(helpers)
