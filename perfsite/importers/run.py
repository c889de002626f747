"""``perfsite import``: read every file, plan every output, validate, then write all or nothing.

Nothing is written if any input file cannot be read, or if a target exists (without ``force``);
the YAML is validated as the file it will be, so diagnostics and guesses carry its real lines.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import department_rules, rules, scoring
from ..atomic import write_files
from ..config import SiteConfig, load_config
from ..diagnostics import Diagnostic, Level, display_path
from ..forms import CLASSIC, columns as form_columns
from ..department import build_department
from ..evaluation import DEFAULT_WEIGHTS, build_evaluation
from ..load import DEPARTMENTS, EVALUATIONS
from ..model import Project, build_project, split_department
from ..source import MAX_BYTES, Source, parse_text
from ..taxonomy import PROFILES, canonical
from . import Imported, ImportError_
from .cells import OLE2, Grid, decode, read_csv, read_input, read_xlsx
from .department import KIND as DEPARTMENT, import_department_form, recognises as is_department, \
    summary as department_summary
from .emit import MARK, to_yaml
from .export import find_header, import_grid
from .evalexport import import_evaluation_export
from .evalform import import_evaluation_form
from .evaluation import KIND as EVALUATION, Linked, has_grid, is_export, recognises, summary as evaluation_summary
from .form import import_form, looks_like_form
from .office import has_name, joined, ole2_kind, read_docx, read_html, read_xls



@dataclass
class Planned:
    item: Imported
    path: Path
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def guess_lines(self) -> list[tuple[int, str]]:
        return [(n, line.strip().removeprefix(f"# {MARK}："))
                for n, line in enumerate(self.text.splitlines(), start=1) if line.strip().startswith(f"# {MARK}")]


def _kind(path: Path, raw: bytes, chosen: str) -> str:
    if chosen != "auto":
        return chosen
    suffix = path.suffix.lower()
    if suffix == ".pdf" or raw.startswith(b"%PDF"):
        return "pdf"
    if raw.startswith(b"PK\x03\x04"):  # an .xlsx or .docx, whatever its name says
        return "docx" if suffix == ".docx" or (suffix not in (".xlsx", ".xlsm") and b"word/" in raw[:65536]) else "xlsx"
    if raw.startswith(OLE2):  # .xls, or a .doc, or an encrypted .xlsx/.docx: their readers say which
        if suffix in (".docx", ".doc"):
            return "docx"
        return "xlsx" if suffix in (".xlsx", ".xlsm") and ole2_kind(raw) != "xls" else "xls"
    if suffix in (".html", ".htm", ".xls") and _HTML.match(raw):  # web systems save HTML tables as .xls
        return "html"
    return {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".docx": "docx", ".html": "html", ".htm": "html",
            ".csv": "csv", ".tsv": "csv"}.get(suffix) or ("html" if _HTML.match(raw) else "text")


_HTML = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table)\b", re.I | re.S)


def read_file(path: Path, chosen: str, year: int | None, draft: bool = False) -> list[Imported]:
    """The projects in one file; ImportError_ names the file and what was expected. ``draft``: a
    table not every cell of which can be placed is written marked as a draft instead of refused."""
    origin = display_path(path)
    raw = read_input(path, origin)
    kind = _kind(path, raw, chosen)
    if kind == "text":
        from .text import import_text
        return import_text(decode(raw, origin), origin, year, draft=draft)
    if kind == "csv":
        grid = read_csv(raw, origin)
        return _evaluations(grid, origin, year) if recognises(grid) else import_grid(grid, origin, year)
    if kind == "pdf":
        return _pdf_projects(raw, origin, year)
    if kind in ("docx", "html"):
        tables = read_docx(raw, origin) if kind == "docx" else read_html(raw, origin)
        return _interpret(joined(tables), origin, year, "张表格")
    return _interpret(read_xls(raw, origin) if kind == "xls" else read_xlsx(raw, origin), origin, year, "张工作表")


def _interpret(sheets: list[tuple[str, Grid]], origin: str, year: int | None, what: str) -> list[Imported]:
    """The projects of a workbook's sheets or a document's tables, each read as a flat export
    or as the classic form."""
    found: list[Imported] = []
    for title, grid in sheets:
        where = f"{origin}:{title}"
        if is_department(grid):  # a 部门整体支出绩效目标表 names no project: before the project forms
            found.append(import_department_form(grid, where, year))
        elif has_grid(grid):  # a 自评表 (a sheet of notes that names its columns is none)
            if not (is_export(grid) or has_name(grid)):
                continue  # results without a table's head: a page's summary (perfsite's 目标与完成), not a form
            found += _evaluations(grid, where, year)
        elif find_header(grid) is not None:
            found += import_grid(grid, where, year)
        elif looks_like_form(grid):
            found.append(import_form(grid, where, year))
    if not found:
        raise ImportError_(f"{origin}: 没有一{what}像项目表：需要预算系统导出的明细表（项目名称、三级指标、指标值等列）、"
                           "项目支出绩效目标表表样（项目名称、一级指标…指标值）、项目支出绩效自评表（…实际完成值、分值、得分）"
                           "或部门整体支出绩效目标表（部门名称、年度主要任务、年度绩效指标）")
    return found


def _evaluations(grid: Grid, where: str, year: int | None) -> list[Imported]:
    """A sheet of self-evaluations: a flat export's projects, or the one of a printed form."""
    if is_export(grid):
        return import_evaluation_export(grid, where, year)
    return [import_evaluation_form(grid, where, year)]


