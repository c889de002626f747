"""Incremental builds are correct first: after every kind of change, the output of a build that
carried over what it could is byte-identical to a clean build's — serially, in parallel, and in
the preview's in-place mode."""

from __future__ import annotations

import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

from perfsite import state
from perfsite.builder import Builder

from conftest import ROOT, clean_build, files

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def change_value(site: Path) -> None:
    edit(site, "content/2023/p000001.yaml", "资金来源: 财政资金", "资金来源: 财政专项资金")


def delete_project(site: Path) -> None:
    (site / "content/2024/p000002.yaml").unlink()


def rename_file(site: Path) -> None:
    (site / "content/2022/p000003.yaml").rename(site / "content/2022/renamed.yaml")


def change_id(site: Path) -> None:
    edit(site, "content/2022/p000006.yaml", "id: p000006", "id: new-id")


def change_template(site: Path) -> None:
    edit(site, "templates/base.html", "<footer class=\"site-footer\">", "<footer class=\"site-footer changed\">")


def change_static(site: Path) -> None:
    (site / "templates/static/site.css").write_text("/* new */\n", encoding="utf-8")


def change_config(site: Path) -> None:
    edit(site, "content/site.yaml", "网址: https://example.gov.cn/xxgk/jxmb/", "网址: https://example.org/jx/")


def add_year(site: Path) -> None:
    (site / "content/2025").mkdir()
    shutil.copy(site / "content/2024/p000005.yaml", site / "content/2025/p000005.yaml")
    edit(site, "content/2025/p000005.yaml", "年度: 2024", "年度: 2025")


def department_change(site: Path) -> None:
    edit(site, "content/2023/p000004.yaml", "主管部门及代码: 104-", "主管部门及代码: 149-")


STEPS: list[Callable[[Path], None]] = [change_value, delete_project, rename_file, change_id, change_template,
                                      change_static, department_change, add_year, change_config]


@pytest.mark.parametrize("jobs", [1, 2])
def test_incremental_build_equals_a_clean_build_after_every_change(tmp_path: Path, jobs: int):
    site = generate(90, tmp_path / "site")  # ~400 output files: enough for the parallel path
    incremental = Builder(site / "content", site / "templates", site / "out", jobs=jobs, search=False)
    assert incremental.build().ok
    for step in STEPS:
        step(site)
        result = Builder(site / "content", site / "templates", site / "out", jobs=jobs, search=False).build()
        assert result.ok, step.__name__
        assert result.unchanged > 0, f"{step.__name__}: nothing was carried over"
        clean_dir = tmp_path / f"clean-{step.__name__}"
        assert Builder(site / "content", site / "templates", clean_dir, jobs=1, search=False).build().ok
        assert files(site / "out") == files(clean_dir), step.__name__


def test_one_changed_project_renders_only_what_depends_on_it(tmp_path: Path):
    site = generate(90, tmp_path / "site")
    assert Builder(site / "content", site / "templates", site / "out", search=False).build().ok
    change_value(site)  # a field that no listing page shows
    result = Builder(site / "content", site / "templates", site / "out", search=False).build()
    assert {p for p in result.written if p.endswith(".html")} == {
        "2023/p000001.html", "2024/p000001.html",  # its page, and next year's 与上年对比
        "2023/changes.html", "2024/changes.html"}  # the changes it is part of
    assert "2023/indicators.csv" in result.written and "index.html" not in result.written
    assert result.unchanged > 300

    edit(site, "content/2023/p000001.yaml", "项目名称: ", "项目名称: 新")  # a field that listing pages show
    result = Builder(site / "content", site / "templates", site / "out", search=False).build()
    assert {p for p in result.written if p.endswith(".html")} == {
        "2023/p000001.html", "2024/p000001.html", "2023/changes.html", "2024/changes.html",
        "2023/index.html", "index.html", "departments/d101.html"}  # not the department index: it shows no name
    assert {"feed.xml", "2023/datapackage.json"} <= set(result.written)
    assert "sitemap.xml" not in result.written  # the same pages, in the same order

    edit(site, "content/2023/p000001.yaml", "实施单位: ", "实施单位: 新")  # shown by the year page, not the data package
    result = Builder(site / "content", site / "templates", site / "out", search=False).build()
    assert "2023/index.html" in result.written and "2023/datapackage.json" not in result.written
    assert "departments/d101.html" in result.written  # its year section lists implementers
    assert Builder(site / "content", site / "templates", tmp_path / "clean", search=False).build().ok
    assert files(site / "out") == files(tmp_path / "clean")


