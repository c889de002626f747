"""`perfsite diff` of self-evaluations (content/<年度>/自评/<id>.yaml): two years, two revisions of
one year, git's diff driver, the JSON form read back, and a file that does not validate — on real
git repositories made in tmp dirs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, line_of, run_cli
from test_diff import edit, git

WUYE = "content/2022/自评/wuye-houqin.yaml"

EVALUATION = """\
# 自评表样例（测试用）
id: wuye-houqin
年度: 2022
项目名称: 局机关物业管理后勤工作经费
公开日期: 2023-06-20
项目资金:
  年度资金总额: {年初预算数: 10.38, 全年预算数: 10.38, 全年执行数: 10.2}
  当年财政拨款: {年初预算数: 10.38, 全年预算数: 10.38, 全年执行数: 10.2}
  分值: 10
  得分: 9.8
年度总体目标:
  实际完成情况:
    - 全年保持办公场所清洁卫生，车辆有序停放，食堂正常运行。
绩效指标:
  产出:
    数量:
      - 三级指标: 公共环境卫生清洁次数
        实际完成值: 每周6次
        分值: 20
        得分: 16
        偏差原因: 节假日减少清洁次数，下年度调整排班。
    质量:
      - 三级指标: 开展党组织生活
        实际完成值: 开展主题党日活动12次
        分值: 5
        得分: 5
      - 三级指标: 公舒适度
        实际完成值: 全面保障
        分值: 10
        得分: 10
    时效:
      - 三级指标: 工作完成时限
        实际完成值: 2022年12月20日
        分值: 15
        得分: 15
  效益:
    社会效益:
      - 三级指标: 保社会稳定
        实际完成值: 工作运转正常
        分值: 30
        得分: 30
  满意度:
    服务对象满意度:
      - 三级指标: 全局干部职工满意度
        年度指标值: ≥90%
        实际完成值: 92%
        分值: 10
        得分: 10
总分: 95.8
自评等级: 优
"""


def evaluation(year: int = 2022, id: str = "wuye-houqin", name: str = "局机关物业管理后勤工作经费") -> str:
    return (EVALUATION.replace("年度: 2022", f"年度: {year}").replace("2022年12月20日", f"{year}年12月20日")
            .replace("公开日期: 2023-06-20", f"公开日期: {year + 1}-06-20")
            .replace("id: wuye-houqin", f"id: {id}").replace("项目名称: 局机关物业管理后勤工作经费", f"项目名称: {name}"))


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def diff(root: Path, *args: str) -> dict:
    result = run_cli("diff", *args, "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_id(data: dict) -> dict[str, dict]:
    return {e["id"]: e for e in data["evaluations"]}


def improve(root: Path, rel: str) -> None:
    """The year's score raised on one row (每周6次 → 每周7次, 得分 16 → 20) and the money spent in full."""
    edit(root, rel, "实际完成值: 每周6次", "实际完成值: 每周7次")
    edit(root, rel, "得分: 16\n        偏差原因: 节假日减少清洁次数，下年度调整排班。\n", "得分: 20\n")
    edit(root, rel, "全年执行数: 10.2}", "全年执行数: 10.38}", count=2)
    edit(root, rel, "得分: 9.8", "得分: 10")
    edit(root, rel, "总分: 95.8", "总分: 100")


@pytest.fixture
def shipped(shipped: Path) -> Path:
    """The shipped site without its example self-evaluations: these tests write their own."""
    shutil.rmtree(shipped / "content" / "2022" / "自评")
    return shipped


@pytest.fixture
def repo(shipped: Path) -> Path:
    write(shipped, WUYE, evaluation())
    write(shipped, "content/2022/自评/cunzhen-jianshe.yaml", evaluation(id="cunzhen-jianshe", name="村镇建设管理工作经费"))
    git(shipped, "init", "-q", "-b", "main")
    git(shipped, "add", "-A")
    git(shipped, "commit", "-q", "-m", "2022 tables and self-evaluations")
    return shipped


