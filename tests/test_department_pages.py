"""Issue 23's pages in a real browser (Debian's Chromium, as in test_browser.py).

A site of the shipped 2022 projects with the department's own 部门整体支出绩效目标表 (in 万元),
a 2021 year (one project carried over, and the department's table in 元), and one 2022 project
with a 中期 block over 2022年—2024年. What a reader sees is parsed back and held against the
files: the form's cells with rowspans and colspans expanded, the 中期 funds and grid; the
department page shows each year's form above its projects. Then axe and vnu, 375 px with
nothing scrolling sideways, print on A4, the downloads, search, and an incremental build that
equals a clean one after an edit of a project or of the department's file.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import CONTENT, ROOT, TEMPLATES, clean_build, files, run_cli
from test_browser import (ARTIFACTS, AXE_OPTIONS, _on, _pdf_pages, all_pages, assert_valid_html, search, serving)
from test_phone import _CELLS_JS, _DROP_PHONE_RULES_JS, _sideways
from browsing import browser, open_page, page, phone, served  # noqa: F401 - fixtures
from perfsite.department import DepartmentTable
from perfsite.site import department_slug

NAME = "黔南州住房和城乡建设局"  # the shipped projects' 主管部门
SLUG = department_slug(NAME, None)

# 项目支出 400 covers the shipped projects' 121.4 (W100); 2022's form is classic.
TABLE_2022 = f"""\
年度: 2022
部门名称: {NAME}
部门职能概述: 负责全州住房和城乡建设行业管理。
单位: 万元
总体资金情况:
  收入构成:
    - {{名称: 财政拨款收入, 金额: 800, 占比: 80}}
    - {{名称: 其他收入, 金额: 200, 占比: 20}}
  支出构成:
    - {{名称: 基本支出, 金额: 600, 占比: 60}}
    - {{名称: 项目支出, 金额: 400, 占比: 40}}
年度主要任务:
  - 任务名称: 农村危房改造
    主要内容: 完成农村危房改造 320 户，保障农村低收入群体住房安全，开展竣工验收与档案整理
    总额: 250
    财政拨款: 230
    其他资金: 20
  - 任务名称: 城建档案数字化
    总额: 150.5
    财政拨款: 150.5
金额合计: {{总额: 400.5, 财政拨款: 380.5, 其他资金: 20}}
年度总体目标:
  - 完成农村危房改造 320 户，城建档案数字化加工 10 万页。
绩效指标:
  产出指标:
    数量指标:
      - {{三级指标: 危房改造户数, 指标值: ≥320户}}
      - {{三级指标: 档案加工页数, 指标值: ≥10万页}}
    质量指标:
      - {{三级指标: 竣工验收合格率, 指标值: 100%}}
  满意度指标:
    服务对象满意度指标:
      - {{三级指标: 群众满意度, 指标值: ≥90%}}
"""

# In 元: shown in 万元 (2,500,000 元 = 250 万元).
TABLE_2021 = f"""\
年度: 2021
部门名称: {NAME}
单位: 元
总体资金情况:
  支出构成:
    - {{名称: 基本支出, 金额: 5000000, 占比: 62.5}}
    - {{名称: 项目支出, 金额: 3000000, 占比: 37.5}}
年度主要任务:
  - 任务名称: 物业管理
    总额: 2500000
    财政拨款: 2500000
  - 任务名称: 档案整理
    总额: 500000
    财政拨款: 450000
    其他资金: 50000
年度总体目标:
  - 保障机关正常运转。
绩效指标:
  产出指标:
    数量指标:
      - {{三级指标: 保洁次数, 指标值: 每周≥7次}}
  效益指标:
    社会效益指标:
      - {{三级指标: 机关运转, 指标值: 正常}}
