"""Consistency rules for one project: one small function per code.

E0xx are errors (nothing is published while one stands); W0xx are warnings (``--strict`` makes them
errors). A rule gets the validated project, its source (for positions) and the year's taxonomy
profile, and returns diagnostics. A new rule is one function added to ``RULES``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, Iterable

from . import disclosure
from .diagnostics import Diagnostic, Level, nearest
from .model import Dates, Parts, row_path
from .source import Source
from .forms import CLASSIC, FORMS, SCORED, columns as form_columns
from .taxonomy import TIMELINESS, Profile, band
from .values import fmt_amount, normalize, parse, written_amount

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Context:
    """What a rule sees: the sections of the project that are valid (others are None)."""

    parts: Parts
    source: Source
    profile: Profile
    site_form: str | tuple[str, ...] = CLASSIC  # the year's 表样 in site.yaml
    # The year's 批复日期, 公开日期 and 公开说明 in site.yaml (blank ones None); None where the site is
    # not known (an import plans files before any site.yaml applies): no date is checked then.
    year_dates: Dates | None = None
    prefix: tuple = ()  # where ``parts`` sits in the file: ("中期",) for a multi-year project's 中期 grid

    @property
    def form(self) -> str | tuple[str, ...]:
        return self.parts.form or self.site_form

    @property
    def form_name(self) -> str:
        return self.form if isinstance(self.form, str) else "、".join(self.form)

    def error(self, path: tuple, code: str, message: str, hint: str = "", *, key: bool = False) -> Diagnostic:
        return self.source.diag(self.prefix + path, Level.ERROR, code, message, hint, key=key)

    def warning(self, path: tuple, code: str, message: str, hint: str = "", *, key: bool = False) -> Diagnostic:
        return self.source.diag(self.prefix + path, Level.WARNING, code, message, hint, key=key)


def _equal(a: Decimal, b: Decimal, unit: str) -> bool:
    if unit == "万元":
        return a.quantize(_CENT) == b.quantize(_CENT)
    return a == b


def _balance(ctx: Context, code: str, whole: tuple[str, str], parts: tuple[tuple[str, str], ...]) -> list[Diagnostic]:
    """One fund equals the sum of others; blank parts count as 0, all blank means "not stated"."""
    funds = ctx.parts.funds
    if funds is None:
        return []
    label, attr = whole
    stated = getattr(funds, attr)
    values = [getattr(funds, a) for _, a in parts]
    if stated is None or all(v is None for v in values):
        return []
    expected = sum((v or Decimal(0) for v in values), Decimal(0))
    if _equal(stated, expected, funds.unit):
        return []
    terms = " + ".join(f"{name} {written_amount(v)}" for (name, _), v in zip(parts, values))
    names = "、".join(name for name, _ in parts)
    return [ctx.error(("资金", label), code, f"{label} {written_amount(stated)} ≠ {terms}",
                      f"{label}应为 {fmt_amount(expected)}（{funds.unit}），或改正{names}")]


def check_total(ctx: Context) -> list[Diagnostic]:
    """E012 资金总额 = 财政拨款 + 其他资金 (budget systems refuse to save otherwise)."""
    return _balance(ctx, "E012", ("资金总额", "total"), (("财政拨款", "fiscal"), ("其他资金", "other")))


def check_fiscal(ctx: Context) -> list[Diagnostic]:
    """E013 财政拨款 = 上级补助 + 本级安排 (budget systems compute it)."""
    return _balance(ctx, "E013", ("财政拨款", "fiscal"), (("上级补助", "upper"), ("本级安排", "local")))


def _guess(name: str, allowed: Iterable[str]) -> str:
    """"；是不是「…」？" naming the allowed category nearest to an unknown one, in its long form
    (数量指标) or its short one (数量), whichever is nearer to what the unit wrote; "" if none is near."""
    close = nearest(name, [form for known in allowed for form in (known, known + "指标")])
    return f"；是不是「{close}」？" if close else ""


def check_taxonomy(ctx: Context) -> list[Diagnostic]:
    """E030–E033: every category known to the year's profile, each 二级 under its own 一级."""
    profile = ctx.profile
    out: list[Diagnostic] = []
    seen1: dict[str, str] = {}
    for level1, groups in (ctx.parts.indicators or {}).items():
        canon1 = profile.level1(level1)
        path1 = ("绩效指标", level1)
        if canon1 is None:
            out.append(ctx.error(path1, "E030",
                                 f"未知的一级指标「{level1}」{_guess(level1, profile.tree)}（{profile.key} 指标体系）",
                                 f"可用的一级指标：{'、'.join(profile.tree)}；"
                                 f"指标体系在 site.yaml 的“指标体系”中按年度设置", key=True))
            continue
        if canon1 in seen1:
            out.append(ctx.error(path1, "E033", f"一级指标「{level1}」与「{seen1[canon1]}」是同一类",
                                 "把两组三级指标合并到同一个一级指标下", key=True))
        seen1[canon1] = level1
        seen2: dict[str, str] = {}
        for level2 in groups:
            path2 = path1 + (level2,)
            canon2 = profile.level2(level2)
            if canon2 is None and profile.level1(level2) is not None:
                top = profile.level1(level2)
                out.append(ctx.error(path2, "E032",
                                     f"在 {profile.key} 指标体系中「{top}」是一级指标，不应放在「{level1}」下",
                                     f"把「{level2}」移到顶层作为一级指标，其下分为 {'、'.join(profile.tree[top])}",
                                     key=True))
            elif canon2 is None:
                out.append(ctx.error(path2, "E031", f"未知的二级指标「{level2}」{_guess(level2, profile.tree[canon1])}"
                                                   f"（在一级指标「{level1}」下）",
                                     f"「{canon1}」下可用的二级指标：{'、'.join(profile.tree[canon1])}", key=True))
            elif profile.parent(canon2) != canon1:
                out.append(ctx.error(path2, "E032",
                                     f"二级指标「{level2}」属于一级指标「{profile.parent(canon2)}」，不应放在「{level1}」下",
                                     f"把「{level2}」及其三级指标移到「{profile.parent(canon2)}」下", key=True))
            elif canon2 in seen2:
                out.append(ctx.error(path2, "E033", f"二级指标「{level2}」与「{seen2[canon2]}」是同一类",
                                     "把两组三级指标合并到同一个二级指标下", key=True))
            else:
                seen2[canon2] = level2
    return out