def test_two_years_compare_scores_funds_and_rows_added_and_removed(shipped: Path):
    assert run_cli("new", "2023", "--from", "2022", cwd=shipped).returncode == 0  # the targets, before any 自评
    write(shipped, WUYE, evaluation())
    write(shipped, "content/2022/自评/cunzhen-jianshe.yaml", evaluation(id="cunzhen-jianshe", name="村镇建设管理工作经费"))
    write(shipped, "content/2023/自评/wuye-houqin.yaml", evaluation(2023))
    write(shipped, "content/2023/自评/zhufang-sangai.yaml", evaluation(2023, "zhufang-sangai", "住房保障工作经费"))
    same = by_id(diff(shipped, "2022", "2023"))
    # 2022年12月20日 → 2023年12月20日 is the year rolled over, 公开日期 2023-06-20 → 2024-06-20 the year after it
    assert same["wuye-houqin"]["status"] == "unchanged"
    improve(shipped, "content/2023/自评/wuye-houqin.yaml")
    data = diff(shipped, "2022", "2023")
    assert {p["id"]: p["status"] for p in data["projects"]}["wuye-houqin"] == "unchanged"  # the targets did not change
    evaluations = by_id(data)
    assert {k: e["status"] for k, e in evaluations.items()} == {
        "wuye-houqin": "changed", "zhufang-sangai": "added", "cunzhen-jianshe": "removed"}
    wuye = evaluations["wuye-houqin"]
    assert wuye["header"] == [{"field": "总分", "old": "95.8", "new": "100", "delta": "+4.2"}]
    funds = {f["field"]: (f["old"], f["new"], f["delta"]) for f in wuye["funds"]}
    assert funds == {"年度资金总额/全年执行数": ("10.2", "10.38", "+0.18 (+1.76%)"),
                     "年度资金总额/执行率": ("98.27%", "100.00%", "+1.73 个百分点"),
                     "当年财政拨款/全年执行数": ("10.2", "10.38", "+0.18 (+1.76%)"),
                     "当年财政拨款/执行率": ("98.27%", "100.00%", "+1.73 个百分点"),
                     "预算执行/得分": ("9.8", "10", "+0.2")}
    (row,) = wuye["rows"]
    assert (row["kind"], row["name"], row["new_category"]) == ("changed", "公共环境卫生清洁次数", ["产出", "数量"])
    assert [(c["field"], c["old"], c["new"], c["delta"]) for c in row["fields"]] == [
        ("实际完成值", "每周6次", "每周7次", "+1 次"), ("得分", "16", "20", "+4"),
        ("偏差原因", "节假日减少清洁次数，下年度调整排班。", None, None)]
    assert not wuye["achieved"] and not wuye["expected"]
    assert evaluations["zhufang-sangai"]["total"] == "95.8"
    text = run_cli("diff", "2022", "2023", "--exit-code", cwd=shipped)
    assert text.returncode == 1
    section = text.stdout[text.stdout.index("\n自评表\n"):]  # after the projects' section
    assert "新增 1 份自评表，删除 1 份，修改 1 份，未变 0 份" in section
    assert "+ 新增自评表 住房保障工作经费 (zhufang-sangai)：总分 95.8" in section
    assert "- 删除自评表 村镇建设管理工作经费 (cunzhen-jianshe)：总分 95.8" in section
    assert "  总分: 95.8 → 100（+4.2）" in section
    assert "  年度资金总额/执行率: 98.27% → 100.00%（+1.73 个百分点）" in section
    assert "~ 指标 产出/数量/公共环境卫生清洁次数: 实际完成值: 每周6次 → 每周7次（+1 次）；得分: 16 → 20（+4）" in section
    markdown = run_cli("diff", "2022", "2023", "--format", "markdown", cwd=shipped).stdout
    assert markdown.index("# 项目变化") < markdown.index("目标表没有变化。") < markdown.index("## 自评表")
    assert "| 总分 | 95.8 | 100 | +4.2 |" in markdown
    assert "| 修改 | 公共环境卫生清洁次数 | 产出/数量 | 产出/数量 | 实际完成值: 每周6次 → 每周7次（+1 次）；得分: 16 → 20（+4）；" in markdown


def test_two_revisions_of_one_year_show_rows_goals_and_the_grade(repo: Path):
    improve(repo, WUYE)
    edit(repo, WUYE, "自评等级: 优", "自评等级: 良")
    edit(repo, WUYE, "食堂正常运行。", "食堂正常运行，职工满意。")
    edit(repo, WUYE, "        年度指标值: ≥90%\n        实际完成值: 92%", "        年度指标值: ≥95%\n        实际完成值: 96%")
    edit(repo, WUYE, "      - 三级指标: 公舒适度\n        实际完成值: 全面保障\n        分值: 10\n        得分: 10\n", "")
    edit(repo, WUYE, "    时效:\n", "    时效:\n      - 三级指标: 公舒适度\n        实际完成值: 全面保障\n"
                                 "        分值: 10\n        得分: 10\n      - 三级指标: 新增指标\n        实际完成值: 完成\n"
                                 "        分值: 0\n        得分: 0\n")
    git(repo, "commit", "-q", "-am", "self-evaluation revised")
    (repo / WUYE).write_text("id: broken: [\n", encoding="utf-8")  # the work tree is not read
    wuye = by_id(diff(repo, "HEAD~1", "HEAD"))["wuye-houqin"]
    assert by_id(diff(repo, "HEAD~1", "HEAD"))["cunzhen-jianshe"]["status"] == "unchanged"
    assert [c["field"] for c in wuye["header"]] == ["总分", "自评等级"]
    assert wuye["header"][1] == {"field": "自评等级", "old": "优", "new": "良", "delta": None}
    (goal,) = wuye["achieved"]
    assert [s for s in goal["segments"] if s[0] != "equal"] == [["insert", "，职工满意"]]
    rows = {(r["kind"], r["name"]): r for r in wuye["rows"]}
    assert set(rows) == {("changed", "公共环境卫生清洁次数"), ("changed", "全局干部职工满意度"),
                         ("moved", "公舒适度"), ("added", "新增指标")}
    stated = rows[("changed", "全局干部职工满意度")]["fields"]
    assert [(c["field"], c["old"], c["new"], c["delta"]) for c in stated] == [
        ("年度指标值", "≥90%", "≥95%", "+5 %"), ("实际完成值", "92%", "96%", "+4 %")]
    assert rows[("moved", "公舒适度")]["old_category"] == ["产出", "质量"] and not rows[("moved", "公舒适度")]["fields"]
    assert [(c["field"], c["new"]) for c in rows[("added", "新增指标")]["fields"]] == [
        ("实际完成值", "完成"), ("分值", "0"), ("得分", "0")]
    text = run_cli("diff", "HEAD~1", "HEAD", cwd=repo).stdout
    assert "修改 0 个" in text and text.index("修改 0 个") < text.index("\n自评表\n")
    assert "  实际完成情况 1（修改）: 全年保持办公场所清洁卫生，车辆有序停放，食堂正常运行{+，职工满意+}。" in text
    assert "↪ 指标 公舒适度: 从 产出/质量 移到 产出/时效" in text
    assert "+ 指标 产出/时效/新增指标: 实际完成值 完成；分值 0；得分 0" in text


