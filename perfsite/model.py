"""The table as types: Project, Funds, Row. Keys are the form's Chinese labels.

Built with pydantic so that one declaration gives three things: validation of the YAML tree (each
error's location is the YAML path, so it maps onto ``file:line:col``), typed objects for the rest
of the pipeline, and the JSON Schema that editors use for completion and inline errors.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Iterator, Literal, NamedTuple, TypeVar

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter,
                      ValidationError, WithJsonSchema)
from pydantic_core import PydanticCustomError

from .diagnostics import Diagnostic, Level, nearest
from .forms import FORMS, problem as form_problem
from .source import NodePath, Source
from .values import Value, combined, parse

_AMOUNT_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DEPT_CODE_RE = re.compile(r"^\s*(\d{2,})\s*[-－—_ ]\s*(.+)$")


def split_department(text: str) -> tuple[str | None, str]:
    """主管部门及代码 as (code, name): "219-某某局" → ("219", "某某局"); without a code (None, text)."""
    match = _DEPT_CODE_RE.match(text)
    return (match[1], match[2].strip()) if match else (None, text.strip())


# What ``perfsite new`` writes where only the filer knows what to write, by role, each with the
# hint that says what goes there. scaffold.py writes these and validation refuses each one left
# in (E029), as it refuses a blank: an unfilled scaffold is never published.
PLACEHOLDERS = {
    "department": ("（填写主管部门）", "写上主管部门，可带代码前缀，如 219-某某局"),
    "implementer": ("（填写实施单位）", "写上实施这个项目的单位"),
    "goal": ("（填写年度目标）", "写上这一条年度目标；有几条写几条"),
    "midterm_goal": ("（填写中期目标）", "写上多年项目整个项目期的这一条中期目标；有几条写几条"),
    # perfsite new YEAR --department: a 部门整体支出绩效目标表's own texts (department.py)
    "department_goal": ("（填写年度总体目标）", "写上部门本年度的这一条总体目标；有几条写几条"),
    "task": ("（填写任务名称）", "写上年度主要任务的名称；预算金额写在它的总额、财政拨款、其他资金中"),
    "name": ("（填写指标名称）", "写上三级指标的名称，如 公共环境卫生清洁次数；不需要的行整行删除"),
    "value": ("（填写数值）", "写上目标值，如 ≥90%、≤10.38万元、每周≥7次"),
    "amount": ("（填写金额）", "写上金额数字（单位见“单位”）；原表空白则留空，原表是 0 则写 0"),
    # the columns of the 一体化 and 评审 forms (issue 19) that only the filer knows
    "unit": ("（填写单位）", "写上度量单位，如 个、公里、人次；没有单位则删去这一项"),
    "points": ("（填写分值）", "写上这一行的权重（分值），数字；各行与预算执行合计 100"),
    # perfsite new YEAR --self-evaluation ID: what only the unit knows after the year (evaluation.py)
    "actual": ("（填写实际完成值）", "写上这一指标的实际完成值，如 每周7次、98%、2022年12月20日、10.2万元"),
    "score": ("（填写得分）", "写上得分，0 到分值之间的数字；总分是预算执行与各指标得分之和"),
    "achieved": ("（填写实际完成情况）", "对照预期目标（目标表的年度目标）写上实际完成了什么；有几条写几条"),
    # perfsite import --draft: a table not every cell of which found its field (importers/text.py)
    "draft": ("（导入草稿）", "这是 perfsite import --draft 写的草稿：按文件中每条“# 导入提示”把原表的单元格"
                         "放到该放的字段，然后删去项目名称前的“（导入草稿）”"),
}


def _unfilled(value: str) -> None:
    for text, hint in PLACEHOLDERS.values():
        if text in value:
            raise PydanticCustomError("unfilled", "{text}", {"text": text, "hint": hint})


def _amount(value: Any) -> Any:
    """An exact decimal from what staff typed: '10.38', '1,234.5', full-width digits. Never a float."""
    if isinstance(value, Decimal) or value is None:
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("amount_type", "应为金额数字")
    _unfilled(value)
    text = unicodedata.normalize("NFKC", value).strip()
    if _THOUSANDS_RE.match(text):
        text = text.replace(",", "")
    if not _AMOUNT_RE.match(text):
        raise PydanticCustomError("amount", "「{input}」不是金额数字", {"input": value})
    amount = Decimal(text)
    if amount < 0:
        raise PydanticCustomError("amount_negative", "金额不能为负数：{input}", {"input": value})
    if amount.adjusted() >= 12:
        raise PydanticCustomError("amount_range", "金额过大：{input}", {"input": value})
    return amount


def _filled(value: str | None) -> str | None:
    """An optional text that may not be a placeholder ``new`` left (a blank one is no value)."""
    if value is not None:
        _unfilled(value)
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "不能为空")
    _unfilled(value)
    return value


def _year(value: Any) -> Any:
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not re.fullmatch(r"\d{4}", text):
            raise PydanticCustomError("year", "「{input}」不是四位数的年份", {"input": value})
        return int(text)
    return value


_AMOUNT_SCHEMA = {"type": ["number", "string"], "pattern": r"^\d+(\.\d+)?$", "minimum": 0}
Amount = Annotated[Decimal, BeforeValidator(_amount), WithJsonSchema(_AMOUNT_SCHEMA)]
OptAmount = Annotated[Decimal | None, BeforeValidator(_amount),
                      WithJsonSchema({"anyOf": [_AMOUNT_SCHEMA, {"type": "null"}]})]
Text = Annotated[str, AfterValidator(_text)]


def _percent(value: Any) -> Any:
    """A percentage as units write it: 98.27, '98.27%', '98.27％' (执行率, 占比)."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%").removesuffix("％").strip()
    return value


