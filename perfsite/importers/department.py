"""The printed 部门(单位)整体支出绩效目标表 kept as an .xlsx sheet (or a Word/web table): 部门(单位)名称,
部门职能概述 and 总体资金情况 where the form has them, 年度主要任务 with 预算金额 split into 总额 |
财政拨款 | 其他资金 below its header, 金额合计, 年度总体目标, and the 年度绩效指标 grid read as a target
form's (form.py). Amounts stay in the unit the form states (单位: 元 as written, as the model allows)."""

from __future__ import annotations

import re
from typing import Any, Callable

from ..department import Composition, DepartmentTable, Share, Sum, Task
from ..kinds import DEPARTMENT_TASKS
from ..model import PLACEHOLDERS, split_department
from ..scaffold import project_id
from . import Imported, ImportError_
from .cells import Cell, Grid, Row, norm
from .evaluation import _key as key, goal_lines, number, value_of, year_in
from .fields import form_for, label_word, looks_cut, unit_in
from .form import _grid_header, _indicators

KIND = "department"  # Imported.kind of what this module reads; written to <年度>/部门/


# block labels → the names printed forms use for them (compared as _word() makes them)
_BLOCKS: dict[str, tuple[str, ...]] = {
    "department": ("部门名称", "单位名称", "部门", "单位", "预算单位名称"),
    "duties": ("部门职能概述", "部门职能", "职能概述", "部门主要职能", "单位职能概述"),
    "composition": ("总体资金情况", "部门资金情况", "资金情况", "部门整体资金情况"),
    "income": ("收入构成", "收入预算", "收入"),
    "spending": ("支出构成", "支出预算", "支出"),
    "tasks": ("年度主要任务", "主要任务", "年度重点任务"),
    "sum": ("金额合计", "合计", "总计"),
    "goals": ("年度总体目标", "总体目标", "整体绩效目标", "年度绩效目标"),
    "indicators": ("年度绩效指标", "绩效指标"),
}
_TOTALS = {"income": ("收入合计", "合计", "总计"), "spending": ("支出合计", "合计", "总计")}


def _word(text: str | None) -> str:
    return label_word(text).removeprefix("其中")


def block_of(text: str | None) -> str | None:
    word = _word(text)
    return next((name for name, labels in _BLOCKS.items() if word in labels), None) if word else None


def _task_column(text: str | None) -> tuple[str, int] | None:
    """Which task column a header cell names, and how surely (0: the form's own label, 1: another
    name, so 任务名称 beats a 年度主要任务 label merged down beside it)."""
    word = _word(text)
    for column in DEPARTMENT_TASKS:
        if word == column.label:
            return column.key, 0
        if word in column.columns:
            return column.key, 1
    return None


def recognises(grid: Grid) -> bool:
    """A 部门整体 form: a title in its first rows says 整体支出 (not a 整体支出绩效自评表's), or a cell
    is the 年度主要任务 label."""
    for index, row in enumerate(grid[:80]):
        own = [c.text for c in row if c.text and not c.merged]
        if index < 4 and any("整体支出" in norm(t) and "自评" not in t and len(norm(t)) <= 40 for t in own):
            return True
        if any(block_of(t) == "tasks" and _word(t) == "年度主要任务" for t in own):
            return True
    return False


def _right(row: Row, col: int) -> str | None:
    """The value beside a label: the first text right of it that is not the label merged across."""
    label = row[col].text
    for cell in row[col + 1:]:
        if cell.text and cell.text != label:
            return None if block_of(cell.text) in ("department", "duties", "tasks", "goals") else value_of(cell.text)
    return None


def _find(rows: list[Row], name: str) -> tuple[int, int] | None:
    """(row, column) of the first own cell labelled as block ``name``."""
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if not cell.merged and block_of(cell.text) == name:
                return r, c
    return None


