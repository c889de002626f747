"""Load a content tree: find the files, parse and validate each, and check across files.

Returns every project that is valid plus every diagnostic of every file, so one run shows all
problems. Layout: ``<content>/site.yaml``, the target tables ``<content>/<year>/**/*.yaml`` and
the self-evaluations ``<content>/<year>/自评/**/*.yaml`` and the department tables
``<content>/<year>/部门/**/*.yaml``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, TypeVar

from . import department_rules, rules, scoring
from .config import CONFIG_NAME, SiteConfig, load_config
from .diagnostics import Diagnostic, Level, Report, display_path
from .department import DepartmentTable, build_department
from .evaluation import Evaluation, build_evaluation
from .model import Dates, Project, build_project
from .parallel import spread
from .source import Source, load_file
from .taxonomy import Profile

_YEAR_DIR = re.compile(r"^\d{4}$")
SUFFIXES = (".yaml", ".yml")
EVALUATIONS = "自评"  # a year folder's folder of self-evaluations
DEPARTMENTS = "部门"  # a year folder's folder of 部门整体支出绩效目标表


def _in(rel: str, folder: str) -> bool:
    parts = rel.replace(os.sep, "/").split("/")
    return len(parts) > 2 and parts[1] == folder


def is_evaluation(rel: str) -> bool:
    """Whether a content file (its path under content/) is a self-evaluation: <year>/自评/…"""
    return _in(rel, EVALUATIONS)


def is_department(rel: str) -> bool:
    """Whether a content file (its path under content/) is a department's table: <year>/部门/…"""
    return _in(rel, DEPARTMENTS)


class Summary(NamedTuple):
    """What listing pages, feeds and the cross-file checks need of a project. Every file's summary
    is at hand in every build; its full model is loaded only for the pages that show it, so a
    build after a small change does not grow with the number of projects. (A named tuple: made
    10,000 times per build, from the cache.)"""

    year: int
    id: str
    name: str
    department: str  # as written: 主管部门及代码
    department_name: str
    department_code: str | None
    implementer: str
    total: Decimal  # 资金总额 in 万元 (0 when blank)
    published: dt.date | None  # its own 公开日期 (the year's in site.yaml is applied by disclosure.py)
    text: str = ""  # all of the above as one string: what a listing page's key is made of
    # The file's own 表样, if it gives one: the year's CSVs and data package take the union of their
    # projects' columns, and must know them without loading every model. Not in ``text``: no
    # listing page shows it, and the views that depend on it hold the columns themselves.
    form: str | tuple[str, ...] | None = None
    # Its own 批复日期, 公开说明 and 索引号: the page's 信息公开 metadata, and the year's 序号 and the
    # cross-file check of 索引号, are made from every summary. In ``text``: listings do not show
    # them, but a project page's view holds its summary.
    approved: dt.date | None = None
    note: str | None = None
    index_number: str | None = None
    # (日期, 内容) of each 更正: the feed has an entry per correction. Not in ``text``: no listing
    # shows them, and a kept process compares whole summaries, so a new one is a whole build.
    corrections: tuple[tuple[dt.date, str], ...] = ()

    @property
    def path(self) -> str:
        """Its page, from the site root."""
        return f"{self.year}/{self.id}.html"

    def __fingerprint__(self) -> str:
        """What a view's key takes of it (view.fingerprint): all of it, as one string."""
        return self.text

    @property
    def place(self) -> tuple[int, str, str, str, str, str | None]:
        """What decides where the project stands: its page, its order in listings and its pairing
        across years (not its total, implementer or date, which listings only show)."""
        return (self.year, self.id, self.name, self.department, self.department_name, self.department_code)

    @classmethod
    def of(cls, project: Project) -> Summary:
        funds = project.funds
        fields = (project.year, project.id, project.name, project.department, project.department_name,
                  project.department_code, project.implementer, funds.wan(funds.total) or Decimal(0),
                  project.published)
        own = (project.approved, project.disclosure_note, project.index_number)
        return cls(*fields, "\x1f".join(map(str, fields + own)), project.form, *own,
                   tuple((c.date, c.content) for c in project.corrections))