"""

MIDTERM = """\
中期:
  资金:
    资金总额: 27.3
    财政拨款: 27.3
    其他资金: 0
  中期目标:
    - 三年内完成全州传统村落规划执行情况核查。
  绩效指标:
    产出指标:
      数量指标:
        - {三级指标: 规划核查次数, 指标值: ≥6次}
        - {三级指标: 示范村督导次数, 指标值: ≥6次}
    满意度指标:
      服务对象满意度指标:
        - {三级指标: 村民满意度, 指标值: ≥90%}
"""

TABLE, TABLE_YUAN = f"2022/bumen/{SLUG}.html", f"2021/bumen/{SLUG}.html"
DEPARTMENT = f"departments/{SLUG}.html"
PROJECT = "2022/cunzhen-jianshe.html"  # the one with the 中期 block
PAGES = [TABLE, TABLE_YUAN, DEPARTMENT, PROJECT]
FILES = {"2022/部门/zhujian.yaml": TABLE_2022, "2021/部门/zhujian.yaml": TABLE_2021}


def make_content(content: Path) -> None:
    """The shipped content with the tables, a 2021 year and the 中期 block (no example 自评)."""
    shutil.copytree(CONTENT, content)
    shutil.rmtree(content / "2022" / "自评")
    for name, text in FILES.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    wuye = (content / "2022/wuye-houqin.yaml").read_text(encoding="utf-8")
    (content / "2021").mkdir(exist_ok=True)
    (content / "2021/wuye-houqin.yaml").write_text(wuye.replace("2022", "2021"), encoding="utf-8")
    config = content / "site.yaml"  # 2021's dates are no more known than 2022's (W013)
    config.write_text(config.read_text(encoding="utf-8") + "    '2021':\n      公开说明: 测试用示例，未载明日期\n",
                      encoding="utf-8")
    project = content / "2022/cunzhen-jianshe.yaml"
    text = project.read_text(encoding="utf-8").replace(
        f"实施单位: {NAME}\n", f"实施单位: {NAME}\n项目属性: 延续项目\n项目期: 2022年—2024年\n", 1)
    project.write_text(text + MIDTERM, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The site built with --strict (links checked, any warning fatal) and its search index."""
    root = tmp_path_factory.mktemp("department-site")
    make_content(root / "content")
    result = run_cli("build", "--strict", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "output"


# --- What the files say, read here on their own (not through perfsite) -------------------------

def _wan(value, unit: str = "万元") -> str:
    """An amount of the file as the form shows it: in 万元, without trailing zeros."""
    amount = Decimal(str(value)) / (10000 if unit == "元" else 1)
    return format(amount.normalize(), "f")


def _expected_head(text: str) -> list[list[str]]:
    """The form's head table as the file says it, every merged cell repeated over what it covers:
    six columns (label, 任务名称/项目, 主要内容, 总额, 财政拨款, 其他资金)."""
    table = yaml.safe_load(text)
    unit = table["单位"]
    rows = [["部门（单位）名称", *[table["部门名称"]] * 5]]
    if "部门职能概述" in table:
        rows.append(["部门职能概述", *[table["部门职能概述"]] * 5])
    for block in ("收入构成", "支出构成"):
        lines = table.get("总体资金情况", {}).get(block)
        if not lines:
            continue
        rows.append([block, "项目", "金额", "金额", "金额", "占比"])
        for line in lines:
            rows.append([block, line["名称"], *[_wan(line["金额"], unit)] * 3, f"{_wan(line['占比'])}%"])
        rows.append([block, "合计", *[_wan(sum(Decimal(str(x["金额"])) for x in lines), unit)] * 3, "100%"])
    rows.append(["年度主要任务", "任务名称", "主要内容", "预算金额", "预算金额", "预算金额"])
    rows.append(["年度主要任务", "任务名称", "主要内容", "总额", "财政拨款", "其他资金"])
    for task in table["年度主要任务"]:
        rows.append(["年度主要任务", task["任务名称"], task.get("主要内容", ""),
                     *(_wan(task[k], unit) if k in task else "" for k in ("总额", "财政拨款", "其他资金"))])
    stated = table.get("金额合计")
    sums = [_wan(stated[k], unit) if stated else
            _wan(sum(Decimal(str(t.get(k, 0))) for t in table["年度主要任务"]), unit)
            for k in ("总额", "财政拨款", "其他资金")]
    rows.append(["年度主要任务", "金额合计", "金额合计", *sums])
    rows.append(["年度总体目标", *["".join(table["年度总体目标"])] * 5])
    return rows


def _expected_grid(indicators: dict, label: str) -> list[list[str]]:
    """The indicator grid's rows: label, 一级, 二级, 三级指标, 指标值, 说明 (classic)."""
    return [[label, l1, l2, r["三级指标"], r["指标值"], r.get("说明", "")]
            for l1, groups in indicators.items() for l2, rows in groups.items() for r in rows]


# A table's rows (of the tbodies, or of one ``part``) as a matrix: each merged cell's text on
# every row and column it covers.
_MATRIX_JS = """([selector, part]) => {
  const table = document.querySelector(selector);
  const rows = part === 'body' ? [...table.tBodies].flatMap(b => [...b.rows]) : [...table.rows];
  const grid = rows.map(() => []);
  rows.forEach((tr, r) => {
    let c = 0;
    for (const cell of tr.cells) {
      while (grid[r][c] !== undefined) c++;
      for (let i = 0; i < cell.rowSpan && r + i < rows.length; i++)
        for (let j = 0; j < cell.colSpan; j++) grid[r + i][c + j] = cell.textContent.trim();
      c += cell.colSpan;
    }
  });
  return grid;
}"""

# Each data cell of a table with the texts of the header cells its ``headers`` name: what a
# screen reader announces with the value.
_HEADERS_JS = """(selector) => [...document.querySelectorAll(selector + ' td[headers]')].map(td => [
  td.textContent.trim(), td.getAttribute('headers').split(' ').map(id => document.getElementById(id).textContent.trim())])"""


def _matrix(page, selector: str, part: str = "body") -> list[list[str]]:
    return page.evaluate(_MATRIX_JS, [selector, part])


# --- The form parsed back ------------------------------------------------------------------------

@pytest.mark.parametrize("path, text", [(TABLE, TABLE_2022), (TABLE_YUAN, TABLE_2021)], ids=["wan", "yuan"])
def test_the_forms_cells_read_back_as_the_file(served, page, path, text):
    base, _ = served
    page.goto(base + path)
    assert _matrix(page, ".department-head") == _expected_head(text)
    table = yaml.safe_load(text)
    assert _matrix(page, ".department-form .form-grid") == _expected_grid(table["绩效指标"], "年度绩效指标")
    assert page.inner_text(".form-unit") == "金额单位：万元"
    assert page.inner_text(".department-head caption") == f"{NAME}（{table['年度']}年度）"
    page.screenshot(path=ARTIFACTS / f"department-{table['年度']}-desktop.png", full_page=True)


def test_each_amount_is_announced_with_its_column_and_its_row(served, page):
    base, _ = served
    page.goto(base + TABLE)
    cells = page.evaluate(_HEADERS_JS, ".department-head")
    assert ["250", ["预算金额", "总额", "农村危房改造"]] in cells
    assert ["20", ["预算金额", "其他资金", "农村危房改造"]] in cells
    assert ["400.5", ["总额", "金额合计"]] in cells
    assert ["40%", ["支出构成", "占比", "项目支出"]] in cells
    assert ["1000", ["收入构成", "金额", "合计"]] in cells
    # the grid's: 指标值 under its 一级 and 二级 and 三级指标
    grid = page.evaluate(_HEADERS_JS, ".department-form .form-grid")
    assert ["100%", ["指标值", "产出指标", "质量指标", "竣工验收合格率"]] in grid
    assert page.inner_text(".department-projects .projects-total") == "121.4"
    assert page.inner_text(".department-projects .expenditure") == "400"


def test_a_table_in_yuan_reads_in_wan_yuan(served, page):
    base, _ = served
    page.goto(base + TABLE_YUAN)
    tasks = page.evaluate("""() => [...document.querySelectorAll('.department-head tr.task')].map(tr =>
        [tr.querySelector('th').textContent.trim(), ...[...tr.querySelectorAll('td[data-field]')].map(td => td.textContent.trim())])""")
    assert tasks == [["物业管理", "250", "250", ""], ["档案整理", "50", "45", "5"], ["金额合计", "300", "295", "5"]]
    assert page.locator(".department-head tr.share td.share-value").all_inner_texts() == ["62.5%", "37.5%", "100%"]
    # 项目支出 300 万元 against the carried-over project's 10.38
    assert page.inner_text(".department-projects") == \
        "本部门 2021 年度公开项目 1 个，资金总额合计 10.38 万元；本表项目支出 300 万元。"


def test_the_department_page_shows_each_years_form_above_its_projects(served, page):
    base, _ = served
    page.goto(base + DEPARTMENT)
    for year, count in ((2022, 5), (2021, 1)):
        order = page.evaluate("""(year) => {
          const section = document.getElementById('y' + year);
          const form = section.querySelector('.department-form'), list = section.querySelector('table.list-table');
          return [form.querySelector('.form-title').textContent.trim(), form.getBoundingClientRect().bottom <= list.getBoundingClientRect().top,
                  !!(form.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING), list.tBodies[0].rows.length];
        }""", year)
        assert order[:3] == ["部门（单位）整体支出绩效目标表", True, True]
        assert order[3] >= count
        assert _matrix(page, f"#y{year} .department-head") == _expected_head(TABLE_2022 if year == 2022 else TABLE_2021)
    # Two forms on one page: every id once, every header a cell names on the page.
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)) and sum(i.startswith("d2021-") for i in ids) > 10
    missing = page.evaluate("""() => [...document.querySelectorAll('[headers]')].flatMap(c =>
        c.getAttribute('headers').split(' ').filter(id => !document.getElementById(id)))""")
    assert missing == []
    page.get_by_role("link", name="打印或下载本表（2021年度部门整体支出绩效目标表）").click()
    page.wait_for_load_state()
    assert page.url.endswith(TABLE_YUAN)
    assert page.locator(".breadcrumbs a").all_inner_texts() == ["首页", "2021年度", NAME]


