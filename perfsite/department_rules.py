"""Checks of a 部门整体支出绩效目标表: its own arithmetic, its grid, and its projects.

E100–E103 are the table's sums; W100 and W101 read it against the year's projects of the same
department (their summaries: no project model is loaded). Its grid is checked by the target
table's grid rules (rules.GRID_RULES), in the year's taxonomy and 表样.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, NamedTuple

from .department import DepartmentTable, Share
from .diagnostics import Diagnostic, Level, nearest
from .model import Parts
from .rules import GRID_RULES, Context, check_dates
from .source import NodePath, Source
from .taxonomy import Profile
from .values import fmt_amount, written_amount

_CENT = Decimal("0.01")
_LABELS = {"total": "总额", "fiscal": "财政拨款", "other": "其他资金"}


class Project(NamedTuple):
    """What the checks need of one of the department's projects that year."""

    name: str
    total: Decimal  # 资金总额, 万元


class Check(NamedTuple):
    table: DepartmentTable
    source: Source
    projects: list[Project]  # the year's projects the table's 部门名称 names
    departments: list[str]  # every department the year's projects name (for a misspelt 部门名称)

    def error(self, path: NodePath, code: str, message: str, hint: str, *, key: bool = False) -> Diagnostic:
        return self.source.diag(path, Level.ERROR, code, message, hint, key=key)

    def warning(self, path: NodePath, code: str, message: str, hint: str, *, key: bool = False) -> Diagnostic:
        return self.source.diag(path, Level.WARNING, code, message, hint, key=key)


def _same(a: Decimal, b: Decimal, unit: str) -> bool:
    return a.quantize(_CENT) == b.quantize(_CENT) if unit == "万元" else a == b


def check_sum(c: Check) -> list[Diagnostic]:
    """E100 金额合计 is the sum of the tasks' 预算金额, column by column."""
    stated, table = c.table.sum, c.table
    if stated is None:
        return []
    out = []
    for attr, found in zip(("total", "fiscal", "other"), table.totals()):
        given = getattr(stated, attr)
        if given is None or found is None and given == 0:
            continue
        if not _same(given, found or Decimal(0), table.unit):
            label = _LABELS[attr]
            out.append(c.error(("金额合计", label), "E100",
                               f"金额合计的{label} {written_amount(given)} ≠ 各任务{label}之和 {fmt_amount(found)}",
                               f"改为 {fmt_amount(found)}（{table.unit}），或核对各任务的{label}；不填金额合计则按各任务之和显示"))
    return out


def check_tasks(c: Check) -> list[Diagnostic]:
    """E101 each task's 总额 = 财政拨款 + 其他资金 (blank counts as 0; both blank is not stated)."""
    out = []
    for index, task in enumerate(c.table.tasks):
        if task.fiscal is None and task.other is None:
            continue
        expected = (task.fiscal or Decimal(0)) + (task.other or Decimal(0))
        if not _same(task.total, expected, c.table.unit):
            out.append(c.error(("年度主要任务", index, "总额"), "E101",
                               f"任务「{task.name}」的总额 {written_amount(task.total)} ≠ 财政拨款 "
                               f"{written_amount(task.fiscal)} + 其他资金 {written_amount(task.other)}",
                               f"总额应为 {fmt_amount(expected)}（{c.table.unit}），或改正财政拨款、其他资金"))
    return out


def share_of(amount: Decimal, whole: Decimal, like: Decimal) -> Decimal:
    """amount / whole in percent, rounded to the places of the 占比 it is compared with."""
    exponent = min(int(like.as_tuple().exponent), 0)
    return (amount * 100 / whole).quantize(Decimal(1).scaleb(exponent), ROUND_HALF_UP)


