"""Year-over-year: semantic diff (years, directories, files, git revisions), the git diff driver,
`perfsite new`, and the 与上年对比 / changes pages — on real git repositories and real builds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from html_tables import read

from perfsite.model import PLACEHOLDERS

from conftest import MINIMAL, ROOT, date_year, run_cli

WUYE = "content/2022/wuye-houqin.yaml"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, **GIT_ENV)
    result = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def diff_json(root: Path, *args: str) -> dict:
    result = run_cli("diff", *args, "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def changed(data: dict) -> dict[str, dict]:
    return {p["id"]: p for p in data["projects"] if p["status"] != "unchanged"}


def make_changes(root: Path, rel: str) -> None:
    """A few real edits: a number, a fund total (kept consistent), a renamed project, a Chinese
    text edit in a goal, an indicator moved to another category, one added and one removed."""
    edit(root, rel, "每周≥7次", "每周≥8次")
    for old, new in (("资金总额: 10.38", "资金总额: 11"), ("财政拨款: 10.38", "财政拨款: 11"),
                     ("本级安排: 10.38", "本级安排: 11"), ("≤10.38万", "≤11万")):
        edit(root, rel, old, new)
    edit(root, rel, "项目名称: 局机关物业管理后勤工作经费", "项目名称: 局机关物业管理及后勤保障工作经费")
    edit(root, rel, "营造舒适干净办公环境", "营造整洁舒适办公环境")
    edit(root, rel, "      - 三级指标: 公舒适度\n        指标值: 全面保障\n", "")
    edit(root, rel, "    时效:\n", "    时效:\n      - 三级指标: 公舒适度\n        指标值: 全面保障\n")
    edit(root, rel, "提供服务公司满意度\n        指标值: ≥90%", "提供服务公司满意度\n        指标值: ≥95%")
    edit(root, rel, "      - 三级指标: 全局干部职工满意度\n        指标值: ≥90%\n",
         "      - 三级指标: 来访群众满意度\n        指标值: ≥85%\n")


def check_expected_changes(project: dict) -> None:
    assert project["status"] == "changed" and project["renamed"]
    assert project["header"] == [{"field": "项目名称", "old": "局机关物业管理后勤工作经费",
                                  "new": "局机关物业管理及后勤保障工作经费", "delta": None}]
    funds = {f["field"]: (f["old"], f["new"], f["delta"]) for f in project["funds"]}
    assert funds == {"资金总额": ("10.38", "11", "+0.62 (+5.97%)"), "财政拨款": ("10.38", "11", "+0.62 (+5.97%)"),
                     "本级安排": ("10.38", "11", "+0.62 (+5.97%)")}
    (goal,) = project["goals"]
    assert goal["kind"] == "changed"
    assert [s for s in goal["segments"] if s[0] != "equal"] == [["insert", "整洁"], ["delete", "干净"]]
    rows = {(r["kind"], r["name"]): r for r in project["rows"]}
    assert set(rows) == {("changed", "公共环境卫生清洁次数"), ("changed", "物业管理费维护成本"), ("moved", "公舒适度"),
                         ("changed", "提供服务公司满意度"), ("added", "来访群众满意度"), ("removed", "全局干部职工满意度")}
    assert rows[("changed", "公共环境卫生清洁次数")]["delta"] == "+1 次"
    assert rows[("changed", "提供服务公司满意度")]["old_value"] == "≥90%"
    assert rows[("changed", "提供服务公司满意度")]["delta"] == "+5 %"
    moved = rows[("moved", "公舒适度")]
    assert moved["old_category"] == ["产出", "质量"] and moved["new_category"] == ["产出", "时效"]
    assert moved["old_value"] == moved["new_value"] == "全面保障"


@pytest.fixture
def repo(shipped: Path) -> Path:
    git(shipped, "init", "-q", "-b", "main")
    git(shipped, "add", "-A")
    git(shipped, "commit", "-q", "-m", "2022 tables")
    git(shipped, "tag", "v1")
    return shipped


def test_diff_between_git_revisions_shows_exactly_the_changes(repo: Path):
    make_changes(repo, WUYE)
    git(repo, "commit", "-q", "-am", "edits")
    (repo / WUYE).write_text("id: broken: [\n", encoding="utf-8")  # the work tree is not read
    data = diff_json(repo, "HEAD~1", "HEAD")
    assert data["old_label"] == "HEAD~1" and list(changed(data)) == ["wuye-houqin"]
    check_expected_changes(changed(data)["wuye-houqin"])
    assert changed(diff_json(repo, "v1", "main")).keys() == {"wuye-houqin"}
    assert changed(diff_json(repo, "v1:content/2022/wuye-houqin.yaml", "HEAD:content/2022/wuye-houqin.yaml"))


def test_year_copy_with_a_few_edits_shows_exactly_those(shipped: Path):
    # new --from leaves last year's self-evaluations behind; a new year that has none yet is not
    # 删除自评表 but not compared, and diff says so
    assert run_cli("new", "2023", "--from", "2022", cwd=shipped).returncode == 0
    same = run_cli("diff", "2022", "2023", "--exit-code", cwd=shipped)
    assert same.returncode == 0 and "修改 0 个" in same.stdout  # rolled-over 时效 dates are not changes
    assert "自评表" not in same.stdout and "新的一年还没有自评表" in same.stderr
    make_changes(shipped, "content/2023/wuye-houqin.yaml")
    (shipped / "content/2023/cunzhen-jianshe.yaml").unlink()
    (shipped / "content/2023/new-one.yaml").write_text(MINIMAL.replace("年度: 2022", "年度: 2023")
                                                        .replace("id: test-project", "id: new-one")
                                                        .replace("2022年12月31日", "2023年12月31日"), encoding="utf-8")
    data = diff_json(shipped, "2022", "2023")
    statuses = {p["id"]: p["status"] for p in data["projects"]}
    assert statuses == {"wuye-houqin": "changed", "cunzhen-jianshe": "removed", "new-one": "added",
                        "chengjian-zhifa": "unchanged", "zhufang-sangai": "unchanged", "jianzhuye-guanli": "unchanged"}
    check_expected_changes(changed(data)["wuye-houqin"])
    assert run_cli("diff", "2022", "2023", "--exit-code", cwd=shipped).returncode == 1


def test_projects_pair_by_name_when_the_id_changed(shipped: Path):
    (shipped / "old").mkdir()
    (shipped / "new").mkdir()
    (shipped / "old/a.yaml").write_text(MINIMAL, encoding="utf-8")
    (shipped / "new/b.yaml").write_text(MINIMAL.replace("id: test-project", "id: renamed-id"), encoding="utf-8")
    (project,) = diff_json(shipped, "old", "new")["projects"]
    assert (project["status"], project["old_id"], project["id"]) == ("changed", "test-project", "renamed-id")


def test_an_edit_of_the_publication_date_alone_is_reported(tmp_path: Path):
    dated = MINIMAL.replace("实施单位: 测试局\n", "实施单位: 测试局\n公开日期: 2022-03-01\n")
    for side, text in (("old", MINIMAL), ("mid", dated), ("new", dated.replace("2022-03-01", "2022-03-15"))):
        (tmp_path / side).mkdir()
        (tmp_path / side / "p.yaml").write_text(text, encoding="utf-8")
    (project,) = diff_json(tmp_path, "mid", "new")["projects"]
    assert project["status"] == "changed"
    assert project["header"] == [{"field": "公开日期", "old": "2022-03-01", "new": "2022-03-15", "delta": None}]
    assert not project["funds"] and not project["goals"] and not project["rows"]
    (project,) = diff_json(tmp_path, "old", "mid")["projects"]
    assert project["header"] == [{"field": "公开日期", "old": None, "new": "2022-03-01", "delta": None}]
    text = run_cli("diff", "mid", "new", "--exit-code", cwd=tmp_path)
    assert text.returncode == 1 and "公开日期: 2022-03-01 → 2022-03-15" in text.stdout
    markdown = run_cli("diff", "old", "mid", "--format", "markdown", cwd=tmp_path).stdout
    assert "| 公开日期 | （空） | 2022-03-01 |  |" in markdown


def test_next_years_copy_moves_the_publication_date_without_reporting_it(tmp_path: Path):
    (tmp_path / "content/2022").mkdir(parents=True)
    dated = MINIMAL.replace("实施单位: 测试局\n", "实施单位: 测试局\n公开日期: 2022-03-01\n")
    (tmp_path / "content/2022/p.yaml").write_text(dated, encoding="utf-8")
    assert run_cli("new", "2023", "--from", "2022", cwd=tmp_path).returncode == 0
    assert "公开日期: 2023-03-01" in (tmp_path / "content/2023/p.yaml").read_text(encoding="utf-8")
    assert run_cli("diff", "2022", "2023", "--exit-code", cwd=tmp_path).returncode == 0
    edit(tmp_path, "content/2023/p.yaml", "公开日期: 2023-03-01", "公开日期: 2023-04-10")
    (project,) = changed(diff_json(tmp_path, "2022", "2023")).values()
    assert project["header"] == [{"field": "公开日期", "old": "2022-03-01", "new": "2023-04-10", "delta": None}]


def test_text_and_markdown_formats(repo: Path):
    make_changes(repo, WUYE)
    text = run_cli("diff", "v1:content/2022", "content/2022", cwd=repo).stdout
    assert "\033[" not in text  # no colour when not on a terminal
    assert "资金总额: 10.38 → 11（+0.62 (+5.97%)）" in text
    assert "营造{+整洁+}舒适[-干净-]办公环境" in text
    assert "↪ 指标 公舒适度: 从 产出/质量 移到 产出/时效" in text
    coloured = run_cli("diff", "v1:content/2022", "content/2022", "--color", "always", cwd=repo).stdout
    assert "\033[32m" in coloured
    markdown = run_cli("diff", "v1:content/2022", "content/2022", "--format", "markdown", cwd=repo).stdout
    assert "| 资金总额 | 10.38 | 11 | +0.62 (+5.97%) |" in markdown
    assert "| 移动 | 公舒适度 | 产出/质量 | 产出/时效 | 全面保障 | 全面保障 |  |" in markdown
    assert "营造**整洁**舒适~~干净~~办公环境" in markdown


def test_bad_arguments_exit_2(repo: Path):
    result = run_cli("diff", "2019", "HEAD", cwd=repo)
    assert result.returncode == 2 and "2019" in result.stderr
    result = run_cli("diff", "no-such-rev", "HEAD", cwd=repo)
    assert result.returncode == 2 and "no-such-rev" in result.stderr and "Traceback" not in result.stderr


def test_git_diff_and_log_use_the_semantic_driver(repo: Path):
    (repo / ".gitattributes").write_text("content/**/*.yaml diff=perfsite\n", encoding="utf-8")
    perfsite = f"env PYTHONPATH={ROOT} {subprocess.list2cmdline([os.sys.executable])} -m perfsite diff-driver"
    git(repo, "config", "diff.perfsite.command", perfsite)
    make_changes(repo, WUYE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "edits")
    shown = git(repo, "diff", "HEAD~1", "HEAD", "--", "content")
    assert "资金总额: 10.38 → 11（+0.62 (+5.97%)）" in shown and "+  资金总额: 11" not in shown
    logged = git(repo, "log", "-p", "--ext-diff", "-1", "--", "content")
    assert "~ 指标 产出/数量/公共环境卫生清洁次数: 每周≥7次 → 每周≥8次（+1 次）" in logged


def _placeholders_in(text: str) -> list[tuple[int, int]]:
    """(line, col) of the value holding each placeholder ``perfsite new`` writes: after a list
    item's "- ", and after its key's ": " unless the item is a quoted value itself."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#") or not any(p in line for p, _hint in PLACEHOLDERS.values()):
            continue
        start = len(line) - len(line.lstrip())
        if line.startswith("- ", start):
            start += 2
        if line[start] not in "'\"":
            start = line.index(": ", start) + 2
        found.append((number, start + 1))
    return found


