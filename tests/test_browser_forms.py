"""Issue 19's wide forms in a real browser (set up as in test_browser.py): axe and vnu on pages
in the 一体化2021 and 评审 forms, 375 px without page-wide scrolling, and A4 print that fits (the
wide form on landscape pages, README "表样")."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from test_browser import (AXE_OPTIONS, ARTIFACTS, IN_CI, _OVERFLOW_JS, _missing, _pdf_pages, all_pages,
                          assert_valid_html, launched, serving)
from test_forms_output import write_site

PAGES = ["2023/yitihua.html", "2023/pingshen.html"]
A4_PORTRAIT, A4_LANDSCAPE = (595.28, 841.89), (841.89, 595.28)  # points
MM = 96 / 25.4  # CSS px per millimetre
MARGIN_MM = 12  # the print stylesheet's left and right page margins


@pytest.fixture(scope="module")
def served_forms(tmp_path_factory):
    problem = _missing()
    if problem:
        if IN_CI:
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    root = write_site(tmp_path_factory.mktemp("forms-browser"))
    result = run_cli("build", "--no-search", cwd=root)
    assert result.returncode == 0, result.stderr
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(root / "output") as base:
        yield base, root / "output"


@pytest.fixture(scope="module")
def browser(served_forms):
    with launched() as instance:
        yield instance


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations_on_a_form_page(served_forms, page, path):
    from axe_playwright_python.sync_playwright import Axe

    base, _ = served_forms
    page.goto(base + path)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    page.check("#elder-toggle")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_vnu_finds_no_html_errors_on_the_forms_site(served_forms):
    _, output = served_forms
    assert_valid_html([output / p for p in all_pages(output)])


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width, scrolls", [(375, False), (620, True)])
def test_the_wide_form_reads_stacked_on_a_phone_and_scrolls_inside_its_region_above(served_forms, browser, path,
                                                                                     width, scrolls):
    """Below 600 px the rows read stacked (tests/test_phone.py), so nothing scrolls; from 600 px
    the form keeps its grid, and where that is wider than the window its region scrolls, never the page."""
    base, _ = served_forms
    context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(base + path)
    assert page.evaluate(_OVERFLOW_JS) <= 0 and page.evaluate("() => innerWidth") == width
    inside = page.evaluate("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth; }")
    assert (inside > 0) == scrolls  # the region is focusable and labelled for when it scrolls
    page.screenshot(path=ARTIFACTS / f"form-{Path(path).stem}-{width}.png", full_page=True)
    context.close()


_MARK_JS = """
() => {
  const mark = text => Object.assign(document.createElement('span'), {textContent: text, style: 'font-size:4px'});
  const rows = [...document.querySelectorAll('.form-grid tbody tr')];
  rows.forEach((tr, i) => { tr.lastElementChild.append(mark(`RE${i}Z`)); });
  document.querySelector('.form-grid thead tr').lastElementChild.append(mark('HDRZ'));
  return rows.length;
}
"""

_GRID_WIDTH_JS = "() => document.querySelector('.form-grid').getBoundingClientRect().right"


@pytest.mark.parametrize("path, size", [("2023/yitihua.html", A4_LANDSCAPE), ("2023/pingshen.html", A4_PORTRAIT)])
def test_print_fits_a4_the_wide_form_on_landscape(served_forms, page, path, size):
    base, _ = served_forms
    page.goto(base + path)
    page.emulate_media(media="print")
    # The page's printable width at the form's orientation: the grid's right edge must be within it.
    width_mm = (297 if size == A4_LANDSCAPE else 210) - 2 * MARGIN_MM
    page.set_viewport_size({"width": int(width_mm * MM), "height": 900})
    assert page.evaluate(_GRID_WIDTH_JS) <= width_mm * MM + 0.5
    assert page.evaluate(_OVERFLOW_JS) <= 0
    rows = page.evaluate(_MARK_JS)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / f"form-{Path(path).stem}.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    for width, height, _ in pages:
        assert abs(width - size[0]) < 1 and abs(height - size[1]) < 1, (width, height)
    text = "".join(t for _, _, t in pages)
    assert "HDRZ" in text and all(f"RE{i}Z" in text for i in range(rows))  # the last column is on the paper
