"""部门整体支出绩效目标表 and multi-year projects (issue 23): each check with a failing and a
passing case at the line it names, the department table read against its projects, and what a
bad file does to a build (nothing is published)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MINIMAL, line_of, run_cli, snapshot

DEPARTMENT = """\
年度: 2022
部门名称: 测试局
部门职能概述: 负责测试工作。
总体资金情况:
  收入构成:
    - 名称: 财政拨款收入
      金额: 80
      占比: 80%
    - 名称: 其他收入
      金额: 20
      占比: 20
  支出构成:
    - 名称: 基本支出
      金额: 62.5
      占比: 62.5
    - 名称: 项目支出
      金额: 37.5
      占比: 37.5
年度主要任务:
  - 任务名称: 开展检查
    主要内容: 全年检查 3 次
    总额: 30
    财政拨款: 25
    其他资金: 5
  - 任务名称: 宣传培训
    总额: 7.5
    财政拨款: 7.5
金额合计:
  总额: 37.5
  财政拨款: 32.5
  其他资金: 5
年度总体目标:
  - 完成全年检查与培训。
绩效指标:
  产出:
    数量:
      - 三级指标: 检查次数
        指标值: ≥3次
    时效:
      - 三级指标: 完成时限
        指标值: 2022年12月31日
  满意度:
    服务对象满意度:
      - 三级指标: 群众满意度
        指标值: ≥90%
"""

MIDTERM = """\
项目期: 2022年—2024年
中期:
  资金:
    资金总额: 30
    财政拨款: 30
    其他资金: 0
  中期目标:
    - 三年完成检查 9 次。
  绩效指标:
    产出:
      数量:
        - 三级指标: 检查次数
          指标值: ≥9次
