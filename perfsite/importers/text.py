"""Importer for text extracted from a published PDF of 项目支出绩效目标表 (tab-separated cells).

Extraction damages the table in known ways (DOMAIN.md §3): the title repeats at page breaks,
merged 一级/二级 cells keep their label on the first row only, rows are shifted left, a few rows
land under the wrong category, and cells are cut at their width. This module reads each row by its
non-empty cells, inherits labels, repairs displaced rows by general rules, and keeps every text as
published. Whatever it moved, inferred or found odd is recorded as a guess for a person to review.
"""

from __future__ import annotations

import difflib
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..kinds import TARGET
from ..scaffold import project_id
from ..taxonomy import PROFILES
from ..values import parse
from . import Guess, Imported, ImportError_, NodePath

TITLE = "项目支出绩效目标表"
GRID = "绩效指标"
UNKNOWN = "未注明"  # a category the table does not name: left for a person to fill in

# Header labels (normalised) → where their value goes in the project data: every label the table
# kind declares for a line of the printed form.
_FIELDS: dict[str, NodePath] = {
    **{name: (f.alias,) for f in TARGET.header if f.form for name in f.names},
    **{name: (TARGET.funds_block.alias, f.alias) for f in TARGET.fund_lines for name in f.names},
}
_FUND_KEYS = tuple(f.alias for f in TARGET.fund_lines)
_AMOUNT_KEYS = tuple(f.alias for f in TARGET.fund_lines if f.amount)
_GROUP_LABELS = {"年度资金情况", "资金情况", "项目资金", "其中"}
_GOAL_LABELS = {"总体目标", "年度目标", "年度绩效目标", "总体绩效目标", "绩效目标"}
_GRID_HEADERS = {"一级指标", "二级指标", "三级指标", "指标值", "说明", "备注"}

_FURNITURE = re.compile(r"(?:金额)?单位\s*[:：]\s*(?P<unit>万元|元)\s*|(?:填报|编制)(?:单位|日期|人)\s*[:：].*")
_PAGE_NUMBER = re.compile(r"[-—\s]*\d+[-—\s]*|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?")
_UNFINISHED_END = tuple("、，,：:（(《“‘—和及与并或")
_TERMINATED_END = tuple("。.!！?？;；)）」』”’》")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SOURCE_WORDS = ("财政", "资金", "预算", "补助", "拨款", "收入", "基金", "债", "自筹", "配套", "专项", "结余", "结转")
_LABEL_WORDS = ("情况", "总额", "来源", "金额", "合计")
_TIME_WORDS = re.compile(r"\d{4}\s*年|\d+\s*月|\d+\s*日|时间|时限|及时|期限|进度|日期|按时|按期|之前|以前|前完成")
_NUMBERING = re.compile(r"^\s*\d+\s*[、.．)）]\s*")


# ---- lines and cells ------------------------------------------------------------------------

@dataclass
class _Line:
    number: int                      # 1-based line in the text
    cells: list[tuple[int, str]]     # (column, text) of the non-empty cells
    page_break: bool = False         # a title repeat, form feed or page number: not table content
    unit: str | None = None          # from a line such as 金额单位：万元 (not table content either)

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.cells]


