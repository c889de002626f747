"""The 自评表's pages in a real browser (Debian's Chromium, as in test_browser.py).

A site with three self-evaluations: one of a 2022 project with a target table (its 年度指标值 taken
from there) and two of 2021, a year with no target tables (their own 主管部门及代码, 实施单位 and
年度指标值). What a reader sees is parsed back and held against the files: the form's cells with
their rowspans expanded, each fund line's 执行率, 总分; the project page's 目标与完成 table; the year
and department pages' 总分 and 执行率 and a bar per project. Then axe and vnu, 375 px with nothing
scrolling sideways, the phone layout's labels, and print on A4 landscape with no row cut.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from conftest import CONTENT, run_cli
from test_browser import (ARTIFACTS, AXE_OPTIONS, _MARK_JS, _SPANS_JS, _on, _pdf_pages, all_pages,
                          assert_valid_html)
from test_phone import _CELLS_JS, _DROP_PHONE_RULES_JS, _sideways
from browsing import browser, open_page, page, phone, served  # noqa: F401 - fixtures
from perfsite.site import department_slug

# The shipped 2022 table's project, after the year: two actuals miss their targets (each with its
# 偏差原因), three targets are words that cannot be compared.
WUYE = """\
id: wuye-houqin
年度: 2022
项目名称: 局机关物业管理后勤工作经费
联系人: 张三
联系电话: 0854-8221234
说明: 本表为测试用示例。
项目资金:
  年度资金总额: {年初预算数: 10.38, 全年预算数: 10.38, 全年执行数: 9.2}
  当年财政拨款: {年初预算数: 10.38, 全年预算数: 10.38, 全年执行数: 9.2}
  分值: 10
  得分: 8.86
年度总体目标:
  实际完成情况:
    - 全年保持办公场所清洁，车辆有序停放，食堂正常运行。
绩效指标:
  产出:
    数量:
      - 三级指标: 公共环境卫生清洁次数
        实际完成值: 每周7次
        分值: 10
        得分: 10
    质量:
      - 三级指标: 开展党组织生活
        实际完成值: 开展主题党日活动12次
        分值: 8
        得分: 8
      - 三级指标: 公舒适度
        实际完成值: 全面保障
        分值: 8
        得分: 8
    时效:
      - 三级指标: 工作完成时限
        实际完成值: 2022年12月31日
        分值: 8
        得分: 8
    成本:
      - 三级指标: 物业管理费维护成本
        实际完成值: 9.2万元
        分值: 8
        得分: 8
      - 三级指标: 项目或定额成本控制率
        实际完成值: 88.63%
        分值: 8
        得分: 6
        偏差原因: 年末部分物业费未结算，已于次年初支付。
  效益:
    社会效益:
      - 三级指标: 保社会稳定
        实际完成值: 工作运转正常
        分值: 30
        得分: 30
  满意度:
    服务对象满意度:
      - 三级指标: 提供服务公司满意度
        实际完成值: 95%
        分值: 5
        得分: 5
      - 三级指标: 全局干部职工满意度
        实际完成值: 85%
        分值: 5
        得分: 4
        偏差原因: 食堂就餐高峰排队较长；次年增设窗口并征求意见。
总分: 95.86
"""

# 2021 has no target tables: these give their department, implementer and targets themselves.
DANGAN = """\
id: dangan-shuzihua
年度: 2021
项目名称: 城建档案数字化加工经费
主管部门及代码: 黔南州住房和城乡建设局
实施单位: 黔南州城建档案馆
说明: 本表为测试用示例。
项目资金:
  年度资金总额: {年初预算数: 50, 全年预算数: 48, 全年执行数: 45.6}
  当年财政拨款: {年初预算数: 50, 全年预算数: 48, 全年执行数: 45.6}
  分值: 10
  得分: 9.5
年度总体目标:
  预期目标:
    - 完成馆藏档案数字化加工10万页。
  实际完成情况:
    - 完成馆藏档案数字化加工9.2万页。
