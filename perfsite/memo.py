"""Year-over-year diffs, each computed once: kept in memory between the builds of one process
(serve, build --watch) and, with a store, in the cache between processes (diffing every pair of
two years cost a second a build at 10,000 projects).

A pair is named by the two files' content digests, so a diff found here is the diff of exactly
those two files: views hold pairs as ``Part``s, and their keys cover the digests.
"""

from __future__ import annotations

from typing import Protocol

from .diff import ProjectDiff, diff_projects
from .site import Change, ProjectPage
from .view import Part


class DiffStore(Protocol):
    def diffs(self) -> dict[str, str]: ...  # pair → Change.line
    def diff(self, pair: str) -> ProjectDiff | None: ...


def pair_of(old: str, new: str) -> str:
    """A pair's name from the two files' digests."""
    return f"{old}|{new}"


class DiffMemo:
    def __init__(self, store: DiffStore | None = None) -> None:
        self.store = store
        self._stored: dict[str, str] | None = None  # pair → Change.line, from the store
        self._kept: dict[str, ProjectDiff] = {}
        self._used: dict[str, ProjectDiff] = {}
        self._lines: dict[str, Change] = {}  # each diff's line, made once
        self.new: dict[str, tuple[Change, ProjectDiff]] = {}  # computed by this build, for the store
        self.pairs: set[str] = set()  # every pair on the site, as ``missing`` last saw it

    def diff(self, old: Part, new: Part) -> ProjectDiff:
        """The changes from ``old``'s project to ``new``'s (file parts)."""
        key = pair_of(old.file_digest, new.file_digest)
        found = self._used.get(key) or self._kept.get(key)
        if found is None and self.store is not None:
            found = self.store.diff(key)
        if found is None:
            found = diff_projects(old.value, new.value)
            self.new[key] = (Change.of(found), found)
        self._used[key] = found
        return found

    def change(self, old: Part, new: Part) -> Change:
        """The pair's line on a changes page: from the store's summaries when it has them (a
        changes page of 3,000 pairs need not load 6,000 models), else from the diff."""
        key = pair_of(old.file_digest, new.file_digest)
        found = self._used.get(key) or self._kept.get(key)
        if found is None:
            stored = self._from_store().get(key)
            if stored:
                return Change.from_line(stored)
            found = self.diff(old, new)
        self._used[key] = found  # still on the site: kept for the next build
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = Change.of(found)
        return line

    def _from_store(self) -> dict[str, str]:
        """The store's change summaries, read once per build."""
        if self._stored is None:
            self._stored = self.store.diffs() if self.store is not None else {}
        return self._stored

    def refile(self, digests: dict[str, str]) -> None:
        """The pairs on the site after files changed their content (old digest → new), as a kept
        edit leaves them (kept.py)."""
        if digests:
            self.pairs = {"|".join(digests.get(d, d) for d in pair.split("|")) for pair in self.pairs}

    def missing(self, pages: list[ProjectPage]) -> list[ProjectPage]:
        """Pages whose pair with the year before was never diffed (by this process or the store):
        diffed in workers before the pages that show them are rendered."""
        stored, kept, used = self._from_store(), self._kept, self._used
        out, self.pairs = [], set()
        for p in pages:
            if p.previous is not None:
                key = pair_of(p.previous.entry.digest, p.entry.digest)
                self.pairs.add(key)
                if key not in stored and key not in kept and key not in used:
                    out.append(p)
        return out

    @staticmethod
    def compute(pages: list[ProjectPage]) -> list[tuple[str, ProjectDiff]]:
        return [(pair_of(p.previous.entry.digest, p.entry.digest), diff_projects(p.previous.project, p.project))
                for p in pages if p.previous is not None]

    def add(self, computed: list[tuple[str, ProjectDiff]]) -> None:
        """Diffs computed elsewhere (by forked workers)."""
        for key, found in computed:
            self.new[key] = (Change.of(found), found)
            self._used[key] = found

    def next_build(self) -> None:
        """Keep what the last build used; forget pairs that are gone."""
        self._kept, self._used = self._used, {}
        self._lines = {key: line for key, line in self._lines.items() if key in self._kept}
        self._stored, self.new = None, {}