def _pdf_projects(raw: bytes, origin: str, year: int | None) -> list[Imported]:
    """Each project's table of a PDF, read by the same interpreter as a form sheet."""
    from .pdf import read_pdf

    found: list[Imported] = []
    for where, grid in read_pdf(raw, origin):
        if has_grid(grid):
            found += _evaluations(grid, where, year)
        elif looks_like_form(grid):
            found.append(import_form(grid, where, year))
    if not found:
        raise ImportError_(f"{origin}: PDF 中没有项目支出绩效目标表或自评表：没有一张表格以“项目名称”开头、"
                           "并有“一级指标 二级指标 三级指标 指标值”（自评表：“… 实际完成值 分值 得分”）表头")
    return found


def _profile_for(item: Imported, config: SiteConfig | None, year: int) -> tuple[str, str | None]:
    """The taxonomy to validate with, and a note when the table's own shape says otherwise."""
    configured = config.profile(year).key if config else "classic"
    cost_first = any(canonical(l1) == "成本" for l1 in item.data.get("绩效指标", {}))
    shaped = "2021" if cost_first else configured
    if shaped != configured:
        return shaped, (f"这张表的成本指标是一级指标（财预〔2021〕101号体系），而 site.yaml 中 {year} 年用的是 "
                        f"{configured}；请在 site.yaml 的“指标体系”中把 {year} 年设为 2021")
    return configured, None


