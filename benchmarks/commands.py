"""The other commands at scale: what the README's Scale section says of them, measured again.

Generates N projects (default 10,000) and times, each in a new process as a user runs it (wall
time, and the command's peak memory, its workers included): a full build with the pagefind
search index (the default) and a one-value rebuild with it (each year's bundle made again only
when its pages changed); check (reading that build's parse cache, then without it), fmt --check,
diff of two years; a one-value rebuild with --strict (its link check) and --no-search.
Usage: python benchmarks/commands.py [N] [--jobs J]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

EDITED = "content/2023/p000000.yaml"


def run(site: Path, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB of the command's largest process) of one command."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "perfsite", *args], cwd=site, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this command's own figures, not all children's
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if proc.returncode not in ok:
            err.seek(0)
            raise SystemExit(f"perfsite {' '.join(args)} failed ({proc.returncode}):\n{err.read()[-2000:].decode()}")
    return wall, usage.ru_maxrss // 1024


def edit(site: Path, undo: bool = False) -> None:
    path = site / EDITED
    text = path.read_text(encoding="utf-8")
    old, new = ("较好", "良好") if undo else ("良好", "较好")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    with tempfile.TemporaryDirectory() as tmp:
        site = generate(args.n, Path(tmp) / "site")
        print(f"perfsite commands at N = {args.n:,} projects, {os.cpu_count()} cores; wall time, peak memory")

        def show(label: str, wall: float, peak: int) -> None:
            print(f"  {label:48s}{wall:7.2f} s   peak {peak} MB", flush=True)

        show("full build with search (the default)", *run(site, "build", *jobs))
        for undo in (False, True):
            edit(site, undo)
            show(f"one value {'back' if undo else 'changed'}, with search", *run(site, "build", *jobs))
        show("check (the build's parse cache)", *run(site, "check", *jobs))
        show("check, no cache", *run(site, "check", "--output", "none", *jobs))
        show("fmt --check (generated files are not canonical)", *run(site, "fmt", "--check", *jobs, ok=(0, 1)))
        show("diff 2022 2023 --format json", *run(site, "diff", "2022", "2023", "--format", "json", *jobs))
        run(site, "build", "--no-search", "--strict", *jobs)
        for undo in (False, True):
            edit(site, undo)
            show(f"one value {'back' if undo else 'changed'}, --strict --no-search",
                 *run(site, "build", "--no-search", "--strict", *jobs))


if __name__ == "__main__":
    main()
