"""`perfsite new YEAR --self-evaluation ID` (issue 22): a 自评表 scaffold made from the target table,
its placeholders refused until filled, and `perfsite fmt` keeping 自评 files in the model's order."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from perfsite.evaluation import DEFAULT_WEIGHTS, Evaluation, EvalFunds, EvalRow, FundLine, build_evaluation
from perfsite.model import PLACEHOLDERS, build_project
from perfsite.source import load_file, parse_text
from perfsite.scoring import weight_key
from perfsite.taxonomy import PROFILES

from conftest import CONTENT, run_cli

ACTUAL, SCORE, AMOUNT, ACHIEVED = (PLACEHOLDERS[r][0] for r in ("actual", "score", "amount", "achieved"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The shipped content without its example self-evaluations: a bureau starting its 自评表."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.rmtree(tmp_path / "content/2022/自评")
    return tmp_path


def _target(site: Path, ident: str):
    source, _ = load_file(site / f"content/2022/{ident}.yaml", ident)
    project, _parts, diags = build_project(source)
    assert project is not None, diags
    return project


def _new(site: Path, ident: str) -> str:
    result = run_cli("new", "2022", "--self-evaluation", ident, cwd=site)
    assert result.returncode == 0, result.stderr
    assert f"content/2022/自评/{ident}.yaml" in result.stdout
    return (site / f"content/2022/自评/{ident}.yaml").read_text(encoding="utf-8")


def _parsed(text: str) -> tuple[Evaluation | None, list]:
    source, diags = parse_text(text, "x.yaml")
    assert source is not None, diags
    return build_evaluation(source)


def _placeholders_in(text: str) -> list[tuple[int, int]]:
    """(line, col) of each placeholder the scaffold writes: a whole plain value, a key's or a list item's."""
    return [(number, line.index(p) + 1) for number, line in enumerate(text.splitlines(), start=1)
            if not line.lstrip().startswith("#") for p, _hint in PLACEHOLDERS.values() if p in line]


def _fill(text: str, keep: int = 0) -> str:
    """Each placeholder replaced by what a unit would write, but the last ``keep`` of them: an
    actual, a score equal to its row's 分值 (the line above it), 10 万元 spent, a sentence; the 总分
    as the sum, so a filled scaffold is a whole self-evaluation."""
    lines = text.splitlines()
    holders = [i for i, line in enumerate(lines) if any(p in line for p in (ACTUAL, SCORE, AMOUNT, ACHIEVED))]
    for i in holders[:len(holders) - keep]:
        line = lines[i]
        if line.startswith("总分:"):
            continue
        if SCORE in line:
            points = re.search(r"分值: (\S+)$", lines[i - 1])[1]
            lines[i] = line.replace(SCORE, points)
        lines[i] = lines[i].replace(ACTUAL, "已完成").replace(AMOUNT, "10").replace(ACHIEVED, "已完成全年目标。")
    if not keep:
        total = sum(Decimal(m[1]) for line in lines if (m := re.search(r"^\s+得分: (\S+)$", line)))
        lines = [f"总分: {total}" if line.startswith("总分:") else line for line in lines]
    return "\n".join(lines) + "\n"


def test_the_scaffold_has_every_target_row_by_name_and_its_target_as_a_comment(site: Path):
    target = _target(site, "chengjian-zhifa")
    text = _new(site, "chengjian-zhifa")
    evaluation, diags = _parsed(_fill(text))
    assert evaluation is not None, diags
    assert [(a, b, r.name) for a, b, _, r in evaluation.rows()] == [(a, b, r.name) for a, b, _, r in target.rows()]
    assert all(r.target is None for *_, r in evaluation.rows())  # taken from the target table, not a key
    assert "年度指标值:" not in text and "预期目标:" not in text and "主管部门及代码" not in text
    shown = re.findall(r"(?m)^ +# 年度指标值：(.*)$", text)
    assert shown == [" ".join(r.value_text.split()) for *_, r in target.rows()]
    assert evaluation.name == target.name and evaluation.id == target.id and evaluation.year == 2022
    assert len(evaluation.outcome.achieved) == len(target.goals)  # one 实际完成情况 per 年度目标
    funds = evaluation.funds.total
    assert funds.initial == funds.budget == target.funds.total == Decimal("36.4")


@pytest.mark.parametrize("ident", ["wuye-houqin", "chengjian-zhifa", "zhufang-sangai"])
def test_the_scaffolds_points_add_up_to_each_categorys_weight(site: Path, ident: str):
    """产出 50 over wuye-houqin's 6 rows is 8.33 five times and 8.35: exact, the last takes the rest."""
    evaluation, diags = _parsed(_fill(_new(site, ident)))
    assert evaluation is not None, diags
    sums = {"预算执行": evaluation.funds.points}
    for level1, _l2, _i, row in evaluation.rows():
        assert row.points == row.points.quantize(Decimal("0.01"))
        sums[weight_key(level1, PROFILES["classic"], DEFAULT_WEIGHTS)] = sums.get(weight_key(level1, PROFILES["classic"], DEFAULT_WEIGHTS), 0) + row.points
    assert sums == DEFAULT_WEIGHTS and sum(sums.values()) == 100
    if ident == "wuye-houqin":
        assert [r.points for l1, _l2, _i, r in evaluation.rows() if l1 == "产出"] == [Decimal("8.33")] * 5 + [Decimal("8.35")]


