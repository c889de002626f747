"""`perfsite import FILE.pdf`: the five seed projects' pages of the shipped site printed to PDF by
Chromium (the print view: title, funds, goals and the merged grid), read back by the PDF reader
and the form interpreter, field by field equal to the shipped content (ids aside). Also printed
on small pages with rows allowed to break (the grid splits inside a 二级 group and cells are cut
between pages), again with more above the form (the breaks fall elsewhere), all five in one file,
and as a scan (an image only): refused, nothing written."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import yaml

from perfsite.source import load_file

from conftest import CONTENT, TEMPLATES, run_cli, snapshot
from test_browser import CHROMIUM, IN_CI, LAUNCH_ARGS, _missing as browser_missing

PAGES = sorted(p.stem for p in (CONTENT / "2022").glob("*.yaml"))
# Rows may break across pages, on a page so small that every long grid splits inside a 二级 group.
SPLIT_CSS = "tr, td, th { break-inside: auto !important; page-break-inside: auto !important; } body { font-size: 15px; }"
# More room above the form (a bureau's page has any amount of header above it): each moves every
# page break to another place in the grid, inside other rows and other cells.
ABOVE = (13, 47, 71, 97)  # px added above the form title
BROKEN = [p for p in PAGES if p != "wuye-houqin"]  # its 9 rows fit one small page


def _missing() -> str | None:
    if importlib.util.find_spec("pdfplumber") is None:
        return "pdfplumber is not installed (pip install pdfplumber)"
    return browser_missing()


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    """The shipped site built once and each project page printed: A4 (``name``), small pages with
    rows that may break (``name-split``, and ``name-split-N`` with N px more above the form), all
    five in one file (``all``) and a scan (``scan``)."""
    problem = _missing()
    if problem:
        if IN_CI:
            pytest.fail(f"PDF import tests cannot run in CI: {problem}")
        pytest.skip(f"PDFs are printed with Chromium: {problem}")
    from playwright.sync_api import sync_playwright
    from pypdf import PdfWriter

    root = tmp_path_factory.mktemp("pdf-site")
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    out = root / "pdf"
    out.mkdir()
    made: dict[str, Path] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            for name in PAGES:
                page.goto((root / "output" / "2022" / f"{name}.html").as_uri())
                page.emulate_media(media="print")
                made[name] = out / f"{name}.pdf"
                made[name].write_bytes(page.pdf(format="A4"))
                if name == PAGES[0]:
                    page.emulate_media(media="screen")  # the screen view: the site's header, breadcrumbs, links
                    made["screen"] = out / "screen.pdf"
                    made["screen"].write_bytes(page.pdf(format="A4", print_background=True))
                    page.emulate_media(media="print")
                    shot = out / "shot.png"
                    page.screenshot(path=shot, full_page=True)
                page.add_style_tag(content=SPLIT_CSS)
                made[f"{name}-split"] = out / f"{name}-split.pdf"
                made[f"{name}-split"].write_bytes(page.pdf(width="120mm", height="100mm"))
                for above in ABOVE if name in BROKEN else ():
                    page.add_style_tag(content=f".form-title {{ margin-top: {above}px !important; }}")
                    made[f"{name}-split-{above}"] = out / f"{name}-split-{above}.pdf"
                    made[f"{name}-split-{above}"].write_bytes(page.pdf(width="120mm", height="100mm"))
            (out / "scan.html").write_text(f'<!doctype html><img src="{shot.as_uri()}" style="width:100%">',
                                           encoding="utf-8")
            page.goto((out / "scan.html").as_uri())
            made["scan"] = out / "扫描件.pdf"
            made["scan"].write_bytes(page.pdf(format="A4"))
        finally:
            browser.close()
    writer = PdfWriter()
    for name in PAGES:
        writer.append(str(made[name]))
    made["all"] = out / "全部项目.pdf"
    with made["all"].open("wb") as handle:
        writer.write(handle)
    return made


def _site(tmp_path: Path) -> Path:
    """A site with the shipped site.yaml and templates but no projects: imports land in content/2022."""
    (tmp_path / "content").mkdir()
    shutil.copy(CONTENT / "site.yaml", tmp_path / "content" / "site.yaml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


def _imported(site: Path, *files: Path) -> dict[str, dict]:
    result = run_cli("import", *map(str, files), cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    data = {}
    for path in sorted((site / "content" / "2022").glob("*.yaml")):
        source, diags = load_file(path, path.name)
        assert source is not None, diags
        data[source.data["项目名称"]] = source.data
    return data


def _shipped(name: str) -> dict:
    return yaml.safe_load((CONTENT / "2022" / f"{name}.yaml").read_text(encoding="utf-8"))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _goal(text: str) -> str:
    """A goal as the page shows it: the <p> the budget system leaked into the source is markup."""
    return re.sub(r"</?p>", "", text).strip()


def assert_equal_to_shipped(got: dict, name: str) -> None:
    want = _shipped(name)
    where = f"{name}: "
    for key in ("年度", "项目名称", "主管部门及代码", "实施单位"):
        assert _text(got.get(key)) == _text(want.get(key)), where + key
    for key in ("资金来源", "资金总额", "财政拨款", "上级补助", "本级安排", "其他资金"):
        assert _text(got["资金"].get(key)) == _text(want["资金"].get(key)), where + key
    assert [_goal(g) for g in got["年度目标"]] == [_goal(g) for g in want["年度目标"]], where + "年度目标"
    rows = lambda data: [(l1, l2, {k: _text(v) for k, v in row.items()})  # noqa: E731
                         for l1, groups in data["绩效指标"].items() for l2, found in groups.items() for row in found]
    got_rows, want_rows = rows(got), rows(want)
    for index, (a, b) in enumerate(zip(got_rows, want_rows)):
        assert a == b, f"{where}row {index + 1}"
    assert len(got_rows) == len(want_rows), where + "rows"
    assert list(got["绩效指标"]) == list(want["绩效指标"])


@pytest.mark.parametrize("name", PAGES)
def test_each_printed_page_imports_equal_to_the_shipped_content(printed, tmp_path, name):
    site = _site(tmp_path)
    data = _imported(site, printed[name])
    assert len(data) == 1
    (got,) = data.values()
    assert_equal_to_shipped(got, name)
    report = run_cli("check", cwd=site)
    assert report.returncode == 0, report.stdout + report.stderr


@pytest.mark.parametrize("name", BROKEN)
def test_a_grid_broken_across_pages_mid_group_and_mid_row_imports_equal(printed, tmp_path, name):
    assert_broken_grid_imports_equal(printed[f"{name}-split"], tmp_path, name)


@pytest.mark.parametrize("above", ABOVE)
@pytest.mark.parametrize("name", BROKEN)
def test_wherever_the_breaks_fall_the_broken_grid_imports_equal(printed, tmp_path, name, above):
    """The same small pages with more above the form: the breaks fall elsewhere (under the form
    head alone, on the grid's header, in a row cut with its 三级指标 and 指标值 both going on)."""
    assert_broken_grid_imports_equal(printed[f"{name}-split-{above}"], tmp_path, name)


def assert_broken_grid_imports_equal(path: Path, tmp_path: Path, name: str) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:  # the grid goes on over pages, its header repeated
        headed = [p for p in pdf.pages if "指标值" in (p.extract_text() or "")]
        assert len(headed) >= 2
    site = _site(tmp_path)
    (got,) = _imported(site, path).values()
    assert_equal_to_shipped(got, name)
    text = (site / "content" / "2022" / f"{got['id']}.yaml").read_text(encoding="utf-8")
    assert "单元格未合并" not in text  # a label the break cut is the merged label, not a guess


def test_one_pdf_with_all_five_projects(printed, tmp_path):
    site = _site(tmp_path)
    data = _imported(site, printed["all"])
    assert len(data) == 5
    for name in PAGES:
        assert_equal_to_shipped(data[_shipped(name)["项目名称"]], name)


def test_the_screen_view_with_the_sites_header_and_links_reads_only_the_form(printed, tmp_path):
    import pdfplumber

    with pdfplumber.open(printed["screen"]) as pdf:
        assert "订阅更新" in "".join(p.extract_text() or "" for p in pdf.pages).replace(" ", "")
    site = _site(tmp_path)
    (got,) = _imported(site, printed["screen"]).values()
    assert_equal_to_shipped(got, PAGES[0])


def test_a_scanned_pdf_is_refused_by_name_and_nothing_is_written(printed, tmp_path):
    site = _site(tmp_path)
    before = snapshot(site)
    result = run_cli("import", str(printed["scan"]), cwd=site)
    assert result.returncode == 1
    assert "扫描件.pdf" in result.stderr and "这是扫描件（没有文字层）" in result.stderr
    assert "原始的 Excel/Word 文件" in result.stderr and "OCR" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site) == before


