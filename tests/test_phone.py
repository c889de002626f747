"""Phones and search from disk, in a real browser (Debian's Chromium, as in test_browser.py).

Below 600 px the pages read stacked on the same markup: no sideways scroll anywhere (neither the
page nor a table's region), an indicator row's 三级指标 and 指标值 together under their 一级 and
二级 headings, no label a character a line. From 600 px and in print the official grid is what it
was: the phone rules are taken out of the stylesheet and every cell must stay where it is. axe
and vnu pass in both layouts. Opened from file://, the search page says at once that search
needs a server.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from test_browser import (ARTIFACTS, AXE_OPTIONS, _SPANS_JS, all_pages, assert_valid_html, browser,  # noqa: F401
                          search, served, served_two_years, serving)

PHONE = {"viewport": {"width": 375, "height": 800}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
PROJECT = "2022/wuye-houqin.html"
WIDE_PROJECT = "2023/weiqiao-gaizao.html"  # examples/yitihua: 一体化2021, with a 预算执行 row


@pytest.fixture(scope="module")
def served_yitihua(served, tmp_path_factory):
    """The 一体化2021 example (examples/yitihua) built with the package's own theme."""
    root = tmp_path_factory.mktemp("yitihua")
    shutil.copytree(ROOT / "examples/yitihua/content", root / "content")
    result = run_cli("build", "--no-search", cwd=root)
    assert result.returncode == 0, result.stderr
    with serving(root / "output") as base:
        yield base, root / "output"


SITES = ["served", "served_two_years", "served_yitihua"]


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    yield context.new_page()
    context.close()


# Whatever scrolls sideways on a page: the page itself, or any element that clips and scrolls
# (a table's region); and each visible table cell narrower than two characters of its text
# (the header rows, or header cells, kept for screen readers are out of sight and do not count).
_SIDEWAYS_JS = """() => {
  const page = document.scrollingElement.scrollWidth - innerWidth;
  const scrollers = [...document.querySelectorAll('body *')].filter(e => {
    const x = getComputedStyle(e).overflowX;
    return (x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth + 1;
  }).map(e => e.className || e.tagName);
  const narrow = [...document.querySelectorAll('th, td')].filter(c => {
    const hidden = c.closest('thead') || c;
    if (c.textContent.trim().length < 2 || !c.getClientRects().length || hidden.getBoundingClientRect().width <= 1) {
      return false;
    }
    const s = getComputedStyle(c), em = parseFloat(s.fontSize);
    return c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) < 1.9 * em;
  }).map(c => c.textContent.trim().slice(0, 10));
  return {page, width: innerWidth, scrollers, narrow};
}"""


def _sideways(page) -> dict | None:
    """What scrolls sideways on ``page`` or is too narrow, or None. A mobile browser widens its
    window to a page that does not fit (innerWidth grows with it), so the width is the context's."""
    found = page.evaluate(_SIDEWAYS_JS)
    wide = found["width"] != page.viewport_size["width"] or found["page"] > 0
    return found if wide or found["scrollers"] or found["narrow"] else None


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_375px_nothing_scrolls_sideways_on_any_page(site, elder, phone, request):
    base, output = request.getfixturevalue(site)
    problems = {}
    for path in all_pages(output):
        phone.goto(base + path)
        if elder:
            phone.check("#elder-toggle")
        if found := _sideways(phone):
            problems[path] = found
    assert problems == {}
    assert len(all_pages(output)) >= 9


def test_375px_a_large_sites_pages_scroll_nowhere_in_elder_mode(browser, tmp_path, monkeypatch):
    """The summary tables of a large site (as in test_browser's large-site test: departments on
    the home and year pages, changes split per department) and its wide amounts ('+231.08
    (+143.99%)' in 资金对比 and the changes tables) in the largest type on a phone."""
    import sys

    from perfsite.builder import Builder
    from perfsite.site import Site, YearPage

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    monkeypatch.setattr(Site, "INDEX_LIMIT", 50)
    monkeypatch.setattr(YearPage, "SPLIT_CHANGES_LIMIT", 10)
    monkeypatch.setattr(YearPage, "LIST_LIMIT", 10)
    site = generate(90, tmp_path / "site")
    output = site / "output"
    assert Builder(site / "content", site / "templates", output, search=False).build().ok
    pages = [p for p in all_pages(output) if "/p0" not in p] + ["2024/p000001.html", "2023/p000001.html"]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    problems = {}
    with serving(output) as base:
        for path in pages:
            page.goto(base + path)
            page.check("#elder-toggle")
            if found := _sideways(page):
                problems[path] = found
    context.close()
    assert len(pages) > 20 and problems == {}


