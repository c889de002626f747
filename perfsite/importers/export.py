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
from ..taxonomy import simplified
from .fields import (FUND_KEYS, ROW_LABELS, points, category_note, compose_value, damage, field_of, form_for, funds,
                     looks_cut, row_entry, split_goals, unit_in)

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


# The cells of an indicator row: a line with none of them is a project's own line (a subtotal).
_INDICATOR = ("level1", "level2", *ROW_LABELS)
_TOTAL = re.compile(r".{0,30}?(合计|小计|总计)")
# 预算执行 as approval tables print its row in the 一级指标 column: 预算执行 10分, 预算执行(10分).
_BUDGET = re.compile(r"预算执行(?:指标)?[(（]?(\d+(?:\.\d+)?)?分?[)）]?分?")


class _Project:
    """One project being read: the data so far and the labels the next rows inherit."""

    def __init__(self, item: Imported, form: str | list[str] | None) -> None:
        self.item = item
        self.form = form
        self.last: dict[str, str | None] = {"level1": None, "level2": None}
        self.headed: set[str] = set()  # levels whose label a category row gave: the rows below are under it
        self.groups: list[tuple[str, str]] = []  # the categories in the order the source gives them

    def add_row(self, cell: Callable[[str], Cell], origin: str) -> None:
        if self._budget_row(cell, origin) or self._category_row(cell, origin):
            return
        labels, inherited = self._labels(cell, origin)
        rows = self._group(labels["level1"], labels["level2"], origin)
        entry, notes = row_entry(lambda key: cell(key).text, self.form)
        rows.append(entry)
        path = ("绩效指标", labels["level1"], labels["level2"], len(rows) - 1)
        for message in inherited + notes:
            self.item.guess(path, message)
        problem = damage(compose_value(cell("nature").text, cell("value").text, cell("unit").text))
        if problem:
            self.item.guess(path, problem)
        if looks_cut(entry["三级指标"]):
            self.item.guess(path, "三级指标名称的结尾像是被截断了，请对照原件")

    def _labels(self, cell: Callable[[str], Cell], origin: str) -> tuple[dict[str, str], list[str]]:
        labels: dict[str, str] = {}
        inherited = []
        for level, word in (("level1", "一"), ("level2", "二")):
            c = cell(level)
            if c.text:
                labels[level] = self.last[level] = c.text
                self.headed.discard(level)
            elif self.last[level] is not None:
                labels[level] = self.last[level]  # type: ignore[assignment]
                if not c.merged and level not in self.headed:
                    inherited.append(f"{origin} 的{word}级指标为空（单元格未合并），沿用上一行的「{self.last[level]}」")
            else:
                raise ImportError_(f"{origin}: 指标行没有{word}级指标，上面也没有可沿用的")
        return labels, inherited

    def _group(self, level1: str, level2: str, origin: str) -> list[dict[str, Any]]:
        """The rows of a category, each new category name's reading said; a category the source
        returns to after another is said too, since the file's nesting puts its rows together."""
        grid = self.item.data["绩效指标"]
        for path, name in ((("绩效指标", level1), level1), (("绩效指标", level1, level2), level2)):
            known = level1 in grid if len(path) == 2 else level2 in grid.get(level1, {})
            note = None if known else category_note(name)
            if note:
                self.item.guess(path, note)
        key = (level1, level2)
        if key in self.groups and self.groups[-1] != key:
            self.item.guess(("绩效指标", level1, level2),
                            f"{origin} 又回到「{level1} / {level2}」（原表中间隔着其他类别的行）：归入这一类，行序与原表不同")
        if key not in self.groups:
            self.groups.append(key)
        return grid.setdefault(level1, {}).setdefault(level2, [])

    def _category_row(self, cell: Callable[[str], Cell], origin: str) -> bool:
        """A row that only names a category (成本指标(0-20)分, often merged across the grid): the rows
        below sit under it. Anything else it holds is said, not dropped silently."""
        level1 = cell("level1").text
        level2 = _own(cell("level2"), level1)
        if not (level1 or level2) or _own(cell("level3"), level1) or _own(cell("value"), level1):
            return False
        if level1:
            self.last["level1"], self.last["level2"] = level1, None
            self.headed.add("level1")
        if level2:
            self.last["level2"] = level2
            self.headed.add("level2")
        rest = [f"{ROW_LABELS[k]}「{t}」" for k in ROW_LABELS if (t := _own(cell(k), level1))]
        if rest:
            self.item.guess(("绩效指标",), f"{origin} 是类别行「{level2 or level1}」，其中的" + "、".join(rest) + "未导入")
        return True

    def _budget_row(self, cell: Callable[[str], Cell], origin: str) -> bool:
        """预算执行's row (approval tables: 预算执行 10分): its points are the project's 预算执行,
        not an indicator."""
        label = cell("level1").text
        match = _BUDGET.fullmatch(simplified(norm(label))) if label else None
        if match is None:
            return False
        given = next((t for k in ("score", "weight") if (t := _own(cell(k), label))), None)
        budget = points(given)[0] if given else match[1]
        rest = [f"{ROW_LABELS[k]}「{t}」" for k in ("level3", "value") if (t := _own(cell(k), label))]
        dropped = "；该行的" + "、".join(rest) + "未导入（预算执行不是指标行）" if rest else ""
        if budget is None:
            self.item.guess(("绩效指标",), f"{origin} 是预算执行行「{label}」，但没有分值，未导入{dropped}")
        else:
            self.item.data["预算执行"] = budget
            self.item.guess(("预算执行",), f"{origin}「{label}」是预算执行的分值行，记为预算执行 {budget}（不是指标行）{dropped}")
        return True


