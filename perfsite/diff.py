"""Semantic diff of projects: what changed in the table, not which lines of YAML.

Projects pair by id, then by name. Inside a project, funds compare as amounts (with the change),
goals by character (Chinese has no word boundaries to diff on), and indicators pair by category
and 三级 name, then by name alone across categories (a moved indicator), so a row that moved and
changed its value is one change, not a removal plus an addition.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Literal, Protocol, TypeVar

from .kinds import TARGET
from .model import Correction, MidFunds, MidTerm, Project, Row
from .taxonomy import canonical
from .values import Value, fmt_amount, written_amount

Segment = tuple[Literal["equal", "delete", "insert"], str]

# A change is named by the field's YAML key, the name staff edit it by.
_HEADER = TARGET.diff_header
_FUNDS = TARGET.diff_funds
# A row's columns besides the three every form has: 三级指标 pairs rows, 指标值 and 说明 have
# fields of their own in a RowChange (with the value's numeric change). Read from the kind's grid,
# so a column declared there is compared without a second list here.
_ROW_PLAIN = ("name", "value_text", "note")
_ROW_FIELDS = tuple(c for c in TARGET.row_fields if c.attr not in _ROW_PLAIN)
# The 中期 block (declared diff=False in the kind: the header comparison skips it, _midterm compares
# it): its money by MidFunds' keys, its goals under their key, its grid's rows as the year's are.
MIDTERM = TARGET.midterm.alias if TARGET.midterm else "中期"
MID_FUNDS = tuple((attr, info.alias or attr) for attr, info in MidFunds.model_fields.items())
MID_GOALS = MidTerm.model_fields["goals"].alias or "goals"


@dataclass(slots=True)  # thousands per year at scale
class FieldChange:
    field: str
    old: str | None
    new: str | None
    delta: str | None = None  # "+0.62 (+5.97%)" for amounts


@dataclass(slots=True)  # thousands per year at scale
class GoalChange:
    index: int  # 1-based, in the new list (old list for a removed goal)
    kind: Literal["added", "removed", "changed"]
    segments: list[Segment]


@dataclass(slots=True)  # thousands per year at scale
class RowChange:
    kind: Literal["added", "removed", "changed", "moved"]
    name: str
    old_category: tuple[str, str] | None
    new_category: tuple[str, str] | None
    old_value: str | None = None
    new_value: str | None = None
    delta: str | None = None  # "+5 %" where both values parse
    old_note: str | None = None
    new_note: str | None = None
    fields: list[FieldChange] = field(default_factory=list)  # 指标性质, 度量单位, 权重, …: each that changed


@dataclass(slots=True)
class MidTermDiff:
    """What changed in a project's 中期 block; of an added (removed) block, everything it holds,
    as changes from (to) nothing."""

    kind: Literal["added", "removed", "changed"]
    funds: list[FieldChange] = field(default_factory=list)  # 资金总额, 财政拨款, 其他资金 (in 万元)
    goals: list[GoalChange] = field(default_factory=list)  # 中期目标
    rows: list[RowChange] = field(default_factory=list)  # the 中期 grid's rows


@dataclass(slots=True)  # thousands per year at scale
class ProjectDiff:
    status: Literal["added", "removed", "changed", "unchanged"]
    id: str
    name: str
    old_where: str | None = None
    new_where: str | None = None
    old_id: str | None = None  # when paired by name with another id
    header: list[FieldChange] = field(default_factory=list)
    funds: list[FieldChange] = field(default_factory=list)
    goals: list[GoalChange] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    midterm: MidTermDiff | None = None  # None: neither side has a 中期 block, or it did not change

    @property
    def renamed(self) -> bool:
        return any(c.field == "项目名称" for c in self.header)

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


@dataclass
class SiteDiff:
    old_label: str
    new_label: str
    projects: list[ProjectDiff] = field(default_factory=list)

    def of(self, status: str) -> list[ProjectDiff]:
        return [p for p in self.projects if p.status == status]

    @property
    def changed(self) -> bool:
        return any(p.changed for p in self.projects)


def _text(value: object) -> str | None:
    """A value as the report shows it, spelt as the file writes it: 公开日期 as YYYY-MM-DD, an
    amount with its written digits (权重 10.0), a 表样 of its own columns as the flow list
    [三级指标, 指标值, 权重]."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return written_amount(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, list):  # 更正: its entries on one line, as a report's cell holds them
        return "；".join(map(_text, value)) or None  # type: ignore[arg-type]
    if isinstance(value, Correction):
        return f"{value.date.isoformat()} {value.content}（{value.reason}）"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _points_delta(old: object, new: object) -> str | None:
    """The change of points (权重, 分值, 预算执行): a plain difference, "+10" (a percentage of a
    weight would read as a share of the table)."""
    if not (isinstance(old, Decimal) and isinstance(new, Decimal)):
        return None
    delta = new - old
    return ("+" if delta > 0 else "-" if delta < 0 else "") + fmt_amount(abs(delta))


