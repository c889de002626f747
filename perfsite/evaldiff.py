"""Semantic diff of self-evaluations (项目支出绩效自评表): 总分 and 自评等级, each fund line's budget,
spending and 执行率, each row's target, actual, points and score.

Evaluations pair as target tables do (``diff.pair_tables``: by id, then by name) and rows as a
table's rows do (``diff.pair_rows``: by category and 三级 name, then by name). What is compared is
read from the declarations, so a field added there is compared without a list here: from
evaluation.py's models every top-level field but the keys that pair and the blocks, every field of
every fund line and the block's 分值/得分; from the grid (kinds.EVALUATION_GRID) every column of a
row but the name it pairs by, each named by its YAML key. 年度指标值 is compared as the file states
it (a row that leaves it to the target table has none).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Iterable, Literal

from . import diff as projects
from .diff import (FieldChange, GoalChange, SiteDiff, _amount_delta, _category, _change_text, _field_change, _goals,
                   _md, _paint, _points_delta, _Rollover, _segments_text, _text, kind_section, pair_rows, pair_tables,
                   report_order, value_delta)
from .evaluation import EvalFunds, EvalRow, Evaluation, FundLine, Outcome
from .kinds import EVALUATION_GRID
from .taxonomy import canonical
from .values import parse, written_amount

_PAIRED = ("id", "year")  # what pairs two evaluations, not a change of either
_BLOCKS = ("funds", "outcome", "indicators")  # compared block by block
HEADER = tuple((attr, info.alias or attr) for attr, info in Evaluation.model_fields.items()
               if attr not in _PAIRED + _BLOCKS)
LINE = tuple((attr, info.alias or attr) for attr, info in FundLine.model_fields.items())
# 预算执行's 分值 and 得分: the fund block's own amounts (its 单位 only says how its lines are written)
FUND_POINTS = tuple((attr, info.alias or attr) for attr, info in EvalFunds.model_fields.items()
                    if info.annotation is Decimal)
ROW = tuple((c.attr, EvalRow.model_fields[c.attr].alias or c.attr) for c in EVALUATION_GRID
            if c.attr not in (None, "name"))
OUTCOME = {attr: info.alias or attr for attr, info in Outcome.model_fields.items()}  # 预期目标, 实际完成情况


@dataclass(slots=True)
class EvalRowChange:
    kind: Literal["added", "removed", "changed", "moved"]
    name: str
    old_category: tuple[str, str] | None
    new_category: tuple[str, str] | None
    # the columns that changed; of an added (removed) row, its filled columns with old (new) None
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(slots=True)
class EvaluationDiff:
    status: Literal["added", "removed", "changed", "unchanged"]
    id: str
    name: str
    year: int
    total: str  # 总分 as written (the new side's; the old one's of a removed evaluation)
    old_where: str | None = None
    new_where: str | None = None
    old_id: str | None = None  # when paired by name with another id
    header: list[FieldChange] = field(default_factory=list)  # 总分, 自评等级, 项目名称, …
    funds: list[FieldChange] = field(default_factory=list)  # 年度资金总额/全年执行数, 预算执行/得分, …
    expected: list[GoalChange] = field(default_factory=list)  # 预期目标, as the file states it
    achieved: list[GoalChange] = field(default_factory=list)  # 实际完成情况
    rows: list[EvalRowChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


@dataclass
class EvaluationsDiff:
    evaluations: list[EvaluationDiff] = field(default_factory=list)

    def of(self, status: str) -> list[EvaluationDiff]:
        return [e for e in self.evaluations if e.status == status]

    @property
    def changed(self) -> bool:
        return any(e.changed for e in self.evaluations)


class _Carried(_Rollover):
    """Between two years' self-evaluations, a date of the year after each carries over too: they
    are published with the 决算 the next year (公开日期 2023-06-20 → 2024-06-20 is no change)."""

    def __init__(self, old_year: int, new_year: int) -> None:
        super().__init__(old_year, new_year)
        self.next = _Rollover(old_year + 1, new_year + 1)

    def same(self, old: str | None, new: str | None) -> bool:
        return super().same(old, new) or self.next.same(old, new)


def _wan(funds: EvalFunds, amount: Decimal | None) -> Decimal | None:
    """An amount of the fund block in 万元 (the diff compares money in 万元, whatever the unit)."""
    if amount is None or funds.unit == "万元":
        return amount
    return (amount / 10000).normalize() if amount else amount


def _line_value(funds: EvalFunds, line: FundLine | None, attr: str) -> Decimal | None:
    """A fund line's field as the form prints it: an amount in 万元, the 执行率 as given or computed."""
    if line is None:
        return None
    return line.shown_rate if attr == "rate" else _wan(funds, getattr(line, attr))


