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
    """Set ``earlier`` on every entry with 更正 entries; a W012 for each correction whose earlier
    version was not found (its note shows without a link)."""
    out: list[Diagnostic] = []
    repos: dict[str, Path | None] = {}  # folder → its repository's top (one rev-parse per folder)
    for entry in entries:
        count = len(entry.summary.corrections)
        if not count:
            entry.earlier = ()
            continue
        folder = os.path.dirname(os.path.abspath(entry.path))
        if folder not in repos:
            repos[folder] = git_toplevel(Path(folder))
        repo = repos[folder]
        entry.earlier = _earlier(repo, Path(entry.path), count) if repo is not None else (None,) * count
        missing = [i for i, found in enumerate(entry.earlier) if found is None]
        if missing:
            out += _not_found(entry, missing, in_git=repo is not None)
    return out


def _earlier(repo: Path, path: Path, count: int) -> tuple[Earlier | None, ...]:
    """The version before each of ``count`` corrections, newest committed versions first."""
    try:
        rel = path.resolve().relative_to(repo.resolve()).as_posix()
        log = git(repo, "log", f"--max-count={HISTORY_LIMIT}", "--format=%H", "HEAD", "--", rel)
    except (ValueError, OSError, subprocess.TimeoutExpired):
        return (None,) * count
    commits = log.stdout.decode().split() if log.returncode == 0 else []
    found: list[Earlier | None] = [None] * count
    names = [f"{commit}:{rel}" for commit in commits]
    for name, body in zip(names, read_blobs(repo, names) if names else []):
        version = _version(name, body)
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
    """W012 at each correction whose earlier version is not in git."""
    source, _ = load_file(entry.path, entry.display)
    why = "这个文件不在 git 仓库中" if not in_git else "git 历史中没有更正前（更正条目更少）的版本"
    out = []
    for i in missing:
        line, col = source.pos(("更正", i)) if source is not None else (0, 0)
        out.append(Diagnostic(entry.display, line, col, Level.WARNING, "W012",
                              f"第 {i + 1} 条更正找不到更正前的版本（{why}），更正说明中不会有“查看更正前的版本”链接",
                              "更正之前先提交表格（git commit），再改表、写更正；更正前的版本从 git 历史中取出"))
    return out
