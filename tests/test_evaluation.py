"""Self-evaluations (项目支出绩效自评表, issue 22): each check with a failing and a passing case at
the line it names, the year's weights from site.yaml, what is published, and an incremental build
equal to a clean one when a target table changes under its self-evaluation."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import MINIMAL, SITE, clean_build, files, line_of, run_cli

# The target table: MINIMAL with a 效益 row, so that the default weights (10/50/30/10) apply.
TARGET = MINIMAL.replace("  满意度:\n", "  效益:\n    社会效益:\n      - 三级指标: 群众知晓率\n        指标值: ≥80%\n  满意度:\n")

EVALUATION = """\
# 自评表（测试）
id: test-project
年度: 2022
项目名称: 测试项目
项目资金:
  年度资金总额: {年初预算数: 10, 全年预算数: 10, 全年执行数: 9.5}
  当年财政拨款: {年初预算数: 10, 全年预算数: 10, 全年执行数: 9.5}
  分值: 10
  得分: 9.5
年度总体目标:
  实际完成情况:
    - 完成了全年检查。
绩效指标:
  产出:
    数量:
      - 三级指标: 检查次数
        实际完成值: 3次
        分值: 20
        得分: 20
    时效:
      - 三级指标: 完成时限
        实际完成值: 2022年12月20日
        分值: 15
        得分: 15
    成本:
      - 三级指标: 工作经费
        实际完成值: 9.5万元
        分值: 15
        得分: 15
  效益:
    社会效益:
      - 三级指标: 群众知晓率
        实际完成值: 85%
        分值: 30
        得分: 30
  满意度:
    服务对象满意度:
      - 三级指标: 群众满意度
        实际完成值: 95%
        分值: 10
        得分: 10
总分: 99.5
自评等级: 优
"""


@pytest.fixture
def site(site_dir: Path) -> Path:
    (site_dir / "content" / "2022" / "test-project.yaml").write_text(TARGET, encoding="utf-8")
    write(site_dir, EVALUATION)
    return site_dir


def write(site: Path, text: str, name: str = "test-project", year: int = 2022) -> Path:
    path = site / "content" / str(year) / "自评" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(site: Path) -> str:
    result = run_cli("check", cwd=site)
    return result.stdout + result.stderr


def at(code: str, text: str, needle: str, output: str, occurrence: int = 1) -> None:
    """``output`` reports ``code`` at the line of ``needle`` in the self-evaluation's ``text``."""
    line = line_of(text, needle, occurrence)
    assert any(f"自评/test-project.yaml:{line}:" in found and f" {code} " in found for found in output.splitlines()), output


