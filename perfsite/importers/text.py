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
from ..model import PLACEHOLDERS
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
# Labels real tables print that the target table has no field for: read, reported with their value,
# never written into another field (DOMAIN.md §4). 中央资金 / 地方资金 split 财政拨款 by the level
# of government the money comes from, not as 上级补助 / 本级安排 do: a county's provincial and city
# transfers are 上级补助 but 地方资金, so neither pair can be computed from the other.
_NO_FIELD = {
    "项目总预算": "项目总预算是项目整个期间的预算，不是本年度的资金总额",
    "中期资金总额": "中期资金总额是项目整个期间的预算，不是本年度的资金总额",
    "中央资金": "中央资金按资金来自哪一级政府划分，与“上级补助 / 本级安排”不是一回事（县里的省、市转移支付是上级补助，却算地方资金）",
    "地方资金": "地方资金含省、市转移支付，不等于本级安排",
    "上年结转资金": "目标表没有上年结转一栏",
    **dict.fromkeys(("项目分类", "项目类别", "项目类型", "建设周期", "立项依据", "项目概况", "实施进度计划",
                     "项目起止时间", "项目实施期"), "目标表没有这一栏"),
}
# Labels a field is read by that are worth saying (the reading is the importer's, not the table's).
_SAID = {"自有资金": "原表的“自有资金”记为其他资金（财政拨款以外的资金）；若表中另有其他资金，请核对"}
# Signature and review rows under (or above) the table: not table data, left out and reported.
_SIGNATURE = re.compile(r"^(?:填报单位|填报日期|填报人|填表人|填表日期|编制单位|编制日期|编制人|审核意见|审核人|审批意见|"
                        r"主管部门审核意见|财政部门审核意见|联系人|单位负责人|财务负责人|负责人签字|经办人|单位\(?盖章)")
_PHONE = re.compile(r"^(?P<who>.*?)[\s,，/、:：]*(?:电话[:：]?)?\s*(?P<phone>(?:\+?86[-\s]?)?(?:\d[\d\-\s]{5,}\d))$")

_FURNITURE = re.compile(r"(?:金额)?单位\s*[:：]\s*(?P<unit>万元|元)\s*")  # signature rows: _SIGNATURE
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


# ---- layouts: how the cells of a row are told apart -------------------------------------------

LAYOUTS = ("制表符分隔（从 PDF 提取的文本）、“|”分隔（含 Markdown 表格）、每个单元格一行（每一行表格之后空一行）、"
           "两个以上空格分隔的列")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")  # Markdown's |---|---|
_PIPE = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class _Layout:
    key: str          # tab, pipe, cells, spaces
    name: str         # as the messages say it
    columns: bool     # a cell's place in its line is its column (merged cells left blank)


_TAB = _Layout("tab", "制表符分隔", True)
_PIPES = _Layout("pipe", "“|”分隔", True)
_CELLS = _Layout("cells", "每个单元格一行", False)
_SPACES = _Layout("spaces", "两个以上空格分隔", True)


def _raw_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))


def _layout(raws: list[str]) -> _Layout:
    """The layout the text is in: tabs wherever there is one; "|" where most lines have one; one cell
    per line where the grid's column headers stand on lines of their own; else runs of spaces."""
    filled = [raw for raw in raws if raw.strip()]
    if any("\t" in raw for raw in filled):
        return _TAB
    if filled and sum("|" in raw for raw in filled) >= 0.5 * len(filled):
        return _PIPES
    alone = [i for i, raw in enumerate(raws) if _norm(raw) in _GRID_HEADERS]
    if any(j == i + 1 for i, j in zip(alone, alone[1:])):
        return _CELLS
    return _SPACES