"""
MULTI_YEAR = MINIMAL.replace("年度目标:\n", MIDTERM + "年度目标:\n")


def write(site: Path, text: str, name: str = "ceshi", year: int = 2022) -> Path:
    path = site / "content" / str(year) / "部门" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(site: Path) -> str:
    result = run_cli("check", cwd=site)
    return result.stdout + result.stderr


def at(code: str, text: str, needle: str, output: str, file: str = "部门/ceshi.yaml") -> None:
    """``output`` reports ``code`` at the line of ``needle`` in ``text`` (the file ``file``)."""
    line = line_of(text, needle)
    assert any(f"{file}:{line}:" in found and f" {code} " in found for found in output.splitlines()), output


@pytest.fixture
def site(site_dir: Path) -> Path:
    write(site_dir, DEPARTMENT)
    return site_dir


def test_a_valid_department_table_passes_and_is_counted(site: Path) -> None:
    result = run_cli("check", "--strict", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 个项目、1 张部门整体支出绩效目标表" in result.stdout


def test_e100_the_sum_is_the_tasks_added_up(site: Path) -> None:
    wrong = DEPARTMENT.replace("  财政拨款: 32.5\n", "  财政拨款: 33\n")
    write(site, wrong)
    output = check(site)
    at("E100", wrong, "  财政拨款: 33", output)
    assert "32.5" in output  # the sum it should be
    write(site, DEPARTMENT.replace("金额合计:\n  总额: 37.5\n  财政拨款: 32.5\n  其他资金: 5\n", ""))
    assert "E100" not in check(site)  # no 金额合计 given: shown as the sum


def test_e101_a_tasks_total_is_fiscal_plus_other(site: Path) -> None:
    wrong = DEPARTMENT.replace("    总额: 30\n", "    总额: 31\n").replace("  总额: 37.5", "  总额: 38.5")
    write(site, wrong)
    output = check(site)
    at("E101", wrong, "    总额: 31", output)
    assert "E100" not in output and "开展检查" in output


def test_e102_e103_a_composition_adds_up_and_each_share_is_right(site: Path) -> None:
    wrong = DEPARTMENT.replace("      占比: 20\n", "      占比: 25\n").replace("  支出构成:", "  支出合计: 90\n  支出构成:")
    write(site, wrong)
    output = check(site)
    at("E103", wrong, "占比: 25", output)
    at("E102", wrong, "支出合计: 90", output)
    assert "20%" in output  # the share it should be, to the places written
    write(site, DEPARTMENT.replace("  支出构成:", "  支出合计: 100\n  支出构成:"))
    assert "E102" not in check(site)


def test_w100_project_spending_covers_the_published_projects_naming_them(site: Path) -> None:
    wrong = DEPARTMENT.replace("金额: 62.5\n      占比: 62.5", "金额: 92.5\n      占比: 92.5").replace(
        "金额: 37.5\n      占比: 37.5", "金额: 7.5\n      占比: 7.5")
    write(site, wrong)
    output = check(site)
    at("W100", wrong, "金额: 7.5", output)
    assert "测试项目 10" in output  # the project it falls short of, with its 资金总额
    assert run_cli("check", "--strict", cwd=site).returncode != 0
    write(site, DEPARTMENT)
    assert "W100" not in check(site)


def test_w101_a_department_no_project_names(site: Path) -> None:
    wrong = DEPARTMENT.replace("部门名称: 测试局", "部门名称: 测试厅")
    write(site, wrong)
    output = check(site)
    at("W101", wrong, "部门名称: 测试厅", output)
    assert "测试局" in output  # the nearest department the year's projects name


def test_the_grid_is_checked_in_the_years_taxonomy(site: Path) -> None:
    wrong = DEPARTMENT.replace("    数量:\n", "    数重:\n").replace("2022年12月31日", "2023年12月31日")
    write(site, wrong)
    output = check(site)
    at("E031", wrong, "数重:", output)
    at("W002", wrong, "2023年12月31日", output)


def test_a_department_file_of_another_year_or_twice_is_refused(site: Path) -> None:
    write(site, DEPARTMENT.replace("年度: 2022", "年度: 2023"))
    output = check(site)
    assert "部门/ceshi.yaml:1:" in output and " E025 " in output
    write(site, DEPARTMENT)
    write(site, DEPARTMENT, name="again")
    output = check(site)
    assert " E026 " in output and "已有部门整体支出绩效目标表" in output


def test_an_unknown_key_is_reported_at_its_line_and_nothing_is_published(site: Path) -> None:
    assert run_cli("build", cwd=site).returncode == 0
    before = snapshot(site / "output")
    wrong = DEPARTMENT.replace("部门职能概述:", "部门职能:")
    write(site, wrong)
    result = run_cli("build", cwd=site)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    at("E021", wrong, "部门职能:", result.stdout + result.stderr)
    assert "部门职能概述" in result.stderr  # the hint names the key it is near
    assert snapshot(site / "output") == before


def test_the_table_is_published_on_its_department(site: Path) -> None:
    assert run_cli("build", cwd=site).returncode == 0
    out = site / "output"
    page = (out / "2022" / "bumen").glob("*.html")
    [path] = list(page)
    html = path.read_text(encoding="utf-8")
    assert "部门（单位）整体支出绩效目标表" in html and "开展检查" in html
    data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["年度主要任务"][0]["总额"] == "30"
    csv_text = path.with_suffix(".csv").read_text(encoding="utf-8-sig")
    assert "年度主要任务,2022,测试局,开展检查,全年检查 3 次,30,25,5" in csv_text
    department = next((out / "departments").glob("d-*.html")).read_text(encoding="utf-8")
    assert department.index("部门（单位）整体支出绩效目标表") < department.index("测试项目")


def test_a_year_with_only_a_department_table_has_its_own_year_page(site_dir: Path) -> None:
    write(site_dir, DEPARTMENT.replace("年度: 2022", "年度: 2023").replace("2022年12月31日", "2023年12月31日"), year=2023)
    result = run_cli("build", "--strict", cwd=site_dir)  # its links and anchors are checked
    assert result.returncode == 0, result.stdout + result.stderr
    year = (site_dir / "output" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "<h1>2023年度部门整体支出绩效目标表</h1>" in year and "共 1 个部门" in year
    [page] = list((site_dir / "output" / "2023" / "bumen").glob("*.html"))
    assert f'href="../{page.relative_to(site_dir / "output").as_posix()}"' in year


# 中期 (multi-year projects) -----------------------------------------------------------------

def project(site: Path, text: str) -> Path:
    path = site / "content" / "2022" / "test-project.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_multi_year_project_passes_and_shows_both_halves(site_dir: Path) -> None:
    project(site_dir, MULTI_YEAR)
    result = run_cli("check", "--strict", cwd=site_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_cli("build", cwd=site_dir).returncode == 0
    html = (site_dir / "output" / "2022" / "test-project.html").read_text(encoding="utf-8")
    assert "中期绩效指标" in html and "≥9次" in html and "三年完成检查 9 次。" in html
    data = json.loads((site_dir / "output" / "2022" / "test-project.json").read_text(encoding="utf-8"))
    assert data["中期"]["资金"]["资金总额"] == "30"


def test_e110_e111_midterm_money(site_dir: Path) -> None:
    wrong = MULTI_YEAR.replace("    资金总额: 30\n    财政拨款: 30", "    资金总额: 8\n    财政拨款: 30")
    project(site_dir, wrong)
    output = check(site_dir)
    at("E110", wrong, "    资金总额: 8", output, "2022/test-project.yaml")
    at("E111", wrong, "    资金总额: 8", output, "2022/test-project.yaml")
    assert "年度资金总额 10" in output


def test_w110_w111_the_period_covers_the_year(site_dir: Path) -> None:
    wrong = MULTI_YEAR.replace("项目期: 2022年—2024年", "项目期: 2019年—2021年")
    project(site_dir, wrong)
    at("W110", wrong, "项目期:", check(site_dir), "2022/test-project.yaml")
    wrong = MULTI_YEAR.replace("项目期: 2022年—2024年", "项目期: 三年")
    project(site_dir, wrong)
    at("W111", wrong, "项目期:", check(site_dir), "2022/test-project.yaml")


def test_the_midterm_grid_is_checked_at_its_own_lines(site_dir: Path) -> None:
    wrong = MULTI_YEAR.replace("      数量:\n        - 三级指标: 检查次数\n          指标值: ≥9次",
                               "      数重:\n        - 三级指标: 检查次数\n          指标值: ≥**次")
    project(site_dir, wrong)
    output = check(site_dir)
    at("E031", wrong, "      数重:", output, "2022/test-project.yaml")
    at("W003", wrong, "≥**次", output, "2022/test-project.yaml")


def test_the_tables_workbook_datapackage_and_feed(site: Path) -> None:
    import openpyxl

    assert run_cli("build", cwd=site).returncode == 0
    out = site / "output"
    [path] = list((out / "2022" / "bumen").glob("*.xlsx"))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "部门（单位）整体支出绩效目标表"
    [task] = [r for r in rows if "开展检查" in r]
    assert [v for v in task if isinstance(v, (int, float))] == [30, 25, 5]  # 总额, 财政拨款, 其他资金: numbers
    [total] = [r for r in rows if "金额合计" in r]
    assert 37.5 in total
    package = json.loads((out / "2022" / "datapackage.json").read_text(encoding="utf-8"))
    assert f"bumen/{path.stem}.csv" in [r["path"] for r in package["resources"]]
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert "测试局部门整体支出绩效目标表（2022年度）" in feed and "资金总额 37.5 万元" in feed


def test_a_table_in_yuan_is_shown_in_wan(site: Path) -> None:
    yuan = DEPARTMENT.replace("部门职能概述:", "单位: 元\n部门职能概述:").replace("总额: 30\n    财政拨款: 25\n    其他资金: 5",
                                                                         "总额: 300000\n    财政拨款: 250000\n    其他资金: 50000")
    yuan = yuan.replace("总额: 7.5\n    财政拨款: 7.5", "总额: 75000\n    财政拨款: 75000").replace(
        "  总额: 37.5\n  财政拨款: 32.5\n  其他资金: 5", "  总额: 375000\n  财政拨款: 325000\n  其他资金: 50000")
    for name, amount in (("80", "800000"), ("20", "200000"), ("62.5", "625000"), ("37.5", "375000")):
        yuan = yuan.replace(f"金额: {name}\n", f"金额: {amount}\n", 1)
    write(site, yuan)
    result = run_cli("check", "--strict", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_cli("build", cwd=site).returncode == 0
    [path] = list((site / "output" / "2022" / "bumen").glob("*.csv"))
    assert "年度主要任务,2022,测试局,开展检查,全年检查 3 次,30,25,5" in path.read_text(encoding="utf-8-sig")


def test_a_new_year_from_the_last_carries_its_department_table_forward(site: Path) -> None:
    result = run_cli("new", "2023", "--from", "2022", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    carried = (site / "content" / "2023" / "部门" / "ceshi.yaml").read_text(encoding="utf-8")
    assert carried.startswith("年度: 2023\n") and "2023年12月31日" in carried  # its 时效 date moved too
    assert not (site / "content" / "2023" / "自评").exists()
    assert " E0" not in check(site)
