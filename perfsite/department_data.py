"""Open data of a 部门整体支出绩效目标表: the file as JSON, and one CSV of its tasks and its
indicators, shaped like the targets' downloads (UTF-8 with a BOM, amounts in 万元, formulas
neutralised as OWASP advises).

The CSV holds both parts of the form, one line each, told apart by its first column (部分:
年度主要任务 or 绩效指标), so that the one download a department page links is the whole table.
"""

from __future__ import annotations

import json
from typing import Any

from .department import DepartmentTable
from .forms import columns as form_columns
from .kinds import DEPARTMENT_TASKS, TARGET
from .opendata import BOM, _encoded, _neutral, drop_unset_columns
from .site import DEPARTMENT_DIR
from .values import cell_text, written_amount

TASKS, INDICATORS = "年度主要任务", "绩效指标"


def department_json(table: DepartmentTable) -> str:
    """The file as data: what it says, with no column a classic grid leaves blank."""
    data: dict[str, Any] = table.model_dump(mode="json", by_alias=True)
    drop_unset_columns(data["绩效指标"])
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _columns(form: str | tuple[str, ...]) -> tuple[str, ...]:
    tasks = tuple(c.label if c.attr in ("name", "content") else f"{c.label}（万元）" for c in DEPARTMENT_TASKS)
    grid = ("一级指标", "二级指标", *form_columns(form))
    return ("部分", "年度", "部门名称", *tasks, *grid)


def department_csv(view: dict[str, Any]) -> bytes:
    """The table's tasks, then its indicators, one line each, in the year's 表样's columns."""
    table: DepartmentTable = view["table"]
    form = view["form"]
    header = _columns(form)
    head = [str(table.year), table.department]
    blank_tasks = [""] * len(DEPARTMENT_TASKS)
    lines = [header]
    for task in table.tasks:
        cells = [cell_text(task.name), task.content or "",
                 *("" if v is None else written_amount(table.wan(v)) for v in (task.total, task.fiscal, task.other))]
        lines.append(_neutral([TASKS, *head, *cells, *[""] * (len(header) - 3 - len(cells))], header))
    attrs = {c.label: c.attr for c in TARGET.grid if c.attr}
    for level1, level2, _index, row in table.rows():
        cells = [cell_text(getattr(row, attrs[label])) for label in form_columns(form)]
        lines.append(_neutral([INDICATORS, *head, *blank_tasks, level1, level2, *cells], header))
    return _encoded(lines, BOM)


def resources(year: int, tables: list[tuple[str, str, str | tuple[str, ...]]]) -> list[dict[str, Any]]:
    """The data package's resources for a year's department tables: ``tables`` (the file stem in
    the year's bumen/ folder, the department's name, the year's 表样)."""
    out: list[dict[str, Any]] = []
    for stem, name, form in tables:
        out.append({"name": f"department-{year}-{stem}", "path": f"{DEPARTMENT_DIR}/{stem}.csv",
                    "title": f"{name}（部门整体支出绩效目标表：每行一个任务或指标）", "profile": "tabular-data-resource",
                    "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
                    "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                    "schema": {"fields": [{"name": column, "type": "number" if column.endswith("（万元）") or column == "年度"
                                           else "string"} for column in _columns(form)], "missingValues": [""]}})
        out.append({"name": f"department-{year}-{stem}-json", "path": f"{DEPARTMENT_DIR}/{stem}.json",
                    "title": f"{name}（部门整体支出绩效目标表）", "format": "json", "mediatype": "application/json",
                    "encoding": "utf-8"})
    return out
