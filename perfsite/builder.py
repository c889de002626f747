"""load → validate → site → render → write: one build, all or nothing, and only what changed.

Nothing is written while any error stands (or any warning, with ``strict``). Every output file has
a key: the hashes of everything it is made from (its content files, its template and the templates
that one extends or includes, the site config and the year list). A ``Builder`` kept alive (as
``serve`` keeps it) re-reads only changed files and re-renders only pages whose key changed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import stat
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

from . import config as config_module
from . import code_stamp, feeds, model, opendata, search, state
from .cache import Store, TemplateCode
from .diagnostics import Diagnostic, Level, display_path
from .links import check_links, page_ids
from .load import Content, FileCache, load_content, load_project, reload_project, stamp_of
from .parallel import Ahead, spread
from .render import Renderer, TemplateProblem
from .site import DepartmentChanges, DiffMemo, ProjectPage, Site, YearPage, department_slug, make_site
from .write import InPlaceOutput, OutputError, OutputLock, StagedOutput, check_target, files_in


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def pages(self) -> int:
        return sum(1 for p in self.written if p.endswith(".html"))


def check(content_dir: Path, strict: bool = False, cache: FileCache | None = None,
          jobs: int = 1, output: Path | None = None) -> tuple[Content, list[Diagnostic]]:
    """Validate a content tree; diagnostics already promoted when ``strict``. ``output``: a
    build's output, whose parse cache spares reading again the files unchanged since."""
    if output is not None:
        cache = cache or FileCache()
        store = Store(output)
        try:
            store.restore(cache, content_dir / config_module.CONFIG_NAME,
                          lambda path: reload_project(content_dir, path))
        finally:
            store.close()
    content = load_content(content_dir, cache, jobs)
    return content, content.report.items(strict=strict)


def schema_files() -> dict[str, str]:
    """The published JSON Schemas, as text (deterministic)."""
    return {
        "project.schema.json": json.dumps(model.json_schema(), ensure_ascii=False, indent=2) + "\n",
        "site.schema.json": json.dumps(config_module.json_schema(), ensure_ascii=False, indent=2) + "\n",
    }


class Job(NamedTuple):
    """One output file: where it goes, its key, and how to make it if the key changed. (A named
    tuple: 30,000 frozen dataclasses took longer to make than a small rebuild renders.)"""

    path: str
    key: str
    make: Callable[[], bytes | str | Path | Iterable[bytes]]  # an iterable is written piece by piece
    joins: tuple[bytes, list[str]] | None = None
    """Made instead by joining other files of this build, each with the same head: after them."""


