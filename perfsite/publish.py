"""Publishing a build: which files to make, making them into a stage (or the preview's folder),
the search bundles, the link check, and the commit that puts them in ``output/``.

The files to make are those whose key differs from the last build's, and those gone from the
output. Nothing here decides what a file shows: its key comes from its view (outputs.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

from . import search
from .diagnostics import Diagnostic
from .links import check_links, page_ids
from .outputs import Output
from .parallel import spread
from .render import TemplateProblem
from .write import InPlaceOutput, StagedOutput, files_in

Out = InPlaceOutput | StagedOutput
Progress = Callable[[str, int, int], None]


def small_change(output_dir: os.PathLike[str], previous: dict[str, str], stale: int, total: int,
                 bundle_keys: dict[str, str]) -> bool:
    """Patch the output in place (see write.py) when fewer files change than stay, and every
    search bundle that stays is whole in the output (one that changes is made in a view)."""
    output = Path(output_dir)
    if not previous or not output.is_dir():
        return False
    if bundle_keys:
        index = {f"{search.DIR}/{p}" for p in files_in(output / search.DIR)}
        bundles = bundle_files(previous)
        for bundle, key in bundle_keys.items():
            files = bundles.get(bundle, [])
            if previous.get(search.marker(bundle)) == key and not (files and all(p in index for p in files)):
                return False
    return stale < total - stale


def bundle_files(keys: dict[str, str]) -> dict[str, list[str]]:
    """The files of each search bundle among ``keys`` (a build's)."""
    found: dict[str, list[str]] = {}
    for path in keys:
        if path.startswith(search.DIR + "/"):
            found.setdefault(path.split("/", 2)[1], []).append(path)
    return found


def make(todo: list[Output], out: Out, emit: Callable[[Out, Output], None], jobs: int,
         progress: Progress, minimum: int = 200) -> list[str]:
    """Make ``todo``: in forked workers writing straight into the stage (or the preview's folder,
    each file atomically) when there are ``minimum`` files or more, else here. Returns what was
    written."""
    written: list[str] = []
    total = len(todo)
    progress("生成 (rendering)", 0, total)
    if jobs > 1:
        def task(start: int, stop: int) -> tuple[list[str], Diagnostic | None]:
            """In a forked worker: its copy of ``out`` writes into the same directory."""
            done: list[str] = []
            try:
                for output in todo[start:stop]:
                    emit(out, output)
                    done.append(output.path)
            except TemplateProblem as problem:
                return done, problem.diagnostic
            return done, None

        for done, problem in spread(total, task, jobs, minimum=minimum,
                                    on_done=lambda n: progress("生成 (rendering)", n, total)):
            out.adopt(done)  # written even when a later page failed: the preview's folder has them
            if problem is not None:
                raise TemplateProblem(problem)
            written += done
        return written
    for number, output in enumerate(todo, start=1):
        emit(out, output)
        written.append(output.path)
        if number % 200 == 0 or number == total:
            progress("生成 (rendering)", number, total)
    return written


def index(out: StagedOutput, previous: dict[str, str], bundle_keys: dict[str, str], bundle_pages: dict[str, list[str]],
          keys: dict[str, str]) -> tuple[list[str], int, Diagnostic | None]:
    """Each search bundle is carried over when its key (the keys of the pages it indexes) is
    unchanged, else made again: from the complete stage, or for a patch from a view of its year.
    Adds the bundles' files to ``keys``; returns those written, those kept, and a problem."""
    bundles, written, kept = bundle_files(previous), [], 0
    for bundle, key in bundle_keys.items():
        marker, before = search.marker(bundle), bundles.get(bundle, [])
        if previous.get(marker) == key and before and all(out.keep(p) for p in before):
            keys[marker] = key
            out.touched.add(marker)
            keys.update({p: previous[p] for p in before})
            kept += len(before)
            continue
        assert out.stage is not None
        if out.patch:
            files, problem = _index_view(out, bundle, bundle_pages[bundle])
        else:
            shutil.rmtree(out.stage / search.DIR / bundle, ignore_errors=True)
            files, problem = search.index(out.stage, bundle)
        if problem is not None:
            return written, kept, problem
        keys[marker] = key
        out.touched.add(marker)
        out.adopt(files)
        keys.update(dict.fromkeys(files, key))
        written += files
    return written, kept, None


def _index_view(out: StagedOutput, bundle: str, pages: list[str]) -> tuple[list[str], Diagnostic | None]:
    """A bundle made for a patch, which stages only the changed files: pagefind reads a view of
    the year's pages as they will be published (hard links: the staged ones and the output's),
    and its bundle is moved into the stage."""
    assert out.stage is not None
    view = out.stage / ".search-view"
    try:
        for page in pages:
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


def broken_links(out: StagedOutput, written: list[str], base_path: str) -> list[Diagnostic]:
    """--strict: the links of the site as it will be. A patch checks only the pages it writes,
    against the output with its files put in, when that can break no other page's link: it
    removes no file and no written page loses an anchor. Else every page is checked."""
    assert out.stage is not None
    if not out.patch:
        return check_links(out.stage, base_path=base_path)
    gone = out.gone()
    pages: list[str] | None = [path for path in written if path.endswith(".html")]
    for path in pages if not gone else ():
        before = out.output / path
        if before.is_file() and not page_ids(before) <= page_ids(out.stage / path):
            pages = None  # an anchor others may link to is gone
            break
    return check_links(out.output, None if gone else pages, base_path=base_path, over=out.stage, gone=gone)