def _norm(text: str) -> str:
    """A label as written, without the spellings that vary: width, spaces, colons."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).rstrip(":")


def _lines(text: str) -> list[_Line]:
    tabbed = "\t" in text
    out = []
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text.lstrip("\ufeff")), start=1):
        feed = "\f" in raw
        parts = raw.replace("\f", "").split("\t") if tabbed else re.split(r" {2,}|\u3000+", raw)
        cells = [(col, part.strip()) for col, part in enumerate(parts) if part.strip()]
        title = len(cells) == 1 and (TITLE in cells[0][1] or _PAGE_NUMBER.fullmatch(cells[0][1]) is not None)
        notes = [m for _, cell in cells if (m := _FURNITURE.fullmatch(cell))]
        furniture = bool(cells) and len(notes) == len(cells)
        unit = next((m["unit"] for m in notes if m["unit"]), None)
        out.append(_Line(number, [] if title or furniture else cells, feed or title, unit))
    return out


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\t\r\n\f")
    return controls > max(3, len(text) // 50) or "\ufffd" * 3 in text


# ---- the header block -----------------------------------------------------------------------

def _header_label(cell: str, *, allow_cut: bool) -> tuple[str, str | None, bool] | None:
    """(canonical label, unit in the label, whether the label was cut) for a header cell."""
    text = _norm(cell)
    unit = None
    if m := re.search(r"\((万元|元)\)", text):
        unit, text = m[1], text.replace(m[0], "").rstrip(":")
    text = re.sub(r"^其中[:,、]?", "", text)
    if text in _FIELDS:
        return text, unit, False
    if allow_cut and len(text) >= 2:
        found = [label for label in _FIELDS if label.startswith(text)]
        if len(found) == 1:
            return found[0], unit, True
    return None


@dataclass
class _Table:
    origin: str
    start: int
    data: dict[str, Any] = field(default_factory=dict)
    funds: dict[str, str | None] = field(default_factory=lambda: {"单位": "万元", **dict.fromkeys(_FUND_KEYS)})
    goals: list[tuple[str, int]] = field(default_factory=list)
    entries: list[_Entry] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)

    def guess(self, path: NodePath, message: str) -> None:
        self.guesses.append(Guess(path, message))

    def put(self, path: NodePath, value: str | None) -> None:
        if path[0] == "资金":
            self.funds[str(path[1])] = value
        else:
            self.data[str(path[0])] = value


def _header_line(table: _Table, line: _Line) -> bool:
    """Read a line of the header or fund block; False if it is not one."""
    cells = line.texts
    while cells and _norm(cells[0]) in _GROUP_LABELS:
        cells = cells[1:]
    if not cells:
        return False
    first = _split_inline_label(cells[0])
    if first is None:
        return False
    pending: list[tuple[tuple[str, str | None, bool], str, list[str]]] = []
    for i, cell in enumerate(first + cells[1:]):
        label = _header_label(cell, allow_cut=i == 0)  # a value is never taken for a cut label
        if label is not None:
            pending.append((label, cell, []))
        else:
            pending[-1][2].append(cell)
    for (name, unit, cut), cell, values in pending:
        path = _FIELDS[name]
        if unit:
            table.funds["单位"] = unit
        if cut:
            table.guess(path, f"原文第{line.number}行的标签“{cell}”在单元格宽度处被截断，按前缀识别为“{name}”")
        if len(values) > 1:
            table.guess(path, f"原文第{line.number}行“{name}”有 {len(values)} 个值单元格，按原顺序以空格连接")
        table.put(path, " ".join(values) if values else None)
    return True


def _split_inline_label(cell: str) -> list[str] | None:
    """["项目名称", "某项目"] for "项目名称：某项目"; [cell] for a plain label; None if no label."""
    if _header_label(cell, allow_cut=True) is not None:
        return [cell]
    m = re.match(r"^(.{2,12}?)\s*[:：]\s*(.+)$", cell)
    if m and _header_label(m[1], allow_cut=False) is not None:
        return [m[1], m[2]]
    return None


def _check_funds(table: _Table) -> None:
    source = table.funds["资金来源"]
    if source is not None and _odd_source(source):
        table.guess(("资金", "资金来源"), f"资金来源“{source}”不像资金来源（像是表中的栏目名），照原样保留，请核对")
    for key in _AMOUNT_KEYS:
        value = table.funds[key]
        if value is not None and not _AMOUNT.fullmatch(_norm(value)):
            table.guess(("资金", key), f"{key}“{value}”不是金额数字，照原样保留，请核对")
    for key in ("项目名称", "主管部门及代码", "实施单位"):
        if not table.data.get(key):
            table.guess((key,), f"表中没有找到“{key}”的内容，请补填")
    if table.funds["资金总额"] is None:
        table.guess(("资金", "资金总额"), "表中没有找到资金总额，请补填")


def _odd_source(text: str) -> bool:
    norm = _norm(text)
    if _AMOUNT.fullmatch(norm) or any(word in norm for word in _LABEL_WORDS):
        return True
    return not any(word in norm for word in _SOURCE_WORDS)


# ---- goals ----------------------------------------------------------------------------------

def _goal_line(table: _Table, line: _Line) -> bool:
    """Read a goal line (or the 总体目标/年度目标 label line); False if it is not one."""
    cells = line.texts
    labelled = False
    while cells and _norm(cells[0]) in _GOAL_LABELS:
        cells, labelled = cells[1:], True
    if len(cells) > 1:
        table.guess(("年度目标",), f"原文第{line.number}行的目标分在 {len(cells)} 个单元格中，按单元格各作一条目标")
    for cell in cells:
        table.goals += [(goal, line.number) for goal in _split_goals(cell)]
    return labelled or bool(cells)


def _split_goals(cell: str) -> list[str]:
    """Goals that share one rich-text cell as <p>…</p> <p>…</p>: one each, <p> kept."""
    text = cell.strip()
    if text.startswith("<p>") and text.endswith("</p>"):
        return re.split(r"(?<=</p>)\s*(?=<p>)", text)
    return [text]


def _check_goals(table: _Table) -> None:
    if not table.goals:
        table.guess(("年度目标",), "表中没有找到年度目标，请补填")
        return
    lengths = [len(_plain(goal)) for goal, _ in table.goals]
    typical = statistics.median(lengths)
    for index, (goal, number) in enumerate(table.goals):
        text = _plain(goal)
        if text.endswith(_TERMINATED_END):
            continue
        if text.endswith(_UNFINISHED_END):
            why = f"以“{text[-1]}”结尾"
        elif len(table.goals) > 1 and len(text) >= 1.5 * typical and len(text) >= 60:
            why = f"没有句号且比其他目标长得多（{len(text)} 字）"
        else:
            continue
        table.guess(("年度目标", index), f"原文第{number}行的目标{why}，可能在单元格宽度处被截断；照原样保留，未补写")


def _plain(goal: str) -> str:
    return re.sub(r"</?p>", "", goal).strip()


# ---- the indicator grid ---------------------------------------------------------------------

@dataclass
class _Entry:
    level1: str
    level2: str
    name: str
    value: str | None
    note: str | None
    line: int
    after_break: bool = False
    notes: list[tuple[str | None, str]] = field(default_factory=list)  # (field, message)
    shifted: str | None = None  # said only if the row stays where it was read
    moved: bool = False

    def say(self, message: str, field: str | None = None) -> None:
        self.notes.append((field, message))

    def row(self) -> dict[str, str | None]:
        row: dict[str, str | None] = {"三级指标": self.name, "指标值": self.value}
        if self.note is not None:
            row["说明"] = self.note
        return row


@dataclass
class _Grid:
    level1: str | None = None
    level2: str | None = None
    first_column: int | None = None  # column of 一级指标 in the grid's header line
    page_break: bool = False


def _level1(name: str) -> str | None:
    return next((found for p in PROFILES.values() if (found := p.level1(name))), None)


def _level2(name: str) -> str | None:
    return next((found for p in PROFILES.values() if (found := p.level2(name))), None)


_PARENT = {l2: l1 for p in PROFILES.values() for l1, l2s in p.tree.items() for l2 in l2s}


def _is_category(text: str) -> bool:
    return _level1(text) is not None or _level2(text) is not None


def _is_grid_header(line: _Line) -> bool:
    texts = {_norm(t) for t in line.texts}
    return len(texts & _GRID_HEADERS) >= 2


def _grid_line(table: _Table, grid: _Grid, line: _Line) -> None:
    """Read one grid row by its non-empty cells: leading category names, then 三级指标, 指标值, 说明."""
    cells = list(line.cells)
    while cells and _norm(cells[0][1]) == GRID:
        cells.pop(0)
        grid.page_break = grid.page_break or bool(table.entries)  # the label repeats on a new page
    labels: list[str] = []
    while cells and _is_category(cells[0][1]) and (len(cells) >= 3 or all(_is_category(t) for _, t in cells)):
        labels.append(cells.pop(0)[1])
    derived = _apply_labels(grid, labels)
    if not cells:
        return
    texts = [text for _, text in cells]
    entry = _Entry(grid.level1 or UNKNOWN, grid.level2 or UNKNOWN, texts[0],
                   texts[1] if len(texts) > 1 else None, " ".join(texts[2:]) or None,
                   line.number, after_break=grid.page_break)
    _note_reading(entry, grid, labels, derived, cells[0][0], len(texts))
    grid.page_break = False
    table.entries.append(entry)


def _apply_labels(grid: _Grid, labels: list[str]) -> str | None:
    """Set the current categories from a row's labels; the 一级 derived from a lone 二级, if any."""
    derived = None
    for i, label in enumerate(labels):
        following = labels[i + 1] if i + 1 < len(labels) else None
        if _is_level1_label(label, following):
            grid.level1, grid.level2 = label, None
            continue
        parent = _PARENT[_level2(label) or ""]
        if i == 0 and (grid.level1 is None or _level1(grid.level1) != parent):
            grid.level1 = derived = parent
        grid.level2 = label
    return derived