def test_an_unfilled_new_project_is_refused_at_every_placeholder(shipped: Path):
    """What ``perfsite new`` writes for the filer to replace (names, goals, values, amounts) is an
    error at its own line and column until it is replaced, in check and in build: nothing is
    published. Filled in, the same file builds."""
    result = run_cli("new", "2022", "道路养护工作经费", "--id", "daolu-yanghu", cwd=shipped)
    assert result.returncode == 0, result.stderr
    path = shipped / "content/2022/daolu-yanghu.yaml"
    text = path.read_text(encoding="utf-8")
    assert "项目名称: '道路养护工作经费'" in text and "2022年12月31日" in text
    expected = _placeholders_in(text)
    assert len(expected) >= 15  # 5 amounts, a goal, a name and a value per row
    check = run_cli("check", cwd=shipped)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    reported = [tuple(map(int, m)) for m in re.findall(r"daolu-yanghu\.yaml:(\d+):(\d+): error E029 ", check.stderr)]
    assert sorted(reported) == expected, check.stderr
    assert "「三级指标」还没有填写：「（填写指标名称）」是 perfsite new 留下的占位符\n  = 提示 (hint): 写上三级指标的名称" in check.stderr
    assert "原表空白则留空，原表是 0 则写 0" in check.stderr  # amounts: 0 and blank are real values, so say which
    build = run_cli("build", cwd=shipped)
    assert build.returncode == 1 and "E029" in build.stderr and not (shipped / "output").exists()

    filled = {PLACEHOLDERS["amount"][0]: "0", PLACEHOLDERS["goal"][0]: "养护道路", PLACEHOLDERS["name"][0]: "养护里程",
              PLACEHOLDERS["value"][0]: "1"}
    for placeholder, real in filled.items():
        text = text.replace(placeholder, real)
    path.write_text(text, encoding="utf-8")
    assert run_cli("build", cwd=shipped).returncode == 0  # 资金总额 0 is a real amount, not refused


