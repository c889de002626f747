"""The 部门(单位)整体支出绩效目标表 as types. Keys are the form's labels.

A department's own table (中发〔2018〕34号): what the department as a whole will do with its year's
money, as 年度主要任务 with their budgets, a 年度总体目标 and a grid of 年度绩效指标 in the year's
taxonomy, and (on some forms) its 部门职能概述 and 总体资金情况. It lives beside its year's projects
(``content/<年度>/部门/<名称>.yaml``) and belongs to the department its 部门名称 names, the one
the projects' 主管部门及代码 name, so its page is that department's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Iterator, Literal

from pydantic import AfterValidator, Field, ValidationError

from .diagnostics import Diagnostic, Level
from .model import (GOALS_LIMIT, Amount, Goal, Level2, OptAmount, Percent, Row, Text, Year, _filled, _Strict,
                    diagnostics_from, in_wan, iter_rows, split_department)
from .source import Source

EXPENDITURE = "项目支出"  # the 支出构成 line that holds the projects' money, checked against them


class Task(_Strict):
    """One 年度主要任务: what it is and the money budgeted for it."""

    name: Text = Field(alias="任务名称", description="任务名称，照原表填写")
    content: Annotated[str | None, AfterValidator(_filled)] = Field(
        None, alias="主要内容", description="主要内容（可用 Markdown）")
    total: Amount = Field(alias="总额", description="预算金额：总额")
    fiscal: OptAmount = Field(None, alias="财政拨款", description="预算金额：财政拨款")
    other: OptAmount = Field(None, alias="其他资金", description="预算金额：其他资金（原表空白则留空）")


class Sum(_Strict):
    """金额合计 as the form prints it: the tasks' 总额, 财政拨款 and 其他资金 added up."""

    total: Amount = Field(alias="总额", description="金额合计：总额")
    fiscal: OptAmount = Field(None, alias="财政拨款", description="金额合计：财政拨款")
    other: OptAmount = Field(None, alias="其他资金", description="金额合计：其他资金")


class Share(_Strict):
    """One line of 收入构成 or 支出构成: a source or a use of the money and its 占比."""

    name: Text = Field(alias="名称", description="如 财政拨款收入、基本支出、项目支出")
    amount: Amount = Field(alias="金额", description="金额（单位同本表）")
    share: Percent = Field(None, alias="占比", description="占比（%），如 62.5 或 62.5%；不填则不显示")


Shares = Annotated[list[Share], Field(min_length=1, max_length=50)]


class Composition(_Strict):
    """总体资金情况: where the department's money comes from and what it is spent on."""

    income: Shares | None = Field(None, alias="收入构成", description="收入构成：各项收入及占比")
    income_total: OptAmount = Field(None, alias="收入合计", description="收入合计（可不填：各项之和）")
    spending: Shares | None = Field(None, alias="支出构成", description="支出构成：基本支出、项目支出及占比")
    spending_total: OptAmount = Field(None, alias="支出合计", description="支出合计（可不填：各项之和）")

    def blocks(self) -> Iterator[tuple[str, str, list[Share], Decimal | None]]:
        """(key, total key, lines, stated total) of each block the file gives, income first."""
        for attr, total in (("income", "income_total"), ("spending", "spending_total")):
            lines = getattr(self, attr)
            if lines:
                fields = Composition.model_fields
                yield fields[attr].alias, fields[total].alias, lines, getattr(self, total)  # type: ignore[misc]


Grid = Annotated[dict[Text, Level2], Field(min_length=1)]


def names_department(department: str, code: str | None, name: str) -> bool:
    """Whether a table whose 部门名称 is ``department`` is that of the department projects name so
    (主管部门及代码 split): the same name, and the same code where the table gives one."""
    own_code, own_name = split_department(department)
    return name == own_name and (own_code is None or code == own_code)


class DepartmentTable(_Strict):
    """One 部门(单位)整体支出绩效目标表."""

    year: Year = Field(alias="年度", description="预算年度，须与所在目录 content/<年度>/部门/ 一致")
    department: Text = Field(alias="部门名称", description=(
        "部门(单位)名称，与项目的“主管部门及代码”相同（可带代码前缀，如 219-某某局）"))
    published: dt.date | None = Field(None, alias="公开日期", description="公开日期（YYYY-MM-DD），随部门预算公开")
    note: str | None = Field(None, alias="说明", description="页面上随表显示的说明，如 本表为填写样例")
    duties: Annotated[str | None, AfterValidator(_filled)] = Field(
        None, alias="部门职能概述", description="部门职能概述（可用 Markdown）")
    unit: Literal["万元", "元"] = Field("万元", alias="单位", description="金额单位：万元（默认）或 元")
    composition: Composition | None = Field(None, alias="总体资金情况", description="总体资金情况：收入构成、支出构成")
    tasks: Annotated[list[Task], Field(min_length=1, max_length=200)] = Field(
        alias="年度主要任务", description="年度主要任务：每项写 任务名称、主要内容、总额、财政拨款、其他资金")
    sum: Sum | None = Field(None, alias="金额合计", description="金额合计（可不填：按各任务之和显示）")
    goals: Annotated[list[Goal], Field(min_length=1, max_length=GOALS_LIMIT)] = Field(
        alias="年度总体目标", description="年度总体目标，每项一条，可用 Markdown")
    indicators: Grid = Field(alias="绩效指标", description="年度绩效指标：一级指标 → 二级指标 → 三级指标行")

    @property
    def code(self) -> str | None:
        return split_department(self.department)[0]

    @property
    def name(self) -> str:
        return split_department(self.department)[1]

    def matches(self, code: str | None, name: str) -> bool:
        return names_department(self.department, code, name)

    def wan(self, amount: Decimal | None) -> Decimal | None:
        return in_wan(self.unit, amount)

    def rows(self) -> Iterator[tuple[str, str, int, Row]]:
        return iter_rows(self.indicators)

    def totals(self) -> tuple[Decimal, Decimal | None, Decimal | None]:
        """The tasks' 总额, 财政拨款 and 其他资金 added up (a column all blank is None)."""
        def add(attr: str) -> Decimal | None:
            values = [getattr(t, attr) for t in self.tasks]
            if all(v is None for v in values):
                return None
            return sum((v or Decimal(0) for v in values), Decimal(0))
        return add("total") or Decimal(0), add("fiscal"), add("other")

    def expenditure(self) -> Share | None:
        """The 支出构成 line of the projects' money (项目支出), if the table gives one."""
        lines = (self.composition.spending if self.composition else None) or []
        return next((line for line in lines if EXPENDITURE in line.name), None)


MODELS = [DepartmentTable, Task, Sum, Composition, Share, Row]


def build_department(source: Source) -> tuple[DepartmentTable | None, list[Diagnostic]]:
    """Validate a parsed 部门 file into a :class:`DepartmentTable`, or say why it is not one."""
    if not isinstance(source.data, dict):
        what = "空文件" if source.data is None else "不是“字段: 值”的映射"
        return None, [source.diag((), Level.ERROR, "E006", f"部门整体支出绩效目标表文件{what}",
                                  "文件的顶层是“年度: …”“部门名称: …”“年度主要任务: …”等字段（perfsite new <年度> --department）")]
    try:
        return DepartmentTable.model_validate(source.data), []
    except ValidationError as exc:
        return None, diagnostics_from(exc, source, MODELS)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a 部门 file (for editors)."""
    schema = DepartmentTable.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "部门(单位)整体支出绩效目标表 (perfsite department table)"
    return schema
