"""The whole site as plain data: pages, their URLs, table grids with rowspans, totals.

Templates only lay this data out; every grouping, span and sum is computed here, once, so that a
template edit cannot break the arithmetic and the arithmetic can be tested without HTML.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Callable, NamedTuple

from .config import SiteConfig
from .forms import CLASSIC, columns as form_columns, scored
from .kinds import EVALUATION_GRID, TARGET, Column
from .diff import ProjectDiff
from .disclosure import Metadata
from .load import DepartmentEntry, Entry, Evaluated, Summary
from .department import DepartmentTable
from .model import MidTerm, Project, Row, in_wan, split_department
from .scoring import Scored, ScoredRow
from .values import cell_text, fmt_amount, written_amount

Form = str | tuple[str, ...]


@dataclass(frozen=True)
class Span:
    """A merged cell: shown on the first row of its group, spanning ``rowspan`` rows."""

    text: str
    rowspan: int
    id: str


@dataclass(frozen=True)
class GridColumn:
    """A column of the grid after 一级 and 二级, as its header row shows it."""

    id: str  # its header cell is h-{id}, its <col> c-{id}, its cells have class {id}
    label: str


class Cell(NamedTuple):
    """One cell of a grid row, in its form's column order. (A named tuple: a 10,000-project site
    makes a million of them, and a frozen dataclass costs four times as much to make.)"""

    id: str  # its column's (GridColumn.id)
    text: str
    header: bool = False  # the 三级指标: the row's own header cell, which the others' headers name
    headers: str = ""  # its headers attribute: its column's header cell, then its row's
    label: str = ""  # its column's label (GridColumn.label): phones show it before the text


@dataclass(frozen=True)
class GridRow:
    level1: Span | None
    level2: Span | None
    name: str
    value: str
    note: str
    id: str
    groups: str  # ids of the 一级 and 二级 header cells over this row
    # Every cell in the form's columns (``grid_columns``); name, value and note stay for templates
    # written before forms had other columns.
    cells: tuple[Cell, ...] = ()

    @property
    def headers(self) -> str:
        """ids of every header that labels this row's data cells."""
        return f"{self.groups} {self.id}"


@dataclass(frozen=True)
class BudgetRow:
    """A scored form's 预算执行 row, first in the grid: its label spans 一级 and 二级 (and any
    columns up to 三级指标), and its points stand in the form's 权重 or 分值 column."""

    id: str
    label: str
    colspan: int
    cells: tuple[Cell, ...]  # the columns after its label


# A column's id on the page where the key the table kind gives it would not keep the ids the
# classic page always had (h-l3); every other column's is its key (h-value, h-note, h-weight, …).
_IDS = {"level3": "l3"}
WIDE = 4  # a form with more row columns than this is printed on A4 landscape (README)


@dataclass(frozen=True)
class FundLine:
    label: str
    amount: str  # as published ("10.38", "36.4", "0"), "" where the form is blank
    key: str
    indent: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    """One project's line on a changes page: enough to count and list it without its full diff."""

    status: str  # added, removed, changed, unchanged
    id: str
    name: str
    total_delta: str = ""  # 资金总额 change, "+0.62 (+5.97%)"
    goal_changes: int = 0
    row_changes: int = 0

    def __fingerprint__(self) -> str:
        """What a view's key takes of it (view.fingerprint): all of it."""
        return self.line

    @property
    def line(self) -> str:
        """All of it as one string, in field order (the cache keeps it so)."""
        return "\x1f".join(map(str, (self.status, self.id, self.name, self.total_delta, self.goal_changes,
                                      self.row_changes)))

    @classmethod
    def from_line(cls, line: str) -> Change:
        """``line`` read back (only the name may hold the separator)."""
        status, ident, rest = line.split("\x1f", 2)
        name, total_delta, goals, rows = rest.rsplit("\x1f", 3)
        return cls(status, ident, name, total_delta, int(goals), int(rows))

    @classmethod
    def of(cls, d: ProjectDiff) -> Change:
        total = next((c.delta or "" for c in d.funds if c.field == "资金总额"), "")
        mid = d.midterm  # a multi-year project's 中期 goals and rows count with the year's
        return cls(d.status, d.id, d.name, total, len(d.goals) + (len(mid.goals) if mid else 0),
                   len(d.rows) + (len(mid.rows) if mid else 0))