def test_new_project_scaffold_refuses_bad_ids_and_overwrites(shipped: Path):
    assert run_cli("new", "2022", "道路养护工作经费", "--id", "daolu-yanghu", cwd=shipped).returncode == 0
    again = run_cli("new", "2022", "道路养护工作经费", "--id", "daolu-yanghu", cwd=shipped)
    assert again.returncode == 2 and "已存在" in again.stderr
    assert run_cli("new", "2022", cwd=shipped).returncode == 2
    reserved = run_cli("new", "2022", "道路养护工作经费", "--id", "index", cwd=shipped)
    assert reserved.returncode == 2 and "index-xiangmu" in reserved.stderr
    assert not (shipped / "content/2022/index.yaml").exists()
    named = run_cli("new", "2022", "Changes", cwd=shipped)  # an id made from the name steers clear
    assert named.returncode == 0 and (shipped / "content/2022/changes-xiangmu.yaml").is_file()


def test_new_year_keeps_ids_and_comments_and_refuses_to_overwrite(shipped: Path):
    """A comment that names the table's year (（2022 年）, 2022年度) moves with it; one that may
    mean last year (转录自…2022 年…公开件) is kept as written, and the command lists it, with
    every other line that still names 2022, for the user to check."""
    path = shipped / "content/2022/cunzhen-jianshe.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: cunzhen-jianshe", "id: cunzhen-jianshe  # 2022年度新增"),
                    encoding="utf-8")
    result = run_cli("new", "2023", "--from", "2022", cwd=shipped)
    date_year(shipped, 2023)
    assert result.returncode == 0, result.stderr
    old = path.read_text(encoding="utf-8")
    new = (shipped / "content/2023/cunzhen-jianshe.yaml").read_text(encoding="utf-8")
    comments = [(a, b) for a, b in zip(old.splitlines(), new.splitlines()) if "#" in a]
    assert comments[0] == ("# 项目支出绩效目标表：村镇建设管理工作经费（2022 年）", "# 项目支出绩效目标表：村镇建设管理工作经费（2023 年）")
    assert comments[1][1] == comments[1][0] and "转录自黔南州住房和城乡建设局 2022 年" in comments[1][1]
    assert ("id: cunzhen-jianshe  # 2022年度新增", "id: cunzhen-jianshe  # 2023年度新增") in comments
    assert all(a == b for a, b in comments[2:] if "2022" not in a)
    assert "年度: 2023" in new and "2023年12月31日" in new and "2022年12月31日" not in new
    assert "注意：复制的文件中有 7 行仍提到 2022，照原样保留" in result.stdout
    assert "content/2023/cunzhen-jianshe.yaml:2: # 转录自黔南州住房和城乡建设局 2022 年" in result.stdout
    assert "content/2023/jianzhuye-guanli.yaml:74: - 三级指标: 完成2022年目标任务时间" in result.stdout
    assert run_cli("check", "--strict", cwd=shipped).returncode == 0
    again = run_cli("new", "2023", "--from", "2022", cwd=shipped)
    assert again.returncode == 2 and "--force" in again.stderr


