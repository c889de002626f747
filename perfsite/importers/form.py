"""The classic printed form kept as an .xlsx sheet per project: labels with their values to the
right, goals under 年度目标, and the indicator grid with 一级/二级 merged down over their rows."""

from __future__ import annotations

import re
from typing import Any

from ..model import PLACEHOLDERS
from ..scaffold import project_id
from . import Imported, ImportError_, midterm
from .cells import EMPTY, Cell, Grid, norm
from .fields import (FUND_KEYS, ROW_LABELS, amount, compose_value, damage, field_of, form_for, funds, looks_cut,
                     row_entry, split_goals, unit_in)

_LABELS = ("name", "department", "implementer", "source", *FUND_KEYS, "goals")
_GRID = ("level1", "level2", *ROW_LABELS)  # a form sheet may print any of a row's columns: each is kept


def _grid_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(grid):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = field_of(cell.text) or midterm.value_column(cell.text)  # 年度指标值 | 中期指标值: a multi-year form
            if name in (*_GRID, "mid_value") and name not in columns:
                columns[name] = col
        if {"level1", "level2", "level3", "value"} <= set(columns):
            return index, columns
    return None


def looks_like_form(grid: Grid) -> bool:
    return _grid_header(grid) is not None and any(field_of(c.text) == "name" for row in grid for c in row)


def _right_of(row: list[Cell], col: int) -> str | None:
    """The value beside a label: the first cell to the right that is not the (merged) label itself."""
    label = row[col].text
    for cell in row[col + 1:]:
        if cell.text and cell.text != label and field_of(cell.text) not in _LABELS:
            return cell.text
        if cell.text and cell.text != label:
            return None
    return None


def import_form(grid: Grid, origin: str, year: int | None) -> Imported:
    header = _grid_header(grid)
    if header is None:
        raise ImportError_(f"{origin}: 不是项目支出绩效目标表：找不到“一级指标 二级指标 三级指标 指标值”表头")
    head, columns = header
    found: dict[str, str | None] = {}
    label_rows: dict[str, int] = {}
    unit = None
    text_above = ""
    for r, row in enumerate(grid[:head]):
        for c, cell in enumerate(row):
            text_above += " " + (cell.text or "")
            name = field_of(cell.text)
            if name in _LABELS and name not in found and not cell.merged:
                found[name] = _right_of(row, c)
                label_rows[name] = r
                unit = unit or (unit_in(cell.text) if name in FUND_KEYS else None)
    unit = unit or unit_in(text_above)
    if not found.get("name"):
        raise ImportError_(f"{origin}: 找不到“项目名称”及其内容")
    match = re.search(r"(20\d{2})\s*年", text_above)
    year = year or (int(match[1]) if match else None)
    name = found["name"] or ""
    department = found.get("department") or ""
    data: dict[str, Any] = {"id": project_id(name), "年度": str(year) if year else None, "项目名称": name,
                            "主管部门及代码": department, "实施单位": found.get("implementer") or department,
                            "资金": {"单位": "万元", "资金来源": found.get("source")}}
    multi = midterm.read(grid[:head])  # None: a one-year form
    form = form_for(set(columns) - {"mid_value"})
    if form is not None:
        data["表样"] = form  # the columns the sheet prints, so the page shows each as it did
    item = Imported(data, origin)
    if multi is None:
        funds(item, found, unit)
        data["年度目标"] = _goals(grid, label_rows.get("goals"), head, item)
        data["绩效指标"] = _indicators(grid[head + 1:], columns, head + 2, origin, item, form)
    else:
        _multi_year(grid, head, columns, multi, unit, origin, item, form, found, label_rows)
    if not data["绩效指标"]:
        raise ImportError_(f"{origin}: 表头下面没有指标行")
    if year is None:
        item.guess(("年度",), "表中没有年度，请用 --year 指定或在此填写")
    return item


def _multi_year(grid: Grid, head: int, columns: dict[str, int], multi: midterm.MultiYear, unit: str | None,
                origin: str, item: Imported, form: str | list[str] | None, found: dict[str, str | None],
                labels: dict[str, int]) -> None:
    """A multi-year form: the year's funds, goals and grid where a one-year table has them, the
    中期 ones in its 中期 block, 项目属性 and 项目期 in the header."""
    data = item.data
    data.update(multi.header)  # (fmt puts them in the form's order)
    funds(item, {**found, **multi.year_funds}, unit)
    # without 中期目标 | 年度目标 side by side, the year's goals are read as a one-year form's
    data["年度目标"] = multi.year_goals or (_goals(grid, labels.get("goals"), head, item) if not multi.mid_goals else
                                          _missing(item, ("年度目标",), "goal", "原表没有年度目标，请补充"))
    year, mid = _grids(grid, head, columns, origin, item, form)
    data["绩效指标"] = year
    mid_funds = {key: amount(text, unit or "万元")[0] for key, text in multi.mid_funds.items()}
    goals = multi.mid_goals or _missing(item, ("中期", "中期目标"), "midterm_goal", "原表没有中期目标，请补充")
    data["中期"] = midterm.block(mid_funds, goals, mid)
    if not mid:
        raise ImportError_(f"{origin}: 是多年项目的表（有中期资金总额），但没有中期绩效指标：需要“中期指标值”一列，"
                           "或标题为“中期绩效指标”的指标表")
    if unit == "元":
        item.guess(("中期", "资金"), "原表金额单位为元，中期资金已换算为万元")