class Earlier(NamedTuple):
    """A version of a project file from before one of its 更正: its text's digest and its model."""

    digest: str
    project: Project
    where: str  # the revision it was read at, as ``rev:path``

    def fetch(self) -> Project:
        """Its model, as a function (a view's file part)."""
        return self.project


class Entry:
    """A valid project and where it came from. ``project`` may be loaded on first use (from the
    parse cache) while ``summary`` is always there."""

    __slots__ = ("summary", "path", "display", "id_pos", "digest", "_project", "_fetch", "earlier")

    def __init__(self, project: Project | None, path: Path, display: str, id_pos: tuple[int, int] = (0, 0),
                 digest: str = "", summary: Summary | None = None,
                 fetch: Callable[[], Project] | None = None) -> None:
        assert project is not None or (summary is not None and fetch is not None)
        self.summary = summary or Summary.of(project)  # type: ignore[arg-type]
        self.path, self.display, self.id_pos, self.digest = path, display, id_pos, digest
        self._project, self._fetch = project, fetch
        # The version before each 更正, from git (versions.py: set by each whole build): None
        # where none was found.
        self.earlier: tuple[Earlier | None, ...] = ()

    @property
    def project(self) -> Project:
        if self._project is None:
            assert self._fetch is not None
            self._project = self._fetch()
        return self._project

    def fetch(self) -> Project:
        """``project``, as a function (a view's part loads it on first use)."""
        return self.project

    @property
    def loaded(self) -> bool:
        return self._project is not None


class Evaluated:
    """A valid self-evaluation, where it came from, and (once its year's targets are loaded) its
    target table's entry and how it scores against it (``scored``, made on first use: a load
    whose checks are remembered reads no target model)."""

    __slots__ = ("evaluation", "source", "path", "display", "digest", "target", "_scored", "_against")

    def __init__(self, evaluation: Evaluation, source: Source, path: str, display: str) -> None:
        self.evaluation, self.source, self.path, self.display = evaluation, source, path, display
        self.digest = source.digest
        self.target: Entry | None = None  # its target table's entry, if the year has one
        self._scored: scoring.Scored | None = None
        self._against: tuple[Profile, dict[str, Decimal]] | None = None  # the year's taxonomy and weights

    def against(self, target: Entry | None, profile: Profile, weights: dict[str, Decimal]) -> None:
        """Link it to its year: its target table, taxonomy and weights."""
        self.target, self._against, self._scored = target, (profile, weights), None

    @property
    def scored(self) -> scoring.Scored:
        if self._scored is None:
            assert self._against is not None, "a self-evaluation is scored once its year is loaded"
            target = None if self.target is None else self.target.project
            self._scored = scoring.score(self.evaluation, target, *self._against)
        return self._scored

    def checked(self) -> tuple[str, ...]:
        """What its checks are a function of: both files' content and the year's taxonomy and
        weights (the display path is the cache entry's own)."""
        assert self._against is not None
        profile, weights = self._against
        return (self.digest, "" if self.target is None else self.target.digest, profile.key,
                repr(sorted(weights.items())))

    def fetch(self) -> Evaluation:
        """Its model, as a function (a view's file part)."""
        return self.evaluation


_Model = TypeVar("_Model", Evaluation, DepartmentTable)
_E = TypeVar("_E")  # what a folder's loader makes of a file (Evaluated, DepartmentEntry)


def _load_one(path: str, year_dir: int, build: Callable[[Source], tuple[_Model | None, list[Diagnostic]]],
              folder: str) -> tuple[_Model | None, Source | None, str, list[Diagnostic]]:
    """Parse and validate one file of a year's ``folder`` (自评, 部门) on its own: its model, its
    source, its display path and its problems (its 年度 must be its folder's, E025)."""
    display = display_path(Path(path))
    source, diags = load_file(Path(path), display)
    if source is None:
        return None, None, display, diags
    model, problems = build(source)
    diags += problems
    if model is not None and model.year != year_dir:
        diags.append(source.diag(("年度",), Level.ERROR, "E025", f"年度 {model.year} 与所在目录 {year_dir}/ 不一致",
                                 f"把文件移到 {model.year}/{folder}/ 目录，或把年度改为 {year_dir}"))
    return model, source, display, diags