def test_built_site_shows_year_over_year_section_and_changes_page(shipped: Path):
    assert run_cli("new", "2023", "--from", "2022", cwd=shipped).returncode == 0
    make_changes(shipped, "content/2023/wuye-houqin.yaml")
    result = run_cli("build", cwd=shipped)
    assert result.returncode == 0, result.stderr
    out = shipped / "output"
    page = read((out / "2023/wuye-houqin.html").read_text(encoding="utf-8"))
    fund_table = next(t for t in page.tables if [c.text for c in t["rows"][0]] == ["项目", "2022年度", "2023年度", "变化"])
    rows = {r[0].text: [c.text for c in r[1:]] for r in fund_table["rows"] if r and r[0].tag == "th" and r[0].text != "项目"}
    assert rows["资金总额"] == ["10.38", "11", "+0.62 (+5.97%)"]
    assert rows["其他资金"] == ["", "", ""]
    changes = next(t for t in page.tables if "row-changes" in t["attrs"].get("class", ""))
    assert sorted((r[0].text, r[1].text) for r in changes["rows"][1:]) == sorted(
        [("修改", "公共环境卫生清洁次数"), ("修改", "物业管理费维护成本"), ("移动", "公舒适度"),
         ("修改", "提供服务公司满意度"), ("新增", "来访群众满意度"), ("删除", "全局干部职工满意度")])
    html = (out / "2023/wuye-houqin.html").read_text(encoding="utf-8")
    assert "营造<ins>整洁</ins>舒适<del>干净</del>办公环境" in html
    unchanged = (out / "2023/cunzhen-jianshe.html").read_text(encoding="utf-8")
    assert "与上年对比" in unchanged and "没有变化" in unchanged
    assert "与上年对比" not in (out / "2022/wuye-houqin.html").read_text(encoding="utf-8")
    changes_page = (out / "2023/changes.html").read_text(encoding="utf-8")
    assert "新增 0 个项目，删除 0 个，修改 1 个，未变 4 个" in changes_page
    assert changes_page.count("row-changed") + changes_page.count("row-moved") + changes_page.count(
        "row-added") + changes_page.count("row-removed") == 6
    assert not (out / "2022/changes.html").exists()
    assert 'href="changes.html"' in (out / "2023/index.html").read_text(encoding="utf-8")