def _split(raw: str, layout: _Layout) -> list[str]:
    if layout is _TAB:
        return raw.split("\t")
    if layout is _PIPES:
        if _PIPE_RULE.match(raw) and "-" in raw:
            return []
        text = raw.strip()
        if text.startswith("|"):
            text = text[1:]
        if text.endswith("|") and not text.endswith("\\|"):
            text = text[:-1]
        return [part.replace("\\|", "|") for part in _PIPE.split(text)]
    if layout is _CELLS:
        return [raw]
    return re.split(r" {2,}|\u3000+", raw)


def _lines(text: str, layout: _Layout | None = None) -> list[_Line]:
    raws = _raw_lines(text)
    layout = layout or _layout(raws)
    rows: list[tuple[int, list[str], bool]] = []  # (first line, parts, form feed)
    if layout is _CELLS:  # one cell per line, a blank line after each row of the table
        block: list[str] = []
        for number, raw in enumerate(raws + [""], start=1):
            if raw.strip() and "\f" not in raw:
                block.append(raw)
                continue
            if block:
                rows.append((number - len(block), block, False))
            rows.append((number, [raw], "\f" in raw))
            block = []
    else:
        rows = [(number, _split(raw.replace("\f", ""), layout), "\f" in raw)
                for number, raw in enumerate(raws, start=1)]
    out = []
    for number, parts, feed in rows:
        cells = [(col, part.strip()) for col, part in enumerate(parts) if part.strip()]
        title = len(cells) == 1 and (TITLE in cells[0][1] or _PAGE_NUMBER.fullmatch(cells[0][1]) is not None)
        notes = [m for _, cell in cells if (m := _FURNITURE.fullmatch(cell))]
        unit = next((m["unit"] for m in notes if m["unit"]), None)
        cells = [(col, cell) for col, cell in cells if not _FURNITURE.fullmatch(cell)]
        out.append(_Line(number, [] if title else cells, feed or title, unit))
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
    if text in _FIELDS or text in _NO_FIELD:
        return text, unit, False
    if allow_cut and len(text) >= 2:
        found = [label for label in (*_FIELDS, *_NO_FIELD) if label.startswith(text)]
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
    unplaced: list[str] = field(default_factory=list)  # what could not be put in a field: refused unless a draft
    extra: dict[str, str] = field(default_factory=dict)  # labels without a field → their text

    def guess(self, path: NodePath, message: str) -> None:
        self.guesses.append(Guess(path, message))

    def get(self, path: NodePath) -> str | None:
        return self.funds.get(str(path[1])) if path[0] == "资金" else self.data.get(str(path[0]))

    def put(self, path: NodePath, value: str | None) -> None:
        if path[0] == "资金":
            self.funds[str(path[1])] = value
        else:
            self.data[str(path[0])] = value


def _header_line(table: _Table, line: _Line) -> bool:
    """Read a line of the header or fund block; False if it is not one."""
    cells = line.texts
    grouped = False
    while cells and (group := _group_label(cells[0])) is not None:
        if group:
            table.funds["单位"] = group
        cells, grouped = cells[1:], True
    if not cells:
        return grouped  # a line of its own over the fund lines (资金情况（万元）)
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
        if unit:
            table.funds["单位"] = unit
        text = " ".join(values) if values else None
        if name in _NO_FIELD:
            where: NodePath = ("资金",) if "资金" in name or "预算" in name else ()
            table.guess(where, f"原文第{line.number}行“{cell}”为“{text or ''}”：{_NO_FIELD[name]}，"
                               "本表没有对应的字段，未写入")
            table.extra[name] = text or ""
            continue
        path = _FIELDS[name]
        if cut:
            table.guess(path, f"原文第{line.number}行的标签“{cell}”在单元格宽度处被截断，按前缀识别为“{name}”")
        if len(values) > 1:
            table.guess(path, f"原文第{line.number}行“{name}”有 {len(values)} 个值单元格，按原顺序以空格连接")
        if name in _SAID:
            table.guess(path, f"原文第{line.number}行：{_SAID[name]}")
        if table.get(path) is not None and text is not None:  # never overwrite what another label put there
            table.guess(path, f"原文第{line.number}行“{cell}”为“{text}”，但“{path[-1]}”已从前面的行读到"
                              f"“{table.get(path)}”：保留前者，这一行未写入")
            continue
        if path == ("项目负责人",) and "电话" in cell and text and (m := _PHONE.match(text)) and m["who"] \
                and not table.data.get("联系电话"):
            table.put(("联系电话",), m["phone"])
            table.guess(path, f"原文第{line.number}行“{cell}”为“{text}”：姓名记为项目负责人，"
                              f"“{m['phone']}”记为联系电话")
            text = m["who"]
        table.put(path, text)
    return True