def _parsed(path: str, year: str, kept: dict[str, tuple[str, _E | None, list[Diagnostic]]] | None,
            load: Callable[[str, int], tuple[_E | None, list[Diagnostic]]]) -> tuple[_E | None, list[Diagnostic]]:
    """One file's ``load`` result, from ``kept`` (a cache's, by path) while the file is unchanged."""
    stamp = file_stamp(path)
    hit = kept.get(path) if kept is not None else None
    if hit is not None and hit[0] == stamp:
        return hit[1], hit[2]
    entry, diags = load(path, int(year))
    if kept is not None:
        kept[path] = (stamp, entry, diags)
    return entry, diags


def load_evaluation(path: str, year_dir: int) -> tuple[Evaluated | None, list[Diagnostic]]:
    """Parse and validate one self-evaluation file on its own (checked against its target later)."""
    evaluation, source, display, diags = _load_one(path, year_dir, build_evaluation, EVALUATIONS)
    return (None if evaluation is None else Evaluated(evaluation, source, path, display)), diags  # type: ignore[arg-type]


def _evaluations(content: Content, found: list[tuple[str, str]], cache: FileCache | None,
                 targets: dict[tuple[int, str], Entry], invalid: set[tuple[int, str]]) -> None:
    """Load the self-evaluations and check each against its year's target table. The checks run
    on every load, since a target table's edit changes them; only the parsing is kept."""
    first: dict[tuple[int, str], Evaluated] = {}
    for path, year in found:
        entry, diags = _parsed(path, year, cache.evaluations if cache is not None else None, load_evaluation)
        content.report.extend(diags)
        if entry is None or diags and any(d.level is Level.ERROR for d in diags):
            continue
        ev = entry.evaluation
        key = (ev.year, ev.id)
        if key in first:
            content.report.error(entry.display, *entry.source.pos(("id",)), "E026",
                                 f"自评表 id「{ev.id}」在 {ev.year} 年重复（已用于 {first[key].display}）",
                                 "一个项目一年只有一张自评表：删去重复的文件，或改正 id")
            continue
        first[key] = entry
        if key in invalid or content.config is None:
            continue  # its target table has errors of its own: checked once that one is valid
        profile, weights = content.config.profile(ev.year), content.config.weights(ev.year)
        entry.against(targets.get(key), profile, weights)
        content.report.extend(_checked(entry, cache))
        content.evaluations.append(entry)
    if cache is not None:
        present = {path for path, _ in found}
        for path in set(cache.evaluations) - present:
            del cache.evaluations[path]
            cache.checks.pop(path, None)


class DepartmentEntry(NamedTuple):
    """A valid 部门整体支出绩效目标表 and where it came from."""

    table: DepartmentTable
    source: Source
    path: str
    display: str

    @property
    def digest(self) -> str:
        return self.source.digest

    def fetch(self) -> DepartmentTable:
        """Its model, as a function (a view's file part)."""
        return self.table


def load_department(path: str, year_dir: int) -> tuple[DepartmentEntry | None, list[Diagnostic]]:
    """Parse and validate one 部门 file on its own (checked against its projects later)."""
    table, source, display, diags = _load_one(path, year_dir, build_department, DEPARTMENTS)
    return (None if table is None else DepartmentEntry(table, source, path, display)), diags  # type: ignore[arg-type]


