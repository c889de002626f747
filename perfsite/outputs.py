"""The site's outputs: every file a build writes, each with the view it is made from.

This is the one list of the site's files: the build keys and writes it, the sitemap lists its
pages, and each year's search bundle indexes its pages. (The link check reads the files as they
will be published, search bundles included.) What each template receives is decided here and nowhere else (README: "What each template
receives"); a view holds plain data and ``Part``s, so its key covers all of it (view.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
from typing import Any, NamedTuple

from . import opendata, search, xlsx
from .department_layout import layout
from .pdf import STYLESHEET
from .diff import report_order
from .disclosure import Metadata
from .memo import DiffMemo
from .load import Summary
from .scoring import Scored, score
from .site import (EVALUATION_DIR, Change, Department, DepartmentChanges, DepartmentPage, EvaluationPage, ProjectPage,
                   Site, YearPage, budget_row, evaluation_columns, evaluation_funds, evaluation_grid, evaluation_points, form_of,
                   fund_lines, grid, grid_columns, is_wide, midterm_layout, project_chart, rate_chart, score_chart, workbook_path,
                   year_chart)
from .taxonomy import PROFILES
from .view import Part, fingerprint

SITEMAP_LIMIT = 50_000  # pages one sitemap file may list (the sitemaps.org protocol's limit)
FEED_ENTRIES = 100  # the feed's newest tables: feed readers poll for what is new
PDF = "pdf:"  # a PDF's maker: "pdf:" and the template whose pages it converts (builder._emit)


class Output(NamedTuple):
    """One file of the site: where it goes, what makes it (a template, ``*.html``, or a writer's
    name: see builder.WRITERS), and the view it is made from."""

    path: str
    make: str
    view: Any


def _comparison_funds(old: Part, new: Part, comparison: Part) -> list[tuple[str, str, str, str]]:
    """(label, last year, this year, change) for every fund line, changed or not."""
    before = {line.key: line.amount for line in fund_lines(old.value)}
    changes = {c.field: c.delta for c in comparison.value.funds}
    return [(line.label, before[line.key], line.amount, changes.get(line.label.removeprefix("其中："), "") or "")
            for line in fund_lines(new.value) if line.key != "source"]


def _chart(name: str, year: int, projects: Part) -> Any:
    return project_chart(name, year, projects.value["projects"])


def _scored(evaluation: Part, target: Part | None, profile: str, weights: tuple[tuple[str, Any], ...]) -> Scored:
    """A self-evaluation against its target table, as the load checked it (scoring.score)."""
    return score(evaluation.value, None if target is None else target.value, PROFILES[profile], dict(weights))


def _score_chart(title: str, lines: Part) -> Any:
    return score_chart(title, lines.value)


def _rate_chart(title: str, lines: Part) -> Any:
    return rate_chart(title, lines.value)


def _department_form(table: Part, form: Any, department: Part) -> dict[str, Any]:
    """A department's table laid out (department_layout), beside its year's projects."""
    listed = department.value
    return layout(table.value, form, listed["count"], listed["total"])


def scores_path(year: int) -> str:
    """A year's 总分 and 执行率 of every self-evaluation, as one CSV."""
    return f"{year}/{EVALUATION_DIR}/scores.csv"


def page_form(page: ProjectPage, year_form: Any) -> Any:
    """A project's 表样 from its summary (the file's own), else its year's: no model is loaded."""
    return page.summary.form or year_form


Pairs = tuple[tuple[Part, Part], ...]  # (last year's file, this year's) of each continued project


