"""`perfsite import` of spreadsheets: budget-system flat exports (.xlsx and .csv) and the classic
form as an .xlsx sheet per project. Fixtures are made here with openpyxl, so what they hold is
readable in this file; every guess the importer makes is asserted."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from perfsite.source import load_file

from conftest import date_year, run_cli, snapshot

HEADER = ["单位名称", "项目名称", "预算数（元）", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值",
          "度量单位", "权重", "指标方向性"]
# Two projects, one row per indicator; project cells of A are merged, those of B are left blank.
ROWS_A = [
    ["都匀市交通运输局", "农村公路养护工作经费", "1,038,000.00", "目标1：完成农村公路日常养护。\n目标2：提升路况。",
     "产出指标", "数量指标", "养护里程", "≥", "120", "公里", "20", "正向"],
    [None, None, None, None, None, None, "桥梁检查次数", "≥", "4", "次", "10", "正向"],
    [None, None, None, None, None, "质量指标", "路况优良率", "≥", "80", "%", "20", "正向"],
    [None, None, None, None, None, "时效指标", "完成时限", "定性", "2023年12月31日", None, "10", None],
    [None, None, None, None, None, "成本指标", "养护经费", "≤", "103.8", "万元", "10", "反向"],
    [None, None, None, None, "效益指标", "社会效益指标", "群众出行便利度", "定性", "显著提升", None, "20", None],
    [None, None, None, None, "满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", "292", "%", "10", "正向"],
]
ROWS_B = [
    ["都匀市交通运输局", "城市道路照明维护经费", "260,000", "目标1：保障城市道路照明设施正常运行。", "产出指标", "数量指标",
     "维护路灯数量", "≥", "3000", "盏", "30", "正向"],
    [None, None, None, None, None, None, "巡查次数", "≥", "52", "次", "20", "正向"],
    [None, None, None, None, None, "成本指标", "维护经费", "≤", "26", "万元", "20", "反向"],
    [None, None, None, None, "满意度指标", "服务对象满意度指标", "市民满意度", "≥", "90", "%", "30", "正向"],
]


def export_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "项目绩效目标"
    sheet.append(["2023年度项目支出绩效目标申报表"])
    sheet.append(["单位：元"])
    sheet.append(HEADER)
    for row in ROWS_A + ROWS_B:
        sheet.append(row)
    first, last = 4, 4 + len(ROWS_A) - 1
    for col in "ABCD":
        sheet.merge_cells(f"{col}{first}:{col}{last}")
    sheet.merge_cells(f"E{first}:E{first + 4}")  # 产出指标 over its five rows
    book.save(path)
    return path


def export_csv(path: Path, encoding: str) -> Path:
    lines = ["2023年度项目支出绩效目标申报表", "单位：元", ",".join(HEADER)]
    for row in ROWS_A + ROWS_B:
        lines.append(",".join(f'"{c}"' if c and ("," in c or "\n" in c) else (c or "") for c in row))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def form_xlsx(path: Path, *, cost_first: bool = False) -> Path:
    """The printed form, one project per sheet, labels and 一级/二级 merged as on paper."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "村镇建设"
    rows = [
        ["项目支出绩效目标表"], ["（2023年度）", None, None, None, "金额单位：万元"],
        ["项目名称", None, "村镇建设管理工作经费"], ["主管部门及代码", None, "219-黔南州住房和城乡建设局", "实施单位", "黔南州住房和城乡建设局"],
        ["资金来源", None, "财政资金"], ["资金总额", None, "9.1"], ["财政拨款", None, "9.1"], ["其中：上级补助", None, "0"],
        ["本级安排", None, "9.1"], ["其他资金", None, "0"], ["总体目标", None, "年度目标"],
        [None, None, "目标1: 开展传统村落规划执行情况核查"], [None, None, "目标2: 乡镇基础设施建设逐渐完善、"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "说明"],
    ]
    if cost_first:
        grid = [["成本指标", "经济成本指标", "工作经费成本", "≤9.1万元", None],
                ["产出指标", "数量指标", "开展核查", "≥2次", None],
                [None, "时效指标", "项目完成时间", "2023年12月31日", None],
                ["满意度指标", "服务对象满意度指标", "村民满意度", "≥90%", None]]
    else:
        grid = [["产出", "数量", "开展传统村落规划执行情况核查", "≥2次", None],
                [None, None, "开展传统村落示范村建设督导", "≥2次", None],
                [None, "时效", "项目完成时间", "2023年12月31日", None],
                [None, "成本", "工作经费成本", "≤9.1万元", None],
                [None, None, "项目或定额成本控制率", "100%", "项目或定额成本控制率"],
                ["满意度", "服务对象满意度", "村民满意度", "≥90%", None]]
    for row in rows:
        sheet.append(row)
    for row in grid:
        sheet.append([None, *row])
    start = len(rows) + 1
    for r in range(3, 12):
        sheet.merge_cells(f"A{r}:B{r}")
    sheet.merge_cells("A11:B13")  # 总体目标
    sheet.merge_cells(f"A{start}:A{start + len(grid) - 1}")  # 绩效指标 label column
    if not cost_first:
        sheet.merge_cells(f"B{start}:B{start + 4}")  # 产出 over five rows
        sheet.merge_cells(f"C{start}:C{start + 1}")  # 数量 over two
        sheet.merge_cells(f"C{start + 3}:C{start + 4}")  # 成本 over two
    else:
        sheet.merge_cells(f"B{start + 1}:B{start + 2}")
    book.save(path)
    return path


