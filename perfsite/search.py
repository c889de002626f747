"""Full-text search: pagefind's extended build (it segments Chinese; the plain build finds nothing
for a Chinese query) run over the finished site, so search works offline and needs no server.

Only the pages under a year's folder are indexed, by what they mark ``data-pagefind-body`` (a
project's table, a 自评表, a 部门整体支出绩效目标表), in one bundle per year, merged in the
browser (``mergeIndex``): pagefind cannot update an index, so an edit re-indexes only its year's
bundle (at 10,000 projects one year took 6.2 s and 627 MB, the whole site 16.8 s and 1.8 GB)."""

from __future__ import annotations

import functools
import importlib.metadata
import subprocess
import sys
from pathlib import Path

from .diagnostics import Diagnostic, Level

DIR = "pagefind"
VERSION = "2"  # bump to force a re-index when the indexing command changes


@functools.cache
def engine() -> str:
    """The installed pagefind's version, part of every bundle's key: the search page merges the
    bundles with the first one's code, so they must all come from the same pagefind."""
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return ""


def marker(bundle: str) -> str:
    """The state key that records a bundle's key (not a file)."""
    return f"{DIR}:{bundle}"


def is_marker(path: str) -> bool:
    return path.startswith(DIR + ":")


def index(site: Path, bundle: str) -> tuple[list[str], Diagnostic | None]:
    """Index the pages of ``site``/``bundle`` into DIR/``bundle``; returns the files written there
    (relative posix paths)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", f"{bundle}/**/*.html",
               "--output-subdir", f"{DIR}/{bundle}", "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], _problem(str(exc))
    if result.returncode != 0:
        return [], _problem((result.stderr or result.stdout).strip()[-500:])
    out = site / DIR / bundle
    return sorted(p.relative_to(site).as_posix() for p in out.rglob("*") if p.is_file()), None


def _problem(detail: str) -> Diagnostic:
    return Diagnostic(DIR, 0, 0, Level.ERROR, "E080", f"无法生成搜索索引（pagefind）：{detail}",
                      "安装 pip install 'pagefind[extended]'；或用 --no-search 跳过搜索索引")
