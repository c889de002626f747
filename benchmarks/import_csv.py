"""Import figures: a budget-system export CSV of a given size through `perfsite import --dry-run`.

The CSV has the export layout of tests/test_import_tables.py (one row per indicator, amounts in
元), its project names repeating across units as in a real county export (办公经费, 工作经费 …
in every unit): what made import quadratic before issue 18 (ids that clashed were suffixed again
and again). Prints wall time and peak memory of the child process.
Usage: python benchmarks/import_csv.py [MB ...]   (default 1 and 20)
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_import_tables import HEADER, ROWS_A, ROWS_B  # noqa: E402

NAMES = ("办公经费", "工作经费", "业务经费", "专项经费")


def _line(row: list[str | None]) -> str:
    return ",".join(f'"{c}"' if c and ("," in c or "\n" in c) else (c or "") for c in row)


def export_csv(path: Path, size: int) -> int:
    """Write an export of about ``size`` bytes; the number of projects in it."""
    lines, written, n = ["2023年度项目支出绩效目标申报表", "单位：元", ",".join(HEADER)], 0, 0
    while written < size:
        for i, row in enumerate((ROWS_A, ROWS_B)[n % 2]):
            row = list(row)
            if i == 0:
                row[0], row[1] = f"第{n // len(NAMES)}单位", NAMES[n % len(NAMES)]
            lines.append(_line(row))
            written += len(lines[-1].encode()) + 1
        n += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def measure(mb: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copytree(ROOT / "content", site / "content")
        projects = export_csv(site / "export.csv", int(mb * 1_000_000))
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "perfsite", "import", "export.csv", "--dry-run"], cwd=site,
                                env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{mb:g} MB, {projects:,} projects: {seconds:.1f} s, peak {peak:.0f} MB, exit {result.returncode}")


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["1", "20"]:
        measure(float(arg))
