"""Issue 22's import: a 项目支出绩效自评表 (the printed form kept as .xlsx, or a flat export with
实际完成值 / 得分 columns) → ``perfsite import`` → ``content/<年度>/自评/<id>.yaml``, read back with
the self-evaluation's own model. The sources are real files written here with openpyxl or as CSV
bytes; the form is the shipped 2022 project 局机关物业管理后勤工作经费 with its real indicator names."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfsite.evaluation import Evaluation, build_evaluation
from perfsite.fmt import format_text
from perfsite.model import PLACEHOLDERS
from perfsite.source import load_file

from conftest import CONTENT, SITE, files, run_cli

NAME = "局机关物业管理后勤工作经费"
UNIT = "黔南州住房和城乡建设局"
EXPECTED_GOAL = ("目标1: 保证单位办公场所公共清洁卫生, 创建文明机关, 营造舒适干净办公环境、保证车辆有序停放, 保证办公环境安全性; "
                 "辅助单位食堂各项工作有效运行, 做好机关后勤服务工作。")
ACHIEVED = "1、全年每周保洁7次，办公环境整洁。\n2、车辆停放有序，食堂运行正常，未发生安全事故。"
REASON_TWO_LINES = "偏差原因：个别职工对食堂菜品满意度不高。\n改进措施：每季度征求意见，调整菜谱。"
# 一级 (merged down), 二级 (merged down), 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因 — the shipped
# target table's rows (content/2022/wuye-houqin.yaml), with what a bureau would report after the year.
GRID: list[tuple[str, str, str, object, str, int | float, int | float, str | None]] = [
    ("产出指标", "数量指标", "公共环境卫生清洁次数", "每周≥7次", "每周7次", 10, 10, None),
    ("产出指标", "质量指标", "开展党组织生活", "开展主题党日活动\\表彰慰问\\发放补助等", "开展主题党日活动12次", 10, 10, None),
    ("产出指标", "质量指标", "公舒适度", "全面保障", "全面保障", 10, 10, None),
    ("产出指标", "时效指标", "工作完成时限", dt.datetime(2022, 12, 31), "2022年12月31日", 10, 10, None),
    ("产出指标", "成本指标", "物业管理费维护成本", "≤10.38万", "10.2万元", 5, 5, None),
    ("产出指标", "成本指标", "项目或定额成本控制率", "100%", "98.27%", 5, 4.5, "物业服务合同结余0.18万元，已按规定收回。"),
    ("效益指标", "社会效益指标", "保社会稳定", "确保工作运转正常", "工作运转正常", 30, 30, None),
    ("满意度指标", "服务对象满意度指标", "提供服务公司满意度", "≥90%", "95%", 5, 5, None),
    ("满意度指标", "服务对象满意度指标", "全局干部职工满意度", "≥90%", "88%", 5, 4, REASON_TWO_LINES),
]
BANDS = {"产出指标": "产出指标(50分)", "效益指标": "效益指标(30分)", "满意度指标": "满意度指标(10分)"}
TOTAL = "98.3"  # 9.8 + 49.5 + 30 + 9


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the shipped content: its 2022 target tables are what the import links to
    (without the shipped example self-evaluations, which the imports here would otherwise meet)."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.rmtree(tmp_path / "content/2022/自评", ignore_errors=True)
    return tmp_path


def form_xlsx(path: Path, *, actual_header: str = "实际完成值", level1_cells: bool = True) -> Path:
    """The 自评表 as 财预〔2020〕10号 prints it, in columns A–J: merged title, header rows, the funds
    block (amounts with number formats, 执行率 as a percent cell), goals, the grid with 一级/二级
    merged down and a category row before each 一级, 总分 and 自评等级. ``level1_cells=False``: the
    一级 cells are left blank under the category rows, as some units fill the form."""
    book = openpyxl.Workbook()
    s = book.active
    s.title = "自评表"
    s.append(["项目支出绩效自评表"])
    s.append(["（2022年度）"])
    s.append(["项目名称", NAME])
    s.append(["主管部门", UNIT, None, None, None, "实施单位", UNIT])
    s.append(["项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    s.append([None, "年度资金总额", None, 10.38, 10.38, 10.2, 10, 0.9827, 9.8])
    s.append([None, "其中：当年财政拨款", None, 10.38, 10.38, 10.2, "—", 0.9827, "—"])
    s.append([None, "上年结转资金", None, None, None, None, "—", None, "—"])
    s.append([None, "其他资金", None, None, None, None, "—", None, "—"])
    s.append(["年度总体目标", "预期目标", None, None, None, "实际完成情况"])
    s.append([None, EXPECTED_GOAL, None, None, None, ACHIEVED])
    s.append(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", actual_header, "分值", "得分",
              "偏差原因分析及改进措施"])
    for ref in ("A1:J1", "A2:J2", "B3:J3", "B4:E4", "G4:J4", "A5:A9", "B5:C5", "I5:J5", "B10:E10", "F10:J10",
                "A10:A11", "B11:E11", "F11:J11"):
        s.merge_cells(ref)
    for row in range(6, 10):
        s.merge_cells(f"B{row}:C{row}")
        s.merge_cells(f"I{row}:J{row}")
        s[f"F{row}"].number_format = "0.00"  # 10.2 shows as 10.20
        s[f"H{row}"].number_format = "0.00%"  # 0.9827 shows as 98.27%
    first = s.max_row + 1
    spans: dict[tuple[int, str], list[int]] = {}
    last_l1 = None
    for l1, l2, l3, target, actual, points, score, reason in GRID:
        if l1 != last_l1:
            s.append([None, BANDS[l1]])  # one-line category header, merged across the grid
            s.merge_cells(f"B{s.max_row}:J{s.max_row}")
            last_l1 = l1
        s.append([None, l1 if level1_cells else None, l2, l3, target, actual, points, score, reason])
        spans.setdefault((1, l1), []).append(s.max_row)
        spans.setdefault((2, l1 + l2), []).append(s.max_row)
        s.merge_cells(f"I{s.max_row}:J{s.max_row}")
        if isinstance(target, dt.datetime):
            s[f"E{s.max_row}"].number_format = "yyyy年m月d日"
    for (level, _name), rows in spans.items():
        col = "B" if level == 1 else "C"
        if len(rows) > 1 and (level == 2 or level1_cells):
            s.merge_cells(f"{col}{rows[0]}:{col}{rows[-1]}")
    s.merge_cells(f"A{first - 1}:A{s.max_row}")  # 绩效指标 over the whole grid
    s.append(["总分", None, None, None, None, None, 100, float(TOTAL)])
    s.merge_cells(f"A{s.max_row}:F{s.max_row}")
    s.append(["自评等级", None, None, None, None, None, "优"])
    s.merge_cells(f"A{s.max_row}:F{s.max_row}")
    s.merge_cells(f"G{s.max_row}:J{s.max_row}")
    s.append(["联系人", "张明", None, None, None, "联系电话", "0854-8221234"])
    book.save(path)
    return path


def loaded(path: Path) -> tuple[Evaluation, str]:
    source, diags = load_file(path, path.name)
    assert source is not None, diags
    evaluation, problems = build_evaluation(source)
    assert evaluation is not None, [d.format() for d in problems]
    return evaluation, source.text


def test_the_form_imports_as_the_shipped_projects_self_evaluation(site: Path):
    source = form_xlsx(site / "自评表.xlsx")
    result = run_cli("import", str(source), cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    path = site / "content/2022/自评/wuye-houqin.yaml"  # the target table's id, found by 项目名称
    assert path.is_file(), result.stdout
    assert "wuye-houqin" in result.stdout and "自评表" in result.stdout
    ev, text = loaded(path)
    assert (ev.id, ev.year, ev.name, ev.department, ev.implementer) == ("wuye-houqin", 2022, NAME, UNIT, UNIT)
    assert (ev.contact, ev.phone, ev.grade) == ("张明", "0854-8221234", "优")
    funds = ev.funds
    assert funds.unit == "万元"
    assert (funds.total.initial, funds.total.budget, funds.total.spent, funds.total.rate) == \
        (Decimal("10.38"), Decimal("10.38"), Decimal("10.20"), Decimal("98.27"))
    assert funds.fiscal is not None and funds.fiscal.spent == Decimal("10.20")
    data = load_file(path, path.name)[0].data
    assert data["项目资金"] == {  # every line the form prints, blank where it is blank, as the cells show them
        "单位": "万元",
        "年度资金总额": {"年初预算数": "10.38", "全年预算数": "10.38", "全年执行数": "10.20", "执行率": "98.27%"},
        "当年财政拨款": {"年初预算数": "10.38", "全年预算数": "10.38", "全年执行数": "10.20", "执行率": "98.27%"},
        "上年结转资金": {"全年预算数": None, "全年执行数": None}, "其他资金": {"全年预算数": None, "全年执行数": None},
        "分值": "10", "得分": "9.8"}
    assert funds.carried is not None and funds.carried.budget is None  # printed, blank
    assert (funds.points, funds.score) == (Decimal(10), Decimal("9.8"))
    assert ev.outcome.expected == [EXPECTED_GOAL]
    assert ev.outcome.achieved == ACHIEVED.split("\n")  # the two-line cell: one line each
    assert list(ev.indicators) == ["产出指标", "效益指标", "满意度指标"]  # as written, not the bands
    assert list(ev.indicators["产出指标"]) == ["数量指标", "质量指标", "时效指标", "成本指标"]
    got = [(l1, l2, r.name, r.target, r.actual, r.points, r.score, r.reason) for l1, l2, _i, r in ev.rows()]
    want = [(l1, l2, l3, "2022年12月31日" if isinstance(t, dt.datetime) else t, a, Decimal(str(p)), Decimal(str(s)), why)
            for l1, l2, l3, t, a, p, s, why in GRID]
    assert got == want
    assert ev.total == Decimal(TOTAL)
    assert "偏差原因: |-\n          偏差原因：个别职工" in text  # the two-line cell kept whole, as a block
    # nothing the source said is a guess: only the link to the target table is noted
    notes = [line for line in text.splitlines() if line.strip().startswith("# 导入提示")]
    assert len(notes) == 1 and "wuye-houqin.yaml" in notes[0], notes
    assert "W09" not in result.stderr and "E09" not in result.stderr, result.stderr  # the lead's checks pass
    assert format_text(text, path.name, "evaluation")[0] == text  # written in the canonical form


def test_blank_level1_cells_under_category_rows_take_the_category_rows_name(site: Path):
    result = run_cli("import", str(form_xlsx(site / "f.xlsx", level1_cells=False)), cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    ev, text = loaded(site / "content/2022/自评/wuye-houqin.yaml")
    assert list(ev.indicators) == list(BANDS.values())  # as the form prints them: 产出指标(50分)
    assert [r.name for *_k, r in ev.rows()] == [row[2] for row in GRID]
    assert "沿用上一行" not in text  # the category row says it: no guess


def test_a_form_without_a_target_table_gets_its_id_from_the_name(tmp_path: Path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/site.yaml").write_text(SITE, encoding="utf-8")
    result = run_cli("import", str(form_xlsx(tmp_path / "f.xlsx")), cwd=tmp_path)
    written = list((tmp_path / "content/2022/自评").glob("*.yaml"))
    assert [p.name for p in written] == ["jjgwyglhqgzjf.yaml"], result.stdout + result.stderr
    assert "没有 2022 年项目名称为「局机关物业管理后勤工作经费」的目标表" in written[0].read_text(encoding="utf-8")
    loaded(written[0])


def test_a_form_without_the_actual_column_is_refused_and_nothing_written(site: Path):
    before = files(site / "content")
    result = run_cli("import", str(form_xlsx(site / "broken.xlsx", actual_header="备注")), cwd=site)
    assert result.returncode != 0
    assert "broken.xlsx:自评表:12: 是项目支出绩效自评表，但指标表头没有“实际完成值”列（表头是：绩效指标、一级指标" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "没有写入任何文件" in result.stderr
    assert files(site / "content") == before


EXPORT_HEADER = ["项目名称", "主管部门", "实施单位", "一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分",
                 "偏差原因", "全年预算数（万元）", "全年执行数（万元）", "总分", "实际完成情况"]
EXPORT = [
    [NAME, UNIT, UNIT, "预算执行", None, None, None, None, "10", "9.8", None, "10.38", "10.2", TOTAL, "全年每周保洁7次，办公环境整洁。"],
    [NAME, UNIT, UNIT, "产出指标", "数量指标", "公共环境卫生清洁次数", "每周≥7次", "每周7次", "50", "49.5", None, "10.38", "10.2", TOTAL],
    [NAME, UNIT, UNIT, "效益指标", "社会效益指标", "保社会稳定", "确保工作运转正常", "工作运转正常", "30", "30", None, "10.38", "10.2", TOTAL],
    [NAME, UNIT, UNIT, "满意度指标", "服务对象满意度指标", "全局干部职工满意度", "≥90%", "88%", "10", "9",
     "个别职工对食堂菜品满意度不高，将每季度征求意见。", "10.38", "10.2", TOTAL],
    ["城乡规划宣传经费", "某县住房和城乡建设局", "某县规划服务中心", "产出指标", "数量指标", "宣传活动次数", "≥4次", "5次", "50", "50", None,
     "2", "1.6", None],
    ["城乡规划宣传经费", "某县住房和城乡建设局", "某县规划服务中心", "效益指标", "社会效益指标", "群众知晓率", "≥80%", "85%", "30", "30",
     None, "2", "1.6", None],
    ["城乡规划宣传经费", "某县住房和城乡建设局", "某县规划服务中心", "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "92%", "10",
     "10", None, "2", "1.6", None],
]


def export_csv(path: Path, header: list[str] = EXPORT_HEADER, rows: list[list[str | None]] = EXPORT) -> Path:
    lines = ["2022年度项目支出绩效自评结果", ",".join(header)] + [",".join(c or "" for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def export_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2022年度项目支出绩效自评结果"])
    sheet.append(EXPORT_HEADER)
    for row in EXPORT:
        sheet.append([float(c) if c and c.replace(".", "").isdigit() and i >= 8 else c for i, c in enumerate(row)])
    for col in "ABC":  # the project's cells merged over its lines, as systems print them
        sheet.merge_cells(f"{col}3:{col}6")
        sheet.merge_cells(f"{col}7:{col}9")
    book.save(path)
    return path


@pytest.mark.parametrize("make", [export_csv, export_xlsx], ids=["csv", "xlsx"])
def test_a_flat_export_gives_one_self_evaluation_per_project(site: Path, make):
    source = make(site / f"export.{make.__name__.removeprefix('export_')}")
    result = run_cli("import", str(source), cwd=site)
    folder = site / "content/2022/自评"
    names = sorted(p.name for p in folder.glob("*.yaml"))
    assert names == ["cxghxcjf.yaml", "wuye-houqin.yaml"], result.stdout + result.stderr
    ev, text = loaded(folder / "wuye-houqin.yaml")
    assert (ev.funds.points, ev.funds.score) == (Decimal(10), Decimal("9.8"))  # the 预算执行 line
    assert (ev.funds.total.budget, ev.funds.total.spent) == (Decimal("10.38"), Decimal("10.2"))
    assert [(r.name, r.target, r.actual, r.score) for *_k, r in ev.rows()] == \
        [(row[5], row[6], row[7], Decimal(row[9])) for row in EXPORT[1:4]]
    assert ev.rows().__next__()[3].reason is None
    assert list(ev.rows())[-1][3].reason == EXPORT[3][10]
    assert ev.total == Decimal(TOTAL)
    assert ev.outcome.achieved == ["全年每周保洁7次，办公环境整洁。"]
    other, other_text = _unvalidated(folder / "cxghxcjf.yaml")
    assert other["年度总体目标"]["实际完成情况"] == [PLACEHOLDERS["achieved"][0]]  # not in its lines: a placeholder…
    assert "原表没有实际完成情况，请填写" in other_text  # …and said
    assert other["主管部门及代码"] == "某县住房和城乡建设局" and other["实施单位"] == "某县规划服务中心"
    assert other["项目资金"]["分值"] == "10"  # 100 less the rows' 90, said
    assert "按 100 减各指标分值之和记为 10" in other_text
    assert other["项目资金"]["得分"] == PLACEHOLDERS["score"][0]  # no 总分 to derive it from
    assert result.returncode != 0  # the placeholders are errors until filled in
    assert "E029" in result.stderr or "填写" in result.stderr, result.stderr


def _unvalidated(path: Path) -> tuple[dict, str]:
    source, diags = load_file(path, path.name)
    assert source is not None, diags
    return source.data, source.text


def test_an_export_without_fund_columns_says_what_it_did_not_find(site: Path):
    header = [h for h in EXPORT_HEADER if "全年" not in h]
    rows = [[c for h, c in zip(EXPORT_HEADER, row) if "全年" not in h] for row in EXPORT[:4]]
    result = run_cli("import", str(export_csv(site / "nofunds.csv", header, rows)), "--dry-run", cwd=site)
    assert "试运行" in result.stdout
    assert not (site / "content/2022/自评").exists()
    assert "原表没有资金（年初预算数、全年预算数、全年执行数），请按决算填写" in result.stdout, result.stdout


def test_an_export_without_the_actual_column_is_refused(site: Path):
    header = [h if h != "实际完成值" else "完成情况说明" for h in EXPORT_HEADER]
    result = run_cli("import", str(export_csv(site / "bad.csv", header)), cwd=site)
    assert result.returncode != 0
    assert "bad.csv:2: 是项目支出绩效自评表，但指标表头没有“实际完成值”列" in result.stderr, result.stderr
    assert not (site / "content/2022/自评").exists()


def web_page() -> str:
    """The bureau's page of an earlier year: one HTML table, 一级 and the block labels as rowspans,
    自评等级 and its value in one cell."""
    def tr(*cells: str) -> str:
        return "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells) + "</tr>"

    rows = [
        tr("项目名称", f'<td colspan="9">{NAME}</td>'),
        tr("主管部门", f'<td colspan="4">{UNIT}</td>', "实施单位", f'<td colspan="4">{UNIT}</td>'),
        tr('<td rowspan="3">项目资金（万元）</td>', '<td colspan="2"></td>', "年初预算数", "全年预算数", "全年执行数", "分值",
           "执行率", '<td colspan="2">得分</td>'),
        tr('<td colspan="2">年度资金总额</td>', "10.38", "10.38", "10.2", "10", "98.27%", '<td colspan="2">9.8</td>'),
        tr('<td colspan="2">其中：当年财政拨款</td>', "10.38", "10.38", "10.2", "—", "98.27%", '<td colspan="2">—</td>'),
        tr('<td rowspan="2">年度总体目标</td>', '<td colspan="4">预期目标</td>', '<td colspan="5">实际完成情况</td>'),
        tr('<td colspan="4">目标1：保证办公环境整洁。</td>', '<td colspan="5">全年每周保洁7次。</td>'),
        tr('<td rowspan="4">绩效指标</td>', "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
           '<td colspan="2">偏差原因分析及改进措施</td>'),
        tr('<td rowspan="2">产出指标</td>', "数量指标", "公共环境卫生清洁次数", "每周≥7次", "每周7次", "30", "30", '<td colspan="2"></td>'),
        tr("质量指标", "公舒适度", "全面保障", "全面保障", "20", "20", '<td colspan="2"></td>'),
        tr("满意度指标", "服务对象满意度指标", "全局干部职工满意度", "≥90%", "88%", "40", "39", '<td colspan="2">个别职工不满意食堂。</td>'),
        tr('<td colspan="6">总分</td>', "100", "98.8", '<td colspan="2">自评等级：优秀</td>'),
    ]
    return ('<html><head><meta charset="utf-8"><style>table { border-collapse: collapse } td { border: 1px solid; '
            'font-size: 9pt }</style></head><body><p>项目支出绩效自评表</p><p>（2022年度）</p><table>'
            + "".join(rows) + "</table></body></html>")


def _has(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


@pytest.mark.parametrize("kind", ["html", pytest.param("pdf", marks=pytest.mark.skipif(
    not (_has("pdfplumber") and _has("weasyprint")), reason="needs pdfplumber and weasyprint"))])
def test_a_web_page_or_its_pdf_is_read_as_the_form(site: Path, kind: str):
    if kind == "html":
        (site / "ev.html").write_text(web_page(), encoding="utf-8")
    else:  # the page printed to PDF, ruling lines and all
        import weasyprint
        weasyprint.HTML(string=web_page()).write_pdf(site / "ev.pdf")
    result = run_cli("import", f"ev.{kind}", cwd=site)
    assert "Traceback" not in result.stderr
    ev, text = loaded(site / "content/2022/自评/wuye-houqin.yaml")
    assert [(l1, l2, r.name, r.actual, r.score) for l1, l2, _i, r in ev.rows()] == [
        ("产出指标", "数量指标", "公共环境卫生清洁次数", "每周7次", Decimal(30)),
        ("产出指标", "质量指标", "公舒适度", "全面保障", Decimal(20)),
        ("满意度指标", "服务对象满意度指标", "全局干部职工满意度", "88%", Decimal(39))]
    assert ev.funds.total.rate == Decimal("98.27") and ev.funds.carried is None  # a line not printed stays out
    assert (ev.outcome.expected, ev.outcome.achieved) == (["目标1：保证办公环境整洁。"], ["全年每周保洁7次。"])
    assert (ev.total, ev.grade) == (Decimal("98.8"), "优")
    assert "原表自评等级为「优秀」，记为「优」" in text


def test_a_target_table_that_mentions_self_evaluation_is_still_a_target_table(site: Path):
    """Only the 自评表's own labels or a title say 自评表: a 财政局's indicator 绩效自评完成率 does not."""
    lines = ["2023年度项目支出绩效目标表", "项目名称,单位名称,预算数（万元）,年度目标,一级指标,二级指标,三级指标,指标值",
             "绩效管理工作经费,某县财政局,10,完成项目支出绩效自评表的审核。,产出指标,数量指标,绩效自评完成率,100%",
             ",,,,满意度指标,服务对象满意度指标,预算单位满意度,≥90%"]
    (site / "targets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", "targets.csv", "--dry-run", cwd=site)
    assert "→ content/2023/jxglgzjf.yaml" in result.stdout, result.stdout + result.stderr
    assert "自评" not in result.stdout.split("→")[1].split("\n")[0]


def test_a_target_imported_with_its_self_evaluation_gives_it_its_id_and_a_second_import_is_refused(tmp_path: Path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/site.yaml").write_text(SITE, encoding="utf-8")
    target = ["2023年度项目支出绩效目标表", "项目名称,项目编码,单位名称,预算数（万元）,年度目标,一级指标,二级指标,三级指标,指标值",
              "城乡规划宣传经费,ghxc-2023,某县规划服务中心,2,开展城乡规划宣传。,产出指标,数量指标,宣传活动次数,≥4次",
              ",,,,,满意度指标,服务对象满意度指标,群众满意度,≥90%"]
    (tmp_path / "targets.csv").write_text("\n".join(target) + "\n", encoding="utf-8")
    rows = [[c.replace("2022", "2023") if c else c for c in row] for row in EXPORT[4:]]
    export_csv(tmp_path / "self.csv", rows=rows)
    result = run_cli("import", "self.csv", "targets.csv", "--year", "2023", cwd=tmp_path)
    assert (tmp_path / "content/2023/ghxc-2023.yaml").is_file(), result.stdout + result.stderr
    path = tmp_path / "content/2023/自评/ghxc-2023.yaml"  # the code the target table was given, not the name's
    assert path.is_file(), result.stdout + result.stderr
    assert "与目标表 content/2023/ghxc-2023.yaml（本次导入） 的项目名称相同" in path.read_text(encoding="utf-8")
    before = files(tmp_path / "content")
    again = run_cli("import", "self.csv", "--year", "2023", cwd=tmp_path)  # now linked to the site's table
    assert again.returncode != 0 and "content/2023/自评/ghxc-2023.yaml 已存在；加 --force 覆盖" in again.stderr
    assert files(tmp_path / "content") == before


def test_an_exports_project_code_is_the_id_when_no_target_table_has_the_name(site: Path):
    header = ["项目编码", *EXPORT_HEADER]
    rows = [["GH-2022-07", *row] for row in EXPORT[4:]]
    result = run_cli("import", str(export_csv(site / "coded.csv", header, rows)), "--dry-run", cwd=site)
    assert "→ content/2022/自评/gh-2022-07.yaml" in result.stdout, result.stdout + result.stderr


def test_a_sheet_of_notes_beside_the_form_is_no_self_evaluation(site: Path):
    path = form_xlsx(site / "f.xlsx")
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("填表说明")
    notes.append(["填表说明"])
    notes.append(["实际完成值"])
    notes.append(["填写年度实际达到的值，与年度指标值的计量单位一致。"])
    book.save(path)
    result = run_cli("import", str(path), "--dry-run", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "共 1 个项目" in result.stdout


def test_an_imported_form_is_checked_and_published_beside_its_target(site: Path):
    result = run_cli("import", str(form_xlsx(site / "f.xlsx")), cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    check = run_cli("check", cwd=site)
    assert check.returncode == 0, check.stdout + check.stderr
    build = run_cli("build", "--no-search", cwd=site)
    assert build.returncode == 0, build.stdout + build.stderr
    page = (site / "output/2022/ziping/wuye-houqin.html").read_text(encoding="utf-8")
    assert all(row[2] in page for row in GRID) and "98.27" in page and TOTAL in page
