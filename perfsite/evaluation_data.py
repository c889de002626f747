"""Open data of self-evaluations: each one as JSON and CSV (one line per indicator), each year's
总分 and 执行率 as one CSV, and their resources in the year's data package.

The JSON is the file as data with what its page shows filled in (each 年度指标值 from the target
table, each 执行率, the 自评等级, whether each target was met), so that it stands on its own. The
CSVs are shaped like the targets' (UTF-8 with a BOM, amounts in 万元, formulas neutralised).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from .kinds import EVALUATION_GRID
from .opendata import BOM, _encoded, _neutral
from .scoring import Scored
from .site import EvaluationLine, funds_wan
from .values import cell_text, written_amount

_HEAD = ("年度", "项目标识", "项目名称", "主管部门", "实施单位")
ROW_COLUMNS = (*_HEAD, *(c.label for c in EVALUATION_GRID), "是否达到")
SCORE_COLUMNS = (*_HEAD[:4], "全年预算数（万元）", "全年执行数（万元）", "执行率（%）", "总分", "自评等级", "目标表")
_NUMBERS = {"年度", "分值", "得分", "全年预算数（万元）", "全年执行数（万元）", "执行率（%）", "总分"}
_MET = {True: "是", False: "否", None: ""}


def _head(scored: Scored) -> list[str]:
    ev = scored.evaluation
    return [str(ev.year), ev.id, ev.name, scored.department or "", scored.implementer or ""]


def evaluation_json(scored: Scored, target_page: str | None) -> str:
    """The self-evaluation as its page shows it; ``target_page``: its target table's page, from
    the site root (None: the year has none)."""
    ev = scored.evaluation
    data: dict[str, Any] = ev.model_dump(mode="json", by_alias=True)
    data["主管部门及代码"], data["实施单位"] = scored.department, scored.implementer
    data["年度总体目标"]["预期目标"] = scored.expected
    for _attr, label, line in ev.funds.lines():
        if line is not None and line.shown_rate is not None:
            data["项目资金"][label]["执行率"] = written_amount(line.shown_rate)
    for r in scored.rows:
        row = data["绩效指标"][r.level1][r.level2][r.index]
        row["年度指标值"] = r.target
        row["是否达到"] = r.met
    data["自评等级"] = scored.grade
    data["目标表"] = target_page
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def evaluation_rows(scored: Scored) -> Iterable[list[str]]:
    head = _head(scored)
    for r in scored.rows:
        cells = [r.level1, r.level2, r.row.name, r.target or "", r.row.actual, cell_text(r.row.points),
                 cell_text(r.row.score), r.row.reason or "", _MET[r.met]]
        yield _neutral(head + cells, ROW_COLUMNS)


def evaluation_csv(scored: Scored) -> bytes:
    """One self-evaluation's indicators, one line each."""
    return _encoded([ROW_COLUMNS, *evaluation_rows(scored)], BOM)


def scores_csv(lines: Iterable[tuple[EvaluationLine, Scored]]) -> bytes:
    """A year's self-evaluations, one line each: 总分, 执行率 and the funds they come from."""
    out = [SCORE_COLUMNS]
    for line, scored in lines:
        funds = scored.evaluation.funds
        budget, spent = (("" if v is None else written_amount(funds_wan(funds.unit, v)))
                         for v in (funds.total.budget, funds.total.spent))
        out.append(_neutral([*_head(scored)[:4], budget, spent, "" if line.rate is None else written_amount(line.rate),
                             written_amount(line.total), line.grade, line.target or ""], SCORE_COLUMNS))
    return _encoded(out, BOM)


def _schema(columns: tuple[str, ...]) -> dict[str, Any]:
    return {"fields": [{"name": name, "type": "number" if name in _NUMBERS else "string"} for name in columns],
            "missingValues": [""]}


def resources(year: int, evaluations: list[tuple[str, str]], scores: str | None) -> list[dict[str, Any]]:
    """The data package's resources for a year's self-evaluations: ``evaluations`` (id, name),
    ``scores`` the path of the year's 总分 CSV from the year's folder (None: no self-evaluations)."""
    if scores is None:
        return []
    csv_resource = {"profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
                    "encoding": "utf-8-sig", "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True}}
    out: list[dict[str, Any]] = [{"name": f"evaluations-{year}", "path": scores,
                                  "title": f"{year}年度项目支出绩效自评：总分与执行率（每行一个项目）",
                                  **csv_resource, "schema": _schema(SCORE_COLUMNS)}]
    for ident, name in evaluations:
        stem = scores.rpartition("/")[0] + "/" + ident
        out.append({"name": f"evaluation-{year}-{ident}", "path": f"{stem}.csv", "title": f"{name}（自评表，每行一个指标）",
                    **csv_resource, "schema": _schema(ROW_COLUMNS)})
        out.append({"name": f"evaluation-{year}-{ident}-json", "path": f"{stem}.json", "title": f"{name}（自评表）",
                    "format": "json", "mediatype": "application/json", "encoding": "utf-8"})
    return out