def _rate_delta(old: Decimal | None, new: Decimal | None) -> str | None:
    if old is None or new is None:
        return None
    points = _points_delta(old, new)
    return f"{points} 个百分点" if points else None


def _funds(old: EvalFunds, new: EvalFunds) -> list[FieldChange]:
    """Each fund line's changed fields, in the form's order, then 预算执行's 分值 and 得分."""
    changes = []
    for (_attr, label, a_line), (_, _, b_line) in zip(old.lines(), new.lines()):
        for attr, alias in LINE:
            a, b = _line_value(old, a_line, attr), _line_value(new, b_line, attr)
            if a != b:
                if attr == "rate":  # in percent, as the form prints it
                    change = FieldChange(f"{label}/{alias}", _percent(a), _percent(b), _rate_delta(a, b))
                else:
                    change = FieldChange(f"{label}/{alias}", _written(a), _written(b), _amount_delta(a, b))
                changes.append(change)
    for attr, alias in FUND_POINTS:
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            changes.append(FieldChange(f"预算执行/{alias}", _written(a), _written(b), _points_delta(a, b)))
    return changes


def _written(amount: Decimal | None) -> str | None:
    return None if amount is None else written_amount(amount)


def _percent(rate: Decimal | None) -> str | None:
    return None if rate is None else f"{written_amount(rate)}%"


def _row_fields(old: EvalRow, new: EvalRow, roll: _Rollover) -> list[FieldChange]:
    """What changed in a row's columns; a target or actual that parses on both sides with its change (每周6次 → 每周7次: +1 次)."""
    changes = []
    for attr, alias in ROW:
        a, b = getattr(old, attr), getattr(new, attr)
        change = _field_change(alias, a, b, roll)
        if change is None:
            continue
        if isinstance(a, str) and isinstance(b, str):
            change.delta = value_delta(parse(a), parse(b))
        changes.append(change)
    return changes


def _filled(row: EvalRow, side: Literal["old", "new"]) -> list[FieldChange]:
    """An added or removed row's filled columns, as changes from (or to) nothing."""
    shown = ((alias, _text(getattr(row, attr))) for attr, alias in ROW)
    return [FieldChange(alias, None, text) if side == "new" else FieldChange(alias, text, None)
            for alias, text in shown if text is not None]


def _rows(old: Evaluation, new: Evaluation, roll: _Rollover) -> list[EvalRowChange]:
    def listing(e: Evaluation) -> list[tuple[tuple[str, str], tuple[str, str], EvalRow]]:
        return [((l1, l2), (canonical(l1), canonical(l2)), row) for l1, l2, _i, row in e.rows()]

    olds, news = listing(old), listing(new)
    pairs = pair_rows([(o[1], o[2].name) for o in olds], [(n[1], n[2].name) for n in news], roll)
    changes: list[EvalRowChange] = []
    for j, (category, canon, row) in enumerate(news):
        if j not in pairs:
            changes.append(EvalRowChange("added", row.name, None, category, _filled(row, "new")))
            continue
        o_category, o_canon, o_row = olds[pairs[j]]
        fields = _row_fields(o_row, row, roll)
        if o_canon != canon or fields:
            changes.append(EvalRowChange("moved" if o_canon != canon else "changed", row.name, o_category,
                                         category, fields))
    used = set(pairs.values())
    changes += [EvalRowChange("removed", row.name, category, None, _filled(row, "old"))
                for i, (category, _c, row) in enumerate(olds) if i not in used]
    return changes


