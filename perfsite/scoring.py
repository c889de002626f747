"""A self-evaluation read against its target table: each row's target, whether it was met, the
points per category, and the checks of its arithmetic (E090–E097, W090–W097).

What the page, the downloads and the checks show is one ``Scored`` value, made from the two
files and the year's weights, so that the page can never show a target the check did not see.
A self-evaluation is checked in the build that loads it, every time, because half of what it
is checked against (its target table) is another file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from .diagnostics import Diagnostic, Level
from .evaluation import BUDGET, Evaluation, EvalRow, grade
from .model import Dates, Parts, Project, Row, row_path
from .rules import Context, check_taxonomy
from .source import Source
from .taxonomy import Profile, canonical
from .values import fmt_amount, meets, parse, written_amount

_CENT = Decimal("0.01")
COST, OUTPUT = "成本", "产出"  # under the 2021 taxonomy 成本 is a 一级 of its own, scored with 产出 by default


@dataclass(frozen=True)
class ScoredRow:
    """One row of a self-evaluation with its target: as the file states it, else the target table's."""

    level1: str
    level2: str
    index: int
    row: EvalRow
    target: str | None  # 年度指标值 as shown: the file's, else the target table's row's, else None
    stated: bool  # the file gives its own 年度指标值
    planned: Row | None  # the target table's row of the same 一级/二级/三级指标
    met: bool | None  # the actual meets the target (values.meets); None where that cannot be read

    @property
    def docked(self) -> bool:
        """Points were taken off."""
        return self.row.score < self.row.points


@dataclass(frozen=True)
class Category:
    """A 一级 category's points as the form's header row prints them: 产出指标(50分)."""

    name: str  # as the file writes it
    weight_key: str | None  # the key of site.yaml's 自评分值 it is scored under; None: none fits
    points: Decimal
    score: Decimal


@dataclass(frozen=True)
class Scored:
    evaluation: Evaluation
    target: Project | None
    rows: tuple[ScoredRow, ...]
    categories: tuple[Category, ...]
    missing: tuple[tuple[str, str, Row], ...]  # target rows the self-evaluation does not score

    @property
    def department(self) -> str | None:
        return self.evaluation.department or (self.target.department if self.target else None)

    @property
    def implementer(self) -> str | None:
        return self.evaluation.implementer or (self.target.implementer if self.target else None)

    @property
    def expected(self) -> list[str]:
        """预期目标: the file's, else the target table's 年度目标."""
        if self.evaluation.outcome.expected is not None:
            return self.evaluation.outcome.expected
        return list(self.target.goals) if self.target else []

    @property
    def rate(self) -> Decimal | None:
        """The project's 执行率: its 年度资金总额 line's."""
        return self.evaluation.funds.total.shown_rate

    @property
    def grade(self) -> str:
        """自评等级 as stated, else the band its 总分 falls in."""
        return self.evaluation.grade or grade(self.evaluation.total)


def _key(level1: str, level2: str, name: str) -> tuple[str, str, str]:
    return canonical(level1), canonical(level2), " ".join(name.split())


def weight_key(level1: str, profile: Profile, weights: dict[str, Decimal]) -> str | None:
    """The weight a 一级 category is scored under: its own, else 产出's for 成本 (2021 taxonomy)."""
    found = profile.level1(level1) or canonical(level1)
    if found in weights:
        return found
    return OUTPUT if found == COST and OUTPUT in weights else None