class ProjectPage:
    """One project's page, arranged: where it goes and the same project the year before. Only its
    summary is read to arrange the site; the model (``project``) loads on first use."""

    __slots__ = ("entry", "path", "previous", "metadata", "evaluation")

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.path = entry.summary.path
        self.previous: ProjectPage | None = None  # the same project (by id, else name) the year before
        self.metadata: Metadata | None = None  # its 索引号, 发布机构 and dates, from its year's tables
        self.evaluation: EvaluationPage | None = None  # its self-evaluation, once the year has one

    @property
    def summary(self) -> Summary:
        return self.entry.summary

    @property
    def project(self) -> Project:
        return self.entry.project

    @property
    def digest(self) -> str:
        return self.entry.digest

    @property
    def total(self) -> Decimal:
        return self.entry.summary.total

    @property
    def name(self) -> str:
        return self.entry.summary.name

    @property
    def id(self) -> str:
        return self.entry.summary.id

    @property
    def year(self) -> int:
        return self.entry.summary.year


class EvaluationPage:
    """One self-evaluation's page, beside its target table's (``target``; None: the year has none)."""

    __slots__ = ("entry", "path", "target")

    def __init__(self, entry: Evaluated, target: ProjectPage | None) -> None:
        self.entry, self.target = entry, target
        self.path = evaluation_path(entry.evaluation.year, entry.evaluation.id)

    @property
    def scored(self) -> Scored:
        assert self.entry.scored is not None
        return self.entry.scored

    @property
    def name(self) -> str:
        return self.entry.evaluation.name

    @property
    def id(self) -> str:
        return self.entry.evaluation.id

    @property
    def year(self) -> int:
        return self.entry.evaluation.year

    def line(self) -> EvaluationLine:
        """What listings show of it."""
        scored = self.scored
        return EvaluationLine(self.id, self.name, self.path, scored.evaluation.total, scored.rate, scored.grade,
                              self.target.path if self.target else None)


class EvaluationLine(NamedTuple):
    """A self-evaluation as year and department pages list it: 总分, 执行率 and 自评等级."""

    id: str
    name: str
    path: str  # its page, from the site root
    total: Decimal  # 总分
    rate: Decimal | None  # 执行率 (%), of 年度资金总额
    grade: str  # 自评等级
    target: str | None  # its target table's page, None where the year has none


def evaluation_path(year: int, id_: str) -> str:
    """A self-evaluation's page: in its year's ziping/ folder, under its project's id."""
    return f"{year}/{EVALUATION_DIR}/{id_}.html"


EVALUATION_DIR = "ziping"  # 自评, as the URL has it (ASCII, like the ids)
DEPARTMENT_DIR = "bumen"  # 部门: a year's department tables, by department slug


@dataclass
class Department:
    """A department's projects of one year, and their self-evaluations."""

    name: str
    code: str | None
    projects: list[ProjectPage]
    total: Decimal = Decimal(0)  # of its projects' 资金总额 (万元)
    evaluations: list[EvaluationPage] = field(default_factory=list)  # its projects', then any without one
    table: DepartmentEntry | None = None  # its own 部门整体支出绩效目标表 of the year

    def __post_init__(self) -> None:
        self.total = sum((p.total for p in self.projects), Decimal(0))

    @property
    def slug(self) -> str:
        """Its id on year pages and its department page's name (names may repeat across codes)."""
        return department_slug(self.name, self.code)

    def table_path(self, year: int) -> str:
        """Its 部门整体支出绩效目标表's page of ``year``, from the site root."""
        return f"{year}/{DEPARTMENT_DIR}/{self.slug}.html"


class Download(NamedTuple):
    """A CSV of the indicators of some projects: where it goes, and what it holds."""

    path: str  # from the site root
    title: str
    projects: list[ProjectPage]
    name: str  # its resource name in the year's datapackage.json


@dataclass
class DepartmentChanges:
    """A large year's changes in one department (``YearPage.split_changes``): its projects of the
    year, and those of the year before that no project continues."""

    year: YearPage
    name: str
    code: str | None
    slug: str
    projects: list[ProjectPage]
    removed: list[ProjectPage]

    @property
    def path(self) -> str:
        return f"{self.year.year}/changes/{self.slug}.html"


