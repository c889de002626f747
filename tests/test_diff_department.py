"""`perfsite diff` of 部门整体支出绩效目标表 (content/<年度>/部门/) and of a project's 中期 block: two
revisions of one year, two years, git's diff driver, a file that does not validate — through the
CLI, on real git repositories made in tmp dirs, in text and JSON (markdown where it differs)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from perfsite.diff import diff_projects
from perfsite.model import build_project
from perfsite.source import parse_text

from conftest import MINIMAL, ROOT, line_of, run_cli
from test_diff import edit, git

JIAOTONG = "content/2022/部门/jiaotong.yaml"
WUYE = "content/2022/wuye-houqin.yaml"
TITLE = "部门整体支出绩效目标表"

DEPARTMENT = """\
# 部门整体支出绩效目标表（测试用）
年度: 2022
部门名称: 901-某县交通运输局
部门职能概述: 负责全县公路、水路交通行业管理。
单位: 万元
总体资金情况:
  收入构成:
    - {名称: 财政拨款收入, 金额: 800, 占比: 80}
    - {名称: 其他收入, 金额: 200, 占比: 20}
  支出构成:
    - {名称: 基本支出, 金额: 600, 占比: 60}
    - {名称: 项目支出, 金额: 400, 占比: 40}
年度主要任务:
  - 任务名称: 农村公路养护
    主要内容: 养护县乡道 320 公里
    总额: 250
    财政拨款: 230
    其他资金: 20
  - 任务名称: 客运站运营补助
    总额: 150
    财政拨款: 150
金额合计: {总额: 400, 财政拨款: 380, 其他资金: 20}
年度总体目标:
  - 完成农村公路养护 320 公里，保障客运站正常运营。
绩效指标:
  产出指标:
    数量指标:
      - {三级指标: 养护里程, 指标值: ≥320公里}
    时效指标:
      - {三级指标: 养护完成时间, 指标值: 2022年11月30日前}
  满意度指标:
    服务对象满意度指标:
      - {三级指标: 群众满意度, 指标值: ≥90%}
"""

MIDTERM = """\
中期:
  资金:
    资金总额: 900
    财政拨款: 900
    其他资金: 0
  中期目标:
    - 三年内完成全县 960 公里农村公路的养护。
  绩效指标:
    产出指标:
      数量指标:
        - {三级指标: 养护里程, 指标值: ≥960公里}
