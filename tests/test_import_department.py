"""Issue 23's import: the 部门(单位)整体支出绩效目标表 form (.xlsx, and the same form as a web page) →
``content/<年度>/部门/<部门>.yaml``, and a multi-year project's 88号 form (中期资金总额 | 年度资金总额,
中期目标 | 年度目标, the 中期 grid as a second value column or as a grid of its own) → a project with
its 中期 block. The sources are real workbooks written here with openpyxl, merged cells as on paper;
each import is checked by ``perfsite check`` on the site it was written into."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfsite.department import build_department
from perfsite.model import build_project
from perfsite.source import load_file

from conftest import CONTENT, files, run_cli

DEPARTMENT = "黔南州住房和城乡建设局"  # the shipped 2022 projects' 主管部门
DEPARTMENT_FILE = "content/2022/部门/qnzzfhcxjsj.yaml"
PROJECT = "农村公路养护工程"
PROJECT_FILE = "content/2022/ncglyhgc.yaml"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path


def department_xlsx(path: Path, *, unit: str = "万元", tasks: bool = True, grid: bool = True,
                    blank_total: bool = False) -> Path:
    """The form in columns A–F: title, （2022年度）, 部门（单位）名称, 部门职能概述, 总体资金情况 with its
    收入构成 / 支出构成 lines and 占比, 年度主要任务 (预算金额 over 总额 | 财政拨款 | 其他资金, the block's
    label merged down), 金额合计, 年度总体目标 (one merged cell of two numbered goals), and the
    年度绩效指标 grid with 一级/二级 merged down. Tasks on rows 10–12, the grid's header on row 15."""
    scale = 10000 if unit == "元" else 1
    book = openpyxl.Workbook()
    s = book.active
    s.title = "部门整体"
    s.append(["部门（单位）整体支出绩效目标表"])
    s.append(["（2022年度）"])
    s.append(["部门（单位）名称", DEPARTMENT])
    s.append(["部门职能概述", "负责全州住房和城乡建设行业管理。"])
    s.append([f"总体资金情况（{unit}）", "收入构成", "财政拨款收入", 130 * scale, "占比", "100%"])
    s.append([None, "支出构成", "基本支出", 8.6 * scale, "占比", "6.62%"])
    s.append([None, None, "项目支出", 121.4 * scale, "占比", "93.38%"])
    if tasks:
        s.append(["年度主要任务", "任务名称", "主要内容", f"预算金额（{unit}）"])
        s.append([None, None, None, "总额", "财政拨款", "其他资金"])
        s.append([None, "城建执法", "开展城乡规划建设执法检查", None if blank_total else 36.4 * scale, 36.4 * scale, None])
        s.append([None, "村镇建设管理", "农村危房改造与村镇建设", 29.12 * scale, 29.12 * scale, "—"])
        s.append([None, "机关后勤保障", "物业管理与后勤服务", 10.38 * scale, 10.38 * scale, 0])
        s.append(["金额合计", None, None, 75.9 * scale, 75.9 * scale, 0])
    else:
        s.append(["预算金额"] + [None] * 5)
        for _ in range(5):
            s.append([None])
    s.append(["年度总体目标", "1、完成城建执法检查。2、完成村镇建设管理工作。"])
    merges = ["A1:F1", "A2:F2", "B3:F3", "B4:F4", "A5:A7", "B6:B7", "B14:F14"]
    if tasks:
        merges += ["A8:A12", "B8:B9", "C8:C9", "D8:F8", "A13:C13"]
    if grid:
        s.append(["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值"])
        s.append([None, "产出指标", "数量指标", "执法检查次数", "≥12次"])
        s.append([None, None, None, "危房改造户数", "≥200户"])
        s.append([None, None, "时效指标", "完成时限", "2022年12月31日"])
        s.append([None, "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"])
        merges += ["A15:A19", "B16:B18", "C16:C17", "E15:F15"]
    for ref in merges:
        s.merge_cells(ref)
    book.save(path)
    return path


def _load_department(site: Path):
    source, diags = load_file(site / DEPARTMENT_FILE, DEPARTMENT_FILE)
    assert source is not None, diags
    table, problems = build_department(source)
    assert table is not None, problems
    return table