class _Changes:
    """What changes pages show, from the pairs' diffs: parts valued by the lines (``Change``) they
    list and count (the memo has every pair, from this build or the cache), so that an edit that
    changes no line changes no such page. The full diffs of a page that shows them are parts,
    made when it is rendered."""

    def __init__(self, memo: DiffMemo) -> None:
        self.memo = memo

    def statuses(self, pairs: Pairs) -> list[Change]:
        return [self.memo.change(old, new) for old, new in pairs]

    def counts(self, pairs: Pairs, added: int, removed: int) -> dict[str, int]:
        found = [c.status for c in self.statuses(pairs)]
        return {"added": added, "removed": removed, "changed": found.count("changed"),
                "unchanged": found.count("unchanged")}

    def parts(self, parts: tuple[tuple[str, str, str | None, Pairs, int, int], ...]) -> list[dict[str, Any]]:
        """A large year's changes page: each department's counts."""
        return [{"slug": slug, "name": name, "code": code, **self.counts(pairs, added, removed)}
                for slug, name, code, pairs, added, removed in parts]

    def listing(self, pairs: Pairs, added: tuple[tuple[str, str], ...], removed: tuple[tuple[str, str], ...],
                detail_limit: int) -> dict[str, Any]:
        """New, removed, changed and unchanged projects (``Change`` lines), and for at most
        ``detail_limit`` changed ones their full comparison (else ``details`` is None)."""
        statuses = self.statuses(pairs)
        items = [Change("added", i, n) for i, n in added] + statuses + [Change("removed", i, n) for i, n in removed]
        items.sort(key=report_order)
        out: dict[str, Any] = {status: [c for c in items if c.status == status]
                               for status in ("added", "removed", "changed", "unchanged")}
        changed = sorted(((c, pair) for c, pair in zip(statuses, pairs) if c.status == "changed"),
                         key=lambda found: report_order(found[0]))
        out["details"] = None
        if len(changed) <= detail_limit:
            out["details"] = [Part.derived(self.detail, *pair) for _, pair in changed]
        return out

    def detail(self, old: Part, new: Part) -> dict[str, Any]:
        """One changed project in full, as a year's changes page shows it."""
        comparison = Part.derived(self.memo.diff, old, new)
        d = comparison.value
        return {"id": d.id, "name": d.name, "renamed": d.renamed, "old_name": d.header[0].old if d.renamed else None,
                "comparison": d, "funds": [f for f in _comparison_funds(old, new, comparison) if f[3]]}


