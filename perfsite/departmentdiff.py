"""Semantic diff of 部门整体支出绩效目标表 (content/<年度>/部门/): the department's name and duties,
its 总体资金情况 line by line, each 年度主要任务 with its amounts, 金额合计, the 年度总体目标 and the
grid.

Tables pair by department, its code, else its name (``diff.pair_tables``); tasks pair by 任务名称
and 总体资金情况's lines by 名称; goals and rows compare as a target table's do (``diff._goals``,
``diff.grid_changes``), with the year a table rolled over by not counted as a change. What is
compared is read from the declarations: the header from department.py's model (every top-level
field but the year, the unit and the blocks), a task's columns from kinds.DEPARTMENT_TASKS, a
line's from the Share model. Amounts compare in 万元, as the form prints them (a total the file
leaves out is the sum it shows).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Literal, TypeVar

from . import evaldiff
from .department import Composition, DepartmentTable, Share, Sum, Task
from .diff import (KIND_LABELS, FieldChange, GoalChange, RowChange, SiteDiff, _change_text, _field_change,
                   _goals, _md, _md_rows, _paint, _Rollover, amount_change, goal_lines, grid_changes, heading,
                   kind_section, md_fields, md_goals, pair_tables, report_order, row_line)
from .evaldiff import EvaluationsDiff, _columns, _percent, _rate_delta
from .kinds import DEPARTMENT_TASKS

TITLE = "部门整体支出绩效目标表"
# 年度 pairs (a change between two years is no change); 单位 only says how amounts are written
_NOT_HEADER = ("year", "unit", "composition", "tasks", "sum", "goals", "indicators")
HEADER = tuple((attr, info.alias or attr) for attr, info in DepartmentTable.model_fields.items()
               if attr not in _NOT_HEADER)
TASK = tuple((c.attr, c.label) for c in DEPARTMENT_TASKS if c.attr != "name")  # 主要内容, 总额, 财政拨款, 其他资金
SUM = (DepartmentTable.model_fields["sum"].alias or "sum",
       tuple((attr, info.alias or attr) for attr, info in Sum.model_fields.items()))
COMPOSITION = DepartmentTable.model_fields["composition"].alias or "composition"
SHARE_AMOUNT = Share.model_fields["amount"].alias or "amount"  # 金额
SHARE_SHARE = Share.model_fields["share"].alias or "share"  # 占比
GOALS = DepartmentTable.model_fields["goals"].alias or "goals"  # 年度总体目标
N = TypeVar("N", Task, Share)  # what pairs by its name


@dataclass(slots=True)
class TaskChange:
    kind: Literal["added", "removed", "changed"]
    name: str  # 任务名称 (the new side's; the old one's of a removed task)
    # the columns that changed; of an added (removed) task, its filled columns with old (new) None
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(slots=True)
class DepartmentDiff:
    status: Literal["added", "removed", "changed", "unchanged"]
    department: str  # 部门名称 as written (the new side's; the old one's of a removed table)
    name: str  # the department's name without its code
    code: str | None
    year: int
    old_where: str | None = None
    new_where: str | None = None
    header: list[FieldChange] = field(default_factory=list)  # 部门名称, 公开日期, 说明, 部门职能概述
    composition: list[FieldChange] = field(default_factory=list)  # 收入构成/财政拨款收入/金额, …, 支出合计
    tasks: list[TaskChange] = field(default_factory=list)
    sum: list[FieldChange] = field(default_factory=list)  # 金额合计/总额, …
    goals: list[GoalChange] = field(default_factory=list)  # 年度总体目标
    rows: list[RowChange] = field(default_factory=list)

    @property
    def id(self) -> str:
        """What it pairs by, and is sorted by after its name: its code, else its name."""
        return self.code or self.name

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


@dataclass
class DepartmentsDiff:
    departments: list[DepartmentDiff] = field(default_factory=list)

    def of(self, status: str) -> list[DepartmentDiff]:
        return [d for d in self.departments if d.status == status]

    @property
    def changed(self) -> bool:
        return any(d.changed for d in self.departments)


@dataclass(frozen=True)
class _Paired:
    """A department table as ``pair_tables`` pairs tables: its id is its code, else its name."""

    table: DepartmentTable

    @property
    def id(self) -> str:
        return self.table.code or self.table.name

    @property
    def year(self) -> int:
        return self.table.year

    @property
    def name(self) -> str:
        return self.table.name


def _task_value(table: DepartmentTable, task: Task, attr: str) -> object:
    value = getattr(task, attr)
    return table.wan(value) if isinstance(value, Decimal) else value


def _task_fields(old: tuple[DepartmentTable, Task] | None, new: tuple[DepartmentTable, Task] | None,
                 roll: _Rollover) -> list[FieldChange]:
    """A task's columns that changed (of a task on one side only: each it fills), amounts in 万元."""
    changes = []
    for attr, label in TASK:
        a = _task_value(*old, attr) if old else None
        b = _task_value(*new, attr) if new else None
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            change = amount_change(label, a, b)  # type: ignore[arg-type]
        else:
            change = _field_change(label, a, b, roll)
        if change is not None:
            changes.append(change)
    return changes