def test_the_year_page_lists_its_department_tables(served, page):
    base, _ = served
    for year in (2022, 2021):
        page.goto(base + f"{year}/index.html")
        section = page.locator("section.department-tables")
        assert section.locator("h2").inner_text() == f"{year}年度部门（单位）整体支出绩效目标表"
        assert section.locator("li").all_inner_texts() == [NAME]
    section.get_by_role("link", name=NAME).click()
    page.wait_for_load_state()
    assert page.url.endswith(TABLE_YUAN)


def test_a_table_whose_department_has_no_projects_links_nowhere_broken(tmp_path):
    """A table naming a department without projects (W101), in a year with projects and in a year
    of tables only: the year pages list the table, not an empty department with its missing CSV,
    and every link of the site leads somewhere."""
    from perfsite.links import check_links

    shutil.copytree(CONTENT, tmp_path / "content")
    for year in (2022, 2021):
        folder = tmp_path / f"content/{year}/部门"
        folder.mkdir(parents=True)
        (folder / "jiaotong.yaml").write_text(TABLE_2021.replace(NAME, "某县交通运输局").replace("2021", str(year)),
                                              encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=tmp_path)
    # W101 in 2022 only: 2021 has no projects to read its table against
    assert result.returncode == 0 and result.stderr.count("W101") == 1, result.stderr
    output = tmp_path / "output"
    assert check_links(output) == []
    slug = department_slug("某县交通运输局", None)
    year = (output / "2022/index.html").read_text(encoding="utf-8")
    assert f'id="{slug}"' not in year and f"indicators/{slug}.csv" not in year
    assert f'<a href="../2022/bumen/{slug}.html">某县交通运输局</a>' in year
    alone = (output / "2021/index.html").read_text(encoding="utf-8")
    assert "<h1>2021年度部门整体支出绩效目标表</h1>" in alone and "个项目的绩效自评表" not in alone
    assert f'<a href="../2021/bumen/{slug}.html">某县交通运输局</a>' in alone


