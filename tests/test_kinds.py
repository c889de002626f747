"""The table kind: one declaration of the target table's fields, and what is read from it."""

from __future__ import annotations

import datetime as dt

from perfsite import opendata
from perfsite.diff import diff_projects
from perfsite.importers.text import import_text
from perfsite.kinds import TARGET
from perfsite.model import Funds, Project, Row, build_project
from perfsite.source import parse_text

from conftest import MINIMAL


def project(text: str = MINIMAL) -> Project:
    source, diags = parse_text(text, "p.yaml")
    assert source is not None, diags
    built, _parts, diags = build_project(source)
    assert built is not None, [d.format() for d in diags]
    return built


def test_every_field_of_the_model_is_declared_under_its_yaml_key():
    top = (*TARGET.header, TARGET.funds_block, TARGET.goals, TARGET.indicators, TARGET.midterm)
    assert TARGET.model is Project and TARGET.row_model is Row
    assert sorted(f.attr for f in top) == sorted(Project.model_fields)
    assert sorted(f.attr for f in TARGET.funds) == sorted(Funds.model_fields)
    assert sorted(c.attr for c in TARGET.grid if c.attr) == sorted(Row.model_fields)
    for fields, model in ((top, Project), (TARGET.funds, Funds)):
        for f in fields:
            assert f.alias == (model.model_fields[f.attr].alias or f.attr)
    assert len({f.attr for f in TARGET.fields}) == len(TARGET.fields)


def test_the_fund_lines_are_the_printed_forms():
    assert [(f.label, f.attr, f.indent) for f in TARGET.fund_lines] == [
        ("资金来源", "source", False), ("资金总额", "total", False), ("财政拨款", "fiscal", False),
        ("其中：上级补助", "upper", True), ("本级安排", "local", True), ("其他资金", "other", False)]
    assert [f.attr for f in TARGET.amounts] == ["total", "fiscal", "upper", "local", "other"]


def test_each_csv_column_holds_the_field_it_names():
    p = project(MINIMAL.replace("资金:\n", "资金:\n  单位: 元\n").replace("资金总额: 10", "资金总额: 123400")
                .replace("财政拨款: 10", "财政拨款: 123400").replace("本级安排: 10", "本级安排: 123400"))
    first = next(iter(opendata.rows(p)))
    by_column = dict(zip(opendata.COLUMNS, first))
    assert by_column["年度"] == "2022" and by_column["项目标识"] == "test-project"
    assert by_column["资金总额（万元）"] == "12.34" and by_column["上级补助（万元）"] == "0"  # 元 shown in 万元
    for f in TARGET.csv_fields:
        if f.amount:
            assert by_column[f.csv_column] == opendata.written_amount(p.funds.wan(f.get(p.funds)))
        elif f.attr == "goals":
            assert by_column[f.csv_column] == "\n".join(p.goals)
        else:
            assert by_column[f.csv_column] == str(f.get(p.funds if f in TARGET.funds else p))


def test_a_change_to_any_header_field_the_diff_compares_is_reported_by_its_key():
    old = project()
    for f in TARGET.header:
        value = dt.date(2022, 3, 1) if f.attr == "published" else "改过的值"
        if f.attr in ("id", "year"):
            continue  # the diff pairs projects by id and compares across years
        change = diff_projects(old, old.model_copy(update={f.attr: value}))
        assert f.diff and [c.field for c in change.header] == [f.alias], f.attr


def test_every_label_the_kind_declares_for_a_printed_line_is_read_from_text():
    values = {f.attr: f"值{i}" for i, f in enumerate(TARGET.header)}
    amounts = {"total": "3", "fiscal": "3", "upper": "1", "local": "2", "other": "0"}
    for pick in (0, -1):  # the YAML key, then the last other label printed forms use
        lines = ["项目支出绩效目标表"]
        lines += [f"{f.names[pick]}\t{values[f.attr]}" for f in TARGET.header if f.form]
        lines += [f"{f.names[pick]}\t{amounts.get(f.attr, '财政资金')}" for f in TARGET.fund_lines]
        lines += ["总体目标\t年度目标", "\t目标1: 完成。", "一级指标\t二级指标\t三级指标\t指标值",
                  "产出\t数量\t检查次数\t≥1次"]
        (item,) = import_text("\n".join(lines) + "\n", "t.txt", year=2022)
        for f in TARGET.header:
            if f.form:
                assert item.data[f.alias] == values[f.attr], (pick, f.names[pick])
        for f in TARGET.fund_lines:
            assert item.data[TARGET.funds_block.alias][f.alias] == amounts.get(f.attr, "财政资金"), f.names[pick]