def _by_name(olds: list[N], news: list[N], name: Callable[[N], str],
             roll: _Rollover) -> list[tuple[int | None, int | None]]:
    """(old index, new index) pairs by name (as the rolled-over year allows), in the new side's
    order, then the old side's unpaired (None where a side has none)."""
    used: set[int] = set()
    out: list[tuple[int | None, int | None]] = []
    for j, n in enumerate(news):
        i = next((i for i, o in enumerate(olds) if i not in used and roll.same(name(o), name(n))), None)
        if i is not None:
            used.add(i)
        out.append((i, j))
    return out + [(i, None) for i in range(len(olds)) if i not in used]


def _tasks(old: DepartmentTable, new: DepartmentTable, roll: _Rollover) -> list[TaskChange]:
    changes = []
    for i, j in _by_name(old.tasks, new.tasks, lambda t: t.name, roll):
        a = (old, old.tasks[i]) if i is not None else None
        b = (new, new.tasks[j]) if j is not None else None
        fields = _task_fields(a, b, roll)
        kind: Literal["added", "removed", "changed"] = "added" if a is None else "removed" if b is None else "changed"
        if kind != "changed" or fields:
            changes.append(TaskChange(kind, (b or a)[1].name, fields))  # type: ignore[index]
    return changes


def _shown_sum(table: DepartmentTable) -> tuple[Decimal | None, ...]:
    """金额合计 as the form prints it, in 万元: as stated, else the tasks' sums (in Sum's order)."""
    stated = table.sum
    found = tuple(getattr(stated, attr) for attr, _ in SUM[1]) if stated else table.totals()
    return tuple(table.wan(v) for v in found)


def _sum(old: DepartmentTable, new: DepartmentTable) -> list[FieldChange]:
    label, fields = SUM
    found = (amount_change(f"{label}/{alias}", a, b)
             for (_attr, alias), a, b in zip(fields, _shown_sum(old), _shown_sum(new)))
    return [c for c in found if c is not None]


def _blocks(table: DepartmentTable) -> dict[str, tuple[str, list[Share], Decimal]]:
    """总体资金情况's blocks by key: (its total's key, its lines, its total as shown, in 万元)."""
    blocks = table.composition.blocks() if table.composition else ()
    return {key: (total_key, lines, table.wan(sum((s.amount for s in lines), Decimal(0)) if stated is None else stated))
            for key, total_key, lines, stated in blocks}  # type: ignore[misc]


def _composition(old: DepartmentTable, new: DepartmentTable, roll: _Rollover) -> list[FieldChange]:
    """Each line's 金额 (in 万元) and 占比 (in 个百分点) that changed, block by block, then the
    block's total; a block or line on one side only as changes from (to) nothing."""
    a_blocks, b_blocks = _blocks(old), _blocks(new)
    changes: list[FieldChange | None] = []
    for info in Composition.model_fields.values():  # the form's order: 收入构成 before 支出构成
        key = info.alias or ""
        if key not in a_blocks and key not in b_blocks:
            continue
        a_total_key, a_lines, a_total = a_blocks.get(key, ("", [], None))
        b_total_key, b_lines, b_total = b_blocks.get(key, ("", [], None))
        for i, j in _by_name(a_lines, b_lines, lambda s: s.name, roll):
            a = a_lines[i] if i is not None else None
            b = b_lines[j] if j is not None else None
            name = (b or a).name  # type: ignore[union-attr]
            changes.append(amount_change(f"{key}/{name}/{SHARE_AMOUNT}", a and old.wan(a.amount),
                                         b and new.wan(b.amount)))
            sa, sb = a and a.share, b and b.share
            if sa != sb:
                changes.append(FieldChange(f"{key}/{name}/{SHARE_SHARE}", _percent(sa), _percent(sb), _rate_delta(sa, sb)))
        changes.append(amount_change(b_total_key or a_total_key, a_total, b_total))
    return [c for c in changes if c is not None]


def diff_departments(old: DepartmentTable | None, new: DepartmentTable | None, old_where: str | None = None,
                     new_where: str | None = None) -> DepartmentDiff:
    """The changes from one department table to the next (either may be absent)."""
    only = new or old
    if only is None:
        raise ValueError("nothing to compare")
    result = DepartmentDiff("unchanged", only.department, only.name, only.code, only.year, old_where, new_where)
    if old is None or new is None:
        result.status = "added" if old is None else "removed"
        return result
    roll = _Rollover(old.year, new.year)
    for attr, alias in HEADER:
        change = _field_change(alias, getattr(old, attr), getattr(new, attr), roll)
        if change is not None:
            result.header.append(change)
    result.composition = _composition(old, new, roll)
    result.tasks = _tasks(old, new, roll)
    result.sum = _sum(old, new)
    result.goals = _goals(old.goals, new.goals, roll)
    result.rows = grid_changes(old.rows(), new.rows(), roll)
    if result.header or result.composition or result.tasks or result.sum or result.goals or result.rows:
        result.status = "changed"
    return result