class Views:
    """The outputs of one arranged site. Parts that many views share (a department's list, the
    config) are made once, so that a key costs a hash of a few digests."""

    def __init__(self, site: Site, memo: DiffMemo, pdf: dict[str, Any] | None = None) -> None:
        """``pdf``: what every PDF is made with (the engine, the date, the stylesheet's digest),
        when PDFs are built; pages then link them."""
        self.site, self.memo, self.changes, self.pdf = site, memo, _Changes(memo), pdf
        self.common = {"config": Part.of(site.config), "nav": Part.of([(y.year, y.path) for y in site.years])}
        self.shared = Part.of(self.common)  # the same, as one input
        self._files = {id(page): Part.file(page.entry.digest, page.entry.fetch) for page in site.projects}
        files = self._files
        self._pairs = {id(page): (files[id(page.previous)], files[id(page)])  # each continued project
                       for page in site.projects if page.previous is not None}
        self._departments: dict[tuple[int, str], Part] = {}
        self._scored = {id(e): self._score(e) for year in site.years for e in year.evaluations}
        self._lines: dict[tuple[int, str], Part] = {}
        self._forms: dict[tuple[int, str], Part] = {}  # department tables laid out (department_form)
        self.when = xlsx.source_date()  # the .xlsx files' date, in their views (else their year's first day)

    def file(self, page: ProjectPage) -> Part:
        """A project's model, named by its file's digest."""
        return self._files[id(page)]

    def _score(self, page: EvaluationPage) -> Part:
        """A self-evaluation read against its target table: made from both files and the year's
        taxonomy and weights, so that a target table's edit remakes what shows its scores."""
        config = self.site.config
        target = None if page.target is None else self.file(page.target)
        return Part.derived(_scored, Part.file(page.entry.digest, page.entry.fetch), target,
                            config.profile(page.year).key, tuple(config.weights(page.year).items()))

    def scored(self, page: EvaluationPage) -> Part:
        return self._scored[id(page)]

    def evaluation_lines(self, year: YearPage, dept: Department | None = None) -> Part:
        """总分, 执行率 and 自评等级 of a year's self-evaluations (or a department's), as listings show them."""
        key = (year.year, "" if dept is None else dept.slug)
        found = self._lines.get(key)
        if found is None:
            pages = year.evaluations if dept is None else dept.evaluations
            found = self._lines[key] = Part.of([p.line() for p in pages])
        return found

    def department_form(self, year: YearPage, dept: Department) -> Part | None:
        """A department's own table of the year, laid out: made from its file, the year's 表样
        and the department's projects (their count and total), so an edit of any remakes it."""
        entry = dept.table
        if entry is None:
            return None
        key = (year.year, dept.slug)
        found = self._forms.get(key)
        if found is None:
            found = self._forms[key] = Part.derived(_department_form, Part.file(entry.digest, entry.fetch),
                                                    self.site.config.form(year.year), self.department(year, dept))
        return found

    def _page(self, path: str, template: str, root: str, **view: Any) -> Output:
        return Output(path, template, {**self.common, "path": path, "root": root, **view})

    def department(self, year: YearPage, dept: Department) -> Part:
        """The department of one year as pages that list its projects see it: its tally and its
        projects' summaries."""
        key = (year.year, dept.slug)
        found = self._departments.get(key)
        if found is None:
            found = self._departments[key] = Part.of({**self.tally(dept),
                                                      "projects": [p.summary for p in dept.projects]})
        return found

    @staticmethod
    def tally(dept: Department) -> dict[str, Any]:
        """A department as a page that counts its projects sees it: no project is in it."""
        return {"name": dept.name, "code": dept.code, "slug": dept.slug, "path": f"departments/{dept.slug}.html",
                "count": len(dept.projects), "total": dept.total}

    def pairs(self, projects: list[ProjectPage]) -> Pairs:
        found = self._pairs
        return tuple(found[id(p)] for p in projects if id(p) in found)

    @staticmethod
    def added(projects: list[ProjectPage]) -> tuple[tuple[str, str], ...]:
        """(id, name) of those with no project the year before."""
        return tuple((p.id, p.name) for p in projects if p.previous is None)

    # Pages ---------------------------------------------------------------------------------
    def pages(self, indexed: bool) -> list[Output]:
        """Every HTML page, in a stable order. ``indexed``: the site has a search index."""
        site = self.site
        out = [self.index(), self.departments_index(), self.search_page(indexed)]
        for year in site.years:
            out.append(self.year_page(year))
            out += self.changes_pages(year)
            out += [self.project_page(year, dept, page) for dept in year.departments for page in dept.projects]
            out += [self.evaluation_page(page) for page in year.evaluations]
            out += [self.department_table_page(year, dept) for dept in year.departments if dept.table is not None]
        out += [self.department_page(d) for d in site.departments]
        return out

    def project_page(self, year: YearPage, dept: Department, page: ProjectPage) -> Output:
        """A project's page. Its view is made by ``_project_view`` from these inputs when the
        page is rendered; its key is of the inputs (10,000 of them are keyed on every build)."""
        evaluation = None if page.evaluation is None else self.scored(page.evaluation)
        return Output(page.path, "project.html", Part.derived(
            self._project_view, self.shared, page.path, page.summary, self.file(page), *self._before(page),
            self.department(year, dept), page.metadata, version_links(page), self.pdf is not None, evaluation))

    def department_table_page(self, year: YearPage, dept: Department) -> Output:
        """A department's 部门整体支出绩效目标表 as its form prints it, on a page of its own (to
        print and to link); the department's page shows it too."""
        path = dept.table_path(year.year)
        stem = path.rpartition("/")[2][:-5]
        downloads = {"json": f"{stem}.json", "csv": f"{stem}.csv", "xlsx": f"{stem}.xlsx",
                     "pdf": f"{stem}.pdf" if self.pdf is not None else None}
        return self._page(path, "department_table.html", "../../", form=self.department_form(year, dept),
                          department=self.tally(dept), downloads=downloads)

    def evaluation_page(self, page: EvaluationPage) -> Output:
        """A self-evaluation's page: the 自评表 as its form prints it, linked to its target table's."""
        target = None if page.target is None else {"path": page.target.path, "name": page.target.name}
        return Output(page.path, "evaluation.html", Part.derived(
            self._evaluation_view, self.shared, page.path, self.scored(page), target))

    def _evaluation_view(self, shared: Part, path: str, scored: Part, target: dict[str, str] | None) -> dict[str, Any]:
        """What evaluation.html receives: the scored self-evaluation (``scored``: its file, its
        target table's rows and goals, its points), its grid and fund lines laid out."""
        s = scored.value
        stem = path.rpartition("/")[2][:-5]
        page = {"path": path, "id": s.evaluation.id, "name": s.evaluation.name, "year": s.evaluation.year,
                "grid": evaluation_grid(s), "columns": evaluation_columns(), "funds": evaluation_funds(s),
                "points": evaluation_points(s), "target": target, "json": f"{stem}.json", "csv": f"{stem}.csv"}
        return {**shared.value, "path": path, "root": "../../", "page": page, "scored": s}

    def attachment(self, year: YearPage, dept: Department, page: ProjectPage) -> Part:
        """What a project's PDF is made from: its page's view without the year before and
        without links to earlier versions' pages. The attachment is the form as published
        (issue 21), not the site's comparison, so an edit of last year's file does not make it
        again."""
        return Part.derived(self._project_view, self.shared, page.path, page.summary, self.file(page), None, None,
                            self.department(year, dept), page.metadata, (), True)

    def _before(self, page: ProjectPage) -> tuple[Part | None, Summary | None]:
        """The same project the year before: its file and summary (None, None for a new one)."""
        previous = page.previous
        return (None, None) if previous is None else (self.file(previous), previous.summary)

    def _project_view(self, shared: Part, path: str, summary: Summary, project: Part, old: Part | None,
                      previous: Summary | None, department: Part, metadata: Metadata,
                      links: tuple[str | None, ...], pdf: bool = False, evaluation: Part | None = None) -> dict[str, Any]:
        """What project.html receives: the table (``project``), laid out with its comparison
        with the same project the year before (``page``; through the diff memo, whose answer is
        that of the two files the parts name), its 更正 (each with the page of the version
        before it, ``links``, where there is one) and its department's projects. ``pdf``: the
        page links its PDF."""
        table = project.value
        form = form_of(table, shared.value["config"].value)  # the config is in ``shared``, so in the key
        rows, budget = grid(table, form), budget_row(table, form)
        page: dict[str, Any] = {"path": summary.path, "id": summary.id, "name": summary.name, "year": summary.year,
                                "grid": rows, "columns": grid_columns(form), "budget": budget,
                                "perf_rows": len(rows) + (budget is not None), "wide": is_wide(form),
                                "funds": fund_lines(table), "previous": previous, "comparison": None,
                                "comparison_funds": [], "pdf": pdf, "evaluation": None,
                                "midterm": midterm_layout(table, form),
                                "corrections": [{"number": i, "date": c.date, "content": c.content, "reason": c.reason,
                                                 "link": links[i - 1] if i <= len(links) else None}
                                                for i, c in enumerate(table.corrections, start=1)]}
        if old is not None:
            comparison = Part.derived(self.memo.diff, old, project)
            page.update(comparison=comparison.value, comparison_funds=_comparison_funds(old, project, comparison))
        if evaluation is not None:
            s = evaluation.value
            page["evaluation"] = {"path": f"{EVALUATION_DIR}/{summary.id}.html", "scored": s, "rows": s.rows}
        return {**shared.value, "path": path, "root": "../", "page": page, "project": project,
                "department": department, "metadata": metadata}

    def versions(self) -> list[Output]:
        """The page of each corrected table's version before each 更正 it has one for
        (``<year>/<id>.v<i>.html``): not in the sitemap or the search index, which list what is
        published now."""
        out = []
        for year in self.site.years:
            for dept in year.departments:
                for page in dept.projects:
                    out += self._versions(year, dept, page)
        return out

    def _versions(self, year: YearPage, dept: Department, page: ProjectPage) -> list[Output]:
        earlier, links = page.entry.earlier, version_links(page)
        parts = [None if e is None else Part.file(e.digest, e.fetch) for e in earlier]
        out = []
        for i, part in enumerate(parts):
            if part is None:
                continue
            # the version after it: the next one that differs (two 更正 committed at once share one)
            after = next(((parts[j], links[j]) for j in range(i + 1, len(parts))
                          if parts[j] is not None and earlier[j].digest != earlier[i].digest),  # type: ignore[union-attr]
                         (self.file(page), None))
            path = f"{year.year}/{links[i]}"
            # the correction itself as plain data: a summary's fingerprint leaves its 更正 out
            out.append(Output(path, "version.html", Part.derived(
                self._version_view, self.shared, path, i + 1, page.summary.corrections[i], page.path, part, *after,
                *self._before(page), self.department(year, dept), page.metadata, links)))
        return out

    def _version_view(self, shared: Part, path: str, number: int, correction: tuple[dt.date, str], current: str,
                      old: Part, after: Part, after_link: str | None, previous_file: Part | None,
                      previous: Summary | None, department: Part, metadata: Metadata,
                      links: tuple[str | None, ...]) -> dict[str, Any]:
        """What version.html receives: project.html's view of the version before 更正 ``number``
        (its own 更正 linked as the current page links them), the correction (date, 内容), and
        the diff from it to the version after it (``after_link``'s page, None: the current one)."""
        view = self._project_view(shared, path, Summary.of(old.value), old, previous_file, previous, department,
                                  metadata, links)
        view["version"] = {"number": number, "date": correction[0], "content": correction[1],
                           "current": current.rpartition("/")[2], "after": after_link,
                           "diff": Part.derived(self.memo.diff, old, after).value}
        return view

    def _year_head(self, year: YearPage) -> dict[str, Any]:
        previous = year.previous
        return {"year": year.year, "path": year.path, "changes_path": year.changes_path,
                "previous": None if previous is None else {"year": previous.year, "path": previous.path},
                "split_changes": year.split_changes}

    def year_page(self, year: YearPage) -> Output:
        counts = None
        if year.previous is not None:
            counts = Part.valued(self.changes.counts, self.pairs(year.projects), len(self.added(year.projects)),
                                 len(year.removed))
        departments = [self.tally(d) if year.split_list else self.department(year, d) for d in year.departments]
        view = {**self._year_head(year), "profile_title": year.profile_title, "total": year.total,
                "count": len(year.projects), "whole_csv": year.whole_csv, "split_list": year.split_list,
                "counts": counts, "departments": departments, **self._scores(year, None, f"{year.year}年度"),
                "tables": [{"name": d.name, "code": d.code, "path": d.table_path(year.year)}
                           for d in year.departments if d.table is not None]}
        return self._page(year.path, "year.html", "../", year=view)

    def changes_pages(self, year: YearPage) -> list[Output]:
        if year.previous is None or year.changes_path is None:
            return []
        head = self._year_head(year)
        if not year.split_changes:
            listing = self._listing(year.projects, year.removed, YearPage.DETAIL_LIMIT)
            return [self._page(year.changes_path, "changes.html", "../", year=head, department=None,
                               changes=listing, parts=None)]
        split = year.department_changes()
        parts = Part.valued(self.changes.parts, tuple(
            (part.slug, part.name, part.code, self.pairs(part.projects), len(self.added(part.projects)),
             len(part.removed)) for part in split))
        out = [self._page(year.changes_path, "changes.html", "../", year=head, department=None, changes=None,
                          parts=parts)]
        for part in split:
            out.append(self._department_changes(head, part))
        return out

    def _department_changes(self, head: dict[str, Any], part: DepartmentChanges) -> Output:
        department = {"name": part.name, "code": part.code, "slug": part.slug}
        return self._page(part.path, "changes.html", "../../", year=head, department=department,
                          changes=self._listing(part.projects, part.removed, 0), parts=None)

    def _listing(self, projects: list[ProjectPage], removed: list[ProjectPage], detail_limit: int) -> Part:
        return Part.valued(self.changes.listing, self.pairs(projects), self.added(projects),
                           tuple((p.id, p.name) for p in removed), detail_limit)

    def index(self) -> Output:
        site = self.site
        lists = site.index_lists_projects
        years = [{"year": y.year, "path": y.path, "count": len(y.projects), "total": y.total,
                  "split_list": y.split_list,
                  "departments": [self.department(y, d) if lists else self.tally(d) for d in y.departments]}
                 for y in site.years]
        return self._page("index.html", "index.html", "", years=years, lists_projects=lists)

    def departments_index(self) -> Output:
        departments = [{"name": d.name, "code": d.code, "slug": d.slug, "path": d.path,
                        "years": [{"year": y.year, "count": len(dept.projects), "total": dept.total}
                                  for y, dept in d.years]} for d in self.site.departments]
        return self._page("departments/index.html", "departments.html", "../", departments=departments)

    def department_page(self, d: DepartmentPage) -> Output:
        years = []
        for year, dept in d.years:
            listed = self.department(year, dept)
            years.append({"year": year.year, "path": year.path, "dept": listed, "form": self.department_form(year, dept),
                          "table_path": None if dept.table is None else dept.table_path(year.year),
                          "workbook": workbook_path(year.year, d.slug),
                          "chart": Part.derived(_chart, d.name, year.year, listed) if dept.projects else None,
                          "pdf": None if self.pdf is None or not dept.projects else pdf_path(year.year, dept.slug),
                          **self._scores(year, dept, f"{d.name}{year.year}年度")})
        totals = [(year.year, dept.total) for year, dept in d.years]
        view = {"name": d.name, "code": d.code, "slug": d.slug, "path": d.path, "years": years,
                "year_chart": Part.derived(year_chart, d.name, totals)}
        return self._page(d.path, "department.html", "../", department=view)

    def _scores(self, year: YearPage, dept: Department | None, title: str) -> dict[str, Any]:
        """A listing's self-evaluations (总分, 执行率, 自评等级) and their chart; empty when it has none."""
        if not (year.evaluations if dept is None else dept.evaluations):
            return {"evaluations": [], "score_chart": None, "rate_chart": None, "scores_csv": None}
        lines = self.evaluation_lines(year, dept)
        return {"evaluations": lines, "score_chart": Part.derived(_score_chart, f"{title}项目自评总分", lines),
                "rate_chart": Part.derived(_rate_chart, f"{title}项目预算执行率（%）", lines),
                "scores_csv": scores_path(year.year)}

    def search_page(self, indexed: bool) -> Output:
        bundles = [f"{search.DIR}/{year.year}/" for year in self.site.years] if indexed else []
        return self._page("search.html", "search.html", "", search=indexed and bool(bundles), bundles=bundles)

    # Downloads and discovery files ------------------------------------------------------------
    def downloads(self) -> list[Output]:
        """Each project's JSON, CSV and .xlsx, each year's indicator CSVs, a workbook per department
        (a sheet per project) and its data package. A CSV's columns follow its projects' forms (the
        file's own 表样, which its summary holds, else the year's): a year's file has the union of
        its projects' columns."""
        site, out, files = self.site, [], self._files
        for year in site.years:
            year_form = site.config.form(year.year)
            csvs, own = {}, {}
            dated = {"form": year_form, "publisher": site.config.publisher,
                     "when": self.when or dt.datetime(year.year, 1, 1)}  # what every .xlsx of the year reads
            for page in year.projects:
                stem, file = page.path[:-5], files[id(page)]
                out.append(Output(stem + ".json", "json", {"project": file, "metadata": page.metadata}))
                out.append(Output(stem + ".csv", "csv", {"project": file, "form": year_form}))
                out.append(Output(stem + ".xlsx", "xlsx", {"project": file, **dated}))
                csvs[id(page)] = (stem + ".csv", file)
                own[id(page)] = opendata.further([page_form(page, year_form)])
            tables = []
            for part in year.downloads:
                extra = opendata.further(page_form(p, year_form) for p in part.projects)
                if all(own[id(p)] == extra for p in part.projects):  # the same bytes as the projects' CSVs, joined
                    out.append(Output(part.path, "indicators", {"columns": extra,
                                                                "parts": tuple(csvs[id(p)] for p in part.projects)}))
                else:  # forms of different columns: each line laid out in the union's
                    out.append(Output(part.path, "mixed-csv", {"columns": extra, "projects": tuple(
                        (files[id(p)], year_form) for p in part.projects)}))
                tables.append((part.name, part.path.partition("/")[2], part.title, extra))
            out += [Output(workbook_path(year.year, d.slug), "workbook", {
                "title": f"{d.name} {year.year}年度{xlsx.TITLE}", "projects": tuple(files[id(p)] for p in d.projects),
                **dated}) for d in year.departments if d.projects]
            out += self.evaluation_downloads(year)
            out += self.department_downloads(year)
            out.append(Output(f"{year.year}/datapackage.json", "datapackage", {
                "year": year.year, "title": site.config.title, "publisher": site.config.publisher,
                "url": site.config.url(), "projects": [(p.id, p.name, p.metadata) for p in year.projects], "tables": tables,
                "evaluations": [(e.id, e.name) for e in year.evaluations],
                "scores": scores_path(year.year).partition("/")[2] if year.evaluations else None,
                "departments": tuple((d.slug, d.name, site.config.form(year.year)) for d in year.departments
                                     if d.table is not None)}))
        return out

    def department_downloads(self, year: YearPage) -> list[Output]:
        """Each department table's JSON (the file as data), CSV (its tasks, then its indicators)
        and .xlsx (the form, as its page lays it out)."""
        out = []
        for dept in year.departments:
            if dept.table is not None:
                stem, table = dept.table_path(year.year)[:-5], Part.file(dept.table.digest, dept.table.fetch)
                out.append(Output(stem + ".json", "department-json", table))
                out.append(Output(stem + ".csv", "department-csv", {"table": table, "form": self.site.config.form(year.year)}))
                out.append(Output(stem + ".xlsx", "department-xlsx", {
                    "t": self.department_form(year, dept), "publisher": self.site.config.publisher,
                    "when": self.when or dt.datetime(year.year, 1, 1)}))
        return out

    def evaluation_downloads(self, year: YearPage) -> list[Output]:
        """Each self-evaluation's JSON and CSV beside its page, and the year's 总分 CSV."""
        if not year.evaluations:
            return []
        out = []
        for page in year.evaluations:
            stem, scored = page.path[:-5], self.scored(page)
            out.append(Output(stem + ".json", "evaluation-json", {
                "scored": scored, "target": None if page.target is None else page.target.path}))
            out.append(Output(stem + ".csv", "evaluation-csv", scored))
        out.append(Output(scores_path(year.year), "scores-csv", {
            "lines": self.evaluation_lines(year), "scored": tuple(self.scored(p) for p in year.evaluations)}))
        return out

    def pdfs(self) -> list[Output]:
        """With --pdf: each project's PDF beside its page, each department's of a year (its
        projects one after another) beside its indicator CSV, and each department table's beside
        its page. A PDF's view holds its pages' views (a project's ``attachment``), so it is made
        again exactly when one of them changed."""
        if self.pdf is None:
            return []
        out = []
        for year in self.site.years:
            for dept in (d for d in year.departments if d.projects):
                pages = [(page, self.attachment(year, dept, page)) for page in dept.projects]
                for page, view in pages:
                    out.append(Output(page.path[:-5] + ".pdf", PDF + "project.html", {
                        **self.pdf, "pages": (view,), "title": None, "date": _dated(page)}))
                out.append(Output(pdf_path(year.year, dept.slug), PDF + "project.html", {
                    **self.pdf, "pages": tuple(view for _, view in pages),
                    "title": f"{dept.name} {year.year}年度项目支出绩效目标表",
                    "date": max(_dated(page) for page in dept.projects)}))
            for dept in (d for d in year.departments if d.table is not None):
                page = self.department_table_page(year, dept)
                out.append(Output(page.path[:-5] + ".pdf", PDF + "department_table.html", {
                    **self.pdf, "pages": (page.view,), "title": None,
                    "date": dept.table.table.published or dt.date(year.year, 1, 1)}))
        return out

    def discovery(self, pages: list[Output]) -> list[Output]:
        """sitemap.xml (an index of one sitemap per year and one of the other pages above
        SITEMAP_LIMIT pages), robots.txt and the Atom feed."""
        config = self.site.config
        urls = [config.url(p.path) for p in pages]
        out = []
        if len(urls) <= SITEMAP_LIMIT:
            out.append(Output("sitemap.xml", "urlset", urls))
        else:
            groups: dict[str, list[str]] = {}
            for page, url in zip(pages, urls):
                head = page.path.partition("/")[0]
                groups.setdefault(head if head.isdigit() else "site", []).append(url)
            names = []
            for group, listed in groups.items():
                chunks = [listed[i:i + SITEMAP_LIMIT] for i in range(0, len(listed), SITEMAP_LIMIT)]
                for number, chunk in enumerate(chunks, start=1):
                    name = f"sitemap-{group}{'' if len(chunks) == 1 else f'-{number}'}.xml"
                    names.append(config.url(name))
                    out.append(Output(name, "urlset", chunk))
            out.insert(0, Output("sitemap.xml", "sitemapindex", names))
        out.append(Output("robots.txt", "robots", config.url("sitemap.xml")))
        out.append(Output("feed.xml", "feed", self.feed()))
        return out

    def feed(self) -> dict[str, Any]:
        """The newest FEED_ENTRIES tables and 更正, newest first: a table dated by 公开日期, else 1
        January of its budget year (never the clock), a 更正 by its own date."""
        config = self.site.config
        # (date, page, correction number: 0 for the table itself)
        dated = [(_dated(p), p.path, 0, p) for p in self.site.projects]
        dated += [(date, p.path, i, p) for p in self.site.projects
                  for i, (date, _) in enumerate(p.summary.corrections, start=1)]
        dated += [(_evaluated(e), e.path, 0, e) for y in self.site.years for e in y.evaluations]
        dated += [(d.table.table.published or dt.date(y.year, 1, 1), d.table_path(y.year), 0, self._table_entry(y, d))
                  for y in self.site.years for d in y.departments if d.table is not None]
        newest = heapq.nlargest(FEED_ENTRIES, dated, key=lambda d: d[:3])
        entries = [self._entry(when, i, p) for when, _, i, p in newest]
        return {"title": config.title, "publisher": config.publisher, "home": config.url("index.html"),
                "self": config.url("feed.xml"), "entries": entries}

    def _table_entry(self, year: YearPage, dept: Department) -> dict[str, Any]:
        """A department table's feed entry, but its date: its 金额合计 as the 资金总额."""
        table = dept.table.table  # type: ignore[union-attr]
        return {"url": self.site.config.url(dept.table_path(year.year)), "name": f"{dept.name}部门整体支出绩效目标表",
                "year": year.year, "department": dept.name, "total": table.wan(table.totals()[0]),
                "evaluation": None, "correction": None}

    def _entry(self, when: dt.date, correction: int, page: ProjectPage | EvaluationPage | dict[str, Any]) -> dict[str, Any]:
        """A feed entry: a table, one of its 更正, a self-evaluation (its 总分 and 自评等级), or a
        department table (made by ``_table_entry``)."""
        if isinstance(page, dict):
            return {**page, "published": when}
        url = self.site.config.url(page.path)
        if isinstance(page, EvaluationPage):
            line = page.line()
            return {"url": url, "name": page.name, "year": page.year, "department": page.scored.department or "",
                    "total": None, "published": when, "correction": None, "evaluation": (line.total, line.grade)}
        return {"url": url, "name": page.name, "year": page.year, "department": page.summary.department,
                "total": page.total, "published": when, "evaluation": None,
                "correction": (correction, page.summary.corrections[correction - 1][1]) if correction else None}


