"""The command line as users and scripts meet it: exit codes, messages, output left untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import files, line_of, run_cli, snapshot

WUYE = "content/2022/wuye-houqin.yaml"
CUNZHEN = "content/2022/cunzhen-jianshe.yaml"


def edit(root: Path, rel: str, old: str, new: str) -> str:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


# (file, old, new, code, the line the error must name)
BREAKAGES = {
    "duplicate key": (WUYE, "实施单位: 黔南州住房和城乡建设局\n", "实施单位: 黔南州住房和城乡建设局\n实施单位: 别的单位\n",
                      "E002", "实施单位: 别的单位"),
    "syntax error": (WUYE, "  资金来源: 财政资金", "  资金来源: '财政资金", "E001", "资金来源: '财政资金"),
    "fund total off by 0.01": (WUYE, "  资金总额: 10.38", "  资金总额: 10.39", "E012", "资金总额: 10.39"),
    "unknown 二级": (CUNZHEN, "    时效:", "    时间:", "E031", "    时间:"),
    "number as words": (WUYE, "  本级安排: 10.38", "  本级安排: 十点三八", "E010", "本级安排: 十点三八"),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_content_error_exits_1_with_position_and_leaves_output_untouched(shipped: Path, name: str):
    first = run_cli("build", cwd=shipped)
    assert first.returncode == 0, first.stderr
    before = snapshot(shipped / "output")
    rel, old, new, code, needle = BREAKAGES[name]
    text = edit(shipped, rel, old, new)
    result = run_cli("build", cwd=shipped)
    assert result.returncode == 1
    line = line_of(text, needle)
    if code == "E001":  # an unclosed quote: libyaml fails further down; the hint names the quote's line
        assert re.search(rf"^{re.escape(rel)}:\d+:\d+: error E001 ", result.stderr, re.M), result.stderr
        assert f"第 {line} 行的引号" in result.stderr
    else:
        assert re.search(rf"^{re.escape(rel)}:{line}:\d+: error {code} ", result.stderr, re.M), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(shipped / "output") == before
    assert run_cli("check", cwd=shipped).returncode == 1


def test_all_problems_of_all_files_in_one_run(shipped: Path):
    edit(shipped, WUYE, "  资金总额: 10.38", "  资金总额: 10.39")
    edit(shipped, CUNZHEN, "    时效:", "    时间:")
    edit(shipped, CUNZHEN, "  本级安排: 9.1", "  本级安排: 九点一")
    result = run_cli("check", cwd=shipped)
    assert result.returncode == 1
    assert [m for m in re.findall(r"error (E\d+)", result.stderr)] == ["E010", "E031", "E012"]
    assert "3 个错误" in result.stderr


def test_warnings_pass_but_strict_fails(shipped: Path):
    edit(shipped, WUYE, "        指标值: 2022年12月31日", "        指标值: 2023年12月31日")
    ok = run_cli("build", cwd=shipped)
    assert ok.returncode == 0 and "warning W002" in ok.stderr
    before = snapshot(shipped / "output")
    strict = run_cli("build", "--strict", cwd=shipped)
    assert strict.returncode == 1 and "error W002" in strict.stderr
    assert snapshot(shipped / "output") == before


def test_duplicate_ids_and_year_mismatch(shipped: Path):
    text = (shipped / WUYE).read_text(encoding="utf-8")
    (shipped / "content/2022/copy.yaml").write_text(text, encoding="utf-8")
    (shipped / "content/2023").mkdir()
    (shipped / "content/2023/moved.yaml").write_text(text.replace("id: wuye-houqin", "id: moved"), encoding="utf-8")
    result = run_cli("check", cwd=shipped)
    assert result.returncode == 1
    assert re.search(r"content/2022/wuye-houqin.yaml:4:5: error E026 .*copy.yaml", result.stderr), result.stderr
    assert re.search(r"content/2023/moved.yaml:5:\d+: error E025 年度 2022 与所在目录 2023/ 不一致", result.stderr)


def test_one_department_code_under_two_names_in_a_year_is_an_error(shipped: Path):
    """The department page and its anchor go by the code: one of the two names vanished from the
    site, and the year page had two sections with one id."""
    text = (shipped / WUYE).read_text(encoding="utf-8").replace("主管部门及代码: 黔南州住房和城乡建设局",
                                                                "主管部门及代码: 219-黔南州住房和城乡建设局")
    (shipped / WUYE).write_text(text, encoding="utf-8")
    other = text.replace("id: wuye-houqin", "id: other").replace("219-黔南州住房和城乡建设局", "219-黔南州住建局")
    (shipped / "content/2022/other.yaml").write_text(other, encoding="utf-8")
    for command in (["check"], ["build", "--no-search"]):
        result = run_cli(*command, cwd=shipped)
        assert result.returncode == 1, result.stderr
        assert re.search(r"content/2022/wuye-houqin.yaml:7:\d+: error E034 部门编码 219 在 2022 年已是「黔南州住建局」"
                         r"（content/2022/other.yaml），这里却是「黔南州住房和城乡建设局」", result.stderr), result.stderr


def test_misplaced_project_file_is_an_error(shipped: Path):
    (shipped / "content/stray.yaml").write_text("id: x\n", encoding="utf-8")
    result = run_cli("check", cwd=shipped)
    assert result.returncode == 1 and "content/stray.yaml: error E028" in result.stderr


def test_missing_site_config(shipped: Path):
    (shipped / "content/site.yaml").unlink()
    result = run_cli("build", cwd=shipped)
    assert result.returncode == 1 and "E040" in result.stderr and not (shipped / "output").exists()


@pytest.mark.parametrize("args", [[], ["build", "--bogus"], ["frobnicate"], ["build", "--content", "nowhere"],
                                  ["check", "--content", "nowhere"], ["build", "--jobs", "0"],
                                  ["serve", "--jobs", "0"], ["check", "--jobs", "0"], ["fmt", "--jobs", "-1"]])
def test_wrong_usage_exits_2(shipped: Path, args: list[str]):
    result = run_cli(*args, cwd=shipped)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


def test_help_is_bilingual(shipped: Path):
    for args in (["--help"], ["build", "--help"], ["check", "--help"]):
        out = run_cli(*args, cwd=shipped).stdout
        assert re.search(r"[\u4e00-\u9fff]", out) and re.search(r"\b(build|validate|content)\b", out), args


def test_custom_directories(shipped: Path):
    (shipped / "content").rename(shipped / "my-content")
    (shipped / "templates").rename(shipped / "my-templates")
    result = run_cli("build", "--content", "my-content", "--templates", "my-templates", "--output", "site", cwd=shipped)
    assert result.returncode == 0, result.stderr
    assert (shipped / "site/2022/wuye-houqin.html").is_file()


def test_refuses_to_replace_a_directory_it_did_not_make(shipped: Path):
    (shipped / "docs").mkdir()
    (shipped / "docs/important.txt").write_text("keep me", encoding="utf-8")
    result = run_cli("build", "--output", "docs", cwd=shipped)
    assert result.returncode == 1 and "E060" in result.stderr
    assert (shipped / "docs/important.txt").read_text(encoding="utf-8") == "keep me"
    result = run_cli("build", "--output", ".", cwd=shipped)
    assert result.returncode == 1 and (shipped / "content/site.yaml").is_file()


def test_rebuild_replaces_stale_pages(shipped: Path):
    assert run_cli("build", cwd=shipped).returncode == 0
    (shipped / WUYE).unlink()
    (shipped / "content/2022/自评/wuye-houqin.yaml").unlink()  # its self-evaluation goes with it
    assert run_cli("build", cwd=shipped).returncode == 0
    assert not (shipped / "output/2022/wuye-houqin.html").exists()
    assert not (shipped / "output/2022/ziping/wuye-houqin.html").exists()
    assert not [p for p in shipped.iterdir() if p.name.startswith(".output.")and p.is_dir()]


@pytest.mark.parametrize("args, said", [
    (["new", "0", "某项目"], "年份 0 不在"), (["new", "99999", "某项目"], "年份 99999 不在"),
    (["new", "二〇二二", "某项目"], "不是年份"), (["new", "2022", " "], "项目名称 NAME 不能为空"),
    (["new", "2023", "--from", "-1"], "年份 -1 不在"), (["import", "x.csv", "--year", "5"], "年份 5 不在"),
    (["serve", "--port", "70000"], "端口 70000 不在"), (["serve", "--port", "-1"], "端口 -1 不在"),
    (["serve", "--host", ""], "不是本机可以监听的地址"), (["serve", "--host", "evil host"], "不是本机可以监听的地址"),
])
def test_invalid_arguments_are_refused_before_anything_is_written(site_dir: Path, args: list[str], said: str):
    """Years, ports and hosts were taken as given: `new 0 x` wrote content/0/x.yaml, which check
    then refused; --port 70000 served on a random port; --host '' listened on every address."""
    before = files(site_dir)
    result = run_cli(*args, cwd=site_dir)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert files(site_dir) == before


def test_a_project_file_with_an_upper_case_suffix_is_named_not_skipped(site_dir: Path):
    (site_dir / "content/2022/other.YAML").write_text("id: other\n", encoding="utf-8")
    result = run_cli("check", cwd=site_dir)
    assert result.returncode == 0 and "content/2022/other.YAML: warning W011 扩展名 .YAML 不是小写" in result.stderr, result.stderr
    assert run_cli("check", "--strict", cwd=site_dir).returncode == 1