"""


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def diff(root: Path, *args: str) -> dict:
    result = run_cli("diff", *args, "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def fields(changes: list[dict]) -> dict[str, tuple[str | None, str | None, str | None]]:
    return {c["field"]: (c["old"], c["new"], c["delta"]) for c in changes}


@pytest.fixture
def repo(shipped: Path) -> Path:
    write(shipped, JIAOTONG, DEPARTMENT)
    git(shipped, "init", "-q", "-b", "main")
    git(shipped, "add", "-A")
    git(shipped, "commit", "-q", "-m", "2022 tables and the department's own")
    return shipped


def revise(root: Path) -> None:
    """A task's amount (and the 金额合计 with it), a 占比 moved between two lines, an indicator's value."""
    edit(root, JIAOTONG, "    总额: 250\n    财政拨款: 230", "    总额: 280\n    财政拨款: 260")
    edit(root, JIAOTONG, "金额合计: {总额: 400, 财政拨款: 380", "金额合计: {总额: 430, 财政拨款: 410")
    edit(root, JIAOTONG, "{名称: 财政拨款收入, 金额: 800, 占比: 80}", "{名称: 财政拨款收入, 金额: 750, 占比: 75}")
    edit(root, JIAOTONG, "{名称: 其他收入, 金额: 200, 占比: 20}", "{名称: 其他收入, 金额: 250, 占比: 25}")
    edit(root, JIAOTONG, "指标值: ≥320公里", "指标值: ≥350公里")


def test_two_revisions_show_a_tasks_amount_a_share_and_an_indicators_value(repo: Path):
    revise(repo)
    git(repo, "commit", "-q", "-am", "department table revised")
    (repo / JIAOTONG).write_text("年度: [\n", encoding="utf-8")  # the work tree is not read
    data = diff(repo, "HEAD~1", "HEAD")
    assert [p["status"] for p in data["projects"]] == ["unchanged"] * 5 and data["evaluations"]
    (d,) = data["departments"]
    assert (d["status"], d["name"], d["code"], d["department"]) == ("changed", "某县交通运输局", "901", "901-某县交通运输局")
    assert d["old_where"] == f"HEAD~1:{JIAOTONG}" and d["header"] == []
    (task,) = d["tasks"]
    assert (task["kind"], task["name"]) == ("changed", "农村公路养护")
    assert fields(task["fields"]) == {"总额": ("250", "280", "+30 (+12.00%)"), "财政拨款": ("230", "260", "+30 (+13.04%)")}
    assert fields(d["sum"]) == {"金额合计/总额": ("400", "430", "+30 (+7.50%)"),
                                "金额合计/财政拨款": ("380", "410", "+30 (+7.89%)")}
    assert fields(d["composition"]) == {  # 收入合计 is 1000 on both sides: no change
        "收入构成/财政拨款收入/金额": ("800", "750", "-50 (-6.25%)"), "收入构成/财政拨款收入/占比": ("80%", "75%", "-5 个百分点"),
        "收入构成/其他收入/金额": ("200", "250", "+50 (+25.00%)"), "收入构成/其他收入/占比": ("20%", "25%", "+5 个百分点")}
    (row,) = d["rows"]
    assert (row["kind"], row["name"], row["new_category"]) == ("changed", "养护里程", ["产出指标", "数量指标"])
    assert (row["old_value"], row["new_value"], row["delta"]) == ("≥320公里", "≥350公里", "+30 公里")
    assert d["goals"] == []

    text = run_cli("diff", "HEAD~1", "HEAD", "--exit-code", cwd=repo)
    assert text.returncode == 1, text.stderr
    section = text.stdout[text.stdout.index(f"\n{TITLE}\n"):]  # after the projects' and self-evaluations'
    assert text.stdout.index("\n自评表\n") < text.stdout.index(f"\n{TITLE}\n")
    assert "新增 0 张部门整体支出绩效目标表，删除 0 张，修改 1 张，未变 0 张" in section
    assert f"~ 修改{TITLE} 某县交通运输局 (901)" in section
    assert "  ~ 任务 农村公路养护: 总额: 250 → 280（+30 (+12.00%)）；财政拨款: 230 → 260（+30 (+13.04%)）" in section
    assert "  收入构成/财政拨款收入/占比: 80% → 75%（-5 个百分点）" in section
    assert "  金额合计/总额: 400 → 430（+30 (+7.50%)）" in section
    assert "  ~ 指标 产出指标/数量指标/养护里程: ≥320公里 → ≥350公里（+30 公里）" in section
    markdown = run_cli("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo).stdout
    assert markdown.index("目标表没有变化。") < markdown.index("## 自评表") < markdown.index(f"## {TITLE}")
    assert "| 收入构成/其他收入/占比 | 20% | 25% | +5 个百分点 |" in markdown
    assert "| 修改 | 农村公路养护 | 总额: 250 → 280（+30 (+12.00%)）；财政拨款: 230 → 260（+30 (+13.04%)） |" in markdown


def test_tasks_and_lines_added_and_removed_and_the_duties_and_goals_changed(repo: Path):
    edit(repo, JIAOTONG, "  - 任务名称: 客运站运营补助\n    总额: 150\n    财政拨款: 150\n",
         "  - 任务名称: 公交站亭建设\n    主要内容: 新建站亭 20 座\n    总额: 150\n    财政拨款: 150\n")
    edit(repo, JIAOTONG, "    - {名称: 其他收入, 金额: 200, 占比: 20}\n",
         "    - {名称: 上级补助收入, 金额: 200, 占比: 20}\n")
    edit(repo, JIAOTONG, "水路交通行业管理。", "水路交通行业管理和交通建设。")
    edit(repo, JIAOTONG, "保障客运站正常运营。", "新建公交站亭。")
    data = diff(repo, "HEAD", str(repo / "content"))
    (d,) = data["departments"]
    assert fields(d["header"]) == {"部门职能概述": ("负责全县公路、水路交通行业管理。", "负责全县公路、水路交通行业管理和交通建设。", None)}
    assert [(t["kind"], t["name"], fields(t["fields"])) for t in d["tasks"]] == [
        ("added", "公交站亭建设", {"主要内容": (None, "新建站亭 20 座", None), "总额": (None, "150", None),
                              "财政拨款": (None, "150", None)}),
        ("removed", "客运站运营补助", {"总额": ("150", None, None), "财政拨款": ("150", None, None)})]
    assert d["sum"] == []  # the same money, for other tasks
    assert fields(d["composition"]) == {
        "收入构成/上级补助收入/金额": (None, "200", None), "收入构成/上级补助收入/占比": (None, "20%", None),
        "收入构成/其他收入/金额": ("200", None, None), "收入构成/其他收入/占比": ("20%", None, None)}
    (goal,) = d["goals"]
    assert goal["kind"] == "changed"
    assert "".join(t for op, t in goal["segments"] if op != "delete") == "完成农村公路养护 320 公里，新建公交站亭。"
    text = run_cli("diff", "HEAD", str(repo / "content"), cwd=repo).stdout
    assert "  + 任务 公交站亭建设: 主要内容 新建站亭 20 座；总额 150；财政拨款 150" in text
    assert "  - 任务 客运站运营补助: 总额 150；财政拨款 150" in text
    assert "  年度总体目标 1（修改）: 完成农村公路养护 320 公里，[-保障客运-]{+新建公交+}站[-正常运营-]{+亭+}。" in text


def test_next_years_copy_is_unchanged_and_pairs_by_name_when_the_code_is_dropped(repo: Path):
    # the year in a task's text and an indicator's date moves with the table: no change
    edit(repo, JIAOTONG, "主要内容: 养护县乡道 320 公里", "主要内容: 2022年养护县乡道 320 公里")
    next_year = (repo / JIAOTONG).read_text(encoding="utf-8").replace("年度: 2022", "年度: 2023").replace("2022年", "2023年")
    write(repo, "content/2023/部门/jiaotong.yaml", next_year)
    data = diff(repo, "2022", "2023")
    (d,) = data["departments"]
    assert (d["status"], d["year"], d["old_where"]) == ("unchanged", 2023, "content/2022/部门/jiaotong.yaml")
    write(repo, "content/2023/部门/jiaotong.yaml", next_year.replace("901-某县交通运输局", "某县交通运输局")
          .replace("2023年养护县乡道 320 公里", "2023年养护县乡道 340 公里"))
    (d,) = diff(repo, "2022", "2023")["departments"]
    assert d["status"] == "changed" and d["code"] is None
    assert fields(d["header"]) == {"部门名称": ("901-某县交通运输局", "某县交通运输局", None)}
    assert [fields(t["fields"]) for t in d["tasks"]] == [
        {"主要内容": ("2022年养护县乡道 320 公里", "2023年养护县乡道 340 公里", None)}]
    # the code pairs before the name does: a table of another code is another department's
    write(repo, "content/2023/部门/jiaotong.yaml", next_year.replace("901-", "902-"))
    write(repo, "content/2023/部门/other.yaml", next_year)
    statuses = sorted((d["code"], d["status"]) for d in diff(repo, "2022", "2023")["departments"])
    assert statuses == [("901", "unchanged"), ("902", "added")]


def test_amounts_in_yuan_compare_as_the_same_money(tmp_path: Path):
    write(tmp_path, "old/2022/部门/jiaotong.yaml", DEPARTMENT)
    in_yuan = DEPARTMENT.replace("单位: 万元", "单位: 元")
    for amount in ("800", "200", "600", "400", "250", "230", "150", "380"):
        in_yuan = in_yuan.replace(f": {amount}", f": {amount}0000")
    write(tmp_path, "new/2022/部门/jiaotong.yaml", in_yuan.replace("其他资金: 20", "其他资金: 200000"))
    (d,) = diff(tmp_path, "old", "new")["departments"]
    assert d["status"] == "unchanged", d
    edit(tmp_path, "new/2022/部门/jiaotong.yaml", "    总额: 2500000\n", "    总额: 2512300\n")
    (d,) = diff(tmp_path, "old", "new")["departments"]
    assert [fields(t["fields"]) for t in d["tasks"]] == [{"总额": ("250", "251.23", "+1.23 (+0.49%)")}]


def test_no_department_section_when_neither_side_has_one(shipped: Path):
    git(shipped, "init", "-q", "-b", "main")
    git(shipped, "add", "-A")
    git(shipped, "commit", "-q", "-m", "2022 tables")
    edit(shipped, WUYE, "每周≥7次", "每周≥8次")
    text = run_cli("diff", "HEAD", str(shipped / "content"), cwd=shipped).stdout
    assert "修改 1 个" in text and TITLE not in text
    markdown = run_cli("diff", "HEAD", str(shipped / "content"), "--format", "markdown", cwd=shipped).stdout
    assert "## 修改项目（1）" in markdown and TITLE not in markdown
    assert diff(shipped, "HEAD", str(shipped / "content"))["departments"] == []


def test_a_department_file_that_does_not_validate_is_named_with_a_department_tables_error(repo: Path):
    edit(repo, JIAOTONG, "    总额: 250\n", "    总额: 很多\n")
    result = run_cli("diff", "HEAD", "content", "--format", "json", cwd=repo)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = line_of((repo / JIAOTONG).read_text(encoding="utf-8"), "总额: 很多")
    # read as a department's table (a project's would lack 项目名称, id, …): the amount is the error
    assert f"content/2022/部门/jiaotong.yaml:{line}:9: error E010 「总额」「很多」不是金额数字" in result.stderr
    assert "E020" not in result.stderr and "（此文件未参与比较 skipped）" in result.stderr
    (d,) = json.loads(result.stdout)["departments"]
    assert d["status"] == "removed"  # left out of the new side
    git(repo, "commit", "-q", "-am", "broken")
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=repo)
    assert result.returncode == 1 and f"HEAD:{JIAOTONG}:{line}:9: error E010" in result.stderr


def test_a_project_given_a_midterm_block_then_its_total_changed(repo: Path):
    with (repo / WUYE).open("a", encoding="utf-8") as f:
        f.write(MIDTERM)
    git(repo, "commit", "-q", "-am", "wuye-houqin: 中期")
    edit(repo, WUYE, "    资金总额: 900\n    财政拨款: 900\n", "    资金总额: 960\n    财政拨款: 960\n")
    git(repo, "commit", "-q", "-am", "wuye-houqin: 中期资金总额")

    added = {p["id"]: p for p in diff(repo, "HEAD~2", "HEAD~1")["projects"]}["wuye-houqin"]
    assert added["status"] == "changed" and not (added["header"] or added["funds"] or added["goals"] or added["rows"])
    midterm = added["midterm"]
    assert midterm["kind"] == "added"
    assert fields(midterm["funds"]) == {"资金总额": (None, "900", None), "财政拨款": (None, "900", None),
                                        "其他资金": (None, "0", None)}
    assert [(g["kind"], g["segments"]) for g in midterm["goals"]] == [
        ("added", [["insert", "三年内完成全县 960 公里农村公路的养护。"]])]
    assert [(r["kind"], r["name"], r["new_value"]) for r in midterm["rows"]] == [("added", "养护里程", "≥960公里")]

    changed = {p["id"]: p for p in diff(repo, "HEAD~1", "HEAD")["projects"]}
    assert [k for k, p in changed.items() if p["status"] != "unchanged"] == ["wuye-houqin"]
    midterm = changed["wuye-houqin"]["midterm"]
    assert midterm["kind"] == "changed" and midterm["goals"] == midterm["rows"] == []
    assert fields(midterm["funds"]) == {"资金总额": ("900", "960", "+60 (+6.67%)"), "财政拨款": ("900", "960", "+60 (+6.67%)")}
    assert changed["wuye-houqin"]["funds"] == []  # the year's 资金总额 is another field

    text = run_cli("diff", "HEAD~2", "HEAD", "--exit-code", cwd=repo)
    assert text.returncode == 1
    lines = text.stdout[text.stdout.index("~ 修改项目 局机关物业管理后勤工作经费"):].splitlines()
    assert lines[1:7] == ["  + 中期（新增）", "  中期/资金总额: （空） → 960", "  中期/财政拨款: （空） → 960",
                          "  中期/其他资金: （空） → 0",
                          "  中期目标 1（新增）: {+三年内完成全县 960 公里农村公路的养护。+}",
                          "  + 中期指标 产出指标/数量指标/养护里程: ≥960公里"]
    text = run_cli("diff", "HEAD~1", "HEAD", cwd=repo).stdout
    assert "  中期/资金总额: 900 → 960（+60 (+6.67%)）" in text and "中期（新增）" not in text
    markdown = run_cli("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo).stdout
    assert "**中期**" in markdown and "| 中期/资金总额 | 900 | 960 | +60 (+6.67%) |" in markdown
    removed = {p["id"]: p for p in diff(repo, "HEAD", "HEAD~2")["projects"]}["wuye-houqin"]["midterm"]
    assert removed["kind"] == "removed" and fields(removed["funds"])["资金总额"] == ("960", None, None)


def _project(text: str):
    project, _parts, problems = build_project(parse_text(text, "t.yaml")[0])
    assert project is not None, problems
    return project


def test_a_project_diff_whose_only_change_is_its_midterm_is_a_change():
    """What the project page's comparison reads (site.py through DiffMemo): ``changed`` alone."""
    old = _project(MINIMAL + MIDTERM)
    assert not diff_projects(old, _project(MINIMAL + MIDTERM)).changed
    edited = diff_projects(old, _project(MINIMAL + MIDTERM.replace("≥960公里", "≥1000公里")))
    assert edited.changed and edited.midterm is not None and not edited.rows
    (row,) = edited.midterm.rows
    assert (row.kind, row.delta) == ("changed", "+40 公里")
    # a year rolled over is no change of the 中期 block either
    year = MINIMAL.replace("年度: 2022", "年度: 2023").replace("2022年12月31日", "2023年12月31日")
    assert not diff_projects(_project(MINIMAL + MIDTERM), _project(year + MIDTERM)).changed


def test_the_git_diff_driver_shows_a_department_tables_changes(repo: Path):
    (repo / ".gitattributes").write_text("content/**/*.yaml diff=perfsite\n", encoding="utf-8")
    perfsite = f"env PYTHONPATH={ROOT} {subprocess.list2cmdline([os.sys.executable])} -m perfsite diff-driver"
    git(repo, "config", "diff.perfsite.command", perfsite)
    revise(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "department table revised")
    shown = git(repo, "diff", "HEAD~1", "HEAD", "--", JIAOTONG)
    assert f"perfsite diff: a/{JIAOTONG} → b/{JIAOTONG}" in shown
    assert f"~ 修改{TITLE} 某县交通运输局 (901)" in shown and "个项目" not in shown  # a department's alone
    assert "  ~ 指标 产出指标/数量指标/养护里程: ≥320公里 → ≥350公里（+30 公里）" in shown
    assert "+    总额: 280" not in shown
