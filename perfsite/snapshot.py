"""A snapshot: the projects, self-evaluations and department tables of a year, a directory, a file or
a git revision, for comparison. A self-evaluation is a file in a 自评 folder right under a year folder
(``2022/自评/<id>.yaml``), a 部门整体支出绩效目标表 one in a 部门 folder there (``2023/部门/<名称>.yaml``);
every other content file is a project's target table.

Git revisions are read straight from the object store (``git ls-tree`` + ``git cat-file --batch``),
never by checking anything out, so ``perfsite diff HEAD~1 HEAD`` works on a dirty tree too.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .config import CONFIG_NAME
from .department import DepartmentTable, build_department
from .diagnostics import Diagnostic, Level, display_path
from .evaluation import Evaluation, build_evaluation
from .load import DEPARTMENTS, EVALUATIONS, SUFFIXES, yaml_files
from .model import Project, build_project
from .parallel import spread
from .source import Source, load_file, parse_text


class SnapshotError(Exception):
    """The argument names no year, directory, file or revision."""


_YEAR = re.compile(r"\d{4}")

Table = Project | Evaluation | DepartmentTable
Parsed = tuple[Table | None, str, list[Diagnostic]]  # a file's table if it validates, where it was read, its problems


@dataclass
class Snapshot:
    label: str
    projects: list[tuple[Project, str]] = field(default_factory=list)  # (project, where it was read)
    evaluations: list[tuple[Evaluation, str]] = field(default_factory=list)  # (self-evaluation, where)
    departments: list[tuple[DepartmentTable, str]] = field(default_factory=list)  # (部门 table, where)
    problems: list[Diagnostic] = field(default_factory=list)

    def add(self, table: Table | None, where: str, diags: list[Diagnostic]) -> None:
        self.problems += [d for d in diags if d.level is Level.ERROR]
        if isinstance(table, Evaluation):
            self.evaluations.append((table, where))
        elif isinstance(table, DepartmentTable):
            self.departments.append((table, where))
        elif table is not None:
            self.projects.append((table, where))

    def add_all(self, parsed: list[Parsed]) -> None:
        for table, where, diags in parsed:
            self.add(table, where, diags)


def _in_year_folder(path: str | Path, folder: str) -> bool:
    """Whether a file sits in ``folder`` right under a year folder. Unlike ``load.is_evaluation``
    and ``load.is_department``, for any path (a directory given to diff, a path in a git tree)."""
    parts = Path(path).parts
    return any(part == folder and _YEAR.fullmatch(parts[i - 1]) for i, part in enumerate(parts) if i)


def is_evaluation_path(path: str | Path) -> bool:
    """Whether a file is a self-evaluation: it sits in 自评 right under a year folder."""
    return _in_year_folder(path, EVALUATIONS)


def is_department_path(path: str | Path) -> bool:
    """Whether a file is a 部门整体支出绩效目标表: it sits in 部门 right under a year folder."""
    return _in_year_folder(path, DEPARTMENTS)


def _validated(source: Source | None, where: str, diags: list[Diagnostic], path: str | Path) -> Parsed:
    """A file read from disk or git: its table if it validates, else its problems; ``path`` (where
    it sits in the content) says which kind of table it holds."""
    if source is None:
        return None, where, diags
    if is_evaluation_path(path):
        found, problems = build_evaluation(source)
        return found, where, diags + problems
    if is_department_path(path):
        table, problems = build_department(source)
        return table, where, diags + problems
    project, _parts, problems = build_project(source)
    return project, where, diags + problems


def _in_parts(count: int, each: Callable[[int], Parsed], jobs: int) -> list[Parsed]:
    """``each(i)`` for every file, in ``jobs`` forked processes when there are many (a year of
    3,000 projects took 4 s to parse in one); results in order."""
    return [item for part in spread(count, lambda start, stop: [each(i) for i in range(start, stop)], jobs)
            for item in part]


def _is_content_file(path: str) -> bool:
    return path.endswith(SUFFIXES) and Path(path).name != CONFIG_NAME \
        and not any(part.startswith(".") for part in Path(path).parts)


def _from_disk(path: Path, label: str, jobs: int = 1, named: str | None = None) -> Snapshot:
    """The tables under ``path`` (or the one file it is); ``named``: the path a lone file stands
    for (git's diff driver is given a temporary copy of the file)."""
    snap = Snapshot(label)
    files, snap.problems = ([path], []) if path.is_file() else yaml_files(path)
    root = path.resolve()  # a 自评 (部门) folder named from inside its year (cd content/2022; diff 自评 …) is one still

    def each(i: int) -> Parsed:
        display = named or display_path(files[i])
        source, diags = load_file(files[i], display)
        return _validated(source, display, diags, named or root / files[i].relative_to(path))

    snap.add_all(_in_parts(len(files), each, jobs))
    return snap


def git(repo: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True, timeout=120)


def git_toplevel(start: Path) -> Path | None:
    try:
        result = git(start if start.is_dir() else start.parent, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(result.stdout.decode().strip()) if result.returncode == 0 else None


def read_blobs(repo: Path, names: list[str]) -> list[bytes | None]:
    """The contents of git objects (a blob's id, or ``rev:path``), in one ``git cat-file
    --batch``; None for a name git does not have (the file did not exist at that revision)."""
    if not names:
        return []
    out = git(repo, "cat-file", "--batch", data=b"".join(f"{name}\n".encode() for name in names)).stdout
    pos, found = 0, []
    for _ in names:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        if header[-1] == b"missing" or len(header) < 3:
            found.append(None)
            pos = header_end + 1
            continue
        size = int(header[2])
        found.append(out[header_end + 1: header_end + 1 + size])
        pos = header_end + 1 + size + 1
    return found


def _from_git(repo: Path, revision: str, subpath: str, label: str, jobs: int = 1) -> Snapshot:
    listing = git(repo, "ls-tree", "-r", "-z", revision, "--", subpath or ".")
    if listing.returncode != 0:
        raise SnapshotError(f"无法读取 git 版本 {revision}：{listing.stderr.decode(errors='replace').strip()}")
    blobs: list[tuple[str, str]] = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        kind, sha = meta.split()[1:3]
        path = name.decode("utf-8", "surrogateescape")
        if kind == b"blob" and _is_content_file(path):
            blobs.append((sha.decode(), path))
    snap = Snapshot(label)
    if not blobs:
        return snap
    bodies = [(path, body or b"") for (_, path), body in zip(blobs, read_blobs(repo, [sha for sha, _ in blobs]))]

    def each(i: int) -> Parsed:
        path, body = bodies[i]
        where = f"{revision}:{path}"
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, where, [Diagnostic(where, 0, 0, Level.ERROR, "E005", "不是 UTF-8 文本")]
        source, diags = parse_text(text, where)
        return _validated(source, where, diags, path)

    snap.add_all(_in_parts(len(bodies), each, jobs))
    return snap


def read_file(file: Path, named: str) -> Snapshot:
    """The one table of ``file``, read as the content file ``named`` (git's diff driver)."""
    return _from_disk(file, named, named=named)


def resolve(spec: str, content: Path, jobs: int = 1) -> Snapshot:
    """``2022`` (a year of ``content``), a directory, a file, ``REV`` or ``REV:path`` (git);
    parsed in ``jobs`` processes."""
    path = Path(spec)
    if re.fullmatch(r"\d{4}", spec) and not path.exists():
        year_dir = content / spec
        if not year_dir.is_dir():
            raise SnapshotError(f"{display_path(content)} 中没有 {spec} 年度的目录")
        return _from_disk(year_dir, f"{spec}年度", jobs)
    if path.exists():
        return _from_disk(path, display_path(path), jobs)
    repo = git_toplevel(content if content.exists() else Path.cwd())
    if repo is None:
        raise SnapshotError(f"「{spec}」不是年度、目录或文件，这里也不是 git 仓库")
    revision, _, subpath = spec.partition(":")
    check = git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if check.returncode != 0:
        raise SnapshotError(f"「{spec}」不是年度、目录、文件，也不是 git 版本（提交、分支或标签）")
    if not subpath:
        try:
            subpath = content.resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            subpath = ""
    return _from_git(repo, revision, subpath, spec, jobs)