def plan(files: list[Path], *, chosen: str, year: int | None, out: Path | None,
         content: Path, draft: bool = False) -> tuple[list[Planned], list[str]]:
    items: list[Imported] = []
    errors: list[str] = []
    for path in files:
        try:
            items += read_file(path, chosen, year, draft)
        except ImportError_ as exc:
            errors.append(str(exc))
    config, _ = load_config(content) if (content / "site.yaml").is_file() else (None, [])
    planned: list[Planned] = []
    targets = _Targets()
    for item in items:
        if year:
            item.data["年度"] = str(year)
        if not item.data.get("年度"):
            errors.append(f"{item.origin}: 不知道「{item.title}」的年度；请用 --year 指定")
    items = [item for item in items if item.data.get("年度")]
    _same_code_other_names([item for item in items if item.kind == "project"])
    # targets first: a self-evaluation links to one imported with it, a department is checked against them
    items.sort(key=lambda item: (item.kind == DEPARTMENT, item.kind == EVALUATION))
    linked = Linked(content)
    for item in items:
        item_year = int(item.data["年度"])
        if item.kind == EVALUATION:
            project = linked.link(item, item_year)
            target = targets.claim(item, out or content / str(item_year) / EVALUATIONS)
            validate = functools.partial(_check_evaluation, project=project, config=config, year=item_year)
        elif item.kind == DEPARTMENT:
            target = out / f"{item.stem}.yaml" if out else content / str(item_year) / DEPARTMENTS / f"{item.stem}.yaml"
            if target in targets.taken:
                errors.append(f"{item.origin}: 「{item.title}」的部门整体支出绩效目标表在本次导入中有两张；"
                              "一个部门一年只有一张，请只导入其中一张")
                continue
            targets.taken.add(target)
            validate = functools.partial(_check_department, projects=linked.projects(item_year), config=config,
                                         year=item_year)
        else:
            target = targets.claim(item, out or content / str(item_year))
            validate = _project_check(item, config, item_year)
        display = display_path(target)
        text, diags = to_yaml(item, display)
        if text is None:
            errors += [d.format() for d in diags]
            continue
        if (size := len(text.encode("utf-8"))) > MAX_BYTES:
            errors.append(_too_large(item, size))
            continue
        source, problems = parse_text(text, display, target)
        if source is not None:
            built, problems = validate(source)
            if item.kind == "project":
                linked.add(item, built, display)
        planned.append(Planned(item, target, text, problems))
    return planned, errors


def _project_check(item: Imported, config: SiteConfig | None, year: int) -> Callable[[Source], tuple[Any, list[Diagnostic]]]:
    """How a target table is validated: its model and rules, with its year's taxonomy and 表样."""
    profile_key, note = _profile_for(item, config, year)
    if note:
        item.guess(("绩效指标",), note)
    form = config.form(year) if config else CLASSIC
    _own_form(item, form, year)

    def validate(source: Source) -> tuple[Any, list[Diagnostic]]:
        project, parts, problems = build_project(source)
        return project, problems + rules.check(parts, source, PROFILES[profile_key], form)
    return validate


def _check_department(source: Source, *, projects: list[Project], config: SiteConfig | None,
                      year: int) -> tuple[Any, list[Diagnostic]]:
    """A department table's model and its checks, against the year's projects (the site's and those
    imported with it) as a build would make them."""
    table, problems = build_department(source)
    if table is None:
        return None, problems
    profile = config.profile(year) if config else PROFILES["classic"]
    form = config.form(year) if config else CLASSIC
    mine = [department_rules.Project(p.name, p.funds.wan(p.funds.total) or Decimal(0)) for p in projects
            if table.matches(*split_department(p.department))]
    names = sorted({p.department for p in projects})
    return table, problems + department_rules.check(table, source, profile, form, mine, names)


def _check_evaluation(source: Source, *, project: Project | None, config: SiteConfig | None,
                      year: int) -> tuple[Any, list[Diagnostic]]:
    """A self-evaluation's model and its checks against its target table (scoring.py), as a build
    would make them."""
    evaluation, problems = build_evaluation(source)
    if evaluation is None:
        return None, problems
    profile = config.profile(year) if config else PROFILES["classic"]
    weights = config.weights(year) if config else dict(DEFAULT_WEIGHTS)
    return evaluation, problems + scoring.check(scoring.score(evaluation, project, profile, weights),
                                                source, profile, weights)


def _own_form(item: Imported, site_form: str | tuple[str, ...], year: int) -> None:
    """A table without a 表样 of its own whose columns the year's 表样 in site.yaml does not all show
    (a classic table with 说明 in a 一体化2021 year) names the classic form, so nothing is hidden."""
    if "表样" in item.data or site_form == CLASSIC:
        return
    used = {key for groups in item.data.get("绩效指标", {}).values() for rows in groups.values()
            for row in rows for key in row}
    if not used <= set(form_columns(site_form)):
        item.data["表样"] = CLASSIC
        item.guess(("表样",), f"site.yaml 中 {year} 年的表样不显示原表的全部栏目，本表写明表样 classic")