def _field_change(label: str, old: object, new: object, roll: _Rollover) -> FieldChange | None:
    """The change of one header or row field, or None: amounts compare as amounts (10 and 10.0
    are one weight), texts as the rolled-over year allows (``_Rollover``)."""
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        if old == new:
            return None
        return FieldChange(label, _text(old), _text(new), _points_delta(old, new))
    a, b = _text(old), _text(new)
    return None if roll.same(a, b) else FieldChange(label, a, b)


def _amount_delta(old: Decimal | None, new: Decimal | None) -> str | None:
    if old is None or new is None:
        return None
    delta = new - old
    text = ("+" if delta > 0 else "") + fmt_amount(delta) if delta else "0"
    if old:
        pct = (delta / old * 100).quantize(Decimal("0.01"))
        text += f" ({'+' if pct > 0 else ''}{pct}%)"
    return text


def amount_change(label: str, old: Decimal | None, new: Decimal | None) -> FieldChange | None:
    """The change of an amount already in 万元 (资金总额 10.38 → 11: "+0.62 (+5.97%)"), or None."""
    if old == new:
        return None
    return FieldChange(label, None if old is None else written_amount(old),
                       None if new is None else written_amount(new), _amount_delta(old, new))


def value_delta(old: Value, new: Value) -> str | None:
    """The numeric change between two 指标值, where both parse to the same kind of thing."""
    if old.kind == new.kind == "quantity" and old.unit == new.unit and old.number != new.number:
        assert old.number is not None and new.number is not None
        delta = new.number - old.number
        return f"{'+' if delta > 0 else ''}{fmt_amount(delta) if delta > 0 else '-' + fmt_amount(-delta)}" \
               + (f" {old.unit}" if old.unit else "")
    if old.kind == new.kind == "date" and old.date and new.date and old.date != new.date:
        days = (new.date - old.date).days
        return f"{'+' if days > 0 else ''}{days} 天"
    return None


class _Rollover:
    """Between two budget years, "2022年12月31日" in the old table and "2023年12月31日" in the new one
    are the same target carried over, not a change: a text equals another if it does as written or
    with the old year's number replaced by the new one's."""

    def __init__(self, old_year: int, new_year: int) -> None:
        self.pair = (str(old_year), str(new_year)) if old_year != new_year else None

    def same(self, old: str | None, new: str | None) -> bool:
        if old == new:
            return True
        if old is None or new is None or self.pair is None:
            return False
        return old.replace(*self.pair) == new

    def like(self, old: str, news: set[str]) -> str:
        """``old`` spelt the way the new side spells it, if it has an equal there."""
        if self.pair and old not in news and old.replace(*self.pair) in news:
            return old.replace(*self.pair)
        return old


def char_diff(old: str, new: str) -> list[Segment]:
    """Character-level segments; Chinese text has no spaces to split words on."""
    out: list[Segment] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", old[a1:a2]))
        else:
            if a2 > a1:
                out.append(("delete", old[a1:a2]))
            if b2 > b1:
                out.append(("insert", new[b1:b2]))
    return out


def _goals(old: list[str], new: list[str], roll: _Rollover) -> list[GoalChange]:
    changes: list[GoalChange] = []
    news = set(new)
    keyed = [roll.like(g, news) for g in old]
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, keyed, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(a2 - a1, b2 - b1)
        for k in range(paired):
            changes.append(GoalChange(b1 + k + 1, "changed", char_diff(old[a1 + k], new[b1 + k])))
        for k in range(b1 + paired, b2):
            changes.append(GoalChange(k + 1, "added", [("insert", new[k])]))
        for k in range(a1 + paired, a2):
            changes.append(GoalChange(k + 1, "removed", [("delete", old[k])]))
    return changes