def test_the_midterm_block_shows_the_whole_period_beside_the_year(served, page):
    base, _ = served
    page.goto(base + PROJECT)
    funds = page.evaluate("""() => [...document.querySelectorAll('.midterm-head tr.fund')].map(tr =>
        [...tr.cells].map(c => c.textContent.trim()))""")
    assert funds == [["资金总额", "27.3", "9.1"], ["其中：财政拨款", "27.3", "9.1"], ["其他资金", "0", "0"]]
    head = _matrix(page, ".midterm-head", "all")
    assert head[0] == ["", "中期（2022年—2024年）", "2022年度"]
    assert head[-1][:2] == ["总体目标", "三年内完成全州传统村落规划执行情况核查。"]
    assert head[-1][2].startswith("目标1:")
    mid = yaml.safe_load(MIDTERM)["中期"]
    assert _matrix(page, ".midterm-head ~ .form-grid") == _expected_grid(mid["绩效指标"], "中期绩效指标")
    grid = page.evaluate(_HEADERS_JS, ".midterm-head ~ .form-grid")
    assert ["≥6次", ["指标值", "产出指标", "数量指标", "示范村督导次数"]] in grid
    assert page.evaluate(_HEADERS_JS, ".midterm-head")[0] == ["27.3", ["中期（2022年—2024年）", "资金总额"]]
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)) and "m-r-3" in ids and "r-3" in ids
    page.screenshot(path=ARTIFACTS / "midterm-desktop.png", full_page=True)


