"""The versions of a corrected table from before each of its 更正, read from git.

For correction i (1-based, in list order) the version before it is the newest committed version
of the file whose 更正 list has fewer than i entries (the file on disk is the current version, so
it never is one). Files are read from git's object store (snapshot.py's plumbing), never checked
out; only files that have 更正 entries are looked up, once per whole build. Renames are not
followed: a table moved to another path starts its history there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .diagnostics import Diagnostic, Level
from .load import Earlier, Entry
from .model import build_project
from .snapshot import git, git_toplevel, read_blobs
from .source import load_file, parse_text

HISTORY_LIMIT = 200  # commits of one file looked at, newest first: corrections are a handful a year


def attach(entries: list[Entry]) -> list[Diagnostic]:
    """Set ``earlier`` on every entry with 更正 entries; a W014 for each correction whose earlier
    version was not found (its note shows without a link)."""
    corrected: dict[Path | None, list[tuple[Entry, str]]] = {}  # repository → its corrected files
    tops: dict[str, Path | None] = {}  # folder → its repository's top (one rev-parse per folder)
    for entry in entries:
        entry.earlier = ()
        if entry.summary.corrections:
            path = Path(os.path.abspath(entry.path))
            if str(path.parent) not in tops:
                tops[str(path.parent)] = git_toplevel(path.parent)
            repo = tops[str(path.parent)]
            rel = _relative(path, repo)
            corrected.setdefault(None if rel is None else repo, []).append((entry, rel or ""))
    out: list[Diagnostic] = []
    for repo, found in corrected.items():
        histories = _histories(repo, [rel for _, rel in found]) if repo is not None else {}
        for entry, rel in found:
            count = len(entry.summary.corrections)
            entry.earlier = _earlier(histories.get(rel, []), count)
            missing = [i for i, version in enumerate(entry.earlier) if version is None]
            if missing:
                out += _not_found(entry, missing, in_git=repo is not None)
    return out


def _relative(path: Path, repo: Path | None) -> str | None:
    if repo is None:
        return None
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _histories(repo: Path, rels: list[str], chunk: int = 500) -> dict[str, list[tuple[str, bytes | None]]]:
    """Each file's committed versions, newest first, as (``commit:path``, its bytes): one ``git
    log`` over all the files (per ``chunk`` of them) and one ``git cat-file --batch`` for all the
    versions, however many files were corrected."""
    commits: dict[str, list[str]] = {rel: [] for rel in rels}
    for start in range(0, len(rels), chunk):
        try:
            log = git(repo, "log", "--format=%x01%H", "--name-only", "-z", "HEAD", "--", *rels[start:start + chunk])
        except (OSError, subprocess.TimeoutExpired):
            return {}
        for record in log.stdout.split(b"\x01")[1:] if log.returncode == 0 else []:
            commit, _, names = record.partition(b"\0")
            for name in names.lstrip(b"\n").split(b"\0"):
                listed = commits.get(name.decode("utf-8", "surrogateescape"))
                if listed is not None and len(listed) < HISTORY_LIMIT:
                    listed.append(commit.decode())
    names = [f"{commit}:{rel}" for rel, listed in commits.items() for commit in listed]
    bodies = dict(zip(names, read_blobs(repo, names)))
    return {rel: [(f"{c}:{rel}", bodies[f"{c}:{rel}"]) for c in listed] for rel, listed in commits.items()}


def _earlier(history: list[tuple[str, bytes | None]], count: int) -> tuple[Earlier | None, ...]:
    """The version before each of ``count`` corrections: for the i-th, the newest with fewer than i."""
    found: list[Earlier | None] = [None] * count
    for where, body in history:
        version = _version(where, body)
        if version is None:
            continue
        for i in range(len(version.project.corrections), count):  # it has fewer entries than i + 1
            if found[i] is None:
                found[i] = version
        if all(found):
            break
    return tuple(found)


def _version(where: str, body: bytes | None) -> Earlier | None:
    """A committed version of the file, if it is a valid table (one that is not could not be shown)."""
    if body is None:
        return None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    source, _ = parse_text(text, where)
    if source is None:
        return None
    project = build_project(source)[0]
    return None if project is None else Earlier(source.digest, project, where)


def _not_found(entry: Entry, missing: list[int], in_git: bool) -> list[Diagnostic]:
    """W014 at each correction whose earlier version is not in git."""
    source, _ = load_file(entry.path, entry.display)
    why = "这个文件不在 git 仓库中" if not in_git else "git 历史中没有更正前（更正条目更少）的版本"
    out = []
    for i in missing:
        line, col = source.pos(("更正", i)) if source is not None else (0, 0)
        out.append(Diagnostic(entry.display, line, col, Level.WARNING, "W014",
                              f"第 {i + 1} 条更正找不到更正前的版本（{why}），更正说明中不会有“查看更正前的版本”链接",
                              "更正之前先提交表格（git commit），再改表、写更正；更正前的版本从 git 历史中取出"))
    return out
