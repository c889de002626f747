"""perfsite fmt: one spelling per content, comments and data kept, idempotent."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from perfsite.config import SiteConfig
from perfsite.evaluation import build_evaluation
from perfsite.fmt import FmtResult, format_paths, format_text
from perfsite.model import build_project
from perfsite.source import parse_text

from conftest import CONTENT, MINIMAL, SITE, run_cli

SHIPPED = sorted(CONTENT.rglob("*.yaml"))
PROJECTS = sorted((CONTENT / "2022").glob("*.yaml"))


def kind_of(path: Path) -> str:
    if path == CONTENT / "site.yaml":
        return "site"
    return {"自评": "evaluation", "部门": "department"}.get(path.parent.name, "project")


def fmt(text: str, kind: str = "project") -> str:
    out, diags = format_text(text, "t.yaml", kind)
    assert out is not None, [d.format() for d in diags]
    return out


def data(text: str):
    source, diags = parse_text(text, "t.yaml")
    assert source is not None, [d.format() for d in diags]
    return source.data


def comments(text: str) -> Counter[str]:
    """Comment texts, found independently of fmt (the shipped files have no '#' inside values)."""
    return Counter(m[1].rstrip() for m in re.finditer(r"(?:^|[ \t])(#.*)$", text, re.MULTILINE))


def value_line(text: str, key: str) -> str:
    return next(line for line in text.splitlines() if line.lstrip(" -").startswith(f"{key}:"))


# --- the shipped content ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_format_idempotently_keeping_data_and_every_comment(path: Path):
    text = path.read_text(encoding="utf-8")
    out = fmt(text, kind_of(path))
    assert fmt(out, kind_of(path)) == out
    assert data(out) == data(text)
    assert comments(text) and comments(out) == comments(text)
    source, _ = parse_text(out, path.name)
    if kind_of(path) == "site":
        SiteConfig.model_validate(source.data)
    elif kind_of(path) == "evaluation":
        assert build_evaluation(source)[1] == []
    else:
        assert build_project(source)[2] == []


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: p.name)
def test_shipped_project_files_are_already_canonical(path: Path):
    text = path.read_text(encoding="utf-8")
    assert fmt(text) == text


def test_shipped_comments_stay_in_place():
    text = (CONTENT / "2022" / "wuye-houqin.yaml").read_text(encoding="utf-8")
    out = fmt(text)
    assert "  上级补助:  # 原表空白\n" in out
    assert out.startswith("# 项目支出绩效目标表：局机关物业管理后勤工作经费（2022 年）\n")
    text = (CONTENT / "2022" / "chengjian-zhifa.yaml").read_text(encoding="utf-8")
    assert "      # 原表此行左移一列（三级指标落在二级指标列），仍属 数量\n      - 三级指标: 谋划精包装项目\n" in fmt(text)


def test_minimal_is_canonical_and_idempotent():
    assert fmt(MINIMAL) == MINIMAL
    assert fmt(fmt(MINIMAL)) == fmt(MINIMAL)


# --- order -----------------------------------------------------------------------------------------

SHUFFLED = """\
# 文件头注释
绩效指标:  # 指标
  满意度:
    服务对象满意度:
      # 行注释
      - 指标值: ≥90%
        说明: 无
        三级指标: 群众满意度
  产出:
    数量:
      - 三级指标: 检查次数
        指标值: ≥1次
资金:
  本级安排: 10
  # 总额注释
  资金总额: 10
  资金来源: 财政资金
  财政拨款: 10
年度目标:
  - 目标1：完成测试。
实施单位: 测试局
# 名称注释
项目名称: 测试项目
主管部门及代码: 测试局
年度: 2022
id: test-project
# 结尾注释
"""

ORDERED = """\
# 文件头注释
id: test-project
年度: 2022
# 名称注释
项目名称: 测试项目
主管部门及代码: 测试局
实施单位: 测试局
资金:
  资金来源: 财政资金
  # 总额注释
  资金总额: 10
  财政拨款: 10
  本级安排: 10
年度目标:
  - 目标1：完成测试。
绩效指标:  # 指标
  满意度:
    服务对象满意度:
      # 行注释
      - 三级指标: 群众满意度
        指标值: ≥90%
        说明: 无
  产出:
    数量:
      - 三级指标: 检查次数
        指标值: ≥1次
