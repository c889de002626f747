"""Open data: each project as JSON and CSV, each year's indicators as flat CSVs (one per
department, and one of the whole year unless it is large) and a Frictionless data package
describing the files.

CSV is UTF-8 with a BOM so that Excel opens the Chinese correctly, one row per indicator with the
project's columns repeated (the shape of the budget system's own export), amounts in 万元, and the
structured form of each 指标值 beside its text. JSON is the content file as data, with its dates
and 索引号 as its page shows them (its year's in site.yaml where it has none): reading it back with
the model gives the same table as published.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from typing import Any, Iterable, Iterator

from . import __version__
from .disclosure import Metadata
from .forms import CLASSIC, FORMS, columns as form_columns, scored
from .kinds import TARGET
from .model import ROW_COLUMNS, Project
from .values import cell_text, written_amount

BOM = "\ufeff"
Form = str | tuple[str, ...]
# The project's columns and the grid's come from the table kind (its ``csv`` order, since the CSV is
# a published download whose columns stay put). A form's further row columns (指标性质, 权重, …) come
# after 说明, in the kind's grid order, only in the CSVs of projects whose form shows them; the last
# four are derived from each 指标值 here.
FUND_COLUMNS = tuple((f.csv_column, f.attr) for f in TARGET.csv_fields if f.amount)
_BASE = (*(f.csv_column for f in TARGET.csv_fields), *(c.label for c in TARGET.grid[:2]),
         *(c.label for c in TARGET.row_columns(CLASSIC)))
_FURTHER = tuple(c for c in TARGET.grid[2:] if c.label not in FORMS[CLASSIC])  # the columns forms may add
# The derived unit is 度量单位 as it always was, except beside a row column of that name (what the
# unit wrote), where it is 识别单位: a header names one column.
DERIVED_UNIT, RECOGNISED_UNIT = "度量单位", "识别单位"
_TYPES = {"年度": "integer", "数值": "number", "日期": "date", "权重": "number", "分值": "number",
          **{c: "number" for c, _ in FUND_COLUMNS}}
_DESCRIPTIONS = {"项目标识": "perfsite 的稳定项目标识，逐年不变", "年度目标": "各条年度目标，以换行分隔",
                 "比较符": "由指标值识别的比较符（≥ ≤ > < =），无则空", "数值": "由指标值识别的数值", "度量单位": "由指标值识别的单位",
                 "日期": "由指标值识别的日期（时效指标）", RECOGNISED_UNIT: "由指标值及指标性质、度量单位栏识别的单位"}
# The further row columns, as the form has them (度量单位 here is what the unit wrote, not the derived one).
_FURTHER_DESCRIPTIONS = {"指标性质": "指标性质（比较符 ≥ ≤ = > < 或 定性），照原表", "度量单位": "度量单位栏，照原表",
                         "权重": "本行的权重（各行与预算执行合计 100）", "分值": "本行的分值（各行与预算执行合计 100）",
                         "指标方向": "指标方向：正向 或 反向", "核心指标": "核心指标标记（★、★★、★★★）"}


def further(forms: Iterable[Form]) -> tuple[str, ...]:
    """The row columns beyond the classic form's that any of ``forms`` shows, in the grid's order:
    what the CSV of projects in those forms adds after 说明."""
    shown = {label for form in forms for label in form_columns(form)}
    return tuple(c.label for c in _FURTHER if c.label in shown)


@functools.lru_cache(maxsize=64)
def columns(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The CSV's header with the further row columns ``extra`` (``further``)."""
    unit = RECOGNISED_UNIT if DERIVED_UNIT in extra else DERIVED_UNIT
    return (*_BASE, *extra, "比较符", "数值", unit, "日期")


COLUMNS = columns()  # a classic form's CSV: the columns every download had before forms


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice read as a formula
NEUTRALISED = ("CSV 中以 = + - @ 制表符或回车开头的文本单元格前加一个英文单引号 '，"
               "使 Excel 不把它当作公式（OWASP CSV Injection）；JSON 中为原文")