def test_a_valid_self_evaluation_passes_and_is_counted(site: Path) -> None:
    result = run_cli("check", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "警告" not in result.stdout + result.stderr or "0 个警告" in result.stdout + result.stderr
    assert "1 个项目、1 张自评表" in result.stdout


def test_e090_a_stated_rate_is_execution_over_budget(site: Path) -> None:
    wrong = EVALUATION.replace("全年执行数: 9.5}\n  当年", "全年执行数: 9.5, 执行率: 96%}\n  当年")
    write(site, wrong)
    output = check(site)
    at("E090", wrong, "执行率: 96%", output)
    assert "95.00%" in output
    write(site, EVALUATION.replace("全年执行数: 9.5}\n  当年", "全年执行数: 9.5, 执行率: 95.00%}\n  当年"))
    assert "E090" not in check(site)


def test_e091_a_score_lies_between_0_and_its_points(site: Path) -> None:
    wrong = EVALUATION.replace("分值: 20\n        得分: 20", "分值: 20\n        得分: 25").replace("总分: 99.5", "总分: 104.5")
    write(site, wrong)
    output = check(site)
    at("E091", wrong, "得分: 25", output)
    assert "E093" not in output  # the 总分 was added up right


def test_e092_category_points_follow_the_years_weights(site: Path) -> None:
    wrong = EVALUATION.replace("分值: 20\n        得分: 20", "分值: 25\n        得分: 20")
    write(site, wrong)
    output = check(site)
    at("E092", wrong, "  产出:", output)
    assert "分值合计 55" in output and "应为 50" in output
    # a year whose local rules differ: 产出 55, 效益 25 in site.yaml
    weights = "自评分值:\n  年度:\n    '2022': {预算执行: 10, 产出: 55, 效益: 25, 满意度: 10}\n"
    (site / "content" / "site.yaml").write_text(weights + SITE, encoding="utf-8")
    write(site, wrong.replace("分值: 30\n        得分: 30", "分值: 25\n        得分: 25").replace("总分: 99.5", "总分: 94.5"))
    assert "E092" not in check(site)


def test_e092_budget_points_and_a_missing_category(site: Path) -> None:
    wrong = EVALUATION.replace("  分值: 10\n  得分: 9.5", "  分值: 20\n  得分: 9.5")
    write(site, wrong)
    output = check(site)
    at("E092", wrong, "  分值: 20", output)
    assert "预算执行的分值 20 应为 10" in output


def test_site_yaml_weights_must_add_up_to_100(site: Path) -> None:
    bad = "自评分值:\n  默认: {预算执行: 10, 产出: 50, 效益: 30, 满意度: 20}\n"
    (site / "content" / "site.yaml").write_text(bad + SITE, encoding="utf-8")
    result = run_cli("check", cwd=site)
    assert result.returncode == 1
    assert "site.yaml:2:" in result.stderr and "合计 110，应为 100" in result.stderr


def test_e093_the_total_is_the_sum_of_scores(site: Path) -> None:
    wrong = EVALUATION.replace("总分: 99.5", "总分: 100")
    write(site, wrong)
    output = check(site)
    at("E093", wrong, "总分: 100", output)
    assert "总分应为 99.5" in output


def test_w090_a_stated_target_that_differs_from_the_target_table(site: Path) -> None:
    wrong = EVALUATION.replace("        实际完成值: 3次", "        年度指标值: ≥2次\n        实际完成值: 3次")
    write(site, wrong)
    output = check(site)
    at("W090", wrong, "年度指标值: ≥2次", output)
    assert "≥1次" in output  # names both
    write(site, EVALUATION.replace("        实际完成值: 3次", "        年度指标值: ≥1次\n        实际完成值: 3次"))
    assert "W090" not in check(site)


def test_w091_a_target_not_met_needs_a_reason(site: Path) -> None:
    wrong = EVALUATION.replace("实际完成值: 95%", "实际完成值: 85%").replace(
        "分值: 10\n        得分: 10\n总分", "分值: 10\n        得分: 8\n总分").replace("总分: 99.5", "总分: 97.5")
    write(site, wrong)
    output = check(site)
    at("W091", wrong, "实际完成值: 85%", output, occurrence=2)
    assert "≥90%" in output
    write(site, wrong.replace("得分: 8\n总分", "得分: 8\n        偏差原因: 部分群众对办理时限不满意，次年增设窗口。\n总分"))
    assert "W091" not in check(site)


def test_w091_dates_and_cost_ceilings(site: Path) -> None:
    late = EVALUATION.replace("实际完成值: 2022年12月20日", "实际完成值: 2023年1月15日").replace(
        "实际完成值: 9.5万元", "实际完成值: 11.2万元")
    write(site, late)
    output = check(site)
    at("W091", late, "2023年1月15日", output)
    at("W091", late, "11.2万元", output)


def test_w092_a_target_met_with_points_taken_off(site: Path) -> None:
    docked = EVALUATION.replace("实际完成值: 3次\n        分值: 20\n        得分: 20",
                                "实际完成值: 3次\n        分值: 20\n        得分: 18").replace("总分: 99.5", "总分: 97.5")
    write(site, docked)
    output = check(site)
    at("W092", docked, "得分: 18", output)
    assert "扣了 2 分" in output


def test_w093_rows_of_one_table_the_other_lacks(site: Path) -> None:
    renamed = EVALUATION.replace("三级指标: 检查次数", "三级指标: 巡查次数")
    write(site, renamed)
    output = check(site)
    at("W093", renamed, "巡查次数", output)
    assert "目标表的指标「产出 / 数量 / 检查次数」" in output
    # and with no 年度指标值 anywhere, the row has nothing to be measured against
    at("E097", renamed, "巡查次数", output)


def test_w094_the_same_project_by_name(site: Path) -> None:
    wrong = EVALUATION.replace("项目名称: 测试项目", "项目名称: 另一个项目")
    write(site, wrong)
    at("W094", wrong, "项目名称", check(site))


def test_w095_fund_lines_add_up_to_the_total(site: Path) -> None:
    wrong = EVALUATION.replace("当年财政拨款: {年初预算数: 10, 全年预算数: 10, 全年执行数: 9.5}",
                               "当年财政拨款: {年初预算数: 10, 全年预算数: 10, 全年执行数: 90}")
    write(site, wrong)
    output = check(site)
    at("W095", wrong, "年度资金总额", output)
    assert "全年执行数 9.5 ≠ 当年财政拨款 90" in output


def test_w096_the_grade_is_the_band_of_the_total(site: Path) -> None:
    wrong = EVALUATION.replace("自评等级: 优", "自评等级: 良")
    write(site, wrong)
    output = check(site)
    at("W096", wrong, "自评等级", output)
    write(site, EVALUATION.replace("自评等级: 优\n", ""))
    assert "W096" not in check(site)


def test_e095_without_a_target_table_the_file_names_its_units(site: Path) -> None:
    (site / "content" / "2022" / "test-project.yaml").unlink()
    (site / "content" / "2022" / "other.yaml").write_text(MINIMAL.replace("id: test-project", "id: other"),
                                                          encoding="utf-8")
    output = check(site)
    assert "E095" in output and "主管部门及代码" in output and "实施单位" in output
    assert "E097" in output  # and no row has a target
    alone = EVALUATION.replace("项目名称: 测试项目\n", "项目名称: 测试项目\n主管部门及代码: 测试局\n实施单位: 测试局\n")
    for value, actual in (("≥1次", "3次"), ("2022年12月31日", "2022年12月20日"), ("≤10万元", "9.5万元"),
                          ("≥80%", "85%"), ("≥90%", "95%")):
        alone = alone.replace(f"        实际完成值: {actual}", f"        年度指标值: {value}\n        实际完成值: {actual}")
    write(site, alone)
    result = run_cli("check", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "W09" not in result.stderr


def test_year_and_duplicate_id_of_a_self_evaluation(site: Path) -> None:
    write(site, EVALUATION.replace("年度: 2022", "年度: 2023"))
    output = check(site)
    assert "E025" in output and "自评/" in output
    write(site, EVALUATION)
    again = site / "content" / "2022" / "自评" / "more" / "copy.yaml"
    again.parent.mkdir()
    again.write_text(EVALUATION, encoding="utf-8")
    output = check(site)
    assert "E026" in output and "more/copy.yaml" in output


def test_strict_refuses_a_warning_and_a_failed_build_leaves_output(site: Path) -> None:
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    before = files(site / "output")
    write(site, EVALUATION.replace("自评等级: 优", "自评等级: 良"))
    assert run_cli("build", "--no-search", cwd=site).returncode == 0  # a warning alone publishes
    write(site, EVALUATION.replace("总分: 99.5", "总分: 98"))
    result = run_cli("build", "--no-search", cwd=site)
    assert result.returncode == 1 and "E093" in result.stderr
    assert files(site / "output").keys() == before.keys()


def test_published_json_and_csv_fill_in_the_target(site: Path) -> None:
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    out = site / "output" / "2022" / "ziping"
    data = json.loads((out / "test-project.json").read_text(encoding="utf-8"))
    row = data["绩效指标"]["产出"]["数量"][0]
    assert row["年度指标值"] == "≥1次" and row["实际完成值"] == "3次" and row["是否达到"] is True
    assert data["项目资金"]["年度资金总额"]["执行率"] == "95.00"
    assert data["年度总体目标"]["预期目标"] == ["目标1：完成测试。"]
    assert data["主管部门及代码"] == "测试局" and data["目标表"] == "2022/test-project.html"
    lines = list(csv.DictReader(io.StringIO((out / "test-project.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["三级指标"], r["年度指标值"], r["得分"]) for r in lines][:2] == [("检查次数", "≥1次", "20"),
                                                                          ("完成时限", "2022年12月31日", "15")]
    scores = list(csv.DictReader(io.StringIO((out / "scores.csv").read_text(encoding="utf-8-sig"))))
    assert scores == [{"年度": "2022", "项目标识": "test-project", "项目名称": "测试项目", "主管部门": "测试局",
                       "全年预算数（万元）": "10", "全年执行数（万元）": "9.5", "执行率（%）": "95.00", "总分": "99.5",
                       "自评等级": "优", "目标表": "2022/test-project.html"}]
    package = json.loads((site / "output" / "2022" / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"]: r["path"] for r in package["resources"]}
    assert names["evaluations-2022"] == "ziping/scores.csv"
    assert names["evaluation-2022-test-project"] == "ziping/test-project.csv"


def _edits(site: Path) -> list[tuple[Path, str]]:
    """Saves that change what a self-evaluation shows without touching it: its target's 指标值
    (so 年度指标值 and met), its target's name (a summary), then the self-evaluation itself."""
    target = site / "content" / "2022" / "test-project.yaml"
    return [(target, TARGET.replace("指标值: ≥90%", "指标值: ≥96%")),
            (target, TARGET.replace("指标值: ≥90%", "指标值: ≥96%").replace("项目名称: 测试项目", "项目名称: 测试项目二")),
            (site / "content" / "2022" / "自评" / "test-project.yaml", EVALUATION.replace("3次", "4次"))]


def test_incremental_equals_clean_when_a_target_changes_under_a_self_evaluation(site: Path, tmp_path: Path) -> None:
    from perfsite.builder import Builder

    kept = Builder(site / "content", site / "templates", site / "output", search=False, keep=True)
    assert kept.build().ok
    for path, text in _edits(site):
        path.write_text(text, encoding="utf-8")
        assert kept.build([str(path)]).ok
        assert files(site / "output") == clean_build(site, tmp_path)
        again = Builder(site / "content", site / "templates", site / "output", search=False).build()
        assert again.ok and again.written == []
    page = (site / "output" / "2022" / "ziping" / "test-project.html").read_text(encoding="utf-8")
    assert "≥96%" in page and "测试项目二" in page


def test_a_new_process_rebuilds_what_a_target_edit_reaches(site: Path, tmp_path: Path) -> None:
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    target = site / "content" / "2022" / "test-project.yaml"
    target.write_text(TARGET.replace("指标值: ≥90%", "指标值: ≥96%"), encoding="utf-8")
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    made = files(site / "output")
    made.pop(".perfsite-state")  # it names the diagnostics' files as the command saw them (relative)
    assert made == clean_build(site, tmp_path, state=False)
    project = (site / "output" / "2022" / "test-project.html").read_text(encoding="utf-8")
    assert "目标与完成" in project and "≥96%" in project and "未达到" in project
    # the self-evaluation itself, read from the cache of parsed files by the next process
    write(site, EVALUATION.replace("实际完成值: 3次", "实际完成值: 5次"))
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    made = files(site / "output")
    made.pop(".perfsite-state")
    assert made == clean_build(site, tmp_path, state=False)
    assert "5次" in (site / "output" / "2022" / "ziping" / "test-project.html").read_text(encoding="utf-8")


def test_the_feed_announces_a_self_evaluation_by_its_date(site: Path) -> None:
    write(site, EVALUATION.replace("项目名称: 测试项目\n", "项目名称: 测试项目\n公开日期: 2023-06-20\n"))
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    feed = (site / "output" / "feed.xml").read_text(encoding="utf-8")
    entry = feed.split("<title>自评：测试项目（2022年度）</title>")[1].split("</entry>")[0]
    assert "2022/ziping/test-project.html" in entry and "2023-06-20T00:00:00Z" in entry
    assert "自评总分 99.5，自评等级 优" in entry


def test_an_older_year_of_self_evaluations_alone_publishes_strictly(site: Path) -> None:
    alone = EVALUATION.replace("年度: 2022", "年度: 2021").replace(
        "项目名称: 测试项目\n", "项目名称: 测试项目\n主管部门及代码: 101-测试局\n实施单位: 测试局\n")
    for value, actual in (("≥1次", "3次"), ("2021年12月31日", "2022年12月20日"), ("≤10万元", "9.5万元"),
                          ("≥80%", "85%"), ("≥90%", "95%")):
        alone = alone.replace(f"        实际完成值: {actual}", f"        年度指标值: {value}\n        实际完成值: {actual}")
    alone = alone.replace("2022年12月20日", "2021年12月20日")
    write(site, alone, year=2021)
    (site / "content" / "site.yaml").write_text(SITE + "    '2021': {批复日期: 2021-01-20, 公开日期: 2021-02-05}\n",
                                                encoding="utf-8")
    result = run_cli("build", "--strict", "--no-search", cwd=site)
    assert result.returncode == 0, result.stderr
    year = (site / "output" / "2021" / "index.html").read_text(encoding="utf-8")
    assert "2021年度项目支出绩效自评表" in year and "ziping/test-project.html" in year
    assert not (site / "output" / "2021" / "indicators.csv").exists()
    page = (site / "output" / "2021" / "ziping" / "test-project.html").read_text(encoding="utf-8")
    assert "没有公开的绩效目标表" in page and "101-测试局" in page