def test_editing_last_year_rebuilds_this_years_comparison(shipped: Path):
    from perfsite.builder import Builder

    assert run_cli("new", "2023", "--from", "2022", cwd=shipped).returncode == 0
    builder = Builder(shipped / "content", shipped / "templates", shipped / "site", in_place=True)
    assert builder.build().ok
    edit(shipped, WUYE, "每周≥7次", "每周≥6次")
    result = builder.build()
    # Last year's page, this year's comparison and changes page, and this year's page (one more
    # changed project in its counts); not the pages that list only names and totals. Last year's
    # self-evaluation (the shipped example) shows the target, so its page and downloads too.
    assert {p for p in result.written if p.endswith(".html")} == {
        "2022/wuye-houqin.html", "2023/wuye-houqin.html", "2023/changes.html", "2023/index.html",
        "2022/ziping/wuye-houqin.html"}
    department_csv = [p for p in result.written if p.startswith("2022/indicators/")]
    assert {p for p in result.written if not p.endswith(".html")} == {
        "2022/wuye-houqin.json", "2022/wuye-houqin.csv", "2022/wuye-houqin.xlsx", "2022/indicators.csv",
        "2022/ziping/wuye-houqin.json", "2022/ziping/wuye-houqin.csv", "2022/ziping/scores.csv", *department_csv}
    # its department's CSV and workbook (test_opendata: not the others')
    assert sorted(Path(p).suffix for p in department_csv) == [".csv", ".xlsx"]
    assert "每周≥6次" in (shipped / "site/2023/wuye-houqin.html").read_text(encoding="utf-8")