def _row_fields(old: Row, new: Row, roll: _Rollover) -> list[FieldChange]:
    """What changed in a row's own columns (指标性质 ≥ → ≤, 权重 10 → 20), in the grid's order."""
    found = (_field_change(c.label, getattr(old, c.attr), getattr(new, c.attr), roll) for c in _ROW_FIELDS)
    return [c for c in found if c is not None]


def pair_rows(olds: list[tuple[tuple[str, str], str]], news: list[tuple[tuple[str, str], str]],
              roll: _Rollover) -> dict[int, int]:
    """Which old row each new row is (new index → old index), from each row's (canonical 一级/二级,
    三级 name): first in the same category, then by name alone (a row moved to another category)."""
    used: set[int] = set()
    pairs: dict[int, int] = {}
    for matcher in (lambda o, n: o[0] == n[0] and roll.same(o[1], n[1]), lambda o, n: roll.same(o[1], n[1])):
        for j, n in enumerate(news):
            if j in pairs:
                continue
            for i, o in enumerate(olds):
                if i not in used and matcher(o, n):
                    pairs[j] = i
                    used.add(i)
                    break
    return pairs


GridRows = Iterable[tuple[str, str, int, Row]]  # (一级, 二级, index, row), as iter_rows gives them


def grid_changes(old_rows: GridRows, new_rows: GridRows, roll: _Rollover) -> list[RowChange]:
    """The changes from one indicator grid to another (a table's, a 中期 block's, a department's)."""
    def listing(rows: GridRows) -> list[tuple[tuple[str, str], tuple[str, str], str, Value, str, Row]]:
        return [((l1, l2), (canonical(l1), canonical(l2)), row.name, row.value, row.note or "", row)
                for l1, l2, _i, row in rows]

    olds, news = listing(old_rows), listing(new_rows)
    pairs = pair_rows([(o[1], o[2]) for o in olds], [(n[1], n[2]) for n in news], roll)
    used = set(pairs.values())
    changes: list[RowChange] = []
    for j, n in enumerate(news):
        if j not in pairs:
            changes.append(RowChange("added", n[2], None, n[0], new_value=n[3].raw, new_note=n[4] or None))
            continue
        o = olds[pairs[j]]
        moved = o[1] != n[1]
        fields = _row_fields(o[5], n[5], roll)
        if not moved and roll.same(o[3].raw, n[3].raw) and roll.same(o[4], n[4]) and not fields:
            continue
        changes.append(RowChange("moved" if moved else "changed", n[2], o[0], n[0], o[3].raw, n[3].raw,
                                 value_delta(o[3], n[3]), o[4] or None, n[4] or None, fields))
    for i, o in enumerate(olds):
        if i not in used:
            changes.append(RowChange("removed", o[2], o[0], None, old_value=o[3].raw, old_note=o[4] or None))
    return changes


def diff_projects(old: Project | None, new: Project | None, old_where: str | None = None,
                  new_where: str | None = None) -> ProjectDiff:
    """The changes from one version of a project's table to the next (either may be absent)."""
    if old is None and new is None:
        raise ValueError("nothing to compare")
    if old is None or new is None:
        p = new or old
        assert p is not None
        return ProjectDiff("added" if old is None else "removed", p.id, p.name, old_where, new_where)
    result = ProjectDiff("unchanged", new.id, new.name, old_where, new_where,
                         old_id=old.id if old.id != new.id else None)
    roll = _Rollover(old.year, new.year)
    for f in _HEADER:
        if f.within_year and old.year != new.year:
            continue
        change = _field_change(f.alias, f.get(old), f.get(new), roll)
        if change is not None:
            result.header.append(change)
    for f in _FUNDS:
        if not f.amount:
            if f.get(old.funds) != f.get(new.funds):
                result.funds.append(FieldChange(f.alias, f.get(old.funds), f.get(new.funds)))
            continue
        change = amount_change(f.alias, old.funds.wan(f.get(old.funds)), new.funds.wan(f.get(new.funds)))
        if change is not None:
            result.funds.append(change)
    result.goals = _goals(old.goals, new.goals, roll)
    result.rows = grid_changes(old.rows(), new.rows(), roll)
    result.midterm = _midterm(old, new, roll)
    if result.old_id or result.header or result.funds or result.goals or result.rows or result.midterm:
        result.status = "changed"
    return result