def test_under_the_2021_taxonomy_cost_rows_share_the_output_points(site: Path):
    site_yaml = site / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("  默认: classic", "  默认: '2021'")
                         .replace("'2022': classic", "'2022': '2021'"), encoding="utf-8")
    (site / "content/2022/wuye-houqin.yaml").write_text("""\
id: wuye-houqin
年度: 2022
项目名称: 局机关物业管理后勤工作经费
主管部门及代码: 黔南州住房和城乡建设局
实施单位: 黔南州住房和城乡建设局
资金: {资金总额: 10.38, 财政拨款: 10.38, 其他资金: 0}
年度目标: [保证办公场所公共清洁卫生。]
绩效指标:
  成本指标:
    经济成本指标: [{三级指标: 物业管理费, 指标值: ≤10.38万元}]
  产出指标:
    数量指标: [{三级指标: 清洁次数, 指标值: 每周≥7次}, {三级指标: 检查次数, 指标值: ≥4次}]
    时效指标: [{三级指标: 完成时限, 指标值: 2022年12月31日}]
  效益指标:
    社会效益指标: [{三级指标: 运转正常, 指标值: 确保工作运转正常}]
  满意度指标:
    服务对象满意度指标: [{三级指标: 职工满意度, 指标值: ≥90%}]
""", encoding="utf-8")
    text = _new(site, "wuye-houqin")
    points = [Decimal(p) for p in re.findall(r"(?m)^        分值: (\S+)$", text)]
    assert points == [Decimal("12.5")] * 4 + [Decimal(30), Decimal(10)]  # 成本 + 产出: 50 over 4 rows
    assert "  成本指标:\n    经济成本指标:\n" in text  # the target's own names, long or short


def test_the_years_weights_in_site_yaml_decide_the_points(site: Path):
    with (site / "content/site.yaml").open("a", encoding="utf-8") as config:
        config.write("自评分值:\n  年度:\n    '2022': {预算执行: 20, 产出: 40, 效益: 20, 满意度: 20}\n")
    text = _new(site, "wuye-houqin")
    evaluation, diags = _parsed(_fill(text))
    assert evaluation is not None, diags
    assert evaluation.funds.points == 20 and "# 分值按 预算执行 20、产出 40、效益 20、满意度 20 平均分到各行" in text
    by_category: dict[str, Decimal] = {}
    for level1, _l2, _i, row in evaluation.rows():
        by_category[level1] = by_category.get(level1, Decimal(0)) + row.points
    assert by_category == {"产出": 40, "效益": 20, "满意度": 20}