class Builder:
    """Builds a site; keep one alive to rebuild incrementally."""

    def __init__(self, content: Path, templates: Path, output: Path, *, strict: bool = False,
                 in_place: bool = False, keep: bool = False, search: bool = True, jobs: int = 1,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        """``in_place``: a preview's folder, written straight (serve). ``keep``: a kept process
        that builds into a real output (build --watch). Both keep the last build's site, so that
        a small edit updates it (``_edit``) instead of arranging it again."""
        self.content, self.templates, self.output = content, templates, output
        self.strict, self.in_place, self.keep = strict, in_place, keep or in_place
        self.search = search  # the pagefind index; serve skips it (a full re-index per save)
        self.jobs = jobs
        self.progress = progress or (lambda phase, done, total: None)
        self.cache = FileCache()
        self.store = None if in_place else Store(output)  # the preview keeps everything in memory
        self.diffs = DiffMemo(self.store)
        code = TemplateCode(self.store) if self.store else None
        self.renderer = Renderer(templates, code, code)
        self.keys: dict[str, str] = {}  # output path → key of the file now in the output
        self._last: _Kept | None = None  # a kept process's last whole build, for _edit
        self._state: tuple[int, int, int] | None = None  # build --watch: the state file it left

    def build(self, changed: Iterable[str] | None = None) -> BuildResult:
        """One build. ``changed``: in a kept process, the files a watcher saw change since the
        last build (any path form under the inputs); only they are stat'ed again, instead of
        every input. None: look at everything.

        The cyclic GC is paused while content loads (each collection would rescan the growing heap
        of models: a third of the time at 10,000 projects), then the models are frozen out of its
        sight and it runs again for rendering, whose garbage must not pile up (it did: 190 MB per
        render worker at 10,000 pages)."""
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._build(changed)
        finally:
            if self._gc_was_enabled:
                gc.enable()
            gc.collect(0)
            gc.freeze()

    def _loaded(self) -> None:
        """Content is in memory: freeze it and let the GC collect what rendering throws away."""
        gc.freeze()
        if self._gc_was_enabled:
            gc.enable()

    def _build(self, changed: Iterable[str] | None) -> BuildResult:
        if self.in_place:
            restamped = self._restamp(changed) if changed is not None else None
            if restamped is not None and not restamped[1] and self._last is not None:
                return BuildResult(diagnostics=list(self._last.diagnostics), unchanged=len(self.keys))
            if restamped is not None:
                return self._build_locked(None, *restamped)
            return self._build_locked(None, state.scan(self.content, self.templates))
        try:
            check_target(self.output, [self.content, self.templates])
            with OutputLock(self.output):
                if self._last is not None and not self._ours():
                    self._forget()
                restamped = self._restamp(changed) if changed is not None and self._last is not None else None
                if restamped is not None:
                    assert self._last is not None
                    stamps, differ = restamped
                    if not differ:
                        return BuildResult(diagnostics=list(self._last.diagnostics), unchanged=len(self.keys))
                    inputs = state.signature(stamps, self.strict, self.search)
                    return self._build_locked(inputs, stamps, differ, listing=lambda: set(self.keys))
                return self._build_scanned()
        except OutputError as exc:
            return BuildResult([Diagnostic(display_path(self.output), 0, 0, Level.ERROR, "E060", str(exc))])
        finally:
            if self.store is not None:
                self.store.close()

    def _ours(self) -> bool:
        """build --watch: is the output still as this process's last build left it? Another
        build (a plain ``perfsite build``) may have run between two saves."""
        return self._state is not None and state.identity(self.output) == self._state

    def _forget(self) -> None:
        """Another build has changed the output and the cache since this process's last build:
        start again from what they hold, as a new command would."""
        self._last, self._state = None, None
        self.cache = FileCache()
        self.store = Store(self.output)
        self.diffs = DiffMemo(self.store)

    def _build_scanned(self) -> BuildResult:
        """A build that looks at every input: a new command's, or a kept one's (build --watch)
        when a watcher's report does not suffice."""
        with Ahead([lambda: state.inputs(self.content, self.templates, self.strict, self.search),
                    lambda: files_in(self.output)], fork=self.jobs > 1) as ahead:
            # While a child scans the inputs and lists the output, read what the last build left.
            self.keys = state.load_keys(self.output)
            assert self.store is not None
            restore = not self.cache.snapshot()
            if restore:
                self.store.prefetch()
            inputs, stamps = ahead.get(0)
            unchanged = state.unchanged(self.output, inputs, lambda: ahead.get(1))
            # Nothing the site is made from has changed since the last build; a kept process
            # still arranges the site once, so that the next save can edit it.
            if unchanged is not None and not (self.keep and self._last is None):
                return BuildResult(diagnostics=unchanged[0], unchanged=unchanged[1])
            if restore:
                self.store.restore(self.cache, self.content / config_module.CONFIG_NAME,
                                   lambda path: reload_project(self.content, path))
            return self._build_locked(inputs, stamps, listing=lambda: ahead.get(1))

    def _restamp(self, changed: Iterable[str]) -> tuple[dict[str, str], list[str]] | None:
        """The last build's stamps with those of ``changed`` made again, and which of them differ:
        what a watcher's report gives without a ``stat`` of every input. None when the report
        does not suffice: no kept build, or a file added or removed (a path that exists now but
        was not an input, or an input that no longer exists), or a long report: a mass change (a
        checkout) can overflow the watcher's queue, and then a report misses files. A path that
        neither exists nor was an input (an editor's temporary file, already renamed over its
        target) is no input. The report is trusted only as far as ``_edit`` goes: a build that
        does more looks at every input again."""
        last = self._last
        changed = list(dict.fromkeys(changed))
        if last is None or len(changed) > self.EDIT_LIMIT:
            return None
        roots = [(os.fspath(root), os.fspath(root.resolve())) for root in (self.content, self.templates)]
        stamps, differ = dict(last.stamps), []
        for path in changed:
            scanned = path
            for given, resolved in roots:
                if path.startswith(resolved + os.sep):
                    scanned = os.path.join(given, path[len(resolved) + 1:])
                    break
            try:
                st = os.stat(scanned)
            except OSError:
                if scanned in stamps or os.path.lexists(scanned):
                    return None
                continue
            if scanned not in stamps or not stat.S_ISREG(st.st_mode):
                return None
            now = stamp_of(st)
            if stamps[scanned] != now:
                stamps[scanned] = now
                differ.append(scanned)
        return stamps, differ

    def _build_locked(self, inputs: str | None, stamps: dict[str, str] | None = None,
                      changed: list[str] | None = None,
                      listing: Callable[[], set[str]] | None = None) -> BuildResult:
        """``changed``: which of ``stamps`` differ from the last build's, when the caller knows.
        ``listing``: the files now in the output, when the caller has them under way."""
        self.progress("读取 (reading)", 0, 0)
        edited = self._edit(stamps, changed) if self.keep else None
        if edited is not None:
            result, site, plan, _ = edited
            assert plan.remade is not None
            stale = {path for path in plan.remade if self.keys.get(path) != plan.keys[path]}
            if self.store is not None:
                self.store.save(self.cache, self.content / config_module.CONFIG_NAME, only=changed)
        else:
            if self.keep and changed is not None:  # a watcher's report is trusted for a small edit
                stamps = state.scan(self.content, self.templates)  # only: this build looks at everything
                listing = None
                if inputs is not None:
                    inputs = state.signature(stamps, self.strict, self.search)
            self._last = None
            content = load_content(self.content, self.cache, self.jobs, stamps)
            if self.store is not None:
                self.store.save(self.cache, self.content / config_module.CONFIG_NAME)
            diagnostics = content.report.items(strict=self.strict)
            result = BuildResult(diagnostics=list(diagnostics))
            result.diagnostics += self.renderer.check()
            if not result.ok or content.config is None:
                return result
            self.diffs.next_build()
            site = make_site(content.config, content.entries, self.diffs)
            self._loaded()
            missing = self.diffs.missing(site.projects)  # diffed once, before pages that show them are spread
            for computed in spread(len(missing), lambda start, stop: DiffMemo.compute(missing[start:stop]),
                                   self.jobs):
                self.diffs.add(computed)
            plan = self._plan(site, self.renderer)
            stale = {path for path, _ in plan.keys.items() - self.keys.items()}
        search_keys = dict(plan.indexed) if self.search and not self.in_place else {}
        keys = dict(plan.keys) if search_keys else plan.keys  # the bundles' files join the copy: see _index
        try:
            previous = self.keys.keys()  # not changed from here on: the new keys are another dict
            if self.in_place:
                check_target(self.output, [self.content, self.templates])
                output: InPlaceOutput | StagedOutput = InPlaceOutput(self.output, previous)
            else:
                patch = self._small_change(len(stale), len(keys), search_keys)
                output = StagedOutput(self.output, previous, patch=patch, listing=listing)
            with output as out:
                lost: set[str] = set()
                if edited is not None and not search_keys and (self.in_place or out.patch):
                    out.keep_rest()  # an edit removes no file; serve's preview is written only by it
                else:
                    lost = out.keep_all(keys.keys() - stale)  # unchanged, but gone from the output: made again
                result.unchanged = len(keys) - len(stale) - len(lost)
                redo = stale | lost
                todo = [plan.job(path) for path in keys if path in redo]
                self._make([j for j in todo if j.joins is None], out, result)
                for job in todo:
                    if job.joins is not None:
                        out.concat(job.path, *job.joins)
                        result.written.append(job.path)
                if self.search and not self.in_place:
                    self.progress("搜索索引 (search index)", 0, 0)
                    self._index(out, search_keys, keys, result)
                if self.strict and isinstance(out, StagedOutput) and out.stage is not None:
                    self.progress("检查链接 (links)", 0, 0)
                    broken = self._broken_links(out, result.written, site.config.base_path)
                    if broken:
                        result.diagnostics += broken
                        result.written.clear()
                        self._last = None  # it was edited for what is not published
                        return result  # the stage is discarded: output/ stays as it was
                if inputs is not None:
                    made = state.text(keys, result.diagnostics, len(keys)).encode("utf-8")
                    out.write(state.NAME, made)
                    out.touched.discard(state.NAME)
                result.removed = out.commit()
            if inputs is not None:
                state.stamp(self.output, inputs, state.digest_of(made))
                if self.keep:
                    self._state = state.identity(self.output)
            if self.store is not None:
                self.store.save_diffs(self.diffs.new, self.diffs.pairs, gone=None if edited is None else edited[3])
            self.keys = keys
            if self.keep and stamps is not None and edited is None:
                self._last = _Kept.of(site, plan, stamps, result.diagnostics, self.cache)
        except TemplateProblem as problem:
            result.diagnostics.append(problem.diagnostic)
            result.written.clear()
            self._last = None
        except OutputError as exc:
            result.diagnostics.append(Diagnostic(display_path(self.output), 0, 0, Level.ERROR, "E060", str(exc)))
            result.written.clear()
            self._last = None
        return result

    EDIT_LIMIT = 20  # more changed files than this: arrange the site again
    EDITS_KEPT = 200  # after this many edits, arrange it again anyway: the diff memo then forgets old pairs

    def _edit(self, stamps: dict[str, str] | None,
              changed: list[str] | None = None) -> tuple[BuildResult, Site, Plan, set[str]] | None:
        """A save in a kept process (serve, build --watch) that changed some projects but not
        where they stand: not their year, id or department, nor how they pair across years (a
        name may change when the pairs are by id: the project then moves within its department),
        no diagnostic, no file added or removed, no template. The last build's site and keys are then updated for those
        projects, the departments and years that show them and, if a summary changed (a name, a
        total, the implementer), the listings, instead of arranged and computed again for all (at
        10,000 projects, most of a save). None: anything else, which a whole build handles."""
        last = self._last
        if last is None or stamps is None or len(stamps) != len(last.stamps) or last.edits >= self.EDITS_KEPT:
            return None
        if changed is None:
            changed = [path for path, stamp in stamps.items() if last.stamps.get(path) != stamp]
        if not changed or len(changed) > self.EDIT_LIMIT or not all(path in last.pages for path in changed):
            return None
        edits, renamed = [], []
        for path in changed:
            page = last.pages[path]
            before = self.cache.get(path, last.stamps[path])
            if before is None or before[1]:  # it had diagnostics: the report would change
                return None
            entry, diags = load_project(Path(path), page.entry.display, page.year, last.site.config)
            if entry is None or diags:
                return None
            old, new = page.entry.summary, entry.summary
            if new.place != old.place:
                if old.place != new.place[:2] + (old.name,) + new.place[3:] or not self._renamable(last, page, new.name):
                    return None  # not only its name changed, or its name decides a pairing
                renamed.append(page)
            edits.append((path, page, entry))
        relisted = any(entry.summary.text != page.entry.summary.text for _, page, entry in edits)
        shown: list[ProjectPage] = []  # the edited pages, and the next year's that compare with them
        for _, page, _ in edits:
            follower = last.followers.get(id(page))
            shown += [page] if follower is None else [page, follower]
        shown = list(dict.fromkeys(shown))  # an edited page may also follow another edited one
        paired = [page for page in shown if page.previous is not None]
        self.diffs.new = {}  # what the store is told of (build --watch): this edit's diffs
        gone = {DiffMemo.pair(page.previous, page) for page in paired}
        for path, page, entry in edits:
            self.cache.put(path, stamps[path], entry, [])
            page.entry = entry
        now = {DiffMemo.pair(page.previous, page) for page in paired}
        gone -= now
        self.diffs.pairs = (self.diffs.pairs - gone) | now
        for page in shown:
            page.__dict__.pop("comparison", None)
        departments: dict[int, set[str]] = {}  # year → the departments of the pages shown
        for page in shown:
            summary = page.entry.summary
            departments.setdefault(page.year, set()).add(department_slug(summary.department_name,
                                                                          summary.department_code))
        for page in renamed:  # its place in its department; and its line as removed, next year
            summary = page.entry.summary
            slug = department_slug(summary.department_name, summary.department_code)
            year = last.years[page.year]
            for dept in year.departments:
                if dept.slug == slug:
                    dept.projects.sort(key=lambda p: (p.entry.summary.name, p.entry.summary.id))
            year.__dict__.pop("projects", None)
            if page.year + 1 in last.years and id(page) not in last.followers:
                departments.setdefault(page.year + 1, set()).add(slug)
        for year, slugs in departments.items():
            year_page = last.years[year]
            year_page.__dict__.pop("changes", None)
            for part in year_page.__dict__.get("department_changes", []):
                if part.slug in slugs:
                    part.__dict__.pop("changes", None)
        self.diffs.add(DiffMemo.compute(paired))
        plan = last.plan.again()
        plan.project_keys(shown)
        for year in sorted(departments):
            plan.year_files(last.years[year], None if relisted else departments[year])
        if relisted:
            plan.listings()
        last.plan, last.stamps, last.edits = plan, stamps, last.edits + 1
        return BuildResult(diagnostics=list(last.diagnostics)), last.site, plan, gone

    @staticmethod
    def _renamable(last: _Kept, page: ProjectPage, name: str) -> bool:
        """Can ``page`` take ``name`` without changing how any project pairs across years? Pairs
        by id do not move; a pair by name might, and so might a project without a pair meeting
        one of that name (as make_site pairs them), so those arrange the site again."""
        follower = last.followers.get(id(page))
        if (page.previous is not None and page.previous.id != page.id) or (
                follower is not None and follower.id != page.id):
            return False
        for year, paired in ((page.year - 1, page.previous), (page.year + 1, follower)):
            other = last.years.get(year)
            if paired is None and other is not None and any(p.name == name for p in other.projects):
                return False
        return True

    def _bundle_files(self) -> dict[str, list[str]]:
        """The files of each of the last build's search bundles."""
        found: dict[str, list[str]] = {}
        for path in self.keys:
            if path.startswith(search.DIR + "/"):
                found.setdefault(path.split("/", 2)[1], []).append(path)
        return found

    def _small_change(self, changed: int, total: int, search_keys: dict[str, str]) -> bool:
        """Patch the output in place (see write.py) when fewer files change than stay, and every
        search bundle that stays is whole in the output (one that changes is made in a view)."""
        if not self.keys or not self.output.is_dir():
            return False
        if self.search:
            index = {f"{search.DIR}/{p}" for p in files_in(self.output / search.DIR)}
            bundles = self._bundle_files()
            for bundle, key in search_keys.items():
                files = bundles.get(bundle, [])
                if self.keys.get(search.marker(bundle)) == key and not (files and all(p in index for p in files)):
                    return False
        return changed < total - changed

    def _broken_links(self, out: StagedOutput, written: list[str], base_path: str) -> list[Diagnostic]:
        """--strict: the links of the site as it will be. A patch checks only the pages it writes,
        against the output with its files put in, when that can break no other page's link: it
        removes no file and no written page loses an anchor (at 10,000 projects, checking every
        page after a one-value edit took 10 s). Else every page is checked."""
        assert out.stage is not None
        if not out.patch:
            return check_links(out.stage, base_path=base_path)
        gone = out.gone()
        pages = [path for path in written if path.endswith(".html")]
        for path in pages if not gone else ():
            before = self.output / path
            if before.is_file() and not page_ids(before) <= page_ids(out.stage / path):
                pages = None  # an anchor others may link to is gone
                break
        return check_links(self.output, None if gone else pages, base_path=base_path, over=out.stage, gone=gone)

    def _make(self, todo: list[Job], out: InPlaceOutput | StagedOutput, result: BuildResult) -> None:
        """Render and write what changed: in forked workers writing straight into the stage (or
        the preview's folder, each file atomically) when there is much of it, else here."""
        total = len(todo)
        self.progress("生成 (rendering)", 0, total)
        if self.jobs > 1:
            def task(start: int, stop: int) -> tuple[list[str], Diagnostic | None]:
                """In a forked worker: its copy of ``out`` writes into the same directory."""
                done: list[str] = []
                try:
                    for job in todo[start:stop]:
                        self._emit(out, job)
                        done.append(job.path)
                except TemplateProblem as problem:
                    return done, problem.diagnostic
                return done, None

            for done, problem in spread(total, task, self.jobs, minimum=200,
                                        on_done=lambda n: self.progress("生成 (rendering)", n, total)):
                if problem is not None:
                    raise TemplateProblem(problem)
                out.adopt(done)
                result.written += done
            return
        for number, job in enumerate(todo, start=1):
            self._emit(out, job)
            result.written.append(job.path)
            if number % 200 == 0 or number == total:
                self.progress("生成 (rendering)", number, total)

    @staticmethod
    def _emit(out: InPlaceOutput | StagedOutput, job: Job) -> None:
        made = job.make()
        if isinstance(made, Path):
            out.copy(job.path, made)
        else:
            out.write(job.path, made)

    def _index(self, out: StagedOutput, search_keys: dict[str, str], keys: dict[str, str],
               result: BuildResult) -> None:
        """Each search bundle is carried over when no page it indexes changed, else made again:
        from the complete stage, or for a patch from a view of its year (_index_view)."""
        bundles = self._bundle_files()
        for bundle, key in search_keys.items():
            marker, previous = search.marker(bundle), bundles.get(bundle, [])
            if self.keys.get(marker) == key and previous and all(out.keep(p) for p in previous):
                keys[marker] = key
                out.touched.add(marker)
                keys.update({p: self.keys[p] for p in previous})
                result.unchanged += len(previous)
                continue
            assert out.stage is not None
            if out.patch:
                files, problem = self._index_view(out, bundle, keys)
            else:
                shutil.rmtree(out.stage / search.DIR / bundle, ignore_errors=True)
                files, problem = search.index(out.stage, bundle)
            if problem is not None:
                result.diagnostics.append(problem)
                return
            keys[marker] = key
            out.touched.add(marker)
            out.adopt(files)
            keys.update(dict.fromkeys(files, key))
            result.written += files

    @staticmethod
    def _index_view(out: StagedOutput, bundle: str, keys: dict[str, str]) -> tuple[list[str], Diagnostic | None]:
        """A bundle made for a patch, which stages only the changed files: pagefind reads a view
        of the year's pages as they will be published (hard links: the staged ones and the
        output's), and its bundle is moved into the stage. At 10,000 projects, linking one year's
        pages cost less than the complete stage (every file of the site) did."""
        assert out.stage is not None
        view = out.stage / ".search-view"
        try:
            for page in keys:
                if page.startswith(bundle + "/") and page.endswith(".html"):
                    target = view / page
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(out.current(page), target)
                    except OSError:
                        shutil.copyfile(out.current(page), target)
            files, problem = search.index(view, bundle)
            if problem is None:
                (out.stage / search.DIR).mkdir(exist_ok=True)
                os.replace(view / search.DIR / bundle, out.stage / search.DIR / bundle)
            return files, problem
        finally:
            shutil.rmtree(view, ignore_errors=True)

    def _plan(self, site: Site, renderer: Renderer) -> Plan:
        """Every output file with its key. A key covers what the file shows, no more: a project's
        page its file (and last year's), listing pages the summaries they list (a changed
        indicator value re-renders no listing page), a changes page the changes it lists."""
        nav = [(y.year, y.path) for y in site.years]
        code = code_stamp()
        shared = _hash(code, site.config.model_dump_json(), json.dumps(nav))
        digests = renderer.digests()
        common: dict[str, Any] = {"config": site.config, "nav": nav}

        def render(template: str, path: str, **context: Any) -> Callable[[], str]:
            return lambda: renderer.render(template, **common, path=path, **context)

        def project_page(page: ProjectPage) -> str:
            return renderer.render("project.html", **common, path=page.path, page=page, project=page.project,
                                   root=page.root, department=site.department_of(page))

        plan = Plan(project_page)

        def add(job: Job) -> None:  # the plan's dicts are looked up on each call: see Plan.again
            plan.keys[job.path] = job.key
            plan.others[job.path] = job
            if plan.remade is not None:
                plan.remade.add(job.path)

        page_key, json_key, csv_key = _hash(digests["project.html"], shared) + "|", "j" + code, "c" + code
        blake2b = hashlib.blake2b
        listed: dict[str, str] = {}  # page path → what listing pages show of it
        searching = self.search and not self.in_place

        def project_keys(projects: list[ProjectPage]) -> None:
            keys, pages = plan.keys, plan.pages
            for page in projects:  # the hot loop of a small rebuild: plain strings, no Job yet
                path, digest, previous = page.path, page.entry.digest, page.previous
                stem = path[:-5]
                keys[path] = blake2b(f"{page_key}{digest}|{previous.entry.digest if previous else ''}".encode(),
                                     digest_size=16).hexdigest()
                keys[stem + ".json"] = json_key + digest
                keys[stem + ".csv"] = csv_key + digest
                pages[stem] = page
                listed[path] = page.entry.summary.text
            if plan.remade is not None:
                plan.remade.update(f"{p.path[:-5]}{suffix}" for p in projects for suffix in (".html", ".json", ".csv"))

        in_years: dict[int, str] = {}  # year → what its page shows of its projects

        year_lists_departments = renderer.mentions("year.html", "split_list")

        def tallies(year: YearPage) -> str:
            """What a large year's page shows, a table of its departments: a name or implementer
            edit changes none of it."""
            return _hash(str(year.year), *[
                f"{d.slug}\x1f{d.name}\x1f{d.code}\x1f{len(d.projects)}\x1f{d.total}" for d in year.departments])
        parts: dict[int, dict[str, list[Any]]] = {}  # split year → department → what its changes page counts
        packaged: dict[int, str] = {}  # year → its datapackage.json's key

        def year_files(year: YearPage, only: set[str] | None = None) -> None:
            """The files of a year. ``only``: just these departments' projects changed, and no
            summary (``Builder._edit``): only their own files are keyed again (their CSVs and, in
            a year split by department, their changes pages), and the year's from what was kept."""
            if only is not None and year.year in in_years:
                in_year, counted = in_years[year.year], parts[year.year]
                if year.split_changes:
                    by_slug = {part.slug: part for part in year.department_changes}
                    for slug in only:
                        counted[slug] = part_files(by_slug[slug])
                made = {f"{year.year}/indicators/{slug}.csv" for slug in only} | {f"{year.year}/indicators.csv"}
                downloads = [d for d in year.downloads if d.path in made]
            else:
                in_year = in_years[year.year] = tallies(year) if year.split_list and year_lists_departments else _hash(
                    *[p.entry.summary.text for p in year.projects])
                counted = parts[year.year] = {part.slug: part_files(part) for part in year.department_changes} \
                    if year.split_changes else {}
                downloads = year.downloads
            changes = counts = ""
            if year.split_changes:  # a page per department, and the year's counts them
                changes = json.dumps(list(counted.values()), ensure_ascii=False)
                counts = json.dumps([sum(c[i] for c in counted.values()) for i in (3, 4, 5)])
            elif year.previous is not None:
                lines = self.diffs.year_lines(year)
                changes = _hash(*lines)
                statuses = Counter(line.partition("\x1f")[0] for line in lines)
                counts = json.dumps([statuses[k] for k in ("added", "removed", "changed")])
                if year.changes_in_detail:  # full diffs on the page
                    changes = _hash(changes, *[p.digest for p in year.projects], *[p.digest for p in year.previous.projects])
            # What its search bundle indexes: the project tables (data-pagefind-body), without the
            # comparison with the year before, so an edit re-indexes its own year only.
            if searching:
                plan.indexed[str(year.year)] = _hash("pagefind", search.VERSION, search.engine(), page_key,
                                                     *[f"{p.path}\0{p.entry.digest}" for p in year.projects])
            add(Job(year.path, _hash(digests["year.html"], shared, in_year, counts),
                    render("year.html", year.path, page=year, year=year, root=year.root)))
            for part in downloads:  # the same bytes as writing every project's rows again
                add(Job(part.path, _hash(code, "csv", *[p.entry.digest for p in part.projects]), bytes,
                        joins=(opendata.CSV_HEAD, [f"{p.path[:-5]}.csv" for p in part.projects])))
            if only is None:  # what it lists: each project's id and name, and the downloads
                summaries = [p.entry.summary for p in year.projects]
                packaged[year.year] = _hash("datapackage", shared, *[f"{s.id}\x1f{s.name}" for s in summaries],
                                            *[f"{d.name}\x1f{d.path}\x1f{d.title}" for d in year.downloads])
            add(Job(f"{year.year}/datapackage.json", packaged[year.year],
                    lambda y=year: opendata.datapackage(
                        y.year, site.config.title, site.config.publisher, site.config.url(),
                        [p.summary for p in y.projects],
                        [(d.name, d.path.partition("/")[2], d.title) for d in y.downloads])))
            if year.previous is not None and year.changes_path:
                add(Job(year.changes_path, _hash(digests["changes.html"], shared, changes),
                        render("changes.html", year.changes_path, page=year, year=year, department=None,
                               root=year.root)))

        def part_files(part: DepartmentChanges) -> list[Any]:
            """A department's changes page; returns what the year's changes page shows of it."""
            lines = self.diffs.lines(part.projects, part.removed)
            add(Job(part.path, _hash(digests["changes.html"], shared, part.name, str(part.code), *lines),
                    render("changes.html", part.path, page=part, year=part.year, department=part, root=part.root)))
            statuses = Counter(line.partition("\x1f")[0] for line in lines)
            return [part.slug, part.name, part.code, *[statuses[k] for k in ("added", "removed", "changed", "unchanged")]]

        plan.project_keys, plan.year_files = project_keys, year_files
        for year in site.years:
            project_keys(year.projects)
            year_files(year)
        def listings() -> None:
            everything = _hash(*listed.values())
            add(Job("index.html", _hash(digests["index.html"], shared, everything),
                    render("index.html", "index.html", page=None, site=site, root="")))
            add(Job("departments/index.html", _hash(digests["departments.html"], shared, everything),
                    render("departments.html", "departments/index.html", page=None, site=site, root="../")))
            for dept in site.departments:
                add(Job(dept.path, _hash(digests["department.html"], shared, *[listed[p.path] for p in dept.projects]),
                        render("department.html", dept.path, page=dept, department=dept, root="../")))
            paths = feeds.html_paths(site)  # what sitemaps list: a name or an implementer is not in them
            parts = feeds.sitemap_parts(site, paths)
            add(Job("sitemap.xml", _hash("sitemap", shared, *(parts or paths)), lambda: feeds.sitemap(site, paths)))
            for name, listed_there in parts.items():
                add(Job(name, _hash("sitemap", shared, *listed_there),
                        lambda listed_there=listed_there: feeds.urlset(site, listed_there)))
            newest = feeds.newest(site)
            add(Job("feed.xml", _hash("feed", shared, *feeds.feed_shows(newest)), lambda: feeds.atom(site, newest)))

        plan.listings = listings
        listings()
        bundles = [f"{search.DIR}/{year.year}/" for year in site.years]  # one per year: search.py
        indexed = searching and bool(bundles)
        add(Job("search.html", _hash(digests["search.html"], shared, str(indexed), *bundles),
                render("search.html", "search.html", root="", search=indexed, bundles=bundles)))
        add(Job("robots.txt", _hash("robots", shared), lambda: feeds.robots(site)))
        static = self.templates / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    add(Job(f"static/{path.relative_to(static).as_posix()}",
                            _hash(hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()),
                            lambda path=path: path))
        for name, text in schema_files().items():
            add(Job(f"schema/{name}", _hash(text), lambda text=text: text))
        return plan


@dataclass
class _Kept:
    """What a kept process (serve) needs of its last build to update it for a small edit."""

    site: Site
    plan: Plan
    stamps: dict[str, str]
    diagnostics: list[Diagnostic]
    pages: dict[str, ProjectPage]  # content file (as scanned) → its page
    followers: dict[int, ProjectPage]  # id() of a page → the next year's page that compares with it
    years: dict[int, YearPage]
    edits: int = 0  # made since the site was arranged

    @classmethod
    def of(cls, site: Site, plan: Plan, stamps: dict[str, str], diagnostics: list[Diagnostic],
           cache: FileCache) -> _Kept:
        by_entry = {id(page.entry): page for page in site.projects}
        pages = {path: by_entry[id(entry)] for path, (_, entry, _) in cache.snapshot().items()
                 if entry is not None and id(entry) in by_entry}
        followers = {id(page.previous): page for page in site.projects if page.previous is not None}
        return cls(site, plan, stamps, list(diagnostics), pages, followers, {y.year: y for y in site.years})


class Plan:
    """Every output file's key, and how to make each: a ``Job`` is made only for the files that
    must be written (at 10,000 projects, making 30,000 of them cost a third of a small rebuild)."""

    def __init__(self, project_page: Callable[[ProjectPage], str]) -> None:
        self.keys: dict[str, str] = {}  # output path → key, in a fixed order
        self.others: dict[str, Job] = {}  # files that are not a project's own
        self.pages: dict[str, ProjectPage] = {}  # path without suffix → project page
        self._project_page = project_page
        # How the keys were made, kept to make some again (Builder._edit): the keys of these
        # projects' own files, the files of this year (its page, downloads, changes), and the
        # listings of the whole site.
        self.project_keys: Callable[[list[ProjectPage]], None] = lambda projects: None
        self.year_files: Callable[[YearPage, set[str] | None], None] = lambda year, only=None: None
        self.listings: Callable[[], None] = lambda: None  # the pages that list projects across years
        self.remade: set[str] | None = None  # after ``again``: the paths whose keys were made again
        self.indexed: dict[str, str] = {}  # search bundle (a year) → the key of what it indexes

    def again(self) -> Plan:
        """Ready to make some keys again: new dicts (the last build's keys stay as they were,
        for comparison), and ``remade`` records which."""
        self.keys, self.others, self.remade = dict(self.keys), dict(self.others), set()
        self.indexed = dict(self.indexed)
        return self

    def job(self, path: str) -> Job:
        found = self.others.get(path)
        if found is not None:
            return found
        stem, _, suffix = path.rpartition(".")
        page = self.pages[stem]
        if suffix == "html":
            make: Callable[[], str] = partial(self._project_page, page)
        elif suffix == "json":
            make = lambda: opendata.project_json(page.project)  # noqa: E731
        else:
            make = lambda: opendata.to_csv([page.project])  # noqa: E731
        return Job(path, self.keys[path], make)


def build(content_dir: Path, templates_dir: Path, output_dir: Path, strict: bool = False,
          search: bool = True, jobs: int = 1,
          progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """A build into ``output_dir``, swapped in atomically; unchanged pages are carried over."""
    return Builder(content_dir, templates_dir, output_dir, strict=strict, search=search, jobs=jobs,
                   progress=progress).build()
