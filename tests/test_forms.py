"""The 表样 (forms) of issue 19: which row columns a table shows, and the checks they bring."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfsite.config import SiteConfig
from perfsite.load import load_project
from perfsite.model import build_project
from perfsite.source import parse_text

from conftest import SITE, line_of, run_cli

# A 2021 一体化 table as a county's system exports it: comparator, number and unit in their own
# columns, weights that add up to 100 with 预算执行's 10, 成本 at level 1 (the 2021 profile).
YITIHUA = """\
id: yitihua
年度: 2023
项目名称: 农村公路养护
主管部门及代码: 219-某县交通运输局
实施单位: 某县公路管理段
表样: 一体化2021
资金:
  资金总额: 100
  财政拨款: 100
年度目标:
  - 完成农村公路日常养护。
预算执行: 10
绩效指标:
  成本指标(0-20)分:
    经济成本:
      - 三级指标: 养护成本
        指标性质: ≤
        指标值: 100
        度量单位: 万元
        权重: 20
        指标方向: 反向
  产出指标(40-50)分:
    数量:
      - 三级指标: 养护里程
        指标性质: ≥
        指标值: 120
        度量单位: 公里
        权重: 30
        指标方向: 正向
    质量:
      - 三级指标: 路面完好率
        指标性质: ≥
        指标值: 90
        度量单位: '%'
        权重: 20
        指标方向: 正向
  满意度指标:
    服务对象满意度:
      - 三级指标: 群众满意度
        指标性质: 定性
        指标值: 满意
        权重: 20
        指标方向: 正向
"""


def diagnostics(text: str, tmp_path: Path, site: str = SITE) -> list[str]:
    folder = tmp_path / "content" / "2023"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "yitihua.yaml"
    path.write_text(text, encoding="utf-8")
    config = SiteConfig.model_validate(parse_text(site + "指标体系:\n  默认: '2021'\n", "site.yaml")[0].data)
    _entry, diags = load_project(path, "p.yaml", 2023, config)
    return [d.format() for d in diags]


def test_a_yitihua_table_is_valid_and_reads_its_split_value(tmp_path: Path):
    assert diagnostics(YITIHUA, tmp_path) == []
    project = build_project(parse_text(YITIHUA, "p.yaml")[0])[0]
    rows = [row for *_, row in project.rows()]
    assert (rows[1].value.comparator, rows[1].value.number, rows[1].value.unit) == ("≥", 120, "公里")
    assert rows[3].value.kind == "text"


def test_a_column_the_form_does_not_show_is_an_error_at_its_key(tmp_path: Path):
    text = YITIHUA.replace("表样: 一体化2021\n", "")  # the site's default: classic
    found = diagnostics(text, tmp_path)
    line = line_of(text, "指标性质: ≤")
    assert any(re.match(rf"p.yaml:{line}:9: error E035 「指标性质」不在本表的表样（classic）中", d) for d in found), found


@pytest.mark.parametrize("old, new, expected", [
    ("        权重: 30\n", "        权重: 25\n", r"error E014 权重合计 95（含预算执行 10） ≠ 100"),
    ("        权重: 30\n", "", r"error E014 三级指标「养护里程」没有权重"),
    ("成本指标(0-20)分", "成本指标(0-10)分", r"error E015 「成本指标\(0-10\)分」的权重合计 20，不在 0–10 分之内"),
    ("        指标性质: ≥\n        指标值: 120", "        指标性质: ≥\n        指标值: ≤120", r"error E016 指标性质「≥」与指标值「≤120」的比较符 ≤ 不一致"),
    ("        指标值: 满意\n", "        指标值: 满意\n        度量单位: 分\n", r"error E017 定性指标不应有度量单位「分」"),
    ("        指标值: 120\n        度量单位: 公里", "        指标值: 120米\n        度量单位: 公里", r"error E018 度量单位「公里」与指标值「120米」中的单位 米 不一致"),
    ("        指标性质: ≥\n        指标值: 90", "        指标性质: 大约\n        指标值: 90", r"error E027 「指标性质」「大约」无效"),
])
def test_each_check_of_a_scored_split_form(tmp_path: Path, old: str, new: str, expected: str):
    assert old in YITIHUA
    found = diagnostics(YITIHUA.replace(old, new, 1), tmp_path)
    assert any(re.search(expected, d) for d in found), found


def test_budget_points_in_a_form_without_points_is_named(tmp_path: Path):
    text = YITIHUA.replace("表样: 一体化2021", "表样: [三级指标, 指标性质, 指标值, 度量单位, 指标方向]")
    text = "\n".join(line for line in text.splitlines() if "权重" not in line) + "\n"
    found = diagnostics(text, tmp_path)
    assert any(re.search(r"p.yaml:\d+:1: error E035 本表的表样（.*）没有权重或分值栏，预算执行的分值不会显示", d) for d in found), found


def test_a_form_with_a_core_column_and_no_star_warns(tmp_path: Path):
    text = YITIHUA.replace("表样: 一体化2021", "表样: [三级指标, 指标性质, 指标值, 度量单位, 权重, 指标方向, 核心指标]")
    assert any("warning W004" in d for d in diagnostics(text, tmp_path))
    starred = text.replace("        权重: 30\n", "        权重: 30\n        核心指标: ★★★\n")
    assert diagnostics(starred, tmp_path) == []


def test_the_form_is_set_per_year_in_site_yaml(tmp_path: Path):
    text = YITIHUA.replace("表样: 一体化2021\n", "")
    assert diagnostics(text, tmp_path, SITE + "表样:\n  年度:\n    2023: 一体化2021\n") == []


@pytest.mark.parametrize("form, said", [("二〇二一", "未知的表样「二〇二一」"), ("[指标值, 三级指标]", "必须包含三级指标、指标值"),
                                        ("[三级指标, 指标值, 分数]", "「分数」不是指标行的栏目")])
def test_a_bad_form_is_named(tmp_path: Path, form: str, said: str):
    found = diagnostics(YITIHUA.replace("表样: 一体化2021", f"表样: {form}"), tmp_path)
    assert any("E027" in d and said in d for d in found), found


def test_traditional_script_and_score_bands_resolve_to_the_taxonomy(tmp_path: Path):
    text = YITIHUA.replace("产出指标(40-50)分:\n    数量:", "產出指標(40-50)分:\n    數量指標:")
    assert diagnostics(text, tmp_path) == []


def test_a_classic_site_builds_as_before(shipped: Path):
    assert run_cli("build", "--no-search", cwd=shipped).returncode == 0