def _import(site: Path, path: Path) -> str:
    result = run_cli("import", str(path), cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _checked(site: Path) -> None:
    """The imported files pass check and are already in fmt's form (a clean git diff next year)."""
    result = run_cli("check", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stderr
    formatted = run_cli("fmt", "--check", "content", cwd=site)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_the_department_form_imports_into_the_years_department_folder_and_passes_check(site: Path):
    out = _import(site, department_xlsx(site / "部门.xlsx"))
    assert f"→ {DEPARTMENT_FILE}（{DEPARTMENT}；" in out
    assert "3 项年度主要任务" in out
    _checked(site)
    table = _load_department(site)
    assert (table.year, table.department, table.unit) == (2022, DEPARTMENT, "万元")
    assert table.duties == "负责全州住房和城乡建设行业管理。"
    assert [t.name for t in table.tasks] == ["城建执法", "村镇建设管理", "机关后勤保障"]
    first, second, third = table.tasks
    assert (first.total, first.fiscal, first.other) == (Decimal("36.4"), Decimal("36.4"), None)
    assert first.content == "开展城乡规划建设执法检查"
    assert second.other is None  # the form's dash is a blank, not 0
    assert third.other == Decimal(0)
    assert (table.sum.total, table.sum.fiscal, table.sum.other) == (Decimal("75.9"), Decimal("75.9"), Decimal(0))
    assert table.goals == ["1、完成城建执法检查。", "2、完成村镇建设管理工作。"]
    income, = table.composition.income
    assert (income.name, income.amount, income.share) == ("财政拨款收入", Decimal(130), Decimal(100))
    assert [(x.name, x.amount, x.share) for x in table.composition.spending] == [
        ("基本支出", Decimal("8.6"), Decimal("6.62")), ("项目支出", Decimal("121.4"), Decimal("93.38"))]
    # the merged 一级/二级 cells give the second row its labels
    rows = [(l1, l2, row.name, row.value_text) for l1, l2, _i, row in table.rows()]
    assert rows == [("产出指标", "数量指标", "执法检查次数", "≥12次"), ("产出指标", "数量指标", "危房改造户数", "≥200户"),
                    ("产出指标", "时效指标", "完成时限", "2022年12月31日"),
                    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%")]


def test_amounts_in_yuan_stay_as_the_form_writes_them(site: Path):
    _import(site, department_xlsx(site / "部门.xlsx", unit="元"))
    _checked(site)
    table = _load_department(site)
    assert table.unit == "元"
    assert table.tasks[0].total == Decimal(364000)
    assert table.sum.total == Decimal(759000)
    assert table.expenditure().amount == Decimal(1214000)


def test_the_same_form_as_a_web_page_imports_alike(site: Path):
    page = """<html><head><meta charset="utf-8"></head><body><p>部门（单位）整体支出绩效目标表</p><p>（2022年度）</p>
<table>
<tr><td>部门（单位）名称</td><td colspan="5">黔南州住房和城乡建设局</td></tr>
<tr><td rowspan="4">年度主要任务</td><td rowspan="2">任务名称</td><td rowspan="2">主要内容</td><td colspan="3">预算金额（万元）</td></tr>
<tr><td>总额</td><td>财政拨款</td><td>其他资金</td></tr>
<tr><td>城建执法</td><td>开展执法检查</td><td>36.4</td><td>36.4</td><td>0</td></tr>
<tr><td>村镇建设管理</td><td>村镇建设</td><td>29.12</td><td>29.12</td><td>0</td></tr>
<tr><td colspan="3">金额合计</td><td>65.52</td><td>65.52</td><td>0</td></tr>
<tr><td>年度总体目标</td><td colspan="5">完成城建执法和村镇建设管理工作。</td></tr>
<tr><td rowspan="3">年度绩效指标</td><td>一级指标</td><td>二级指标</td><td>三级指标</td><td colspan="2">指标值</td></tr>
<tr><td rowspan="2">产出指标</td><td rowspan="2">数量指标</td><td>执法检查次数</td><td colspan="2">≥12次</td></tr>
<tr><td>危房改造户数</td><td colspan="2">≥200户</td></tr>
</table></body></html>"""
    (site / "部门.html").write_text(page, encoding="utf-8")
    _import(site, site / "部门.html")
    _checked(site)
    table = _load_department(site)
    assert [(t.name, t.total) for t in table.tasks] == [("城建执法", Decimal("36.4")), ("村镇建设管理", Decimal("29.12"))]
    assert table.sum.total == Decimal("65.52")
    assert [row.name for *_l, row in table.rows()] == ["执法检查次数", "危房改造户数"]


@pytest.mark.parametrize("split", [False, True], ids=["one-table", "head-and-grid-tables"])
def test_the_same_form_as_a_word_table_imports_alike(site: Path, split: bool):
    """As one table, or as Word templates often have it: a head table, then the grid's own table."""
    import docx

    document = docx.Document()
    document.add_paragraph("部门（单位）整体支出绩效目标表")
    document.add_paragraph("（2022年度）")
    rows = [["部门（单位）名称", DEPARTMENT, "", "", "", ""],
            ["年度主要任务", "任务名称", "主要内容", "预算金额（万元）", "", ""],
            ["", "", "", "总额", "财政拨款", "其他资金"],
            ["", "城建执法", "开展执法检查", "36.4", "30", "6.4"],
            ["金额合计", "", "", "36.4", "30", "6.4"],
            ["年度总体目标", "完成城建执法工作。", "", "", "", ""],
            ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值", ""],
            ["", "产出指标", "数量指标", "执法检查次数", "≥12次", ""],
            ["", "", "", "执法人员培训", "≥2次", ""]]
    merges = (((0, 1), (0, 5)), ((1, 0), (3, 0)), ((1, 1), (2, 1)), ((1, 2), (2, 2)), ((1, 3), (1, 5)),
              ((4, 0), (4, 2)), ((5, 1), (5, 5)), ((6, 0), (8, 0)), ((7, 1), (8, 1)), ((7, 2), (8, 2)))
    parts = [(rows[:6], 0), (rows[6:], 6)] if split else [(rows, 0)]
    for part, first in parts:
        if split and first:
            document.add_paragraph("年度绩效指标")
        table = document.add_table(rows=len(part), cols=6)
        for r, row in enumerate(part):
            for c, text in enumerate(row):
                if text:
                    table.cell(r, c).text = text
        for a, b in merges:
            if first <= a[0] < first + len(part):
                table.cell(a[0] - first, a[1]).merge(table.cell(b[0] - first, b[1]))
    document.save(site / "部门.docx")
    _import(site, site / "部门.docx")
    _checked(site)
    read = _load_department(site)
    task, = read.tasks
    assert (task.name, task.total, task.fiscal, task.other) == ("城建执法", Decimal("36.4"), Decimal(30), Decimal("6.4"))
    assert [(l2, row.name) for _l1, l2, _i, row in read.rows()] == [("数量指标", "执法检查次数"), ("数量指标", "执法人员培训")]


@pytest.mark.parametrize("kwargs, message", [
    ({"tasks": False}, "部门整体.xlsx:部门整体: 是部门整体支出绩效目标表，但没有“年度主要任务”"),
    ({"grid": False}, "部门整体.xlsx:部门整体: 是部门整体支出绩效目标表，但找不到年度绩效指标的“一级指标 二级指标 三级指标 指标值”表头"),
    ({"blank_total": True}, "部门整体.xlsx:部门整体:10: 年度主要任务「城建执法」没有预算金额（总额）"),
])
def test_a_form_without_tasks_a_grid_or_a_tasks_amount_is_refused_and_nothing_written(site: Path, kwargs, message):
    before = files(site / "content")
    result = run_cli("import", str(department_xlsx(site / "部门整体.xlsx", **kwargs)), cwd=site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stderr, result.stderr
    assert "没有写入任何文件" in result.stderr
    assert "Traceback" not in result.stderr
    assert files(site / "content") == before


# --- a multi-year project's 项目支出绩效目标表 (88号) ------------------------------------------------

GRID = [("产出指标", "数量指标", "养护里程", "≥960公里", "≥320公里"),
        ("产出指标", "质量指标", "路面优良率", "≥85%", "≥80%"),
        ("产出指标", "时效指标", "完成时限", "2024年12月31日", "2022年12月31日"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "≥90%")]


def multi_year_xlsx(path: Path, *, layout: str = "columns", unit: str = "万元") -> Path:
    """The 88号 form in columns A–F: header rows with 项目属性 and 项目期, 项目资金 with 中期资金总额 |
    年度资金总额 (the block's label merged down), 总体目标 with 中期目标（2022年—2024年）| 年度目标, then
    ``layout`` "columns": one grid with 中期指标值 | 年度指标值; "grids": a 中期绩效指标 grid and a
    年度绩效指标 grid, each titled; "year": only a one-value grid (no 中期 indicators)."""
    scale = 10000 if unit == "元" else 1
    book = openpyxl.Workbook()
    s = book.active
    s.title = "多年项目"
    s.append(["项目支出绩效目标表"])
    s.append(["（2022年度）"])
    s.append(["项目名称", PROJECT])
    s.append(["主管部门及代码", DEPARTMENT, None, "实施单位", DEPARTMENT])
    s.append(["项目属性", "延续项目", None, "项目期", "2022年—2024年"])
    s.append([f"项目资金（{unit}）", None, None, "中期资金总额", "年度资金总额"])
    s.append([None, "资金总额", None, 900 * scale, 300 * scale])
    s.append([None, "其中：财政拨款", None, 850 * scale, 280 * scale])
    s.append([None, "其他资金", None, 50 * scale, 20 * scale])
    s.append(["总体目标", "中期目标（2022年—2024年）", None, None, "年度目标"])
    s.append([None, "三年内完成全州 960 公里农村公路的养护。", None, None, "完成 320 公里农村公路养护。"])
    merges = ["A1:F1", "A2:F2", "B3:F3", "B4:C4", "E4:F4", "A6:C6", "A7:A9", "B7:C7", "B8:C8", "B9:C9",
              "A10:A11", "B10:D10", "E10:F10", "B11:D11", "E11:F11"]
    if layout == "columns":
        s.append(["绩效指标", "一级指标", "二级指标", "三级指标", "中期指标值", "年度指标值"])
        for row in GRID:
            s.append([None, *row])
        merges += ["A12:A16", "B13:B15"]
    else:
        titled = (("中期绩效指标", 3), ("年度绩效指标", 4)) if layout == "grids" else ((None, 4),)
        for title, col in titled:
            if title:
                s.append([title])
                merges.append(f"A{s.max_row}:F{s.max_row}")
            s.append(["一级指标", "二级指标", "三级指标", "指标值"])
            first = s.max_row + 1
            for row in GRID:
                s.append([*row[:3], row[col]])
            merges.append(f"A{first}:A{first + 2}")
    for ref in merges:
        s.merge_cells(ref)
    book.save(path)
    return path


def _load_project(site: Path):
    source, diags = load_file(site / PROJECT_FILE, PROJECT_FILE)
    assert source is not None, diags
    project, _parts, problems = build_project(source)
    assert project is not None, problems
    return project


@pytest.mark.parametrize("layout", ["columns", "grids"])
def test_a_multi_year_form_puts_the_years_data_in_place_and_the_midterm_in_its_block(site: Path, layout: str):
    _import(site, multi_year_xlsx(site / "多年.xlsx", layout=layout))
    _checked(site)
    project = _load_project(site)
    assert (project.attribute, project.period) == ("延续项目", "2022年—2024年")
    assert (project.funds.total, project.funds.fiscal, project.funds.other) == (Decimal(300), Decimal(280), Decimal(20))
    assert project.goals == ["完成 320 公里农村公路养护。"]
    year_rows = [(l1, l2, row.name, row.value_text) for l1, l2, _i, row in project.rows()]
    assert year_rows == [(l1, l2, name, year) for l1, l2, name, _mid, year in GRID]
    mid = project.midterm
    assert (mid.funds.total, mid.funds.fiscal, mid.funds.other) == (Decimal(900), Decimal(850), Decimal(50))
    assert mid.goals == ["三年内完成全州 960 公里农村公路的养护。"]
    mid_rows = [(l1, l2, row.name, row.value_text) for l1, l2, _i, row in mid.rows()]
    assert mid_rows == [(l1, l2, name, value) for l1, l2, name, value, _year in GRID]


def test_a_multi_year_form_in_yuan_has_its_midterm_funds_in_wan(site: Path):
    out = _import(site, multi_year_xlsx(site / "多年.xlsx", unit="元"))
    assert "中期资金已换算为万元" in out
    _checked(site)
    project = _load_project(site)
    assert (project.funds.unit, project.funds.total) == ("万元", Decimal(300))
    assert project.midterm.funds.total == Decimal(900)


def test_a_multi_year_form_without_midterm_indicators_is_refused_and_nothing_written(site: Path):
    before = files(site / "content")
    result = run_cli("import", str(multi_year_xlsx(site / "多年.xlsx", layout="year")), cwd=site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "多年.xlsx:多年项目: 是多年项目的表（有中期资金总额），但没有中期绩效指标" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert files(site / "content") == before
