"""What a table kind is: its header fields, its fund lines, its indicator columns, and which of
them the diff, the open-data CSV, ``perfsite new`` and the importers read.

The model says what a value may be; a kind says where the field sits on the printed form and who
uses it. Each field's YAML key is read from the model, so the two cannot name a field differently,
and a field the model has but the kind does not declare fails the tests (tests/test_kinds.py).
项目支出绩效目标表 is a ``Kind``; the 自评表's grid is declared below (``EVALUATION_GRID``), its
header and fund lines by its model (evaluation.py); the 部门整体支出绩效目标表's 年度主要任务 are
declared as ``DEPARTMENT_TASKS``, its grid is the target table's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .department import Task
from .evaluation import EvalRow
from .forms import FORMS, columns as form_columns
from .model import Funds, Project, Row


@dataclass(frozen=True)
class FormField:
    """One field of a table's header or fund block."""

    attr: str  # the model's attribute
    alias: str  # the key in the YAML file (from the model)
    label: str  # as printed on the form, e.g. 其中：上级补助
    amount: bool  # an exact amount in the block's 单位 (from the model's type)
    form: bool = True  # a labelled line of the printed form: the text importer reads it by its labels
    indent: bool = False  # printed indented under the line above it (the 其中 lines)
    diff: bool = True  # compared by ``perfsite diff``
    within_year: bool = False  # compared only between versions of one year's table, not across years
    labels: tuple[str, ...] = ()  # other labels printed forms use for it
    # Further names of its column in budget-system exports and .xlsx forms (cut forms included);
    # None where those importers do not read the field at all.
    columns: tuple[str, ...] | None = None
    column: str | None = None  # its open-data CSV column, where the YAML key alone would not say enough

    @property
    def names(self) -> tuple[str, ...]:
        """Every label a printed form uses for it, its YAML key first."""
        return (self.alias, *self.labels)

    @property
    def csv_column(self) -> str:
        # the CSV converts every amount to 万元, and its header says so
        return self.column or (f"{self.alias}（万元）" if self.amount else self.alias)

    def get(self, obj: Any) -> Any:
        return getattr(obj, self.attr)


@dataclass(frozen=True)
class Column:
    """One column of the indicator grid."""

    key: str  # the importers' name for it
    label: str  # as printed in the grid's header row
    attr: str | None = None  # the row model's attribute; None for 一级/二级, the keys rows sit under
    columns: tuple[str, ...] = ()  # further names of the column in exports and forms


@dataclass(frozen=True)
class Kind:
    """A kind of table: its model, its fields in order with their roles, and its indicator grid."""

    title: str
    model: type[BaseModel]
    header: tuple[FormField, ...]  # top-level fields but the blocks, in the file's order (更正 ends a file)
    funds_block: FormField  # the key the fund block sits under
    funds: tuple[FormField, ...]  # the fund block's fields, in the form's order
    goals: FormField
    indicators: FormField  # the key the grid sits under
    grid: tuple[Column, ...]
    row_model: type[BaseModel]
    csv: tuple[str, ...]  # attributes, in the open-data CSV's column order (a published format)
    midterm: FormField | None = None  # a multi-year project's 中期 block: funds, goals and grid of its own

    def __post_init__(self) -> None:
        known = {f.attr for f in self.fields}
        unknown = [attr for attr in self.csv if attr not in known]
        if unknown:
            raise ValueError(f"{self.title}: CSV columns name undeclared fields {unknown}")
        labels = {c.label for c in self.grid}
        for name, columns in FORMS.items():
            if not set(columns) <= labels:
                raise ValueError(f"{self.title}: form {name} names undeclared columns {set(columns) - labels}")

    def row_columns(self, form: str | tuple[str, ...]) -> tuple[Column, ...]:
        """The grid's columns after 一级 and 二级 in a form (forms.py), in its order."""
        by_label = {c.label: c for c in self.grid}
        return tuple(by_label[label] for label in form_columns(form))

    @property
    def fields(self) -> tuple[FormField, ...]:
        """Every declared field: the header, the block keys, the fund block's fields."""
        return (*self.header, self.funds_block, *self.funds, self.goals, self.indicators,
                *((self.midterm,) if self.midterm else ()))

    def field(self, attr: str) -> FormField:
        return next(f for f in self.fields if f.attr == attr)

    @property
    def diff_header(self) -> tuple[FormField, ...]:
        return tuple(f for f in self.header if f.diff)

    @property
    def diff_funds(self) -> tuple[FormField, ...]:
        return tuple(f for f in self.funds if f.diff)

    @property
    def row_fields(self) -> tuple[Column, ...]:
        """The grid's columns a row holds (the row model's fields), in the grid's order: what
        ``perfsite diff`` compares of a row, so that a column added here is compared too."""
        return tuple(c for c in self.grid if c.attr is not None)

    @property
    def fund_lines(self) -> tuple[FormField, ...]:
        """The fund block's printed lines in order (资金来源 … 其他资金), each with label, attr, indent."""
        return tuple(f for f in self.funds if f.form)

    @property
    def amounts(self) -> tuple[FormField, ...]:
        return tuple(f for f in self.funds if f.amount)

    @property
    def csv_fields(self) -> tuple[FormField, ...]:
        return tuple(self.field(attr) for attr in self.csv)