# --- Accessibility, validity, phones, print ----------------------------------------------------

@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_nothing_and_nothing_scrolls_sideways(served, browser, path, width):
    from axe_playwright_python.sync_playwright import Axe

    base, _ = served
    context, page = open_page(browser, width)
    try:
        page.goto(base + path)
        results = Axe().run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        page.check("#elder-toggle")  # larger type, heavier lines, its own colours
        results = Axe().run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    finally:
        context.close()


def test_vnu_finds_no_html_errors(built):
    pages = all_pages(built)
    assert set(PAGES) <= set(pages)
    assert_valid_html([built / p for p in pages])


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_375px_no_page_scrolls_sideways_nor_squeezes_a_cell(served, phone, elder):
    base, _ = served
    problems = {}
    for path in PAGES:
        phone.goto(base + path)
        if elder:
            phone.check("#elder-toggle")
        found = _sideways(phone)
        if found:
            problems[path] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_on_a_phone_each_value_reads_after_its_label_under_its_line(served, phone):
    base, _ = served
    phone.goto(base + TABLE)
    cells = phone.evaluate("""() => [...document.querySelectorAll('.department-head td[data-label]:not(:empty)')]
      .map(td => { const r = td.getBoundingClientRect(), th = td.parentElement.querySelector('th:not([scope=rowgroup])').getBoundingClientRect();
                   return [td.dataset.label, getComputedStyle(td, '::before').content, r.left >= 0 && r.right <= 375, r.top >= th.bottom - 1]; })""")
    assert len(cells) >= 15
    for label, before, inside, below in cells:
        assert before == f'"{label}：" / ""' and inside and below, (label, before)
    # The column headers the labels stand in for are out of sight, still in the table for screen readers.
    for head in phone.locator(".department-head th[scope=col]").all():
        box = head.bounding_box()
        assert box["width"] <= 1 and box["height"] <= 1
    phone.screenshot(path=ARTIFACTS / "department-phone-375.png", full_page=True)
    phone.goto(base + PROJECT)
    cells = phone.evaluate("""() => [...document.querySelectorAll('.midterm-head td[data-label]')].map(td =>
        [td.dataset.label, getComputedStyle(td, '::before').content, td.getBoundingClientRect().right <= 375])""")
    assert [c[0] for c in cells] == ["中期", "2022年度"] * 3 + ["中期目标", "年度目标"]
    assert all(before == f'"{label}：" / ""' and inside for label, before, inside in cells)
    assert phone.locator(".midterm-head thead").bounding_box()["height"] <= 1