def _missing(item: Imported, path: tuple[str, ...], role: str, note: str) -> list[str]:
    item.guess(path, note)
    return [PLACEHOLDERS[role][0]]


def _grids(grid: Grid, head: int, columns: dict[str, int], origin: str, item: Imported,
           form: str | list[str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The year's grid and the 中期 one: from one grid's two value columns (中期指标值 | 年度指标值),
    or from two grids one after the other, titled 中期绩效指标 and 年度绩效指标."""
    if "mid_value" in columns:
        rows = grid[head + 1:]
        plain = {k: v for k, v in columns.items() if k != "mid_value"}
        year = _indicators(_only(rows, columns["value"]), plain, head + 2, origin, item, form)
        mid = _indicators(_only(rows, columns["mid_value"]), {**plain, "value": columns["mid_value"]}, head + 2,
                          origin, item, form, at=("中期", "绩效指标"))
        return year, mid
    parts: dict[str, dict[str, Any]] = {"year": {}, "mid": {}}
    heads = [head] + [r for r in range(head + 1, len(grid)) if _grid_header(grid[r:r + 1]) is not None]
    title = "year"
    for index, at in enumerate(heads):
        # an untitled header is the grid above it printed again after a page break
        title = midterm.grid_title(grid[at]) or (midterm.grid_title(grid[at - 1]) if at else None) or title
        end = heads[index + 1] if index + 1 < len(heads) else len(grid)
        if index + 1 < len(heads) and midterm.grid_title(grid[end - 1]):
            end -= 1  # the next grid's title row
        cols = _grid_header(grid[at:at + 1])[1]  # type: ignore[index]
        place = ("中期", "绩效指标") if title == "mid" else ("绩效指标",)
        for level1, groups in _indicators(grid[at + 1:end], cols, at + 2, origin, item, form, at=place).items():
            for level2, rows in groups.items():
                parts[title].setdefault(level1, {}).setdefault(level2, []).extend(rows)
    return parts["year"], parts["mid"]


def _only(rows: list[list[Cell]] | Grid, col: int) -> Grid:
    """The rows that have a value in ``col`` (the others blank, so that row numbers stay)."""
    return [row if col < len(row) and row[col].text and norm(row[col].text) not in ("-", "—", "／", "/") else [EMPTY]
            for row in rows]


def _goals(grid: Grid, row: int | None, head: int, item: Imported) -> list[str]:
    goals: list[str] = []
    if row is None:
        item.guess(("年度目标",), "原表没有年度目标，请补充")
        return goals
    for r in range(row, head):
        seen = set()
        for cell in grid[r]:
            if cell.text and not cell.merged and field_of(cell.text) is None and norm(cell.text) != "总体目标" \
                    and cell.text not in seen:
                seen.add(cell.text)
                parts, split = split_goals(cell.text)
                goals += parts
                if split:
                    item.guess(("年度目标",), f"一个单元格中有多个目标，按编号拆成 {len(parts)} 条")
    for index, goal in enumerate(goals):
        if looks_cut(goal):
            item.guess(("年度目标", index), "这条目标的结尾像是被截断了，请对照原件")
    return goals


def _indicators(rows: list[list[Cell]] | Grid, columns: dict[str, int], first: int, origin: str,
                item: Imported, form: str | list[str] | None,
                at: tuple[str, ...] = ("绩效指标",)) -> dict[str, dict[str, list[dict[str, Any]]]]:
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    last: dict[str, str | None] = {"level1": None, "level2": None}
    for number, row in enumerate(rows, start=first):
        def text(name: str) -> Cell:
            col = columns.get(name)
            return row[col] if col is not None and col < len(row) else Cell(None)

        if not text("level3").text and not text("value").text:
            continue
        labels, notes = {}, []
        for level, word in (("level1", "一"), ("level2", "二")):
            cell = text(level)
            if cell.text:
                labels[level] = last[level] = cell.text
            elif last[level]:
                labels[level] = last[level]
                if not cell.merged:
                    notes.append(f"第 {number} 行的{word}级指标为空（单元格未合并），沿用上一行的「{last[level]}」")
            else:
                raise ImportError_(f"{origin}:{number}: 指标行没有{word}级指标，上面也没有可沿用的")
        entry, read = row_entry(lambda key: text(key).text, form)
        notes += read
        group = out.setdefault(labels["level1"], {}).setdefault(labels["level2"], [])
        group.append(entry)
        path = (*at, labels["level1"], labels["level2"], len(group) - 1)
        for note in notes:
            item.guess(path, note)
        problem = damage(compose_value(text("nature").text, text("value").text, text("unit").text))
        if problem:
            item.guess(path, problem)
        if looks_cut(entry["三级指标"]):
            item.guess(path, "三级指标名称的结尾像是被截断了，请对照原件")
    return out
