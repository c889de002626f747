"""Structure and types: each mistake named in Chinese at the right line and column."""

from perfsite.model import build_project
from perfsite.source import parse_text

from conftest import MINIMAL, line_of


def diagnose(text: str):
    source, diags = parse_text(text, "p.yaml")
    assert source is not None, [d.format() for d in diags]
    project, _parts, diags = build_project(source)
    return project, diags


def codes(diags):
    return [(d.code, d.line) for d in diags]


def test_minimal_project_is_valid_and_typed():
    project, diags = diagnose(MINIMAL)
    assert diags == []
    assert project.year == 2022
    assert str(project.funds.total) == "10"
    assert [r.value.kind for _, _, _, r in project.rows()] == ["quantity", "date", "quantity", "quantity"]


def test_missing_field_points_at_its_parent():
    text = MINIMAL.replace("  资金总额: 10\n", "")
    project, diags = diagnose(text)
    assert project is None
    assert codes(diags) == [("E020", line_of(text, "资金:"))]
    assert "资金总额" in diags[0].message


def test_unknown_field_suggests_the_right_name():
    text = MINIMAL.replace("  资金总额: 10", "  资金总额度: 10")
    _, diags = diagnose(text)
    found = {d.code: d for d in diags}
    assert found["E021"].line == line_of(text, "资金总额度")
    assert "资金总额" in found["E021"].hint


def test_number_written_as_words_is_an_error_at_the_value():
    text = MINIMAL.replace("  资金总额: 10", "  资金总额: 十万")
    _, diags = diagnose(text)
    assert codes(diags) == [("E010", line_of(text, "十万"))]
    assert diags[0].col == len("  资金总额: ") + 1


def test_negative_nan_and_huge_amounts_are_refused():
    for bad in ("-5", "NaN", "1e400", "inf", "9999999999999"):
        _, diags = diagnose(MINIMAL.replace("  其他资金: 0", f"  其他资金: {bad}"))
        assert [d.code for d in diags] == ["E010"], bad


def test_full_width_digits_and_thousands_separators_are_accepted():
    project, diags = diagnose(MINIMAL.replace("  资金总额: 10", "  资金总额: １０"))
    assert diags == [] and str(project.funds.total) == "10"
    project, diags = diagnose(MINIMAL.replace("  资金来源: 财政资金", "  单位: 元\n  资金来源: 财政资金")
                              .replace("资金总额: 10", "资金总额: '1,000,000'"))
    assert diags == [] and project.funds.wan(project.funds.total) == 100


def test_wrong_types_are_named():
    text = MINIMAL.replace("  - 目标1：完成测试。", "    目标: 不是列表")
    _, diags = diagnose(text)
    assert [d.code for d in diags] == ["E022"]
    assert "列表" in diags[0].message


def test_bad_id_and_year():
    _, diags = diagnose(MINIMAL.replace("id: test-project", "id: 测试 项目"))
    assert [d.code for d in diags] == ["E024"]
    _, diags = diagnose(MINIMAL.replace("年度: 2022", "年度: 二〇二二"))
    assert [(d.code, d.line) for d in diags] == [("E022", 2)]


def test_empty_indicator_group_and_empty_text():
    text = MINIMAL.replace("        指标值: ≥1次", "        指标值: ''")
    _, diags = diagnose(text)
    assert codes(diags) == [("E023", line_of(text, "指标值: ''"))]


def test_not_a_mapping():
    source, _ = parse_text("- a\n- b\n", "p.yaml")
    assert [d.code for d in build_project(source)[2]] == ["E006"]


def test_department_code_is_derived_from_the_prefix():
    project, _ = diagnose(MINIMAL.replace("主管部门及代码: 测试局", "主管部门及代码: 219-池州市贵池区棠溪镇人民政府"))
    assert (project.department_code, project.department_name) == ("219", "池州市贵池区棠溪镇人民政府")
    project, _ = diagnose(MINIMAL)
    assert (project.department_code, project.department_name) == (None, "测试局")


def test_an_id_that_names_a_page_of_the_year_is_refused():
    for reserved in ("index", "changes", "datapackage", "indicators"):
        _, diags = diagnose(MINIMAL.replace("id: test-project", f"id: {reserved}"))
        assert [(d.code, d.line, d.col) for d in diags] == [("E024", line_of(MINIMAL, "id:"), 5)]
        assert f"{reserved}-xiangmu" in diags[0].hint
    project, diags = diagnose(MINIMAL.replace("id: test-project", "id: index-2"))
    assert diags == [] and project.id == "index-2"