def import_department_form(grid: Grid, origin: str, year: int | None) -> Imported:
    header = _grid_header(grid)
    if header is None:
        raise ImportError_(f"{origin}: 是部门整体支出绩效目标表，但找不到年度绩效指标的“一级指标 二级指标 三级指标 指标值”表头；"
                           "请补上绩效指标表再导入")
    head, columns = header
    above = grid[:head]
    text_above = " ".join(c.text or "" for row in above for c in row)
    tasks_at = _task_header(above)
    if tasks_at is None:
        raise ImportError_(f"{origin}: 是部门整体支出绩效目标表，但没有“年度主要任务”（任务名称、主要内容、预算金额）；"
                           "部门整体支出绩效目标表须列出年度主要任务及其预算金额")
    found = _find(above, "department")
    name = _right(above[found[0]], found[1]) if found else None
    if not name:
        raise ImportError_(f"{origin}{':' + str(found[0] + 1) if found else ''}: 找不到“部门（单位）名称”及其内容")
    year = year_in(text_above, year)
    unit = next((u for u in map(unit_in, [c.text for r in above for c in r] + [text_above]) if u), None)
    table = DepartmentTable
    data: dict[str, Any] = {key(table, "year"): str(year) if year else None, key(table, "department"): name}
    item = Imported(data, origin, kind=KIND)
    item.stem = project_id(split_department(name)[1])
    duties = _find(above, "duties")
    if duties and (text := _right(above[duties[0]], duties[1])):
        data[key(table, "duties")] = text
    data[key(table, "unit")] = unit or "万元"
    composition = _composition(above, origin)
    if composition:
        data[key(table, "composition")] = composition
    tasks, total = _tasks(above, *tasks_at, origin)
    data[key(table, "tasks")] = tasks
    if total:
        data[key(table, "sum")] = total
    data[key(table, "goals")] = _goals(above, item)
    form = form_for(set(columns))
    data[key(table, "indicators")] = _indicators(grid[head + 1:], columns, head + 2, origin, item, form)
    if not data[key(table, "indicators")]:
        raise ImportError_(f"{origin}:{head + 1}: 年度绩效指标表头下面没有指标行")
    if unit is None:
        item.guess((key(table, "unit"),), "表中没有写明金额单位，按万元导入；若原表是元，请改为 元")
    if year is None:
        item.guess((key(table, "year"),), "表中没有年度，请用 --year 指定或在此填写")
    return item


def _task_header(rows: list[Row]) -> tuple[int, dict[str, int]] | None:
    """The 年度主要任务 header: (its last row, task column → column). 预算金额 printed over 总额 |
    财政拨款 | 其他资金 in the row below has those three read from that row."""
    for index, row in enumerate(rows):
        columns = _columns(row)
        if "name" not in columns or not {"content", "total"} & set(columns):
            continue
        below = _columns(rows[index + 1]) if index + 1 < len(rows) else {}
        if {"fiscal", "other"} & set(below) or ("total" in below and "name" not in below):
            columns.update({k: v for k, v in below.items() if k in ("total", "fiscal", "other")})
            return index + 1, columns
        return index, columns
    return None


def _columns(row: Row) -> dict[str, int]:
    best: dict[str, tuple[int, int]] = {}
    for col, cell in enumerate(row):
        found = _task_column(cell.text) if not cell.merged else None
        if found and (found[0] not in best or found[1] < best[found[0]][1]):
            best[found[0]] = (col, found[1])
    return {name: col for name, (col, _rank) in best.items()}


def _ends_tasks(row: Row) -> bool:
    return any(block_of(c.text) in ("goals", "indicators", "duties", "composition", "department")
               for c in row if c.text and not c.merged)