# 结尾注释
"""


def test_keys_come_out_in_form_order_with_their_comments():
    out = fmt(SHUFFLED)
    assert out == ORDERED  # 一级/二级 categories and rows keep their order: the published table's
    assert data(out) == data(SHUFFLED)
    assert fmt(out) == out


def reverse_blocks(lines: list[str], indent: int) -> list[str]:
    """The entries at ``indent`` in reverse order, each with the comments above it and its children."""
    blocks: list[list[str]] = []
    pending: list[str] = []
    for line in lines:
        if line.lstrip().startswith("#"):
            pending.append(line)
        elif len(line) - len(line.lstrip(" ")) == indent:
            blocks.append(pending + [line])
            pending = []
        else:
            blocks[-1] += pending + [line]
            pending = []
    return [line for block in reversed(blocks) for line in block] + pending


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: p.name)
def test_a_shipped_file_with_every_key_out_of_order_formats_back_to_itself(path: Path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    top = reverse_blocks(lines[header:], 0)
    start = top.index("资金:") + 1
    end = next(i for i in range(start, len(top)) if not top[i].startswith(" "))
    top[start:end] = reverse_blocks(top[start:end], 2)
    shuffled = "\n".join(lines[:header] + top) + "\n"
    shuffled = re.sub(r"(?m)^( +)- 三级指标: (.*)\n\1  指标值: (.*)$", r"\1- 指标值: \3\n\1  三级指标: \2", shuffled)
    assert shuffled != text and data(shuffled) == data(text)
    assert fmt(shuffled) == text


def test_a_comment_above_a_row_key_moved_first_goes_above_the_row():
    text = "绩效指标:\n  产出:\n    数量:\n      - 指标值: ≥1次\n        # 名称\n        三级指标: 检查\n"
    out = fmt(text)
    assert out.endswith("    数量:\n      # 名称\n      - 三级指标: 检查\n        指标值: ≥1次\n")
    assert fmt(out) == out


def test_unknown_keys_are_kept_after_the_known_ones_in_their_order():
    text = MINIMAL.replace("id: test-project\n", "zzz: 1\nid: test-project\n项目名字: 拼错  # typo\n") \
                  .replace("  资金来源: 财政资金\n", "  备注: 无\n  资金来源: 财政资金\n")
    out = fmt(text)
    keys = list(data(out))
    assert keys[-2:] == ["zzz", "项目名字"]
    assert list(data(out)["资金"])[-1] == "备注"
    assert "项目名字: 拼错  # typo\n" in out
    assert data(out) == data(text)


def test_site_yaml_is_formatted_in_siteconfig_order():
    text = "指标体系:\n  年度:\n    \"2023\": \"2021\"\n  默认: classic\n语言: zh-CN\n网址: https://example.gov.cn/\n" \
           "发布单位: 测试局\n网站名称: 测试网站\n"
    out = fmt(text, "site")
    assert out == ("网站名称: 测试网站\n发布单位: 测试局\n网址: https://example.gov.cn/\n语言: zh-CN\n"
                   "指标体系:\n  默认: classic\n  年度:\n    '2023': '2021'\n")
    assert SiteConfig.model_validate(data(out)).profile(2023).key == "2021"
    assert fmt(SITE, "site") == SITE


# --- spelling --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, spelled", [
    ("100", "'100'"),
    ("yes", "'yes'"),
    ("null", "'null'"),
    ("2022-12-31", "'2022-12-31'"),
    ("0123", "'0123'"),
    ("1:30", "'1:30'"),
    ("1e3", "'1e3'"),
    ("比例: 70%", "'比例: 70%'"),
    ("*号", "'*号'"),
    ("#1", "'#1'"),
    ("它的 '引号'", "它的 '引号'"),
    ("'引号'开头", "'''引号''开头'"),
    ('"双引号"', "'\"双引号\"'"),
    ("  前有空格", "'  前有空格'"),
    ("", "''"),
    ("≥90%", "≥90%"),
    ("开展主题党日活动\\表彰慰问", "开展主题党日活动\\表彰慰问"),
    ("2022年12月31日", "2022年12月31日"),
    ("219-某某局", "219-某某局"),
    ("219", "'219'"),
])
def test_values_are_plain_only_when_every_reader_reads_the_same_text(value: str, spelled: str):
    text = MINIMAL.replace("指标值: ≥1次", "指标值: " + ("''" if not value else "'" + value.replace("'", "''") + "'"))
    out = fmt(text)
    assert value_line(out, "指标值") == f"        指标值: {spelled}"
    assert data(out)["绩效指标"]["产出"]["数量"][0]["指标值"] == value
    assert fmt(out) == out


def test_chinese_is_written_as_is_and_plain_text_unquoted():
    out = fmt(MINIMAL.replace("项目名称: 测试项目", '项目名称: "\\u6d4b\\u8bd5\\u9879\\u76ee"'))
    assert "项目名称: 测试项目\n" in out


def test_text_that_looks_like_a_number_is_quoted_but_the_year_is_not():
    out = fmt(MINIMAL.replace("项目名称: 测试项目", "项目名称: '2022'").replace("年度: 2022", "年度: '２０２２'"))
    assert "项目名称: '2022'\n" in out
    assert "年度: 2022\n" in out
    assert "id: test-project\n" in out


def test_empty_values_are_bare_keys_and_empty_strings_stay_quoted():
    out = fmt(MINIMAL.replace("  上级补助: 0", "  上级补助: ~").replace("  其他资金: 0", "  其他资金: null")
              .replace("实施单位: 测试局", "实施单位: 测试局\n项目负责人: ''"))
    assert "  上级补助:\n" in out and "  其他资金:\n" in out
    assert "项目负责人: ''\n" in out


def test_multiline_text_becomes_a_literal_block():
    text = MINIMAL.replace("  - 目标1：完成测试。", '  - "第一行\\n第二行\\n"\n  - "a\\nb"\n  - "尾随空格 \\n下一行"')
    out = fmt(text)
    assert "  - |\n    第一行\n    第二行\n  - |-\n    a\n    b\n" in out
    assert '  - "尾随空格 \\n下一行"\n' in out
    assert data(out)["年度目标"] == ["第一行\n第二行\n", "a\nb", "尾随空格 \n下一行"]


def test_flow_style_becomes_block_style():
    out = fmt(MINIMAL.replace("  - 目标1：完成测试。", "  - {a: 1}").replace("年度目标:\n", "年度目标: ['x: y', 中文]\nfoo:\n"))
    assert "年度目标:\n  - 'x: y'\n  - 中文\n" in out
    assert "foo:\n  - a: '1'\n" in out


@pytest.mark.parametrize("written, canonical", [
    ("１０.３８", "10.38"),
    ("'1,234.50'", "1234.50"),
    ("010.38", "10.38"),
    ("36.40", "36.40"),
    ("36.4", "36.4"),
    ("'+5'", "5"),
    ("'0'", "0"),
    ("十万", "十万"),
    ("'1,23'", "1,23"),
])
def test_amounts_have_one_spelling_with_their_published_decimals(written: str, canonical: str):
    out = fmt(MINIMAL.replace("  资金总额: 10", f"  资金总额: {written}"))
    assert "  资金总额: " + canonical + "\n" in out
    assert fmt(out) == out


# --- text hygiene ----------------------------------------------------------------------------------

def test_crlf_and_bom_are_normalised():
    text = "\ufeff" + SHUFFLED.replace("\n", "\r\n")
    out = fmt(text)
    assert out == ORDERED
    assert "\r" not in out and not out.startswith("\ufeff")


def test_output_ends_with_one_newline_and_has_no_trailing_spaces():
    out = fmt("\n\n" + MINIMAL.replace("年度: 2022", "年度: 2022   #   note   \n\n\n") + "\n\n\n")
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert all(line == line.rstrip() for line in out.splitlines())
    assert "年度: 2022  #   note\n" in out


def test_a_file_that_does_not_parse_gives_diagnostics_and_no_text():
    out, diags = format_text("a: b: c\n", "bad.yaml", "project")
    assert out is None and diags and diags[0].code == "E001"
    out, diags = format_text("a: 1\na: 2\n", "dup.yaml", "project")
    assert out is None and diags[0].code == "E002"


def test_source_records_where_scalars_end_and_how_they_were_written():
    source, _ = parse_text("k: 'a # b'  # c\nl: |\n  x\n", "t.yaml")
    assert source.keys[("k",)] == (1, 1) and source.key_ends[("k",)] == (1, 2)
    assert source.values[("k",)] == (1, 4) and source.value_ends[("k",)] == (1, 11)
    assert source.styles[("k",)] == "'" and source.styles[("l",)] == "|" and source.key_styles[("l",)] == ""


def test_comments_and_hashes_inside_values_are_told_apart():
    text = "k: 'a # b'  # c1\nl: |  # c2\n  # not a comment\n# c3\nm: x#y\n"
    out = fmt(text)
    assert out == text
    assert data(out) == {"k": "a # b", "l": "# not a comment\n", "m": "x#y"}


# --- files -----------------------------------------------------------------------------------------

@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    site = root / "site.yaml"  # a non-canonical spelling of the year key, as hand-written configs have
    site.write_text(site.read_text(encoding="utf-8").replace("'2022': classic", '"2022": classic'), encoding="utf-8")
    (root / "2022" / "shuffled.yaml").write_text(SHUFFLED.replace("test-project", "shuffled"), encoding="utf-8")
    (root / "2022" / ".hidden.yaml").write_text("b: 1\na: 2\n", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.yaml").write_text("not:\n  canonical:   [1]\n", encoding="utf-8")
    (root / "2022" / "broken.yml").write_text("a: b: c\n", encoding="utf-8")
    past = 1_000_000_000
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    return root


def stamps(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_reports_changed_files_and_writes_nothing(content: Path):
    before = stamps(content)
    result = format_paths([content], check=True, content_root=content)
    assert isinstance(result, FmtResult)
    assert sorted(p.name for p in result.changed) == ["shuffled.yaml", "site.yaml"]
    assert [d.code for d in result.diagnostics] == ["E001"] and "broken.yml" in result.diagnostics[0].path
    assert stamps(content) == before


def test_rewrite_touches_only_the_changed_files(content: Path):
    before = stamps(content)
    result = format_paths([content], check=False, content_root=content)
    after = stamps(content)
    changed = {p.relative_to(content).as_posix() for p in result.changed}
    assert changed == {"2022/shuffled.yaml", "site.yaml"}
    assert {k for k in before if before[k] != after[k]} == changed
    assert after["2022/shuffled.yaml"][0].decode() == ORDERED.replace("test-project", "shuffled")
    assert "    '2022': classic\n" in after["site.yaml"][0].decode()
    assert not [p for p in content.rglob("*.tmp")]
    again = format_paths([content], check=True, content_root=content)
    assert again.changed == [] and [d.code for d in again.diagnostics] == ["E001"]


def test_files_named_directly_and_site_yaml_without_a_content_root(content: Path):
    site = content / "site.yaml"
    site.write_text("网址: https://example.gov.cn/\n网站名称: 测试\n", encoding="utf-8")
    result = format_paths([site, content / "2022" / "shuffled.yaml"], check=False)
    assert len(result.changed) == 2 and result.diagnostics == []
    assert site.read_text(encoding="utf-8") == "网站名称: 测试\n网址: https://example.gov.cn/\n"
    # the same file named site.yaml inside a year folder is a project file: its keys are not the site's
    project = content / "2022" / "site.yaml"
    project.write_text("网址: x\n网站名称: y\n", encoding="utf-8")
    assert format_paths([content / "2022"], check=True).changed == []


def test_missing_file_is_a_diagnostic(tmp_path: Path):
    result = format_paths([tmp_path / "nope.yaml"], check=True)
    assert result.changed == [] and [d.code for d in result.diagnostics] == ["E009"]


def test_many_files_are_formatted_in_workers_exactly_as_in_one_process(tmp_path: Path):
    """perfsite fmt --jobs: the files are shared among forked processes; the files written, the
    list of changed files and its order are those of one process."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    site = generate(240, tmp_path / "one")  # generated files are not in the canonical form
    (site / "content/2023/p000005.yaml").write_text("id: [unclosed\n", encoding="utf-8")  # and one is broken
    shutil.copytree(site, tmp_path / "two")
    one = format_paths([site / "content"], check=False, content_root=site / "content", jobs=1)
    two = format_paths([tmp_path / "two/content"], check=False, content_root=tmp_path / "two/content", jobs=2)
    assert len(one.changed) > 200
    assert [p.relative_to(site) for p in one.changed] == [p.relative_to(tmp_path / "two") for p in two.changed]
    assert [(d.code, d.line) for d in one.diagnostics] == [(d.code, d.line) for d in two.diagnostics] != []
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*.yaml")} == \
        {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*.yaml")}


