"""Flat exports of self-evaluations (.xlsx or .csv): one line per indicator, 项目名称 … 实际完成值,
分值, 得分 (偏差原因, and 全年预算数 / 全年执行数 where the system exports them), the lines of each
project together: one self-evaluation per project."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..taxonomy import simplified
from . import Imported, ImportError_
from .cells import Cell, Grid, Row, norm
from .evaluation import (AMOUNTS, Rows, header_row, require_actual, number, value_of, year_in, finish, fund_block,
                         goal_lines, start, unit_of)

_TOTAL = re.compile(r".{0,30}?(合计|小计|总计)")
_ONCE = ("sum", "grade")  # a project's own cells, given on its first line or repeated on each


@dataclass
class _Project:
    item: Imported
    rows: Rows
    amounts: dict[str, str | None] = field(default_factory=dict)
    once: dict[str, str | None] = field(default_factory=dict)
    goals: dict[str, list[str]] = field(default_factory=lambda: {"expected": [], "achieved": []})

    def take(self, cell, columns: dict[str, int]) -> None:
        """What a line says of its project: the first amount, 总分 and 自评等级 given, every goal text."""
        for key in AMOUNTS:
            if key in columns and self.amounts.get(key) is None:
                self.amounts[key] = number(cell(key).text)
        for key in _ONCE:
            if self.once.get(key) is None:
                self.once[key] = (number if key == "sum" else value_of)(cell(key).text)
        for key in self.goals:
            if cell(key).text:
                self.goals[key].append(cell(key).text)


def import_evaluation_export(grid: Grid, origin: str, year: int | None) -> list[Imported]:
    found = header_row(grid, ("name", "level3"))
    if found is None:
        raise ImportError_(f"{origin}: 找不到自评表明细的表头行；需要“项目名称”“三级指标”“实际完成值”“分值”“得分”等列")
    head, columns = found
    require_actual(f"{origin}:{head + 1}", columns, grid[head])
    above = " ".join(c.text or "" for row in grid[:head] for c in row)
    unit = unit_of([grid[head][columns[k]].text for k in AMOUNTS if k in columns] + [above])
    year = year_in(above, year)
    projects: list[_Project] = []
    for line_no, row in enumerate(grid[head + 1:], start=head + 2):
        def cell(name: str, row: Row = row) -> Cell:
            col = columns.get(name)
            return row[col] if col is not None and col < len(row) else Cell(None)

        if not any(cell(name).text for name in columns) or norm(cell("level3").text) == norm(grid[head][columns["level3"]].text):
            continue  # a blank line, a note beside the table, or the header repeated at a page break
        name = cell("name").text
        if name and _TOTAL.fullmatch(simplified(norm(name))) and not cell("level3").text:
            continue  # a subtotal line between projects
        if name and (not projects or name != projects[-1].item.data["项目名称"]):
            header = {k: cell(k).text for k in ("name", "code", "department", "implementer", "contact", "phone")}
            item = start(header, f"{origin}:{line_no}", year)
            projects.append(_Project(item, Rows(item)))
        elif not projects:
            raise ImportError_(f"{origin}:{line_no}: 第一条指标行没有项目名称")
        project = projects[-1]
        project.take(cell, columns)
        project.rows.add(cell, f"{origin}:{line_no}")
    if not projects:
        raise ImportError_(f"{origin}: 表头下面没有指标行")
    for project in projects:
        if not project.rows.grid:
            raise ImportError_(f"{project.item.origin}: 项目「{project.item.data['项目名称']}」没有指标行")
        amounts = {k: v for k, v in project.amounts.items() if v is not None}
        funds = fund_block(project.item, {"total": amounts} if amounts else {}, unit, project.rows.budget or (None, None))
        goals = goal_lines(project.goals["expected"]), goal_lines(project.goals["achieved"])
        finish(project.item, funds, goals, project.rows.grid, project.once.get("sum"), project.once.get("grade"))
    return [p.item for p in projects]
