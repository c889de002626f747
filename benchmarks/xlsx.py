"""What the .xlsx attachments cost: milliseconds per project for its own file and for its sheet in
its department's workbook, on generated projects (generate.py: 20-35 indicators each) or on a
content directory. The best of several rounds of CPU time, in one process (the machine is shared:
wall time swings with the load).
Usage: python benchmarks/xlsx.py [N | CONTENT_DIR] [--rounds R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from perfsite import xlsx  # noqa: E402
from perfsite.load import load_content  # noqa: E402


def best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", default="200")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(args.what) if not args.what.isdigit() else generate(int(args.what), Path(tmp) / "site") / "content"
        loaded = load_content(content)
        projects = [e.fetch() for e in loaded.entries]
        when = dt.datetime(2022, 1, 1)
        departments: dict[tuple[int, str], list] = defaultdict(list)
        for p in projects:
            departments[p.year, p.department].append(p)
        form = {p.year: loaded.config.form(p.year) for p in projects}
        own = best(lambda: [xlsx.project_xlsx(p, form[p.year], "x", when) for p in projects], args.rounds)
        books = best(lambda: [xlsx.department_xlsx("t", tuple(ps), form[y], "x", when)
                              for (y, _), ps in departments.items()], args.rounds)
        laid = best(lambda: [xlsx.layout(p, p.form or form[p.year]) for p in projects], args.rounds)
        rows = sum(len(r) for p in projects for g in p.indicators.values() for r in g.values()) / len(projects)
        size = sum(len(xlsx.project_xlsx(p, form[p.year], "x", when)) for p in projects) / len(projects)
        n = len(projects)
        print(f"{n} projects ({rows:.0f} rows each on average, {len(departments)} department-years): "
              f"own file {own / n * 1000:.2f} ms, in its department's workbook {books / n * 1000:.2f} ms "
              f"(layout alone {laid / n * 1000:.2f} ms); {size / 1024:.1f} KB a file; best of {args.rounds}")


if __name__ == "__main__":
    main()
