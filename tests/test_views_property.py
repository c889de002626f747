"""Every output's key covers what its template reads: after any edit, to content or to a template
that reads more than the shipped ones do, an incremental build — a new ``perfsite build``, a kept
``build --watch`` and serve's preview, both told what changed — is byte-identical to a clean build.
A template that reads what its page does not have fails the same way in both, and the failed
incremental build leaves its output as it was.

The templates get probes (``<p class="probe">{{ expr }}</p>`` right after ``{% block main %}``)
made of expressions from ``POOL``: the names each template's context is promised to keep."""

from __future__ import annotations

import difflib
import importlib
import itertools
import os
import re
import shutil
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from perfsite.builder import Builder

from conftest import ROOT, files

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402


# ---------------------------------------------------------------------------------------------
# POOL: template → Jinja expressions its context is promised to answer (dict-like objects,
# attribute access). Edit here when the view names change; nothing else in this file knows them.
# An expression a page's view lacks is fine: the clean and the incremental build must then fail
# alike (StrictUndefined), which the comparison checks.
# ---------------------------------------------------------------------------------------------
COMMON = ["config.title", "config.publisher", "nav", "root", "path"]

POOL: dict[str, list[str]] = {
    "project.html": COMMON + [
        "project.name",
        "project.implementer",
        'project.goals|join("|")',
        "project.id",
        "project.year",
        "department.name",
        "department.projects|length",
        'department.projects|map(attribute="name")|join(",")',
        'department.projects|map(attribute="implementer")|join(",")',
        "department.total",
        "page.previous and page.previous.name",
        "page.comparison and page.comparison.changed",
    ],
    "year.html": COMMON + [
        "year.year",
        "year.total",
        "year.count",
        "year.counts",
        'year.departments|map(attribute="name")|join(",")',
        'year.departments|map(attribute="count")|join(",")',
        'year.departments[0].projects|map(attribute="name")|join(",")',  # only years that list projects
    ],
    "index.html": COMMON + [
        'years|map(attribute="year")|join(",")',
        "years[0].total",
        "years[0].count",
        'years[0].departments|map(attribute="name")|join(",")',
        'years[-1].departments|map(attribute="total")|join(",")',
        "lists_projects",
        'years[-1].departments[0].projects|map(attribute="name")|join(",")',  # only small sites
    ],
    "departments.html": COMMON + [
        'departments|map(attribute="name")|join(",")',
        'departments|map(attribute="slug")|join(",")',
        "departments[0].years|length",
        'departments[-1].years|map(attribute="count")|join(",")',
    ],
    "department.html": COMMON + [
        "department.name",
        "department.code",
        'department.years|map(attribute="year")|join(",")',
        "department.years[0].dept.total",
        'department.years[0].dept.projects|map(attribute="name")|join(",")',
        'department.years[-1].dept.projects|map(attribute="implementer")|join(",")',
        "department.years[-1].chart.bars|length",
    ],
    "changes.html": COMMON + [
        "year.year",
        "year.previous.year",
        'department.name if department else ""',
        "changes.added|length if changes else parts|length",
        'changes.removed|map(attribute="name")|join(",") if changes else ""',
        'changes.changed|map(attribute="name")|join(",") if changes else ""',
        'changes.details|map(attribute="name")|join(",") if changes and changes.details else ""',
    ],
}

# Layout thresholds made small so a small site has the large sites' pages (a year's page as a
# table of departments, changes per department, no whole-year CSV, a home page of departments).
# Looked up by name wherever the code keeps them (the rewrite may move them); None: as shipped.
LIMITS: dict[str, list[int | None]] = {
    "LIST_LIMIT": [None, 2, 4],
    "SPLIT_CHANGES_LIMIT": [None, 2, 4],
    "WHOLE_CSV_LIMIT": [None, 4],
    "DETAIL_LIMIT": [None, 0],
    "INDEX_LIMIT": [None, 8, 17],  # the base site has 17 projects: one more and it flips
}
LIMIT_MODULES = ("perfsite.site", "perfsite.builder", "perfsite.render", "perfsite.views", "perfsite.view",
                 "perfsite.pages")

EXAMPLES = int(os.environ.get("PERFSITE_PROPERTY_EXAMPLES", "25"))  # CI: ~30 s on 2 cores


# --- the site ----------------------------------------------------------------------------------

