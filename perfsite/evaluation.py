"""The 项目支出绩效自评表 as types: Evaluation, its fund lines, its rows. Keys are the form's labels.

A self-evaluation is the year-end half of a project's table (财预〔2020〕10号): the same project's
targets, each beside what was achieved and the points it earned. It lives beside its year's
targets (``content/<年度>/自评/<id>.yaml``) and is linked to its target table by id, so what the
target table already says (年度指标值, 预期目标, 主管部门) is taken from there, not typed again.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Iterator, Literal

from pydantic import AfterValidator, Field, ValidationError

from .diagnostics import Diagnostic, Level
from .model import (GOALS_LIMIT, Amount, Goal, OptAmount, Percent, ProjectId, Text, Year, _filled, _Strict,
                    diagnostics_from, iter_rows)
from .source import Source

BUDGET = "预算执行"  # the points of the fund block, beside the grid's categories (site.yaml's 自评分值)
RATE_STEP = Decimal("0.01")  # 执行率 is published in percent to two decimals: 98.27%
# 财预〔2020〕10号's points: 预算执行 and each 一级 category (local rules differ: site.yaml 自评分值).
DEFAULT_WEIGHTS = {BUDGET: Decimal(10), "产出": Decimal(50), "效益": Decimal(30), "满意度": Decimal(10)}
GRADES = (("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)), ("差", Decimal(0)))  # 财预〔2020〕10号


def rate(budget: Decimal | None, spent: Decimal | None) -> Decimal | None:
    """执行率 in percent, to 0.01: 全年执行数 / 全年预算数; None where it is not defined."""
    if budget is None or spent is None or budget == 0:
        return None
    return (spent * 100 / budget).quantize(RATE_STEP, ROUND_HALF_UP)


def grade(total: Decimal) -> str:
    """The 自评等级 a 总分 falls in: 90 and above 优, 80 良, 60 中, below 差."""
    return next(name for name, low in GRADES if total >= low)


Rate = Percent  # 执行率


class FundLine(_Strict):
    """One line of 项目资金: what was budgeted at the start of the year, over the whole year, and spent."""

    initial: OptAmount = Field(None, alias="年初预算数", description="年初预算数（原表空白则留空）")
    budget: OptAmount = Field(None, alias="全年预算数", description="全年预算数（调整后）")
    spent: OptAmount = Field(None, alias="全年执行数", description="全年执行数")
    rate: Rate = Field(None, alias="执行率", description="执行率（%），可不填：按 全年执行数 / 全年预算数 计算")

    @property
    def computed_rate(self) -> Decimal | None:
        return rate(self.budget, self.spent)

    @property
    def shown_rate(self) -> Decimal | None:
        """The 执行率 the form prints: as the file gives it, else computed."""
        return self.rate if self.rate is not None else self.computed_rate


class EvalFunds(_Strict):
    """项目资金（万元）: the four lines, and the points 预算执行 is worth and earned."""

    unit: Literal["万元", "元"] = Field("万元", alias="单位", description="金额单位：万元（默认）或 元")
    total: FundLine = Field(alias="年度资金总额", description="年度资金总额：年初预算数、全年预算数、全年执行数")
    fiscal: FundLine | None = Field(None, alias="当年财政拨款", description="其中：当年财政拨款")
    carried: FundLine | None = Field(None, alias="上年结转资金", description="上年结转资金")
    other: FundLine | None = Field(None, alias="其他资金", description="其他资金")
    points: Amount = Field(alias="分值", description="预算执行的分值（通常 10）")
    score: Amount = Field(alias="得分", description="预算执行的得分")

    def lines(self) -> Iterator[tuple[str, str, FundLine | None]]:
        """(attr, label, line) of the four lines in the form's order."""
        for attr in ("total", "fiscal", "carried", "other"):
            info = EvalFunds.model_fields[attr]
            yield attr, info.alias or attr, getattr(self, attr)