def test_a_large_years_page_counts_its_departments_and_a_name_edit_leaves_it(tmp_path: Path, monkeypatch):
    """Above YearPage.LIST_LIMIT projects a year's page is a table of its departments (each
    linking to the year's section of its department's page, where the projects are listed): a
    name or implementer edit renders the department's page, not the year's. A site's own year.html
    that lists every project reads what a large year's view does not hold: that is an error that
    names the template's line, not a stale page, and nothing is published."""
    from perfsite.site import Site, YearPage

    monkeypatch.setattr(YearPage, "LIST_LIMIT", 20)
    monkeypatch.setattr(Site, "INDEX_LIMIT", 50)
    site = generate(90, tmp_path / "site")  # 30 projects a year
    out = site / "out"
    assert Builder(site / "content", site / "templates", out, search=False, strict=True).build().ok  # links checked
    year = (out / "2023/index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr id="(d\d+)"><th scope="row"><a href="\.\./departments/(d\d+)\.html#y2023">', year)
    assert rows and all(a == b for a, b in rows) and "p000001.html" not in year
    counts = [int(n) for n in re.findall(r'</th><td class="num">(\d+)</td><td class="num dept-total">', year)]
    assert sum(counts) == 30
    department = (out / "departments/d101.html").read_text(encoding="utf-8")
    assert re.search(r'id="y2023"[\s\S]*?2023/p000001\.html', department)
    for old, new in (("项目名称: ", "项目名称: 新"), ("实施单位: ", "实施单位: 新")):
        edit(site, "content/2023/p000001.yaml", old, new)
        result = Builder(site / "content", site / "templates", out, search=False, strict=True).build()
        assert result.ok and "departments/d101.html" in result.written
        assert "2023/index.html" not in result.written, old
        assert ("feed.xml" in result.written) == (old == "项目名称: "), old  # it shows names, not implementers
    assert files(out) == clean_build(site, tmp_path)

    (site / "templates/year.html").write_text(  # a site's own, written before large years were split
        '{% extends "base.html" %}{% block main %}<h1>{{ year.year }}年度</h1><ul>{% for p in year.projects %}'
        '<li><a href="{{ p.id }}.html">{{ p.name }}</a>，{{ p.implementer }}</li>{% endfor %}</ul>{% endblock %}\n',
        encoding="utf-8")
    before = files(out)
    result = Builder(site / "content", site / "templates", out, search=False).build()
    assert not result.ok and files(out) == before
    problem, = result.diagnostics
    assert problem.code == "E051" and problem.path.endswith("templates/year.html") and problem.line == 1
    assert "projects" in problem.message and "模板能读到什么" in problem.hint


def test_nothing_changed_is_known_without_reading_content(tmp_path: Path, monkeypatch):
    site = generate(30, tmp_path / "site")
    assert Builder(site / "content", site / "templates", site / "out", search=False).build().ok
    import perfsite.builder

    monkeypatch.setattr(perfsite.builder, "load_content", lambda *a, **k: pytest.fail("content was read"))
    result = Builder(site / "content", site / "templates", site / "out", search=False).build()
    assert result.ok and result.written == [] and result.unchanged > 0


def stats(site: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p.resolve()): (st.st_mtime_ns, st.st_size, st.st_ino) for p in site.rglob("*")
            if p.is_file() and (st := p.stat())}


def watched(site: Path, step: Callable[[Path], None]) -> list[str]:
    """Runs ``step`` and returns what a watcher (serve's) would report of it: every file it
    wrote, added or removed, as absolute paths, and an editor's temporary file, already gone."""
    before = stats(site / "content") | stats(site / "templates")
    step(site)
    after = stats(site / "content") | stats(site / "templates")
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    return changed + [str((site / "content/2023/.p000001.yaml.3f9a").resolve())]