def test_a_year_with_many_changed_projects_gets_a_summary_changes_page(tmp_path: Path):
    import re
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    site = generate(330, tmp_path / "site")  # 110 projects, each changed every year
    result = run_cli("build", "--strict", "--no-search", cwd=site)  # --strict: every #yoy link resolves
    assert result.returncode == 0, result.stderr
    page = (site / "output/2023/changes.html").read_text(encoding="utf-8")
    assert "修改项目一览（共 110 个" in page and 'class="row-changes"' not in page
    assert len(re.findall(r'<a href="p\d{6}\.html#yoy">', page)) == 110


def test_a_change_read_back_from_the_cache_is_the_same_change():
    from perfsite.site import Change

    for change in (Change("changed", "p1", "名称", "+0.62 (+5.97%)", 2, 17), Change("added", "p2", "a\x1fb\x1f"),
                   Change("removed", "p3", "")):
        assert Change.from_line(change.line) == change


def test_a_large_year_lists_its_changes_per_department(tmp_path: Path, monkeypatch):
    """Above YearPage.SPLIT_CHANGES_LIMIT projects the year's changes page counts each department's
    changes and links a page per department (one a line per project), which also lists the
    projects removed from it, even when none of the department is left; an edit rewrites only its
    own department's page."""
    import re
    import shutil
    import sys

    from html_tables import expand

    from perfsite.builder import Builder
    from perfsite.site import YearPage

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    monkeypatch.setattr(YearPage, "SPLIT_CHANGES_LIMIT", 50)
    site = generate(300, tmp_path / "site")  # 100 projects a year, 2 in each of 50 departments
    year = site / "content/2023"
    for gone in ("p000007", "p000057"):  # the whole of one department
        (year / f"{gone}.yaml").unlink()
    added = (year / "p000001.yaml").read_text(encoding="utf-8")
    (year / "p000999.yaml").write_text(added.replace("id: p000001", "id: p000999").replace("项目名称: ", "项目名称: 新", 1),
                                       encoding="utf-8")
    out = site / "output"
    assert Builder(site / "content", site / "templates", out, search=False, strict=True).build().ok  # links checked

    summary = read((out / "2023/changes.html").read_text(encoding="utf-8"))
    rows = [[c.text.strip() for c in row] for row in expand(summary.tables[0]["rows"])[1:]]
    assert len(rows) == 50  # 49 departments of 2023, and the one whose projects were all removed
    assert [sum(int(r[i]) for r in rows) for i in (1, 2, 3)] == [1, 2, 98]  # added, removed, changed
    links = re.findall(r'href="(changes/[^"]+\.html)"', (out / "2023/changes.html").read_text(encoding="utf-8"))
    assert len(links) == 50 and all((out / "2023" / link).is_file() for link in links)

    listed: dict[str, str] = {}  # project link → the department page listing it
    for link in links:
        for target in re.findall(r'<a href="([^"]+\.html)(?:#yoy)?">', (out / "2023" / link).read_text(encoding="utf-8")):
            if re.search(r"p\d{6}\.html$", target):
                assert target not in listed, target
                listed[target] = link
    assert len(listed) == 99 + 2  # this year's projects, and the two removed
    assert listed["../../2022/p000007.html"] == listed["../../2022/p000057.html"]
    assert listed["../p000999.html"] == listed["../p000001.html"] == listed["../p000051.html"]
    assert "2023/changes/" in (out / "sitemap.xml").read_text(encoding="utf-8")

    target = year / "p000003.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("良好", "较好", 1), encoding="utf-8")
    result = Builder(site / "content", site / "templates", out, search=False).build()
    page = listed["../p000003.html"]  # its department's, this year and next (which compares with it)
    assert sorted(p for p in result.written if "changes" in p) == [f"2023/{page}", f"2024/{page}"]
    clean = tmp_path / "clean"
    shutil.copytree(site / "content", clean / "content")
    shutil.copytree(site / "templates", clean / "templates")
    assert Builder(clean / "content", clean / "templates", clean / "output", search=False).build().ok
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".perfsite-state"} \
        == {p.relative_to(clean / "output"): p.read_bytes() for p in (clean / "output").rglob("*")
            if p.is_file() and p.name != ".perfsite-state"}