@pytest.mark.parametrize("width, media", [(601, "screen"), (1280, "screen"), (375, "print")])
def test_wide_screens_and_print_keep_the_official_form(served, browser, width, media):
    """From 600 px and on paper the department form is the form: merged cells, every cell where it
    is without the phone rules."""
    base, _ = served
    context, page = open_page(browser, width)
    try:
        page.goto(base + TABLE)
        page.emulate_media(media=media)
        display = page.evaluate("""() => ['.department-head', '.department-head th[scope=rowgroup]', '.department-head td.amount',
                                          '.department-form .form-grid th.level1']
                                         .map(s => getComputedStyle(document.querySelector(s)).display)""")
        assert display == ["table", "table-cell", "table-cell", "table-cell"]
        cells = page.evaluate(_CELLS_JS)
        assert page.evaluate(_DROP_PHONE_RULES_JS) == 1
        assert page.evaluate(_CELLS_JS) == cells
    finally:
        context.close()


# A4 portrait less the page's 12 mm side margins, in CSS pixels.
PRINT_WIDTH = int((210 - 2 * 12) / 25.4 * 96)


def test_the_table_prints_on_a4_portrait_as_the_form_without_the_site(served, browser):
    base, _ = served
    context, page = open_page(browser, PRINT_WIDTH)
    try:
        page.goto(base + TABLE)
        page.emulate_media(media="print")
        right = page.evaluate("() => Math.max(...[...document.querySelectorAll('.perf-table')].map(t => t.getBoundingClientRect().right))")
        assert right <= PRINT_WIDTH
        assert page.evaluate("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth; }")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (ARTIFACTS / "department-2022.pdf").write_bytes(pdf)
        pages = _pdf_pages(pdf)
        for width, height, _ in pages:
            assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1  # A4 portrait, in points, every page
        assert _on(pages[0][2][:16], "部门（单位）整体支出绩效目标表") and _on(pages[0][2], "金额单位：万元")
        for chrome in ("跳到正文", "长者模式", "发布单位：", "当前位置", "下载本表数据"):
            assert not any(_on(t, chrome) for _, _, t in pages), chrome
        assert any(_on(t, "城建档案数字化") for _, _, t in pages) and any(_on(t, "群众满意度") for _, _, t in pages)
    finally:
        context.close()