def test_fmt_of_a_folder_does_not_rewrite_through_a_link_that_leads_out(site_dir: Path, tmp_path: Path):
    """A cloned content repository could hold content/2022/x.yaml → ~/elsewhere.yaml, and fmt
    rewrote the file it leads to. Named on its own, the file is formatted as asked."""
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("id:    x\n", encoding="utf-8")
    (site_dir / "content/2022/x.yaml").symlink_to(outside)
    result = run_cli("fmt", cwd=site_dir)
    assert result.returncode == 1 and "content/2022/x.yaml: error F002 是指向目录之外的链接" in result.stderr, result.stderr
    assert outside.read_text(encoding="utf-8") == "id:    x\n"
    assert run_cli("fmt", str(outside), cwd=site_dir).returncode == 0
    assert outside.read_text(encoding="utf-8") == "id: x\n"


def test_fmt_names_a_looping_link_instead_of_failing(site_dir: Path):
    (site_dir / "content/2022/loop.yaml").symlink_to("loop.yaml")
    result = run_cli("fmt", "--check", cwd=site_dir)
    assert result.returncode == 1 and "content/2022/loop.yaml: error E009" in result.stderr, result.stderr
    assert "内部错误" not in result.stderr


# --- issue 19: the 一体化 form's columns -------------------------------------------------------------