def check_composition(c: Check) -> list[Diagnostic]:
    """E102 a 收入合计 or 支出合计 given is the sum of its lines; E103 each 占比 given is the line's
    金额 over that total, to the places the table writes it."""
    comp = c.table.composition
    if comp is None:
        return []
    out = []
    for key, total_key, lines, stated in comp.blocks():
        found = sum((line.amount for line in lines), Decimal(0))
        if stated is not None and not _same(stated, found, c.table.unit):
            out.append(c.error(("总体资金情况", total_key), "E102",
                               f"{total_key} {written_amount(stated)} ≠ {key}各项之和 {fmt_amount(found)}",
                               f"改为 {fmt_amount(found)}（{c.table.unit}），或核对{key}各项的金额"))
        whole = stated if stated is not None else found
        out += _shares(c, key, lines, whole)
    return out


def _shares(c: Check, key: str, lines: list[Share], whole: Decimal) -> list[Diagnostic]:
    out = []
    for index, line in enumerate(lines):
        if line.share is None or whole == 0:
            continue
        expected = share_of(line.amount, whole, line.share)
        if expected != line.share:
            out.append(c.error(("总体资金情况", key, index, "占比"), "E103",
                               f"{line.name}的占比 {written_amount(line.share)}% ≠ {written_amount(line.amount)} ÷ "
                               f"{fmt_amount(whole)} = {written_amount(expected)}%",
                               f"占比改为 {written_amount(expected)}，或核对{line.name}的金额与{key}的合计"))
    return out


def check_projects(c: Check) -> list[Diagnostic]:
    """W100 the 项目支出 of 支出构成 is at least what the department's published projects of the
    year add up to (naming them); W101 a 部门名称 no project of the year names (in a year that
    has projects: likely a misspelling)."""
    if not c.projects:
        if not c.departments:  # a year whose projects are not published yet: nothing to read it against
            return []
        close = nearest(c.table.name, c.departments)
        known = "、".join(c.departments[:8])
        return [c.warning(("部门名称",), "W101", f"本年度没有项目的主管部门是「{c.table.department}」",
                          f"是不是「{close}」？" if close else f"部门名称与项目的“主管部门及代码”相同，本年度的主管部门：{known}")]
    line = c.table.expenditure()
    total = sum((p.total for p in c.projects), Decimal(0))
    if line is None or covers(c.table, total):
        return []
    spent = c.table.wan(line.amount) or Decimal(0)
    index = c.table.composition.spending.index(line)  # type: ignore[union-attr]
    names = "、".join(f"{p.name} {fmt_amount(p.total)}" for p in sorted(c.projects, key=lambda p: (-p.total, p.name)))
    return [c.warning(("总体资金情况", "支出构成", index, "金额"), "W100",
                      f"项目支出 {fmt_amount(spent)} 万元少于本部门 {len(c.projects)} 个公开项目的资金总额之和 "
                      f"{fmt_amount(total)} 万元：{names}",
                      "核对项目支出的金额与单位，或核对这些项目的资金总额与主管部门")]


def covers(table: DepartmentTable, projects_total: Decimal) -> bool | None:
    """Whether the table's 项目支出 is at least its projects' total (万元, to 0.01; None: the table
    gives no 项目支出): what W100 checks, and the page says."""
    line = table.expenditure()
    if line is None:
        return None
    return (table.wan(line.amount) or Decimal(0)).quantize(_CENT) >= projects_total.quantize(_CENT)


def check_grid(c: Check, profile: Profile, form: str | tuple[str, ...]) -> list[Diagnostic]:
    """The grid, by a target table's grid rules, and its 时效 dates within the year (W002)."""
    ctx = Context(Parts(c.table.year, None, c.table.indicators), c.source, profile, form)
    return [d for rule in (*GRID_RULES, check_dates) for d in rule(ctx)]


RULES: list[Callable[[Check], list[Diagnostic]]] = [check_sum, check_tasks, check_composition, check_projects]


def check(table: DepartmentTable, source: Source, profile: Profile, form: str | tuple[str, ...],
          projects: list[Project], departments: list[str]) -> list[Diagnostic]:
    c = Check(table, source, projects, departments)
    return [d for rule in RULES for d in rule(c)] + check_grid(c, profile, form)