@functools.lru_cache(maxsize=64)
def _text(header: tuple[str, ...]) -> tuple[int, ...]:
    """The text cells' places: numbers and dates cannot be formulas."""
    return tuple(i for i, name in enumerate(header) if name not in _TYPES)


def _neutral(row: list[str], header: tuple[str, ...] = COLUMNS) -> list[str]:
    """A text cell that a spreadsheet would run as a formula (``=HYPERLINK(…)``) gets a leading
    apostrophe, as OWASP advises: Excel shows the text, and runs nothing."""
    for i in _text(header):
        if row[i].startswith(_FORMULA_START):
            row[i] = "'" + row[i]
    return row


# Keys the JSON has only where a file gives them: what the forms after the classic one added, and
# 更正 (a classic site's JSON, and an uncorrected table's, is as it was before they existed).
_ROW_ONLY_WHEN_SET = frozenset(ROW_COLUMNS) - set(FORMS[CLASSIC])
_PROJECT_ONLY_WHEN_SET = frozenset(TARGET.field(attr).alias for attr in (
    "form", "budget_points", "approved", "disclosure_note", "index_number", "corrections", "midterm"))
# The table as published: its dates and 索引号 as its page shows them (the year's in site.yaml
# where the file gives none), so that reading it back with the model still gives a valid table.
_AS_PUBLISHED = {TARGET.field(attr).alias: key for attr, key in (
    ("approved", "approved"), ("published", "published"), ("disclosure_note", "note"), ("index_number", "index_number"))}


def _drop_unset(data: dict[str, Any], keys: frozenset[str]) -> None:
    for key in keys & data.keys():
        if data[key] is None or data[key] == []:
            del data[key]


def project_json(project: Project, metadata: Metadata) -> str:
    data = project.model_dump(mode="json", by_alias=True)
    for alias, key in _AS_PUBLISHED.items():
        value = getattr(metadata, key)
        data[alias] = None if value is None else str(value)
    _drop_unset(data, _PROJECT_ONLY_WHEN_SET)
    midterm = data.get(TARGET.field("midterm").alias)
    for grid in (data["绩效指标"], *((midterm["绩效指标"],) if midterm else ())):
        drop_unset_columns(grid)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def drop_unset_columns(grid: dict[str, Any]) -> None:
    """A grid's rows as JSON without the columns a classic form has not and the row leaves blank."""
    for groups in grid.values():
        for rows in groups.values():
            for row in rows:
                _drop_unset(row, _ROW_ONLY_WHEN_SET)


def rows(project: Project, year_form: Form = CLASSIC, extra: tuple[str, ...] | None = None) -> Iterable[list[str]]:
    """The project's CSV lines: one per indicator, after a scored form's 预算执行 line. ``year_form``:
    its year's 表样 (the file's own comes first); ``extra``: the further columns of the file the
    lines go into (a year's may have more than the project's form shows), else its form's."""
    form = project.form or year_form
    extra = further([form]) if extra is None else extra
    header = columns(extra)
    by_label = {c.label: c.attr for c in TARGET.grid if c.attr}
    funds = project.funds
    head = [str(project.year), project.id, project.name, project.department, project.implementer, funds.source or ""]
    head += ["" if getattr(funds, attr) is None else written_amount(funds.wan(getattr(funds, attr)))
             for _, attr in FUND_COLUMNS]
    head.append("\n".join(project.goals))
    points = scored(form)
    if points is not None and project.budget_points is not None:  # as the page shows it: the grid's first row
        cells = [written_amount(project.budget_points) if label == points else "" for label in extra]
        yield _neutral(head + [TARGET.field("budget_points").alias, "", "", "", "", *cells, "", "", "", ""], header)
    for level1, level2, _index, row in project.rows():
        value = row.value
        yield _neutral(head + [level1, level2, row.name, row.value_text, row.note or "",
                               *(cell_text(getattr(row, by_label[label])) for label in extra),
                               value.comparator or "", "" if value.number is None else written_amount(value.number),
                               value.unit or "", value.date.isoformat() if value.date else ""], header)


