"""Open data: each project as JSON and CSV, each year's indicators as flat CSVs (one per
department, and one of the whole year unless it is large) and a Frictionless data package
describing the files.

CSV is UTF-8 with a BOM so that Excel opens the Chinese correctly, one row per indicator with the
project's columns repeated (the shape of the budget system's own export), amounts in 万元, and the
structured form of each 指标值 beside its text. JSON is the content file as data: reading it back
with the model gives the same project.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Iterator

from . import __version__
from .forms import CLASSIC, FORMS
from .kinds import TARGET
from .model import ROW_COLUMNS, Project
from .values import written_amount

BOM = "\ufeff"
# The project's columns and the grid's come from the table kind (its ``csv`` order, since the CSV is
# a published download whose columns stay put); the last four are derived from each 指标值 here.
FUND_COLUMNS = tuple((f.csv_column, f.attr) for f in TARGET.csv_fields if f.amount)
COLUMNS = (*(f.csv_column for f in TARGET.csv_fields), *(c.label for c in TARGET.grid[:2]),
           *(c.label for c in TARGET.row_columns(CLASSIC)), "比较符", "数值", "度量单位", "日期")
_TYPES = {"年度": "integer", "数值": "number", "日期": "date", **{c: "number" for c, _ in FUND_COLUMNS}}
_DESCRIPTIONS = {"项目标识": "perfsite 的稳定项目标识，逐年不变", "年度目标": "各条年度目标，以换行分隔",
                 "比较符": "由指标值识别的比较符（≥ ≤ > < =），无则空", "数值": "由指标值识别的数值", "度量单位": "由指标值识别的单位",
                 "日期": "由指标值识别的日期（时效指标）"}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice read as a formula
_TEXT = tuple(i for i, name in enumerate(COLUMNS) if name not in _TYPES)  # numbers and dates cannot be formulas
NEUTRALISED = ("CSV 中以 = + - @ 制表符或回车开头的文本单元格前加一个英文单引号 '，"
               "使 Excel 不把它当作公式（OWASP CSV Injection）；JSON 中为原文")


def _neutral(row: list[str]) -> list[str]:
    """A text cell that a spreadsheet would run as a formula (``=HYPERLINK(…)``) gets a leading
    apostrophe, as OWASP advises: Excel shows the text, and runs nothing."""
    for i in _TEXT:
        if row[i].startswith(_FORMULA_START):
            row[i] = "'" + row[i]
    return row


# Keys the JSON has only where a file gives them: the columns and fields of the forms after the
# classic one (a classic site's JSON is as it was before they existed).
_ONLY_WHEN_SET = (set(ROW_COLUMNS) - set(FORMS[CLASSIC])) | {"表样", "预算执行"}


def project_json(project: Project) -> str:
    data = project.model_dump(mode="json", by_alias=True)
    for key in ("表样", "预算执行"):
        if data.get(key) is None:
            data.pop(key, None)
    for groups in data["绩效指标"].values():
        for rows in groups.values():
            for row in rows:
                for key in _ONLY_WHEN_SET & set(row):
                    if row[key] is None:
                        del row[key]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def rows(project: Project) -> Iterable[list[str]]:
    funds = project.funds
    head = [str(project.year), project.id, project.name, project.department, project.implementer, funds.source or ""]
    head += ["" if getattr(funds, attr) is None else written_amount(funds.wan(getattr(funds, attr)))
             for _, attr in FUND_COLUMNS]
    head.append("\n".join(project.goals))
    for level1, level2, _index, row in project.rows():
        value = row.value
        yield _neutral(head + [level1, level2, row.name, row.value_text, row.note or "", value.comparator or "",
                               "" if value.number is None else written_amount(value.number), value.unit or "",
                               value.date.isoformat() if value.date else ""])


def csv_chunks(projects: Iterable[Project]) -> Iterator[bytes]:
    """The CSV in pieces, one project at a time: a year's file is tens of MB at 10,000 projects,
    and holding it whole (plus its copies) was the build's memory peak."""
    def encoded(lines: Iterable[Iterable[str]], head: str = "") -> bytes:
        out = io.StringIO()
        out.write(head)
        csv.writer(out, lineterminator="\r\n").writerows(lines)
        return out.getvalue().encode("utf-8")

    yield encoded([COLUMNS], BOM)
    for project in projects:
        yield encoded(rows(project))


CSV_HEAD = next(csv_chunks([]))  # BOM and header line: each project's CSV starts with it


def to_csv(projects: Iterable[Project]) -> str:
    return b"".join(csv_chunks(projects)).decode("utf-8")



def datapackage(year: int, title: str, publisher: str, url: str, projects: list[tuple[str, str]],
                tables: list[tuple[str, str, str]]) -> str:
    """A Frictionless (tabular) data package for one year's downloads; ``tables`` are the
    indicator CSVs as (resource name, path from the year's folder, title), ``projects`` (id, name)."""
    base_url = url
    fields = [{"name": name, "type": _TYPES.get(name, "string"), **({"description": _DESCRIPTIONS[name]}
                                                                   if name in _DESCRIPTIONS else {})}
              for name in COLUMNS]
    resources: list[dict[str, Any]] = [{
        "name": name, "path": path, "title": table_title,
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": {"fields": fields, "missingValues": [""]},
    } for name, path, table_title in tables]
    for ident, name in projects:
        resources.append({"name": f"project-{year}-{ident}", "path": f"{ident}.json", "title": name,
                          "format": "json", "mediatype": "application/json", "encoding": "utf-8"})
    package = {"profile": "tabular-data-package", "name": f"perfsite-{year}", "description": NEUTRALISED,
               "title": f"{title}：{year}年度项目支出绩效目标", "homepage": f"{base_url}{year}/index.html",
               "publisher": publisher, "created_by": f"perfsite {__version__}",
               "licenses": [{"name": "public-disclosure", "title": "政府信息公开"}], "resources": resources}
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"