class _Targets:
    """The file each project goes to: its id, or the id with the next free -2, -3 … when another
    project of this import took it (a counter per id: projects named alike are common, 办公经费 in
    every unit, and trying every suffix from 2 again for each was quadratic)."""

    def __init__(self) -> None:
        self.taken: set[Path] = set()
        self.next: dict[Path, int] = {}

    def claim(self, item: Imported, folder: Path) -> Path:
        base = item.id
        target = folder / f"{base}.yaml"
        if target in self.taken:
            suffix = self.next.get(target, 2)
            while folder / f"{base}-{suffix}.yaml" in self.taken:
                suffix += 1
            self.next[target] = suffix + 1
            item.data["id"] = f"{base}-{suffix}"
            item.guess(("id",), f"与同批导入的另一个项目 id 相同，改为 {item.id}")
            target = folder / f"{item.id}.yaml"
        self.taken.add(target)
        return target


def _too_large(item: Imported, size: int) -> str:
    """Why a project is not written: check would refuse its file for size (E004)."""
    return (f"{item.origin}: 项目「{item.title}」导入后的内容文件有 {size:,} 字节，超过内容文件的上限 "
            f"{MAX_BYTES:,} 字节（2 MB，perfsite check 会报 E004）；一个项目不会有这么多指标行，多半是原表的"
            "项目名称列没有认出、许多项目被读成了一个：请检查原表，或把它拆开后再导入")


def _same_code_other_names(items: list[Imported]) -> None:
    """One 部门编码 under two names in one year's import is reported on each project: the site
    would list them as two departments, and which name is right only the unit knows."""
    names: dict[tuple[str, str], dict[str, list[Imported]]] = {}
    for item in items:
        code, name = split_department(str(item.data.get("主管部门及代码") or ""))
        if code:
            names.setdefault((str(item.data["年度"]), code), {}).setdefault(name, []).append(item)
    for (_year, code), by_name in names.items():
        if len(by_name) > 1:
            listed = "、".join(f"「{n}」（{len(found)} 个项目）" for n, found in by_name.items())
            for found in by_name.values():
                for item in found:
                    item.guess(("主管部门及代码",), f"部门编码 {code} 在本次导入中对应不同的部门名称：{listed}；"
                                                 "请核对并改成同一个名称")


def write(planned: list[Planned], force: bool) -> list[str]:
    """Write every planned file, or none: returns the refusals."""
    existing = [p.path for p in planned if p.path.exists()]
    if existing and not force:
        return [f"{display_path(p)} 已存在；加 --force 覆盖（一个文件也没有写入）" for p in existing]
    write_files({p.path: p.text for p in planned})
    return []


def summary(item: Imported) -> str:
    """What was read of one project: rows, fund lines, goals (every guess is listed after it)."""
    if item.kind == EVALUATION:
        return evaluation_summary(item)
    if item.kind == DEPARTMENT:
        return department_summary(item)
    data = item.data
    rows = sum(len(rows) for groups in data.get("绩效指标", {}).values() for rows in groups.values())
    funds = data.get("资金", {})
    filled = [key for key, value in funds.items() if key != "单位" and value not in (None, "")]
    total = funds.get("资金总额")
    return (f"读到 (read) {rows} 行指标 rows、{len(data.get('年度目标', []))} 条目标 goals、资金 funds "
            f"{len(filled)} 项" + (f"（资金总额 {total} {funds.get('单位', '万元')}）" if total else "（没有资金总额）"))


def has_errors(planned: list[Planned]) -> bool:
    return any(d.level is Level.ERROR for p in planned for d in p.diagnostics)