@dataclass
class YearPage:
    year: int
    path: str
    departments: list[Department]
    profile_title: str
    previous: YearPage | None = None  # the year before, when the site has it
    projects: list[ProjectPage] = field(default_factory=list)  # in page order
    evaluations: list[EvaluationPage] = field(default_factory=list)  # in page order, by department

    @property
    def changes_path(self) -> str | None:
        return f"{self.year}/changes.html" if self.previous else None

    @property
    def removed(self) -> list[ProjectPage]:
        """The year before's projects that no project of this year continues."""
        if self.previous is None:
            return []
        paired = {id(p.previous) for p in self.projects if p.previous is not None}
        return [p for p in self.previous.projects if id(p) not in paired]

    DETAIL_LIMIT = 100  # above this many changed projects, the changes page lists one line each
    WHOLE_CSV_LIMIT = 500  # above this many projects, a year's indicators are downloaded per department
    SPLIT_CHANGES_LIMIT = 500  # above this many projects, a year's changes are listed per department
    LIST_LIMIT = 500  # above this many projects, a year's page is a table of its departments

    @property
    def split_changes(self) -> bool:
        """Are the year's changes on a page per department, the year's page counting them? At
        3,000 projects one page of a line each is 1 MB that no reader scrolls, rewritten whenever
        any project changes; a department's is a few dozen lines, and only its own edits touch it."""
        return self.previous is not None and len(self.projects) > self.SPLIT_CHANGES_LIMIT

    def department_changes(self) -> list[DepartmentChanges]:
        """The pages of ``split_changes``: every department of this year, and every one of the
        year before whose projects were all removed, by code and name as departments are."""
        if self.previous is None:
            return []
        parts = {d.slug: DepartmentChanges(self, d.name, d.code, d.slug, d.projects, []) for d in self.departments}
        removed = {id(p) for p in self.removed}
        for d in self.previous.departments:
            gone = [p for p in d.projects if id(p) in removed]
            if gone:
                parts.setdefault(d.slug, DepartmentChanges(self, d.name, d.code, d.slug, [], [])).removed.extend(gone)
        return sorted(parts.values(), key=lambda part: (part.code or "", part.name))

    @property
    def split_list(self) -> bool:
        """Is the year's page a table of its departments, each linking to the year's section of
        its department's page, which lists the projects? At 3,333 projects the page listed
        617 KB of rows that no reader scrolls, rendered again on any name or implementer edit."""
        return len(self.projects) > self.LIST_LIMIT

    @property
    def whole_csv(self) -> bool:
        """Is there one CSV of the whole year? At 3,000 projects it is 45 MB, which no spreadsheet
        user wants and which every edit of any project would rewrite: large years have one file
        per department (which every year has)."""
        return len(self.projects) <= self.WHOLE_CSV_LIMIT

    @property
    def downloads(self) -> list[Download]:
        """The year's indicator CSVs: one per department, and one of the whole year if small."""
        out = [Download(f"{self.year}/indicators/{d.slug}.csv", f"{d.name} {self.year}年度绩效指标（每行一个指标）",
                        d.projects, f"indicators-{self.year}-{d.slug}") for d in self.departments if d.projects]
        if self.whole_csv and self.projects:
            out.insert(0, Download(f"{self.year}/indicators.csv", f"{self.year}年度全部绩效指标（每行一个指标）",
                                   self.projects, f"indicators-{self.year}"))
        return out

    @property
    def total(self) -> Decimal:
        return sum((d.total for d in self.departments), Decimal(0))


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (long names shortened)
    full: str   # as announced and shown on hover
    value: str
    x: float
    y: float
    width: float
    height: float
    href: str | None = None


@dataclass(frozen=True)
class Chart:
    """A bar chart laid out at build time: the template only draws rectangles and text."""

    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool


def _label(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, items: list[tuple[str, Decimal, str | None]], *, horizontal: bool,
              top: Decimal | None = None, shown: Callable[[Decimal], str] = fmt_amount) -> Chart:
    """Bars proportional to amounts (万元), or to ``top`` (a score's 100); horizontal for long
    names, vertical for years. ``shown``: how a bar's value is written (a total at its shortest)."""
    top = top or max((v for _, v, _ in items), default=Decimal(1)) or Decimal(1)
    bars = []
    if horizontal:
        label_w, bar_w, row_h = 240, 360, 28
        for i, (label, value, href) in enumerate(items):
            w = float(value / top) * bar_w
            bars.append(Bar(_label(label), label, shown(value), label_w, 10 + i * row_h, round(w, 1), row_h - 8, href))
        return Chart(title, label_w + bar_w + 90, 20 + len(items) * row_h, tuple(bars), True)
    col_w, plot_h = 90, 180
    for i, (label, value, href) in enumerate(items):
        h = float(value / top) * plot_h
        bars.append(Bar(label, label, shown(value), 20 + i * col_w, round(30 + plot_h - h, 1), col_w - 30,
                        round(h, 1), href))
    return Chart(title, 40 + len(items) * col_w, plot_h + 60, tuple(bars), False)