def score(evaluation: Evaluation, target: Project | None, profile: Profile, weights: dict[str, Decimal]) -> Scored:
    # A name a target table gives twice (jianzhuye-guanli's 培训指导县级住建主管部门, as published)
    # pairs its rows in order: the first row of that name with the first, the second with the second.
    planned: dict[tuple[str, str, str], list[Row]] = {}
    for l1, l2, _, row in (target.rows() if target else ()):
        planned.setdefault(_key(l1, l2, row.name), []).append(row)
    rows = []
    for level1, level2, index, row in evaluation.rows():
        same = planned.get(_key(level1, level2, row.name))
        plan = same.pop(0) if same else None
        target_text = row.target if row.target is not None else (plan.value_text if plan else None)
        target_value = parse(row.target) if row.target is not None else (plan.value if plan else None)
        met = meets(target_value, row.actual) if target_value is not None else None
        rows.append(ScoredRow(level1, level2, index, row, target_text, row.target is not None, plan, met))
    categories = []
    for level1, groups in evaluation.indicators.items():
        points = sum((r.points for rows_ in groups.values() for r in rows_), Decimal(0))
        scored = sum((r.score for rows_ in groups.values() for r in rows_), Decimal(0))
        categories.append(Category(level1, weight_key(level1, profile, weights), points, scored))
    missing = tuple((l1, l2, row) for l1, l2, _, row in (target.rows() if target else ())
                    if any(row is left for left in planned.get(_key(l1, l2, row.name), ())))
    return Scored(evaluation, target, tuple(rows), tuple(categories), missing)


# The checks ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    scored: Scored
    source: Source
    weights: dict[str, Decimal]

    def error(self, path: tuple, code: str, message: str, hint: str = "", *, key: bool = False) -> Diagnostic:
        return self.source.diag(path, Level.ERROR, code, message, hint, key=key)

    def warning(self, path: tuple, code: str, message: str, hint: str = "", *, key: bool = False) -> Diagnostic:
        return self.source.diag(path, Level.WARNING, code, message, hint, key=key)


def check_rates(c: Check) -> list[Diagnostic]:
    """E090 a stated 执行率 is 全年执行数 / 全年预算数 to 0.01 %."""
    out = []
    for _, label, line in c.scored.evaluation.funds.lines():
        if line is None or line.rate is None:
            continue
        computed = line.computed_rate
        if computed is None:
            if line.budget is None or line.spent is None:
                continue
            out.append(c.error(("项目资金", label, "执行率"), "E090", f"{label}的全年预算数为 0，执行率无从计算",
                               "删去执行率，或填写全年预算数"))
        elif line.rate.quantize(_CENT) != computed:
            out.append(c.error(("项目资金", label, "执行率"), "E090",
                               f"{label}的执行率 {written_amount(line.rate)}% ≠ 全年执行数 {written_amount(line.spent)}"
                               f" / 全年预算数 {written_amount(line.budget)} = {computed}%",
                               f"执行率应为 {computed}%，或删去执行率由 perfsite 计算"))
    return out


def check_scores(c: Check) -> list[Diagnostic]:
    """E091 each 得分 lies between 0 and its 分值."""
    funds, out = c.scored.evaluation.funds, []
    if funds.score > funds.points:
        out.append(c.error(("项目资金", "得分"), "E091", f"预算执行的得分 {written_amount(funds.score)} 超过分值 "
                                                   f"{written_amount(funds.points)}", "得分在 0 到分值之间"))
    for r in c.scored.rows:
        if r.row.score > r.row.points:
            out.append(c.error(row_path(r.level1, r.level2, r.index, "得分"), "E091",
                               f"「{r.row.name}」的得分 {written_amount(r.row.score)} 超过分值 {written_amount(r.row.points)}",
                               "得分在 0 到分值之间"))
    return out


def _weights_text(weights: dict[str, Decimal]) -> str:
    return "、".join(f"{name} {fmt_amount(points)}" for name, points in weights.items())


