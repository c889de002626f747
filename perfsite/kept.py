"""A kept process's last build, and the save it can update without building everything again.

``serve`` and ``build --watch`` keep their last build: the site, every output with its view, the
keys. When a save edits project files and changes nothing that a summary holds (no name, total,
implementer, department, date or id: what arranges the site and what listings show), the files
still arrange the same site and every view is the one it was, but for the parts made from those
files. Each view records which file parts it is made from (``view.files_of``), so the outputs an
edit reaches are found from the views themselves, and their views are made again by replacing the
old file parts with the new ones (``view.replaced``): the same views a whole build would make,
without anyone deciding which pages show what. Anything else (a summary, a file added or removed,
a template, site.yaml, a diagnostic) is a whole build; so is a save of a self-evaluation or of a
target table that one is checked against, since its checks (load.py) read both files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic
from .load import Entry, FileCache, load_project
from .memo import DiffMemo
from .outputs import Output, output_keys
from .site import ProjectPage, Site
from .view import Part, file_token, files_of, replaced


@dataclass
class KeptBuild:
    site: Site
    files: list[Output]  # every output, in the build's order
    keys: dict[str, str]  # output path → key, as published
    bundle_pages: dict[str, list[str]]  # each year's search bundle: the pages it indexes
    templates: dict[str, str]  # the template digests the keys were made with
    code: str
    diagnostics: list[Diagnostic]
    pages: dict[str, ProjectPage]  # content file (as scanned) → its page
    index: dict[str, list[int]] | None = None  # file part → the outputs whose view holds it, made on first use

    @classmethod
    def of(cls, site: Site, files: list[Output], keys: dict[str, str], bundle_pages: dict[str, list[str]],
           templates: dict[str, str], code: str, diagnostics: list[Diagnostic], cache: FileCache) -> KeptBuild:
        by_entry = {id(page.entry): page for page in site.projects}
        pages = {path: by_entry[id(entry)] for path, (_, entry, _) in cache.snapshot().items()
                 if entry is not None and id(entry) in by_entry}
        return cls(site, list(files), keys, bundle_pages, templates, code, list(diagnostics), pages)

    def _index(self) -> dict[str, list[int]]:
        """Which outputs each file part is in: made at the first edit, not by every whole build
        of a kept process (at 10,000 projects it takes a tenth of a second)."""
        if self.index is None:
            self.index = {}
            for number, output in enumerate(self.files):
                for token in files_of(output.view):
                    self.index.setdefault(token, []).append(number)
        return self.index

    def edit(self, changed: list[str], stamps: dict[str, str], before: dict[str, str], cache: FileCache,
             diffs: DiffMemo) -> list[Output] | None:
        """Update this build for ``changed`` (content files, as scanned, with their new
        ``stamps``; ``before``: the stamps this build read), if the save is one it can: every
        file valid before and after, without a diagnostic, and with the summary it had. Returns
        the outputs whose view was made again (their keys are in ``keys``), or None: a whole
        build is needed (and nothing here was changed)."""
        edits: list[tuple[str, ProjectPage, Entry]] = []
        for path in changed:
            page = self.pages.get(path)
            if page is None or page.evaluation is not None:
                return None  # not a target table (a self-evaluation, …), or one whose self-evaluation it scores
            hit = cache.get(path, before.get(path))
            if hit is None or hit[1]:
                return None
            entry, diagnostics = load_project(Path(path), page.entry.display, page.year, self.site.config)
            if entry is None or diagnostics or entry.summary != page.entry.summary:
                return None
            edits.append((path, page, entry))
        new: dict[str, Part] = {}
        refiled: dict[str, str] = {}
        for path, page, entry in edits:
            cache.put(path, stamps[path], entry, [])
            if entry.digest != page.entry.digest:
                new[file_token(page.entry.digest)] = Part.file(entry.digest, entry.fetch)
                refiled[page.entry.digest] = entry.digest
            entry.earlier = page.entry.earlier  # the same 更正 (its summary says so), the same history
            page.entry = entry
        diffs.refile(refiled)
        index = self._index()
        remade = sorted({number for token in new for number in index.get(token, ())})
        for number in remade:
            output = self.files[number]
            self.files[number] = output._replace(view=replaced(output.view, new))
        for token, part in new.items():
            index[part.tokens()] = index.pop(token, [])
        outputs = [self.files[number] for number in remade]
        self.keys = {**self.keys, **output_keys(outputs, self.templates, self.code)}
        return outputs