绩效指标:
  产出:
    数量:
      - 三级指标: 档案数字化加工页数
        年度指标值: ≥10万页
        实际完成值: 9.2万页
        分值: 25
        得分: 22
        偏差原因: 部分档案破损需先修复，顺延至次年加工。
    质量:
      - 三级指标: 加工合格率
        年度指标值: ≥98%
        实际完成值: 99.1%
        分值: 25
        得分: 25
  效益:
    社会效益:
      - 三级指标: 档案查阅便利程度
        年度指标值: 明显提升
        实际完成值: 明显提升
        分值: 30
        得分: 30
  满意度:
    服务对象满意度:
      - 三级指标: 查档群众满意度
        年度指标值: ≥90%
        实际完成值: 93%
        分值: 10
        得分: 10
总分: 96.5
"""

XIANGCUN = """\
id: xiangcun-fengmao
年度: 2021
项目名称: 乡村风貌提升指导经费
主管部门及代码: 黔南州住房和城乡建设局
实施单位: 黔南州村镇建设服务中心
项目资金:
  单位: 元
  年度资金总额: {年初预算数: 80000, 全年预算数: 80000, 全年执行数: 72000}
  分值: 10
  得分: 9
年度总体目标:
  预期目标:
    - 指导10个村开展风貌提升。
  实际完成情况:
    - 指导8个村开展风貌提升。
绩效指标:
  产出:
    数量:
      - 三级指标: 指导村数
        年度指标值: ≥10个
        实际完成值: 8个
        分值: 30
        得分: 24
        偏差原因: 两个村的规划未按期批复；次年优先安排。
    时效:
      - 三级指标: 完成时间
        年度指标值: 2021年12月31日
        实际完成值: 2021年12月20日
        分值: 20
        得分: 20
  效益:
    社会效益:
      - 三级指标: 村容村貌
        年度指标值: 有所改善
        实际完成值: 有所改善
        分值: 30
        得分: 28
  满意度:
    服务对象满意度:
      - 三级指标: 村民满意度
        年度指标值: ≥85%
        实际完成值: 90%
        分值: 10
        得分: 10