def test_placeholders_are_refused_as_e029_until_every_one_is_filled(site: Path):
    text = _new(site, "wuye-houqin")
    evaluation, diags = _parsed(text)
    assert evaluation is None
    assert {d.code for d in diags} == {"E029"}
    assert sorted((d.line, d.col) for d in diags) == _placeholders_in(text)  # each where it stands
    partly = _fill(text, keep=3)  # a unit halfway through: the last rows' scores and the 总分 left
    evaluation, diags = _parsed(partly)
    assert evaluation is None and [d.code for d in diags] == ["E029"] * 3
    assert sorted((d.line, d.col) for d in diags) == _placeholders_in(partly)
    assert sorted(re.match("「(.+?)」", d.message)[1] for d in diags) == ["实际完成值", "得分", "总分"]
    evaluation, diags = _parsed(_fill(text))
    assert evaluation is not None and diags == []
    assert evaluation.total == sum(r.score for *_, r in evaluation.rows()) + evaluation.funds.score == 100


def test_check_reports_only_the_placeholders_and_passes_once_they_are_filled(site: Path):
    """The scaffold's points are the year's weights, its rows the target's: nothing for the
    self-evaluation checks (E090–E097, W090–W096) to find, only what the unit has to write."""
    text = _new(site, "zhufang-sangai")
    check = run_cli("check", cwd=site)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    found = re.findall(r"(?m)^content/2022/自评/zhufang-sangai\.yaml:(\d+):(\d+): (\w+) (\w+) ", check.stderr)
    assert {(level, code) for _l, _c, level, code in found} == {("error", "E029")}
    assert sorted((int(line), int(col)) for line, col, _lv, _cd in found) == _placeholders_in(text)
    (site / "content/2022/自评/zhufang-sangai.yaml").write_text(_fill(text), encoding="utf-8")
    strict = run_cli("check", "--strict", cwd=site)
    assert strict.returncode == 0, strict.stderr
    assert "5 个项目、1 张自评表" in strict.stdout


def test_a_missing_target_is_refused_with_the_ids_that_exist(site: Path):
    result = run_cli("new", "2022", "--self-evaluation", "wuye-houqn", cwd=site)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "找不到 id 为「wuye-houqn」的 2022 年目标表" in result.stderr and "是不是「wuye-houqin」？" in result.stderr
    assert "chengjian-zhifa、cunzhen-jianshe、jianzhuye-guanli、wuye-houqin、zhufang-sangai" in result.stderr
    assert not (site / "content/2022/自评").exists()
    other_year = run_cli("new", "2023", "--self-evaluation", "wuye-houqin", cwd=site)
    assert other_year.returncode == 2 and "content/2023 中没有项目文件" in other_year.stderr


@pytest.mark.parametrize("args", [["--self-evaluation", "../wuye-houqin"], ["--self-evaluation", "wuye-houqin", "名称"],
                                  ["--self-evaluation", "wuye-houqin", "--from", "2021"]])
def test_a_bad_id_or_a_second_way_of_saying_the_project_is_refused(site: Path, args: list[str]):
    result = run_cli("new", "2022", *args, cwd=site)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "错误" in result.stderr
    assert not (site / "content/2022/自评").exists() and not (site / "content/wuye-houqin.yaml").exists()


def test_the_target_is_found_by_its_id_wherever_it_lies_in_the_year(site: Path):
    (site / "content/2022/后勤").mkdir()
    (site / "content/2022/wuye-houqin.yaml").rename(site / "content/2022/后勤/物业.yaml")
    text = _new(site, "wuye-houqin")
    assert "取自目标表 content/2022/后勤/物业.yaml" in text and "公共环境卫生清洁次数" in text


def test_an_invalid_target_is_named_not_scaffolded(site: Path):
    path = site / "content/2022/wuye-houqin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("资金总额: 10.38", "资金总额: 十万"), encoding="utf-8")
    result = run_cli("new", "2022", "--self-evaluation", "wuye-houqin", cwd=site)
    assert result.returncode == 2 and "有错误" in result.stderr and "wuye-houqin.yaml:" in result.stderr
    assert "E010" in result.stderr and not (site / "content/2022/自评").exists()


