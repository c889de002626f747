"""The 项目支出绩效自评表 (财预〔2020〕10号) → a self-evaluation's data, from the printed form kept as
an .xlsx sheet or from a flat export with one line per indicator (项目名称 … 实际完成值, 得分).

Keys come from perfsite/evaluation.py's models; only the labels printed forms use for them are
listed here. What a source does not say (预算执行's points, 总分, 实际完成情况) is derived where the
arithmetic allows it, else left as a placeholder ``check`` refuses, and either way said as a guess.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel

from ..evaluation import BUDGET, DEFAULT_WEIGHTS, EvalFunds, EvalRow, Evaluation, FundLine, Outcome
from ..diagnostics import display_path
from ..kinds import EVALUATION_GRID
from ..model import PLACEHOLDERS, Project, build_project
from ..scaffold import project_id
from ..source import load_file
from ..taxonomy import simplified
from ..values import fmt_amount
from . import Imported, ImportError_
from .cells import Cell, Grid, Row, norm
from .fields import category_note, looks_cut, split_goals, unit_in

KIND = "evaluation"  # Imported.kind of what this module reads


def _key(model: type[BaseModel], attr: str) -> str:
    return model.model_fields[attr].alias or attr


# importer name → (model, attribute, further labels seen on forms and in exports). The first label
# is the model's YAML key; a label is compared without brackets, spaces, colons and a leading 其中.
# The grid's columns are declared with the 自评表's page and CSV (kinds.EVALUATION_GRID).
_FIELDS: dict[str, tuple[type[BaseModel] | None, str, tuple[str, ...]]] = {
    **{c.key: (None, c.label, c.columns) for c in EVALUATION_GRID},
    "name": (Evaluation, "name", ()),
    "code": (None, "项目编码", ("项目代码", "项目编号")),
    "department": (Evaluation, "department", ("主管部门", "主管部门名称", "部门名称", "部门")),
    "implementer": (Evaluation, "implementer", ("项目单位", "预算单位", "单位名称", "单位")),
    "contact": (Evaluation, "contact", ("项目负责人",)),
    "phone": (Evaluation, "phone", ("电话",)),
    "initial": (FundLine, "initial", ("年初预算",)),
    "budget": (FundLine, "budget", ("全年预算", "调整后预算数", "预算数")),
    "spent": (FundLine, "spent", ("全年执行", "实际执行数", "执行数", "实际支出数")),
    "rate": (FundLine, "rate", ("预算执行率", "资金执行率")),
    "total": (EvalFunds, "total", ("资金总额", "年度资金合计")),
    "fiscal": (EvalFunds, "fiscal", ("财政拨款", "本年财政拨款")),
    "carried": (EvalFunds, "carried", ("上年结转",)),
    "other": (EvalFunds, "other", ("自有资金",)),
    "expected": (Outcome, "expected", ()),
    "achieved": (Outcome, "achieved", ("目标实际完成情况", "年度总体目标完成情况", "总体目标完成情况")),
    "sum": (Evaluation, "total", ("总得分", "自评总分")),
    "grade": (Evaluation, "grade", ("评价等级", "自评结果")),
    "goals": (None, "年度总体目标", ("总体目标",)),
    "funds": (None, "项目资金", ("资金情况",)),
}


def field_key(name: str) -> str:
    """The YAML key of an importer name's field (contact → 联系人)."""
    model, attr, _labels = _FIELDS[name]
    return _key(model, attr) if model else attr


_LABELS = {name: tuple(norm(label) for label in ((_key(m, a) if m else a), *more))
           for name, (m, a, more) in _FIELDS.items()}
LINES = ("total", "fiscal", "carried", "other")  # the fund block's lines, in the form's order
AMOUNTS = ("initial", "budget", "spent", "rate")  # a fund line's amounts
HEADER_FIELDS = ("name", "department", "implementer", "contact", "phone")
_LARGEST = Decimal(10) ** 12  # beyond any score or amount: such a number is damage, not derived with
_GRADES = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差"}  # → the model's 优 良 中 差
_BLANK = {"", "-", "—", "——", "－", "/", "／", "\\", "无"}  # what a form prints in a cell that has no value


