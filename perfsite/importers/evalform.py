"""The printed 项目支出绩效自评表 kept as an .xlsx sheet: header rows (项目名称, 主管部门, 实施单位), the
项目资金 block (lines × 年初预算数 … 得分), 年度总体目标 as 预期目标 | 实际完成情况, the indicator grid
with 一级/二级 merged down (and category rows such as 产出指标(50分)), then 总分 and 自评等级."""

from __future__ import annotations

from . import Imported, ImportError_
from .cells import Cell, Grid, Row
from .evaluation import (AMOUNTS, HEADER_FIELDS, LINES, Rows, header_row, require_actual, number, value_of, year_in,
                         field_key, finish, fund_block, goal_lines, label_of, start, unit_of)


def _beside(row: Row, col: int) -> str | None:
    """The value right of a label: the first text that is neither the (merged) label nor a label."""
    label = row[col].text
    for cell in row[col + 1:]:
        if cell.text and cell.text != label:
            return None if label_of(cell.text) is not None else value_of(cell.text)
    return None


def _labelled(rows: list[Row], wanted: tuple[str, ...]) -> dict[str, str | None]:
    """Each wanted label's value, the first place it is printed."""
    found: dict[str, str | None] = {}
    for row in rows:
        for col, cell in enumerate(row):
            if cell.merged or not cell.text:
                continue
            name = label_of(cell.text)
            label, colon, value = cell.text.partition("：") if "：" in cell.text else cell.text.partition(":")
            if name is None and colon and label_of(label) in wanted and value.strip():
                name, given = label_of(label), value_of(value.strip())  # 自评等级：优 in one cell
            else:
                given = _beside(row, col) if name in wanted else None
            if name in wanted and name not in found:
                found[name] = given
    return found


def import_evaluation_form(grid: Grid, origin: str, year: int | None) -> Imported:
    header = header_row(grid, ("level3",))
    if header is None:
        raise ImportError_(f"{origin}: 是项目支出绩效自评表，但找不到“一级指标 二级指标 三级指标 … 实际完成值 分值 得分”表头")
    head, columns = header
    require_actual(f"{origin}:{head + 1}", columns, grid[head])
    above = grid[:head]
    text_above = " ".join(c.text or "" for row in above for c in row)
    fields = _labelled(above, HEADER_FIELDS)
    if not fields.get("name"):
        raise ImportError_(f"{origin}: 找不到“项目名称”及其内容")
    item = start(fields, origin, year_in(text_above, year))
    lines, unit, budget, block_end = _funds(above, origin)
    goals = _goals(above, block_end)
    rows, total, after = _grid(grid, head, columns, origin, item)
    if not rows.grid:
        raise ImportError_(f"{origin}: 自评表的指标表头下面没有指标行")
    grade = _labelled(after, ("grade",)).get("grade")
    for key, value in _labelled(after, ("contact", "phone")).items():  # signed under the grid
        if value and not fields.get(key):
            item.data[field_key(key)] = value
    budget = budget if budget != (None, None) else rows.budget or (None, None)
    finish(item, fund_block(item, lines, unit or unit_of([text_above]), budget), goals, rows.grid, total, grade)
    return item


def _grid(grid: Grid, head: int, columns: dict[str, int], origin: str,
          item: Imported) -> tuple[Rows, str | None, list[Row]]:
    """The indicator rows under the grid's header, 总分, and the rows from 总分 on (自评等级, 联系人)."""
    rows = Rows(item)
    total = None
    after: list[Row] = []
    for line_no, row in enumerate(grid[head + 1:], start=head + 2):
        def cell(name: str, row: Row = row) -> Cell:
            col = columns.get(name)
            return row[col] if col is not None and col < len(row) else Cell(None)

        own = [c.text for c in row if c.text and not c.merged]
        closing = next((label_of(t) for t in own if label_of(t) in ("sum", "grade")), None)
        if closing or after:
            after.append(row)
            if closing == "sum":
                total = number(cell("score").text) or next((number(t) for t in reversed(own) if number(t)), None)
        elif label_of(cell("level3").text) != "level3" and any(cell(name).text for name in columns):
            rows.add(cell, f"{origin}:{line_no}")  # (a header row printed again on a new page is skipped)
    return rows, total, after


def _funds(rows: list[Row], origin: str) -> tuple[dict[str, dict[str, str | None]], str | None,
                                                  tuple[str | None, str | None], int]:
    """The 项目资金 block: its lines' amounts, its unit, 预算执行's (分值, 得分), and the row after it."""
    found = header_row(rows, ("budget", "spent"))
    if found is None:
        return {}, None, (None, None), 0
    head, columns = found
    first = min(columns[c] for c in ("budget", "spent"))
    unit = unit_of([c.text for c in rows[head]] + [c.text for row in rows[head:head + 6] for c in row[:first]])
    lines: dict[str, dict[str, str | None]] = {}
    budget: tuple[str | None, str | None] = (None, None)
    end = head + 1
    for index in range(head + 1, len(rows)):
        row = rows[index]
        line = next((name for c in row[:first] if (name := label_of(c.text)) in LINES), None)
        if line is None:
            break
        end = index + 1

        def at(name: str, row: Row = row) -> str | None:
            col = columns.get(name)
            return number(row[col].text) if col is not None and col < len(row) and not row[col].merged else None

        lines[line] = {c: at(c) for c in AMOUNTS}
        if budget == (None, None):
            budget = (at("points"), at("score"))
    if not lines:
        raise ImportError_(f"{origin}:{head + 1}: 项目资金表头（全年预算数、全年执行数）下面没有资金行"
                           "（年度资金总额、当年财政拨款、上年结转资金、其他资金）")
    return lines, unit, budget, end


def _goals(rows: list[Row], start_at: int) -> tuple[list[str], list[str]]:
    """预期目标 and 实际完成情况: the texts under their labels, each column's own cells."""
    found = header_row(rows[start_at:], ("achieved",))
    if found is None:
        return [], []
    head, columns = found
    texts: dict[str, list[str]] = {"expected": [], "achieved": []}
    for row in rows[start_at + head + 1:]:
        for key, col in columns.items():
            if key in texts and col < len(row) and row[col].text and not row[col].merged:
                texts[key].append(row[col].text)
    return goal_lines(texts["expected"]), goal_lines(texts["achieved"])