总分: 91
"""

FILES = {"2022/自评/wuye-houqin.yaml": WUYE, "2021/自评/dangan-shuzihua.yaml": DANGAN,
         "2021/自评/xiangcun-fengmao.yaml": XIANGCUN}
EVALUATION = "2022/ziping/wuye-houqin.html"
ALONE = "2021/ziping/dangan-shuzihua.html"
PROJECT = "2022/wuye-houqin.html"
DEPARTMENT = f"departments/{department_slug('黔南州住房和城乡建设局', None)}.html"
PAGES = [EVALUATION, ALONE, PROJECT, "2022/index.html", "2021/index.html", DEPARTMENT]
UNMET = {"项目或定额成本控制率", "全局干部职工满意度"}  # WUYE's actuals below their targets
UNREADABLE = {"开展党组织生活", "公舒适度", "保社会稳定"}  # targets in words: neither met nor unmet


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The shipped target tables and the three self-evaluations, built with --strict (links checked,
    any warning fatal)."""
    root = tmp_path_factory.mktemp("evaluation-site")
    shutil.copytree(CONTENT, root / "content")
    shutil.rmtree(root / "content" / "2022" / "自评")  # the shipped examples: this site has its own three
    for name, text in FILES.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = run_cli("build", "--strict", "--no-search", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "output"


# --- What the files say, read here on their own (not through perfsite) -------------------------

def _num(value) -> Decimal:
    return Decimal(str(value).strip().removesuffix("%"))


def _file(name: str) -> dict:
    return yaml.safe_load(FILES[name])


def _targets() -> dict[tuple[str, str, str], str]:
    """The shipped 2022 target table's 指标值 by 一级, 二级, 三级指标."""
    table = yaml.safe_load((CONTENT / "2022/wuye-houqin.yaml").read_text(encoding="utf-8"))
    return {(l1, l2, row["三级指标"]): row["指标值"]
            for l1, groups in table["绩效指标"].items() for l2, rows in groups.items() for row in rows}


def _expected_grid(evaluation: dict, targets: dict) -> list[list[str]]:
    """Each row of the form's grid as the file (and its target table) says it, every merged cell
    repeated on each row it spans: 绩效指标, 一级 (with its points), 二级, 三级指标, 年度指标值,
    实际完成值, 分值, 得分, 偏差原因分析及改进措施."""
    out = []
    for l1, groups in evaluation["绩效指标"].items():
        points = sum(_num(r["分值"]) for rows in groups.values() for r in rows)
        for l2, rows in groups.items():
            for r in rows:
                target = r.get("年度指标值") or targets[(l1, l2, r["三级指标"])]
                out.append(["绩效指标", f"{l1}（{points}分）", l2, r["三级指标"], target, r["实际完成值"],
                            format(_num(r["分值"]), "f"), format(_num(r["得分"]), "f"), r.get("偏差原因", "")])
    return out


def _rate(line: dict) -> Decimal:
    return (_num(line["全年执行数"]) * 100 / _num(line["全年预算数"])).quantize(Decimal("0.01"))


# --- The 自评表 parsed back -----------------------------------------------------------------------

# The grid's body as a matrix, each merged cell's text on every row and column it covers; an unmet
# row's mark is read apart from its value.
_GRID_JS = """() => {
  const rows = [...document.querySelector('.evaluation-grid').tBodies[0].rows], grid = rows.map(() => []);
  rows.forEach((tr, r) => {
    let c = 0;
    for (const cell of tr.cells) {
      while (grid[r][c] !== undefined) c++;
      const copy = cell.cloneNode(true);
      copy.querySelectorAll('.mark').forEach(m => m.remove());
      for (let i = 0; i < cell.rowSpan; i++) for (let j = 0; j < cell.colSpan; j++) grid[r + i][c + j] = copy.textContent.trim();
      c += cell.colSpan;
    }
  });
  const marks = rows.map(tr => { const m = tr.querySelector('td.actual .mark'); return m ? m.textContent : ''; });
  return {grid, marks};
}"""

_FUNDS_JS = """() => [...document.querySelectorAll('.evaluation-funds tr.fund-line')].map(tr => [
  tr.querySelector('th').textContent.trim(),
  Object.fromEntries([...tr.querySelectorAll('td')].map(td => [td.dataset.label, td.textContent.trim()]))])"""


@pytest.mark.parametrize("name, path, linked", [("2022/自评/wuye-houqin.yaml", EVALUATION, True),
                                                ("2021/自评/dangan-shuzihua.yaml", ALONE, False)])
def test_the_forms_cells_read_back_as_the_file_and_its_target_table(served, page, name, path, linked):
    base, _ = served
    evaluation = _file(name)
    page.goto(base + path)
    found = page.evaluate(_GRID_JS)
    expected = _expected_grid(evaluation, _targets() if linked else {})
    assert [[_clean(c) for c in row] for row in found["grid"]] == expected
    unmet = UNMET if linked else {"档案数字化加工页数"}  # 9.2万页 against ≥10万页
    assert found["marks"] == ["未达到" if row[3] in unmet else "" for row in expected]
    assert _num(page.inner_text(".total-score")) == _num(evaluation["总分"])
    assert page.inner_text("tr.total td.points") == "100"
    funds = evaluation["项目资金"]
    lines = page.evaluate(_FUNDS_JS)
    assert [label for label, _ in lines] == ["年度资金总额", "其中：当年财政拨款"]
    for (_, cells), key in zip(lines, ["年度资金总额", "当年财政拨款"]):
        for column in ("年初预算数", "全年预算数", "全年执行数"):
            assert _num(cells[column]) == _num(funds[key][column])
        assert cells["执行率"].endswith("%") and _num(cells["执行率"]) == _rate(funds[key])
    assert _num(lines[0][1]["分值"]) == _num(funds["分值"]) and _num(lines[0][1]["得分"]) == _num(funds["得分"])
    department = page.inner_text(".form-head td.department")
    assert department == ("黔南州住房和城乡建设局" if linked else evaluation["主管部门及代码"])
    if not linked:
        assert page.inner_text(".form-head td.implementer") == evaluation["实施单位"]
    page.screenshot(path=ARTIFACTS / f"evaluation-{Path(path).stem}-desktop.png", full_page=True)


def _clean(text: str) -> str:
    """A cell's text as a file would write it: numbers without trailing zeros."""
    try:
        return format(Decimal(text).normalize(), "f") if text and text[0].isdigit() and "年" not in text else text
    except ArithmeticError:
        return text


def test_amounts_in_yuan_are_shown_in_wan_yuan_with_their_rate(served, page):
    base, _ = served
    page.goto(base + "2021/ziping/xiangcun-fengmao.html")
    (label, cells), = page.evaluate(_FUNDS_JS)
    assert label == "年度资金总额" and (cells["年初预算数"], cells["全年执行数"], cells["执行率"]) == ("8", "7.2", "90.00%")
    assert page.inner_text(".form-unit") == "金额单位：万元"


def test_the_project_page_shows_each_target_beside_its_actual(served, page):
    base, _ = served
    page.goto(base + PROJECT)
    rows = page.evaluate("""() => [...document.querySelectorAll('.outcome-table tbody tr')].map(tr =>
        [...tr.cells].map(c => { const copy = c.cloneNode(true);
                                 copy.querySelectorAll('.visually-hidden').forEach(h => h.remove());
                                 return copy.textContent.trim(); }))""")
    targets = _targets()
    expected = []
    for l1, groups in _file("2022/自评/wuye-houqin.yaml")["绩效指标"].items():
        for l2, items in groups.items():
            for r in items:
                met = "未达到" if r["三级指标"] in UNMET else "—" if r["三级指标"] in UNREADABLE else "达到"
                expected.append([r["三级指标"], targets[(l1, l2, r["三级指标"])], r["实际完成值"], met,
                                 str(r["分值"]), str(_num(r["得分"]))])
    assert rows == expected
    # Screen readers hear the words, not a dash or a colour.
    assert page.locator(".outcome-table tr:has(th:text-is('公舒适度')) .met-cell").text_content() == "—未能自动判断"
    assert page.locator(".outcome-table tr.unmet").count() == len(UNMET)
    assert page.inner_text(".outcome-total") == "95.86"
    page.get_by_role("link", name="绩效自评表").click()
    page.wait_for_load_state()
    assert page.url.endswith(EVALUATION)


_SCORES_JS = """(sel) => [...document.querySelectorAll(sel)].map(s => ({
  rows: [...s.querySelectorAll('.score-table tbody tr')].map(tr => [...tr.cells].map(c => c.textContent.trim())),
  charts: [...s.querySelectorAll('figure.chart')].map(f => ({
    bars: [...f.querySelectorAll('svg rect.chart-bar')].map(r => r.getAttribute('width')),
    titles: [...f.querySelectorAll('svg g > title')].map(t => t.textContent)}))}))"""

_YEARS = {2022: ["2022/自评/wuye-houqin.yaml"], 2021: ["2021/自评/dangan-shuzihua.yaml", "2021/自评/xiangcun-fengmao.yaml"]}


def _listed(year: int) -> dict[str, list[str]]:
    """总分, 执行率 and whether there is a target table, by project name, as the files give them."""
    out = {}
    for name in _YEARS[year]:
        e = _file(name)
        out[e["项目名称"]] = [str(_num(e["总分"])), f"{_rate(e['项目资金']['年度资金总额'])}%",
                          "目标表" if year == 2022 else "无"]
    return out


def _check_scores(section: dict, year: int) -> None:
    listed = _listed(year)
    assert {r[0]: [r[1], r[2], r[4]] for r in section["rows"]} == listed
    scores, rates = section["charts"]  # 总分 on a scale of 100; 执行率 on 100 % or the highest above it
    top = max([100.0, *(float(v[1].rstrip("%")) for v in listed.values())])
    for chart, column, unit, scale in ((scores, 0, "分", 100.0), (rates, 1, "%", top)):
        assert len(chart["bars"]) == len(listed)  # a bar per project
        for title, width in zip(chart["titles"], chart["bars"]):
            name, _, value = title.partition("：")
            number = listed[name][column].rstrip("%")
            assert value == f"{number} {unit}"
            assert abs(float(width) - float(number) / scale * 360) < 0.1


@pytest.mark.parametrize("year", [2022, 2021])
def test_the_year_page_lists_each_projects_score_and_rate_with_a_bar_each(served, page, year):
    base, _ = served
    page.goto(base + f"{year}/index.html")
    (section,) = page.evaluate(_SCORES_JS, "section.scores")
    _check_scores(section, year)


_BOXES_JS = """() => ['section.scores .score-table', 'section.scores .score-charts'].map(s => {
  const r = document.querySelector(s).getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"""


@pytest.mark.parametrize("width", [1280, 375])
def test_the_chart_stands_beside_its_table_and_below_it_on_phones(served, browser, width):
    base, _ = served
    context, page = open_page(browser, width)
    try:
        page.goto(base + "2021/index.html")
        table, chart = page.evaluate(_BOXES_JS)
        if width == 1280:
            assert chart["left"] >= table["right"] and chart["top"] < table["bottom"]
        else:
            assert chart["top"] >= table["bottom"] and chart["right"] <= 375
    finally:
        context.close()


def test_the_department_page_lists_them_year_by_year(served, page):
    base, _ = served
    page.goto(base + DEPARTMENT)
    for year in (2022, 2021):
        (section,) = page.evaluate(_SCORES_JS, f"#y{year} section.scores")
        _check_scores(section, year)


def test_the_page_without_a_target_table_says_so_and_every_link_works(served, page):
    base, _ = served
    page.goto(base + ALONE)
    assert "没有公开的绩效目标表" in page.inner_text(".target-link")
    assert page.locator(".target-link a, .breadcrumbs a").all_inner_texts() == ["首页", "2021年度"]
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    local = {urljoin(page.url, h).partition("#")[0] for h in hrefs}
    local = {u for u in local if urlparse(u).netloc == urlparse(base).netloc}
    assert len(local) >= 6
    for url in sorted(local):
        assert page.request.get(url).status == 200, url
    page.goto(base + "2021/index.html")
    assert page.locator("section.scores tbody td:text-is('无')").count() == 2


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
        if width == 1280:  # and in elder mode (larger type, heavier lines, its own colours)
            page.check("#elder-toggle")
            results = Axe().run(page, options=AXE_OPTIONS)
            assert results.violations_count == 0, results.generate_report()
        if width == 375:
            wraps = page.evaluate("""() => [...document.querySelectorAll('.table-wrap, .chart')]
                .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)""")
            assert wraps == []  # nor does any table's region or chart
    finally:
        context.close()


def test_vnu_finds_no_html_errors(built):
    assert_valid_html([built / p for p in all_pages(built)])


def test_on_a_phone_each_amount_and_goal_reads_after_its_label(served, phone):
    base, _ = served
    phone.goto(base + EVALUATION)
    cells = phone.evaluate("""() => [...document.querySelectorAll('.evaluation td[data-label]:not(.evaluation-grid tbody td)')]
      .map(td => { const r = td.getBoundingClientRect();
                   return [td.dataset.label, getComputedStyle(td, '::before').content, r.left >= 0 && r.right <= 375]; })""")
    assert len(cells) >= 14
    for label, before, inside in cells:
        assert before == f'"{label}：" / ""' and inside, (label, before)
    # The column headers the labels stand in for are out of sight, still in the table for screen readers.
    for head in (".form-funds thead", ".form-goals thead"):
        box = phone.locator(head).bounding_box()
        assert box["width"] <= 1 and box["height"] <= 1, head
    marks = phone.locator(".evaluation-grid td.actual .mark")
    assert marks.count() == len(UNMET)
    for i in range(marks.count()):
        box = marks.nth(i).bounding_box()
        assert marks.nth(i).inner_text() == "未达到" and box["width"] > 10 and box["x"] + box["width"] <= 375
    phone.screenshot(path=ARTIFACTS / "evaluation-phone-375.png", full_page=True)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_375px_no_page_scrolls_sideways_nor_squeezes_a_cell(served, phone, elder):
    base, _ = served
    problems = {}
    for path in PAGES + ["2021/ziping/xiangcun-fengmao.html"]:
        phone.goto(base + path)
        if elder:
            phone.check("#elder-toggle")
        found = _sideways(phone)
        if found:
            problems[path] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


@pytest.mark.parametrize("width, media", [(601, "screen"), (1280, "screen"), (375, "print")])
def test_wide_screens_and_print_keep_the_official_form(served, browser, width, media):
    """From 600 px and on paper the 自评表 is the form's grid: merged cells span their rows, and
    taking the phone rules out moves nothing."""
    base, _ = served
    context, page = open_page(browser, width)
    try:
        page.goto(base + EVALUATION)
        page.emulate_media(media=media)
        display = page.evaluate("""() => ['.evaluation-grid', '.evaluation-grid th.level1', '.evaluation-grid td.actual',
                                          '.evaluation-funds td.amount', '.evaluation-grid tfoot td']
                                         .map(s => getComputedStyle(document.querySelector(s)).display)""")
        assert display == ["table", "table-cell", "table-cell", "table-cell", "table-cell"]
        spans = page.evaluate(_SPANS_JS)
        assert len(spans) >= 8
        for span in spans:
            assert abs(span["top"] - span["rowTop"]) <= 1.5 and abs(span["bottom"] - span["rowBottom"]) <= 1.5, span
        cells = page.evaluate(_CELLS_JS)
        assert page.evaluate(_DROP_PHONE_RULES_JS) == 1
        assert page.evaluate(_CELLS_JS) == cells
        # Below the form's width (56rem) it scrolls inside its region, and the hint says so.
        scrolls = page.evaluate("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth > w.clientWidth; }")
        if media == "screen":
            assert scrolls == (width == 601) == page.locator(".scroll-hint").is_visible()
    finally:
        context.close()


# A4 landscape less the page's 12 mm side margins, in CSS pixels.
PRINT_WIDTH = int((297 - 2 * 12) / 25.4 * 96)


def test_the_form_prints_on_a4_landscape_across_the_page_and_never_cuts_a_row(served, browser):
    base, _ = served
    context, page = open_page(browser, PRINT_WIDTH)
    try:
        page.goto(base + EVALUATION)
        page.emulate_media(media="print")
        right = page.evaluate("""() => Math.max(...[...document.querySelectorAll('.perf-table')]
                                 .map(t => t.getBoundingClientRect().right))""")
        assert right <= PRINT_WIDTH
        assert page.evaluate("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth; }")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (ARTIFACTS / "evaluation-wuye-houqin.pdf").write_bytes(pdf)
        pages = _pdf_pages(pdf)
        for width, height, _ in pages:
            assert abs(width - 841.89) < 1 and abs(height - 595.28) < 1  # A4 landscape, in points
        assert _on(pages[0][2][:12], "项目支出绩效自评表")
        assert not any(_on(t, "长者模式") or _on(t, "当前位置") for _, _, t in pages)
        # Markers at both ends of every unmerged cell (as test_browser does for the target table).
        rows = page.evaluate(_MARK_JS)
        assert rows == len(_expected_grid(_file("2022/自评/wuye-houqin.yaml"), _targets()))
        marked = [t for _, _, t in _pdf_pages(page.pdf(prefer_css_page_size=True))]
        for i in range(rows):
            assert len({n for n, t in enumerate(marked) if f"RB{i}Z" in t or f"RE{i}Z" in t}) == 1, f"row {i + 1} is cut"
        for number, text in enumerate(marked, start=1):
            if "RB" in text:
                assert "HDRZ" in text, f"header row not repeated on page {number}"
    finally:
        context.close()