@pytest.mark.parametrize("told", [False, True])  # serve's builder told what its watcher saw, or not
def test_preview_in_place_builds_equal_clean_builds(tmp_path: Path, told: bool):
    site = generate(45, tmp_path / "site")
    preview = Builder(site / "content", site / "templates", site / "preview", in_place=True, search=False)
    assert preview.build().ok
    for step in (change_value, delete_project, change_template, rename_file):
        if told:
            assert preview.build(watched(site, step)).ok
        else:
            step(site)
            assert preview.build().ok
        assert files(site / "preview") == clean_build(site, tmp_path, state=False), step.__name__
    if told:  # only an editor's temporary file, already gone: nothing to do
        result = preview.build([str(site / "content/2023/.p000002.yaml.swx2")])
        assert result.ok and result.written == [] and result.unchanged == preview.build().unchanged > 0


@pytest.mark.parametrize(("detail_limit", "split", "told", "watch"), [  # changes pages with every diff, a line
    (100, False, False, False), (0, False, False, False), (100, True, True, False),  # each, or a page per
    (100, False, True, False),  # department; told what the watcher saw, or not; serve's preview, or
    (100, False, True, True), (100, True, True, True), (0, False, False, True)])  # build --watch
def test_a_preview_save_that_changes_only_pages_updates_the_kept_site(tmp_path: Path, monkeypatch, detail_limit: int,
                                                                      split: bool, told: bool, watch: bool):
    """A kept builder (serve's preview; build --watch into a real output), told what a watcher
    saw or not, equals a clean build after every save (build --watch: its state and cache too, so
    that a new command after it finds nothing to do)."""
    import perfsite.site

    monkeypatch.setattr(perfsite.site.YearPage, "DETAIL_LIMIT", detail_limit)
    if split:
        monkeypatch.setattr(perfsite.site.YearPage, "SPLIT_CHANGES_LIMIT", 5)
    site = generate(45, tmp_path / "site")  # 15 projects in each of 2022, 2023, 2024
    out = site / ("output" if watch else "preview")
    preview = Builder(site / "content", site / "templates", out, in_place=not watch, keep=watch, search=False)
    assert preview.build().ok

    def value(rel: str, old: str = "良好", new: str = "较好") -> Callable[[Path], None]:
        return lambda site: edit(site, rel, old, new)

    def two_values(site: Path) -> None:
        edit(site, "content/2022/p000002.yaml", "良好", "较好")
        edit(site, "content/2024/p000003.yaml", "资金来源: 财政资金", "资金来源: 财政专项资金")

    def new_total(site: Path) -> None:  # one more 万元, and in a cost ceiling too (no W001)
        path = site / "content/2024/p000002.yaml"
        text = path.read_text(encoding="utf-8")
        total = re.search(r"资金总额: ([\d.]+)", text)[1]
        more = str(Decimal(total) + 1)
        for label in ("资金总额", "财政拨款", "本级安排"):
            text = text.replace(f"{label}: {total}\n", f"{label}: {more}\n", 1)
        ceiling = re.search(r"'≤([\d.]+)万元'", text)[1]
        path.write_text(text.replace(f"'≤{ceiling}万元'", f"'≤{Decimal(ceiling) + 1}万元'", 1), encoding="utf-8")

    def broken(site: Path) -> None:
        edit(site, "content/2023/p000004.yaml", "资金总额: ", "资金总额: x")

    steps: list[Callable[[Path], None]] = [
        value("content/2023/p000001.yaml"),
        two_values,
        value("content/2023/p000001.yaml", "较好", "良好"),  # back as it was
        value("content/2023/p000005.yaml", "项目名称: ", "项目名称: 新"),  # listings show it; paired by id
        broken,  # an error: nothing published
        value("content/2023/p000004.yaml", "资金总额: x", "资金总额: "),
        value("content/2024/p000001.yaml"),
        value("content/2024/p000002.yaml", "实施单位: ", "实施单位: 新"),  # the year page shows it
        new_total,  # every listing shows it
        value("content/2024/p000001.yaml", "较好", "良好"),
    ]
    for number, step in enumerate(steps):
        if told:
            result = preview.build(watched(site, step))
        else:
            step(site)
            result = preview.build()
        if step is broken:
            assert not result.ok
            continue
        assert result.ok, number
        if not watch:
            assert files(out) == clean_build(site, tmp_path, state=False), number
            continue
        assert files(out) == clean_build(site, tmp_path), number  # the state file too
        stamp = state.inputs(site / "content", site / "templates", False, False)[0]
        assert state.unchanged(out, stamp) is not None, number  # known unchanged from its stamp alone
        again = Builder(site / "content", site / "templates", out, search=False).build()  # a new command
        assert again.ok and again.written == [] and again.unchanged == result.unchanged + len(result.written), number