def label_of(text: str | None) -> str | None:
    """Which field a label or column header names, if any (units in brackets and 其中 ignored)."""
    word = simplified(re.sub(r"[（(][^）)]*[）)]", "", norm(text))).removeprefix("其中")
    return next((name for name, labels in _LABELS.items() if word in labels), None)


def value_of(text: str | None) -> str | None:
    """A cell's value, None where the form prints a dash or nothing."""
    return None if text is None or norm(text) in _BLANK else text


def number(text: str | None) -> str | None:
    """An amount or a score as the file holds it: without thousands separators, 分 or a space."""
    text = value_of(text)
    if text is None:
        return None
    plain = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    return re.sub(r"\s*分$", "", plain)


def _decimal(text: str | None) -> Decimal | None:
    """A number to derive with; None for text, NaN, infinities and sizes no form holds (1e400)."""
    try:
        value = Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() and abs(value) < _LARGEST else None


def recognises(grid: Grid) -> bool:
    """A sheet is a self-evaluation when its labels are the 自评表's own (实际完成值, 全年执行数,
    实际完成情况: no target table prints them) or a title in its first rows says 自评 (an indicator
    of a target table may be named 绩效自评完成率, so only a title counts: a short line alone in one of
    the first rows)."""
    for index, row in enumerate(grid[:60]):
        own = [cell.text for cell in row if cell.text and not cell.merged]
        if any(label_of(text) in ("actual", "spent", "achieved") for text in own):
            return True
        if index < 3 and len(own) == 1 and "自评" in own[0] and len(norm(own[0])) <= 40:
            return True
    return False


def has_grid(grid: Grid) -> bool:
    """A self-evaluation with its indicator grid's header (a document's table may hold only the head)."""
    return recognises(grid) and header_row(grid, ("level3",)) is not None


def is_export(grid: Grid) -> bool:
    """A flat export names the project in a column of its header row, beside the indicator columns."""
    return header_row(grid, ("name", "level3")) is not None