def _midterm(old: Project, new: Project, roll: _Rollover) -> MidTermDiff | None:
    """The 中期 block's changes: its amounts in 万元 (in the unit of each side's 资金 block), its
    goals and its rows; a block on one side only is compared with an empty one."""
    a, b = old.midterm, new.midterm
    if a is None and b is None:
        return None
    funds = [amount_change(alias, old.funds.wan(getattr(a.funds, attr)) if a else None,
                           new.funds.wan(getattr(b.funds, attr)) if b else None) for attr, alias in MID_FUNDS]
    result = MidTermDiff("added" if a is None else "removed" if b is None else "changed",
                         [c for c in funds if c is not None],
                         _goals(a.goals if a else [], b.goals if b else [], roll),
                         grid_changes(a.rows() if a else (), b.rows() if b else (), roll))
    if result.kind == "changed" and not (result.funds or result.goals or result.rows):
        return None
    return result


class Table(Protocol):
    """What pairing needs of a table (a target table's Project, a self-evaluation's Evaluation)."""

    @property
    def id(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Table)
Located = tuple[T, str]  # a table and where it was read


def pair_tables(olds: list[Located[T]], news: list[Located[T]]) -> list[tuple[Located[T] | None, Located[T] | None]]:
    """(old, new) pairs, either side None for an added or removed table: by id (and year, when
    either side spans several years), then by name (an id that changed)."""
    by_year = len({p.year for p, _ in olds}) > 1 or len({p.year for p, _ in news}) > 1

    def key(p: T) -> tuple:
        return (p.year, p.id) if by_year else (p.id,)

    def name_key(p: T) -> tuple:
        return (p.year, p.name) if by_year else (p.name,)

    old_by_key = {key(p): (p, w) for p, w in olds}
    out: list[tuple[Located[T] | None, Located[T] | None]] = []
    unpaired_new = []
    paired_old: set[tuple] = set()
    for p, w in news:
        match = old_by_key.get(key(p))
        if match is None:
            unpaired_new.append((p, w))
            continue
        paired_old.add(key(p))
        out.append((match, (p, w)))
    old_by_name = {name_key(p): (p, w) for p, w in olds if key(p) not in paired_old}
    for p, w in unpaired_new:
        match = old_by_name.pop(name_key(p), None)
        if match is not None:
            paired_old.add(key(match[0]))
        out.append((match, (p, w)))
    out += [((p, w), None) for p, w in olds if key(p) not in paired_old]
    return out


def diff_snapshots(old: Iterable[tuple[Project, str]], new: Iterable[tuple[Project, str]],
                   old_label: str, new_label: str) -> SiteDiff:
    """Every project's changes, paired as ``pair_tables`` pairs them."""
    out = SiteDiff(old_label, new_label)
    for a, b in pair_tables(list(old), list(new)):
        out.projects.append(diff_projects(a and a[0], b and b[0], a and a[1], b and b[1]))
    out.projects.sort(key=report_order)
    return out


def report_order(d: ProjectDiff) -> tuple[int, str, str]:
    """Removed, added, changed, unchanged; then by name."""
    return ({"removed": 0, "added": 1, "changed": 2, "unchanged": 3}[d.status], d.name, d.id)


# -- output ---------------------------------------------------------------------------------------

_COLORS = {"add": "\033[32m", "del": "\033[31m", "mod": "\033[33m", "head": "\033[1m", "off": "\033[0m"}


def _category(cat: tuple[str, str] | None) -> str:
    return "/".join(cat) if cat else ""


def _paint(text: str, kind: str, color: bool) -> str:
    return f"{_COLORS[kind]}{text}{_COLORS['off']}" if color else text


_STATUS_MARK = {"added": ("+ 新增", "add"), "removed": ("- 删除", "del"), "changed": ("~ 修改", "head")}


def kind_section(title: str, noun: str, measure: str, items: list[Any], label: Callable[[Any], str],
                 lines: Callable[[Any, bool], list[str]], color: bool = False) -> str:
    """A report's section of one further table kind (自评表, 部门整体支出绩效目标表): its counts
    ("新增 2 份自评表 …", ``measure`` the counting word), then each added, removed or changed table
    under its ``label``, a changed one followed by its ``lines``."""
    counts = {s: sum(1 for d in items if d.status == s) for s in ("added", "removed", "changed", "unchanged")}
    out = [_paint(title, "head", color),
           f"新增 {counts['added']} {measure}{noun}，删除 {counts['removed']} {measure}，修改 {counts['changed']} {measure}，"
           f"未变 {counts['unchanged']} {measure} (added, removed, changed, unchanged)"]
    for d in items:
        if d.status in _STATUS_MARK:
            mark, style = _STATUS_MARK[d.status]
            out.append(_paint(f"{mark}{noun} {label(d)}", style, color))
            if d.status == "changed":
                out += lines(d, color)
    return "\n".join(out) + "\n"