Percent = Annotated[OptAmount, BeforeValidator(_percent)]
GOAL_LIMIT = 2000  # characters in one goal (real ones are a few hundred): Markdown's work is bounded by it
GOALS_LIMIT = 50  # goals in one table


def _goal(value: str) -> str:
    if len(value) > GOAL_LIMIT:
        raise PydanticCustomError("goal_long", "一条年度目标最多 {limit} 字，这一条有 {n} 字",
                                  {"limit": GOAL_LIMIT, "n": len(value)})
    return value


Goal = Annotated[str, AfterValidator(_text), AfterValidator(_goal)]
YEARS = range(1990, 2101)  # the budget years a table can be of (performance targets began in the 2000s)
Year = Annotated[int, BeforeValidator(_year), Field(ge=YEARS[0], le=YEARS[-1]),
                 WithJsonSchema({"type": ["integer", "string"], "minimum": YEARS[0], "maximum": YEARS[-1]})]
# A year folder's own files (site.py names them), which a project's {id}.html/.json/.csv would
# overwrite: 2022/index.html, changes.html, datapackage.json, indicators.csv.
RESERVED_IDS = ("index", "changes", "datapackage", "indicators")


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise PydanticCustomError("reserved_id", "「{input}」是年度页面自用的文件名", {"input": value})
    return value


ProjectId = Annotated[str, Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"), AfterValidator(_not_reserved),
                      WithJsonSchema({"type": "string", "pattern": r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
                                      "not": {"enum": list(RESERVED_IDS)}})]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False,
                              ignored_types=(cached_property,))


# How units write a row's 指标性质 (the comparator column of 一体化 exports), and 指标方向.
_NATURES = {"≥": "≥", ">=": "≥", "大于等于": "≥", "≤": "≤", "<=": "≤", "小于等于": "≤", "=": "=", "等于": "=",
            ">": ">", "大于": ">", "<": "<", "小于": "<", "定性": "定性", "定性指标": "定性"}
_DIRECTIONS = {"正向": "正向", "正向指标": "正向", "反向": "反向", "反向指标": "反向"}


