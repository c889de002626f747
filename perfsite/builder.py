"""load → validate → site → outputs → keys → publish: one build, all or nothing, and only what changed.

Nothing is written while any error stands (or any warning, with ``strict``). Every output file is
made from one view (outputs.py), and its key is a hash of that view, of its template (with those
it extends, includes or imports) and of the code: a file is made again exactly when what it is
made from changed, whatever its template shows. A ``Builder`` kept alive (``serve``,
``build --watch``) keeps the parsed files, the diffs and the compiled templates between builds.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import code_stamp, department, department_data, evaluation, evaluation_data, feeds, model, opendata, pdf, publish, search, state, versions, xlsx
from . import config as config_module
from .cache import Store, TemplateCode
from .diagnostics import Diagnostic, Level, display_path, os_problem
from .load import UNLISTED, Content, FileCache, load_content, reload_project, unlisted_error
from .kept import KeptBuild
from .memo import DiffMemo
from .outputs import PDF, Output, bundles, output_keys, site_outputs
from .parallel import Ahead, spread
from .render import Renderer, TemplateProblem
from .site import Site, make_site
from .view import resolve
from .write import InPlaceOutput, OutputError, OutputLock, StagedOutput, check_target, files_in


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
    content.report.extend(versions.attach(content.entries))
    return content, content.report.items(strict=strict)


def schema_files() -> dict[str, str]:
    """The published JSON Schemas, as text (deterministic)."""
    return {
        "project.schema.json": json.dumps(model.json_schema(), ensure_ascii=False, indent=2) + "\n",
        "evaluation.schema.json": json.dumps(evaluation.json_schema(), ensure_ascii=False, indent=2) + "\n",
        "department.schema.json": json.dumps(department.json_schema(), ensure_ascii=False, indent=2) + "\n",
        "site.schema.json": json.dumps(config_module.json_schema(), ensure_ascii=False, indent=2) + "\n",
    }


# What makes each file that no template makes, from its view (as outputs.py gives it, resolved).
WRITERS: dict[str, Callable[[Any], bytes | str | Path]] = {
    "json": lambda view: opendata.project_json(view["project"], view["metadata"]),
    "csv": lambda view: opendata.project_csv(view["project"], view["form"]),
    "mixed-csv": lambda view: opendata.mixed_csv(view["columns"], view["projects"]),
    "datapackage": lambda view: opendata.datapackage(
        **{k: v for k, v in view.items() if k not in ("evaluations", "scores", "departments")},
        extra=evaluation_data.resources(view["year"], view["evaluations"], view["scores"])
        + department_data.resources(view["year"], view["departments"])),
    "department-json": department_data.department_json,
    "department-csv": department_data.department_csv,
    "department-xlsx": lambda view: xlsx.department_table_xlsx(**view),
    "evaluation-json": lambda view: evaluation_data.evaluation_json(view["scored"], view["target"]),
    "evaluation-csv": evaluation_data.evaluation_csv,
    "scores-csv": lambda view: evaluation_data.scores_csv(zip(view["lines"], view["scored"])),
    "xlsx": lambda view: xlsx.project_xlsx(**view),
    "workbook": lambda view: xlsx.department_xlsx(**view),
    "urlset": feeds.urlset,
    "sitemapindex": feeds.sitemapindex,
    "robots": feeds.robots,
    "feed": feeds.atom,
    "text": lambda text: text,
}


class Builder:
    """Builds a site; keep one alive to rebuild incrementally."""

    REPORT_LIMIT = 20  # a watcher's report of more files than this: every input is looked at

    def __init__(self, content: Path, templates: Path, output: Path, *, strict: bool = False,
                 in_place: bool = False, keep: bool = False, search: bool = True, jobs: int = 1,
                 progress: Callable[[str, int, int], None] | None = None, pdf: bool = False) -> None:
        """``in_place``: a preview's folder, written straight (serve). ``keep``: a kept process
        that builds into a real output (build --watch). Both trust a watcher's report of which
        files changed, instead of looking at every input. ``pdf``: build the PDFs (build --pdf),
        as site.yaml's ``pdf: true`` does."""
        self.content, self.templates, self.output = content, templates, output
        self.strict, self.in_place, self.keep = strict, in_place, keep or in_place
        self.search = search and not in_place  # the pagefind index; serve skips it (a full re-index per save)
        self.jobs, self.pdf = jobs, pdf
        self.progress = progress or (lambda phase, done, total: None)
        self.cache = FileCache()
        self.store = None if in_place else Store(output)  # the preview keeps everything in memory
        self.diffs = DiffMemo(self.store)
        self.renderer = Renderer(templates, TemplateCode(self.store) if self.store else None)
        self.keys: dict[str, str] = {}  # output path → key of the file now in the output
        self._stamps: dict[str, str] | None = None  # a kept process: the inputs its last build read
        self._diagnostics: list[Diagnostic] = []  # and what that build reported
        self._state: tuple[int, int, int] | None = None  # build --watch: the state file it left
        self._sources: dict[str, tuple[str, Path]] = {}  # static file → (whose, where), as the last build found them
        self._kept: KeptBuild | None = None  # a kept process: its last build, for a save that edits files (kept.py)

    def build(self, changed: Iterable[str] | None = None) -> BuildResult:
        """One build. ``changed``: in a kept process, the files a watcher saw change since the
        last build (any path form under the inputs); only they are stat'ed again, instead of
        every input. None: look at everything.

        The cyclic GC is paused while content loads (each collection would rescan the growing heap
        of models: a third of the time at 10,000 projects), then the models are frozen out of its
        sight and it runs again for rendering, whose garbage must not pile up."""
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._build(changed)
        finally:
            if self._gc_was_enabled:
                gc.enable()
            gc.collect(0)
            gc.freeze()

    def _build(self, changed: Iterable[str] | None) -> BuildResult:
        try:
            if self.in_place:
                check_target(self.output, [self.content, self.templates])
                return self._inputs_then_run(changed)
            check_target(self.output, [self.content, self.templates])
            with OutputLock(self.output):
                if self._stamps is not None and not self._ours():
                    self._forget()
                return self._inputs_then_run(changed)
        except OutputError as exc:
            return BuildResult([Diagnostic(display_path(self.output), 0, 0, Level.ERROR, "E060", str(exc))])
        finally:
            if self.store is not None:
                self.store.close()

    def _inputs_then_run(self, changed: Iterable[str] | None) -> BuildResult:
        """Find which inputs changed (from a watcher's report, or by looking at all of them),
        then build, unless nothing did."""
        restamped = self._restamp(changed) if changed is not None else None
        if restamped is not None:
            stamps, differ = restamped
            if not differ:
                return BuildResult(diagnostics=list(self._diagnostics), unchanged=len(self.keys))
            inputs = None if self.in_place else state.signature(stamps, self.strict, self.search, self.pdf)
            edited = self._edit(stamps, differ, inputs)
            if edited is not None:
                return edited
            return self._run(stamps, inputs, listing=lambda: set(self.keys))
        if self.in_place:
            return self._run(state.scan(self.content, self.templates), None)
        return self._scanned()

    def _ours(self) -> bool:
        """build --watch: is the output still as this process's last build left it? Another
        build (a plain ``perfsite build``) may have run between two saves."""
        return self._state is not None and state.identity(self.output) == self._state

    def _forget(self) -> None:
        """Another build has changed the output and the cache since this process's last build:
        start again from what they hold, as a new command would."""
        self._stamps, self._state, self._kept = None, None, None
        self.cache = FileCache()
        self.store = Store(self.output)
        self.diffs = DiffMemo(self.store)
        self.renderer = Renderer(self.templates, TemplateCode(self.store))

    def _scanned(self) -> BuildResult:
        """A build that looks at every input: a new command's, or a kept one's when a watcher's
        report does not suffice. While a child scans the inputs and lists the output, the last
        build's keys and the parse cache are read."""
        with Ahead([lambda: state.inputs(self.content, self.templates, self.strict, self.search, self.pdf),
                    lambda: files_in(self.output)], fork=self.jobs > 1) as ahead:
            self.keys = state.load_keys(self.output)
            assert self.store is not None
            restore = not self.cache.snapshot()
            if restore:
                self.store.prefetch()
            inputs, stamps = ahead.get(0)
            unchanged = state.unchanged(self.output, inputs, lambda: ahead.get(1))
            if restore and (unchanged is None or self.keep):  # a kept process needs it for its next save
                self.store.restore(self.cache, self.content / config_module.CONFIG_NAME,
                                   lambda path: reload_project(self.content, path))
            if unchanged is not None:  # nothing the site is made from has changed since the last build
                if self.keep:
                    self._stamps, self._diagnostics = stamps, unchanged[0]
                    self._state = state.identity(self.output)
                return BuildResult(diagnostics=unchanged[0], unchanged=unchanged[1])
            return self._run(stamps, inputs, listing=lambda: ahead.get(1))

    def _restamp(self, changed: Iterable[str]) -> tuple[dict[str, str], list[str]] | None:
        """The last build's stamps with those of ``changed`` made again (state.restamp), unless
        there is no last build or the report is long: a mass change (a checkout) can overflow
        the watcher's queue, and then a report misses files."""
        changed = list(dict.fromkeys(changed))
        if self._stamps is None or len(changed) > self.REPORT_LIMIT:
            return None
        return state.restamp(self._stamps, changed, [self.content, self.templates])

    def _unlisted_templates(self, stamps: dict[str, str]) -> list[Diagnostic]:
        """A templates folder that could not be listed: its overrides would give way to the
        packaged theme without a word."""
        top = os.path.join(os.fspath(self.templates), "")
        return [unlisted_error(path, stamp[len(UNLISTED):]) for path, stamp in stamps.items()
                if stamp.startswith(UNLISTED) and path.startswith(top)]

    def _run(self, stamps: dict[str, str], inputs: str | None,
             listing: Callable[[], set[str]] | None = None) -> BuildResult:
        """The build itself, read top to bottom. ``inputs``: the signature of the inputs, for
        the stamp beside the output (None: the preview, which keeps none). ``listing``: the
        files now in the output, when the caller has them under way."""
        self._stamps, self._kept = None, None  # until this build succeeds, nothing is kept
        self.progress("读取 (reading)", 0, 0)
        content = load_content(self.content, self.cache, self.jobs, stamps)
        content.report.extend(versions.attach(content.entries))  # the 更正's earlier versions, from git
        if self.store is not None:
            self.store.save(self.cache, self.content / config_module.CONFIG_NAME)
        result = BuildResult(diagnostics=list(content.report.items(strict=self.strict)))
        result.diagnostics += self.renderer.check() + self._unlisted_templates(stamps)
        if not result.ok or content.config is None:
            return result

        made_with = self._pdf_engine(content.config)
        if isinstance(made_with, Diagnostic):
            result.diagnostics.append(made_with)
            return result
        site = make_site(content.config, content.entries, content.evaluations, content.departments)
        self._loaded()
        self._diff_years(site)
        templates, code = self.renderer.digests(), code_stamp()
        with _paused_gc():  # tens of thousands of small views and keys, no cycle among them
            pages, files = site_outputs(site, self.diffs, indexed=self.search and bool(site.years),
                                        static=self._static(), schemas=schema_files(), pdf=made_with)
            keys = output_keys(files, templates, code)
        plan = Plan(site, files, keys, bundles(pages, [y.year for y in site.years]) if self.search else {})
        if not self._publish(plan, stamps, inputs, listing, result, removes_none=False):
            return result
        if self.keep:
            with _paused_gc():
                self._kept = KeptBuild.of(site, files, keys, plan.bundle_pages, templates, code, result.diagnostics,
                                          self.cache)
        return result

    def _edit(self, stamps: dict[str, str], changed: list[str], inputs: str | None) -> BuildResult | None:
        """A save in a kept process that edits project files and no summary (kept.py): the last
        build's views updated for it and published. None: it needs a whole build."""
        kept, before = self._kept, self._stamps
        if kept is None or before is None:
            return None
        self.diffs.new = {}  # what the cache is told of: this edit's diffs
        with _paused_gc():
            remade = kept.edit(changed, stamps, before, self.cache, self.diffs)
        if remade is None:
            return None
        self._stamps, self._kept = None, None  # until it is published
        if self.store is not None:
            self.store.save(self.cache, self.content / config_module.CONFIG_NAME, only=changed)
        result = BuildResult(diagnostics=list(kept.diagnostics))
        plan = Plan(kept.site, kept.files, kept.keys, kept.bundle_pages)
        if self._publish(plan, stamps, inputs, lambda: set(self.keys), result, removes_none=True):
            self._kept = kept
        return result

    def _pdf_engine(self, config: config_module.SiteConfig) -> dict[str, Any] | Diagnostic | None:
        """What PDFs are made with, when they are built (--pdf or ``pdf: true``), or why they
        cannot be: then nothing is built."""
        if not (self.pdf or config.pdf):
            return None
        engine = pdf.engine("--pdf" if self.pdf else display_path(self.content / config_module.CONFIG_NAME))
        return engine if isinstance(engine, Diagnostic) else {"engine": engine, "epoch": pdf.epoch()}

    def _loaded(self) -> None:
        """Content is in memory: freeze it and let the GC collect what diffing and rendering
        throw away."""
        gc.freeze()
        if self._gc_was_enabled:
            gc.enable()

    def _diff_years(self, site: Site) -> None:
        """Diff every pair of a project and its year before that was never diffed, in workers,
        before the pages that show them are spread."""
        self.diffs.next_build()
        missing = self.diffs.missing(site.projects)
        for computed in spread(len(missing), lambda start, stop: DiffMemo.compute(missing[start:stop]), self.jobs):
            self.diffs.add(computed)

    def _static(self) -> dict[str, tuple[str, str]]:
        """Each static file: whose it is and its content's digest (not where it is: the same
        site named by another path makes the same keys)."""
        self._sources = self.renderer.static_files()
        return {name: (whose, hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
                for name, (whose, path) in self._sources.items()}

    def _publish(self, plan: Plan, stamps: dict[str, str], inputs: str | None,
                 listing: Callable[[], set[str]] | None, result: BuildResult, *, removes_none: bool) -> bool:
        """Make the files whose key changed (and those gone from the output), then the search
        bundles, check the links (--strict) and commit; then the stamp beside the output and
        the diffs in the cache. ``removes_none``: the plan has every file of the last one (a
        kept edit). False: an error stopped it, and the output is as it was."""
        try:
            made = self._commit(plan, inputs, listing, result, removes_none)
        except TemplateProblem as problem:
            result.diagnostics.append(problem.diagnostic)
            result.written.clear()
            return False
        except OutputError as exc:
            result.diagnostics.append(Diagnostic(display_path(self.output), 0, 0, Level.ERROR, "E060", str(exc)))
            result.written.clear()
            return False
        except OSError as exc:  # a full disk, a file where a folder of the output belongs
            message, hint = os_problem(exc)
            result.diagnostics.append(Diagnostic(display_path(self.output), 0, 0, Level.ERROR, "E060",
                                                 f"无法写入输出，输出目录保持不变：{message}", hint))
            result.written.clear()
            return False
        if made is None:  # pagefind failed, or --strict found broken links: nothing was published
            return False
        if inputs is not None:
            state.stamp(self.output, inputs, state.digest_of(made))
            if self.keep:
                self._state = state.identity(self.output)
        if self.store is not None:
            self.store.save_diffs(self.diffs.new, self.diffs.pairs)
        if self.keep:
            self._stamps, self._diagnostics = stamps, list(result.diagnostics)
        return True

    def _commit(self, plan: Plan, inputs: str | None, listing: Callable[[], set[str]] | None,
                result: BuildResult, removes_none: bool) -> bytes | None:
        """Returns the state file written (b"" for the preview), or None when the search index
        or the link check stopped the commit."""
        previous, keys = self.keys, plan.keys
        stale = {path for path, key in keys.items() if previous.get(path) != key}
        bundle_keys = plan.bundle_keys()
        if self.in_place:
            output: InPlaceOutput | StagedOutput = InPlaceOutput(self.output, previous.keys())
        else:
            patch = publish.small_change(self.output, previous, len(stale), len(keys), bundle_keys)
            output = StagedOutput(self.output, previous.keys(), patch=patch, listing=listing)
        with output as out:
            if removes_none and (self.in_place or out.patch) and not bundle_keys:
                out.keep_rest()  # every file stays: marking each kept was a fifth of an edit at 30,000
            else:
                stale |= out.keep_all(keys.keys() - stale)  # unchanged, but gone from the output: made again
            result.unchanged = len(keys) - len(stale)
            try:
                return self._write(plan, stale, bundle_keys, inputs, result, out)
            except TemplateProblem:
                if isinstance(out, InPlaceOutput):  # its folder has what was written before the failure:
                    for path in out.made:           # those are made again by the next build
                        previous.pop(path, None)
                raise

    def _write(self, plan: Plan, stale: set[str], bundle_keys: dict[str, str], inputs: str | None,
               result: BuildResult, out: InPlaceOutput | StagedOutput) -> bytes | None:
        """Write the files of ``stale``, then the search bundles, the link check and the state
        file, and commit."""
        previous, keys, made = self.keys, dict(plan.keys), b""
        todo = [f for f in plan.files if f.path in stale]
        pdfs = [f for f in todo if f.make.startswith(PDF)]  # ~0.5 s each: shared out among the workers on their own
        result.written += publish.make([f for f in todo if f.make != "indicators" and not f.make.startswith(PDF)],
                                       out, self._emit, self.jobs, self.progress)
        result.written += publish.make(pdfs, out, self._emit, self.jobs, self.progress, minimum=2)
        for joined in (f for f in todo if f.make == "indicators"):  # the same bytes as the projects' CSVs
            out.concat(joined.path, opendata.csv_head(joined.view["columns"]), [path for path, _ in joined.view["parts"]])
            result.written.append(joined.path)
        if bundle_keys:
            self.progress("搜索索引 (search index)", 0, 0)
            assert isinstance(out, StagedOutput)
            written, kept, problem = publish.index(out, previous, bundle_keys, plan.bundle_pages, keys)
            result.written += written
            result.unchanged += kept
            if problem is not None:
                result.diagnostics.append(problem)
                result.written.clear()
                return None  # the stage is discarded: output/ stays as it was
        if self.strict and isinstance(out, StagedOutput) and out.stage is not None:
            self.progress("检查链接 (links)", 0, 0)
            broken = publish.broken_links(out, result.written, plan.site.config.base_path)
            if broken:
                result.diagnostics += broken
                result.written.clear()
                return None  # the stage is discarded: output/ stays as it was
        if inputs is not None:
            made = state.text(keys, result.diagnostics, len(keys)).encode("utf-8")
            out.write(state.NAME, made)
            out.touched.discard(state.NAME)
        result.removed = out.commit()
        self.keys = keys
        return made

    def _emit(self, out: InPlaceOutput | StagedOutput, output: Output) -> None:
        """Make one file from its view and write it."""
        view = resolve(output.view)
        if output.make.startswith(PDF):  # the template's pages, converted
            pages = [self.renderer.render(output.make.removeprefix(PDF), **page) for page in view["pages"]]
            made: bytes | str | Path = pdf.convert(pages, self._sources[pdf.STYLESHEET][1], view["title"],
                                                   pdf.date_of(view["epoch"], view["date"]), output.path)
        elif output.make.endswith(".html"):
            made = self.renderer.render(output.make, **view)
        elif output.make == "static":
            made = self._sources[output.path.removeprefix("static/")][1]
        else:
            made = WRITERS[output.make](view)
        if isinstance(made, Path):
            out.copy(output.path, made)
        else:
            out.write(output.path, made)


@dataclass
class Plan:
    """What a build publishes: the site, every output with its view, their keys, and the pages
    of each year's search bundle."""

    site: Site
    files: list[Output]
    keys: dict[str, str]
    bundle_pages: dict[str, list[str]]

    def bundle_keys(self) -> dict[str, str]:
        """A bundle's key: the keys of the pages it indexes, and the pagefind that indexes them."""
        return {bundle: _hash("pagefind", search.VERSION, search.engine(), *[f"{p}\0{self.keys[p]}" for p in pages])
                for bundle, pages in self.bundle_pages.items()}


@contextmanager
def _paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def build(content_dir: Path, templates_dir: Path, output_dir: Path, strict: bool = False,
          search: bool = True, jobs: int = 1,
          progress: Callable[[str, int, int], None] | None = None, pdf: bool = False) -> BuildResult:
    """A build into ``output_dir``, swapped in atomically; unchanged pages are carried over."""
    return Builder(content_dir, templates_dir, output_dir, strict=strict, search=search, jobs=jobs,
                   progress=progress, pdf=pdf).build()
