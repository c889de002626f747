"""A 部门整体支出绩效目标表 laid out as its form prints it: the plain data its template receives.

Amounts are shown in 万元 whatever the file's 单位 (as a project's are), 金额合计 as the file states
it or else the tasks' sums, 占比 as written. The grid is a target table's (site.grid), its ids
prefixed by its year (``d2023-``) so that a department's page can show every year's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from .department import DepartmentTable
from .department_rules import covers
from .site import Form, grid, grid_columns, is_wide
from .values import fmt_amount, written_amount


class TaskLine(NamedTuple):
    """A line of 年度主要任务 (or 金额合计): its name, 主要内容 and 预算金额, as shown."""

    name: str
    content: str
    total: str
    fiscal: str
    other: str


class ShareLine(NamedTuple):
    name: str
    amount: str
    share: str  # "62.5%", or "" where the table gives none


class ShareBlock(NamedTuple):
    """收入构成 or 支出构成: its lines and their total (with 100% where its lines give 占比)."""

    title: str
    lines: list[ShareLine]
    total: str
    share: str


def _shown(table: DepartmentTable, amount: Decimal | None) -> str:
    return "" if amount is None else written_amount(table.wan(amount))


def task_lines(table: DepartmentTable) -> list[TaskLine]:
    return [TaskLine(t.name, t.content or "", _shown(table, t.total), _shown(table, t.fiscal), _shown(table, t.other))
            for t in table.tasks]


def sum_line(table: DepartmentTable) -> TaskLine:
    """金额合计 as the file states it, else the tasks' sums (a column all blank stays blank)."""
    if table.sum is not None:
        stated = table.sum
        return TaskLine("金额合计", "", _shown(table, stated.total), _shown(table, stated.fiscal),
                        _shown(table, stated.other))
    total, fiscal, other = (table.wan(v) for v in table.totals())
    return TaskLine("金额合计", "", *("" if v is None else fmt_amount(v) for v in (total, fiscal, other)))


def composition(table: DepartmentTable) -> list[ShareBlock]:
    if table.composition is None:
        return []
    blocks = []
    for key, _total_key, lines, stated in table.composition.blocks():
        total = stated if stated is not None else sum((line.amount for line in lines), Decimal(0))
        blocks.append(ShareBlock(key, [ShareLine(line.name, _shown(table, line.amount),
                                                 "" if line.share is None else f"{written_amount(line.share)}%")
                                       for line in lines], fmt_amount(table.wan(total)),
                                 "100%" if any(line.share is not None for line in lines) else ""))
    return blocks


def against_projects(table: DepartmentTable, count: int, total: Decimal) -> dict[str, Any]:
    """The table beside its department's published projects of the year: what W100 reads."""
    line = table.expenditure()
    spent = None if line is None else table.wan(line.amount)
    return {"count": count, "total": fmt_amount(total),
            "expenditure": None if spent is None else written_amount(spent), "covered": covers(table, total)}


def layout(table: DepartmentTable, form: Form, projects: int, projects_total: Decimal) -> dict[str, Any]:
    """Everything the form shows, in its order."""
    prefix = f"d{table.year}-"
    rows = grid(table, form, prefix)
    return {"name": table.name, "department": table.department, "year": table.year, "note": table.note,
            "duties": table.duties, "published": table.published, "composition": composition(table),
            "tasks": task_lines(table), "sum": sum_line(table), "goals": table.goals, "grid": rows,
            "columns": grid_columns(form), "prefix": prefix, "perf_rows": len(rows), "wide": is_wide(form),
            "projects": against_projects(table, projects, projects_total)}