# Each indicator row at its rendered place: its 三级指标, its value cells (with the label the
# stylesheet shows before each), and the 一级 and 二级 headings that precede it in the page.
_ROWS_JS = """() => [...document.querySelectorAll('.form-grid tr.indicator:not(.budget)')].map(tr => {
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const name = tr.querySelector('.level3');
  const before = sel => [...document.querySelectorAll('.form-grid ' + sel)]
    .filter(h => h.compareDocumentPosition(name) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
  const l1 = before('th.level1:not(#l1-0)'), l2 = before('th.level2');
  return {row: box(tr), name: name.textContent, nameBox: box(name),
          cells: [...tr.querySelectorAll('td')].filter(td => td.textContent).map(td => ({
            text: td.textContent, column: td.className, box: box(td), label: getComputedStyle(td, '::before').content})),
          level1: l1.textContent, level1Box: box(l1), level2: l2.textContent, level2Box: box(l2),
          groups: name.getAttribute('headers')};
})"""


@pytest.mark.parametrize("site, path, labels", [
    ("served", PROJECT, {"value": "指标值", "note": "说明"}),
    ("served_yitihua", WIDE_PROJECT, {"nature": "指标性质", "value": "指标值", "unit": "度量单位", "weight": "权重",
                                      "direction": "指标方向"})])