def _field(model: type[BaseModel], attr: str, label: str | None = None, **roles: Any) -> FormField:
    info = model.model_fields[attr]  # a KeyError here: the kind names a field its model lacks
    alias = info.alias or attr
    amount = info.annotation in (Decimal, Decimal | None)
    return FormField(attr, alias, label or alias, amount, **roles)


def _column(key: str, label: str, attr: str | None = None, columns: tuple[str, ...] = ()) -> Column:
    if attr is not None and Row.model_fields[attr].alias != label:
        raise ValueError(f"grid column {label} is {Row.model_fields[attr].alias} in the row model")
    return Column(key, label, attr, columns)


TARGET = Kind(
    title="项目支出绩效目标表",
    model=Project,
    header=(
        _field(Project, "id", "项目标识", column="项目标识", form=False, diff=False),  # the diff pairs by it instead
        _field(Project, "year", form=False, diff=False),  # differs by design between two years' tables
        _field(Project, "name", columns=()),
        _field(Project, "department", labels=("主管部门",), columns=("部门名称", "部门")),
        _field(Project, "implementer", labels=("项目单位", "预算单位"), columns=("单位名称", "单位")),
        _field(Project, "leader", labels=("项目负责人及电话", "项目负责人(及电话)", "项目负责人及联系电话")),
        _field(Project, "phone"),
        _field(Project, "attribute"),
        _field(Project, "period"),
        _field(Project, "approved", form=False),  # with 公开日期 and 索引号: the page's 信息公开 metadata
        _field(Project, "published", form=False),
        _field(Project, "disclosure_note", form=False),
        _field(Project, "index_number", form=False),
        _field(Project, "form", form=False),  # which columns the grid shows (forms.py)
        _field(Project, "budget_points", form=False),  # 预算执行's points: a row of scored forms
        # 更正: a year's own history (a new year's table starts with none, scaffold.py drops it)
        _field(Project, "corrections", form=False, within_year=True),
    ),
    funds_block=_field(Project, "funds", form=False, diff=False),
    funds=(
        _field(Funds, "unit", "金额单位", form=False, diff=False),  # amounts compare in 万元 whatever the unit
        _field(Funds, "source", columns=()),
        _field(Funds, "total", labels=("年度资金总额", "当年年度预算", "本年度预算", "年度预算"), columns=("预算数", "项目总额", "预算金额")),
        _field(Funds, "fiscal", labels=("本年财政拨款", "当年财政拨款"), columns=()),
        _field(Funds, "upper", "其中：上级补助", indent=True, columns=("其中上级补助", "上级补")),
        _field(Funds, "local", indent=True, columns=("本级安", "本级财力")),
        _field(Funds, "other", labels=("自有资金",), columns=()),  # 资金总额 = 财政拨款 + 自有资金 where a table names no 其他资金
    ),
    goals=_field(Project, "goals", form=False, diff=False, columns=("绩效目标", "年度绩效目标", "项目年度目标")),  # diffed goal by goal, character by character
    indicators=_field(Project, "indicators", form=False, diff=False),
    grid=(
        _column("level1", "一级指标"),
        _column("level2", "二级指标"),
        _column("level3", "三级指标", "name", ("指标名称", "绩效指标名称")),
        _column("nature", "指标性质", "nature", ("计算符号", "比较符号", "比较符", "运算符号")),
        _column("value", "指标值", "value_text", ("目标值", "指标目标值")),
        _column("unit", "度量单位", "unit", ("计量单位", "指标单位")),
        _column("weight", "权重", "weight", ("指标权重", "权重(%)", "权重（%）")),
        _column("score", "分值", "score", ("指标分值", "分数")),
        _column("direction", "指标方向", "direction", ("指标方向性", "方向")),
        _column("explanation", "指标解释", "explanation", ("指标说明解释", "指标内涵")),
        _column("basis", "取值依据", "basis", ("指标值设定依据", "指标值确定依据", "标准依据")),
        _column("core", "核心指标", "core", ("是否核心指标",)),
        _column("note", "说明", "note", ("备注", "指标说明")),
    ),
    row_model=Row,
    csv=("year", "id", "name", "department", "implementer", "source", "total", "fiscal", "upper", "local", "other",
         "goals"),
    midterm=_field(Project, "midterm", form=False, diff=False),
)


