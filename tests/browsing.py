"""The browser fixtures of a page test module that builds a site of its own (its ``built``
fixture: the output folder): the site served over HTTP, one Chromium for the module, a desktop
page and a phone page. Imported by name into the module, where pytest finds them."""

from __future__ import annotations

import pytest

from test_browser import ARTIFACTS, IN_CI, _missing, launched, serving


@pytest.fixture(scope="module")
def served(built):
    """(base URL, output folder) of the module's site; a missing browser skips, or fails in CI."""
    problem = _missing()
    if problem:
        if IN_CI:
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(built) as base:
        yield base, built


@pytest.fixture(scope="module")
def browser(served):
    with launched() as instance:
        yield instance


def open_page(browser, width: int):
    """(context, page) of a Chinese-locale desktop window ``width`` px wide."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    return context, context.new_page()


@pytest.fixture
def page(browser):
    context, page = open_page(browser, 1280)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    yield context.new_page()
    context.close()
