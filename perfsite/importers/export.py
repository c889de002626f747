"""Flat exports of the provincial 预算管理一体化 system (.xlsx or .csv): one row per indicator.

Columns are found by their header names (with aliases), wherever the header row is (titles and a
unit line usually sit above it). Project cells are merged or left blank below a project's first
row; several projects share a sheet; amounts are often in 元 with thousands separators; the
comparator, number and unit of a 指标值 may sit in separate columns.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..model import split_department
from ..scaffold import project_id
from . import Imported, ImportError_
from .cells import Cell, Grid, norm
from .fields import FUND_KEYS, compose_value, damage, field_of, funds, looks_cut, split_goals, unit_in

_NEEDED = {"name", "level3", "value"}
_PROJECT_FIELDS = ("implementer", "department", "dept_code", "code", "name", "source", "goals", *FUND_KEYS)


def find_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """The header row (index, field → column) among the first 30 rows, if any."""
    for index, row in enumerate(grid[:30]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = field_of(cell.text)
            if name and name not in columns:
                columns[name] = col
        if _NEEDED <= set(columns):
            return index, columns
    return None


def _year_in(text: str) -> int | None:
    match = re.search(r"(20\d{2})\s*年", text)
    return int(match[1]) if match else None


class _Project:
    """One project being read: the data so far and the labels the next rows inherit."""

    def __init__(self, item: Imported) -> None:
        self.item = item
        self.last: dict[str, str | None] = {"level1": None, "level2": None}

    def add_row(self, cell: Callable[[str], Cell], origin: str) -> None:
        labels: dict[str, str] = {}
        inherited = []
        for level, word in (("level1", "一"), ("level2", "二")):
            c = cell(level)
            if c.text:
                labels[level] = self.last[level] = c.text
            elif self.last[level] is not None:
                labels[level] = self.last[level]  # type: ignore[assignment]
                if not c.merged:
                    inherited.append(f"{origin} 的{word}级指标为空（单元格未合并），沿用上一行的「{self.last[level]}」")
            else:
                raise ImportError_(f"{origin}: 指标行没有{word}级指标，上面也没有可沿用的")
        rows = self.item.data["绩效指标"].setdefault(labels["level1"], {}).setdefault(labels["level2"], [])
        value = compose_value(cell("nature").text, cell("value").text, cell("unit").text)
        entry: dict[str, Any] = {"三级指标": cell("level3").text or "", "指标值": value}
        if cell("note").text:
            entry["说明"] = cell("note").text
        rows.append(entry)
        path = ("绩效指标", labels["level1"], labels["level2"], len(rows) - 1)
        for message in inherited:
            self.item.guess(path, message)
        problem = damage(value)
        if problem:
            self.item.guess(path, problem)
        if looks_cut(entry["三级指标"]):
            self.item.guess(path, "三级指标名称的结尾像是被截断了，请对照原件")
        extra = [f"{label}「{cell(key).text}」" for key, label in (("weight", "权重"), ("direction", "指标方向性"))
                 if cell(key).text]
        if extra:
            self.item.guess(path, "原表的" + "、".join(extra) + "在表样中没有对应栏目，未导入")


def import_grid(grid: Grid, origin: str, year: int | None) -> list[Imported]:
    """Every project of one sheet (or CSV file)."""
    found = find_header(grid)
    if found is None:
        raise ImportError_(f"{origin}: 找不到表头行；需要“项目名称”“三级指标”“指标值”等列（列名可带单位，位置不限）")
    head, columns = found
    above = " ".join(c.text or "" for row in grid[:head] for c in row)
    unit = next((u for u in (unit_in(grid[head][columns[k]].text) for k in FUND_KEYS if k in columns) if u), None) \
        or unit_in(above)
    year = year or _year_in(above)
    projects: list[_Project] = []
    for number, row in enumerate(grid[head + 1:], start=head + 2):
        def cell(name: str, row: list[Cell] = row) -> Cell:
            col = columns.get(name)
            return row[col] if col is not None and col < len(row) else Cell(None)

        texts = [c.text for c in row if c.text]
        if not texts:
            continue
        if field_of(cell("level3").text) == "level3" or norm(texts[0]) in ("合计", "总计"):
            continue  # a header repeated at a page break, or a total line
        if not any(cell(name).text for name in columns):
            if projects:  # a note or a stray cell beside the table is no indicator row, but it is said
                projects[-1].item.guess((), f"{origin}:{number} 只在表头以外的列有内容（「{texts[0][:40]}」），未导入")
            continue
        name = cell("name").text
        if name and (not projects or name != projects[-1].item.data["项目名称"]):
            projects.append(_Project(_start({k: cell(k) for k in _PROJECT_FIELDS}, f"{origin}:{number}", year, unit)))
        elif not projects:
            raise ImportError_(f"{origin}:{number}: 第一条指标行没有项目名称")
        projects[-1].add_row(cell, f"{origin}:{number}")
    if not projects:
        raise ImportError_(f"{origin}: 表头下面没有指标行")
    for project in projects:
        if project.item.data["年度"] is None:
            project.item.guess(("年度",), "表中没有年度，请用 --year 指定或在此填写")
    return [p.item for p in projects]


def _department(name: str, code: str | None) -> str:
    """主管部门及代码 from a name and a 部门编码 column: "219-某某局", as the printed form has it."""
    if not code or not name or split_department(name)[0] is not None:
        return name
    return f"{code}-{name}"


def _start(cells: dict[str, Cell], origin: str, year: int | None, unit: str | None) -> Imported:
    text = {k: c.text for k, c in cells.items()}
    name = text["name"] or ""
    code = (text.get("code") or "").lower()
    ident = code if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", code) else project_id(name)
    department = _department(text.get("department") or text.get("implementer") or "", text.get("dept_code"))
    data: dict[str, Any] = {"id": ident, "年度": str(year) if year else None, "项目名称": name,
                            "主管部门及代码": department, "实施单位": text.get("implementer") or department,
                            "资金": {"单位": "万元", "资金来源": text.get("source")}}
    item = Imported(data, origin)
    funds(item, text, unit)
    goals_text = text.get("goals")
    if goals_text:
        goals, split = split_goals(goals_text)
        data["年度目标"] = goals
        if split:
            item.guess(("年度目标",), f"原表年度目标在一个单元格中，按编号拆成 {len(goals)} 条")
        for index, goal in enumerate(goals):
            if looks_cut(goal):
                item.guess(("年度目标", index), "这条目标的结尾像是被截断了，请对照原件")
    else:
        data["年度目标"] = []
        item.guess(("年度目标",), "原表没有年度目标，请补充")
    if not text.get("department") and text.get("implementer"):
        item.guess(("主管部门及代码",), "原表没有主管部门列，暂用单位名称，请核对")
    data["绩效指标"] = {}
    return item