def _spelled(table: dict[str, str], kind: str) -> Any:
    def read(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        if text not in table:
            raise PydanticCustomError(kind, "「{input}」无效，只能是 {allowed}",
                                      {"input": value, "allowed": "、".join(dict.fromkeys(table.values()))})
        return table[text]
    return BeforeValidator(read)


def _core(value: Any) -> Any:
    """★ marks as templates print them (★, ★★★), or their count."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3:
        return "★" * value
    if isinstance(value, str) and re.fullmatch(r"★{1,3}", value.strip()):
        return value.strip()
    raise PydanticCustomError("core", "「{input}」无效：核心指标写 ★、★★ 或 ★★★（或 1–3）", {"input": value})


def _form(value: Any) -> Any:
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, (str, tuple)) and all(isinstance(c, str) for c in (value if isinstance(value, tuple) else ())):
        why = form_problem(value, ROW_COLUMNS)
        if why is None:
            return value
        raise PydanticCustomError("form", "{why}", {"why": why})
    raise PydanticCustomError("form", "表样写表样名称（{names}），或栏目列表", {"names": "、".join(FORMS)})


FormSpec = Annotated[str | tuple[str, ...], BeforeValidator(_form),
                     WithJsonSchema({"anyOf": [{"enum": list(FORMS)}, {"type": "array", "items": {"type": "string"}}]})]


class Row(_Strict):
    """One 三级指标 row. ``指标值`` is kept exactly as published; ``value`` is derived from it, and
    from 指标性质 and 度量单位 where the form splits them into columns of their own."""

    name: Text = Field(alias="三级指标", description="三级指标名称，照原表填写")
    nature: Annotated[Literal["≥", "≤", "=", ">", "<", "定性"] | None, _spelled(_NATURES, "nature")] = Field(
        None, alias="指标性质", description="指标性质（比较符）：≥ ≤ = > < 或 定性；一体化表样中与指标值分栏")
    value_text: Text = Field(
        alias="指标值", description="指标值原文，如 ≥90%、2022年12月31日、≤10.38万元；系统自动识别比较符、数字、单位和日期")
    unit: Annotated[str | None, AfterValidator(_filled)] = Field(None, alias="度量单位", description="度量单位，如 %、万元、个；一体化表样中与指标值分栏")
    weight: OptAmount = Field(None, alias="权重", description="权重（全表合计 100，或与预算执行合计 100）")
    score: OptAmount = Field(None, alias="分值", description="分值（全表合计 100，或与预算执行合计 100）")
    direction: Annotated[Literal["正向", "反向"] | None, _spelled(_DIRECTIONS, "direction")] = Field(
        None, alias="指标方向", description="指标方向：正向 或 反向")
    explanation: str | None = Field(None, alias="指标解释", description="指标解释")
    basis: str | None = Field(None, alias="取值依据", description="取值依据，如 计划标准、行业标准、历史标准")
    core: Annotated[str | None, BeforeValidator(lambda v: None if v is None else _core(v))] = Field(
        None, alias="核心指标", description="核心指标标记：★、★★ 或 ★★★")
    note: str | None = Field(None, alias="说明", description="说明（可空）")

    @property
    def value(self) -> Value:
        return combined(parse(self.value_text), self.nature, self.unit)

    @property
    def points(self) -> Decimal | None:
        """What this row counts toward the table's 100: its 权重, else its 分值."""
        return self.weight if self.weight is not None else self.score


ROW_COLUMNS = tuple(info.alias or name for name, info in Row.model_fields.items())  # a row's keys, in order
Level2 = Annotated[dict[Text, Annotated[list[Row], Field(min_length=1)]], Field(min_length=1)]


class Funds(_Strict):
    """The fund block; amounts as exact decimals in ``单位`` (万元 unless the source says 元)."""

    unit: Literal["万元", "元"] = Field("万元", alias="单位", description="金额单位：万元（默认）或 元")
    source: str | None = Field(None, alias="资金来源", description="资金来源，照原表填写，如 财政资金")
    total: Amount = Field(alias="资金总额", description="年度资金总额")
    fiscal: OptAmount = Field(None, alias="财政拨款", description="财政拨款")
    upper: OptAmount = Field(None, alias="上级补助", description="其中：上级补助（原表空白则留空）")
    local: OptAmount = Field(None, alias="本级安排", description="其中：本级安排")
    other: OptAmount = Field(None, alias="其他资金", description="其他资金（原表空白则留空）")

    def wan(self, amount: Decimal | None) -> Decimal | None:
        """An amount of this block in 万元."""
        return in_wan(self.unit, amount)


def in_wan(unit: str, amount: Decimal | None) -> Decimal | None:
    """An amount of a fund block written in ``unit`` (万元 or 元), in 万元: any table's fund block."""
    if amount is None or unit == "万元":
        return amount
    return (amount / 10000).normalize() if amount else amount


class MidFunds(_Strict):
    """中期资金总额 of a multi-year project, in the 单位 of its 资金 block: the whole 项目期's money."""

    total: Amount = Field(alias="资金总额", description="中期资金总额（整个项目期）")
    fiscal: OptAmount = Field(None, alias="财政拨款", description="其中：财政拨款")
    other: OptAmount = Field(None, alias="其他资金", description="其他资金（原表空白则留空）")


class MidTerm(_Strict):
    """The 中期 half of a multi-year project's table (财预〔2015〕88号): the money, goals and
    indicators of the whole 项目期, beside the year's in the rest of the file."""

    funds: MidFunds = Field(alias="资金", description="中期资金总额及其中的财政拨款、其他资金（单位同年度资金）")
    goals: Annotated[list[Goal], Field(min_length=1, max_length=GOALS_LIMIT)] = Field(
        alias="中期目标", description="中期目标（整个项目期），每项一条，可用 Markdown")
    indicators: Annotated[dict[Text, Level2], Field(min_length=1)] = Field(
        alias="绩效指标", description="中期绩效指标：一级指标 → 二级指标 → 三级指标行")

    def rows(self) -> Iterator[tuple[str, str, int, Row]]:
        return iter_rows(self.indicators)


class Correction(_Strict):
    """One 更正 of a published table: when, what was corrected, and why (the page's 更正说明)."""

    date: dt.date = Field(alias="日期", description="更正日期（YYYY-MM-DD）")
    content: Text = Field(alias="内容", description="更正了什么，如 “数量指标 清扫面积 由 5 万平方米更正为 6 万平方米”")
    reason: Text = Field(alias="原因", description="更正的原因，如 “录入错误”")


CORRECTIONS_LIMIT = 100  # 更正 entries in one table (each is a page of its own)


class Project(_Strict):
    """One 项目支出绩效目标表."""

    id: ProjectId = Field(description="稳定的项目标识：小写字母、数字和连字符；用于网址和跨年对比，逐年保持不变")
    year: Year = Field(alias="年度", description="预算年度，须与所在目录 content/<年度>/ 一致")
    name: Text = Field(alias="项目名称")
    department: Text = Field(alias="主管部门及代码", description="主管部门，可带代码前缀，如 219-某某局")
    implementer: Text = Field(alias="实施单位")
    leader: str | None = Field(None, alias="项目负责人")
    phone: str | None = Field(None, alias="联系电话")
    attribute: str | None = Field(None, alias="项目属性", description="如 延续项目、新增项目")
    period: str | None = Field(None, alias="项目期", description="如 一年、2022年—2024年（多年项目写起止年度，并填写“中期”）")
    approved: dt.date | None = Field(None, alias="批复日期", description=(
        "财政部门批复预算的日期（YYYY-MM-DD）；不填则按 site.yaml 中该年度的批复日期"))
    published: dt.date | None = Field(None, alias="公开日期", description=(
        "公开日期（YYYY-MM-DD），页面的发布日期；不填则按 site.yaml 中该年度的公开日期"))
    disclosure_note: str | None = Field(None, alias="公开说明", description=(
        "未载明日期或晚于批复后 20 日公开的原因（--strict 时，缺日期或逾期的表须写明）"))
    index_number: Annotated[str | None, AfterValidator(_filled)] = Field(None, alias="索引号", description=(
        "本表在政府信息公开目录中的索引号；不填则按 site.yaml 中的索引号格式编排"))
    form: FormSpec | None = Field(None, alias="表样", description=(
        "本表的表样（指标表的栏目）：" + "、".join(FORMS) + "，或列出各栏；不填则按 site.yaml 中该年度的表样"))
    funds: Funds = Field(alias="资金")
    goals: Annotated[list[Goal], Field(min_length=1, max_length=GOALS_LIMIT)] = Field(
        alias="年度目标", description="年度目标，每项一条，可用 Markdown")
    budget_points: OptAmount = Field(None, alias="预算执行", description="预算执行的分值（如 10），与各行的权重或分值合计 100")
    indicators: Annotated[dict[Text, Level2], Field(min_length=1)] = Field(
        alias="绩效指标", description="一级指标 → 二级指标 → 三级指标行（三级指标、指标值、说明）")
    midterm: MidTerm | None = Field(None, alias="中期", description=(
        "多年项目的中期目标（整个项目期）：资金、中期目标、绩效指标；一年期项目不填"))
    corrections: Annotated[list[Correction], Field(max_length=CORRECTIONS_LIMIT)] = Field(
        default_factory=list, alias="更正", description=(
            "公开后的更正，按日期先后：每项写 日期、内容、原因；更正前的版本从 git 历史中取出，在网站上可查看"))

    @property
    def department_code(self) -> str | None:
        return split_department(self.department)[0]

    @property
    def department_name(self) -> str:
        return split_department(self.department)[1]

    def rows(self) -> Iterator[tuple[str, str, int, Row]]:
        """(一级, 二级, index within 二级, row) in table order."""
        return iter_rows(self.indicators)

    def parts(self) -> Parts:
        return Parts(self.year, self.funds, self.indicators, self.form, self.budget_points,
                     Dates(self.approved, self.published, self.disclosure_note), tuple(self.corrections),
                     self.period, self.midterm)


Indicators = dict[str, dict[str, list[Row]]]
_Row = TypeVar("_Row")


def iter_rows(indicators: dict[str, dict[str, list[_Row]]]) -> Iterator[tuple[str, str, int, _Row]]:
    """(一级, 二级, index within 二级, row) of an indicator grid (a target table's or a self-evaluation's)."""
    for level1, groups in indicators.items():
        for level2, rows in groups.items():
            for index, row in enumerate(rows):
                yield level1, level2, index, row


def row_path(level1: str, level2: str, index: int, field: str | None = None) -> NodePath:
    path: NodePath = ("绩效指标", level1, level2, index)
    return path + (field,) if field else path


class Dates(NamedTuple):
    """When a table was approved and published, and why it is late or undated: a file's own, or
    its year's in site.yaml (config.Disclosure)."""

    approved: dt.date | None = None
    published: dt.date | None = None
    note: str | None = None

    def over(self, year: Dates | None) -> Dates:
        """These dates, each blank one taken from the year's."""
        if year is None:
            return self
        return Dates(*(mine if mine is not None else theirs for mine, theirs in zip(self, year)))


DATE_FIELDS = ("approved", "published", "disclosure_note")  # a Project's fields that make its Dates


@dataclass(frozen=True)
class Parts:
    """The sections of a project that rules look at, each present only if it is valid by itself,
    so that a typo in the funds does not hide a taxonomy error in the same file."""

    year: int | None
    funds: Funds | None
    indicators: Indicators | None
    form: str | tuple[str, ...] | None = None  # the file's own 表样, if it gives one
    budget_points: Decimal | None = None  # 预算执行's points
    dates: Dates | None = None  # its 批复日期, 公开日期 and 公开说明 as the file gives them
    corrections: tuple[Correction, ...] = ()  # 更正, when every entry is valid
    period: str | None = None  # 项目期 as written
    midterm: MidTerm | None = None  # the 中期 block, when it is valid

    def rows(self) -> Iterator[tuple[str, str, int, Row]]:
        return iter_rows(self.indicators or {})


_SECTIONS = {"year": ("年度", TypeAdapter(Year)), "funds": ("资金", TypeAdapter(Funds)),
             "indicators": ("绩效指标", TypeAdapter(Project.model_fields["indicators"].annotation)),
             "form": ("表样", TypeAdapter(FormSpec)), "budget_points": ("预算执行", TypeAdapter(OptAmount)),
             "period": ("项目期", TypeAdapter(str | None)), "midterm": ("中期", TypeAdapter(MidTerm | None))}
_DATES = {name: (Project.model_fields[name].alias, TypeAdapter(Project.model_fields[name].annotation))
          for name in DATE_FIELDS}
_CORRECTIONS = TypeAdapter(tuple[Correction, ...])


def _valid(data: dict[str, Any], key: str, adapter: TypeAdapter[Any]) -> Any:
    try:
        return adapter.validate_python(data[key]) if key in data else None
    except ValidationError:
        return None


def _partial(data: dict[str, Any]) -> Parts:
    found = {name: _valid(data, key, adapter) for name, (key, adapter) in _SECTIONS.items()}
    return Parts(**found, dates=Dates(*(_valid(data, key, adapter) for key, adapter in _DATES.values())),
                 corrections=_valid(data, "更正", _CORRECTIONS) or ())


_TYPE_NAMES = {"string_type": "文本", "dict_type": "映射（字段: 值）", "list_type": "列表（- 开头的各项）",
               "model_type": "映射（字段: 值）", "model_attributes_type": "映射（字段: 值）",
               "int_type": "整数", "int_parsing": "整数"}


def _aliases(model: type[BaseModel]) -> list[str]:
    names: list[str] = []
    for name, info in model.model_fields.items():
        names.append(info.alias or name)
    return names


def _field_label(loc: tuple[Any, ...]) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return "此项"


def diagnostics_from(error: ValidationError, source: Source, models: list[type[BaseModel]]) -> list[Diagnostic]:
    """pydantic errors → Chinese diagnostics at the right line and column."""
    known = [a for m in models for a in _aliases(m)]
    out: list[Diagnostic] = []
    for err in error.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if p != "[key]")
        kind = err["type"]
        label = _field_label(loc)
        if kind == "missing":
            parent = loc[:-1]
            where = _field_label(parent) if parent else "文件顶层"
            out.append(source.diag(parent, Level.ERROR, "E020", f"缺少必填字段「{loc[-1]}」（在「{where}」中）",
                                   f"添加一行“{loc[-1]}: …”", key=True))
        elif kind == "extra_forbidden":
            close = nearest(str(loc[-1]), known)
            hint = f"是不是「{close}」？" if close else "删除这个字段，或检查拼写与缩进"
            out.append(source.diag(loc, Level.ERROR, "E021", f"未知字段「{loc[-1]}」", hint, key=True))
        elif kind in _TYPE_NAMES:
            out.append(source.diag(loc, Level.ERROR, "E022",
                                   f"「{label}」应为{_TYPE_NAMES[kind]}",
                                   "检查这一项的写法与缩进"))
        elif kind in ("amount", "amount_type", "amount_negative", "amount_range"):
            out.append(source.diag(loc, Level.ERROR, "E010", f"「{label}」{err['msg']}",
                                   "金额写成阿拉伯数字，如 10.38（单位见“单位”字段，默认万元）"))
        elif kind == "unfilled":
            out.append(source.diag(loc, Level.ERROR, "E029",
                                   f"「{label}」还没有填写：「{err['ctx']['text']}」是 perfsite new 留下的占位符",
                                   err["ctx"]["hint"]))
        elif kind in ("blank", "string_too_short"):
            out.append(source.diag(loc, Level.ERROR, "E023", f"「{label}」不能为空", "填写内容，或删除这一项"))
        elif kind == "too_short":
            out.append(source.diag(loc, Level.ERROR, "E023", f"「{label}」至少要有一项", "至少填写一项"))
        elif kind == "string_pattern_mismatch" and label == "id":
            out.append(source.diag(loc, Level.ERROR, "E024", f"id「{err['input']}」格式不对",
                                   "只用小写字母、数字和连字符，如 wuye-houqin；不以连字符开头或结尾"))
        elif kind == "reserved_id":
            out.append(source.diag(loc, Level.ERROR, "E024",
                                   f"id「{err['input']}」不能用：年度目录中的 {err['input']}.* 是网站自己的页面（如 index.html）",
                                   f"换一个 id，如 {err['input']}-xiangmu；保留的名称：{'、'.join(RESERVED_IDS)}"))
        elif kind == "form":
            out.append(source.diag(loc, Level.ERROR, "E027", f"「{label}」{err['msg']}", "见 README 的“表样”一节"))
        elif kind == "index_pattern":
            out.append(source.diag(loc, Level.ERROR, "E022", f"「{label}」{err['msg']}",
                                   "只用 {机构代码} {年度} {序号} {id} 和其他文字，如 {机构代码}/{年度}-{序号:03}"))
        elif kind in ("nature", "direction", "core"):
            out.append(source.diag(loc, Level.ERROR, "E027", f"「{label}」{err['msg']}", "改为允许的值之一"))
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            out.append(source.diag(loc, Level.ERROR, "E027", f"「{label}」的值「{err['input']}」无效，只能是 {expected}",
                                   "改为允许的值之一"))
        elif kind in ("year", "greater_than_equal", "less_than_equal"):
            out.append(source.diag(loc, Level.ERROR, "E022", f"「{label}」{err['msg'] if kind == 'year' else f'不在 {YEARS[0]}–{YEARS[-1]} 之间'}",
                                   "年度写四位数字，如 2022"))
        elif kind.startswith("url_"):
            out.append(source.diag(loc, Level.ERROR, "E022", f"「{label}」不是有效的网址：{err['input']}",
                                   "写完整网址，如 https://example.gov.cn/xxgk/jxmb/"))
        elif kind.startswith(("date_", "datetime_")):
            out.append(source.diag(loc, Level.ERROR, "E022", f"「{label}」不是有效的日期：{err['input']}",
                                   "写成 YYYY-MM-DD，如 2022-03-15，且这个月要有这一天"))
        elif kind == "too_long" and label == "更正":
            out.append(source.diag(loc, Level.ERROR, "E022", f"「{label}」最多 {CORRECTIONS_LIMIT} 条",
                                   "一张表更正这么多次，应当重新公开一张新表"))
        elif kind in ("goal_long", "too_long"):
            message = err["msg"] if kind == "goal_long" else f"最多 {GOALS_LIMIT} 条"
            out.append(source.diag(loc, Level.ERROR, "E022", f"「{label}」{message}",
                                   "把过长的目标分成几条，或删去多余的文字；年度目标写主要的几条即可"))
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
            out.append(source.diag(loc, Level.ERROR, "E022", f"「{label}」无效：{message}", "检查这一项的写法"))
    return out


def build_project(source: Source) -> tuple[Project | None, Parts, list[Diagnostic]]:
    """Validate a parsed file into a :class:`Project`; on failure, the sections that are valid."""
    if not isinstance(source.data, dict):
        what = "空文件" if source.data is None else "不是“字段: 值”的映射"
        return None, Parts(None, None, None), [source.diag((), Level.ERROR, "E006", f"项目文件{what}",
                                                          "项目文件的顶层是“id: …”“项目名称: …”等字段")]
    try:
        project = Project.model_validate(source.data)
        return project, project.parts(), []
    except ValidationError as exc:
        return None, _partial(source.data), diagnostics_from(exc, source, [Project, Funds, Row, Correction, MidTerm, MidFunds])


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a project file (for editors)."""
    schema = Project.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "项目支出绩效目标表 (perfsite project)"
    return schema