def test_the_preview_renders_a_whole_build_in_workers_and_equals_a_clean_build(tmp_path: Path, monkeypatch):
    """serve's first build, and one after a template change, render in forked workers that write
    straight into the preview's folder (at 10,000 projects its start took 31 s in one process)."""
    import perfsite.publish

    spreads: list[tuple[int, int]] = []
    real = perfsite.publish.spread
    monkeypatch.setattr(perfsite.publish, "spread", lambda count, task, jobs, **k: (
        spreads.append((count, jobs)), real(count, task, jobs, **k))[1])
    site = generate(300, tmp_path / "site")
    preview = Builder(site / "content", site / "templates", site / "preview", in_place=True, search=False, jobs=2)
    for step in (lambda site: None, change_template, change_value):
        spreads.clear()
        step(site)
        assert preview.build().ok
        if step is change_template:
            assert any(count > 300 and jobs == 2 for count, jobs in spreads)  # every page, in two workers
        assert files(site / "preview") == clean_build(site, tmp_path, state=False)


def test_a_watcher_report_is_trusted_only_for_a_small_edit(tmp_path: Path):
    """A mass change can overflow the watcher's queue (watchdog drops inotify's overflow event
    silently): a report longer than Builder.REPORT_LIMIT makes the kept build look at every input,
    and so does a report that names a file added or removed; a file a report missed is seen then."""
    site = generate(90, tmp_path / "site")
    preview = Builder(site / "content", site / "templates", site / "preview", in_place=True, search=False)
    assert preview.build().ok
    edited = sorted((site / "content/2023").glob("*.yaml"))[: Builder.REPORT_LIMIT + 2]
    for path in edited:
        path.write_text(path.read_text(encoding="utf-8").replace("资金来源: 财政资金", "资金来源: 财政专项资金", 1),
                        encoding="utf-8")
    assert preview.build([str(path.resolve()) for path in edited[1:]]).ok  # the first is missing
    assert "财政专项资金" in (site / "preview/2023" / f"{edited[0].stem}.html").read_text(encoding="utf-8")

    missed = site / "content/2024/p000001.yaml"  # a change no report names ...
    missed.write_text(missed.read_text(encoding="utf-8").replace("资金来源: 财政资金", "资金来源: 自筹资金", 1),
                      encoding="utf-8")
    added = site / "content/2024/new.yaml"  # ... is seen by the next build that looks at every input
    added.write_text(missed.read_text(encoding="utf-8").replace("id: p000001", "id: new"), encoding="utf-8")
    assert preview.build([str(added.resolve())]).ok
    assert "自筹资金" in (site / "preview/2024/p000001.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("split", [False, True])
def test_a_preview_rename_moves_the_project_and_arranges_again_only_for_a_pair_by_name(tmp_path: Path, monkeypatch,
                                                                                      split: bool):
    """A renamed project moves within its department's lists, and its name may decide how
    projects pair across years; after each save the preview equals a clean build."""
    import perfsite.site

    if split:
        monkeypatch.setattr(perfsite.site.YearPage, "SPLIT_CHANGES_LIMIT", 5)
    site = generate(180, tmp_path / "site")  # 60 projects a year: p0000NN and p0000NN+50 share a department
    preview = Builder(site / "content", site / "templates", site / "preview", in_place=True, search=False)
    assert preview.build().ok

    def name_of(rel: str) -> str:
        return re.search(r"项目名称: (.+)", (site / rel).read_text(encoding="utf-8"))[1]

    def rename(rel: str, name: str) -> Callable[[Path], None]:
        return lambda site: edit(site, rel, f"项目名称: {name_of(rel)}\n", f"项目名称: {name}\n")

    first = name_of("content/2023/p000051.yaml")
    steps: list[tuple[Callable[[Path], None], bool]] = [  # (edit, does it change how projects pair?)
        (rename("content/2023/p000051.yaml", "A" + first), False),  # now before p000001 in its department
        (rename("content/2023/p000051.yaml", first), False),  # and back
        (lambda site: (site / "content/2024/p000052.yaml").rename(site / "content/2024/x000052.yaml"), True),
        (lambda site: edit(site, "content/2024/x000052.yaml", "id: p000052", "id: x000052"), True),
        (rename("content/2024/x000052.yaml", "新名称"), True),  # it paired by name with 2023's p000052
        (rename("content/2023/p000052.yaml", "新名称"), True),  # it would now pair by name with it
        (rename("content/2022/p000003.yaml", "ZZ"), False),  # the last of its department
        (lambda site: (site / "content/2024/p000053.yaml").unlink(), True),
        (rename("content/2023/p000053.yaml", "另一名称"), False),  # next year's changes list it as removed
        (lambda site: (site / "content/2022/p000054.yaml").unlink(), True),
        (lambda site: (site / "content/2023/p000056.yaml").unlink(), True),
        (rename("content/2023/p000054.yaml", name_of("content/2022/p000056.yaml")), True),  # now a pair by name
    ]
    for number, (step, _) in enumerate(steps):
        step(site)
        assert preview.build().ok, number
        assert files(site / "preview") == clean_build(site, tmp_path, state=False), number


def test_a_new_build_parses_only_changed_files_and_ignores_a_broken_cache(tmp_path: Path, monkeypatch):
    import perfsite.load
    from perfsite import cache

    site = generate(45, tmp_path / "site")
    assert Builder(site / "content", site / "templates", site / "out", search=False).build().ok
    parsed: list[str] = []
    real = perfsite.load.load_project
    monkeypatch.setattr(perfsite.load, "load_project", lambda path, *a: (parsed.append(path.name), real(path, *a))[1])
    change_value(site)
    result = Builder(site / "content", site / "templates", site / "out", search=False).build()
    assert result.ok and parsed == ["p000001.yaml"]
    clean = tmp_path / "clean"
    assert Builder(site / "content", site / "templates", clean, search=False).build().ok
    assert files(site / "out") == files(clean)

    cache.location(site / "out").write_bytes(b"not a database")
    parsed.clear()
    edit(site, "content/2023/p000001.yaml", "财政专项资金", "财政资金")
    assert Builder(site / "content", site / "templates", site / "out", search=False).build().ok
    assert len(parsed) == 45  # no usable cache: every file read again, and the build still works


def test_the_preview_diffs_only_the_pairs_that_changed(tmp_path: Path, monkeypatch):
    import perfsite.memo
    import perfsite.site

    site = generate(90, tmp_path / "site")  # 30 projects, each in 2022, 2023 and 2024
    preview = Builder(site / "content", site / "templates", site / "preview", in_place=True, search=False)
    calls: list[str] = []
    real = perfsite.memo.diff_projects
    monkeypatch.setattr(perfsite.memo, "diff_projects", lambda old, new: (calls.append(new.id), real(old, new))[1])
    assert preview.build().ok
    assert len(calls) == 60  # every 2022→2023 and 2023→2024 pair, once
    calls.clear()
    change_value(site)  # p000001 in 2023: its pair with 2022 and with 2024 change
    assert preview.build().ok
    assert sorted(calls) == ["p000001", "p000001"]
    # Save after save, pairs still shown are not forgotten: also when the changes pages list one
    # line per project (large years) and are not rendered again, so never look at every pair.
    monkeypatch.setattr(perfsite.site.YearPage, "DETAIL_LIMIT", 0)
    for project in ("p000002", "p000003", "p000004"):
        calls.clear()
        edit(site, f"content/2023/{project}.yaml", "资金来源: 财政资金", "资金来源: 财政专项资金")
        assert preview.build().ok
        assert sorted(calls) == [project, project]


def test_a_small_change_patches_the_output_in_place_and_equals_a_clean_build(tmp_path: Path):
    """Fewer files changed than stayed: the output directory is patched (same directory, no
    relinking of the unchanged files), here by two forked workers, and still equals a clean build."""
    import os

    site = generate(600, tmp_path / "site")  # 200 projects a year: their pages need the parallel path
    out = site / "out"
    assert Builder(site / "content", site / "templates", out, jobs=2, search=False).build().ok
    inode = os.stat(out).st_ino
    for path in sorted((site / "content/2023").glob("*.yaml")):
        path.write_text(path.read_text(encoding="utf-8").replace("良好", "优良"), encoding="utf-8")
    delete_project(site)
    result = Builder(site / "content", site / "templates", out, jobs=2, search=False).build()
    assert result.ok and len(result.written) > 400 and result.removed
    assert os.stat(out).st_ino == inode, "the output was swapped, not patched"
    assert Builder(site / "content", site / "templates", tmp_path / "clean", search=False).build().ok
    assert files(out) == files(tmp_path / "clean")


def test_a_patch_interrupted_half_way_is_finished_by_the_next_build(tmp_path: Path, monkeypatch):
    import os

    import perfsite.write

    site = generate(90, tmp_path / "site")
    out = site / "out"
    assert Builder(site / "content", site / "templates", out, search=False).build().ok
    change_value(site)
    delete_project(site)
    moved = []
    real_replace = os.replace

    def dying_replace(source, target):  # the process is "killed" after three files went in
        if str(target).startswith(str(out.resolve())):
            if len(moved) == 3:
                raise KeyboardInterrupt
            moved.append(target)
        return real_replace(source, target)

    monkeypatch.setattr(perfsite.write.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        Builder(site / "content", site / "templates", out, search=False).build()
    monkeypatch.setattr(perfsite.write.os, "replace", real_replace)
    assert (site / ".out.journal").exists() and len(moved) == 3
    clean = tmp_path / "clean"
    assert Builder(site / "content", site / "templates", clean, search=False).build().ok
    assert files(out) != files(clean)  # half a patch
    result = Builder(site / "content", site / "templates", out, search=False).build()  # replays, then builds
    assert result.ok and not (site / ".out.journal").exists()
    assert not list(site.glob(".out.new-*"))
    assert files(out) == files(clean)


def test_a_small_rebuild_loads_only_the_models_it_shows(tmp_path: Path, monkeypatch):
    """Listing pages are made from summaries: after one edit, the only models read from the cache
    are those of the pages rendered again (next year's page, and last year's for the comparison)."""
    from perfsite.cache import Store
    from perfsite.site import YearPage

    monkeypatch.setattr(YearPage, "DETAIL_LIMIT", 0)  # changes pages list one line per project
    site = generate(90, tmp_path / "site")
    assert Builder(site / "content", site / "templates", site / "out", search=False).build().ok
    fetched: list[str] = []
    real = Store.project
    monkeypatch.setattr(Store, "project", lambda self, name, digest: (fetched.append(name), real(self, name, digest))[1])
    edit(site, "content/2023/p000001.yaml", "项目名称: ", "项目名称: 新")  # every listing page shows it
    result = Builder(site / "content", site / "templates", site / "out", search=False).build()
    assert result.ok and "index.html" in result.written and "2023/changes.html" in result.written
    assert sorted(Path(name).relative_to(site / "content").as_posix() for name in fetched) == [
        "2022/p000001.yaml", "2024/p000001.yaml"]
    assert Builder(site / "content", site / "templates", tmp_path / "clean", search=False).build().ok
    assert files(site / "out") == files(tmp_path / "clean")


def test_a_cached_model_that_does_not_match_is_read_from_its_file(tmp_path: Path):
    import sqlite3

    from perfsite import cache

    site = generate(90, tmp_path / "site")
    assert Builder(site / "content", site / "templates", site / "out", search=False).build().ok
    with sqlite3.connect(cache.location(site / "out")) as db:  # a damaged row
        db.execute("UPDATE entries SET project = ? WHERE path LIKE ?", (b"garbage", "%2024/p000001.yaml"))
    change_value(site)  # re-renders the page of p000001 in 2024: its model is needed
    assert Builder(site / "content", site / "templates", site / "out", search=False).build().ok
    assert Builder(site / "content", site / "templates", tmp_path / "clean", search=False).build().ok
    assert files(site / "out") == files(tmp_path / "clean")


def test_check_after_a_build_reads_only_the_files_changed_since(tmp_path: Path, monkeypatch, capsys):
    """perfsite check reads the cache the last build left beside output/, so a pre-commit check of
    a large site re-reads only what changed; what it reports is what a check without it reports,
    and a broken cache only costs the shortcut."""
    import perfsite.load
    from perfsite import cache, cli

    site = generate(90, tmp_path / "site")
    edit(site, "content/2023/p000004.yaml", "指标值: '≤", "指标值: '≤1")  # a warning (W001) to be kept
    monkeypatch.chdir(site)
    assert Builder(Path("content"), Path("templates"), Path("output"), search=False).build().ok
    parsed: list[str] = []
    real = perfsite.load.load_project
    monkeypatch.setattr(perfsite.load, "load_project", lambda path, *a: (parsed.append(path.name), real(path, *a))[1])

    def check(*args: str) -> tuple[int, str]:
        code = cli.main(["check", "--jobs", "1", *args])
        out = capsys.readouterr()
        return code, out.out + out.err

    change_value(Path("."))
    cached = check()
    assert parsed == ["p000001.yaml"]
    assert cached[0] == 0 and "p000004.yaml" in cached[1], cached  # its warning, from the cache
    parsed.clear()
    assert check("--output", "nowhere") == cached and len(parsed) == 90  # no cache there: every file read
    cache.location(Path("output")).write_bytes(b"not a database")
    parsed.clear()
    assert check() == cached and len(parsed) == 90


def test_an_edit_re_indexes_only_its_years_search_bundle(tmp_path: Path):
    """pagefind cannot update an index: each year has its own bundle, made again only when a page
    of that year changed (for a small change, from a view of that year, the output patched in
    place), and carried over otherwise; the output then equals a clean build's. A bundle's key is
    the keys of its year's pages: an edit of 2022 changes 2023's comparison page too, so both
    are indexed again (a template may mark any part of a page for indexing)."""
    site = generate(60, tmp_path / "site")
    out = site / "output"
    assert Builder(site / "content", site / "templates", out).build().ok
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == ["2022", "2023", "2024"]
    before = {p: p.stat().st_ino for p in (out / "pagefind").rglob("*") if p.is_file()}
    inode = out.stat().st_ino
    edit(site, "content/2022/p000001.yaml", "资金来源: 财政资金", "资金来源: 自筹资金")  # 2022, and 2023's comparison
    result = Builder(site / "content", site / "templates", out).build()
    assert result.ok and "2023/p000001.html" in result.written
    assert out.stat().st_ino == inode  # patched in place: the bundle made from a view of the year
    indexed = {p.split("/")[1] for p in result.written if p.startswith("pagefind/")}
    assert indexed == {"2022", "2023"}
    assert all(p.stat().st_ino == inode for p, inode in before.items() if "/pagefind/2024/" in str(p))
    nothing = Builder(site / "content", site / "templates", out).build()
    assert nothing.ok and nothing.written == []
    clean = tmp_path / "clean"
    assert Builder(site / "content", site / "templates", clean).build().ok
    assert files(out) == files(clean)


def test_build_watch_keeps_its_site_through_search_other_builds_and_broken_links(tmp_path: Path, monkeypatch):
    """build --watch's builder with the search index on: an edit re-indexes its year from the
    kept site; a plain build run between two saves is noticed (the output is no longer the
    one it left) and the next save starts from what that build left; a --strict edit whose link
    breaks publishes nothing and is not kept. Each time the output equals a clean build's."""
    site = generate(30, tmp_path / "site")
    out = site / "output"
    kept = Builder(site / "content", site / "templates", out, keep=True, strict=True)
    assert kept.build().ok

    def same_as_clean(name: str) -> None:
        clean = tmp_path / name
        assert Builder(site / "content", site / "templates", clean, strict=True).build().ok
        assert files(out) == files(clean), name

    result = kept.build(watched(site, lambda site: edit(site, "content/2023/p000001.yaml", "良好", "较好")))
    assert result.ok
    # its year's bundle, and next year's, whose comparison page with it changed
    assert {p.split("/")[1] for p in result.written if p.startswith("pagefind/")} == {"2023", "2024"}
    same_as_clean("after-edit")

    edit(site, "content/2024/p000002.yaml", "良好", "较好")
    assert Builder(site / "content", site / "templates", out, strict=True).build().ok  # another build
    result = kept.build(watched(site, lambda site: edit(site, "content/2022/p000003.yaml", "良好", "较好")))
    assert result.ok  # started again from what the other build left
    same_as_clean("after-other-build")
    assert kept.build(watched(site, lambda site: edit(site, "content/2022/p000003.yaml", "较好", "良好"))).ok
    same_as_clean("kept-again")

    before = files(out)
    result = kept.build(watched(site, lambda site: edit(
        site, "content/2023/p000004.yaml", "年度目标:\n  - '", "年度目标:\n  - '[见](missing.html) ")))
    assert not result.ok and [d.code for d in result.diagnostics] == ["E070"]
    assert files(out) == before  # nothing published
    result = kept.build(watched(site, lambda site: edit(
        site, "content/2023/p000004.yaml", "[见](missing.html) ", "")))
    assert result.ok
    same_as_clean("fixed")
    assert kept.build(watched(site, lambda site: edit(site, "content/2024/p000005.yaml", "良好", "较好"))).ok

    import perfsite.load  # the cache beside the output knows each kept edit: a new command parses only its change
    parsed: list[str] = []
    real_load = perfsite.load.load_project
    monkeypatch.setattr(perfsite.load, "load_project", lambda path, *a: (parsed.append(path.name), real_load(path, *a))[1])
    change_value(site)
    assert Builder(site / "content", site / "templates", out, strict=True).build().ok
    assert parsed == ["p000001.yaml"]
    same_as_clean("new-command")


def test_a_search_index_that_fails_publishes_nothing_and_the_next_build_indexes_again(tmp_path: Path, monkeypatch):
    """pagefind failing (E080) stops the build before anything is committed: the output stays as
    it was, with its old index, and no state records the failed build, so the next build runs
    pagefind again and equals a clean build."""
    from conftest import snapshot

    site = generate(30, tmp_path / "site")
    out = site / "output"
    assert Builder(site / "content", site / "templates", out).build().ok
    before = snapshot(out)
    broken = tmp_path / "broken" / "pagefind"  # a pagefind that fails, first on the path of `python -m pagefind`
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("", encoding="utf-8")
    (broken / "__main__.py").write_text("import sys\nsys.exit('pagefind: out of memory')\n", encoding="utf-8")
    change_value(site)
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    result = Builder(site / "content", site / "templates", out).build()
    assert not result.ok and [d.code for d in result.diagnostics] == ["E080"]
    assert "out of memory" in result.diagnostics[0].message
    assert snapshot(out) == before
    monkeypatch.delenv("PYTHONPATH")
    again = Builder(site / "content", site / "templates", out).build()
    assert again.ok and any(p.startswith("pagefind/2023/") for p in again.written)
    clean = tmp_path / "clean"
    assert Builder(site / "content", site / "templates", clean).build().ok
    assert files(out) == files(clean)