def make_base(site: Path) -> Path:
    """The shipped content and templates (2022: five projects of one department without a code),
    with a generated site beside them: four projects in each of 2022, 2023, 2024, two departments
    of two projects each, paired across years by id."""
    gen = generate(12, site / ".generated")
    for path in sorted((gen / "content").glob("*/*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.stem in ("p000002", "p000003"):  # into the department of p000000 / p000001
            other = (gen / "content" / path.parent.name / f"p00000{int(path.stem[-1]) - 2}.yaml")
            text = set_field(text, "主管部门及代码", field(other.read_text(encoding="utf-8"), "主管部门及代码"))
        (site / "content" / path.parent.name).mkdir(parents=True, exist_ok=True)
        (site / "content" / path.parent.name / path.name).write_text(text, encoding="utf-8")
    shutil.rmtree(gen)
    return site


def field(text: str, label: str) -> str:
    found = re.search(rf"^{label}: (.+)$", text, re.M)
    assert found, label
    return found[1]


def set_field(text: str, label: str, value: str) -> str:
    new, count = re.subn(rf"^{label}: .+$", f"{label}: {value}", text, count=1, flags=re.M)
    assert count == 1, label
    return new


def probe_line(expr: str) -> str:
    return f'<p class="probe">{{{{ {expr} }}}}</p>\n'


def add_probes(site: Path, template: str, exprs: list[str]) -> None:
    path = site / "templates" / template
    text = path.read_text(encoding="utf-8")
    marker = "{% block main %}"
    assert text.count(marker) == 1, template
    path.write_text(text.replace(marker, marker + "\n" + "".join(probe_line(e) for e in exprs), 1),
                    encoding="utf-8")


def projects(site: Path) -> list[Path]:
    return sorted((site / "content").glob("*/*.yaml"))


# --- edits: each takes the site, a number that picks its target, and a serial (unique names) ---

def edit_value(site: Path, pick: int, serial: int) -> str:
    """An indicator value: a ≥N% target one lower (or, without one, a text value longer)."""
    path = projects(site)[pick % len(projects(site))]
    text = path.read_text(encoding="utf-8")
    match = re.search(r"(指标值: '?≥)(\d+)(%)", text)
    if match:
        number = int(match[2])
        text = text[:match.start(2)] + str(number - 1 if number > 1 else number + 1) + text[match.end(2):]
    else:
        text = re.sub(r"(指标值: )(.+)", lambda m: f"{m[1]}{m[2].strip(chr(39))}（调整）", text, count=1)
    path.write_text(text, encoding="utf-8")
    return f"indicator value in {path.relative_to(site)}"


def edit_name(site: Path, pick: int, serial: int) -> str:
    path = projects(site)[pick % len(projects(site))]
    text = path.read_text(encoding="utf-8")
    name = field(text, "项目名称")
    new = f"A{name}" if (pick // 7) % 2 else f"{name}改{serial}"  # "A…" moves it first in its department
    path.write_text(set_field(text, "项目名称", new), encoding="utf-8")
    return f"rename project {path.relative_to(site)} to {new}"


def edit_implementer(site: Path, pick: int, serial: int) -> str:
    path = projects(site)[pick % len(projects(site))]
    text = path.read_text(encoding="utf-8")
    path.write_text(set_field(text, "实施单位", f"{field(text, '实施单位')}（{serial}）"), encoding="utf-8")
    return f"implementer of {path.relative_to(site)}"


def edit_total(site: Path, pick: int, serial: int) -> str:
    """One more 万元, in 资金总额, 财政拨款 and 本级安排, and in a cost ceiling (no W001)."""
    path = projects(site)[pick % len(projects(site))]
    text = path.read_text(encoding="utf-8")
    total = field(text, "  资金总额")
    more = str(Decimal(total) + 1)
    for label in ("资金总额", "财政拨款", "本级安排"):
        text, count = re.subn(rf"^(  {label}: ){re.escape(total)}[ \t]*$", rf"\g<1>{more}", text, count=1,
                              flags=re.M)
        assert count == 1, (path, label)
    ceiling = re.search(r"(指标值: '?≤)([\d.]+)(万元?)", text)  # the shipped tables also write "≤10.38万"
    if ceiling:
        text = text[:ceiling.start(2)] + str(Decimal(ceiling[2]) + 1) + text[ceiling.end(2):]
    path.write_text(text, encoding="utf-8")
    return f"total of {path.relative_to(site)} to {more}"


def edit_department(site: Path, pick: int, serial: int) -> str:
    """主管部门及代码: another department of the site, or a new one."""
    files_now = projects(site)
    path = files_now[pick % len(files_now)]
    text = path.read_text(encoding="utf-8")
    current = field(text, "主管部门及代码")
    choices = sorted({field(p.read_text(encoding="utf-8"), "主管部门及代码") for p in files_now} - {current})
    choices.append("149-黔南州测试局")
    new = choices[(pick // 11) % len(choices)]
    path.write_text(set_field(text, "主管部门及代码", new), encoding="utf-8")
    return f"department of {path.relative_to(site)} to {new}"


def add_project(site: Path, pick: int, serial: int) -> str:
    """A copy of a project file, in its year, with a new id and name."""
    source = projects(site)[pick % len(projects(site))]
    text = source.read_text(encoding="utf-8")
    ident = f"{field(text, 'id')}-n{serial}"
    text = set_field(set_field(text, "id", ident), "项目名称", f"{field(text, '项目名称')}（增{serial}）")
    target = source.with_name(f"{ident}.yaml")
    target.write_text(text, encoding="utf-8")
    return f"add project {target.relative_to(site)} (copy of {source.name})"


def remove_project(site: Path, pick: int, serial: int) -> str:
    files_now = projects(site)
    if len(files_now) <= 2:
        return "remove project: skipped (two left)"
    path = files_now[pick % len(files_now)]
    path.unlink()
    return f"remove project {path.relative_to(site)}"


def rename_file(site: Path, pick: int, serial: int) -> str:
    path = projects(site)[pick % len(projects(site))]
    target = path.with_name(f"f{serial}-{path.name}")
    path.rename(target)
    return f"rename file {path.relative_to(site)} to {target.name}"


def add_year(site: Path, pick: int, serial: int) -> str:
    """The newest year's projects copied into the next year, with 年度 (and dates) changed."""
    years = sorted(int(p.name) for p in (site / "content").iterdir() if p.is_dir() and p.name.isdigit())
    source = max(int(p.parent.name) for p in projects(site))
    new = max(years) + 1
    (site / "content" / str(new)).mkdir()
    for path in sorted((site / "content" / str(source)).glob("*.yaml")):
        text = path.read_text(encoding="utf-8").replace(f"年度: {source}", f"年度: {new}", 1)
        (site / "content" / str(new) / path.name).write_text(text.replace(f"{source}年", f"{new}年"),
                                                             encoding="utf-8")
    return f"add year {new} (a copy of {source})"


EDITABLE = [*POOL, "base.html"]


def edit_template(site: Path, pick: int, serial: int) -> str:
    """A comment appended to a template, or one more probe in it."""
    name = EDITABLE[pick % len(EDITABLE)]
    path = site / "templates" / name
    if name in POOL and (pick // len(EDITABLE)) % 2:
        expr = POOL[name][(pick // (2 * len(EDITABLE))) % len(POOL[name])]
        add_probes(site, name, [expr])
        return f"template {name}: probe {expr}"
    path.write_text(path.read_text(encoding="utf-8") + f"{{# edit {serial} #}}\n", encoding="utf-8")
    return f"template {name}: a comment"


EDITS: dict[str, Callable[[Path, int, int], str]] = {
    "value": edit_value, "name": edit_name, "implementer": edit_implementer, "total": edit_total,
    "department": edit_department, "add": add_project, "remove": remove_project, "rename_file": rename_file,
    "add_year": add_year, "template": edit_template,
}


def stats(site: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p.resolve()): (st.st_mtime_ns, st.st_size, st.st_ino)
            for root in (site / "content", site / "templates") for p in root.rglob("*")
            if p.is_file() and (st := p.stat())}


def watched(site: Path, step: Callable[[], str]) -> tuple[str, list[str]]:
    """Runs ``step``; returns what it says it did and what a watcher would report: every file it
    wrote, added or removed, as absolute paths."""
    before = stats(site)
    what = step()
    after = stats(site)
    return what, sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


# --- the comparison ----------------------------------------------------------------------------

def probes(data: bytes | None) -> list[str]:
    text = (data or b"").decode("utf-8", "replace")
    return re.findall(r'<p class="probe">(.*?)</p>', text)


def differences(made: dict[str, bytes], clean: dict[str, bytes]) -> str:
    """Which files differ, and how the first differs (its probes, else a few lines of diff)."""
    paths = sorted(p for p in made.keys() | clean.keys() if made.get(p) != clean.get(p))
    if not paths:
        return ""
    first = next((p for p in paths if p.endswith(".html") and p in made and p in clean), paths[0])
    detail = f"{first}: "
    if first not in made or first not in clean:
        detail += "only in the clean build" if first not in made else "not in the clean build"
    elif probes(made[first]) != probes(clean[first]):
        detail += f"probes {probes(made[first])} where a clean build has {probes(clean[first])}"
    else:
        lines = difflib.unified_diff(clean[first].decode("utf-8", "replace").splitlines(),
                                     made[first].decode("utf-8", "replace").splitlines(),
                                     "clean", "incremental", n=0, lineterm="")
        detail += " | ".join(itertools.islice(lines, 2, 8))
    return f"{len(paths)} file(s) differ from a clean build: {paths[:12]}; {detail}"


MARKER = ".perfsite-output"  # what makes a directory an output: no page


def without_state(made: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in made.items() if path != ".perfsite-state"}


class Outputs:
    """One site built three ways into three outputs, each compared with a clean build."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.content, self.templates = site / "content", site / "templates"
        self.command = site / "out-command"  # a new `perfsite build` each time
        self.watch = site / "out-watch"
        self.preview = site / "out-preview"
        self.watcher = Builder(self.content, self.templates, self.watch, keep=True, search=False)  # build --watch
        self.server = Builder(self.content, self.templates, self.preview, in_place=True, search=False)  # serve
        self.cleans = itertools.count()

    def clean(self) -> tuple[list[str], dict[str, bytes] | None]:
        """A clean build's diagnostic codes, and its files (None if it failed)."""
        where = self.site / f".clean-{next(self.cleans)}"
        try:
            result = Builder(self.content, self.templates, where / "out", search=False).build()
            return sorted(d.code for d in result.diagnostics), files(where / "out") if result.ok else None
        finally:
            shutil.rmtree(where, ignore_errors=True)

    def build(self, what: str, changed: list[str] | None = None) -> None:
        """All three builds after ``what``, each checked against a clean build of the same content."""
        codes, clean = self.clean()
        ways: list[tuple[str, Path, Callable[[], Any], bool]] = [
            ("perfsite build", self.command,
             lambda: Builder(self.content, self.templates, self.command, search=False).build(), True),
            ("build --watch", self.watch, lambda: self.watcher.build(changed), True),
            ("serve preview", self.preview, lambda: self.server.build(changed), False),
        ]
        pages: list[str] = []  # pages (or the outcome) differ: what a reader or a deploy sees
        state: list[str] = []  # only the state file differs: the keys the next build goes by
        for way, out, run, with_state in ways:
            before = files(out) if out.is_dir() else {}
            result = run()
            made_codes = sorted(d.code for d in result.diagnostics)
            if clean is None:
                after = files(out) if out.is_dir() else {}
                if result.ok:
                    pages.append(f"{way}: succeeded where a clean build fails with {codes}")
                elif made_codes != codes:
                    pages.append(f"{way}: failed with {made_codes}, a clean build with {codes}")
                elif with_state and after != before:  # the preview writes its own folder in place, its
                    # pages all error pages while an error stands: what it must do is equal a clean
                    # build after the next successful one, which the steps after this check
                    pages.append(f"{way}: failed, and changed its output: {differences(after, before)}")
                continue
            if not result.ok:
                pages.append(f"{way}: failed with {made_codes} where a clean build succeeds: "
                             + "; ".join(d.format() for d in result.diagnostics))
                continue
            made, expected = files(out), dict(clean)
            if not with_state:
                expected.pop(".perfsite-state")
            shown = differences(without_state(made), without_state(expected))
            if shown:
                pages.append(f"{way}: {shown}")
            elif made != expected:
                state.append(f"{way}: {differences(made, expected)}")
        # Two assertions, so that hypothesis reports (and shrinks) each kind of failure apart.
        assert not pages, f"after {what}:\n  " + "\n  ".join(pages)
        assert not state, f"after {what}, only the state file differs (keys or their order):\n  " + "\n  ".join(state)


def limit_owners(name: str) -> list[object]:
    """Every module or class of ``LIMIT_MODULES`` that defines ``name`` itself."""
    owners: list[object] = []
    for module_name in LIMIT_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if isinstance(vars(module).get(name), int):
            owners.append(module)
        for value in vars(module).values():
            if (isinstance(value, type) and value.__module__ == module_name
                    and isinstance(vars(value).get(name), int)):
                owners.append(value)
    return owners


def set_limits(mp: pytest.MonkeyPatch, limits: dict[str, int | None]) -> None:
    for name, value in limits.items():
        if value is None:
            continue
        owners = limit_owners(name)
        if not owners:
            warnings.warn(f"{name} is nowhere in {LIMIT_MODULES}: its large-site layout is not exercised")
        for owner in owners:
            mp.setattr(owner, name, value)


# --- the property ------------------------------------------------------------------------------

templates_strategy = st.fixed_dictionaries(
    {name: st.lists(st.sampled_from(exprs), min_size=1, max_size=4) for name, exprs in POOL.items()})
edits_strategy = st.lists(st.tuples(st.sampled_from(list(EDITS)), st.integers(0, 200)), min_size=1, max_size=4)
limits_strategy = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in LIMITS.items()})


COUNTER = itertools.count()


@pytest.fixture
def base(shipped: Path) -> Path:
    return make_base(shipped)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[phase for phase in Phase if phase is not Phase.explain],  # explaining took minutes
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(probes_drawn=templates_strategy, edits=edits_strategy, limits=limits_strategy)
def test_incremental_builds_equal_a_clean_build_whatever_the_templates_read(
        base: Path, tmp_path: Path, probes_drawn: dict[str, list[str]], edits: list[tuple[str, int]],
        limits: dict[str, int | None]):
    site = tmp_path / f"example-{next(COUNTER)}"
    shutil.copytree(base / "content", site / "content")
    shutil.copytree(base / "templates", site / "templates")
    try:
        with pytest.MonkeyPatch.context() as mp:
            set_limits(mp, limits)
            for template, exprs in probes_drawn.items():
                add_probes(site, template, exprs)
            outputs = Outputs(site)
            outputs.build("the first build")
            for serial, (kind, pick) in enumerate(edits, start=1):
                what, changed = watched(site, lambda: EDITS[kind](site, pick, serial))
                note(f"edit {serial}: {what}")
                outputs.build(f"edit {serial} ({what})", changed)
            # The probes taken out again: every build succeeds, also after a run of failures
            # (the preview wrote part of its folder before each failed).
            _, changed = watched(site, lambda: [shutil.copy(base / "templates" / name, site / "templates" / name)
                                                for name in probes_drawn])
            outputs.build("the probes taken out", changed)
    finally:
        shutil.rmtree(site, ignore_errors=True)


# --- the two reproductions, without hypothesis -------------------------------------------------

def test_project_pages_count_their_departments_projects_after_one_is_added(shipped: Path):
    """project.html shows how many projects its department has; a project is added to it: every
    other project page of the department must show the new count, as a clean build does."""
    add_probes(shipped, "project.html", ["department.projects|length"])
    outputs = Outputs(shipped)
    outputs.build("the first build")
    what, changed = watched(shipped, lambda: add_project(shipped, 1, 1))  # a copy of cunzhen-jianshe
    codes, clean = outputs.clean()
    assert clean is not None, codes
    assert probes(clean["2022/chengjian-zhifa.html"]) == ["6"]
    outputs.build(what, changed)


def test_a_large_years_page_that_lists_project_names_shows_a_rename(shipped: Path, monkeypatch):
    """Above the list limit a year's page is a table of departments; a year.html that lists the
    names of a department's projects all the same must show a rename (or fail the same way in a
    clean build, if its view has no projects)."""
    assert limit_owners("LIST_LIMIT"), "LIST_LIMIT is gone: make the year large another way"
    set_limits(monkeypatch, {"LIST_LIMIT": 2})  # 2022 has five projects
    add_probes(shipped, "year.html", ['year.departments[0].projects|map(attribute="name")|join(",")'])
    outputs = Outputs(shipped)
    outputs.build("the first build")
    what, changed = watched(shipped, lambda: edit_name(shipped, 0, 1))  # chengjian-zhifa → …改1
    outputs.build(what, changed)


def test_kept_builders_show_a_rename_on_every_page_that_lists_the_department(shipped: Path):
    """build --watch and serve's preview update their kept site for a rename (no listing
    arranged again): project pages that list their department's project names must follow."""
    add_probes(shipped, "project.html", ['department.projects|map(attribute="name")|join(",")'])
    outputs = Outputs(shipped)
    outputs.build("the first build")
    what, changed = watched(shipped, lambda: edit_name(shipped, 2, 1))  # jianzhuye-guanli → …改1
    outputs.build(what, changed)
