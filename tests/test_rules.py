"""Each consistency rule: a failing case and a passing case, with the place it points at."""

import datetime as dt

import pytest

from perfsite.diagnostics import Level
from perfsite.model import Dates, build_project
from perfsite.rules import check
from perfsite.source import parse_text
from perfsite.taxonomy import PROFILES

from conftest import MINIMAL, line_of

DATED = Dates(dt.date(2022, 1, 20), dt.date(2022, 2, 5))  # the year's, as a site.yaml gives them


def run(text: str, profile: str = "classic"):
    source, diags = parse_text(text, "p.yaml")
    project, parts, problems = build_project(source)
    assert project is not None, [d.format() for d in problems]
    return check(parts, source, PROFILES[profile], year_dates=DATED)


def test_minimal_passes_every_rule():
    assert run(MINIMAL) == []


def test_e012_total_must_equal_fiscal_plus_other():
    text = MINIMAL.replace("资金总额: 10", "资金总额: 10.01")
    diags = [d for d in run(text) if d.code == "E012"]
    assert len(diags) == 1
    d = diags[0]
    assert (d.level, d.line) == (Level.ERROR, line_of(text, "资金总额"))
    assert d.message == "资金总额 10.01 ≠ 财政拨款 10 + 其他资金 0"
    assert "应为 10" in d.hint


def test_e012_blank_other_funds_count_as_zero():
    assert run(MINIMAL.replace("其他资金: 0", "其他资金:")) == []


def test_e013_fiscal_must_equal_upper_plus_local():
    text = MINIMAL.replace("本级安排: 10", "本级安排: 9")
    diags = run(text)
    assert [(d.code, d.line) for d in diags] == [("E013", line_of(text, "财政拨款"))]
    assert "上级补助 0 + 本级安排 9" in diags[0].message


def test_e030_unknown_level1():
    text = MINIMAL.replace("  满意度:", "  满意程度:")
    diags = run(text)
    assert [(d.code, d.line) for d in diags] == [("E030", line_of(text, "满意程度:"))]


def test_e031_unknown_level2_lists_the_valid_ones():
    text = MINIMAL.replace("    数量:", "    数目:")
    diags = run(text)
    assert [(d.code, d.line, d.col) for d in diags] == [("E031", line_of(text, "数目:"), 5)]
    assert "数量、质量、时效、成本" in diags[0].hint


def test_e030_e031_name_the_nearest_allowed_category_first():
    """A misspelt category is answered with the name the unit most likely meant, in the form it
    wrote (long 数量指标 or short 满意度), before the hint lists every allowed one."""
    text = MINIMAL.replace("    数量:", "    数量指票:").replace("  满意度:", "  满意程度:")
    diags = {d.code: d for d in run(text)}
    assert diags["E031"].message == "未知的二级指标「数量指票」；是不是「数量指标」？（在一级指标「产出」下）"
    assert diags["E031"].hint == "「产出」下可用的二级指标：数量、质量、时效、成本"
    assert diags["E030"].message == "未知的一级指标「满意程度」；是不是「满意度」？（classic 指标体系）"
    assert diags["E030"].hint.startswith("可用的一级指标：产出、效益、满意度；")
    far = run(MINIMAL.replace("  满意度:", "  其他:"))
    assert [d.message for d in far] == ["未知的一级指标「其他」（classic 指标体系）"]  # nothing near: no guess


def test_e032_level2_under_the_wrong_level1():
    text = MINIMAL.replace("    服务对象满意度:", "    社会效益:")
    diags = run(text)
    assert [(d.code, d.line) for d in diags] == [("E032", line_of(text, "社会效益:"))]
    assert "效益" in diags[0].message


def test_e033_the_same_category_twice_under_two_names():
    text = MINIMAL.replace("    时效:", "    数量指标:")
    assert [d.code for d in run(text)] == ["E033"]


def test_aliases_and_long_names_are_accepted():
    text = (MINIMAL.replace("  产出:", "  产出指标:").replace("    时效:", "    进度指标:")
            .replace("  满意度:", "  满意度指标:").replace("    服务对象满意度:", "    社会公众或服务对象满意度指标:"))
    assert run(text) == []


def test_2021_profile_puts_cost_at_level1():
    assert [d.code for d in run(MINIMAL, "2021")] == ["E032"]  # 成本 is not under 产出 there
    text = MINIMAL.replace("    成本:\n      - 三级指标: 工作经费\n        指标值: ≤10万元\n", "") + (
        "  成本指标:\n    经济成本指标:\n      - 三级指标: 工作经费\n        指标值: ≤10万元\n")
    assert run(text, "2021") == []
    assert [d.code for d in run(text.replace("≤10万元", "≤9万元"), "2021")] == ["W001"]


def test_w001_cost_ceilings_sum_to_total():
    text = MINIMAL.replace("≤10万元", "≤9万元")
    diags = run(text)
    assert [(d.code, d.level, d.line) for d in diags] == [("W001", Level.WARNING, line_of(text, "成本:"))]
    assert "9" in diags[0].message and "10" in diags[0].message


def test_w001_ignores_percentages_unit_costs_and_notes():
    text = MINIMAL.replace("        指标值: ≤10万元", "        指标值: ≤10万元\n        说明: 其中：车辆租赁费7.1万元/年\n"
                           "      - 三级指标: 项目或定额成本控制率\n        指标值: 100%\n"
                           "      - 三级指标: 亩均成本\n        指标值: ≤300元/亩")
    assert run(text) == []


def test_w002_dates_outside_the_budget_year():
    text = MINIMAL.replace("2022年12月31日", "2023年12月31日")
    diags = run(text)
    assert [(d.code, d.level, d.line) for d in diags] == [("W002", Level.WARNING, line_of(text, "2023年12月31日"))]


def test_w003_template_placeholders():
    text = MINIMAL.replace("≥1次", "≥**次")
    diags = run(text)
    assert [(d.code, d.line) for d in diags] == [("W003", line_of(text, "≥**次"))]


@pytest.mark.parametrize("unit_text, total, ok", [("元", "100000", True), ("元", "100001", False)])
def test_fund_rules_in_yuan(unit_text, total, ok):
    text = (MINIMAL.replace("  资金来源:", f"  单位: {unit_text}\n  资金来源:")
            .replace("资金总额: 10", f"资金总额: {total}").replace("财政拨款: 10", "财政拨款: 100000")
            .replace("本级安排: 10", "本级安排: 100000"))
    assert [d.code for d in run(text)] == ([] if ok else ["E012"])  # the cost sum compares to 0.01 万元