def test_a_stacked_row_reads_its_name_and_values_together_under_its_headings(site, path, labels, phone, request):
    base, output = request.getfixturevalue(site)
    phone.goto(base + path)
    rows = phone.evaluate(_ROWS_JS)
    assert len(rows) >= 8
    ids = phone.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.form-grid th:is(.level1, .level2)')]
                                    .map(h => [h.id, h.textContent]))""")
    for r in rows:
        row, name = r["row"], r["nameBox"]
        assert row["top"] <= name["top"] and name["bottom"] <= row["bottom"], r
        assert r["cells"], r
        for cell in r["cells"]:
            box = cell["box"]
            assert row["top"] <= box["top"] and box["bottom"] <= row["bottom"] + 0.5, r  # in the row's block
            assert box["top"] >= name["top"] - 0.5 and box["right"] <= 375, r  # after its name, on screen
            assert cell["label"] == f'"{labels[cell["column"]]}：" / ""', cell  # its column's name before it, unread
        # The 一级 and 二级 this row is under (its headers attribute names them) are the headings
        # above it, 一级 first.
        level1, level2 = (ids[i] for i in r["groups"].split()[1:3])  # after its column's h-l3
        assert (r["level1"], r["level2"]) == (level1, level2), r
        assert r["level1Box"]["bottom"] <= r["level2Box"]["top"] + 0.5 and r["level2Box"]["bottom"] <= name["top"] + 0.5, r
    values = {c["text"] for r in rows for c in r["cells"]}
    expected = {"每周≥7次", "全面保障"} if site == "served" else {"495", "万元", "反向"}
    assert expected <= values
    phone.screenshot(path=ARTIFACTS / f"phone-{Path(path).stem}-375.png", full_page=True)


def test_the_head_and_fund_blocks_read_as_label_value_pairs(served, phone):
    base, _ = served
    phone.goto(base + PROJECT)
    pairs = phone.evaluate("""() => [...document.querySelectorAll('.form-head tbody:not(.goal-block) th')].map(th => {
        const td = th.nextElementSibling, a = th.getBoundingClientRect(), b = td.getBoundingClientRect();
        return [th.textContent, td.textContent, a.right <= b.left + 0.5 && Math.abs(a.top - b.top) < 1, b.right <= 375];
    })""")
    assert ["资金总额", "10.38", True, True] in pairs and ["项目名称", "局机关物业管理后勤工作经费", True, True] in pairs
    assert all(beside and inside for _, _, beside, inside in pairs), pairs
    caption = phone.locator(".form-head caption")
    assert caption.bounding_box()["width"] <= 375 and caption.evaluate("c => c.scrollWidth <= c.clientWidth")
    goals = phone.locator(".form-head td.goals").bounding_box()
    assert goals["x"] >= 0 and goals["x"] + goals["width"] <= 375


# Every cell of the form: its box. Then the same with the phone rules taken out of the page's
# stylesheet (the rules of a media query on 37.5rem): nothing may have moved.
_CELLS_JS = """() => [...document.querySelectorAll('.perf-table :is(th, td, caption)')].map(c => {
  const r = c.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map(Math.round); })"""
_DROP_PHONE_RULES_JS = """() => {
  let dropped = 0;
  for (const sheet of document.styleSheets) {
    for (let i = sheet.cssRules.length - 1; i >= 0; i--) {
      const rule = sheet.cssRules[i];
      if (rule instanceof CSSMediaRule && rule.conditionText.includes('37.5rem')) { sheet.deleteRule(i); dropped++; }
    }
  }
  return dropped;
}"""


@pytest.mark.parametrize("site, path", [("served", PROJECT), ("served_yitihua", WIDE_PROJECT)])
@pytest.mark.parametrize("width, media", [(601, "screen"), (1280, "screen"), (375, "print"), (1280, "print")])
def test_wide_screens_and_print_keep_the_official_grid(site, path, width, media, browser, request):
    base, _ = request.getfixturevalue(site)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(base + path)
    page.emulate_media(media=media)
    display = page.evaluate("""() => ['.form-grid', '.form-grid th.level1', '.form-grid td.value', '.form-head td']
                                       .map(s => getComputedStyle(document.querySelector(s)).display)""")
    assert display == ["table", "table-cell", "table-cell", "table-cell"]
    for span in page.evaluate(_SPANS_JS):  # each merged cell spans exactly its rows
        assert abs(span["top"] - span["rowTop"]) <= 1.5 and abs(span["bottom"] - span["rowBottom"]) <= 1.5, span
    cells = page.evaluate(_CELLS_JS)
    assert page.evaluate(_DROP_PHONE_RULES_JS) == 1
    assert page.evaluate(_CELLS_JS) == cells
    context.close()


def test_the_phone_layout_is_the_phone_rules_doing(served, phone):
    """The stacked layout at 375 px goes when the phone rules do (so the test above can fail)."""
    base, _ = served
    phone.goto(base + PROJECT)
    display = "() => getComputedStyle(document.querySelector('.form-grid th.level1')).display"
    assert phone.evaluate(display) == "block"
    assert phone.evaluate(_DROP_PHONE_RULES_JS) == 1
    assert phone.evaluate(display) == "table-cell"


@pytest.mark.parametrize("width", [375, 620, 1280])
def test_the_scroll_hint_shows_exactly_when_the_form_scrolls(served, browser, width):
    base, _ = served
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(base + PROJECT)
    scrolls = page.evaluate("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth > w.clientWidth; }")
    assert page.locator(".scroll-hint").is_visible() == scrolls
    assert scrolls == (width == 620)
    context.close()


def _axe_pages(output: Path, site: str) -> list[str]:
    if site == "served_two_years":  # the pages the second year adds or changes; the rest are the shipped site's
        return ["2023/changes.html", "2023/wuye-houqin.html", "2023/index.html", "departments/index.html",
                "departments/d-1d390558.html", "index.html"]
    return all_pages(output)


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("layout", ["phone", "desktop"])
def test_axe_finds_no_violations_in_either_layout(site, layout, request):
    from axe_playwright_python.sync_playwright import Axe

    base, output = request.getfixturevalue(site)
    page = request.getfixturevalue(layout)
    found = {}
    for path in _axe_pages(output, site):
        page.goto(base + path)
        for elder in (False, True):
            if elder:
                page.check("#elder-toggle")
            results = Axe().run(page, options=AXE_OPTIONS)
            if results.violations_count:
                found[(path, elder)] = results.generate_report()
    assert found == {}


def test_vnu_finds_no_html_errors_in_the_wide_example(served_yitihua):
    _, output = served_yitihua
    assert_valid_html([output / p for p in all_pages(output)])


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_search_from_file_says_at_once_that_it_needs_a_server(served, desktop):
    _, output = served
    assert (output / "pagefind").is_dir()  # a site with its index: only file:// stands in the way
    errors = _errors(desktop)
    desktop.goto((output / "search.html").as_uri())
    notice = desktop.locator("#search-from-file")
    notice.wait_for(state="visible", timeout=1500)
    assert "本地文件无法使用搜索" in notice.inner_text() and "perfsite serve" in notice.inner_text()
    desktop.wait_for_timeout(500)  # a module import that fails would report by now
    assert errors == []
    assert desktop.locator(".pagefind-ui__search-input, .pagefind-ui__loading").count() == 0


def test_search_over_http_shows_no_file_notice(served, desktop):
    base, _ = served
    errors = _errors(desktop)
    titles = [title for title, _ in search(desktop, base + "search.html", "清洁次数")]
    assert any("局机关物业管理后勤工作经费" in t for t in titles), titles
    assert not desktop.locator("#search-from-file").is_visible() and errors == []