def _is_level1_label(label: str, following: str | None) -> bool:
    one, two = _level1(label), _level2(label)
    if one and not two:
        return True
    # 成本 is 一级 in the 2021 profile, 二级 in the classic one: 一级 only when a 成本 二级 follows
    return bool(one and following and _PARENT.get(_level2(following) or "") == one)


def _note_reading(entry: _Entry, grid: _Grid, labels: list[str], derived: str | None,
                  column: int, count: int) -> None:
    if derived:
        entry.say(f"原文第{entry.line}行只有二级指标“{entry.level2}”，没有一级指标标签；"
                  f"按指标体系归入一级指标“{derived}”")
    if UNKNOWN in (entry.level1, entry.level2):
        entry.say(f"原文第{entry.line}行之前没有可沿用的类别标签，类别记为“{UNKNOWN}”，请补填")
    elif grid.page_break and not labels:
        entry.say(f"原文第{entry.line}行在分页之后，没有类别标签（合并单元格跨页）；"
                  f"沿用分页前的“{entry.level1} / {entry.level2}”")
    elif not labels and grid.first_column is not None and column <= grid.first_column:
        entry.shifted = (f"原文第{entry.line}行的三级指标落在一级指标列，不是已知的类别名；"
                         f"按上一行归入“{entry.level2}”")
    if count == 1:
        entry.say(f"原文第{entry.line}行只有一个单元格，没有指标值，请补填", "指标值")
    elif count > 3:
        entry.say(f"原文第{entry.line}行有 {count} 个单元格，第三个起以空格连接作为说明", "说明")


