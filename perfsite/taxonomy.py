"""The two indicator taxonomies in use, and the many names units give their categories.

Content keeps the names the unit wrote (产出指标, 进度指标…); checks use canonical names. A new
alias is one line in ``_ALIASES``; a new profile is one entry in ``PROFILES``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

_ALIASES_1 = {
    "效果": "效益",
}
_ALIASES_2 = {
    "进度": "时效",
    "环境效益": "生态效益",
    "社会公众或服务对象满意度": "服务对象满意度",
    "社会公众满意度": "服务对象满意度",
    "生态成本": "生态环境成本",
}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: the profiles are singletons
class Profile:
    """One taxonomy: which 二级 categories sit under which 一级."""

    key: str
    title: str
    tree: dict[str, tuple[str, ...]]
    cost: tuple[int, str]  # (level, name): where the cost rows live

    # Memoised: a site has a handful of category names and asks about each of them per row.
    @functools.lru_cache(maxsize=1024)
    def level1(self, name: str) -> str | None:
        """Canonical 一级 name for what a unit wrote, or None if unknown."""
        return _resolve(name, set(self.tree), _ALIASES_1)

    @functools.lru_cache(maxsize=1024)
    def level2(self, name: str) -> str | None:
        """Canonical 二级 name (in any 一级 of this profile), or None if unknown."""
        return _resolve(name, {n for names in self.tree.values() for n in names}, _ALIASES_2)

    def parent(self, level2: str) -> str:
        return next(l1 for l1, names in self.tree.items() if level2 in names)

    def is_cost(self, level1: str | None, level2: str | None) -> bool:
        level, name = self.cost
        return (level1 if level == 1 else level2) == name

    def names(self) -> str:
        return "；".join(f"{l1}：{'、'.join(l2s)}" for l1, l2s in self.tree.items())


# A category's score band as approval tables print it: 产出指标(40-50)分, 成本指标（20分）, 效益指标(30).
_BAND = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*(?:[-－~～—至]\s*(\d+(?:\.\d+)?))?\s*分?\s*[)）]\s*分?$")
# Traditional script as some units' systems print category names (產出指標, 數量指標) and the
# importers' header labels (項目名稱, 預算數, 權重): one table, pairs of traditional → simplified,
# only characters that are never simplified script themselves.
_PAIRS = ("產产 標标 數数 質质 時时 濟济 經经 會会 態态 續续 響响 滿满 務务 對对 環环 資资 額额 間间 調调 "
          "項项 稱称 單单 預预 級级 說说 權权 釋释 據据 實实 門门 總总 財财 撥拨 績绩 計计 編编 碼码 來来 "
          "補补 負负 責责 聯联 繫系 電电 話话 屬属 評评 審审 進进 眾众 執执 於于 萬万 ")
_SIMPLIFIED = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split()})


def simplified(text: str) -> str:
    """Text with the Traditional characters of the table above in Simplified script."""
    return text.translate(_SIMPLIFIED)


def band(name: str) -> tuple[Decimal, Decimal] | None:
    """(lowest, highest) points a category's name gives it, or None."""
    match = _BAND.search(unicodedata.normalize("NFKC", name).strip())
    if match is None:
        return None
    low = Decimal(match[1])
    return low, Decimal(match[2]) if match[2] else low


def _resolve(name: str, canonical: set[str], aliases: dict[str, str]) -> str | None:
    text = unicodedata.normalize("NFKC", name).strip().replace(" ", "").translate(_SIMPLIFIED)
    text = _BAND.sub("", text)
    for candidate in (text, text.removesuffix("指标")):
        if candidate in canonical:
            return candidate
        if candidate in aliases:
            return aliases[candidate]
    return None


_BENEFIT = ("经济效益", "社会效益", "生态效益", "可持续影响")

PROFILES: dict[str, Profile] = {
    "classic": Profile(
        key="classic",
        title="财预〔2015〕88号 指标体系（成本为产出下的二级指标）",
        tree={
            "产出": ("数量", "质量", "时效", "成本"),
            "效益": _BENEFIT,
            "满意度": ("服务对象满意度",),
        },
        cost=(2, "成本"),
    ),
    "2021": Profile(
        key="2021",
        title="财预〔2021〕101号 共性指标体系（成本为一级指标）",
        tree={
            "成本": ("经济成本", "社会成本", "生态环境成本"),
            "产出": ("数量", "质量", "时效"),
            "效益": _BENEFIT,
            "满意度": ("服务对象满意度",),
        },
        cost=(1, "成本"),
    ),
}

TIMELINESS = "时效"


@functools.lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    """A category name without its spelling variants (指标 suffix, aliases), whatever its level:
    what a year-over-year comparison needs to tell a moved indicator from a renamed category."""
    for profile in PROFILES.values():
        found = profile.level1(name) or profile.level2(name)
        if found:
            return found
    return unicodedata.normalize("NFKC", name).strip()