def header_row(grid: Grid, needed: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    """The first row naming every ``needed`` field: (index, field → its first own column)."""
    for index, row in enumerate(grid):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = label_of(cell.text)
            if name and name not in columns and not cell.merged:
                columns[name] = col
        if set(needed) <= set(columns):
            return index, columns
    return None


def year_in(text: str, year: int | None) -> int | None:
    match = re.search(r"(20\d{2})\s*年", text)
    return year or (int(match[1]) if match else None)


def require_actual(origin: str, columns: dict[str, int], header: Row) -> None:
    """A 自评表 whose grid has no 实际完成值 column is refused, naming the columns it does have."""
    if "actual" not in columns:
        shown = "、".join(dict.fromkeys(c.text for c in header if c.text))
        raise ImportError_(f"{origin}: 是项目支出绩效自评表，但指标表头没有“实际完成值”列（表头是：{shown}）；"
                           "自评表每一行都要有实际完成值，请补上这一列再导入")


# --- the rows: shared by the form and the export --------------------------------------------------

class Rows:
    """The 绩效指标 grid being read: category header rows (产出指标(50分)) set the 一级 of the rows
    below, blank 一级/二级 cells inherit the row above (a guess unless merged), a 预算执行 row gives
    the fund block's points."""

    def __init__(self, item: Imported) -> None:
        self.item = item
        self.grid: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.last: dict[str, str | None] = {"level1": None, "level2": None}
        self.budget: tuple[str | None, str | None] | None = None  # a 预算执行 row's (分值, 得分)
        self.headed: set[str] = set()  # levels a category row named: the blank cells below are under it

    def add(self, cell: Callable[[str], Cell], where: str) -> None:
        level1 = cell("level1").text
        if level1 and re.fullmatch(r"预算执行(指标)?", re.sub(r"[（(][^）)]*[）)]|\d+(\.\d+)?分?", "", norm(level1))):
            self.budget = (number(cell("points").text), number(cell("score").text))
            return
        if not _own(cell("level3"), level1) and not _own(cell("actual"), level1):
            self._category(cell, level1)
            return
        labels, inherited = self._labels(cell, where)
        rows = self._group(*labels)
        entry: dict[str, Any] = {_key(EvalRow, "name"): cell("level3").text}
        for key in ("target", "actual", "points", "score", "reason"):
            text = number(cell(key).text) if key in ("points", "score") else value_of(cell(key).text)
            entry[_key(EvalRow, key)] = text
        rows.append(entry)
        path = ("绩效指标", *labels, len(rows) - 1)
        for note in inherited + self._fill(entry):
            self.item.guess(path, note)
        if looks_cut(entry[_key(EvalRow, "name")] or ""):
            self.item.guess(path, "三级指标名称的结尾像是被截断了，请对照原件")

    def _category(self, cell: Callable[[str], Cell], level1: str | None) -> None:
        """A row with a category's name only: 产出指标(50分) sets the 一级 of the rows below."""
        level2 = _own(cell("level2"), level1)
        if level1:
            self.last["level1"], self.last["level2"] = level1, None
            self.headed = {"level1"}
        if level2:
            self.last["level2"] = level2
            self.headed.add("level2")

    def _labels(self, cell: Callable[[str], Cell], where: str) -> tuple[tuple[str, str], list[str]]:
        labels, notes = [], []
        for level, word in (("level1", "一"), ("level2", "二")):
            c = cell(level)
            if c.text:
                if level == "level1" and c.text != self.last["level1"]:
                    self.last["level2"] = None  # a new category's rows never inherit another's 二级
                self.last[level] = c.text
                self.headed.discard(level)
            elif self.last[level] is None:
                raise ImportError_(f"{where}: 指标行没有{word}级指标，上面也没有可沿用的")
            elif not c.merged and level not in self.headed:
                notes.append(f"{where} 的{word}级指标为空（单元格未合并），沿用上一行的「{self.last[level]}」")
            labels.append(self.last[level] or "")
        return (labels[0], labels[1]), notes

    def _group(self, level1: str, level2: str) -> list[dict[str, Any]]:
        for path, name in ((("绩效指标", level1), level1), (("绩效指标", level1, level2), level2)):
            known = level1 in self.grid if len(path) == 2 else level2 in self.grid.get(level1, {})
            note = None if known else category_note(name)
            if note:
                self.item.guess(path, note)
        return self.grid.setdefault(level1, {}).setdefault(level2, [])

    @staticmethod
    def _fill(entry: dict[str, Any]) -> list[str]:
        """Blank cells a row needs: a placeholder check refuses until filled, and a note saying so."""
        notes = []
        for key, role in (("actual", "actual"), ("points", "points"), ("score", "score")):
            label = _key(EvalRow, key)
            if entry.get(label) is None:
                entry[label] = PLACEHOLDERS[role][0]
                notes.append(f"原表这一行的{label}是空的，请按原件填写")
        for key in ("target", "reason"):
            if entry.get(_key(EvalRow, key)) is None:
                del entry[_key(EvalRow, key)]
        return notes


def _own(c: Cell, label: str | None) -> str | None:
    """A cell's own text: not the copy a range merged across the row from its label leaves in it."""
    return None if c.merged and c.text == label else c.text


# --- what every self-evaluation needs, whatever it was read from ---------------------------------

def start(header: dict[str, str | None], origin: str, year: int | None) -> Imported:
    """A self-evaluation's data with its header fields, in the model's order (the rest follows)."""
    name = header.get("name") or ""
    code = (header.get("code") or "").lower()  # a 项目编码 that is a valid id is the id, as for target tables
    ident = code if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", code) else project_id(name)
    data: dict[str, Any] = {"id": ident, _key(Evaluation, "year"): str(year) if year else None,
                            _key(Evaluation, "name"): name}
    for key in ("department", "implementer", "contact", "phone"):
        if header.get(key):
            data[_key(Evaluation, key)] = header[key]
    item = Imported(data, origin, kind=KIND)
    if year is None:
        item.guess((_key(Evaluation, "year"),), "表中没有年度，请用 --year 指定或在此填写")
    return item


def fund_block(item: Imported, lines: dict[str, dict[str, str | None]], unit: str | None,
               budget: tuple[str | None, str | None]) -> dict[str, Any]:
    """项目资金: the lines found (年度资金总额 always, blank where the source has no amounts), and
    预算执行's 分值 and 得分 (None: not in the source; finish() derives or marks them)."""
    block: dict[str, Any] = {_key(EvalFunds, "unit"): unit or "万元"}
    for line in LINES:
        amounts = lines.get(line)
        if amounts is None and line != "total":
            continue
        block[_key(EvalFunds, line)] = {_key(FundLine, c): (amounts or {}).get(c) for c in AMOUNTS
                                        if (amounts or {}).get(c) is not None or c in ("budget", "spent")}
    block[_key(EvalFunds, "points")], block[_key(EvalFunds, "score")] = budget
    if unit is None:
        item.guess(("项目资金", "单位"), "表中没有写明金额单位，按万元导入；若原表是元，请改为 元")
    if not lines:
        item.guess(("项目资金", _key(EvalFunds, "total")),
                   "原表没有资金（年初预算数、全年预算数、全年执行数），请按决算填写；执行率可不填，按全年执行数/全年预算数计算")
    return block


def finish(item: Imported, funds: dict[str, Any], goals: tuple[list[str], list[str]], grid: dict[str, Any],
           total: str | None, grade_text: str | None) -> None:
    """Put the blocks in, in the model's order, deriving what the source left out (_derive)."""
    data = item.data
    data[_key(Evaluation, "funds")] = funds
    data[_key(Evaluation, "outcome")] = _outcome(item, *goals)
    data[_key(Evaluation, "indicators")] = grid
    data[_key(Evaluation, "total")] = _derive(item, funds, grid, total)
    if grade_text:
        grade = _GRADES.get(norm(grade_text), grade_text)
        data[_key(Evaluation, "grade")] = grade
        if grade != grade_text:
            item.guess((_key(Evaluation, "grade"),), f"原表自评等级为「{grade_text}」，记为「{grade}」")


def _outcome(item: Imported, expected: list[str], achieved: list[str]) -> dict[str, Any]:
    """年度总体目标: 预期目标 where the source states them (else the target table's), 实际完成情况."""
    outcome: dict[str, Any] = {}
    if expected:
        outcome[_key(Outcome, "expected")] = expected
    if not achieved:
        achieved = [PLACEHOLDERS["achieved"][0]]
        item.guess((_key(Evaluation, "outcome"), _key(Outcome, "achieved")), "原表没有实际完成情况，请填写")
    outcome[_key(Outcome, "achieved")] = achieved
    return outcome


def _derive(item: Imported, funds: dict[str, Any], grid: dict[str, Any], total: str | None) -> str:
    """预算执行's 分值 (100 less the rows'), its 得分 (总分 less the rows') and 总分 (the sum) where the
    source left them out, each said; what the arithmetic cannot give is a placeholder. Returns 总分."""
    rows = [row for groups in grid.values() for rows in groups.values() for row in rows]
    points = _sum(row[_key(EvalRow, "points")] for row in rows)
    scores = _sum(row[_key(EvalRow, "score")] for row in rows)
    path = (_key(Evaluation, "funds"),)
    p_key, s_key = _key(EvalFunds, "points"), _key(EvalFunds, "score")
    if funds[p_key] is None:
        rest = _left(Decimal(100), points)
        usual = "" if rest == DEFAULT_WEIGHTS[BUDGET] else f"（通常为 {DEFAULT_WEIGHTS[BUDGET]}）"
        funds[p_key] = fmt_amount(rest) if rest is not None else PLACEHOLDERS["points"][0]
        item.guess(path + (p_key,), "原表没有预算执行的分值，" + (
            f"按 100 减各指标分值之和记为 {funds[p_key]}{usual}" if rest is not None else "请填写"))
    if funds[s_key] is None:
        rest = _left(_decimal(total), scores)
        funds[s_key] = fmt_amount(rest) if rest is not None else PLACEHOLDERS["score"][0]
        item.guess(path + (s_key,), "原表没有预算执行的得分，" + (
            f"按总分减各指标得分之和记为 {funds[s_key]}" if rest is not None else "请按原件填写"))
    if total is None:
        budget = _decimal(funds[s_key])
        known = scores is not None and budget is not None
        total = fmt_amount(scores + budget) if known else PLACEHOLDERS["score"][0]
        item.guess((_key(Evaluation, "total"),), f"原表没有总分，按预算执行与各指标得分之和记为 {total}" if known
                   else "原表没有总分，请填写")
    return total


def _left(whole: Decimal | None, part: Decimal | None) -> Decimal | None:
    """What is left of ``whole`` after ``part``; None where either is unknown or it would be negative."""
    if whole is None or part is None or whole < part:
        return None
    return whole - part


def _sum(values) -> Decimal | None:
    """The sum of amounts, None if one of them is no number (a placeholder)."""
    found = [_decimal(v) for v in values]
    return None if any(v is None for v in found) else sum(found, Decimal(0))


def goal_lines(texts: list[str]) -> list[str]:
    """Goals from cells: one per line, a numbered run split (as the target importers do)."""
    out: list[str] = []
    for text in dict.fromkeys(t for t in texts if value_of(t)):
        out += split_goals(text)[0]
    return out


def unit_of(texts: list[str | None]) -> str | None:
    return next((u for u in map(unit_in, texts) if u), None)


class Linked:
    """The target tables self-evaluations link to, by 项目名称 within a year: those imported with
    them first, then the site's own ``content/<年度>/*.yaml`` (read once a year, when first asked)."""

    def __init__(self, content: Path) -> None:
        self.content = content
        self.batch: dict[tuple[int, str], tuple[str, Project | None, str]] = {}
        self.site: dict[int, dict[str, tuple[str, Project | None, str]]] = {}

    def add(self, item: Imported, project: Project | None, display: str) -> None:
        """A target table of this import (to be written at ``display``), for the self-evaluations after it."""
        self.batch.setdefault((int(item.data["年度"]), item.data["项目名称"]), (item.id, project, f"{display}（本次导入）"))

    def link(self, item: Imported, year: int) -> Project | None:
        """Give the self-evaluation its target table's id, and return that table (if valid)."""
        name = item.data[_key(Evaluation, "name")]
        found = self.batch.get((year, name)) or self._site(year).get(name)
        if found is None:
            item.guess(("id",), f"没有 {year} 年项目名称为「{name}」的目标表，id 按项目名称生成；"
                                "若目标表的项目名称写法不同，请把 id 改成目标表的 id")
            return None
        item.data["id"], project, where = found
        item.guess(("id",), f"与目标表 {where} 的项目名称相同，用它的 id {item.id}，年度指标值等与它核对")
        return project

    def projects(self, year: int) -> list[Project]:
        """The year's valid target tables, this import's in place of the site's of the same name:
        what a department table imported with them is checked against."""
        found = {name: project for name, (_id, project, _where) in self._site(year).items()}
        found.update({name: project for (y, name), (_id, project, _where) in self.batch.items() if y == year})
        return [project for project in found.values() if project is not None]

    def _site(self, year: int) -> dict[str, tuple[str, Project | None, str]]:
        if year not in self.site:
            table: dict[str, tuple[str, Project | None, str]] = {}
            folder = self.content / str(year)
            for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else ():
                source, _ = load_file(path, display_path(path))
                data = source.data if source is not None else None
                if isinstance(data, dict) and isinstance(data.get("项目名称"), str) and isinstance(data.get("id"), str):
                    project = build_project(source)[0]
                    table.setdefault(data["项目名称"], (data["id"], project, display_path(path)))
            self.site[year] = table
        return self.site[year]


def summary(item: Imported) -> str:
    """What was read of one self-evaluation: rows, the outcome's lines, the funds, 总分."""
    data = item.data
    rows = sum(len(rows) for groups in data.get(_key(Evaluation, "indicators"), {}).values() for rows in groups.values())
    achieved = data.get(_key(Evaluation, "outcome"), {}).get(_key(Outcome, "achieved"), [])
    funds = data.get(_key(Evaluation, "funds"), {})
    total = funds.get(_key(EvalFunds, "total")) or {}
    money = "、".join(f"{k} {v}" for k, v in total.items() if v is not None) or "没有资金"
    return (f"自评表 (self-evaluation)：读到 (read) {rows} 行指标 rows、{len(achieved)} 条实际完成情况、"
            f"年度资金总额 {money}（{funds.get(_key(EvalFunds, 'unit'), '万元')}）、总分 {data.get(_key(Evaluation, 'total'))}")