def _tasks(rows: list[Row], head: int, columns: dict[str, int],
           origin: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Each task row under the header (a row whose 任务名称 cell a merge continues is the same task),
    and the 金额合计 row's amounts."""
    tasks: list[dict[str, Any]] = []
    total = None
    for index in range(head + 1, len(rows)):
        row = rows[index]
        if _ends_tasks(row):
            break

        def cell(name: str, row: Row = row) -> Cell:
            col = columns.get(name)
            return row[col] if col is not None and col < len(row) else Cell(None)

        own = [c.text for c in row if c.text and not c.merged]
        if any(block_of(t) == "sum" for t in own):
            total = _amounts(Sum, cell) or None
            continue
        name = cell("name")
        if not name.text or name.merged or block_of(name.text) == "sum":
            continue
        task: dict[str, Any] = {key(Task, "name"): name.text}
        if (content := value_of(cell("content").text)) and not cell("content").merged:
            task[key(Task, "content")] = content
        task.update(_amounts(Task, cell))
        if key(Task, "total") not in task:
            raise ImportError_(f"{origin}:{index + 1}: 年度主要任务「{name.text}」没有预算金额（总额）；"
                               "请按原件填写总额（没有金额写 0）再导入")
        tasks.append(task)
    if not tasks:
        raise ImportError_(f"{origin}:{head + 1}: 年度主要任务的表头下面没有任务行（任务名称、预算金额）")
    return tasks, total


def _amounts(model: type, cell: Callable[[str], Cell]) -> dict[str, str]:
    """总额, 财政拨款, 其他资金 as the row prints them (a blank or a dash left out)."""
    out = {}
    for name in ("total", "fiscal", "other"):
        c = cell(name)
        if (text := number(c.text)) is not None and not c.merged:
            out[key(model, name)] = text
    return out


def _composition(rows: list[Row], origin: str) -> dict[str, Any] | None:
    """总体资金情况: each 收入构成 / 支出构成 line (名称, 金额, 占比), their 合计 as the total."""
    out: dict[str, Any] = {}
    for index, row in enumerate(rows):
        side = next((b for c in row if (b := block_of(c.text)) in ("income", "spending")), None)
        if side is None or _columns(row):
            continue
        texts = [c.text for c in row if c.text and not c.merged
                 and block_of(c.text) not in ("income", "spending", "composition")]
        name = next((t for t in texts if _amount(t) is None), None)
        numbers = [n for t in texts if (n := _amount(t)) is not None]
        if not numbers:
            continue  # a header row: 项目 | 金额 | 占比
        attrs = {"income": ("income", "income_total"), "spending": ("spending", "spending_total")}[side]
        if name is None or _word(name) in _TOTALS[side]:
            out[key(Composition, attrs[1])] = numbers[0]
            continue
        line = {key(Share, "name"): name, key(Share, "amount"): numbers[0]}
        if len(numbers) > 1:
            line[key(Share, "share")] = numbers[1]
        out.setdefault(key(Composition, attrs[0]), []).append(line)
    order = [key(Composition, a) for a in ("income", "income_total", "spending", "spending_total")]
    return {k: out[k] for k in order if k in out} or None


def _amount(text: str | None) -> str | None:
    """A cell's number (an amount or a 占比, its % dropped), None for a name."""
    plain = number(text)
    if plain is None:
        return None
    plain = plain.removesuffix("%").removesuffix("％").strip()
    return plain if re.fullmatch(r"-?\d+(\.\d+)?", plain) else None


def _goals(rows: list[Row], item: Imported) -> list[str]:
    """年度总体目标: the texts right of its label, in its row and the rows its label is merged down over."""
    found = _find(rows, "goals")
    path = (key(DepartmentTable, "goals"),)
    if found is None:
        item.guess(path, "原表没有年度总体目标，请补充")
        return [PLACEHOLDERS["goal"][0]]
    r, c = found
    texts = []
    for row in rows[r:]:
        if row is not rows[r] and not (c < len(row) and row[c].merged and block_of(row[c].text) == "goals"):
            break
        texts += [cell.text for cell in row[c + 1:] if cell.text and not cell.merged]
    goals = goal_lines(texts)
    if not goals:
        item.guess(path, "原表的年度总体目标是空的，请补充")
        return [PLACEHOLDERS["goal"][0]]
    for index, goal in enumerate(goals):
        if looks_cut(goal):
            item.guess(path + (index,), "这条目标的结尾像是被截断了，请对照原件")
    return goals


def summary(item: Imported) -> str:
    """What was read of one department table: tasks, their 总额, goals, rows."""
    data = item.data
    table = DepartmentTable
    tasks = data.get(key(table, "tasks"), [])
    rows = sum(len(rows) for groups in data.get(key(table, "indicators"), {}).values() for rows in groups.values())
    return (f"部门整体支出绩效目标表 (department table)：读到 (read) {len(tasks)} 项年度主要任务 tasks、"
            f"{len(data.get(key(table, 'goals'), []))} 条年度总体目标 goals、{rows} 行指标 rows（单位 {data.get('单位')}）")