def _yitihua() -> str:
    from test_forms import YITIHUA

    return YITIHUA


def test_a_rows_every_column_comes_out_in_the_models_order():
    """三级指标, 指标性质, 指标值, 度量单位, 权重, 分值, 指标方向, 指标解释, 取值依据, 核心指标, 说明: the order of
    model.Row, whatever order the file has them in."""
    row = ("      - 说明: 含村道\n        核心指标: ★★★\n        取值依据: 计划标准\n        指标解释: 年末养护里程\n"
           "        指标方向: 正向\n        分值: 5\n        权重: 30\n        度量单位: 公里\n        指标值: 120\n"
           "        指标性质: ≥\n        三级指标: 养护里程\n")
    text = _yitihua()
    start = text.index("      - 三级指标: 养护里程")
    text = text[:start] + row + text[text.index("    质量:"):]
    out = fmt(text)
    block = out[out.index("      - 三级指标: 养护里程"):out.index("    质量:")]
    assert [line.strip(" -").split(":")[0] for line in block.splitlines()] == [
        "三级指标", "指标性质", "指标值", "度量单位", "权重", "分值", "指标方向", "指标解释", "取值依据", "核心指标", "说明"]
    assert fmt(out) == out and data(out) == data(text)


@pytest.mark.parametrize("written, canonical", [
    ("10.0", "10.0"),  # amounts as written (README): a weight of 10.0 keeps its decimals, as 36.40 does
    ("３０", "30"),
    ("'030'", "30"),
])
def test_a_weight_is_an_amount_with_its_written_digits(written: str, canonical: str):
    out = fmt(_yitihua().replace("        权重: 30\n", f"        权重: {written}\n"))
    assert "        权重: " + canonical + "\n" in out and fmt(out) == out
    assert "预算执行: 10\n" in fmt(_yitihua().replace("预算执行: 10", "预算执行: '010'"))


