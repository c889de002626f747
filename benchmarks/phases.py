"""Where a small rebuild's time goes: the one-value edit of benchmarks/build.py, timed by phase.

Generates N projects (default 10,000), builds them once, then edits one indicator value ROUNDS
times, each time running `perfsite build` in a new process (as a user would) with the build's
main steps wrapped in timers, and prints each step's median in milliseconds beside the build's
own total. The steps run
one after another, except the child's input scan and output listing (parallel.Ahead), which the
parent only waits for ("wait for the child"). What is left of the total ("other") is the glue
between steps. Use it to see what grows with N: run it for 1,000 and 10,000 and compare.
Usage: python benchmarks/phases.py [N] [--jobs J]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from generate import generate  # noqa: E402

from perfsite import builder, cache, cli, memo, outputs, parallel, publish, state, write  # noqa: E402

ROUNDS = 7
STEPS: list[tuple[Any, str, str]] = [  # (owner, attribute, label), in the order a build runs them
    (state, "load_keys", "last build's keys (state file)"),
    (cache.Store, "prefetch", "cache blob read (while the child scans)"),
    (parallel.Ahead, "get", "wait for the child (scan, listing)"),
    (cache.Store, "restore", "summaries restored from the blob"),
    (builder, "load_content", "file list, cache hits, changed files parsed"),
    (cache.Store, "save", "cache rows saved"),
    (builder, "make_site", "site arranged"),
    (memo.DiffMemo, "missing", "year-over-year pairs looked up"),
    (builder, "site_outputs", "every output's view"),
    (builder, "output_keys", "keys of every output file"),
    (publish, "make", "changed files rendered"),
    (write.StagedOutput, "concat", "department CSVs joined"),
    (write.StagedOutput, "commit", "output patched"),
    (cache.Store, "save_diffs", "diff summaries saved"),
]


def timed(owner: Any, name: str, label: str, spent: dict[str, float]) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def measure(root: Path, jobs: int) -> None:
    """In a fresh process, as a user's command runs: one build, its steps timed, as JSON."""
    spent: dict[str, float] = defaultdict(float)
    for owner, name, label in STEPS:
        timed(owner, name, label, spent)
    os.chdir(root)
    out = StringIO()
    with redirect_stdout(out):
        code = cli.main(["build", "--jobs", str(jobs), "--no-search"])
    if code:
        raise SystemExit(f"build failed ({code}):\n{out.getvalue()[-2000:]}")
    total = float(re.search(r"用时 ([\d.]+) 秒", out.getvalue())[1])  # type: ignore[index]
    print(json.dumps({"total": total, **spent}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", nargs="?", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.jobs)
    rounds: dict[str, list[float]] = defaultdict(list)
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(args.size, Path(tmp) / "site")
        subprocess.run([sys.executable, "-m", "perfsite", "build", "--jobs", str(args.jobs), "--no-search"],
                       cwd=root, env=env, check=True, capture_output=True)
        project = root / "content/2022/p000000.yaml"
        for round_ in range(ROUNDS):
            text = project.read_text(encoding="utf-8")
            swap = ("良好", "较好") if round_ % 2 == 0 else ("较好", "良好")
            project.write_text(text.replace(*swap, 1), encoding="utf-8")
            done = subprocess.run([sys.executable, __file__, "--measure", str(root), "--jobs", str(args.jobs)],
                                  env=env, check=True, capture_output=True, text=True)
            spent = json.loads(done.stdout.strip().splitlines()[-1])
            total = spent.pop("total")
            rounds["build (as its summary reports)"].append(total)
            for _, _, label in STEPS:
                rounds[label].append(spent.get(label, 0.0))
            rounds["other"].append(total - sum(spent.values()))
    print(f"one value changed, N = {args.size:,}, --jobs {args.jobs}: median of {ROUNDS} rebuilds, each a new "
          "process, ms")
    for label, values in rounds.items():
        print(f"  {label:46s}{statistics.median(values) * 1000:7.1f}")


if __name__ == "__main__":
    main()