def test_in_a_wide_years_form_the_table_prints_on_a4_landscape(browser, tmp_path):
    """A year in 一体化2021 (examples/yitihua: 指标性质, 度量单位, 权重, 指标方向 beside 三级指标):
    its department table (the example's own) is a wide form, printed across A4 as the year's
    project pages are, and it still reads on a phone."""
    shutil.copytree(ROOT / "examples/yitihua/content", tmp_path / "content")
    assert list((tmp_path / "content/2023/部门").glob("*.yaml"))
    result = run_cli("build", "--no-search", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = f"2023/bumen/{department_slug('某县交通运输局', '523')}.html"
    with serving(tmp_path / "output") as base:
        context, page = open_page(browser, int((297 - 2 * 12) / 25.4 * 96))
        try:
            page.goto(base + path)
            assert page.locator("article.department-form.form-wide").count() == 1
            assert page.locator(".department-form .form-grid thead th").all_inner_texts()[-2:] == ["权重", "指标方向"]
            page.emulate_media(media="print")
            assert page.evaluate("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth; }")
            pages = _pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
            for width, height, _ in pages:
                assert abs(width - 841.89) < 1 and abs(height - 595.28) < 1  # A4 landscape, in points
        finally:
            context.close()
        context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
        try:
            phone = context.new_page()
            phone.goto(base + path)
            assert _sideways(phone) is None
        finally:
            context.close()


# --- Downloads and search ------------------------------------------------------------------------

@pytest.mark.parametrize("year, text", [(2022, TABLE_2022), (2021, TABLE_2021)])
def test_the_csv_and_json_downloads_load(served, page, year, text):
    base, _ = served
    page.goto(base + f"{year}/bumen/{SLUG}.html")
    table = yaml.safe_load(text)
    links = {a.inner_text(): a.get_attribute("href") for a in page.locator(".downloads a").all()}
    data = page.request.get(page.url.rsplit("/", 1)[0] + "/" + links["CSV（Excel 可直接打开）"])
    assert data.status == 200
    rows = list(csv.DictReader(io.StringIO(data.body().decode("utf-8-sig"))))
    tasks = [r for r in rows if r["部分"] == "年度主要任务"]
    first = table["年度主要任务"][0]
    assert tasks[0]["任务名称"] == first["任务名称"] and tasks[0]["总额（万元）"] == _wan(first["总额"], table["单位"])
    assert len(tasks) == len(table["年度主要任务"])
    assert [r["三级指标"] for r in rows if r["部分"] == "绩效指标"] == [r[3] for r in _expected_grid(table["绩效指标"], "")]
    body = page.request.get(page.url.rsplit("/", 1)[0] + "/" + links["JSON"])
    back = DepartmentTable.model_validate(json.loads(body.text()))
    assert back.year == year and back.department == NAME and back.unit == table["单位"]
    assert [t.total for t in back.tasks] == [Decimal(str(t["总额"])) for t in table["年度主要任务"]]
    assert [row.name for _, _, _, row in back.rows()] == [r[3] for r in _expected_grid(table["绩效指标"], "")]


def test_search_finds_the_department_table_by_a_task(served, page):
    base, _ = served
    found = search(page, base + "search.html", "城建档案数字化")
    assert any("部门整体支出绩效目标表" in title and href.endswith(TABLE) for title, href in found), found


def test_the_sitemap_lists_the_tables_and_the_midterm_project(built):
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    for path in (TABLE, TABLE_YUAN, PROJECT):
        assert f"{path}</loc>" in sitemap, path


# --- Incremental builds -------------------------------------------------------------------------

def test_an_incremental_build_equals_a_clean_one_after_a_project_or_the_table_changes(tmp_path):
    from perfsite.builder import Builder

    site = tmp_path / "site"
    make_content(site / "content")
    shutil.copytree(TEMPLATES, site / "templates")
    kept = Builder(site / "content", site / "templates", site / "output", search=False, keep=True)
    assert kept.build().ok
    page = site / "output" / TABLE
    assert '<span class="projects-total">121.4</span>' in page.read_text(encoding="utf-8")
    project = site / "content/2022/wuye-houqin.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("10.38", "12.38"), encoding="utf-8")  # 资金, 成本
    table = site / "content/2022/部门/zhujian.yaml"
    edits = [(project, '<span class="projects-total">123.4</span>'), (table, "农村危房改造与抗震加固")]
    for path, seen in edits:
        if path == table:
            path.write_text(TABLE_2022.replace("任务名称: 农村危房改造", "任务名称: 农村危房改造与抗震加固"), encoding="utf-8")
        result = kept.build([str(path)])
        assert result.ok and TABLE in result.written
        assert seen in page.read_text(encoding="utf-8")
        assert files(site / "output") == clean_build(site, tmp_path)