def _groups(table: _Table) -> dict[tuple[str, str], list[_Entry]]:
    """Rows by (一级, 二级) in table order; a category printed twice is merged into its first place."""
    groups: dict[tuple[str, str], list[_Entry]] = {}
    last = None
    for entry in table.entries:
        key = (entry.level1, entry.level2)
        if key in groups and key != last:
            entry.say(f"类别“{key[1]}”在原文第{entry.line}行再次出现，并入前面的“{key[1]}”")
        groups.setdefault(key, []).append(entry)
        last = key
    return groups


# ---- repairs of displaced rows (DOMAIN.md §3) -----------------------------------------------

def _find(groups: dict[tuple[str, str], list[_Entry]], level2: str) -> tuple[str, str] | None:
    return next((key for key in groups if _level2(key[1]) == level2), None)


def _is_cost_group(key: tuple[str, str]) -> bool:
    return _level2(key[1]) == "成本" or _level1(key[0]) == "成本"


def _cost_reason(entry: _Entry) -> str | None:
    value = parse(entry.value) if entry.value else None
    reasons = []
    if value is not None and value.wan_yuan is not None and value.comparator in ("≤", "<"):
        reasons.append(f"指标值“{entry.value}”是资金上限")
    if entry.name.endswith("成本"):
        reasons.append("名称以“成本”结尾")
    return "、".join(reasons) or None


def _move_cost_rows(groups: dict[tuple[str, str], list[_Entry]]) -> None:
    """Cost rows printed under the category just before 成本 belong to 成本 (its first rows)."""
    keys = list(groups)
    cost = next((key for key in keys if _is_cost_group(key)), None)
    if cost is None or keys.index(cost) == 0 or _is_cost_group(keys[keys.index(cost) - 1]):
        return
    before = keys[keys.index(cost) - 1]
    moving = [(entry, reason) for entry in groups[before] if (reason := _cost_reason(entry))]
    if not moving:
        return
    late = "，且“成本”标签在分页之后才出现" if groups[cost][0].after_break else ""
    for entry, reason in moving:
        groups[before].remove(entry)
        entry.say(f"原文第{entry.line}行印在“{before[1]}”下，但{reason}，紧挨在“成本”组之前{late}："
                  f"判为成本行，移到“{cost[1]}”开头")
        (entry.level1, entry.level2), entry.moved = cost, True
    groups[cost][:0] = [entry for entry, _ in moving]
    if not groups[before]:
        del groups[before]


