"""The demo catalog's figures of the seed reports: hall entry, one-thing themes, cross-region
handling, electronic licences and claimed items, in proportions like the seeds' district (about
1,900 of 2,000 items claimed, most district items in the hall, 60 themes, 332 cross-province and
410 in-circle items, 1,180 accepting electronic licences).

Drawn from a hash of the item's code, not from the generator's random stream, so adding these
columns leaves every other figure of a demo region as it was.
"""

from __future__ import annotations

import hashlib

FIELDS = ["in_hall", "themes", "cross_region", "e_licence", "claimed"]

THEMES = (
    "开办餐饮店", "开办药店", "开办便利店", "企业开办", "企业注销", "新生儿出生", "二手房转移登记", "退休",
    "员工录用", "建筑工程施工许可", "残疾人服务", "退役军人服务", "身后事", "开办民宿", "开办健身房",
    "开办美容店", "开办超市", "开办幼儿园", "开办旅馆", "开办书店", "开办诊所", "开办洗车店", "开办理发店",
    "开办烟酒店", "开办电影院", "开办歌舞厅", "开办网吧", "开办培训机构", "开办养老机构", "开办汽车修理厂",
    "开办加油站", "开办物流公司", "开办农家乐", "开办菜市场", "开办水果店", "开办面包店", "开办茶馆",
    "开办酒吧", "开办停车场", "开办眼镜店", "开办宠物店", "开办母婴店", "开办花店", "开办打印店",
    "开办家政公司", "开办装修公司", "开办快递网点", "开办检测机构", "开办人力资源机构", "开办广告公司",
    "开办印刷厂", "开办食品厂", "开办服装厂", "开办建材店", "开办五金店", "开办文具店", "开办体育场馆",
    "开办游泳馆", "开办博物馆", "开办演出场所",
)  # fmt: skip


def _share(code: str, salt: str) -> float:
    """A number in [0, 1) fixed by the item's code and what it is for."""
    digest = hashlib.sha256(f"{salt}:{code}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def catalog_extras(code: str, level: str, online: str) -> tuple[str, str, str, str, str]:
    """The five columns of FIELDS for one item."""
    in_hall = _share(code, "hall") < (0.85 if level == "district" else 0.3)
    themes = ""
    if _share(code, "themed") < 0.09:
        themes = THEMES[int(_share(code, "theme") * len(THEMES))]
    scope = _share(code, "scope")
    cross = "province" if scope < 0.16 else "circle" if scope < 0.36 else "city" if scope < 0.42 else "none"
    e_licence = _share(code, "licence") < (0.75 if online != "none" else 0.35)
    claimed = _share(code, "claimed") < 0.96
    flag = {True: "1", False: "0"}
    return flag[in_hall], themes, cross, flag[e_licence], flag[claimed]
