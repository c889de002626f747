"""指标值 text → a structured value beside it (comparator, number, unit, date); amounts → text.

The raw text is what the unit published and is always kept; the structured form is derived, never
typed by staff, and exists for checks (cost ceilings, 时效 dates) and for year-over-year diffs.
A value with more than one quantity in it (a sentence listing targets) stays text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Kind = Literal["quantity", "date", "text", "placeholder"]

_COMPARATOR_FIXES = (("≥=", "≥"), (">=", "≥"), ("=>", "≥"), ("≧", "≥"),
                     ("≤=", "≤"), ("<=", "≤"), ("=<", "≤"), ("≦", "≤"))
_UNITS = (
    "%", "‰", "万平方米", "平方公里", "平方米", "立方米", "公里", "千米", "公顷", "亩", "万吨", "吨",
    "千克", "公斤", "亿元", "万元", "元", "万人次", "人次", "万人", "人", "户", "家", "个", "本", "台",
    "份", "次", "位", "项", "件", "条", "座", "所", "辆", "套", "间", "场", "期", "批", "册", "篇", "名",
    "张", "天", "日", "小时", "分钟", "周", "月", "年", "米", "万",
)
_PER = ("平方米", "公里", "年", "月", "周", "日", "天", "人", "亩", "户", "次", "个")
_UNIT_RE = "(?:" + "|".join(map(re.escape, _UNITS)) + ")(?:/(?:" + "|".join(_PER) + "))?"
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_QUANTITY = re.compile(rf"(?P<cmp>[≥≤><=])?\s*(?:各)?\s*(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT_RE})?")
_DATE = re.compile(r"(?P<y>\d{4})\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日|(?P<eom>底|末))?"
                   r"|年\s*(?P<eoy>底|末)|-(?P<im>\d{1,2})-(?P<id>\d{1,2}))")
_PLACEHOLDER = re.compile(r"[*＊]{2,}|[xX×]{2,}")
_WORDS_GE = ("不低于", "不少于", "大于等于", "至少")
_WORDS_LE = ("不高于", "不超过", "不多于", "小于等于")
_SUFFIX_GE = ("及以上", "以上")
_SUFFIX_LE = ("及以下", "以下", "以内")


@dataclass(frozen=True, slots=True)
class Value:
    """A parsed 指标值. ``raw`` is exactly what was published."""

    raw: str
    kind: Kind
    comparator: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    date: dt.date | None = None
    dates: tuple[dt.date, ...] = ()

    @property
    def wan_yuan(self) -> Decimal | None:
        """The amount in 万元 if this value is money (万元, 万 or 元), else None."""
        if self.kind != "quantity" or self.number is None:
            return None
        if self.unit in ("万元", "万"):
            return self.number
        if self.unit == "元":
            return self.number / 10000
        if self.unit == "亿元":
            return self.number * 10000
        return None


def normalize(text: str) -> str:
    """Full-width digits and signs to half-width, ASCII comparators to ≥/≤ (for checks only)."""
    text = unicodedata.normalize("NFKC", text)
    for old, new in _COMPARATOR_FIXES:
        text = text.replace(old, new)
    return text


def _date(match: re.Match[str]) -> dt.date | None:
    year = int(match["y"])
    try:
        if match["eoy"]:
            return dt.date(year, 12, 31)
        if match["im"]:
            return dt.date(year, int(match["im"]), int(match["id"]))
        month = int(match["m"])
        if match["d"]:
            return dt.date(year, month, int(match["d"]))
        if match["eom"]:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
    except ValueError:
        return None
    return None


@functools.lru_cache(maxsize=65536)
def parse(raw: str) -> Value:
    """Derive the structured form of a 指标值; anything unclear stays ``text``."""
    text = normalize(raw).strip()
    if _PLACEHOLDER.search(text):
        return Value(raw, "placeholder")
    dates = tuple(d for d in (_date(m) for m in _DATE.finditer(text)) if d)
    rest = _DATE.sub(" ", text).strip() if dates else text
    if dates and len(re.sub(r"[\s前之以完成止]", "", rest)) == 0:
        return Value(raw, "date", date=dates[0], dates=dates)
    quantities = [m for m in _QUANTITY.finditer(rest)]
    if len(quantities) != 1:
        return Value(raw, "text", dates=dates)
    m = quantities[0]
    comparator = m["cmp"]
    before, after = rest[: m.start()], rest[m.end():]
    if comparator is None:
        if before.endswith(_WORDS_GE) or after.startswith(_SUFFIX_GE):
            comparator = "≥"
        elif before.endswith(_WORDS_LE) or after.startswith(_SUFFIX_LE):
            comparator = "≤"
    return Value(
        raw,
        "quantity",
        comparator=comparator,
        number=Decimal(m["num"].replace(",", "")),
        unit=m["unit"],
        dates=dates,
    )


def written_amount(amount: Decimal | None) -> str:
    """An amount of a content file as its file wrote it: 12.50 stays 12.50 (the Decimal read from
    "12.50" keeps its digits; README promises amounts printed as written), never 1.25E+1. One
    converted from 元 is already at its shortest (Funds.wan). None reads as 0."""
    return "0" if amount is None else format(amount, "f")


def fmt_amount(amount: Decimal | None) -> str:
    """An amount perfsite computed (a total, a difference) at its shortest: 36.4, 0, never 36.40
    or 3.64E+1 (a sum takes the most decimals of its terms). None reads as 0."""
    text = written_amount(amount)
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell_text(value: object) -> str:
    """A row's field as its cell shows it (page and CSV): an amount as written (权重 10.50), blank for none."""
    if value is None:
        return ""
    return written_amount(value) if isinstance(value, Decimal) else str(value)


def combined(value: Value, nature: str | None, unit: str | None) -> Value:
    """A value whose form gives 指标性质 and 度量单位 columns of their own (一体化 exports: ≥ | 90 | %):
    the comparator and unit come from those columns where the 指标值 text has none, so that the
    checks read "≥ 90 %" as they read "≥90%". A 定性 row is text whatever its 指标值 says."""
    if nature is None and unit is None:
        return value
    if nature == "定性":
        return Value(value.raw, "text", dates=value.dates)
    if value.kind != "quantity":
        return value
    comparator = value.comparator or (nature if nature in ("≥", "≤", "=", ">", "<") else None)
    return Value(value.raw, "quantity", comparator=comparator, number=value.number,
                 unit=value.unit or (unit.strip() or None if unit else None), dates=value.dates)


def meets(target: Value, actual: str) -> bool | None:
    """Whether an 实际完成值 meets its 年度指标值, where both can be read: a quantity against its
    comparator (a bare number is a level to reach: ≥), in the same unit (money in any of 元, 万元,
    亿元), or a date on or before the deadline. None where either is text, or the units differ."""
    done = parse(actual)
    if target.kind == "date" and target.date is not None:
        when = done.date or (done.dates[-1] if done.dates else None)
        return None if when is None else when <= target.date
    if target.kind != "quantity" or done.kind != "quantity" or target.number is None or done.number is None:
        return None
    goal, got = target.number, done.number
    if target.unit != done.unit:
        if target.wan_yuan is None or done.wan_yuan is None:
            if target.unit is not None and done.unit is not None:
                return None
        else:
            goal, got = target.wan_yuan, done.wan_yuan
    comparator = target.comparator or "≥"
    return {"≥": got >= goal, ">": got > goal, "≤": got <= goal, "<": got < goal, "=": got == goal}[comparator]