def check_points(c: Check) -> list[Diagnostic]:
    """E092 the 分值 of 预算执行 and of each 一级 category are the year's weights (site.yaml 自评分值)."""
    weights, funds, out = c.weights, c.scored.evaluation.funds, []
    hint = f"本年度的分值：{_weights_text(weights)}（site.yaml 的“自评分值”可按年度设置）"
    if BUDGET in weights and funds.points != weights[BUDGET]:
        out.append(c.error(("项目资金", "分值"), "E092", f"预算执行的分值 {written_amount(funds.points)} 应为 "
                                                   f"{fmt_amount(weights[BUDGET])}", hint))
    totals: dict[str, tuple[Decimal, str]] = {}
    for category in c.scored.categories:
        if category.weight_key is None:
            out.append(c.error(("绩效指标", category.name), "E092", f"一级指标「{category.name}」在本年度的分值中没有分值",
                               hint, key=True))
            continue
        points, first = totals.get(category.weight_key, (Decimal(0), category.name))
        totals[category.weight_key] = (points + category.points, first)
    for key, points in weights.items():
        if key != BUDGET and key not in totals and points:
            out.append(c.error(("绩效指标",), "E092", f"没有「{key}」类指标：本年度它有 {fmt_amount(points)} 分",
                               f"添加「{key}」下的三级指标；{hint}", key=True))
    for key, (points, first) in totals.items():
        if points != weights[key]:
            together = "（与成本合计）" if key == OUTPUT and any(
                cat.weight_key == OUTPUT and cat.name != first for cat in c.scored.categories) else ""
            out.append(c.error(("绩效指标", first), "E092", f"「{key}」各指标的分值合计 {fmt_amount(points)}{together}，"
                                                        f"应为 {fmt_amount(weights[key])}", hint, key=True))
    return out


def check_total(c: Check) -> list[Diagnostic]:
    """E093 总分 is the sum of every 得分, 预算执行's included."""
    ev = c.scored.evaluation
    expected = ev.funds.score + sum((r.row.score for r in c.scored.rows), Decimal(0))
    if ev.total == expected:
        return []
    return [c.error(("总分",), "E093", f"总分 {written_amount(ev.total)} ≠ 预算执行与各指标得分之和 {fmt_amount(expected)}",
                    f"总分应为 {fmt_amount(expected)}，或改正各项得分")]


def check_header(c: Check) -> list[Diagnostic]:
    """E095 a self-evaluation without a target table names its department and implementer;
    W094 one with a target table names the same project."""
    ev, target = c.scored.evaluation, c.scored.target
    if target is None:
        return [c.error(("id",), "E095", f"{ev.year} 年没有 id 为「{ev.id}」的目标表，自评表须自己写明「{label}」",
                        f"添加“{label}: …”；若有目标表，检查 id 是否与 content/{ev.year}/<id>.yaml 的 id 一致")
                for label, value in (("主管部门及代码", ev.department), ("实施单位", ev.implementer)) if value is None]
    out = []
    if " ".join(ev.name.split()) != " ".join(target.name.split()):
        out.append(c.warning(("项目名称",), "W094", f"项目名称「{ev.name}」与目标表的「{target.name}」不同",
                             "自评表与目标表是同一个项目：改为一致的名称，或检查 id"))
    return out


def check_targets(c: Check) -> list[Diagnostic]:
    """W090 a 年度指标值 the file states differs from its target table's; E097 a row with no
    target at all; W093 a row of one table the other does not have."""
    out, target = [], c.scored.target
    for r in c.scored.rows:
        path = row_path(r.level1, r.level2, r.index)
        if r.stated and r.planned is not None and r.row.target != r.planned.value_text:
            out.append(c.warning(path + ("年度指标值",), "W090", f"「{r.row.name}」的年度指标值「{r.row.target}」与目标表的"
                                                            f"「{r.planned.value_text}」不同",
                                 "删去这一项，由目标表取值；目标确有调整时，在偏差原因中说明"))
        if r.planned is None and target is not None:
            out.append(c.warning(path + ("三级指标",), "W093", f"目标表中没有「{r.level1} / {r.level2} / {r.row.name}」这个指标",
                                 "三级指标的名称和所在的一级、二级指标应与目标表一致"))
        if r.target is None:
            out.append(c.error(path + ("三级指标",), "E097", f"「{r.row.name}」没有年度指标值：目标表中找不到它，自评表也没有写",
                               "写上“年度指标值: …”，或把名称改得与目标表一致"))
    for level1, level2, row in c.scored.missing:
        out.append(c.warning(("绩效指标",), "W093", f"目标表的指标「{level1} / {level2} / {row.name}」（{row.value_text}）没有自评",
                             "每个目标都要自评：添加这一行的实际完成值、分值、得分", key=True))
    return out