def _same_subject(name: str, others: list[str]) -> str | None:
    """The 数量 row that names the same thing as ``name`` (a long shared stretch of text), if any."""
    text = _NUMBERING.sub("", name)
    for other in others:
        match = difflib.SequenceMatcher(None, text, other, autojunk=False).find_longest_match()
        if match.size >= max(4, 0.6 * len(text)):
            return other
    return None


def _move_quality_rows(groups: dict[tuple[str, str], list[_Entry]]) -> None:
    """时效 rows without a date that repeat a 数量 row's subject are 质量 rows (their last rows)."""
    timely, quality, quantity = _find(groups, "时效"), _find(groups, "质量"), _find(groups, "数量")
    if not (timely and quality and quantity):
        return
    subjects = [_NUMBERING.sub("", entry.name) for entry in groups[quantity]]
    for entry in list(groups[timely]):
        if not entry.value or parse(entry.value).kind == "date" or _TIME_WORDS.search(entry.name + entry.value):
            continue
        subject = _same_subject(entry.name, subjects)
        if subject is None:
            continue
        groups[timely].remove(entry)
        groups[quality].append(entry)
        entry.say(f"原文第{entry.line}行印在“{timely[1]}”下，但指标值“{entry.value}”不是日期，"
                  f"且与数量指标“{subject}”是同一事项：判为质量行，移到“{quality[1]}”末尾")
        (entry.level1, entry.level2), entry.moved = quality, True
    if not groups[timely]:
        del groups[timely]


# ---- checks of single rows ------------------------------------------------------------------

def _check_entry(entry: _Entry) -> None:
    for name, text in (("三级指标", entry.name), ("指标值", entry.value), ("说明", entry.note)):
        if text and text.endswith(_UNFINISHED_END):
            entry.say(f"原文第{entry.line}行的{name}“{text}”以“{text[-1]}”结尾，"
                      "可能在单元格宽度处被截断；照原样保留，未补写", name)
    over = [m[1] for m in _PERCENT.finditer(entry.value or "") if float(m[1]) > 100]
    if over:
        entry.say(f"原文第{entry.line}行的指标值“{entry.value}”中百分比 {over[0]}% 超过 100%，"
                  "不合常理（可能是录入错误），照原样保留，请核对", "指标值")


# ---- the year -------------------------------------------------------------------------------

def _year(table: _Table, groups: dict[tuple[str, str], list[_Entry]], year: int | None) -> str | None:
    if year is not None:
        return str(year)
    entries = [e for key, rows in groups.items() for e in rows]
    timely = [e for e in entries if _level2(e.level2) == "时效"] or entries
    dates = [(d.year, e) for e in timely if e.value for d in parse(e.value).dates]
    if dates:
        found = Counter(y for y, _ in dates).most_common(1)[0][0]
        example = next(e for y, e in dates if y == found)
        table.guess(("年度",), f"未给出预算年度，按表中时效日期“{example.value}”"
                               f"（原文第{example.line}行）取 {found} 年")
        return str(found)
    table.guess(("年度",), "未给出预算年度，表中也没有日期，请补填年度")
    return None


# ---- one table ------------------------------------------------------------------------------

def _read_table(lines: list[_Line], origin: str, year: int | None, unit: str | None) -> Imported:
    table = _Table(origin, lines[0].number)
    table.funds["单位"] = unit or "万元"
    grid = _Grid()
    in_grid = in_goals = False
    for line in lines:
        if line.page_break:
            grid.page_break = grid.page_break or in_grid
            continue
        if line.unit and not in_grid:
            table.funds["单位"] = line.unit
        if not line.cells:
            continue
        if _is_grid_header(line):
            in_grid = True
            grid.first_column = next((col for col, t in line.cells if _norm(t) == "一级指标"), None)
        elif in_grid or _starts_grid(line, in_goals):
            in_grid = True
            _grid_line(table, grid, line)
        elif _norm(line.texts[0]) in _GOAL_LABELS:
            in_goals = _goal_line(table, line)
        elif not _header_line(table, line) and not (in_goals and _goal_line(table, line)):
            table.guess((), f"原文第{line.number}行“{' | '.join(line.texts)}”不是可识别的表头行，已略过")
    if not table.entries:
        raise ImportError_(f"{origin}:{table.start}：项目“{table.data.get('项目名称') or ''}”的表中没有绩效指标行")
    return _assemble(table, year)