def _encoded(lines: Iterable[Iterable[str]], head: str = "") -> bytes:
    out = io.StringIO()
    out.write(head)
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode("utf-8")


@functools.lru_cache(maxsize=64)
def csv_head(extra: tuple[str, ...] = ()) -> bytes:
    """BOM and header line: each CSV with these further columns starts with it."""
    return _encoded([columns(extra)], BOM)


def csv_chunks(projects: Iterable[Project], year_form: Form = CLASSIC,
               extra: tuple[str, ...] = ()) -> Iterator[bytes]:
    """The CSV in pieces, one project at a time: a year's file is tens of MB at 10,000 projects,
    and holding it whole (plus its copies) was the build's memory peak."""
    yield csv_head(extra)
    for project in projects:
        yield _encoded(rows(project, year_form, extra))


CSV_HEAD = csv_head()  # a classic CSV's BOM and header line


def to_csv(projects: Iterable[Project], year_form: Form = CLASSIC, extra: tuple[str, ...] = ()) -> str:
    return b"".join(csv_chunks(projects, year_form, extra)).decode("utf-8")


def project_csv(project: Project, year_form: Form = CLASSIC) -> str:
    """One project's CSV, in its form's columns."""
    return to_csv([project], year_form, further([project.form or year_form]))


def mixed_csv(extra: tuple[str, ...], projects: Iterable[tuple[Project, Form]]) -> bytes:
    """A year's CSV whose projects are in forms of different columns: every line in the union of
    their columns (``extra``), so it cannot be joined from their own CSVs' bytes."""
    return b"".join([csv_head(extra), *(_encoded(rows(project, year_form, extra)) for project, year_form in projects)])


def _fields(extra: tuple[str, ...]) -> list[dict[str, str]]:
    """The schema of a CSV with the further columns ``extra``."""
    fields = []
    for name in columns(extra):
        about = (_FURTHER_DESCRIPTIONS if name in extra else _DESCRIPTIONS).get(name)
        fields.append({"name": name, "type": _TYPES.get(name, "string"), **({"description": about} if about else {})})
    return fields


def datapackage(year: int, title: str, publisher: str, url: str, projects: list[tuple[str, str, Metadata]],
                tables: list[tuple[str, str, str, tuple[str, ...]]], extra: list[dict[str, Any]] = ()) -> str:  # type: ignore[assignment]
    """A Frictionless (tabular) data package for one year's downloads; ``tables`` are the
    indicator CSVs as (resource name, path from the year's folder, title, further columns),
    ``projects`` (id, name, its 信息公开 metadata: 索引号, 发布机构, dates, as its page shows them),
    ``extra`` further resources (the self-evaluations', evaluation_data.resources)."""
    base_url = url
    resources: list[dict[str, Any]] = [{
        "name": name, "path": path, "title": table_title,
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": {"fields": _fields(extra), "missingValues": [""]},
    } for name, path, table_title, extra in tables]
    for ident, name, metadata in projects:
        resources.append({"name": f"project-{year}-{ident}", "path": f"{ident}.json", "title": name,
                          "format": "json", "mediatype": "application/json", "encoding": "utf-8",
                          "disclosure": metadata.as_json()})
    resources += extra
    package = {"profile": "tabular-data-package", "name": f"perfsite-{year}", "description": NEUTRALISED,
               "title": f"{title}：{year}年度项目支出绩效目标", "homepage": f"{base_url}{year}/index.html",
               "publisher": publisher, "created_by": f"perfsite {__version__}",
               "licenses": [{"name": "public-disclosure", "title": "政府信息公开"}], "resources": resources}
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"
