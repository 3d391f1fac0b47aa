"""A province's tree for the tests of who signs what: a province with its own commission and two
districts, each with its commission and a department (a street and a community in the second)."""

from __future__ import annotations

from govwatch.orgs.models import Unit


def province_tree() -> dict[str, Unit]:
    def unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        return Unit.objects.create(code=code, name=name, kind=kind, parent=parent)

    province = unit("P", "某某省", "district", None)
    units = {
        "province": province,
        "province_commission": unit("P-JW", "某某省纪委监委", "supervisor", province),
    }
    for key, code, name in (("a", "P-A", "甲区"), ("b", "P-B", "乙区")):
        district = unit(code, name, "district", province)
        units[key] = district
        units[f"{key}_commission"] = unit(f"{code}-JW", f"{name}纪委监委", "supervisor", district)
        units[f"{key}_market"] = unit(f"{code}-SC", f"{name}市场监管局", "department", district)
    units["b_street"] = unit("P-B-ST", "乙区城关街道", "street", units["b"])
    units["b_community"] = unit("P-B-ST1", "乙区东门社区", "community", units["b_street"])
    return units