class EvalRow(_Strict):
    """One 三级指标 of the self-evaluation: its target (from the target table unless given), what
    was achieved, its points and score, and why it fell short."""

    name: Text = Field(alias="三级指标", description="三级指标名称，与目标表一致")
    target: Annotated[str | None, AfterValidator(_filled)] = Field(
        None, alias="年度指标值", description="年度指标值；不填则取目标表中同名指标的指标值")
    actual: Text = Field(alias="实际完成值", description="实际完成值，如 98%、2022年12月20日、10.2万元")
    points: Amount = Field(alias="分值", description="这一指标的分值")
    score: Amount = Field(alias="得分", description="这一指标的得分（0 到分值之间）")
    reason: Annotated[str | None, AfterValidator(_filled)] = Field(
        None, alias="偏差原因", description="偏差原因分析及改进措施（未达到指标值时须填写）")


Grid = Annotated[dict[Text, Annotated[dict[Text, Annotated[list[EvalRow], Field(min_length=1)]], Field(min_length=1)]],
                 Field(min_length=1)]


class Outcome(_Strict):
    """年度总体目标: 预期目标 (from the target table's 年度目标 unless given) against 实际完成情况."""

    expected: Annotated[list[Goal], Field(max_length=GOALS_LIMIT)] | None = Field(
        None, alias="预期目标", description="预期目标；不填则取目标表的年度目标")
    achieved: Annotated[list[Goal], Field(min_length=1, max_length=GOALS_LIMIT)] = Field(
        alias="实际完成情况", description="实际完成情况，每项一条，可用 Markdown")


class Evaluation(_Strict):
    """One 项目支出绩效自评表."""

    id: ProjectId = Field(description="项目标识：与目标表的 id 相同（content/<年度>/<id>.yaml）")
    year: Year = Field(alias="年度", description="预算年度，须与所在目录 content/<年度>/自评/ 一致")
    name: Text = Field(alias="项目名称")
    department: Annotated[str | None, AfterValidator(_filled)] = Field(
        None, alias="主管部门及代码", description="主管部门；不填则取目标表的（没有目标表时必填）")
    implementer: Annotated[str | None, AfterValidator(_filled)] = Field(
        None, alias="实施单位", description="实施单位；不填则取目标表的（没有目标表时必填）")
    contact: str | None = Field(None, alias="联系人")
    phone: str | None = Field(None, alias="联系电话")
    published: dt.date | None = Field(None, alias="公开日期", description="自评表的公开日期（YYYY-MM-DD），通常随决算公开")
    note: str | None = Field(None, alias="说明", description="页面上随表显示的说明，如 本表为填写样例")
    funds: EvalFunds = Field(alias="项目资金")
    outcome: Outcome = Field(alias="年度总体目标")
    indicators: Grid = Field(alias="绩效指标", description="一级指标 → 二级指标 → 三级指标行（三级指标、实际完成值、分值、得分）")
    total: Amount = Field(alias="总分", description="总分：预算执行与各指标得分之和")
    grade: Literal["优", "良", "中", "差"] | None = Field(None, alias="自评等级", description="自评等级：优 良 中 差")

    def rows(self) -> Iterator[tuple[str, str, int, EvalRow]]:
        """(一级, 二级, index within 二级, row) in table order."""
        return iter_rows(self.indicators)


def build_evaluation(source: Source) -> tuple[Evaluation | None, list[Diagnostic]]:
    """Validate a parsed 自评 file into an :class:`Evaluation`, or say why it is not one."""
    if not isinstance(source.data, dict):
        what = "空文件" if source.data is None else "不是“字段: 值”的映射"
        return None, [source.diag((), Level.ERROR, "E006", f"自评文件{what}",
                                  "自评文件的顶层是“id: …”“项目名称: …”等字段（perfsite new <年度> --self-evaluation <id>）")]
    try:
        return Evaluation.model_validate(source.data), []
    except ValidationError as exc:
        return None, diagnostics_from(exc, source, [Evaluation, EvalFunds, FundLine, Outcome, EvalRow])


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a 自评 file (for editors)."""
    schema = Evaluation.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "项目支出绩效自评表 (perfsite self-evaluation)"
    return schema