def test_core_marks_comparators_and_a_split_number_round_trip():
    """★ and ≥ are written plain; a bare number in 指标值 is quoted, as any text a YAML reader would
    take for a number; '%' is quoted (a plain % starts a directive)."""
    text = _yitihua().replace("        权重: 30\n", "        权重: 30\n        核心指标: ★★★\n")
    out = fmt(text)
    for line in ("        指标性质: ≥\n", "        核心指标: ★★★\n", "        指标值: '120'\n", "        度量单位: '%'\n",
                 "        指标性质: 定性\n"):
        assert line in out
    assert fmt(out) == out and data(out) == data(text)


@pytest.mark.parametrize("written", [
    "表样: [三级指标, 指标值, 权重]",
    "表样:\n  - 三级指标\n  - 指标值\n  - 权重",
    "表样:\n- 三级指标\n- '指标值'\n- 权重",
])
def test_a_form_of_its_own_columns_is_one_flow_list(written: str):
    """表样: [三级指标, 指标值, 权重], however the list was written: a form's columns read as one line,
    as README and the forms write them."""
    out = fmt(MINIMAL.replace("资金:\n", written + "\n资金:\n"))
    assert "\n表样: [三级指标, 指标值, 权重]\n资金:\n" in out and fmt(out) == out


def test_a_form_list_keeps_its_comments_and_goes_block_only_when_one_line_cannot_hold_them():
    one = fmt(MINIMAL.replace("资金:\n", "表样:\n  - 三级指标\n  - 指标值  # 本表的栏目\n资金:\n"))
    assert "\n表样: [三级指标, 指标值]  # 本表的栏目\n" in one and fmt(one) == one
    many = "表样:\n  # 系统导出的栏目\n  - 三级指标  # 名称\n  - 指标值  # 数字\n"
    out = fmt(MINIMAL.replace("资金:\n", many + "资金:\n"))
    assert "\n" + many in out and fmt(out) == out
    odd = fmt(MINIMAL.replace("资金:\n", "表样: [三级指标, 'a, b', '#c', 指标值]\n资金:\n"))
    assert "\n表样: [三级指标, 'a, b', '#c', 指标值]\n" in odd and data(odd)["表样"] == ["三级指标", "a, b", "#c", "指标值"]