def check_cost_sum(ctx: Context) -> list[Diagnostic]:
    """W001 the ≤N万元 ceilings of the cost rows add up to 资金总额."""
    parts, profile = ctx.parts, ctx.profile
    if parts.funds is None:
        return []
    ceilings: list[Decimal] = []
    anchor: tuple | None = None
    for level1, level2, _index, row in parts.rows():
        if not profile.is_cost(profile.level1(level1), profile.level2(level2)):
            continue
        anchor = anchor or (("绩效指标", level1, level2) if profile.cost[0] == 2 else ("绩效指标", level1))
        value = row.value
        if value.wan_yuan is not None and value.comparator in (None, "≤", "<", "="):
            ceilings.append(value.wan_yuan)
    if not ceilings or anchor is None:
        return []
    total = parts.funds.wan(parts.funds.total)
    ceiling_sum = sum(ceilings, Decimal(0))
    if total is None or ceiling_sum.quantize(_CENT) == total.quantize(_CENT):
        return []
    return [ctx.warning(anchor, "W001",
                        f"成本指标上限合计 {fmt_amount(ceiling_sum)} 万元（{len(ceilings)} 行）≠ 资金总额 {written_amount(total)} 万元",
                        f"各项成本上限（≤N万元）之和通常等于资金总额 {written_amount(total)}；"
                        "若成本行是单位成本或比例，可忽略此警告", key=True)]