@dataclass
class DepartmentPage:
    """One department across the years: its projects of each year."""

    name: str
    code: str | None
    slug: str
    years: list[tuple[YearPage, Department]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"departments/{self.slug}.html"


def year_chart(name: str, totals: list[tuple[int, Decimal]]) -> Chart:
    """A department's total per year, oldest first."""
    items = [(f"{year}年", total, None) for year, total in sorted(totals)]
    return bar_chart(f"{name}各年度资金总额（万元）", items, horizontal=False)


def project_chart(name: str, year: int, projects: list[Summary]) -> Chart:
    """A department's projects of one year, by total."""
    items = [(p.name, p.total, f"../{p.path}") for p in projects]
    return bar_chart(f"{name}{year}年度各项目资金总额（万元）", items, horizontal=True)


def score_chart(title: str, lines: list[EvaluationLine]) -> Chart:
    """Self-evaluations by 总分, on a scale of 100 (pages in a folder beside the year's: ``../``)."""
    items = [(line.name, line.total, f"../{line.path}") for line in lines]
    return bar_chart(title, items, horizontal=True, top=Decimal(100))


def rate_chart(title: str, lines: list[EvaluationLine]) -> Chart:
    """Self-evaluations by 执行率 (%), on a scale of 100 or the highest rate above it."""
    items = [(line.name, line.rate, f"../{line.path}") for line in lines if line.rate is not None]
    return bar_chart(title, items, horizontal=True, top=max([Decimal(100), *(rate for _, rate, _ in items)]),
                     shown=written_amount)  # 90.00, as the table beside it


def workbook_path(year: int, slug: str) -> str:
    """A department's forms of one year as one .xlsx (a sheet per project), beside its indicator CSV."""
    return f"{year}/indicators/{slug}.xlsx"


def department_slug(name: str, code: str | None) -> str:
    if code:
        return f"d{code}"
    return "d-" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()


@dataclass
class Site:
    config: SiteConfig
    years: list[YearPage] = field(default_factory=list)
    departments: list[DepartmentPage] = field(default_factory=list)

    INDEX_LIMIT = 500  # above this many projects, the home page lists departments, not every project

    @property
    def projects(self) -> list[ProjectPage]:
        return [p for y in self.years for p in y.projects]

    @property
    def index_lists_projects(self) -> bool:
        """A home page listing 10,000 projects would be 3 MB that no one reads (and rewritten on
        every change): large sites list each year's departments, and the year pages the projects."""
        return sum(len(y.projects) for y in self.years) <= self.INDEX_LIMIT


def fund_lines(project: Project) -> list[FundLine]:
    """The fund block as the form prints it (kinds.TARGET declares its lines)."""
    funds = project.funds
    lines = []
    for line in TARGET.fund_lines:
        raw = getattr(funds, line.attr)
        if not line.amount:
            text = raw or ""
        else:
            text = "" if raw is None else written_amount(funds.wan(raw))
        lines.append(FundLine(line.label, text, line.attr, line.indent))
    return lines


class MidFundLine(NamedTuple):
    """A line of a multi-year project's 项目资金: the whole 项目期's amount beside the year's."""

    label: str
    key: str
    midterm: str
    year: str
    indent: bool


def midterm_layout(project: Project, form: Form) -> dict[str, object] | None:
    """A multi-year project's 中期 block beside its year's: the money in two columns, 中期目标
    beside 年度目标, and the 中期 grid (its ids prefixed ``m-``); None for a one-year project."""
    mid = project.midterm
    if mid is None:
        return None
    funds = project.funds

    def shown(amount: Decimal | None) -> str:  # both columns in 万元, as the year's fund lines
        return "" if amount is None else written_amount(funds.wan(amount))

    lines = [MidFundLine(label, attr, shown(getattr(mid.funds, attr)), shown(getattr(funds, attr)), indent)
             for label, attr, indent in (("资金总额", "total", False), ("其中：财政拨款", "fiscal", True),
                                         ("其他资金", "other", False))]
    rows = grid(mid, form, "m-")
    return {"funds": lines, "goals": mid.goals, "grid": rows, "columns": grid_columns(form), "prefix": "m-",
            "period": project.period or ""}


def form_of(project: Project, config: SiteConfig) -> Form:
    """The 表样 a project is shown in: its file's own, else its year's in site.yaml."""
    return project.form or config.form(project.year)


def _column_id(column: Column) -> str:
    return _IDS.get(column.key, column.key)


def grid_columns(form: Form) -> list[GridColumn]:
    """The header row's columns after 一级 and 二级, as the form orders them."""
    return [GridColumn(_column_id(c), c.label) for c in TARGET.row_columns(form)]


def is_wide(form: Form) -> bool:
    return len(form_columns(form)) > WIDE


def _cell_makers(form: Form) -> tuple[tuple[str, str, bool, str], ...]:
    """(column id, row attribute, is the row's header, label) of each column: worked out once a grid."""
    return tuple((_column_id(c), c.attr or "", c.key == "level3", c.label) for c in TARGET.row_columns(form))


def _cells(row: Row, makers: tuple[tuple[str, str, bool, str], ...], groups: str, row_id: str,
           prefix: str = "") -> tuple[Cell, ...]:
    """A row's cells; the header cell names its categories' header cells, the others the row's too."""
    return tuple(Cell(id_, cell_text(getattr(row, attr)), header,
                      f"{prefix}h-{id_} {groups}" if header else f"{prefix}h-{id_} {groups} {row_id}", label)
                 for id_, attr, header, label in makers)


def budget_row(project: Project, form: Form) -> BudgetRow | None:
    """The 预算执行 row of a form that scores its rows, when the table gives 预算执行 points."""
    points_column = scored(form)
    if points_column is None or project.budget_points is None:
        return None
    columns = TARGET.row_columns(form)
    label_over = 1 + next(i for i, c in enumerate(columns) if c.key == "level3")  # 三级指标 and those before it
    cells = tuple(Cell(_column_id(c), written_amount(project.budget_points) if c.label == points_column else "",
                       headers=f"h-{_column_id(c)} {_BUDGET_ID}", label=c.label) for c in columns[label_over:])
    return BudgetRow(_BUDGET_ID, TARGET.field("budget_points").alias, 2 + label_over, cells)


_BUDGET_ID = "l1-0"  # the 预算执行 row's header cell: before the first category's l1-1


def grid(table: Project | MidTerm | DepartmentTable, form: Form = CLASSIC, prefix: str = "") -> list[GridRow]:
    """The indicator grid of a table (a project's, its 中期 block's, a department's), 一级 and 二级
    merged over their rows, with header ids for screen readers, each row's cells in the form's
    columns. ``prefix`` starts every id, for a second grid on one page (the 中期 one: "m")."""
    rows: list[GridRow] = []
    makers = _cell_makers(form)
    for i, (level1, groups) in enumerate(table.indicators.items(), start=1):
        id1 = f"{prefix}l1-{i}"
        span1: Span | None = Span(level1, sum(len(r) for r in groups.values()), id1)
        for j, (level2, items) in enumerate(groups.items(), start=1):
            id2 = f"{prefix}l2-{i}-{j}"
            span2: Span | None = Span(level2, len(items), id2)
            for row in items:
                row_id = f"{prefix}r-{len(rows) + 1}"
                rows.append(GridRow(span1, span2, row.name, row.value_text, row.note or "", row_id, f"{id1} {id2}",
                                    _cells(row, makers, f"{id1} {id2}", row_id, prefix)))
                span1 = span2 = None
    return rows


def _department_key(page: ProjectPage) -> tuple[str, str]:
    p = page.entry.summary
    return (p.department_code or "", p.department_name)


def make_site(config: SiteConfig, entries: list[Entry], evaluations: list[Evaluated] = (),  # type: ignore[assignment]
              tables: list[DepartmentEntry] = ()) -> Site:  # type: ignore[assignment]
    """Arrange valid projects into pages: by year (newest first), then department, then name, each
    with its self-evaluation, each department with its own table. Only summaries are read: no
    project is loaded to arrange the site."""
    site = Site(config=config)
    ordered = sorted(entries, key=lambda e: (-e.summary.year, e.summary.department_code or "",
                                             e.summary.department_name, e.summary.name, e.summary.id))
    pages = [ProjectPage(e) for e in ordered]
    by_year: dict[int, list[ProjectPage]] = {}
    for page in pages:
        by_year.setdefault(page.year, []).append(page)
    evaluated: dict[int, list[Evaluated]] = {}
    for entry in evaluations:
        evaluated.setdefault(entry.evaluation.year, []).append(entry)
    by_table_year: dict[int, list[DepartmentEntry]] = {}
    for table in tables:
        by_table_year.setdefault(table.table.year, []).append(table)
    for year in sorted(by_year.keys() | evaluated.keys() | by_table_year.keys(), reverse=True):
        departments = [Department(name=key[1], code=key[0] or None, projects=list(items))
                       for key, items in groupby(by_year.get(year, []), key=_department_key)]
        projects = [p for d in departments for p in d.projects]
        year_page = YearPage(year=year, path=f"{year}/index.html", departments=departments,
                             profile_title=config.profile(year).title, projects=projects)
        site.years.append(year_page)
        listed = config.catalogue(year, [p.summary for p in projects])
        for page in projects:
            page.metadata = listed[page.id]
        _evaluate(year_page, evaluated.get(year, []))
        _attach_tables(year_page, by_table_year.get(year, []))
    by_slug: dict[str, DepartmentPage] = {}
    for year_page in site.years:
        for dept in year_page.departments:
            page = by_slug.setdefault(dept.slug, DepartmentPage(dept.name, dept.code, dept.slug))
            page.years.append((year_page, dept))
    site.departments = sorted(by_slug.values(), key=lambda d: (d.code or "", d.name))
    by_year = {y.year: y for y in site.years}
    for year_page in site.years:
        year_page.previous = by_year.get(year_page.year - 1)
        if year_page.previous is not None:
            _pair(year_page, year_page.previous)
    return site


def _evaluate(year: YearPage, evaluations: list[Evaluated]) -> None:
    """Each self-evaluation on its target table's page and its department; one without a target
    table in a department of its own naming (added to the year if it has no project)."""
    by_id = {p.id: p for p in year.projects}
    alone = []
    for entry in evaluations:
        target = by_id.get(entry.evaluation.id)
        page = EvaluationPage(entry, target)
        if target is not None:
            target.evaluation = page
        else:
            alone.append(page)
    for dept in year.departments:
        dept.evaluations = [p.evaluation for p in dept.projects if p.evaluation is not None]
    by_key = {(d.code or "", d.name): d for d in year.departments}
    for page in sorted(alone, key=lambda e: (e.scored.department or "", e.name, e.id)):
        code, name = split_department(page.scored.department or "")
        dept = by_key.get((code or "", name))
        if dept is None:
            dept = by_key[(code or "", name)] = Department(name=name, code=code, projects=[])
            year.departments.append(dept)
        dept.evaluations.append(page)
    year.departments.sort(key=lambda d: (d.code or "", d.name))
    year.evaluations = [e for d in year.departments for e in d.evaluations]


def _attach_tables(year: YearPage, tables: list[DepartmentEntry]) -> None:
    """Each department table on the department it names (load checked there is one table per
    department); one naming a department without projects makes that department."""
    for entry in tables:
        table = entry.table
        dept = next((d for d in year.departments if table.matches(d.code, d.name)), None)
        if dept is None:
            dept = Department(name=table.name, code=table.code, projects=[])
            year.departments.append(dept)
        dept.table = entry
    year.departments.sort(key=lambda d: (d.code or "", d.name))


def _pair(year: YearPage, before_year: YearPage) -> None:
    """Each project with the same project the year before, as the diff pairs them: by id, then by
    name (a project whose id changed)."""
    before = {p.entry.summary.id: p for p in before_year.projects}
    unpaired = []
    for page in year.projects:
        page.previous = before.get(page.entry.summary.id)
        if page.previous is None:
            unpaired.append(page)
    if unpaired:
        paired_ids = {p.entry.summary.id for p in year.projects} & before.keys()
        by_name = {p.name: p for p in before_year.projects if p.id not in paired_ids}
        for page in unpaired:
            page.previous = by_name.pop(page.name, None)


class EvaluationCell(NamedTuple):
    """A cell of the 自评表's grid: a grid Cell, and ``mark``, what the 实际完成值 cell of a row that
    misses its target says of it (未达到): shown beside the value, not by colour alone."""

    id: str
    text: str
    header: bool = False
    headers: str = ""
    label: str = ""
    mark: str = ""


UNMET = "未达到"  # the mark of an actual that does not meet its parseable target


@dataclass(frozen=True)
class EvaluationRow:
    """A row of a self-evaluation's grid as its form prints it: 一级 (with its points) and 二级
    merged over their rows, then the row's cells in EVALUATION_GRID's order."""

    level1: Span | None
    level2: Span | None
    id: str
    groups: str
    cells: tuple[EvaluationCell, ...]
    met: bool | None  # the actual meets the target; None where that cannot be read

    @property
    def headers(self) -> str:
        return f"{self.groups} {self.id}"


def evaluation_columns() -> list[GridColumn]:
    """The grid's columns after 一级 and 二级."""
    return [GridColumn(_column_id(c), c.label) for c in EVALUATION_GRID[2:]]


def _evaluation_cell(row: ScoredRow, attr: str) -> str:
    return row.target or "" if attr == "target" else cell_text(getattr(row.row, attr))


def evaluation_grid(scored: Scored) -> list[EvaluationRow]:
    """The 自评表's grid: each row's target from the file, else its target table."""
    rows: list[EvaluationRow] = []
    points = {c.name: c.points for c in scored.categories}
    columns = EVALUATION_GRID[2:]
    current: tuple[str, str] | None = None
    by_group: dict[tuple[str, str], int] = {}
    for r in scored.rows:
        by_group[(r.level1, r.level2)] = by_group.get((r.level1, r.level2), 0) + 1
    ones: dict[str, int] = {}
    for r in scored.rows:
        ones[r.level1] = ones.get(r.level1, 0) + 1
    ids1 = {name: f"l1-{i}" for i, name in enumerate(points, start=1)}
    seen1: set[str] = set()
    for r in scored.rows:
        id1 = ids1[r.level1]
        id2 = f"l2-{id1[3:]}-{list(scored.evaluation.indicators[r.level1]).index(r.level2) + 1}"
        span1 = None if r.level1 in seen1 else Span(f"{r.level1}（{fmt_amount(points[r.level1])}分）", ones[r.level1], id1)
        span2 = None if current == (r.level1, r.level2) else Span(r.level2, by_group[(r.level1, r.level2)], id2)
        seen1.add(r.level1)
        current = (r.level1, r.level2)
        row_id = f"r-{len(rows) + 1}"
        groups = f"{id1} {id2}"
        cells = tuple(EvaluationCell(_column_id(c), _evaluation_cell(r, c.attr or ""), c.key == "level3",
                                     f"h-{_column_id(c)} {groups}" if c.key == "level3" else f"h-{_column_id(c)} {groups} {row_id}",
                                     c.label, UNMET if r.met is False and c.key == "actual" else "")
                      for c in columns)
        rows.append(EvaluationRow(span1, span2, row_id, groups, cells, r.met))
    return rows


class EvaluationFund(NamedTuple):
    """A line of 项目资金 as the 自评表 prints it: amounts in 万元 as written, 执行率 in percent."""

    label: str
    initial: str
    budget: str
    spent: str
    rate: str
    indent: bool


def evaluation_points(scored: Scored) -> str:
    """The 总分 line's 分值: 预算执行's and every category's, as the file gives them (100 when the
    weights check passes; printing 100 regardless would hide a form whose points do not add up)."""
    total = scored.evaluation.funds.points + sum((c.points for c in scored.categories), Decimal(0))
    return fmt_amount(total)


def evaluation_funds(scored: Scored) -> list[EvaluationFund]:
    """项目资金's lines that the file gives, in 万元 whatever its 单位, each with its 执行率."""
    funds = scored.evaluation.funds
    out = []
    for attr, label, line in funds.lines():
        if line is None:
            continue
        amounts = [("" if v is None else written_amount(funds_wan(funds.unit, v))) for v in (line.initial, line.budget, line.spent)]
        rate = line.shown_rate
        out.append(EvaluationFund("其中：" + label if attr == "fiscal" else label, *amounts,
                                  "" if rate is None else f"{written_amount(rate)}%", attr != "total"))
    return out


funds_wan = in_wan  # an amount of a self-evaluation's fund block in 万元, as a target table's (model.in_wan)