def diff_department_snapshots(old: Iterable[tuple[DepartmentTable, str]],
                              new: Iterable[tuple[DepartmentTable, str]]) -> DepartmentsDiff:
    """Every department table's changes, paired by department (and year, across several)."""
    out = DepartmentsDiff()
    pairs = pair_tables([(_Paired(t), w) for t, w in old], [(_Paired(t), w) for t, w in new])
    for a, b in pairs:
        out.departments.append(diff_departments(a and a[0].table, b and b[0].table, a and a[1], b and b[1]))
    out.departments.sort(key=report_order)
    return out


# -- output: the projects' and self-evaluations' report, then the department tables' ---------------

def _label(d: DepartmentDiff) -> str:
    return f"{d.name} ({d.code})" if d.code else d.name


def _task_line(t: TaskChange, color: bool) -> str:
    if t.kind == "added":
        return _paint(f"  + 任务 {t.name}: {_columns(t.fields, 'new')}", "add", color)
    if t.kind == "removed":
        return _paint(f"  - 任务 {t.name}: {_columns(t.fields, 'old')}", "del", color)
    return _paint(f"  ~ 任务 {t.name}: {'；'.join(_change_text(c) for c in t.fields)}", "mod", color)


def department_lines(d: DepartmentDiff, color: bool = False) -> list[str]:
    """The changes of one department table as readable lines, in the form's order."""
    lines = [_paint(f"  {_change_text(c)}", "mod", color) for c in d.header + d.composition]
    lines += [_task_line(t, color) for t in d.tasks]
    lines += [_paint(f"  {_change_text(c)}", "mod", color) for c in d.sum]
    lines += goal_lines(GOALS, d.goals, color)
    return lines + [row_line(r, color) for r in d.rows]


def section_text(diff: DepartmentsDiff, color: bool = False) -> str:
    return kind_section(TITLE, TITLE, "张", diff.departments, _label, department_lines, color)


def _md_label(d: DepartmentDiff) -> str:
    return f"{d.name}（`{d.code}`）" if d.code else d.name


def _md_changes(d: DepartmentDiff) -> list[str]:
    out = md_fields(d.header + d.composition + d.sum) if d.header or d.composition or d.sum else []
    if d.tasks:
        out += ["| 变化 | 任务 | 栏目 |", "|---|---|---|"]
        out += [f"| {KIND_LABELS[t.kind]} | {_md(t.name)} | {'；'.join(_md(_change_text(c)) for c in t.fields)} |"
                for t in d.tasks] + [""]
    out += md_goals(GOALS, d.goals)
    return out + (_md_rows(d.rows) if d.rows else [])


def _md_section(diff: DepartmentsDiff) -> list[str]:
    out = [f"## {TITLE}", ""]
    for status in ("added", "removed"):
        items = diff.of(status)
        if items:
            out += [f"### {KIND_LABELS[status]}{TITLE}（{len(items)}）", ""]
            out += [f"- {_md_label(d)}" for d in items] + [""]
    changed = diff.of("changed")
    if changed:
        out += [f"### 修改{TITLE}（{len(changed)}）", ""]
    for d in changed:
        out += [f"#### {_md_label(d)}", ""] + _md_changes(d)
    if not diff.changed:
        out.append("没有变化。")
    return out


def _alone(site: SiteDiff, evaluations: EvaluationsDiff, departments: DepartmentsDiff) -> bool:
    """Only department tables are compared (git's diff driver on a 部门 file): no other section."""
    return not site.projects and not evaluations.evaluations and bool(departments.departments)


def to_text(site: SiteDiff, evaluations: EvaluationsDiff, departments: DepartmentsDiff, color: bool = False) -> str:
    """The projects' and self-evaluations' report, then the department tables' (where either side has any)."""
    if _alone(site, evaluations, departments):
        return heading(site, color) + "\n" + section_text(departments, color)
    text = evaldiff.to_text(site, evaluations, color)
    return text + "\n" + section_text(departments, color) if departments.departments else text


def to_markdown(site: SiteDiff, evaluations: EvaluationsDiff, departments: DepartmentsDiff) -> str:
    if _alone(site, evaluations, departments):
        head = [f"# {TITLE}变化：{site.old_label} → {site.new_label}", ""]
        return "\n".join(head + _md_section(departments)[2:]).rstrip() + "\n"
    if not departments.departments:
        return evaldiff.to_markdown(site, evaluations)
    text = evaldiff.to_markdown(site, evaluations, nothing="目标表没有变化。")
    return text + "\n" + "\n".join(_md_section(departments)).rstrip() + "\n"


def to_json(site: SiteDiff, evaluations: EvaluationsDiff, departments: DepartmentsDiff) -> str:
    data = evaldiff.to_data(site, evaluations)
    data["departments"] = [asdict(d) for d in departments.departments]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