def diff_evaluations(old: Evaluation | None, new: Evaluation | None, old_where: str | None = None,
                     new_where: str | None = None) -> EvaluationDiff:
    """The changes from one self-evaluation to the next (either may be absent)."""
    only = new or old
    if only is None:
        raise ValueError("nothing to compare")
    if old is None or new is None:
        return EvaluationDiff("added" if old is None else "removed", only.id, only.name, only.year,
                              written_amount(only.total), old_where, new_where)
    result = EvaluationDiff("unchanged", new.id, new.name, new.year, written_amount(new.total), old_where, new_where,
                            old_id=old.id if old.id != new.id else None)
    roll = _Carried(old.year, new.year)
    for attr, alias in HEADER:
        change = _field_change(alias, getattr(old, attr), getattr(new, attr), roll)
        if change is not None:
            result.header.append(change)
    result.funds = _funds(old.funds, new.funds)
    result.expected = _goals(old.outcome.expected or [], new.outcome.expected or [], roll)
    result.achieved = _goals(old.outcome.achieved, new.outcome.achieved, roll)
    result.rows = _rows(old, new, roll)
    if result.old_id or result.header or result.funds or result.expected or result.achieved or result.rows:
        result.status = "changed"
    return result


def diff_evaluation_snapshots(old: Iterable[tuple[Evaluation, str]],
                              new: Iterable[tuple[Evaluation, str]]) -> EvaluationsDiff:
    """Every self-evaluation's changes, paired as target tables pair."""
    out = EvaluationsDiff()
    for a, b in pair_tables(list(old), list(new)):
        out.evaluations.append(diff_evaluations(a and a[0], b and b[0], a and a[1], b and b[1]))
    out.evaluations.sort(key=report_order)
    return out


# -- output: the projects' report, then the self-evaluations' under a heading 自评表 -----------------

TITLE = "自评表"
_KIND = {"added": "新增", "removed": "删除", "changed": "修改", "moved": "移动"}


def _columns(fields: list[FieldChange], side: Literal["old", "new"]) -> str:
    """An added or removed row's (or task's) columns on one line: 实际完成值 每周7次；分值 10；得分 10."""
    return "；".join(f"{c.field} {c.new if side == 'new' else c.old}" for c in fields)


def _row_line(r: EvalRowChange, color: bool) -> str:
    if r.kind == "added":
        return _paint(f"  + 指标 {_category(r.new_category)}/{r.name}: {_columns(r.fields, 'new')}", "add", color)
    if r.kind == "removed":
        return _paint(f"  - 指标 {_category(r.old_category)}/{r.name}: {_columns(r.fields, 'old')}", "del", color)
    text = f"  ~ 指标 {_category(r.new_category)}/{r.name}"
    if r.kind == "moved":
        text = f"  ↪ 指标 {r.name}: 从 {_category(r.old_category)} 移到 {_category(r.new_category)}"
    return _paint(f"{text}: {'；'.join(_change_text(c) for c in r.fields)}" if r.fields else text, "mod", color)


def evaluation_lines(d: EvaluationDiff, color: bool = False) -> list[str]:
    """The changes of one self-evaluation as readable lines."""
    lines = [f"  id: {d.old_id} → {d.id}"] if d.old_id else []
    lines += [_paint(f"  {_change_text(c)}", "mod", color) for c in d.header + d.funds]
    for label, goals in ((OUTCOME["expected"], d.expected), (OUTCOME["achieved"], d.achieved)):
        lines += [f"  {label} {g.index}（{_KIND[g.kind]}）: {_segments_text(g.segments, color)}" for g in goals]
    return lines + [_row_line(r, color) for r in d.rows]


