"""Build figures at scale: the numbers the scaling targets are judged by.

For each N (default 1,000 and 10,000 generated projects) it runs the real `perfsite build` in a
subprocess and prints: full build wall time and pages per second, peak memory (the largest
process; workers share the parent's pages copy-on-write), output size; then rebuilds with nothing
changed, after one project changed (an indicator value; its name, which every listing page shows
and orders by; its implementer, which the year page shows; the median of several rounds), and
after a template changed. Each rebuild gives the build's own time (what the closing summary
reports: from reading the inputs to the output in place) and the command's wall time, which adds
the interpreter's start and imports (about 0.22 s, whatever N). Last, the same edits in a kept
process: serve's (what a save costs in the preview) and build --watch's (a save into output/).
Targets (2 cores): full build of 10,000 ≤ 15 s and ≤ 500 MB; no-change ≤ 1 s; one project ≤ 0.3 s.
With ``--against REV`` (default HEAD~1 when given bare) every figure is measured for this checkout
and for REV (a git worktree of it, with its own theme) in the same run, alternating, and printed
side by side: the machine is shared, so only figures from one run compare.
Usage: python benchmarks/build.py [N ...] [--jobs J] [--no-search] [--against [REV]]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

ROUNDS = 6  # small rebuilds per edit: this machine is shared, one run can be twice another
EDITS = [("one value changed", "良好", "较好"), ("one name changed", "项目名称: ", "项目名称: 新"),
         ("one implementer changed", "实施单位: ", "实施单位: 新")]  # shown in listings, keeps its place


def run(site: Path, extra: list[str], code: Path = ROOT) -> tuple[float, float, int, str]:
    """(wall seconds, the build's own seconds, peak RSS in MB of the largest process, summary) of
    one build by the perfsite in ``code``."""
    env = dict(os.environ, PYTHONPATH=str(code))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "perfsite", "build", *extra], cwd=site, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-2000:]}")
    line = result.stdout.strip().splitlines()[-1]
    own = float(re.search(r"用时 ([\d.]+) 秒", line)[1])  # type: ignore[index]
    return wall, own, peak, line


EDITED = "content/2022/p000000.yaml"


def edit(site: Path, old: str, new: str, undo: bool = False) -> None:
    project = site / EDITED
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace(new, old, 1) if undo else text.replace(old, new, 1), encoding="utf-8")


def settle() -> None:
    """Let the disk finish what setting up did (writing N content files, removing the last
    site's output) before anything is timed: on this machine a full build right after
    removing 30,000 files took 20 s instead of 12 s, most of it in the kernel."""
    os.sync()
    time.sleep(5)


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def written(line: str) -> str:
    return re.search(r"写入 (\d+) 个文件", line)[1] + " files written"  # type: ignore[index]


def warm_child(site: Path, jobs: int, search: bool, code: Path) -> None:
    """In a kept process: the preview's (serve), then build --watch's, which writes the real
    output as a new command would (with the search index unless --no-search). Median of 10
    rebuilds per edit (4 with the index), each told which file changed, as the watcher tells it."""
    sys.path.insert(0, str(code))
    from perfsite.builder import Builder

    os.chdir(site)  # paths as the command gives them: the cache beside output/ is keyed by them
    content, templates = Path("content"), Path("templates")
    builder = Builder(content, templates, Path("preview"), in_place=True, search=False, jobs=jobs)
    assert builder.build().ok
    kept(builder, site, "kept process", "as serve", 10)
    builder = Builder(content, templates, Path("output"), keep=True, search=search, jobs=jobs)
    started = time.perf_counter()
    assert builder.build().ok
    print(f"  {'build --watch start (output up to date)':40s}{time.perf_counter() - started:7.2f} s")
    kept(builder, site, "build --watch", "into output/", 4 if search else 10)


def kept(builder: Any, site: Path, what: str, note: str, rounds: int) -> None:
    for label, old, new in EDITS:
        times = []
        for round_ in range(rounds):
            edit(site, old, new, undo=bool(round_ % 2))
            started = time.perf_counter()
            result = builder.build([str((site / EDITED).resolve())])
            times.append(time.perf_counter() - started)
            assert result.ok
        print(f"  {label + ', ' + what:40s}{statistics.median(times):7.2f} s   (median of {rounds}, {note})")


def theme_of(code: Path) -> Path:
    """The templates a checkout ships: its packaged theme, or (before it had one) templates/."""
    theme = code / "perfsite" / "theme"
    return theme if theme.is_dir() else code / "templates"


def worktree(rev: str, tmp: Path) -> Path:
    target = tmp / "against"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(target), rev], check=True,
                   capture_output=True)
    return target


class Table:
    """Figures printed a line each, one column per checkout measured."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        print(f"  {'':40s}" + "".join(f"{name:>28s}" for name in names))

    def line(self, label: str, cells: list[str]) -> None:
        print(f"  {label:40s}" + "".join(f"{cell:>28s}" for cell in cells), flush=True)


def measure(n: int, tmp: Path, codes: dict[str, Path], extra: list[str], args: argparse.Namespace) -> None:
    content = generate(n, tmp / f"n{n}-content") / "content"
    sites = {}
    for name, code in codes.items():
        site = tmp / f"n{n}-{name}"
        shutil.copytree(content, site / "content")
        shutil.copytree(theme_of(code), site / "templates")
        sites[name] = site
    settle()
    table = Table(list(codes))
    cells, pages = [], 0
    for name, code in codes.items():
        wall, _, peak, _ = run(sites[name], extra, code)
        pages = sum(1 for _ in (sites[name] / "output").rglob("*.html"))
        cells.append(f"{wall:.2f} s, {pages / wall:.0f} p/s, {peak} MB")
        settle()
    print(f"N = {n:,} projects ({pages:,} pages)")
    table.line("full build", cells)
    table.line("no-change rebuild (build / wall)",
               [f"{own:.2f} / {wall:.2f} s" for wall, own, _, _ in (run(sites[k], extra, codes[k]) for k in codes)])
    for label, old, new in EDITS:
        owns: dict[str, list[float]] = {k: [] for k in codes}
        walls: dict[str, list[float]] = {k: [] for k in codes}
        for round_ in range(ROUNDS):  # the edit, then its undo: each a one-project change; alternating
            for name, code in codes.items():
                edit(sites[name], old, new, undo=bool(round_ % 2))
                wall, own, _, line = run(sites[name], extra, code)
                owns[name].append(own)
                walls[name].append(wall)
        table.line(label + " (build / wall)", [f"{statistics.median(owns[k]):.2f} / {statistics.median(walls[k]):.2f} s"
                                                f" ({min(owns[k]):.2f}–{max(owns[k]):.2f})" for k in codes])
    cells = []
    for name, code in codes.items():
        template = sites[name] / "templates/year.html"
        template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        wall, own, _, line = run(sites[name], extra, code)
        cells.append(f"{own:.2f} / {wall:.2f} s")
    table.line("year.html changed (build / wall)", cells)
    for name, code in codes.items():
        print(f"  kept processes, {name}:")
        subprocess.run([sys.executable, __file__, "--warm-child", str(sites[name]), "--code", str(code),
                        "--jobs", str(args.jobs or 1), *(["--no-search"] if args.no_search else [])], check=True)
    for site in sites.values():
        shutil.rmtree(site)
    shutil.rmtree(content.parent)
    settle()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-search", action="store_true")
    parser.add_argument("--against", nargs="?", const="HEAD~1", default=None, metavar="REV",
                        help="also measure this git revision, side by side (default HEAD~1)")
    parser.add_argument("--warm-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm_child:
        return warm_child(args.warm_child, args.jobs or 1, not args.no_search, args.code)
    extra = (["--jobs", str(args.jobs)] if args.jobs else []) + (["--no-search"] if args.no_search else [])
    print(f"perfsite build benchmark — {os.cpu_count()} cores, options: {' '.join(extra) or '(defaults)'}")
    print("rebuilds: the build's own time (as its summary reports), then the command's wall time")
    with tempfile.TemporaryDirectory() as tmp:
        codes = {"this checkout": ROOT}
        if args.against:
            codes[args.against] = worktree(args.against, Path(tmp))
        try:
            for n in args.sizes:
                measure(n, Path(tmp), codes, extra, args)
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(codes[args.against])],
                               capture_output=True)


if __name__ == "__main__":
    main()