def _group_label(cell: str) -> str | None:
    """A label over the fund lines (资金情况, 年度资金情况（万元）): the unit it states, "" if none;
    None if the cell is not one."""
    text = _norm(cell)
    unit = ""
    if m := re.search(r"\((万元|元)\)", text):
        unit, text = m[1], text.replace(m[0], "").rstrip(":")
    return unit if text in _GROUP_LABELS else None


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

def _read_table(lines: list[_Line], origin: str, year: int | None, unit: str | None, layout: _Layout,
                draft: bool, before: list[_Line]) -> Imported:
    table = _Table(origin, lines[0].number)
    table.funds["单位"] = unit or "万元"
    grid = _Grid()
    in_grid = in_goals = False
    for line in before:  # the title and notes above the first table: only a signature row is said
        if line.cells and _is_signature(line, False):
            table.guess((), f"原文第{line.number}行“{' | '.join(line.texts)}”是签章、审核或联系人栏，"
                            "不是表中的数据，未写入")
    for line in lines:
        if line.page_break:
            grid.page_break = grid.page_break or in_grid
            continue
        if line.unit and not in_grid:
            table.funds["单位"] = line.unit
        if not line.cells:
            continue
        if _is_signature(line, in_grid):
            table.guess((), f"原文第{line.number}行“{' | '.join(line.texts)}”是签章、审核或联系人栏，"
                            "不是表中的数据，未写入")
        elif _is_grid_header(line):
            in_grid = True
            found = next((col for col, t in line.cells if _norm(t) == "一级指标"), None)
            grid.first_column = found if layout.columns else None  # one cell per line: no columns to compare
        elif in_grid or _starts_grid(line, in_goals):
            in_grid = True
            _grid_line(table, grid, line)
        elif _norm(line.texts[0]) in _GOAL_LABELS:
            in_goals = _goal_line(table, line)
        elif not _header_line(table, line) and not (in_goals and _goal_line(table, line)):
            table.unplaced.append(f"原文第{line.number}行“{' | '.join(line.texts)}”不是可识别的表头行")
    if not table.entries and not draft:
        raise ImportError_(f"{origin}:{table.start}：项目“{table.data.get('项目名称') or ''}”的表中没有绩效指标行")
    _half_matched(table, draft)
    return _assemble(table, year)


def _is_signature(line: _Line, in_grid: bool) -> bool:
    first = re.sub(r"[()]", "", _norm(line.texts[0]))
    return bool(_SIGNATURE.match(first)) or (in_grid and first.startswith(("联系电话", "电话")))