def _departments(content: Content, found: list[tuple[str, str]], cache: FileCache | None) -> None:
    """Load the department tables and check each against its year's projects (their summaries).
    A year has one table per department; the checks run on every load (a project's edit changes
    them), only the parsing is kept."""
    first: dict[tuple[int, str | None, str], DepartmentEntry] = {}
    by_year: dict[int, list[Summary]] | None = None
    for path, year in found:
        entry, diags = _parsed(path, year, cache.departments if cache is not None else None, load_department)
        content.report.extend(diags)
        if entry is None or any(d.level is Level.ERROR for d in diags) or content.config is None:
            continue
        table = entry.table
        key = (table.year, table.code, table.name)
        if key in first:
            content.report.error(entry.display, *entry.source.pos(("部门名称",)), "E026",
                                 f"{table.year} 年「{table.department}」已有部门整体支出绩效目标表（{first[key].display}）",
                                 "一个部门一年只有一张部门整体支出绩效目标表：删去重复的文件，或改正部门名称")
            continue
        first[key] = entry
        if by_year is None:  # the projects' summaries by year, made once for all the tables
            by_year = {}
            for e in content.entries:
                by_year.setdefault(e.summary.year, []).append(e.summary)
        year_entries = by_year.get(table.year, [])
        projects = [department_rules.Project(s.name, s.total) for s in year_entries
                    if table.matches(s.department_code, s.department_name)]
        names = sorted({s.department for s in year_entries})
        config = content.config
        content.report.extend(department_rules.check(table, entry.source, config.profile(table.year),
                                                     config.form(table.year), projects, names))
        content.departments.append(entry)
    if cache is not None:
        for path in set(cache.departments) - {path for path, _ in found}:
            del cache.departments[path]


def _checked(entry: Evaluated, cache: FileCache | None) -> list[Diagnostic]:
    """A self-evaluation's checks, remembered by what they are a function of (Evaluated.checked),
    so that a load where neither file changed reads no target model."""
    key = entry.checked()
    known = cache.checks.get(entry.path) if cache is not None else None
    if known is not None and known[0] == key:
        return known[1]
    profile, weights = entry._against  # type: ignore[misc]  # noqa: SLF001
    found = scoring.check(entry.scored, entry.source, profile, weights)
    if cache is not None:
        cache.checks[entry.path] = (key, found)
    return found


def _one_name_per_code(entries: list[Entry]) -> list[Diagnostic]:
    """E034 for a year's project whose 部门编码 another project of that year gives another name:
    the department page and its anchor go by the code, so one of the names would be dropped."""
    first: dict[tuple[int, str], Entry] = {}
    out = []
    for entry in entries:
        s = entry.summary
        if not s.department_code:
            continue
        seen = first.setdefault((s.year, s.department_code), entry)
        if seen.summary.department_name != s.department_name:
            source, _ = load_file(entry.path, entry.display)
            line, col = source.pos(("主管部门及代码",)) if source is not None else (0, 0)
            out.append(Diagnostic(entry.display, line, col, Level.ERROR, "E034",
                                  f"部门编码 {s.department_code} 在 {s.year} 年已是「{seen.summary.department_name}」"
                                  f"（{seen.display}），这里却是「{s.department_name}」",
                                  "同一年里一个编码只对应一个部门名称：改成一致的写法，或检查编码"))
    return out


def _one_table_per_index_number(config: SiteConfig, entries: list[Entry]) -> list[Diagnostic]:
    """E037 for a table whose 索引号 (its own, or the pattern's) another table of the site has: at
    the file's own 索引号 where one of the two gives it, since that is the one to change."""
    by_year: dict[int, list[Entry]] = {}
    for entry in entries:
        by_year.setdefault(entry.summary.year, []).append(entry)
    numbered = [(entry, listed[entry.summary.id].index_number) for year, group in sorted(by_year.items())
                for listed in [config.catalogue(year, [e.summary for e in group])] for entry in group]
    first: dict[str, Entry] = {}
    out = []
    for entry, number in sorted(numbered, key=lambda found: found[0].summary.index_number is not None):
        seen = first.setdefault(number, entry) if number is not None else entry
        if seen is entry:
            continue
        source, _ = load_file(entry.path, entry.display)
        own = entry.summary.index_number is not None and source is not None
        line, col = source.pos(("索引号",), key=True) if own else entry.id_pos  # type: ignore[union-attr]
        out.append(Diagnostic(entry.display, line, col, Level.ERROR, "E037", f"索引号「{number}」已用于 {seen.display}",
                              "每张表的索引号在全站唯一：改正本文件的“索引号”，或让 site.yaml 的索引号格式含 {年度} 与 {序号}"))
    return out