def _starts_grid(line: _Line, in_goals: bool) -> bool:
    """A grid without its header line: a row that opens with 绩效指标 or a category name."""
    first = _norm(line.texts[0])
    return (first == GRID and in_goals) or (_level1(first) is not None and len(line.cells) >= 3)


def _assemble(table: _Table, year: int | None) -> Imported:
    _check_funds(table)
    _check_goals(table)
    groups = _groups(table)
    _move_cost_rows(groups)
    _move_quality_rows(groups)
    indicators: dict[str, dict[str, list[dict[str, str | None]]]] = {}
    for (level1, level2), entries in groups.items():
        rows = indicators.setdefault(level1, {}).setdefault(level2, [])
        for entry in entries:
            if entry.shifted and not entry.moved:
                entry.notes.insert(0, (None, entry.shifted))
            _check_entry(entry)
            for name, message in entry.notes:
                path = ("绩效指标", level1, level2, len(rows)) + ((name,) if name else ())
                table.guess(path, message)
            rows.append(entry.row())
    name = table.data.get("项目名称") or ""
    data: dict[str, Any] = {
        "id": project_id(name),
        "年度": _year(table, groups, year),
        "项目名称": table.data.get("项目名称"),
        "主管部门及代码": table.data.get("主管部门及代码"),
        "实施单位": table.data.get("实施单位"),
        **{k: v for k, v in table.data.items() if k not in ("项目名称", "主管部门及代码", "实施单位")},
        "资金": table.funds,
        "年度目标": [goal for goal, _ in table.goals],
        "绩效指标": indicators,
    }
    return Imported(data, f"{table.origin}:{table.start}", _ordered(table.guesses))


def _ordered(guesses: list[Guess]) -> list[Guess]:
    """Guesses in the order of the form: header and funds, goals, then the grid."""
    rank = {"年度": 0, "项目名称": 1, "主管部门及代码": 1, "实施单位": 1, "资金": 2, "年度目标": 3, "绩效指标": 4}
    return sorted(guesses, key=lambda g: rank.get(str(g.path[0]), 5) if g.path else 5)


# ---- the text -------------------------------------------------------------------------------

def _is_name_line(line: _Line) -> bool:
    split = _split_inline_label(line.texts[0]) if line.cells else None
    label = _header_label(split[0], allow_cut=True) if split else None
    return label is not None and label[0] == "项目名称"


def import_text(text: str, origin: str, year: int | None = None) -> list[Imported]:
    """One Imported per table found. ``origin`` names the file in messages and Imported.origin
    ("name.txt:LINE" of the table's 项目名称 line). ``year``: the budget year if the caller knows it;
    else take it from dates in the table (时效 values like 2022年12月31日) and record that as a guess."""
    if not text.strip():
        raise ImportError_(f"{origin}：文件为空，没有可导入的项目支出绩效目标表")
    if _looks_binary(text):
        raise ImportError_(f"{origin}：内容含有大量控制字符，不像是从 PDF 提取的文本（可能是二进制文件）")
    lines = _lines(text)
    starts = [i for i, line in enumerate(lines) if _is_name_line(line)]
    if not starts:
        raise ImportError_(f"{origin}：没有找到“项目名称”表头，不是项目支出绩效目标表的提取文本")
    ends = starts[1:] + [len(lines)]
    return [_read_table(lines[start:end], origin, year, _unit_before(lines, start))
            for start, end in zip(starts, ends, strict=True)]


def _unit_before(lines: list[_Line], start: int) -> str | None:
    """金额单位 printed under the title, just above the table it is for."""
    return next((line.unit for line in reversed(lines[max(0, start - 6):start]) if line.unit), None)