def _dated(page: ProjectPage) -> dt.date:
    """A table's date where a file needs one (the feed, a PDF's): its 公开日期, else 1 January
    of its budget year (never the clock)."""
    return page.metadata.published or dt.date(page.year, 1, 1)


def _evaluated(page: EvaluationPage) -> dt.date:
    """A self-evaluation's date in the feed: its 公开日期, else 1 January after its year (it is
    published with the year's 决算, never before the year ends)."""
    return page.entry.evaluation.published or dt.date(page.year + 1, 1, 1)


def pdf_path(year: int, slug: str) -> str:
    """A department's PDF of one year: beside its indicator CSV (site.YearPage.downloads)."""
    return f"{year}/indicators/{slug}.pdf"


def version_links(page: ProjectPage) -> tuple[str | None, ...]:
    """The page of the version before each of a project's 更正, relative to its own (ids hold no
    '.', so no project's page is named like one); None where git has none."""
    return tuple(None if found is None else f"{page.summary.id}.v{i}.html"
                 for i, found in enumerate(page.entry.earlier, start=1))


def output_keys(files: list[Output], templates: dict[str, str], code: str) -> dict[str, str]:
    """Each file's key: a hash of its view, of what makes it (a template's digest, with those it
    uses; a writer's name) and of the code."""
    blake2b = hashlib.blake2b
    keys = {}
    for output in files:
        template = output.make.removeprefix(PDF)
        maker = templates[template] if template.endswith(".html") else output.make
        if template != output.make:
            maker = f"{PDF}{maker}"
        text = f"{code}|{maker}|{fingerprint(output.view)}"
        keys[output.path] = blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return keys


