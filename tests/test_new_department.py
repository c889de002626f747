"""`perfsite new YEAR --department` (issue 23): a 部门整体支出绩效目标表 scaffold whose 年度主要任务 are
the department's projects of the year (in 万元, 金额合计 their sum), refused by check until its
placeholders are filled, never written over an existing table."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from perfsite.department import build_department
from perfsite.model import PLACEHOLDERS
from perfsite.source import load_file

from conftest import CONTENT, files, run_cli

DEPARTMENT = "黔南州住房和城乡建设局"
TABLE = "content/2022/部门/qnzzfhcxjsj.yaml"
# the shipped 2022 projects: 项目名称 → 资金总额 (万元)
SHIPPED = {"城市建设管理及综合行政执法管理工作经费": Decimal("36.4"), "村镇建设管理工作经费": Decimal("9.1"),
           "建筑业业务管理工作经费": Decimal("29.12"), "局机关物业管理后勤工作经费": Decimal("10.38"),
           "城镇住房保障发展及新型城镇化城市三改发展工作经费": Decimal("36.4")}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path


def _new(site: Path, *args: str) -> str:
    result = run_cli("new", "2022", "--department", *args, cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _table(site: Path, path: str = TABLE):
    source, diags = load_file(site / path, path)
    assert source is not None, diags
    return build_department(source)


def _filled(text: str) -> str:
    """Every placeholder replaced by what a department would write."""
    for placeholder, value in ((PLACEHOLDERS["department_goal"][0], "完成全年住房和城乡建设管理工作。"),
                               (PLACEHOLDERS["name"][0], "完成工作任务"), (PLACEHOLDERS["value"][0], "90")):
        text = text.replace(placeholder, value)
    return text


def test_the_scaffold_has_a_task_per_project_and_their_sum_and_passes_check_once_filled(site: Path):
    out = _new(site)
    assert TABLE in out
    text = (site / TABLE).read_text(encoding="utf-8")
    table, problems = _table(site)
    assert table is None  # the placeholders are refused …
    assert {d.code for d in problems} == {"E029"}
    goal_line = text.splitlines().index(f"  - {PLACEHOLDERS['department_goal'][0]}") + 1
    assert any(d.line == goal_line for d in problems)  # … each at its own line
    check = run_cli("check", cwd=site)
    assert check.returncode == 1
    assert f"{TABLE}:{goal_line}:5: error E029" in check.stderr, check.stderr
    (site / TABLE).write_text(_filled(text), encoding="utf-8")
    check = run_cli("check", cwd=site)
    assert check.returncode == 0, check.stderr
    table, problems = _table(site)
    assert table is not None, problems
    assert table.department == DEPARTMENT
    assert {t.name: t.total for t in table.tasks} == SHIPPED
    wuye = next(t for t in table.tasks if t.name == "局机关物业管理后勤工作经费")
    assert (wuye.fiscal, wuye.other) == (Decimal("10.38"), None)  # its 其他资金 is blank in its table
    assert table.sum.total == sum(SHIPPED.values()) == Decimal("121.4")
    assert list(table.indicators) == ["产出", "效益", "满意度"]  # the year's (classic) taxonomy


def test_a_project_in_yuan_gives_its_task_in_wan(site: Path):
    path = site / "content/2022/wuye-houqin.yaml"
    text = path.read_text(encoding="utf-8").replace("单位: 万元", "单位: 元")
    text = re.sub(r"(资金总额|财政拨款|本级安排): 10\.38", r"\1: 103800", text)
    path.write_text(text, encoding="utf-8")
    _new(site)
    task = next(line for line in (site / TABLE).read_text(encoding="utf-8").split("  - 任务名称: ")
                if line.startswith('"局机关物业管理后勤工作经费"'))
    assert "总额: 10.38\n" in task and "财政拨款: 10.38\n" in task
    assert "总额: 121.4\n" in (site / TABLE).read_text(encoding="utf-8").split("金额合计:")[1]


def test_with_two_departments_it_asks_which_and_name_picks_one(site: Path):
    other = site / "content/2022/wuye-houqin.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace(f"主管部门及代码: {DEPARTMENT}",
                                                              "主管部门及代码: 101-黔南州机关事务局"), encoding="utf-8")
    before = files(site / "content")
    result = run_cli("new", "2022", "--department", cwd=site)
    assert result.returncode == 2
    assert "2022 年的项目属于 2 个部门，请用 --name 指定其中一个" in result.stderr
    assert "101-黔南州机关事务局" in result.stderr and DEPARTMENT in result.stderr
    assert files(site / "content") == before
    _new(site, "--name", "101-黔南州机关事务局")
    text = (site / "content/2022/部门/qnzjgswj.yaml").read_text(encoding="utf-8")
    assert re.findall(r"任务名称: \"(.+)\"", text) == ["局机关物业管理后勤工作经费"]


def test_an_existing_table_is_never_overwritten(site: Path):
    _new(site)
    (site / TABLE).write_text(_filled((site / TABLE).read_text(encoding="utf-8")), encoding="utf-8")
    before = files(site / "content")
    for extra in ([], ["--force"]):
        result = run_cli("new", "2022", "--department", *extra, cwd=site)
        assert result.returncode == 2
        assert "已存在：不覆盖已填写的部门整体支出绩效目标表" in result.stderr
    assert files(site / "content") == before


def test_a_table_of_the_department_under_another_name_is_not_doubled(site: Path):
    (site / "content/2022/部门").mkdir()
    (site / "content/2022/部门/zjj.yaml").write_text(f"年度: 2022\n部门名称: 219-{DEPARTMENT}\n", encoding="utf-8")
    before = files(site / "content")
    result = run_cli("new", "2022", "--department", cwd=site)
    assert result.returncode == 2
    assert f"content/2022/部门/zjj.yaml 已是「{DEPARTMENT}」2022 年的部门整体支出绩效目标表" in result.stderr, result.stderr
    assert files(site / "content") == before


def test_a_year_without_projects_needs_a_name_and_gets_a_placeholder_task(site: Path):
    result = run_cli("new", "2023", "--department", cwd=site)
    assert result.returncode == 2
    assert "2023 年还没有项目，不知道是哪个部门：请用 --name 部门名称 指定" in result.stderr
    result = run_cli("new", "2023", "--department", "--name", DEPARTMENT, cwd=site)
    assert result.returncode == 0, result.stderr
    text = (site / "content/2023/部门/qnzzfhcxjsj.yaml").read_text(encoding="utf-8")
    assert f"任务名称: {PLACEHOLDERS['task'][0]}" in text
    check = run_cli("check", cwd=site)
    assert "E029 「任务名称」还没有填写" in check.stderr, check.stderr


def test_usage_errors_and_help(site: Path):
    result = run_cli("new", "2022", "某项目", "--department", cwd=site)
    assert result.returncode == 2 and "--department 不与项目名称 NAME" in result.stderr
    result = run_cli("new", "2022", "--name", DEPARTMENT, cwd=site)
    assert result.returncode == 2 and "--name 只与 --department 同用" in result.stderr
    help_text = " ".join(run_cli("new", "--help", cwd=site).stdout.split())  # as argparse wraps it
    assert "新建部门整体支出绩效目标表" in help_text and "scaffold the department's own table" in help_text