def check_dates(ctx: Context) -> list[Diagnostic]:
    """W002 时效 dates fall within the budget year."""
    parts, profile = ctx.parts, ctx.profile
    out: list[Diagnostic] = []
    if parts.year is None:
        return out
    for level1, level2, index, row in parts.rows():
        if profile.level2(level2) != TIMELINESS:
            continue
        for date in row.value.dates:
            if date.year != parts.year:
                out.append(ctx.warning(row_path(level1, level2, index, "指标值"), "W002",
                                       f"时效日期 {date.isoformat()} 不在预算年度 {parts.year} 年内",
                                       f"完成时限通常是 {parts.year}年12月31日；请核对年份"))
    return out


def check_placeholders(ctx: Context) -> list[Diagnostic]:
    """W003 template placeholders (≥**个) left in by a careless filer."""
    return [ctx.warning(row_path(level1, level2, index, "指标值"), "W003",
                        f"指标值「{row.value_text}」是未填写的模板占位符", "填写实际的目标值")
            for level1, level2, index, row in ctx.parts.rows() if row.value.kind == "placeholder"]


def check_columns(ctx: Context) -> list[Diagnostic]:
    """E035 a row holds a column its form does not show: the page would hide it."""
    shown = set(form_columns(ctx.form))
    out = []
    if ctx.parts.budget_points is not None and not shown & set(SCORED):
        out.append(ctx.error(("预算执行",), "E035", f"本表的表样（{ctx.form_name}）没有权重或分值栏，预算执行的分值不会显示",
                             f"选用有分值的表样{_forms_with('分值')}或有权重的表样{_forms_with('权重')}，或删去“预算执行”", key=True))
    for level1, level2, index, row in ctx.parts.rows():
        for attr, info in type(row).model_fields.items():
            if getattr(row, attr) is not None and info.alias not in shown:
                out.append(ctx.error(row_path(level1, level2, index, info.alias), "E035",
                                     f"「{info.alias}」不在本表的表样（{ctx.form_name}）中，不会显示",
                                     f"在 site.yaml 的“表样”中为这一年选用有此栏的表样{_forms_with(info.alias)}，"
                                     "或在本文件写“表样: [栏目, …]”，或删去这一项", key=True))
    return out


def _forms_with(column: str) -> str:
    names = [name for name, columns in FORMS.items() if column in columns]
    return f"（{'、'.join(names)}）" if names else ""


def check_points(ctx: Context) -> list[Diagnostic]:
    """E014 the rows' 权重 or 分值 (and 预算执行's) add up to 100, every row has one once any
    has; E015 each category's add up to the band its name gives (产出指标(40-50)分)."""
    rows = list(ctx.parts.rows())
    scored = [(l1, l2, i, r) for l1, l2, i, r in rows if r.points is not None]
    if not scored:
        return []
    label = "权重" if any(r.weight is not None for *_, r in scored) else "分值"
    out = [ctx.error(row_path(l1, l2, i), "E014", f"三级指标「{r.name}」没有{label}，本表其他 {len(scored)} 行都有",
                     f"为这一行填写{label}，全表合计 100", key=True)
           for l1, l2, i, r in rows if r.points is None]
    budget = ctx.parts.budget_points or Decimal(0)
    total = sum((r.points for *_, r in scored), Decimal(0)) + budget
    if total != 100:
        also = f"（含预算执行 {written_amount(budget)}）" if budget else ""
        out.append(ctx.error(("绩效指标",), "E014", f"{label}合计 {fmt_amount(total)}{also} ≠ 100",
                             f"各行{label}与预算执行的分值合计应为 100；请核对各行", key=True))
    for level1, groups in (ctx.parts.indicators or {}).items():
        out += _band(ctx, ("绩效指标", level1), level1, [r for items in groups.values() for r in items], label)
        for level2, items in groups.items():
            out += _band(ctx, ("绩效指标", level1, level2), level2, items, label)
    return out


def _band(ctx: Context, path: tuple, name: str, rows: list, label: str) -> list[Diagnostic]:
    found = band(name)
    if found is None:
        return []
    low, high = found
    points = sum((r.points or Decimal(0) for r in rows), Decimal(0))
    if low <= points <= high:
        return []
    wanted = written_amount(low) if low == high else f"{written_amount(low)}–{written_amount(high)}"
    return [ctx.error(path, "E015", f"「{name}」的{label}合计 {fmt_amount(points)}，不在 {wanted} 分之内",
                      f"调整这一类各行的{label}，或改正类别名中的分值", key=True)]