# ---- inputs that are not a readable PDF (no browser needed)


def _refused(tmp_path: Path, name: str, raw: bytes) -> str:
    pytest.importorskip("pdfplumber")
    site = _site(tmp_path)
    path = tmp_path / name
    path.write_bytes(raw)
    before = snapshot(site)
    result = run_cli("import", str(path), cwd=site)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr and name in result.stderr
    assert snapshot(site) == before
    return result.stderr


def test_a_damaged_pdf_is_refused(tmp_path):
    message = _refused(tmp_path, "坏.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage\n%%EOF")
    assert "PDF" in message and ("损坏" in message or "没有" in message)


def test_a_file_named_pdf_that_is_not_one_is_refused(tmp_path):
    message = _refused(tmp_path, "表.pdf", "项目名称\t某项目\n".encode())
    assert "不是 PDF 文件" in message


def test_an_encrypted_pdf_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    import io
    buffer = io.BytesIO()
    writer.write(buffer)
    message = _refused(tmp_path, "加密.pdf", buffer.getvalue())
    assert "加密" in message


def test_a_pdf_without_the_form_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    import io
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    message = _refused(tmp_path, "空白.pdf", buffer.getvalue())
    assert "扫描件" in message or "没有" in message


def test_too_many_pages_is_refused(tmp_path, monkeypatch):
    pypdf = pytest.importorskip("pypdf")
    import io

    from perfsite.importers import ImportError_
    from perfsite.importers import pdf as reader

    writer = pypdf.PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    monkeypatch.setattr(reader, "MAX_PAGES", 2)
    with pytest.raises(ImportError_, match="3 页，超过导入上限 2 页"):
        reader.read_pdf(buffer.getvalue(), "多.pdf")