def file_stamp(path: str | Path) -> str:
    """A file's identity for caching: mtime, size and inode ("" when it cannot be read)."""
    try:
        return stamp_of(os.stat(path))
    except OSError:
        return ""


def stamp_of(st: os.stat_result) -> str:
    """``file_stamp`` of a ``stat`` already made."""
    return f"{st.st_mtime_ns},{st.st_size},{st.st_ino}"


Hit = tuple[Entry | None, list[Diagnostic]]  # a file's entry (None: not valid) and diagnostics


class FileCache:
    """Results of files that have not changed since the last load (by size, mtime and inode), so a
    long-running ``serve`` re-reads only what was saved. Cleared when site.yaml changes, since
    the rules depend on it. Keyed by path strings (10,000 Path objects were a cost of their own)."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[str, Entry | None, list[Diagnostic]]] = {}
        self._config: str | None = None
        # Self-evaluations as parsed, by path: kept in the process only (few, and checked again on
        # every load against their targets anyway).
        self.evaluations: dict[str, tuple[str, Evaluated | None, list[Diagnostic]]] = {}
        # Their checks against their targets, by what they are a function of (Evaluated.checked).
        self.checks: dict[str, tuple[tuple[str, ...], list[Diagnostic]]] = {}
        # Department tables as parsed, by path: a few per site, kept in the process only.
        self.departments: dict[str, tuple[str, DepartmentEntry | None, list[Diagnostic]]] = {}

    def check_config(self, path: Path) -> None:
        stamp = file_stamp(path)
        if stamp != self._config:
            self._files.clear()
            self.evaluations.clear()
            self.checks.clear()
            self.departments.clear()
            self._config = stamp

    def get(self, path: str, stamp: str | None = None) -> Hit | None:
        """The cached result if the file is unchanged; ``stamp`` when the caller already has it."""
        return self.get_all([path], {path: stamp} if stamp else {})[path]

    def get_all(self, paths: list[str], stamps: dict[str, str]) -> dict[str, Hit | None]:
        """``get`` for many files at once (10,000 calls were a cost of their own); ``stamps``: those
        the caller has, the others are read."""
        files, none = self._files, ("", None, [])
        out: dict[str, Hit | None] = {}
        for path in paths:
            stamp, entry, diags = files.get(path, none)
            out[path] = (entry, diags) if stamp and stamp == (stamps.get(path) or file_stamp(path)) else None
        return out

    def put(self, path: str, stamp: str, entry: Entry | None, diags: list[Diagnostic]) -> None:
        self._files[path] = (stamp, entry, diags)

    def snapshot(self) -> dict[str, tuple[str, Entry | None, list[Diagnostic]]]:
        return dict(self._files)

    def some(self, paths: list[str]) -> dict[str, tuple[str, Entry | None, list[Diagnostic]]]:
        """``snapshot`` of these files only (those it has)."""
        return {path: self._files[path] for path in paths if path in self._files}

    def forget_missing(self, present: set[str]) -> None:
        for path in set(self._files) - present:
            del self._files[path]


@dataclass
class Content:
    root: Path
    config: SiteConfig | None
    entries: list[Entry] = field(default_factory=list)
    evaluations: list[Evaluated] = field(default_factory=list)  # the valid self-evaluations, checked
    departments: list[DepartmentEntry] = field(default_factory=list)  # the valid department tables, checked
    report: Report = field(default_factory=Report)


UNLISTED = "unlisted:"  # the stamp of a folder that could not be listed, then why


def walk(root: str | Path, hidden: bool = True) -> Iterator[tuple[str, str | None]]:
    """(path, None) for every file under ``root``, folder by folder in sorted order, and (folder,
    why) for every folder that could not be listed (no permission, a path too long): os.walk
    skips those without a word, and a project file the tool cannot read must never vanish.
    ``hidden=False`` does not go into folders whose name starts with a dot (.git)."""
    top = os.fspath(root)
    failed: list[OSError] = []
    for folder, dirs, names in os.walk(top, onerror=failed.append):
        while failed:
            yield from _unlisted(failed.pop(), top)
        dirs[:] = sorted(d for d in dirs if hidden or not d.startswith("."))
        for name in sorted(names):
            yield os.path.join(folder, name), None
    for exc in failed:
        yield from _unlisted(exc, top)


def _unlisted(exc: OSError, top: str) -> Iterator[tuple[str, str]]:
    if exc.filename == top and isinstance(exc, FileNotFoundError):
        return  # no such tree at all: whoever gave it says so (E040, a missing folder)
    yield os.fspath(exc.filename or top), exc.strerror or str(exc)


def unlisted_error(path: str, why: str) -> Diagnostic:
    return Diagnostic(display_path(Path(path)), 0, 0, Level.ERROR, "E009",
                      f"目录无法读取（{why}），其中的文件既不会检查，也不会发布",
                      "检查目录的权限（chmod u+rx），或缩短过深的目录路径")


def _yaml_names(root: Path, listing: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(path, path relative to root) of every content YAML file, sorted: strings, because 10,000
    Path objects made and compared cost a tenth of a small rebuild. ``listing``: every file under
    root, as the caller has just listed them (a second walk of the tree is saved)."""
    top = os.fspath(root)
    if listing is None:
        listing = (path for path, why in walk(top) if why is None)
    start = len(os.path.join(top, ""))
    hidden = os.sep + "."
    out = [(path, path[start:]) for path in listing if path.endswith(SUFFIXES)]
    out = [(path, rel) for path, rel in out if rel != CONFIG_NAME and hidden not in os.sep + rel]
    out.sort(key=lambda item: item[1].replace(os.sep, "\0"))  # as Paths sort, by parts: a separator first
    return out