def check_nature(ctx: Context) -> list[Diagnostic]:
    """E016 指标性质 agrees with the comparator 指标值 gives; E017 a 定性 row has no 度量单位;
    E018 a 度量单位 the value's own unit contradicts."""
    out = []
    for level1, level2, index, row in ctx.parts.rows():
        own = parse(row.value_text)
        at = row_path(level1, level2, index, "指标性质")
        if row.nature == "定性" and own.comparator:
            out.append(ctx.error(at, "E016", f"指标性质为定性，指标值「{row.value_text}」却带比较符 {own.comparator}",
                                 "定量指标写比较符（≥ ≤ =），定性指标的指标值写文字"))
        elif row.nature and own.comparator and row.nature != own.comparator:
            out.append(ctx.error(at, "E016", f"指标性质「{row.nature}」与指标值「{row.value_text}」的比较符 {own.comparator} 不一致",
                                 "改正其中一个；一体化表样中指标值只写数字"))
        if row.nature == "定性" and row.unit:
            out.append(ctx.error(row_path(level1, level2, index, "度量单位"), "E017",
                                 f"定性指标不应有度量单位「{row.unit}」", "删去度量单位，或把指标性质改为 ≥ ≤ ="))
        if row.unit and own.unit and normalize(row.unit).strip() != normalize(own.unit):
            out.append(ctx.error(row_path(level1, level2, index, "度量单位"), "E018",
                                 f"度量单位「{row.unit}」与指标值「{row.value_text}」中的单位 {own.unit} 不一致",
                                 "改正其中一个；一体化表样中指标值只写数字，单位写在度量单位栏"))
    return out


def check_core(ctx: Context) -> list[Diagnostic]:
    """W004 a form with a 核心指标 column marks at least one row ★."""
    if "核心指标" not in form_columns(ctx.form) or ctx.parts.indicators is None:
        return []
    if any(row.core for *_, row in ctx.parts.rows()):
        return []
    return [ctx.warning(("绩效指标",), "W004", "本表的表样有“核心指标”栏，但没有一行标出 ★",
                        "按模板要求为核心绩效指标标出 ★（三颗星为必填的核心指标）", key=True)]

def check_disclosure(ctx: Context) -> list[Diagnostic]:
    """E036, W012, W013 (disclosure.problems) on the file's dates over its year's, at the date the
    file gives. Where both dates are the year's, site.yaml has the problem, reported there once."""
    own, year = ctx.parts.dates or Dates(), ctx.year_dates
    given = [key for key, date in (("公开日期", own.published), ("批复日期", own.approved)) if date is not None]
    if year is None or (not given and year.approved is not None and year.published is not None):
        return []
    return [ctx.source.diag((next((k for k in (found.on, *given) if k in given), "年度"),), found.level, found.code,
                            found.message, found.hint, key=True)
            for found in disclosure.problems(own.over(year))]


def check_corrections(ctx: Context) -> list[Diagnostic]:
    """E038 更正 entries out of date order (each one's earlier version is found by its place in
    the list); E039 a 更正 dated before the table's 公开日期, its own else its year's (nothing was
    public to correct)."""
    parts, out = ctx.parts, []
    published = (parts.dates or Dates()).over(ctx.year_dates).published
    for index, entry in enumerate(parts.corrections):
        path = ("更正", index, "日期")
        if index and entry.date < parts.corrections[index - 1].date:
            out.append(ctx.error(path, "E038", f"更正日期 {entry.date.isoformat()} 早于上一条更正的日期 "
                                               f"{parts.corrections[index - 1].date.isoformat()}：更正须按日期先后排列",
                                 "把新的更正写在列表末尾，按日期从早到晚排列"))
        if published is not None and entry.date < published:
            out.append(ctx.error(path, "E039", f"更正日期 {entry.date.isoformat()} 早于公开日期 "
                                               f"{published.isoformat()}：表格公开之前无所谓更正",
                                 "核对更正日期与公开日期；公开前的修改直接改表，不写更正"))
    return out