def test_an_existing_self_evaluation_is_never_overwritten_without_force(site: Path):
    _new(site, "wuye-houqin")
    path = site / "content/2022/自评/wuye-houqin.yaml"
    path.write_text(_fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    filled = path.read_bytes()
    again = run_cli("new", "2022", "--self-evaluation", "wuye-houqin", cwd=site)
    assert again.returncode == 2 and "已存在" in again.stderr and "--force" in again.stderr
    assert path.read_bytes() == filled
    forced = run_cli("new", "2022", "--self-evaluation", "wuye-houqin", "--force", cwd=site)
    assert forced.returncode == 0 and ACTUAL in path.read_text(encoding="utf-8")


def test_a_new_year_copies_the_targets_not_last_years_self_evaluations(tmp_path: Path):
    shutil.copytree(CONTENT, tmp_path / "content")
    result = run_cli("new", "2023", "--from", "2022", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "复制 5 个项目" in result.stdout
    assert sorted(p.name for p in (tmp_path / "content/2023").iterdir()) == sorted(
        p.name for p in (CONTENT / "2022").glob("*.yaml"))  # no 自评/ folder


def test_the_help_names_the_option_in_both_languages(site: Path):
    result = run_cli("new", "--help", cwd=site)
    flat = "".join(result.stdout.split())  # argparse wraps anywhere in a run of Chinese
    assert result.returncode == 0 and "--self-evaluationID" in flat
    assert "新建自评表" in flat and "scaffoldtheself-evaluation" in flat


def test_a_scaffold_is_a_fixed_point_of_fmt(site: Path):
    for ident in ("wuye-houqin", "jianzhuye-guanli"):
        _new(site, ident)
    before = {p: p.read_bytes() for p in (site / "content/2022/自评").iterdir()}
    result = run_cli("fmt", "--check", "content/2022/自评", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_cli("fmt", "content", cwd=site)
    assert result.returncode == 0 and {p: p.read_bytes() for p in before} == before


# A shuffled self-evaluation: keys in no order, with comments on them, as a hand edit leaves it.
SHUFFLED = """\
# 自评表（手工编辑过）
总分: 100  # 合计
绩效指标:
  满意度:
    服务对象满意度:
      - 得分: 10
        # 问卷 20 份
        实际完成值: 95%
        分值: 10
        三级指标: 群众满意度
  产出:
    数量:
      - 偏差原因: 无
        分值: 50
        得分: 50
        三级指标: 清洁次数
        实际完成值: 每周7次
  效益:
    社会效益:
      - {得分: 30, 分值: 30, 实际完成值: 运转正常, 三级指标: 运转}
项目资金:
  得分: 10
  年度资金总额:
    全年执行数: 10  # 决算数
    年初预算数: 10
    全年预算数: 10
  分值: 10
  单位: 万元
自评等级: 优
年度总体目标:
  实际完成情况: [完成。]
项目名称: 测试项目
年度: 2022
id: test-project
"""


def test_fmt_puts_a_shuffled_self_evaluation_in_the_models_order_and_keeps_its_comments(tmp_path: Path):
    path = tmp_path / "content/2022/自评/test-project.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(SHUFFLED, encoding="utf-8")
    result = run_cli("fmt", "content", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    order = lambda model: [f.alias or name for name, f in model.model_fields.items()]  # noqa: E731
    top = re.findall(r"(?m)^([^\s#][^:]*):", text)
    assert top == [k for k in order(Evaluation) if k in top] == ["id", "年度", "项目名称", "项目资金", "年度总体目标",
                                                                   "绩效指标", "总分", "自评等级"]
    funds = re.findall(r"(?m)^  (\S+):", text.split("年度总体目标:")[0])
    assert funds == [k for k in order(EvalFunds) if k in funds]
    assert re.findall(r"(?m)^    (\S+):", text.split("项目资金:")[1].split("  分值:")[0]) == order(FundLine)[:3]
    for row in re.findall(r"(?ms)^      - (.*?)(?=^      - |^    \S|^  \S|^\S)", text):
        keys = re.findall(r"(?m)^(?:      - |        )(\S+):", "      - " + row)
        assert keys == [k for k in order(EvalRow) if k in keys], keys
    # the 一级 categories stay in the order the unit wrote them; comments stay with their keys
    assert text.index("  满意度:") < text.index("  产出:") < text.index("  效益:")
    assert text.startswith("# 自评表（手工编辑过）\nid: test-project\n")
    assert "        # 问卷 20 份\n        实际完成值: 95%\n" in text
    assert "    全年执行数: 10  # 决算数\n" in text and "总分: 100  # 合计\n" in text
    evaluation, diags = _parsed(text)
    assert evaluation is not None, diags
    again = run_cli("fmt", "--check", "content", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
