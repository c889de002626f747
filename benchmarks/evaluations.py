"""What self-evaluations cost a build: the same generated site with and without a self-evaluation
for every project of its first year (a third of the projects: the year that has ended), side by
side in one run (the machine is shared, so only figures from one run compare).

For each N it prints the full build, the rebuild with nothing changed, one self-evaluation edited,
one target table edited under its self-evaluation, and ``perfsite check``: wall seconds of the
real command (median of ROUNDS for the small ones).
Usage: python benchmarks/evaluations.py [N ...]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import YEARS, generate  # noqa: E402

from perfsite.evaluation import DEFAULT_WEIGHTS  # noqa: E402
from perfsite.model import Project  # noqa: E402
from perfsite.source import load_file  # noqa: E402

ROUNDS = 3


def _actual(value: str) -> str:
    """A result that meets ``value``: its number and unit without the comparator, else 已完成."""
    text = value.lstrip("≥≤><= ")
    return text if any(ch.isdigit() for ch in text) else "已完成"


def evaluation_text(project: Project) -> str:
    """A self-evaluation of ``project`` with every target met and full points."""
    lines = [f"id: {project.id}", f"年度: {project.year}", f"项目名称: {project.name}", "项目资金:",
             f"  年度资金总额: {{年初预算数: {project.funds.total}, 全年预算数: {project.funds.total}, "
             f"全年执行数: {project.funds.total}}}", "  分值: 10", "  得分: 10",
             "年度总体目标:", "  实际完成情况:", "    - 全年目标均已完成。", "绩效指标:"]
    for level1, groups in project.indicators.items():
        weight = DEFAULT_WEIGHTS[level1]
        rows = [row for items in groups.values() for row in items]
        each = (weight / len(rows)).quantize(Decimal("0.01"), ROUND_DOWN)
        points = [each] * (len(rows) - 1) + [weight - each * (len(rows) - 1)]
        lines.append(f"  {level1}:")
        number = 0
        for level2, items in groups.items():
            lines.append(f"    {level2}:")
            for row in items:
                lines += [f"      - 三级指标: {row.name}", f"        实际完成值: '{_actual(row.value_text)}'",
                          f"        分值: {points[number]}", f"        得分: {points[number]}"]
                number += 1
    lines.append("总分: 100")
    return "\n".join(lines) + "\n"


def add_evaluations(site: Path, year: int) -> int:
    folder = site / "content" / str(year) / "自评"
    folder.mkdir()
    count = 0
    for path in sorted((site / "content" / str(year)).glob("*.yaml")):
        source, _ = load_file(path, path.name)
        project = Project.model_validate(source.data)  # type: ignore[union-attr]
        (folder / path.name).write_text(evaluation_text(project), encoding="utf-8")
        count += 1
    return count


def build(site: Path, *extra: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "perfsite", *extra], cwd=site, capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    if result.returncode != 0:
        raise SystemExit(f"{extra} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1) if old in text else text.replace(new, old, 1), encoding="utf-8")


def figures(site: Path, year: int, evaluated: bool) -> dict[str, float]:
    out = {"full build": build(site, "build", "--no-search")}
    out["no change"] = statistics.median(build(site, "build", "--no-search") for _ in range(ROUNDS))
    target = next((site / "content" / str(year)).glob("*.yaml"))
    rounds = []
    for _ in range(ROUNDS):
        _edit(target, "指标值: '≥", "指标值: '≥1")
        rounds.append(build(site, "build", "--no-search"))
    out["target table edited"] = statistics.median(rounds)
    if evaluated:
        evaluation = site / "content" / str(year) / "自评" / target.name
        rounds = []
        for _ in range(ROUNDS):
            _edit(evaluation, "全年目标均已完成。", "全年目标均已按期完成。")
            rounds.append(build(site, "build", "--no-search"))
        out["self-evaluation edited"] = statistics.median(rounds)
    out["check"] = statistics.median(build(site, "check") for _ in range(ROUNDS))
    return out


def main(sizes: list[int]) -> None:
    year = YEARS[0]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            plain, with_ev = Path(tmp) / "plain", Path(tmp) / "evaluated"
            generate(n, plain)
            generate(n, with_ev)
            count = add_evaluations(with_ev, year)
            a, b = figures(plain, year, False), figures(with_ev, year, True)
            print(f"\n{n} projects; {count} self-evaluations of {year} in the second site (seconds, wall)")
            print(f"{'':28}{'no self-evaluations':>22}{'with them':>14}")
            for name in b:
                before = f"{a[name]:.2f}" if name in a else "—"
                print(f"{name:28}{before:>22}{b[name]:>14.2f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000])
