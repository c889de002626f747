"""When and under which number a table is published: its dates against the 20-day rule, and its
索引号 from the unit's pattern (政府信息公开目录 metadata)."""

from __future__ import annotations

import datetime as dt
import string
from typing import Iterable, NamedTuple, Protocol

from pydantic_core import PydanticCustomError

from .diagnostics import Level
from .model import Dates

# 预算法 第十四条 and 财预〔2016〕143号: a budget and its 绩效目标表 are public within 20 days of the 批复.
LATE_DAYS = 20
PATTERN_FIELDS = ("机构代码", "年度", "序号", "id")  # what a 索引号 pattern may name
_SAMPLE = {"机构代码": "000000000000000000", "年度": 2022, "序号": 1, "id": "xiangmu"}


class Metadata(NamedTuple):
    """What a table's page shows under its title, and its JSON and data package say."""

    index_number: str | None  # 索引号: the file's own, else the unit's pattern, else none
    organ: str  # 发布机构
    published: dt.date | None  # 发布日期 (公开日期)
    approved: dt.date | None  # 批复日期
    note: str | None  # 公开说明

    def as_json(self) -> dict[str, str]:
        """The set ones, under the labels the page prints."""
        found = {"索引号": self.index_number, "发布机构": self.organ, "发布日期": self.published,
                 "批复日期": self.approved, "公开说明": self.note}
        return {label: str(value) for label, value in found.items() if value is not None}


def days_late(approved: dt.date | None, published: dt.date | None) -> int | None:
    """Days past the 20 allowed after the 批复 (0 or less: in time); None when a date is missing."""
    if approved is None or published is None:
        return None
    return (published - approved).days - LATE_DAYS


class Problem(NamedTuple):
    level: Level
    code: str
    message: str
    hint: str
    on: str  # the key it stands at: 公开日期, 批复日期, or 年度 (a date that is missing)


_WHY = "；若确有原因，写“公开说明: …”说明"


def problems(dates: Dates) -> list[Problem]:
    """E036 公开日期 before 批复日期; W012 public more than LATE_DAYS days after the 批复, W013 a
    date not given: the last two unless a 公开说明 says why."""
    approved, published = dates.approved, dates.published
    if approved is not None and published is not None and published < approved:
        return [Problem(Level.ERROR, "E036", f"公开日期 {published} 早于批复日期 {approved}",
                        "预算批复后才能公开：核对两个日期（YYYY-MM-DD）", "公开日期")]
    if dates.note is not None:
        return []
    late = days_late(approved, published)
    if late is not None and late > 0:
        return [Problem(Level.WARNING, "W012",
                        f"公开日期 {published} 在批复日期 {approved} 后 {(published - approved).days} 日，超过 {LATE_DAYS} 日",
                        f"预算法第十四条：批复后 {LATE_DAYS} 日内公开{_WHY}", "公开日期")]
    missing = [label for label, date in (("批复日期", approved), ("公开日期", published)) if date is None]
    if missing:
        return [Problem(Level.WARNING, "W013", f"没有{'和'.join(missing)}：无法核对是否在批复后 {LATE_DAYS} 日内公开",
                        f"在本文件写“{missing[0]}: YYYY-MM-DD”，或在 site.yaml 的“公开 → 年度”中为全年填写{_WHY}",
                        "年度")]
    return []


def check_pattern(pattern: str | None) -> str | None:
    """A 索引号 pattern names only PATTERN_FIELDS, in str.format's syntax ({序号:03} pads it)."""
    if pattern is None:
        return None
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
        unknown = [name for name in names if name not in PATTERN_FIELDS]
        if unknown or not names:
            raise ValueError
        pattern.format_map(_SAMPLE)
    except (ValueError, TypeError, KeyError, IndexError):
        raise PydanticCustomError("index_pattern", "索引号格式「{input}」无法使用", {"input": pattern}) from None
    return pattern


class Table(Protocol):
    """What the catalogue reads of a table (load.Summary)."""

    id: str
    approved: dt.date | None
    published: dt.date | None
    note: str | None
    index_number: str | None


def catalogue(tables: Iterable[Table], year: int, year_dates: Dates | None, organ: str, pattern: str | None,
              code: str | None) -> dict[str, Metadata]:
    """Each table of a year by id, with its dates over the year's and its 索引号: its own, else the
    pattern's with its 序号 (``numbers``)."""
    dated = [(table, Dates(table.approved, table.published, table.note).over(year_dates)) for table in tables]
    numbered = numbers((table.id, dates.published) for table, dates in dated)
    return {table.id: Metadata(table.index_number or index_number(pattern, code, year, numbered[table.id], table.id),
                               organ, dates.published, dates.approved, dates.note)
            for table, dates in dated}


def numbers(tables: Iterable[tuple[str, dt.date | None]]) -> dict[str, int]:
    """Each table's 序号 in its year from (id, 公开日期): in order of publication, then of id, the
    undated last, so that a table published later never renumbers those published before it."""
    order = sorted(tables, key=lambda table: (table[1] is None, table[1] or dt.date.min, table[0]))
    return {ident: number for number, (ident, _) in enumerate(order, start=1)}


def index_number(pattern: str | None, code: str | None, year: int, number: int, ident: str) -> str | None:
    if pattern is None:
        return None
    return pattern.format_map({"机构代码": code or "", "年度": year, "序号": number, "id": ident})