def _half_matched(table: _Table, draft: bool) -> None:
    """Refuse a table whose header, fund block or grid could not be placed, or whose values would
    land in other fields (one cell per line read as rows of one cell): such a file is worse than
    none. A draft is written instead with each such place marked, and a placeholder check refuses
    (model.PLACEHOLDERS) until a person has put every cell where it belongs."""
    if table.funds["资金总额"] is None and table.extra.get("项目总预算") and _AMOUNT.fullmatch(
            _norm(table.extra["项目总预算"])):
        table.funds["资金总额"] = table.extra["项目总预算"]
        table.guess(("资金", "资金总额"), f"表中没有本年度的资金总额，按项目总预算“{table.extra['项目总预算']}”填入；"
                                        "若项目跨年度，请改为本年度的金额")
    found = table.unplaced
    if not table.data.get("项目名称"):
        found.append("没有读到项目名称")
    if not table.data.get("主管部门及代码") and not table.data.get("实施单位"):
        found.append("没有读到主管部门及代码和实施单位")
    if all(table.funds[key] is None for key in _AMOUNT_KEYS):
        found.append("资金部分没有读到任何金额（资金总额、财政拨款……）")
    unknown = [e for e in table.entries if UNKNOWN in (e.level1, e.level2)]
    if unknown:
        found.append(f"{len(unknown)} 行指标没有可归入的一级、二级指标（如原文第{unknown[0].line}行“{unknown[0].name}”）")
    single = [e for e in table.entries if e.value is None]
    if len(single) >= 3 and 2 * len(single) > len(table.entries):
        found.append(f"{len(table.entries)} 行指标中有 {len(single)} 行只有一个单元格（如原文第{single[0].line}行"
                     f"“{single[0].name}”）：单元格没有按表格的行分开，指标值会落进三级指标")
    if not table.entries:
        found.append("没有读到绩效指标行")
    if not found:
        return
    if not draft:
        listed = "\n".join(f"  - {f}" for f in found)
        raise ImportError_(f"{table.origin}:{table.start}：项目“{table.data.get('项目名称') or ''}”有内容放不进表的字段，"
                           f"为免写出错位的文件，没有导入：\n{listed}\n  = 提示：核对原表；或加 --draft 写出草稿，"
                           "把放不进字段的单元格作为“# 导入提示”注释，由人工补全（补全前 perfsite check 不通过）")
    for f in found:
        table.guess((), f"草稿：{f}；请按原表补全")
    mark = PLACEHOLDERS["draft"][0]
    table.data["项目名称"] = mark + (table.data.get("项目名称") or "")
    for key, role in (("主管部门及代码", "department"), ("实施单位", "implementer")):
        table.data[key] = table.data.get(key) or PLACEHOLDERS[role][0]
    if table.funds["资金总额"] is None:
        table.funds["资金总额"] = PLACEHOLDERS["amount"][0]
    for entry in table.entries:
        if entry.value is None:
            entry.value = PLACEHOLDERS["value"][0]
    if not table.entries:
        table.entries.append(_Entry("产出", "数量", PLACEHOLDERS["name"][0], PLACEHOLDERS["value"][0], None,
                                    table.start))
    if not table.goals:
        table.goals.append((f"目标1: {PLACEHOLDERS['goal'][0]}", table.start))


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
    name = (table.data.get("项目名称") or "").removeprefix(PLACEHOLDERS["draft"][0])
    data: dict[str, Any] = {
        "id": project_id(name or "导入草稿"),
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


def import_text(text: str, origin: str, year: int | None = None, *, draft: bool = False) -> list[Imported]:
    """One Imported per table found. ``origin`` names the file in messages and Imported.origin
    ("name.txt:LINE" of the table's 项目名称 line). ``year``: the budget year if the caller knows it;
    else take it from dates in the table (时效 values like 2022年12月31日) and record that as a guess.
    The cells may be tab-, "|"- (Markdown) or space-separated, or one per line (see LAYOUTS); a text
    in none of them is refused with what was seen. ``draft``: write a table whose fields could not
    all be placed, marked so that check refuses it until a person fixes it (see _half_matched)."""
    if not text.strip():
        raise ImportError_(f"{origin}：文件为空，没有可导入的项目支出绩效目标表")
    if _looks_binary(text):
        raise ImportError_(f"{origin}：内容含有大量控制字符，不像是从 PDF 提取的文本（可能是二进制文件）")
    raws = _raw_lines(text)
    layout = _layout(raws)
    lines = _lines(text, layout)
    if layout is _CELLS and (stream := _unbroken_rows(lines)):
        raise ImportError_(f"{origin}：每个单元格一行，但表格的行与行之间没有空行（原文第{stream.number}行起，"
                           f"“{'”“'.join(stream.texts[:7])}”……连成一片）：分不清哪些单元格是同一行的，"
                           f"不能可靠地读出这张表。{_seen(raws, layout)}")
    joined = _run_together(lines)
    if len(joined) >= 2:
        number, cell, word = joined[0]
        raise ImportError_(f"{origin}：单元格之间似乎只隔一个空格（共 {len(joined)} 处，如原文第{number}行“{_short(cell)}”"
                           f"把“{word}”和别的单元格连在一起）；单元格里本身也有空格（如“其中: 上级补助”），"
                           f"分不清单元格的界线，不能可靠地读出这张表。{_seen(raws, layout)}")
    starts = [i for i, line in enumerate(lines) if _is_name_line(line)]
    if not starts:
        inside = next((line for line in lines for t in line.texts if "项目名称" in t), None)
        why = (f"原文第{inside.number}行有“项目名称”，但不在一个单元格的开头（“{_short(inside.texts[0])}”），"
               "单元格的分隔没有认出" if inside else "没有找到“项目名称”表头，不是项目支出绩效目标表的提取文本")
        raise ImportError_(f"{origin}：{why}。{_seen(raws, layout)}")
    ends = starts[1:] + [len(lines)]
    return [_read_table(lines[start:end], origin, year, _unit_before(lines, start), layout, draft,
                        lines[:start] if n == 0 else [])
            for n, (start, end) in enumerate(zip(starts, ends, strict=True))]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _seen(raws: list[str], layout: _Layout) -> str:
    """What the reader looked for and saw: the layout taken, the layouts read, the first lines."""
    looked = {"tab": "文中有制表符，按制表符分隔单元格", "pipe": "多数行有“|”，按“|”分隔单元格",
              "cells": "表头各占一行，按每个单元格一行（行间空行）读",
              "spaces": "文中没有制表符，也没有“|”，按两个以上的空格分隔单元格"}[layout.key]
    first = [f"{n}「{_short(raw.strip().replace(chr(9), '⇥'), 60)}」"
             for n, raw in enumerate(raws, start=1) if raw.strip()][:5]
    return (f"\n  = 读法：{looked}；能读的版式：{LAYOUTS}。\n  = 文件的前几行（⇥ 是制表符）：" + "  ".join(first))


def _run_together(lines: list[_Line]) -> list[tuple[int, str, str]]:
    """Cells that hold a label, a grid header or a category after a space inside them: cells that
    a single space separated, which no layout tells from the spaces inside a cell."""
    found = []
    for line in lines:
        for _, cell in line.cells:
            tokens = re.sub(r"^其中\s*[:：,，、]?\s*", "", cell).split()
            if len(tokens) < 2:
                continue
            known = [t for t in tokens if _norm(t) in _FIELDS or _norm(t) in _GRID_HEADERS or _is_category(t)]
            if known and (len(known) >= 2 or _norm(tokens[0]) in _FIELDS or _is_category(tokens[0])
                          or known[0] != tokens[0]):
                found.append((line.number, cell, known[0]))
    return found


def _unbroken_rows(lines: list[_Line]) -> _Line | None:
    """In one-cell-per-line text, a row holding the grid's header and the rows after it."""
    for line in lines:
        headers = sum(_norm(t) in _GRID_HEADERS or _norm(t) == GRID for t in line.texts)
        if headers >= 2 and len(line.cells) > headers + 1:
            return line
    return None


def _unit_before(lines: list[_Line], start: int) -> str | None:
    """金额单位 printed under the title, just above the table it is for."""
    return next((line.unit for line in reversed(lines[max(0, start - 6):start]) if line.unit), None)