def check_met(c: Check) -> list[Diagnostic]:
    """W091 a target not met needs its 偏差原因; W092 a target met with points taken off is flagged."""
    out = []
    for r in c.scored.rows:
        path = row_path(r.level1, r.level2, r.index)
        if r.met is False and not (r.row.reason or "").strip():
            out.append(c.warning(path + ("实际完成值",), "W091", f"「{r.row.name}」实际完成值「{r.row.actual}」未达到"
                                                             f"年度指标值「{r.target}」，却没有写偏差原因",
                                 "添加“偏差原因: …”，写明未完成的原因和改进措施"))
        if r.met is True and r.docked:
            out.append(c.warning(path + ("得分",), "W092", f"「{r.row.name}」已达到年度指标值「{r.target}」（实际"
                                                       f"「{r.row.actual}」），却扣了 {fmt_amount(r.row.points - r.row.score)} 分",
                                 "达到目标应得满分；扣分确有原因时写在偏差原因中"))
    return out


def check_funds(c: Check) -> list[Diagnostic]:
    """W095 each of 年度资金总额's amounts is the sum of its lines', where the lines give any."""
    funds, out = c.scored.evaluation.funds, []
    parts = [(label, line) for attr, label, line in funds.lines() if attr != "total" and line is not None]
    if not parts:
        return out
    for attr, column in (("initial", "年初预算数"), ("budget", "全年预算数"), ("spent", "全年执行数")):
        values = [getattr(line, attr) for _, line in parts]
        stated = getattr(funds.total, attr)
        if stated is None or all(v is None for v in values):
            continue
        expected = sum((v or Decimal(0) for v in values), Decimal(0))
        if stated.quantize(_CENT) != expected.quantize(_CENT):
            terms = " + ".join(f"{label} {written_amount(getattr(line, attr))}" for label, line in parts)
            out.append(c.warning(("项目资金", "年度资金总额", column), "W095",
                                 f"年度资金总额的{column} {written_amount(stated)} ≠ {terms}",
                                 f"应为 {fmt_amount(expected)}（{funds.unit}）；原表如此时照录，并在说明中注明"))
    return out


def check_grade(c: Check) -> list[Diagnostic]:
    """W096 a stated 自评等级 is the band of its 总分 (90 优, 80 良, 60 中)."""
    ev = c.scored.evaluation
    if ev.grade is None or ev.grade == grade(ev.total):
        return []
    return [c.warning(("自评等级",), "W096", f"总分 {written_amount(ev.total)} 的自评等级应为「{grade(ev.total)}」，"
                                          f"这里是「{ev.grade}」", "90 分及以上为优，80–90 良，60–80 中，60 以下差")]


CHECKS: list[Callable[[Check], list[Diagnostic]]] = [
    check_rates, check_scores, check_points, check_total, check_header, check_targets, check_met, check_funds,
    check_grade,
]


def check(scored: Scored, source: Source, profile: Profile, weights: dict[str, Decimal]) -> list[Diagnostic]:
    """Every check of a self-evaluation, the taxonomy of its categories first (as a target table's)."""
    parts = Parts(scored.evaluation.year, None, scored.evaluation.indicators, dates=Dates())  # type: ignore[arg-type]
    found = check_taxonomy(Context(parts, source, profile))
    c = Check(scored, source, weights)
    return found + [d for rule in CHECKS for d in rule(c)]
