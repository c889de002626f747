"""Build figures at scale: the numbers the scaling targets are judged by.

For each N (default 1,000 and 10,000 generated projects) it runs the real `perfsite build` in a
subprocess and prints: full build wall time and pages per second, peak memory (the largest
process; workers share the parent's pages copy-on-write), output size; then a rebuild with nothing
changed, after one project changed, and after a template changed.
Targets (2 cores): full build of 10,000 ≤ 15 s and ≤ 500 MB; no-change ≤ 1 s; one project ≤ 0.3 s.
Usage: python benchmarks/build.py [N ...] [--jobs J] [--no-search]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def run(site: Path, extra: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB of the largest process, summary line) of one build."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "perfsite", "build", *extra], cwd=site, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-2000:]}")
    return wall, peak, result.stdout.strip().splitlines()[-1]


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-search", action="store_true")
    args = parser.parse_args()
    extra = (["--jobs", str(args.jobs)] if args.jobs else []) + (["--no-search"] if args.no_search else [])
    print(f"perfsite build benchmark — {os.cpu_count()} cores, options: {' '.join(extra) or '(defaults)'}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            site = generate(n, Path(tmp) / f"n{n}")
            wall, peak, _ = run(site, extra)
            pages = sum(1 for _ in (site / "output").rglob("*.html"))
            print(f"\nN = {n:,} projects ({pages:,} pages, output {size_mb(site / 'output'):.0f} MB)")
            print(f"  full build          {wall:7.2f} s   {pages / wall:7.0f} pages/s   peak {peak} MB")
            wall, peak, _ = run(site, extra)
            print(f"  no-change rebuild   {wall:7.2f} s")
            project = site / "content/2022/p000000.yaml"
            project.write_text(project.read_text(encoding="utf-8").replace("良好", "较好", 1), encoding="utf-8")
            wall, peak, line = run(site, extra)
            print(f"  one project changed {wall:7.2f} s   ({line.split('：', 1)[-1]})")
            template = site / "templates/year.html"
            template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            wall, peak, line = run(site, extra)
            print(f"  year.html changed   {wall:7.2f} s   ({line.split('：', 1)[-1]})")
            shutil.rmtree(site)


if __name__ == "__main__":
    main()
