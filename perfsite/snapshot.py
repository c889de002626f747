"""A snapshot: the projects of a year, a directory, a file or a git revision, for comparison.

Git revisions are read straight from the object store (``git ls-tree`` + ``git cat-file --batch``),
never by checking anything out, so ``perfsite diff HEAD~1 HEAD`` works on a dirty tree too.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_NAME
from .diagnostics import Diagnostic, Level, display_path
from .load import SUFFIXES, yaml_files
from .model import Project, build_project
from .source import Source, load_file, parse_text


class SnapshotError(Exception):
    """The argument names no year, directory, file or revision."""


@dataclass
class Snapshot:
    label: str
    projects: list[tuple[Project, str]] = field(default_factory=list)  # (project, where it was read)
    problems: list[Diagnostic] = field(default_factory=list)

    def add(self, project: Project | None, where: str, diags: list[Diagnostic]) -> None:
        self.problems += [d for d in diags if d.level is Level.ERROR]
        if project is not None:
            self.projects.append((project, where))

    def add_parsed(self, source: Source | None, where: str, diags: list[Diagnostic]) -> None:
        """A file read from disk or git: its project if it validates, else its problems."""
        if source is None:
            self.add(None, where, diags)
            return
        project, _parts, problems = build_project(source)
        self.add(project, where, diags + problems)

    @property
    def years(self) -> set[int]:
        return {p.year for p, _ in self.projects}


def _is_project_file(path: str) -> bool:
    return path.endswith(SUFFIXES) and Path(path).name != CONFIG_NAME \
        and not any(part.startswith(".") for part in Path(path).parts)


def _from_disk(path: Path, label: str) -> Snapshot:
    snap = Snapshot(label)
    if path.is_file():
        files = [path]
    else:
        files = yaml_files(path)
    for file in files:
        display = display_path(file)
        source, diags = load_file(file, display)
        snap.add_parsed(source, display, diags)
    return snap


def _git(repo: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True, timeout=120)


def _git_toplevel(start: Path) -> Path | None:
    try:
        result = _git(start if start.is_dir() else start.parent, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(result.stdout.decode().strip()) if result.returncode == 0 else None


def _from_git(repo: Path, revision: str, subpath: str, label: str) -> Snapshot:
    listing = _git(repo, "ls-tree", "-r", "-z", revision, "--", subpath or ".")
    if listing.returncode != 0:
        raise SnapshotError(f"无法读取 git 版本 {revision}：{listing.stderr.decode(errors='replace').strip()}")
    blobs: list[tuple[str, str]] = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        kind, sha = meta.split()[1:3]
        path = name.decode("utf-8", "surrogateescape")
        if kind == b"blob" and _is_project_file(path):
            blobs.append((sha.decode(), path))
    snap = Snapshot(label)
    if not blobs:
        return snap
    batch = _git(repo, "cat-file", "--batch", data=b"".join(f"{sha}\n".encode() for sha, _ in blobs))
    out, pos = batch.stdout, 0
    for _, path in blobs:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        body = out[header_end + 1: header_end + 1 + size]
        pos = header_end + 1 + size + 1
        where = f"{revision}:{path}"
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            snap.add(None, where, [Diagnostic(where, 0, 0, Level.ERROR, "E005", "不是 UTF-8 文本")])
            continue
        source, diags = parse_text(text, where)
        snap.add_parsed(source, where, diags)
    return snap


def resolve(spec: str, content: Path) -> Snapshot:
    """``2022`` (a year of ``content``), a directory, a file, ``REV`` or ``REV:path`` (git)."""
    path = Path(spec)
    if re.fullmatch(r"\d{4}", spec) and not path.exists():
        year_dir = content / spec
        if not year_dir.is_dir():
            raise SnapshotError(f"{display_path(content)} 中没有 {spec} 年度的目录")
        return _from_disk(year_dir, f"{spec}年度")
    if path.exists():
        return _from_disk(path, display_path(path))
    repo = _git_toplevel(content if content.exists() else Path.cwd())
    if repo is None:
        raise SnapshotError(f"「{spec}」不是年度、目录或文件，这里也不是 git 仓库")
    revision, _, subpath = spec.partition(":")
    check = _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if check.returncode != 0:
        raise SnapshotError(f"「{spec}」不是年度、目录、文件，也不是 git 版本（提交、分支或标签）")
    if not subpath:
        try:
            subpath = content.resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            subpath = ""
    return _from_git(repo, revision, subpath, spec)