def test_site_yaml_forms_per_year_are_flow_lists():
    site = SITE + "表样:\n  年度:\n    '2023':\n      - 三级指标\n      - 指标值\n      - 权重\n  默认: classic\n"
    out = fmt(site, "site")
    assert "表样:\n  默认: classic\n  年度:\n    '2023': [三级指标, 指标值, 权重]\n" in out and fmt(out, "site") == out


# --- 部门整体支出绩效目标表 and a project's 中期 block (issue 23) ------------------------------------

DEPARTMENT = """\
# 部门整体支出绩效目标表（测试用）
年度: 2023
部门名称: 901-某县交通运输局
公开日期: '2023-02-10'  # 日期加引号：YAML 1.1 读者会读成日期
说明: 本表为填写样例
部门职能概述: 负责全县公路、水路交通行业管理。
单位: 万元
总体资金情况:
  收入构成:
    - 名称: 财政拨款收入
      金额: 800
      占比: 80
    - 名称: 其他收入
      金额: 200
      占比: 20
  收入合计: 1000
  支出构成:
    - 名称: 基本支出
      金额: 600
      占比: 60
    - 名称: 项目支出  # 与本部门项目的资金总额核对
      金额: 400
      占比: 40
  支出合计: 1000
年度主要任务:
  - 任务名称: 农村公路养护
    主要内容: 养护县乡道 320 公里
    总额: 250
    财政拨款: 230
    其他资金: 20
  - 任务名称: 客运站运营补助
    总额: 150
    财政拨款: 150
金额合计:
  总额: 400
  财政拨款: 380
  其他资金: 20
年度总体目标:
  - 完成农村公路养护 320 公里，保障客运站正常运营。
绩效指标:
  产出指标:
    数量指标:
      - 三级指标: 养护里程
        指标值: ≥320公里
        说明: 县乡道
  满意度指标:
    服务对象满意度指标:
      - 三级指标: 群众满意度
        指标值: ≥90%
"""