def _segments_text(segments: list[Segment], color: bool) -> str:
    parts = []
    for op, text in segments:
        if op == "equal":
            parts.append(text)
        elif op == "delete":
            parts.append(_paint(f"[-{text}-]", "del", color))
        else:
            parts.append(_paint(f"{{+{text}+}}", "add", color))
    return "".join(parts)


def row_line(r: RowChange, color: bool, label: str = "指标") -> str:
    """A row's change as a line; ``label``: what its grid is called (中期指标 for the 中期 grid's)."""
    if r.kind == "added":
        return _paint(f"  + {label} {_category(r.new_category)}/{r.name}: {r.new_value}", "add", color)
    if r.kind == "removed":
        return _paint(f"  - {label} {_category(r.old_category)}/{r.name}: {r.old_value}", "del", color)
    text = f"  ~ {label} {_category(r.new_category)}/{r.name}"
    if r.kind == "moved":
        text = f"  ↪ {label} {r.name}: 从 {_category(r.old_category)} 移到 {_category(r.new_category)}"
    if r.old_value != r.new_value:
        text += f": {r.old_value} → {r.new_value}" + (f"（{r.delta}）" if r.delta else "")
    if r.old_note != r.new_note:
        text += f"；说明: {r.old_note or '（空）'} → {r.new_note or '（空）'}"
    text += "".join(f"；{_change_text(c)}" for c in r.fields)
    return _paint(text, "mod", color)


def _change_text(c: FieldChange) -> str:
    """``权重: 10 → 20（+10）``: a field's change as every text line shows it."""
    return f"{c.field}: {c.old or '（空）'} → {c.new or '（空）'}" + (f"（{c.delta}）" if c.delta else "")


def project_lines(d: ProjectDiff, color: bool = False) -> list[str]:
    """The changes of one project as readable lines (used by the text format and the site)."""
    lines = []
    if d.old_id:
        lines.append(f"  id: {d.old_id} → {d.id}")
    for c in d.header + d.funds:
        lines.append(_paint(f"  {_change_text(c)}", "mod", color))
    lines += goal_lines("年度目标", d.goals, color)
    lines += [row_line(r, color) for r in d.rows]
    if d.midterm is not None:
        lines += midterm_lines(d.midterm, color)
    return lines


KIND_LABELS = {"added": "新增", "removed": "删除", "changed": "修改", "moved": "移动"}


def goal_lines(label: str, goals: list[GoalChange], color: bool = False) -> list[str]:
    """``  年度目标 1（修改）: …``: each goal's change as a line."""
    return [f"  {label} {g.index}（{KIND_LABELS[g.kind]}）: {_segments_text(g.segments, color)}" for g in goals]


def midterm_lines(m: MidTermDiff, color: bool = False) -> list[str]:
    """The 中期 block's changes, each line named 中期…; a block added or removed says so first."""
    lines = [] if m.kind == "changed" else [
        _paint(f"  {'+' if m.kind == 'added' else '-'} {MIDTERM}（{KIND_LABELS[m.kind]}）",
               "add" if m.kind == "added" else "del", color)]
    lines += [_paint(f"  {MIDTERM}/{_change_text(c)}", "mod", color) for c in m.funds]
    lines += goal_lines(MID_GOALS, m.goals, color)
    return lines + [row_line(r, color, f"{MIDTERM}指标") for r in m.rows]


def heading(diff: SiteDiff, color: bool = False) -> str:
    """The report's first line: what is compared with what."""
    return _paint(f"perfsite diff: {diff.old_label} → {diff.new_label}", "head", color)


def to_text(diff: SiteDiff, color: bool = False) -> str:
    out = [heading(diff, color)]
    counts = {s: len(diff.of(s)) for s in ("added", "removed", "changed", "unchanged")}
    out.append(f"新增 {counts['added']} 个项目，删除 {counts['removed']} 个，修改 {counts['changed']} 个，"
               f"未变 {counts['unchanged']} 个 (added, removed, changed, unchanged)")
    for d in diff.projects:
        if d.status == "added":
            out.append(_paint(f"+ 新增项目 {d.name} ({d.id})", "add", color))
        elif d.status == "removed":
            out.append(_paint(f"- 删除项目 {d.name} ({d.id})", "del", color))
        elif d.status == "changed":
            out.append(_paint(f"~ 修改项目 {d.name} ({d.id})", "head", color))
            out += project_lines(d, color)
    return "\n".join(out) + "\n"