def test_the_git_diff_driver_shows_a_self_evaluations_changes(repo: Path):
    (repo / ".gitattributes").write_text("content/**/*.yaml diff=perfsite\n", encoding="utf-8")
    perfsite = f"env PYTHONPATH={ROOT} {subprocess.list2cmdline([os.sys.executable])} -m perfsite diff-driver"
    git(repo, "config", "diff.perfsite.command", perfsite)
    improve(repo, WUYE)
    shown = git(repo, "diff", "--", "content")  # the work tree against the index: git hands the driver a temporary copy
    assert "总分: 95.8 → 100（+4.2）" in shown and "+总分: 100" not in shown
    assert "新增 0 个项目" not in shown  # a 自评 file holds no project
    git(repo, "commit", "-q", "-am", "scores")
    logged = git(repo, "log", "-p", "--ext-diff", "-1", "--", "content")
    assert "~ 指标 产出/数量/公共环境卫生清洁次数: 实际完成值: 每周6次 → 每周7次（+1 次）" in logged
    git(repo, "rm", "-q", "content/2022/自评/cunzhen-jianshe.yaml")
    git(repo, "commit", "-q", "-m", "removed")
    assert "- 删除自评表 村镇建设管理工作经费 (cunzhen-jianshe)" in git(repo, "show", "--ext-diff", "HEAD", "--", "content")


def test_the_json_form_reads_back_whole(repo: Path):
    improve(repo, WUYE)
    data = diff(repo, "HEAD", "content/2022")
    assert data["old_label"] == "HEAD" and [p for p in data["projects"] if p["status"] != "unchanged"] == []
    wuye = by_id(data)["wuye-houqin"]
    assert set(wuye) == {"status", "id", "name", "year", "total", "old_where", "new_where", "old_id", "header",
                         "funds", "expected", "achieved", "rows"}
    assert (wuye["year"], wuye["total"], wuye["old_where"]) == (2022, "100", f"HEAD:{WUYE}")
    assert wuye["new_where"].endswith("2022/自评/wuye-houqin.yaml")
    assert json.loads(json.dumps(data)) == data
    plain = diff(repo, "HEAD", "HEAD")
    assert {e["status"] for e in plain["evaluations"]} == {"unchanged"}


def test_an_invalid_self_evaluation_is_named_at_its_line_and_fails_the_command(repo: Path):
    edit(repo, WUYE, "        得分: 16\n", "        得分: 很多\n")
    result = run_cli("diff", "HEAD", "2022", "--format", "json", cwd=repo)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = line_of((repo / WUYE).read_text(encoding="utf-8"), "得分: 很多")
    assert f"content/2022/自评/wuye-houqin.yaml:{line}:13: error " in result.stderr
    assert "（此文件未参与比较 skipped）" in result.stderr
    evaluations = by_id(json.loads(result.stdout))
    assert evaluations["wuye-houqin"]["status"] == "removed"  # left out of the new side
    assert evaluations["cunzhen-jianshe"]["status"] == "unchanged"
    git(repo, "commit", "-q", "-am", "broken")
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=repo)
    assert result.returncode == 1 and f"HEAD:{WUYE}:{line}:13: error " in result.stderr


def test_amounts_in_yuan_compare_as_the_same_money(tmp_path: Path):
    write(tmp_path, "old/2022/自评/wuye-houqin.yaml", evaluation())
    in_yuan = evaluation().replace("项目资金:\n", "项目资金:\n  单位: 元\n").replace("10.38", "103800").replace("10.2}", "102000}")
    write(tmp_path, "new/2022/自评/wuye-houqin.yaml", in_yuan)
    assert by_id(diff(tmp_path, "old", "new"))["wuye-houqin"]["status"] == "unchanged"
    edit(tmp_path, "new/2022/自评/wuye-houqin.yaml", "全年执行数: 102000}", "全年执行数: 103000}")
    funds = by_id(diff(tmp_path, "old", "new"))["wuye-houqin"]["funds"]
    assert funds[0] == {"field": "年度资金总额/全年执行数", "old": "10.2", "new": "10.3", "delta": "+0.1 (+0.98%)"}