def yaml_files(root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """Every content YAML file under ``root``, sorted (hidden files and folders, editor swap
    files and .git, and the site config at the top are skipped), and an E009 for each folder
    that could not be listed."""
    listed = list(walk(root))
    files = [Path(path) for path, _ in _yaml_names(root, [path for path, why in listed if why is None])]
    return files, [unlisted_error(path, why) for path, why in listed if why is not None]


def _by_year(root: Path, listing: Iterable[str] | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """([(path, year folder)] of files in year folders, [paths of YAML files elsewhere])."""
    found, misplaced = [], []
    for path, rel in _yaml_names(root, listing):
        head, sep, _ = rel.partition(os.sep)
        if sep and _YEAR_DIR.match(head):
            found.append((path, head))
        else:
            misplaced.append(path)
    return found, misplaced


def project_files(root: Path) -> tuple[list[Path], list[Path]]:
    """(files in year folders, YAML files elsewhere that look misplaced), both sorted."""
    found, misplaced = _by_year(root)
    return [Path(path) for path, _ in found], [Path(path) for path in misplaced]


def load_project(path: Path, display: str, year_dir: int,
                 config: SiteConfig | None) -> tuple[Entry | None, list[Diagnostic]]:
    """Parse, validate and check one project file."""
    source, diags = load_file(path, display)
    if source is None:
        return None, diags
    project, parts, problems = build_project(source)
    diags += problems
    year = parts.year or year_dir
    if parts.year is not None and parts.year != year_dir:
        diags.append(source.diag(("年度",), Level.ERROR, "E025",
                                 f"年度 {parts.year} 与所在目录 {year_dir}/ 不一致",
                                 f"把文件移到 {parts.year}/ 目录，或把年度改为 {year_dir}"))
    if config is not None:
        diags += rules.check(parts, source, config.profile(year), config.form(year), config.disclosure.dates(year) or Dates())
    if project is None:
        return None, diags
    return Entry(project, path, display, source.pos(("id",)), source.digest), diags


def reload_project(root: Path, path: Path) -> tuple[Entry | None, list[Diagnostic]]:
    """One file of a content tree read again on its own (when a cached model cannot be used)."""
    config, _ = load_config(root)
    return load_project(path, display_path(path), int(path.relative_to(root).parts[0]), config)


def load_content(root: Path, cache: FileCache | None = None, jobs: int = 1,
                 stamps: dict[str, str] | None = None) -> Content:
    """Every file of a content tree, parsed and checked (in ``jobs`` processes when there are many).
    ``stamps`` (path → file_stamp of every file under ``root``, and maybe others) saves a walk of
    the tree and a stat per file when the caller has just scanned them."""
    top = os.path.join(os.fspath(root), "")
    if cache is not None:
        cache.check_config(root / CONFIG_NAME)
    config, config_diags = load_config(root)
    content = Content(root=root, config=config)
    content.report.extend(config_diags)
    if stamps is None:
        listed = list(walk(root))
    else:  # what state.scan found: a folder it could not list has its own stamp
        listed = [(path, stamp[len(UNLISTED):] if stamp.startswith(UNLISTED) else None)
                  for path, stamp in stamps.items() if path.startswith(top)]
    for path, why in listed:
        if why is not None:
            content.report.add(unlisted_error(path, why))
    files, misplaced = _by_year(root, [path for path, why in listed if why is None])
    evaluations = [(path, year) for path, year in files if is_evaluation(path[len(top):])]
    departments = [(path, year) for path, year in files if is_department(path[len(top):])]
    files = [(path, year) for path, year in files
             if not is_evaluation(path[len(top):]) and not is_department(path[len(top):])]
    for path, why in listed:
        name = os.path.basename(path)
        if why is None and name.lower().endswith(SUFFIXES) and not name.endswith(SUFFIXES) and not name.startswith("."):
            content.report.warning(display_path(Path(path)), 0, 0, "W011",
                                   f"扩展名 {Path(name).suffix} 不是小写，这个文件不会被读取",
                                   f"项目文件的扩展名是 .yaml：改名为 {Path(name).stem}.yaml")
    for path in misplaced:
        content.report.error(display_path(Path(path)), 0, 0, "E028", "项目文件不在年度目录中，不会发布",
                             f"移到 {display_path(root)}/<年度>/ 下，如 {display_path(root)}/2022/{Path(path).name}")
    first_by_id: dict[tuple[int, str], Entry] = {}
    stamps = stamps or {}
    hits = cache.get_all([path for path, _ in files], stamps) if cache is not None else {}
    missing = [(path, year) for path, year in files if hits.get(path) is None]

    def load_range(start: int, stop: int) -> list[tuple[str, Entry | None, list[Diagnostic]]]:
        out = []
        for path, year in missing[start:stop]:
            stamp = file_stamp(path)
            entry, diags = load_project(Path(path), display_path(Path(path)), int(year), config)
            out.append((stamp, entry, diags))
        return out

    loaded = [item for chunk in spread(len(missing), load_range, jobs) for item in chunk]
    for (path, _), (stamp, entry, diags) in zip(missing, loaded):
        hits[path] = (entry, diags)
        if cache is not None:
            cache.put(path, stamp, entry, diags)
    for path, _ in files:
        entry, diags = hits[path]  # type: ignore[misc]
        if diags:
            content.report.extend(diags)
        if entry is None:
            continue
        project = entry.summary
        key = (project.year, project.id)
        if key in first_by_id:
            content.report.error(entry.display, *entry.id_pos, "E026",
                                 f"项目 id「{project.id}」在 {project.year} 年重复（已用于 {first_by_id[key].display}）",
                                 "每个项目的 id 在同一年度内必须唯一；新项目请换一个 id")
            continue
        first_by_id[key] = entry
        content.entries.append(entry)
    if cache is not None:
        cache.forget_missing({path for path, _ in files})
    invalid = {(int(year), Path(path).stem) for path, year in files if hits[path][0] is None}  # type: ignore[index]
    _evaluations(content, evaluations, cache, first_by_id, invalid)
    _departments(content, departments, cache)
    content.report.extend(_one_name_per_code(content.entries))
    if config is not None:
        content.report.extend(_one_table_per_index_number(config, content.entries))
    if not files and not misplaced and config is not None:
        content.report.warning(display_path(root), 0, 0, "W010", "没有找到任何项目文件",
                               f"在 {display_path(root)}/<年度>/ 下添加项目 YAML 文件")
    return content
