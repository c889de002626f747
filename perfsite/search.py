"""Full-text search: pagefind's extended build (it segments Chinese; the plain build finds nothing
for a Chinese query) run over the finished site, so search works offline and needs no server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .diagnostics import Diagnostic, Level

DIR = "pagefind"
VERSION = "1"  # bump to force a re-index when the indexing command changes


def index(site: Path) -> tuple[list[str], Diagnostic | None]:
    """Index ``site`` in place; returns the files written under pagefind/ (relative posix paths)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", DIR, "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], _problem(str(exc))
    if result.returncode != 0:
        return [], _problem((result.stderr or result.stdout).strip()[-500:])
    out = site / DIR
    return sorted(p.relative_to(site).as_posix() for p in out.rglob("*") if p.is_file()), None


def _problem(detail: str) -> Diagnostic:
    return Diagnostic(DIR, 0, 0, Level.ERROR, "E080", f"无法生成搜索索引（pagefind）：{detail}",
                      "安装 pip install 'pagefind[extended]'；或用 --no-search 跳过搜索索引")