def test_a_large_diff_parsed_in_workers_is_the_same_diff(tmp_path: Path):
    """perfsite diff --jobs: each side's files are parsed in forked processes (from disk and from
    git); the report is byte for byte the one process's."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    site = generate(660, tmp_path / "site")  # 220 files a year: enough to be shared out
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    for args in (["2022", "2023"], ["HEAD:content/2023", "content/2024"]):
        one = run_cli("diff", *args, "--format", "json", "--jobs", "1", cwd=site)
        two = run_cli("diff", *args, "--format", "json", "--jobs", "2", cwd=site)
        assert one.returncode == two.returncode == 0, one.stderr + two.stderr
        assert one.stdout == two.stdout and len(json.loads(one.stdout)["projects"]) >= 220, args


# -- issue 19: a row's every column, and the 表样 and 预算执行, are changes ------------------------

YITIHUA_SITE = ("网站名称: 测试网站\n发布单位: 某县交通运输局\n网址: https://example.gov.cn/jxmb/\n"
                "指标体系:\n  默认: '2021'\n表样:\n  默认: 一体化2021\n")


def _yitihua_years(root: Path) -> Path:
    """A git repository holding the 2023 一体化 table of test_forms, and its copy for 2024 edited
    the way a bureau edits such a table: weights moved between rows (still 100 with 预算执行),
    a unit, a comparator and a direction changed, and a 表样 of its own that adds 指标解释 and
    核心指标, each then filled in on one row."""
    from test_forms import YITIHUA

    (root / "content/2023").mkdir(parents=True)
    (root / "content/site.yaml").write_text(YITIHUA_SITE, encoding="utf-8")
    (root / "content/2023/yitihua.yaml").write_text(YITIHUA, encoding="utf-8")
    assert run_cli("new", "2024", "--from", "2023", cwd=root).returncode == 0
    date_year(root, 2023)
    date_year(root, 2024)
    rel = "content/2024/yitihua.yaml"
    edit(root, rel, "表样: 一体化2021", "表样: [三级指标, 指标性质, 指标值, 度量单位, 权重, 指标方向, 指标解释, 核心指标]")
    edit(root, rel, "预算执行: 10", "预算执行: 15")
    edit(root, rel, "        权重: 20\n        指标方向: 反向", "        权重: 15\n        指标方向: 正向")  # 养护成本
    edit(root, rel, "度量单位: 公里\n        权重: 30", "度量单位: 千米\n        权重: 25.0\n        核心指标: ★★★")
    edit(root, rel, "        指标性质: ≥\n        指标值: 90\n        度量单位: '%'\n        权重: 20",
         "        指标性质: ≤\n        指标值: 90\n        度量单位: '%'\n        权重: 25")
    edit(root, rel, "        指标值: 满意\n", "        指标值: 满意\n        指标解释: 问卷调查满意度\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "2023 and 2024")
    return root


def test_a_change_of_any_row_column_or_of_the_form_is_shown_as_such(tmp_path: Path):
    root = _yitihua_years(tmp_path)
    assert run_cli("check", "--strict", cwd=root).returncode == 0  # both years are valid tables
    (project,) = changed(diff_json(root, "HEAD:content/2023", "HEAD:content/2024")).values()
    assert project["header"] == [
        {"field": "表样", "old": "一体化2021", "new": "[三级指标, 指标性质, 指标值, 度量单位, 权重, 指标方向, 指标解释, 核心指标]",
         "delta": None},
        {"field": "预算执行", "old": "10", "new": "15", "delta": "+5"}]
    rows = {r["name"]: (r["kind"], r["old_value"], r["new_value"], [(c["field"], c["old"], c["new"], c["delta"])
                                                                    for c in r["fields"]]) for r in project["rows"]}
    assert rows == {
        "养护成本": ("changed", "100", "100", [("权重", "20", "15", "-5"), ("指标方向", "反向", "正向", None)]),
        "养护里程": ("changed", "120", "120", [("度量单位", "公里", "千米", None), ("权重", "30", "25.0", "-5"),
                                            ("核心指标", None, "★★★", None)]),
        "路面完好率": ("changed", "90", "90", [("指标性质", "≥", "≤", None), ("权重", "20", "25", "+5")]),
        "群众满意度": ("changed", "满意", "满意", [("指标解释", None, "问卷调查满意度", None)])}
    text = run_cli("diff", "2023", "2024", cwd=root).stdout
    for line in ("  预算执行: 10 → 15（+5）", "  表样: 一体化2021 → [三级指标, 指标性质, 指标值, 度量单位, 权重, 指标方向, 指标解释, 核心指标]",
                 "~ 指标 成本指标(0-20)分/经济成本/养护成本；权重: 20 → 15（-5）；指标方向: 反向 → 正向",
                 "~ 指标 产出指标(40-50)分/数量/养护里程；度量单位: 公里 → 千米；权重: 30 → 25.0（-5）；核心指标: （空） → ★★★",
                 "~ 指标 产出指标(40-50)分/质量/路面完好率；指标性质: ≥ → ≤；权重: 20 → 25（+5）"):
        assert line in text, text
    markdown = run_cli("diff", "2023", "2024", "--format", "markdown", cwd=root).stdout
    assert "| 数值变化 | 其他栏目 |" in markdown
    assert "| 修改 | 路面完好率 | 产出指标(40-50)分/质量 | 产出指标(40-50)分/质量 | 90 | 90 |  | 指标性质: ≥ → ≤；权重: 20 → 25（+5） |" \
        in markdown


def test_the_same_weight_written_another_way_is_no_change(tmp_path: Path):
    """权重 30 and 30.0 are one weight (amounts compare as amounts), as 预算执行 10 and 10.0 are."""
    root = tmp_path
    from test_forms import YITIHUA

    for side, text in (("old", YITIHUA), ("new", YITIHUA.replace("权重: 30", "权重: 30.0").replace("预算执行: 10", "预算执行: 10.0"))):
        (root / side).mkdir()
        (root / side / "p.yaml").write_text(text, encoding="utf-8")
    (project,) = diff_json(root, "old", "new")["projects"]
    assert project["status"] == "unchanged"


def test_the_site_shows_row_column_changes_in_the_comparison(tmp_path: Path):
    """与上年对比 on the project's page and the year's changes page: each changed column in the
    row's 上年 and 本年 cells (（权重：30） → （权重：25.0）) and its change in 数值变化; the form and
    预算执行 in the list of header changes."""
    root = _yitihua_years(tmp_path)
    result = run_cli("build", "--no-search", cwd=root)
    assert result.returncode == 0, result.stderr
    for page in ("output/2024/yitihua.html", "output/2024/changes.html"):
        html = (root / page).read_text(encoding="utf-8")
        table = next(t for t in read(html).tables if "row-changes" in t["attrs"].get("class", ""))
        rows = {r[1].text: [c.text for c in r[2:]] for r in table["rows"][1:]}
        assert rows["养护里程"] == ["产出指标(40-50)分/数量", "120（度量单位：公里）（权重：30）",
                                "120（度量单位：千米）（权重：25.0）（核心指标：★★★）", "权重 -5"], page
        assert rows["路面完好率"][1:] == ["90（指标性质：≥）（权重：20）", "90（指标性质：≤）（权重：25）", "权重 +5"]
        assert rows["群众满意度"][1:] == ["满意", "满意（指标解释：问卷调查满意度）", ""]
        assert "预算执行：<del>10</del> → <ins>15</ins>" in html
        assert "表样：<del>一体化2021</del> → <ins>[三级指标, 指标性质, 指标值, 度量单位, 权重, 指标方向, 指标解释, 核心指标]</ins>" in html