@pytest.fixture
def site(shipped: Path) -> Path:
    return shipped


def imported(site: Path, *files: str, args: tuple[str, ...] = ()) -> tuple[dict[str, dict], str]:
    result = run_cli("import", *files, *args, cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    data = {}
    for path in sorted((site / "content/2023").glob("*.yaml")):
        source, diags = load_file(path, path.name)
        assert source is not None, diags
        data[source.data["项目名称"]] = source.data
    return data, result.stdout


def guesses(site: Path, name: str) -> list[str]:
    path = next(p for p in (site / "content/2023").glob("*.yaml") if name in p.read_text(encoding="utf-8"))
    return [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip().startswith("# 导入提示")]


def check_export(site: Path, data: dict[str, dict], report: str, merged: bool = True) -> None:
    a = data["农村公路养护工作经费"]
    assert (a["年度"], a["主管部门及代码"], a["实施单位"]) == ("2023", "都匀市交通运输局", "都匀市交通运输局")
    assert a["资金"]["资金总额"] == "103.8" and a["资金"]["单位"] == "万元"
    assert a["年度目标"] == ["目标1：完成农村公路日常养护。", "目标2：提升路况。"]
    grid = a["绩效指标"]
    assert list(grid) == ["产出指标", "效益指标", "满意度指标"]
    assert [r["三级指标"] for r in grid["产出指标"]["数量指标"]] == ["养护里程", "桥梁检查次数"]
    # The source splits 指标性质 / 指标值 / 度量单位 and has 权重 and 指标方向性: each stays in its own
    # field (issue 19; these were folded into one text, and weight and direction dropped, before),
    # and the file's 表样 is the form with exactly these columns.
    assert a["表样"] == "一体化2021"
    assert grid["产出指标"]["数量指标"][0] == {"三级指标": "养护里程", "指标性质": "≥", "指标值": "120", "度量单位": "公里",
                                            "权重": "20", "指标方向": "正向"}
    assert [r["指标值"] for r in grid["产出指标"]["数量指标"]] == ["120", "4"]
    assert grid["产出指标"]["时效指标"][0] == {"三级指标": "完成时限", "指标性质": "定性", "指标值": "2023年12月31日", "权重": "10"}
    assert grid["产出指标"]["成本指标"][0]["指标性质"] == "≤" and grid["产出指标"]["成本指标"][0]["度量单位"] == "万元"
    assert grid["满意度指标"]["服务对象满意度指标"][0]["指标值"] == "292"
    notes = guesses(site, "农村公路养护工作经费")
    assert any("元，已换算为万元：资金总额 1,038,000.00 元" in g for g in notes)
    assert any("超过 100%" in g and "≥292%" in g for g in notes)  # the damage is read from the three columns together
    assert not any("未导入" in g for g in notes)  # nothing the source has is dropped
    inherited = [g for g in notes if "沿用上一行" in g]
    b = data["城市道路照明维护经费"]
    assert b["资金"]["资金总额"] == "26" and [r["三级指标"] for r in b["绩效指标"]["产出指标"]["数量指标"]] == \
        ["维护路灯数量", "巡查次数"]
    b_inherited = [g for g in guesses(site, "城市道路照明维护经费") if "沿用上一行" in g]
    if merged:  # A's labels were merged (certain); B's were left blank (a guess each)
        assert [g for g in inherited if "一级指标" in g] == []
        assert len(b_inherited) == 3
    else:  # a CSV knows no merging: every inherited label is a guess
        assert inherited and b_inherited
    assert "2 projects" in report or "共 2 个项目" in report


def test_budget_system_xlsx_export(site: Path):
    data, report = imported(site, str(export_xlsx(site / "export.xlsx")))
    check_export(site, data, report)
    assert "content/2023/" in report and "推测 (guess)" in report
    assert run_cli("build", cwd=site).returncode == 0


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_budget_system_csv_export_in_each_encoding(site: Path, encoding: str):
    data, report = imported(site, str(export_csv(site / "export.csv", encoding)))
    check_export(site, data, report, merged=False)


def test_classic_form_sheet(site: Path):
    data, report = imported(site, str(form_xlsx(site / "form.xlsx")))
    (project,) = data.values()
    assert project["项目名称"] == "村镇建设管理工作经费" and project["年度"] == "2023"
    assert project["主管部门及代码"] == "219-黔南州住房和城乡建设局" and project["实施单位"] == "黔南州住房和城乡建设局"
    assert project["资金"] == {"单位": "万元", "资金来源": "财政资金", "资金总额": "9.1", "财政拨款": "9.1",
                             "上级补助": "0", "本级安排": "9.1", "其他资金": "0"}
    assert project["年度目标"] == ["目标1: 开展传统村落规划执行情况核查", "目标2: 乡镇基础设施建设逐渐完善、"]
    assert project["绩效指标"] == {
        "产出": {"数量": [{"三级指标": "开展传统村落规划执行情况核查", "指标值": "≥2次"},
                          {"三级指标": "开展传统村落示范村建设督导", "指标值": "≥2次"}],
                 "时效": [{"三级指标": "项目完成时间", "指标值": "2023年12月31日"}],
                 "成本": [{"三级指标": "工作经费成本", "指标值": "≤9.1万元"},
                          {"三级指标": "项目或定额成本控制率", "指标值": "100%", "说明": "项目或定额成本控制率"}]},
        "满意度": {"服务对象满意度": [{"三级指标": "村民满意度", "指标值": "≥90%"}]}}
    notes = guesses(site, "村镇建设管理工作经费")
    assert len(notes) == 1 and "截断" in notes[0]  # only the goal that ends on 、; merged labels are certain
    date_year(site, 2023)
    assert run_cli("check", "--strict", cwd=site).returncode == 0  # valid, warning-free content


def test_cost_as_level1_sheet_is_read_with_the_2021_profile(site: Path):
    data, report = imported(site, str(form_xlsx(site / "form2021.xlsx", cost_first=True)))
    (project,) = data.values()
    assert list(project["绩效指标"]) == ["成本指标", "产出指标", "满意度指标"]
    notes = guesses(site, "村镇建设管理工作经费")
    assert any("2021" in g and "site.yaml" in g for g in notes)
    assert "E032" not in report and "E030" not in report


def test_dry_run_writes_nothing_and_existing_files_need_force(site: Path):
    source = export_xlsx(site / "export.xlsx")
    dry = run_cli("import", str(source), "--dry-run", cwd=site)
    assert dry.returncode == 0 and "试运行" in dry.stdout and not (site / "content/2023").exists()
    assert run_cli("import", str(source), cwd=site).returncode == 0
    before = snapshot(site / "content")
    again = run_cli("import", str(source), cwd=site)
    assert again.returncode == 1 and "--force" in again.stderr and snapshot(site / "content") == before
    assert run_cli("import", str(source), "--force", cwd=site).returncode == 0


@pytest.mark.parametrize("name, content, message", [
    ("empty.xlsx", b"", "文件是空的"),
    ("broken.xlsx", b"PK\x03\x04 this is not really a zip", "不是有效的 .xlsx 文件"),
    ("old.xlsx", bytes(range(256)) * 8, "不是有效的 .xlsx 文件"),
    ("columns.csv", "姓名,年龄\n张三,30\n".encode(), "找不到表头行"),
    ("utf16.csv", "项目名称,三级指标,指标值\n".encode("utf-16"), "UTF-16"),
    ("latin.csv", "項目名稱,三級指標,指標值\n".encode("big5") + b"\xff\xfe\xfa", "既不是 UTF-8 也不是 GB18030"),
    ("prose.txt", "这是一段普通的文字，没有任何表格。\n".encode(), "prose.txt"),
])
def test_bad_files_are_refused_by_name_and_nothing_is_written(site: Path, name: str, content: bytes, message: str):
    good = export_xlsx(site / "good.xlsx")
    bad = site / name
    bad.write_bytes(content)
    before = snapshot(site / "content")
    result = run_cli("import", str(good), str(bad), cwd=site)
    assert result.returncode == 1, result.stdout
    assert name in result.stderr and message in result.stderr and "Traceback" not in result.stderr
    assert "没有写入任何文件" in result.stderr and snapshot(site / "content") == before


def test_a_workbook_with_no_project_sheet(site: Path):
    book = openpyxl.Workbook()
    book.active.append(["说明", "本工作簿没有项目"])
    book.save(site / "notes.xlsx")
    result = run_cli("import", "notes.xlsx", cwd=site)
    assert result.returncode == 1 and "notes.xlsx" in result.stderr and "没有一张工作表像项目表" in result.stderr
