"""What department tables cost a build: the same generated site with and without a
部门整体支出绩效目标表 for every department of every year, side by side in one run (the machine is
shared, so only figures from one run compare).

Each table has one task per project of its department (as ``perfsite new --department`` would
write it), its 项目支出 the projects' total, and a short grid. For each N it prints the full
build, the rebuild with nothing changed, one project's indicator edited (its department's table
does not show it), one project's 资金总额 edited (its department's table shows the total), one
department table edited, and ``perfsite check``: wall seconds of the real command (median of
ROUNDS for the small ones).
Usage: python benchmarks/departments.py [N ...]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from evaluations import _edit, build  # noqa: E402
from generate import YEARS, generate  # noqa: E402

from perfsite.model import Project  # noqa: E402
from perfsite.source import load_file  # noqa: E402

ROUNDS = 3


def table_text(year: int, department: str, projects: list[Project]) -> str:
    total = sum((p.funds.wan(p.funds.total) or Decimal(0) for p in projects), Decimal(0))
    lines = [f"年度: {year}", f"部门名称: {department}", "总体资金情况:", "  支出构成:",
             "    - {名称: 基本支出, 金额: 100}", f"    - {{名称: 项目支出, 金额: {total}}}", "年度主要任务:"]
    lines += [f"  - {{任务名称: '{p.name}', 总额: {p.funds.wan(p.funds.total)}}}" for p in projects]
    lines += ["年度总体目标:", "  - 完成本部门年度工作任务。", "绩效指标:", "  产出:", "    数量:",
              f"      - {{三级指标: 完成项目, 指标值: '≥{len(projects)}个'}}", "  满意度:", "    服务对象满意度:",
              "      - {三级指标: 服务对象满意度, 指标值: ≥90%}"]
    return "\n".join(lines) + "\n"


def add_tables(site: Path) -> int:
    count = 0
    for year in YEARS:
        by_department: dict[str, list[Project]] = {}
        for path in sorted((site / "content" / str(year)).glob("*.yaml")):
            source, _ = load_file(path, path.name)
            project = Project.model_validate(source.data)  # type: ignore[union-attr]
            by_department.setdefault(project.department, []).append(project)
        folder = site / "content" / str(year) / "部门"
        folder.mkdir()
        for number, (department, projects) in enumerate(sorted(by_department.items())):
            (folder / f"d{number}.yaml").write_text(table_text(year, department, projects), encoding="utf-8")
            count += 1
    return count


def _rounds(site: Path, path: Path, old: str, new: str) -> float:
    times = []
    for _ in range(ROUNDS):
        _edit(path, old, new)
        times.append(build(site, "build", "--no-search"))
    return statistics.median(times)


def figures(site: Path, tables: bool) -> dict[str, float]:
    out = {"full build": build(site, "build", "--no-search")}
    out["no change"] = statistics.median(build(site, "build", "--no-search") for _ in range(ROUNDS))
    project = next((site / "content" / str(YEARS[0])).glob("*.yaml"))
    out["indicator edited"] = _rounds(site, project, "指标值: '≥", "指标值: '≥1")
    source, _ = load_file(project, project.name)
    total = str(source.data["资金"]["资金总额"])  # type: ignore[index]
    more = str(Decimal(total) + 1)
    # 资金总额, 财政拨款 and 本级安排 together, so that the table stays valid (E012, E013 else)
    lines = "资金总额: {0}\n  财政拨款: {0}\n  上级补助: 0\n  本级安排: {0}"
    if lines.format(total) in project.read_text(encoding="utf-8"):
        out["资金总额 edited"] = _rounds(site, project, lines.format(total), lines.format(more))
    if tables:
        table = next((site / "content" / str(YEARS[0]) / "部门").glob("*.yaml"))
        out["department table edited"] = _rounds(site, table, "完成本部门年度工作任务。", "完成本部门全部年度工作任务。")
    out["check"] = statistics.median(build(site, "check") for _ in range(ROUNDS))
    return out


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            plain, with_tables = Path(tmp) / "plain", Path(tmp) / "tables"
            generate(n, plain)
            generate(n, with_tables)
            count = add_tables(with_tables)
            b = figures(with_tables, True)
            a = figures(plain, False)
            print(f"\n{n} projects; {count} department tables in the second site (seconds, wall)")
            print(f"{'':28}{'no department tables':>22}{'with them':>14}")
            for name in b:
                before = f"{a[name]:.2f}" if name in a else "—"
                print(f"{name:28}{before:>22}{b[name]:>14.2f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000])