# every mapping's keys out of the form's order (the categories and rows keep theirs: the table's)
DEPARTMENT_SHUFFLED = """\
# 部门整体支出绩效目标表（测试用）
绩效指标:
  产出指标:
    数量指标:
      - 说明: 县乡道
        指标值: ≥320公里
        三级指标: 养护里程
  满意度指标:
    服务对象满意度指标:
      - {指标值: ≥90%, 三级指标: 群众满意度}
年度总体目标:
  - 完成农村公路养护 320 公里，保障客运站正常运营。
金额合计: {其他资金: 20, 财政拨款: 380, 总额: 400}
年度主要任务:
  - 其他资金: 20
    财政拨款: 230
    总额: 250
    主要内容: 养护县乡道 320 公里
    任务名称: 农村公路养护
  - {财政拨款: 150, 总额: 150, 任务名称: 客运站运营补助}
总体资金情况:
  支出合计: 1000
  支出构成:
    - {占比: 60, 金额: 600, 名称: 基本支出}
    - 占比: 40
      金额: 400
      名称: 项目支出  # 与本部门项目的资金总额核对
  收入合计: 1000
  收入构成:
    - {占比: 80, 金额: 800, 名称: 财政拨款收入}
    - {占比: 20, 金额: 200, 名称: 其他收入}
单位: 万元
部门职能概述: 负责全县公路、水路交通行业管理。
说明: 本表为填写样例
公开日期: 2023-02-10  # 日期加引号：YAML 1.1 读者会读成日期
部门名称: 901-某县交通运输局
年度: 2023
"""


def test_a_department_table_comes_out_in_the_order_of_department_pys_models():
    from perfsite.department import build_department

    out = fmt(DEPARTMENT_SHUFFLED, "department")
    assert out == DEPARTMENT
    assert fmt(DEPARTMENT, "department") == DEPARTMENT  # the canonical form is a fixed point
    source, _ = parse_text(out, "t.yaml")
    table, problems = build_department(source)
    assert problems == [] and table is not None and table.tasks[0].total == 250


def test_fmt_of_a_content_folder_orders_a_file_in_a_years_部门_folder_as_a_department_table(content: Path):
    folder = content / "2023" / "部门"
    folder.mkdir(parents=True)
    (folder / "jiaotong.yaml").write_text(DEPARTMENT_SHUFFLED, encoding="utf-8")
    (folder / "canonical.yaml").write_text(DEPARTMENT, encoding="utf-8")
    check = run_cli("fmt", "--check", "--content", str(content), cwd=content.parent)
    assert check.returncode == 1
    assert "需要格式化 (would reformat)" in check.stdout and "jiaotong.yaml" in check.stdout
    assert "canonical.yaml" not in check.stdout  # a project's order would have moved 年度 and 绩效指标
    result = format_paths([content], check=False, content_root=content)
    assert "2023/部门/jiaotong.yaml" in {p.relative_to(content).as_posix() for p in result.changed}
    assert (folder / "jiaotong.yaml").read_text(encoding="utf-8") == DEPARTMENT


MIDTERM = MINIMAL.replace("实施单位: 测试局\n", """\
实施单位: 测试局
项目属性: 延续项目
项目期: 2022年—2024年
""") + """\
中期:
  资金:
    资金总额: 900
    财政拨款: 880
    其他资金: 20  # 单位自筹
  中期目标:
    - 三年内完成全县 960 公里农村公路的养护。
  绩效指标:
    产出:
      数量:
        - 三级指标: 养护里程
          指标值: ≥960公里
          说明: 县乡道
更正:
  - 日期: '2022-05-01'
    内容: 更正资金总额
    原因: 录入错误
"""

MIDTERM_SHUFFLED = MINIMAL.replace("实施单位: 测试局\n", """\
实施单位: 测试局
项目期: 2022年—2024年
项目属性: 延续项目
""").replace("绩效指标:\n", """\
更正:
  - {原因: 录入错误, 内容: 更正资金总额, 日期: 2022-05-01}
中期:
  绩效指标:
    产出:
      数量:
        - 说明: 县乡道
          指标值: ≥960公里
          三级指标: 养护里程
  中期目标:
    - 三年内完成全县 960 公里农村公路的养护。
  资金:
    其他资金: 20  # 单位自筹
    财政拨款: 880
    资金总额: 900
绩效指标:
""", 1)


def test_a_projects_中期_block_comes_out_in_midterm_midfunds_and_row_order():
    out = fmt(MIDTERM_SHUFFLED)
    assert out == MIDTERM  # 中期 after the year's grid, before 更正, as Project declares it
    assert data(out) == data(MIDTERM_SHUFFLED) and fmt(out) == out
    assert out.index("中期:") > out.index("  满意度:") and out.index("中期:") < out.index("更正:")
    project, _parts, problems = build_project(parse_text(out, "t.yaml")[0])
    assert problems == [] and project is not None and project.midterm.funds.fiscal == 880