def section_text(diff: EvaluationsDiff, color: bool = False) -> str:
    def label(d: EvaluationDiff) -> str:  # an added or removed one with its 总分
        return f"{d.name} ({d.id})" + ("" if d.status == "changed" else f"：总分 {d.total}")
    return kind_section(TITLE, "自评表", "份", diff.evaluations, label, evaluation_lines, color)


def _md_section(diff: EvaluationsDiff) -> list[str]:
    out = [f"## {TITLE}", ""]
    for status in ("added", "removed"):
        items = diff.of(status)
        if items:
            out += [f"### {_KIND[status]}自评表（{len(items)}）", ""]
            out += [f"- {d.name}（`{d.id}`）：总分 {d.total}" for d in items] + [""]
    changed = diff.of("changed")
    if changed:
        out += [f"### 修改自评表（{len(changed)}）", ""]
    for d in changed:
        out += [f"#### {d.name}（`{d.id}`）", ""] + _md_changes(d)
    if not diff.changed:
        out.append("没有变化。")
    return out


def _md_changes(d: EvaluationDiff) -> list[str]:
    out = []
    if d.header or d.funds or d.old_id:
        out += ["| 字段 | 原值 | 新值 | 变化 |", "|---|---|---|---|"]
        out += [f"| id | {d.old_id} | {d.id} | |"] if d.old_id else []
        out += [f"| {c.field} | {_md(c.old)} | {_md(c.new)} | {c.delta or ''} |" for c in d.header + d.funds] + [""]
    for label, goals in ((OUTCOME["expected"], d.expected), (OUTCOME["achieved"], d.achieved)):
        for g in goals:
            text = "".join(t if op == "equal" else (f"~~{t}~~" if op == "delete" else f"**{t}**") for op, t in g.segments)
            out.append(f"- {label} {g.index}（{_KIND[g.kind]}）：{text}")
    if d.expected or d.achieved:
        out.append("")
    if d.rows:
        out += ["| 变化 | 指标 | 原分类 | 新分类 | 栏目 |", "|---|---|---|---|---|"]
        out += [f"| {_KIND[r.kind]} | {_md(r.name)} | {_category(r.old_category)} | {_category(r.new_category)} | "
                f"{'；'.join(_md(_change_text(c)) for c in r.fields)} |" for r in d.rows] + [""]
    return out


def _alone(site: SiteDiff, evaluations: EvaluationsDiff) -> bool:
    """Only self-evaluations are compared (git's diff driver on a 自评 file): no projects' section."""
    return not site.projects and bool(evaluations.evaluations)


def to_text(site: SiteDiff, evaluations: EvaluationsDiff, color: bool = False) -> str:
    """The projects' report, then the self-evaluations' (where either side has any)."""
    if _alone(site, evaluations):
        return projects.heading(site, color) + "\n" + section_text(evaluations, color)
    text = projects.to_text(site, color)
    if not evaluations.evaluations:
        return text
    return text + "\n" + section_text(evaluations, color)


def to_markdown(site: SiteDiff, evaluations: EvaluationsDiff, nothing: str = "没有变化。") -> str:
    """``nothing``: what the report says when no project changed and there are no self-evaluations
    (a section of another table's after it names its own changes)."""
    if _alone(site, evaluations):
        head = [f"# 自评表变化：{site.old_label} → {site.new_label}", ""]
        return "\n".join(head + _md_section(evaluations)[2:]).rstrip() + "\n"
    if not evaluations.evaluations:
        return projects.to_markdown(site, nothing=nothing)
    text = projects.to_markdown(site, nothing="目标表没有变化。")
    return text + "\n" + "\n".join(_md_section(evaluations)).rstrip() + "\n"


def to_data(site: SiteDiff, evaluations: EvaluationsDiff) -> dict:
    """The projects' diff and the self-evaluations', as the JSON form holds them."""
    data = projects.to_data(site)
    data["evaluations"] = [asdict(e) for e in evaluations.evaluations]
    return data


def to_json(site: SiteDiff, evaluations: EvaluationsDiff) -> str:
    return json.dumps(to_data(site, evaluations), ensure_ascii=False, indent=2) + "\n"