def _own(c: Cell, label: str | None) -> str | None:
    """A cell's own text: not the copy a range merged across the row from its label leaves in it."""
    return None if c.merged and c.text == label else c.text


def _total_line(cell: Callable[[str], Cell], texts: list[str]) -> bool:
    """A subtotal or total line (部门合计 between projects, 合计 at the end): its project cells or its
    first cell say so, and it names no indicator (it may sum the amounts and the weights)."""
    said = [cell(k).text for k in ("name", "implementer", "department", "code")] + texts[:1]
    label = next((t for t in said if t and _TOTAL.fullmatch(simplified(norm(t)))), None)
    return label is not None and not (_own(cell("level3"), label) or _own(cell("value"), label))


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
    form = form_for(set(columns))
    projects: list[_Project] = []
    pending: list[str] = []  # what was said before the first project, for it
    for number, row in enumerate(grid[head + 1:], start=head + 2):
        def cell(name: str, row: list[Cell] = row) -> Cell:
            col = columns.get(name)
            return row[col] if col is not None and col < len(row) else Cell(None)

        texts = [c.text for c in row if c.text]
        if not texts or field_of(cell("level3").text) == "level3":
            continue  # a blank line, or a header repeated at a page break
        if _total_line(cell, texts):
            shown = " ".join(dict.fromkeys(texts))[:60]
            pending.append(f"{origin}:{number} 是合计行（「{shown}」），不是项目，未导入")
        elif not any(cell(name).text for name in columns):
            # a note or a stray cell beside the table is no indicator row, but it is said
            pending.append(f"{origin}:{number} 只在表头以外的列有内容（「{texts[0][:40]}」），未导入")
        else:
            name = cell("name").text
            if name and (not projects or name != projects[-1].item.data["项目名称"]):
                item = _start({k: cell(k) for k in _PROJECT_FIELDS}, f"{origin}:{number}", year, unit, form)
                projects.append(_Project(item, form))
            elif not projects:
                raise ImportError_(f"{origin}:{number}: 第一条指标行没有项目名称")
            projects[-1].add_row(cell, f"{origin}:{number}")
        if projects:
            for message in pending:
                projects[-1].item.guess((), message)
            pending = []
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


def _start(cells: dict[str, Cell], origin: str, year: int | None, unit: str | None,
           form: str | list[str] | None) -> Imported:
    text = {k: c.text for k, c in cells.items()}
    name = text["name"] or ""
    code = (text.get("code") or "").lower()
    ident = code if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", code) else project_id(name)
    department = _department(text.get("department") or text.get("implementer") or "", text.get("dept_code"))
    data: dict[str, Any] = {"id": ident, "年度": str(year) if year else None, "项目名称": name,
                            "主管部门及代码": department, "实施单位": text.get("implementer") or department,
                            "资金": {"单位": "万元", "资金来源": text.get("source")}}
    if form is not None:
        data["表样"] = form  # the columns the source has, so the page shows each where it printed it
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
