"""The multi-year half of the 88号 项目支出绩效目标表: 项目资金 in two columns (中期资金总额 | 年度资金总额),
总体目标 as 中期目标（20XX年—20XX年）| 年度目标 side by side, 项目属性 and 项目期. form.py reads the
rest of the form as it reads a one-year one and puts the year's figures where a one-year table has
them; what is read here is only found on multi-year forms, so a one-year form imports as before."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kinds import TARGET
from ..model import MidFunds, MidTerm
from .cells import Row, norm
from .evaluation import goal_lines, value_of
from .fields import FUND_KEYS, field_of, label_word

_MID, _YEAR = "中期资金总额", "年度资金总额"
_VALUES = {"年度指标值": "value", "年度目标值": "value", "中期指标值": "mid_value", "中期目标值": "mid_value"}
GRID_TITLES = {"中期绩效指标": "mid", "中期指标": "mid", "年度绩效指标": "year", "年度指标": "year"}
_HEADER = {f.attr: tuple(norm(n) for n in f.names) for f in (TARGET.field("attribute"), TARGET.field("period"))}


def _word(text: str | None) -> str:
    return label_word(text).removeprefix("其中")


def value_column(text: str | None) -> str | None:
    """A grid header cell of a form with two value columns: 年度指标值 is the year's 指标值."""
    return _VALUES.get(_word(text))


def grid_title(row: Row) -> str | None:
    """'mid' or 'year' where an own cell of the row titles a grid (中期绩效指标, 年度绩效指标)."""
    return next((GRID_TITLES[w] for c in row if not c.merged and (w := _word(c.text)) in GRID_TITLES), None)


@dataclass
class MultiYear:
    year_funds: dict[str, str | None] = field(default_factory=dict)  # importer fund key → the year's text
    mid_funds: dict[str, str | None] = field(default_factory=dict)  # … → 中期's
    year_goals: list[str] = field(default_factory=list)
    mid_goals: list[str] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)  # 项目属性, 项目期 as written


def _pair(rows: list[Row], mid: str, year: str) -> tuple[int, int, int] | None:
    """(row, 中期 column, 年度 column) of the first row with both headings as own cells."""
    for index, row in enumerate(rows):
        cols = {w: c for c, cell in enumerate(row) if not cell.merged and (w := _word(cell.text))}
        m = next((c for w, c in cols.items() if w.startswith(mid)), None)
        y = cols.get(year)
        if m is not None and y is not None:
            return index, m, y
    return None


def read(rows: list[Row]) -> MultiYear | None:
    """The multi-year fields above the grid; None where there is no 中期资金总额 | 年度资金总额 block."""
    funds_at = _pair(rows, _MID, _YEAR)
    if funds_at is None:
        return None
    out = MultiYear()
    at, mid_col, year_col = funds_at
    for row in rows[at + 1:]:
        line = next((name for c in row[:min(mid_col, year_col)] if not c.merged
                     and (name := field_of(_word(c.text))) in FUND_KEYS), None)
        if line is None:
            break
        for col, block in ((mid_col, out.mid_funds), (year_col, out.year_funds)):
            cell = row[col] if col < len(row) else None
            block[line] = value_of(cell.text) if cell is not None and not cell.merged else None
    goals_at = _pair(rows, "中期目标", "年度目标")
    if goals_at is not None:
        out.mid_goals, out.year_goals = _goals(rows, *goals_at)
    out.header = _header(rows)
    return out


def _goals(rows: list[Row], at: int, mid_col: int, year_col: int) -> tuple[list[str], list[str]]:
    """The texts under 中期目标 and 年度目标, each column's own cells, down to the next labelled row."""
    texts: dict[int, list[str]] = {mid_col: [], year_col: []}
    for row in rows[at + 1:]:
        others = [c for i, c in enumerate(row) if i not in texts and c.text and not c.merged]
        if others:
            break
        for col in texts:
            if col < len(row) and row[col].text and not row[col].merged:
                texts[col].append(row[col].text)
    return goal_lines(texts[mid_col]), goal_lines(texts[year_col])


def _header(rows: list[Row]) -> dict[str, str]:
    """项目属性 and 项目期: the text right of each label."""
    found: dict[str, str] = {}
    for row in rows:
        for col, cell in enumerate(row):
            attr = next((a for a, names in _HEADER.items() if not cell.merged and norm(cell.text) in names), None)
            value = next((c.text for c in row[col + 1:] if c.text and c.text != cell.text), None) if attr else None
            if attr and value and attr not in found and not any(norm(value) in n for n in _HEADER.values()):
                found[attr] = value
    return {TARGET.field(attr).alias: text for attr, text in found.items()}


def block(funds: dict[str, str | None], goals: list[str], grid: dict) -> dict:
    """The 中期 block as the file holds it (``funds`` by importer key, in 万元), keys from the model."""
    money = {MidFunds.model_fields[attr].alias: funds.get(attr) for attr in ("total", "fiscal", "other")
             if attr in funds or attr == "total"}
    fields = MidTerm.model_fields
    return {fields["funds"].alias: money, fields["goals"].alias: goals, fields["indicators"].alias: grid}