def bundles(pages: list[Output], years: list[int]) -> dict[str, list[str]]:
    """Each year's search bundle (search.py): the pages under the year's folder."""
    found: dict[str, list[str]] = {str(year): [] for year in years}
    for page in pages:
        head = page.path.partition("/")[0]
        if head in found:
            found[head].append(page.path)
    return found


def site_outputs(site: Site, memo: DiffMemo, *, indexed: bool, static: dict[str, tuple[str, str]],
                 schemas: dict[str, str], pdf: dict[str, Any] | None = None) -> tuple[list[Output], list[Output]]:
    """(every page, every file): what a build of ``site`` writes. ``static``: the theme's and the
    site's static files (name → (whose, content digest)); ``schemas``: the JSON Schemas' text;
    ``pdf``: when PDFs are built, what they are made with besides their pages (the engine, the
    SOURCE_DATE_EPOCH they are dated by)."""
    views = Views(site, memo, None if pdf is None else {**pdf, "css": static[STYLESHEET]})
    pages = views.pages(indexed)
    files = pages + views.versions() + views.downloads() + views.pdfs() + views.discovery(pages)
    files += [Output(f"static/{name}", "static", (whose, digest)) for name, (whose, digest) in static.items()]
    files += [Output(f"schema/{name}", "text", text) for name, text in schemas.items()]
    return pages, files