_YEARS_RE = re.compile(r"(?<!\d)((?:19|20|21)\d\d)(?!\d)")


def period_years(period: str | None) -> tuple[int, int] | None:
    """The first and last year a 项目期 names ("2022年—2024年", "2022-2024"); None where it names
    no span of years ("三年", "一年")."""
    years = [int(y) for y in _YEARS_RE.findall(unicodedata.normalize("NFKC", period or ""))]
    return (min(years), max(years)) if len(years) >= 2 else None


def check_midterm(ctx: Context) -> list[Diagnostic]:
    """E110 中期资金总额 = 财政拨款 + 其他资金; E111 中期资金总额 ≥ 年度资金总额 (the year's money
    is part of the whole 项目期's); W110 项目期 covers the budget year; W111 a 中期 block
    with a 项目期 that names no years; then the 中期 grid's own rules (MIDTERM_RULES)."""
    parts, mid = ctx.parts, ctx.parts.midterm
    if mid is None:
        return []
    out: list[Diagnostic] = []
    unit = parts.funds.unit if parts.funds is not None else "万元"
    fiscal, other = mid.funds.fiscal, mid.funds.other
    if fiscal is not None or other is not None:
        expected = (fiscal or Decimal(0)) + (other or Decimal(0))
        if not _equal(mid.funds.total, expected, unit):
            out.append(ctx.error(("中期", "资金", "资金总额"), "E110",
                                 f"中期资金总额 {written_amount(mid.funds.total)} ≠ 财政拨款 {written_amount(fiscal)} + 其他资金 {written_amount(other)}",
                                 f"中期资金总额应为 {fmt_amount(expected)}（{unit}），或改正财政拨款、其他资金"))
    if parts.funds is not None and mid.funds.total.quantize(_CENT) < parts.funds.total.quantize(_CENT):
        out.append(ctx.error(("中期", "资金", "资金总额"), "E111",
                             f"中期资金总额 {written_amount(mid.funds.total)} 少于年度资金总额 {written_amount(parts.funds.total)}（{unit}）",
                             "中期资金总额是整个项目期的资金，含本年度的：核对两个金额（单位相同）"))
    span = period_years(parts.period)
    if span is None:
        out.append(ctx.warning(("项目期",) if parts.period else ("中期",), "W111",
                               f"多年项目的项目期「{parts.period}」没有写明起止年度" if parts.period
                               else "有“中期”的项目没有写项目期",
                               "写明项目期的起止年度，如“项目期: 2022年—2024年”", key=not parts.period))
    elif parts.year is not None and not span[0] <= parts.year <= span[1]:
        out.append(ctx.warning(("项目期",), "W110", f"项目期 {span[0]}—{span[1]} 年不含预算年度 {parts.year} 年",
                               "核对项目期与年度：多年项目每一年的表都在它的项目期之内"))
    inner = replace(ctx, parts=Parts(parts.year, None, mid.indicators, parts.form), prefix=("中期",))
    return out + [d for rule in MIDTERM_RULES for d in rule(inner)]


# What a grid of its own is checked for: a 中期 grid, a department's (department_rules.py).
GRID_RULES: list[Callable[[Context], list[Diagnostic]]] = [check_taxonomy, check_placeholders, check_columns, check_nature]
MIDTERM_RULES = GRID_RULES  # its 时效 dates fall in the 项目期, not the year: W002 is not one of them

RULES: list[Callable[[Context], list[Diagnostic]]] = [
    check_total, check_fiscal, check_taxonomy, check_cost_sum, check_dates, check_placeholders,
    check_columns, check_points, check_nature, check_core, check_disclosure, check_corrections, check_midterm,
]


def check(parts: Parts, source: Source, profile: Profile, form: str | tuple[str, ...] = CLASSIC,
          year_dates: Dates | None = None) -> list[Diagnostic]:
    ctx = Context(parts, source, profile, form, year_dates)
    return [d for rule in RULES for d in rule(ctx)]