def _eval_column(key: str, label: str, attr: str | None = None, columns: tuple[str, ...] = ()) -> Column:
    if attr is not None and attr != "target" and EvalRow.model_fields[attr].alias != label.removesuffix("分析及改进措施"):
        raise ValueError(f"self-evaluation column {label} is {EvalRow.model_fields[attr].alias} in the row model")
    return Column(key, label, attr, columns)


# The 自评表's indicator grid, as the form prints it (财预〔2020〕10号): what its page, CSV and
# importer read. 年度指标值 is the target's (scoring.ScoredRow.target), the rest the row's own.
EVALUATION_GRID = (
    _eval_column("level1", "一级指标"),
    _eval_column("level2", "二级指标"),
    _eval_column("level3", "三级指标", "name", ("指标名称", "三级指标名称", "绩效指标名称")),
    _eval_column("target", "年度指标值", "target", ("指标值", "目标值", "年度目标值")),
    _eval_column("actual", "实际完成值", "actual", ("完成值", "实际值", "全年实际值", "实际完成指标值")),
    _eval_column("points", "分值", "points", ("指标分值", "权重")),
    _eval_column("score", "得分", "score", ("自评得分", "实际得分")),
    _eval_column("reason", "偏差原因分析及改进措施", "reason", ("偏差原因", "未达到指标值原因", "偏差原因分析",
                                                             "原因分析及改进措施", "未完成原因分析及改进措施")),
)


def _task_column(key: str, label: str, attr: str, columns: tuple[str, ...] = ()) -> Column:
    if Task.model_fields[attr].alias != label:
        raise ValueError(f"task column {label} is {Task.model_fields[attr].alias} in the task model")
    return Column(key, label, attr, columns)


# The 部门整体支出绩效目标表's 年度主要任务, as the form prints them (预算金额 over 总额, 财政拨款,
# 其他资金): what its page, CSV, diff and importer read. Its grid is a target table's (TARGET.grid).
DEPARTMENT_TASKS = (
    _task_column("name", "任务名称", "name", ("主要任务", "任务", "年度主要任务")),
    _task_column("content", "主要内容", "content", ("任务内容", "主要工作内容", "内容")),
    _task_column("total", "总额", "total", ("预算金额", "合计", "金额", "预算金额总额")),
    _task_column("fiscal", "财政拨款", "fiscal", ("财政资金", "一般公共预算")),
    _task_column("other", "其他资金", "other", ("其他",)),
)