def _md(text: str | None) -> str:
    return (text or "（空）").replace("|", "\\|").replace("\n", " ")


def to_markdown(diff: SiteDiff, nothing: str = "没有变化。") -> str:
    """The report as Markdown; ``nothing``: what it says when no project changed."""
    out = [f"# 项目变化：{diff.old_label} → {diff.new_label}", ""]
    for status, title in (("added", "新增项目"), ("removed", "删除项目")):
        items = diff.of(status)
        if items:
            out += [f"## {title}（{len(items)}）", ""] + [f"- {d.name}（`{d.id}`）" for d in items] + [""]
    changed = diff.of("changed")
    if changed:
        out += [f"## 修改项目（{len(changed)}）", ""]
    for d in changed:
        out += [f"### {d.name}（`{d.id}`）", ""]
        if d.header or d.funds or d.old_id:
            out += md_fields(d.header + d.funds, [f"| id | {d.old_id} | {d.id} | |"] if d.old_id else [])
        out += md_goals("年度目标", d.goals, kinds=False)
        if d.rows:
            out += _md_rows(d.rows)
        if d.midterm is not None:
            out += _md_midterm(d.midterm)
    if not diff.changed:
        out.append(nothing)
    return "\n".join(out).rstrip() + "\n"


def md_fields(changes: list[FieldChange], first: Iterable[str] = ()) -> list[str]:
    """Fields' changes as a table (``first``: lines of it before them)."""
    return ["| 字段 | 原值 | 新值 | 变化 |", "|---|---|---|---|", *first,
            *(f"| {c.field} | {_md(c.old)} | {_md(c.new)} | {c.delta or ''} |" for c in changes), ""]


def md_goals(label: str, goals: list[GoalChange], kinds: bool = True) -> list[str]:
    """Goals' changes as a list, deleted text struck through and inserted text bold; ``kinds``:
    each says whether it was added, removed or changed."""
    out = []
    for g in goals:
        text = "".join(t if op == "equal" else (f"~~{t}~~" if op == "delete" else f"**{t}**") for op, t in g.segments)
        out.append(f"- {label} {g.index}" + (f"（{KIND_LABELS[g.kind]}）" if kinds else "") + f"：{text}")
    return out + [""] if out else []


def _md_midterm(m: MidTermDiff) -> list[str]:
    out = [f"**{MIDTERM}**" + ("" if m.kind == "changed" else f"（{KIND_LABELS[m.kind]}）"), ""]
    if m.funds:
        out += md_fields([FieldChange(f"{MIDTERM}/{c.field}", c.old, c.new, c.delta) for c in m.funds])
    out += md_goals(MID_GOALS, m.goals)
    return out + (_md_rows(m.rows) if m.rows else [])


def _md_rows(rows: list[RowChange]) -> list[str]:
    """The rows' table; a 其他栏目 column only where a row's own columns changed (权重 10 → 20),
    so that a classic table's report stays as it was."""
    others = any(r.fields for r in rows)
    out = ["| 变化 | 指标 | 原分类 | 新分类 | 原值 | 新值 | 数值变化 |" + (" 其他栏目 |" if others else ""),
           "|---|---|---|---|---|---|---|" + ("---|" if others else "")]
    for r in rows:
        line = (f"| {KIND_LABELS[r.kind]} | {_md(r.name)} | {_category(r.old_category)} | {_category(r.new_category)} | "
                f"{_md(r.old_value) if r.old_value else ''} | {_md(r.new_value) if r.new_value else ''} | {r.delta or ''} |")
        if others:
            line += f" {'；'.join(_md(_change_text(c)) for c in r.fields)} |"
        out.append(line)
    return out + [""]


def to_data(diff: SiteDiff) -> dict:
    """The diff as the JSON form holds it."""
    data = asdict(diff)
    for p, d in zip(data["projects"], diff.projects):
        p["renamed"] = d.renamed
    return data


def to_json(diff: SiteDiff) -> str:
    return json.dumps(to_data(diff), ensure_ascii=False, indent=2) + "\n"

