"""The PDF attachments (build --pdf, pdf: true): A4 pages of the print layout, every indicator's
text extractable, fonts embedded, a department's PDF holding each of its projects from a new
page, nothing of it without the flag, a clear error when the engine is missing, the same bytes
from every build, and an incremental build equal to a clean one."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")

from perfsite.builder import Builder  # noqa: E402
from perfsite.source import load_file  # noqa: E402

from conftest import CONTENT, ROOT, TEMPLATES, files, run_cli, snapshot  # noqa: E402

EXAMPLE = ROOT / "examples" / "yitihua" / "content"  # 一体化2021: the wide form, printed landscape
PORTRAIT, LANDSCAPE = (595, 842), (842, 595)


def site(root: Path, content: Path) -> Path:
    shutil.copytree(content, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The shipped site and the 一体化 example, each built with --pdf by the real command."""
    out = {}
    for name, content in (("shipped", CONTENT), ("yitihua", EXAMPLE)):
        root = site(tmp_path_factory.mktemp(name), content)
        result = run_cli("build", "--pdf", "--no-search", cwd=root)
        assert result.returncode == 0, result.stderr
        out[name] = root
    return out


def reader(path: Path):
    return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


def text_of(pages) -> str:
    """The pages' text with every space and line break taken out: a cell's text wraps."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def projects(root: Path) -> list[Path]:
    return sorted((root / "content").glob("20*/*.yaml"))


def pdf_of(root: Path, source: Path) -> Path:
    data = load_file(source, source.name)[0].data
    return root / "output" / source.parent.name / f"{data['id']}.pdf"


def indicator_texts(data) -> list[str]:
    """Every 三级指标 and 指标值 the file writes, wherever its form puts them."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("三级指标", "指标值") and value not in (None, ""):
                found.append(re.sub(r"\s+", "", str(value)))
            else:
                found += indicator_texts(value)
    elif isinstance(data, list):
        for item in data:
            found += indicator_texts(item)
    return found


@pytest.mark.parametrize("name, size", [("shipped", PORTRAIT), ("yitihua", LANDSCAPE)])
def test_every_project_has_an_a4_pdf_holding_every_indicator_and_value(built, name: str, size):
    root = built[name]
    for source in projects(root):
        pdf = reader(pdf_of(root, source))
        assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages} == {size}
        text = text_of(pdf.pages)
        wanted = indicator_texts(load_file(source, source.name)[0].data)
        assert len(wanted) > 10
        assert [w for w in wanted if w not in text] == []
        assert "项目支出绩效目标表" in re.sub(r"\s+", "", pdf.pages[0].extract_text())


def fonts(pdf):
    for page in pdf.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            yield font, described.get("/FontDescriptor")


@pytest.mark.parametrize("name", ["shipped", "yitihua"])
def test_fonts_are_embedded(built, name: str):
    for path in sorted((built[name] / "output").rglob("*.pdf")):
        found = list(fonts(reader(path)))
        assert found, path
        for font, descriptor in found:
            assert font["/Subtype"] != "/Type3", path  # a glyph drawing, whose text does not copy
            assert descriptor is not None and ({"/FontFile2", "/FontFile3"} & set(descriptor.get_object())), path


@pytest.mark.parametrize("name", ["shipped", "yitihua"])
def test_a_departments_pdf_holds_each_of_its_projects_from_a_new_page(built, name: str):
    output = built[name] / "output"
    (year,) = {p.parent.name for p in projects(built[name])}
    departments = sorted((output / year / "indicators").glob("*.pdf"))
    assert len(departments) == 1  # each example has one department
    # Text without its spaces (text_of): how pypdf spaces the letter-spaced title depends on the
    # fonts of the whole document (a 中期 block's dash brings another), not on the page.
    whole = [text_of([page]) for page in reader(departments[0]).pages]
    pages = []
    for source in projects(built[name]):  # in file order; the department's in page order (by name or id)
        pages.append([text_of([page]) for page in reader(pdf_of(built[name], source)).pages])
    start, starts = 0, {}
    while start < len(whole):  # each project's pages, as its own PDF has them, one after another
        first = whole[start]
        (found,) = [i for i, own in enumerate(pages) if own[0] == first and i not in starts]
        starts[found] = start
        assert whole[start:start + len(pages[found])] == pages[found]
        start += len(pages[found])
    assert len(starts) == len(pages)


def test_pages_link_the_pdfs_they_have(built):
    output = built["shipped"] / "output"
    page = (output / "2022" / "wuye-houqin.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="downloads">.*JSON</a>.* · <a href="wuye-houqin\.pdf" download>PDF</a></p>', page)
    (department,) = (output / "departments").glob("d-*.html")
    (pdf,) = (output / "2022" / "indicators").glob("*.pdf")
    assert f'href="../2022/indicators/{pdf.name}" download>2022年度全部项目 PDF</a>' in department.read_text("utf-8")


def test_without_pdf_there_is_no_pdf_and_no_link(tmp_path: Path):
    root = site(tmp_path, CONTENT)
    assert run_cli("build", "--no-search", cwd=root).returncode == 0
    output = root / "output"
    assert list(output.rglob("*.pdf")) == []
    assert [p for p in output.rglob("*.html") if ".pdf" in p.read_text(encoding="utf-8")] == []


def test_pdf_true_in_site_yaml_builds_them_and_the_schema_says_so(tmp_path: Path):
    root = site(tmp_path, EXAMPLE)
    with open(root / "content" / "site.yaml", "a", encoding="utf-8") as config:
        config.write("pdf: true\n")
    assert run_cli("build", "--no-search", cwd=root).returncode == 0
    # four projects, the department's of the year, and the department's own table beside its page
    assert len(list((root / "output").rglob("*.pdf"))) == 4 + 1 + 1
    (table,) = (root / "output" / "2023" / "bumen").glob("*.pdf")
    assert "年度主要任务" in text_of(reader(table).pages) and "农村公路养护与危桥改造" in text_of(reader(table).pages)
    page = table.with_suffix(".html").read_text(encoding="utf-8")
    assert f'<a href="{table.name}" download>PDF</a>' in page
    assert "pdf" in (ROOT / "schema" / "site.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("failure", ["ImportError('No module named weasyprint')",
                                     "OSError(\"cannot load library 'libpango-1.0-0'\")"])
@pytest.mark.parametrize("asked", ["--pdf", "site.yaml"])
def test_a_missing_engine_is_a_clear_error_and_the_output_stays(tmp_path: Path, failure: str, asked: str):
    root = site(tmp_path, CONTENT)
    assert run_cli("build", "--no-search", cwd=root).returncode == 0
    before = snapshot(root / "output")
    if asked == "site.yaml":
        with open(root / "content" / "site.yaml", "a", encoding="utf-8") as config:
            config.write("pdf: true\n")
    fake = tmp_path / "fake"  # a weasyprint that cannot be imported, as without pip's or without pango
    (fake / "weasyprint").mkdir(parents=True)
    (fake / "weasyprint" / "__init__.py").write_text(f"raise {failure}\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=f"{fake}{os.pathsep}{ROOT}")
    flags = ["--pdf"] if asked == "--pdf" else []
    result = subprocess.run([sys.executable, "-m", "perfsite", "build", *flags, "--no-search"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{'--pdf' if flags else 'content/site.yaml'}: error E081")
    assert "E081" in result.stderr and "无法生成 PDF" in result.stderr and "去掉 --pdf" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root / "output") == before


def test_an_engine_failure_fails_the_build_and_publishes_nothing(tmp_path: Path, monkeypatch):
    import weasyprint

    root = site(tmp_path, EXAMPLE)
    out = root / "output"
    assert Builder(root / "content", root / "templates", out, search=False).build().ok
    before = snapshot(out)

    def broken(*args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    result = Builder(root / "content", root / "templates", out, search=False, pdf=True).build()
    assert not result.ok
    (problem,) = [d for d in result.diagnostics if d.code == "E081"]
    assert problem.path.endswith(".pdf") and "layout failed" in problem.message
    assert snapshot(out) == before


def test_two_clean_builds_give_the_same_bytes_dated_by_source_date_epoch(built, tmp_path: Path, monkeypatch):
    root = built["yitihua"]
    first = {k: v for k, v in files(root / "output").items() if k.endswith(".pdf")}
    assert Builder(root / "content", root / "templates", tmp_path / "again", search=False, pdf=True, jobs=2).build().ok
    again = {k: v for k, v in files(tmp_path / "again").items() if k.endswith(".pdf")}
    assert again == first and len(first) == 6  # four projects, the department's, its own table
    dated = reader(root / "output" / "2023" / "weiqiao-gaizao.pdf").metadata
    assert dated["/CreationDate"] == dated["/ModDate"] == "D:20230220000000Z"  # its 公开日期
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert Builder(root / "content", root / "templates", tmp_path / "epoch", search=False, pdf=True).build().ok
    assert reader(tmp_path / "epoch" / "2023" / "weiqiao-gaizao.pdf").metadata["/CreationDate"] == "D:20231114221320Z"


def test_an_incremental_build_equals_a_clean_build_and_remakes_only_what_shows_the_edit(tmp_path: Path):
    root = site(tmp_path, EXAMPLE)
    out = root / "output"
    assert Builder(root / "content", root / "templates", out, search=False, pdf=True).build().ok
    path = root / "content" / "2023" / "weiqiao-gaizao.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("指标值: '126'", "指标值: '128'"), encoding="utf-8")
    result = Builder(root / "content", root / "templates", out, search=False, pdf=True).build()
    assert result.ok
    assert {p for p in result.written if p.endswith(".pdf")} == {"2023/weiqiao-gaizao.pdf",
                                                                 *[p.relative_to(out).as_posix() for p in
                                                                   (out / "2023" / "indicators").glob("*.pdf")]}
    assert "128" in text_of(reader(out / "2023" / "weiqiao-gaizao.pdf").pages)
    clean = tmp_path / "clean"
    assert Builder(root / "content", root / "templates", clean, search=False, pdf=True).build().ok
    assert files(out) == files(clean)
    # and without --pdf again: the PDFs and their links go, as a clean build without them has it
    assert Builder(root / "content", root / "templates", out, search=False).build().ok
    plain = tmp_path / "plain"
    assert Builder(root / "content", root / "templates", plain, search=False).build().ok
    assert files(out) == files(plain)


def test_a_kept_process_remakes_the_pdfs_of_an_edit_as_a_clean_build_has_them(tmp_path: Path):
    """build --watch (and serve, with pdf: true): a save that changes a value updates the views
    holding that file, the PDFs' among them."""
    root = site(tmp_path, EXAMPLE)
    out = root / "output"
    kept = Builder(root / "content", root / "templates", out, search=False, pdf=True, keep=True)
    assert kept.build().ok
    path = root / "content" / "2023" / "zhifa-zhuangbei.yaml"
    text = path.read_text(encoding="utf-8")
    assert "指标方向: 正向" in text
    path.write_text(text.replace("指标方向: 正向", "指标方向: 反向", 1), encoding="utf-8")
    result = kept.build(changed=[str(path)])
    assert result.ok and "2023/zhifa-zhuangbei.pdf" in result.written
    clean = tmp_path / "clean"
    assert Builder(root / "content", root / "templates", clean, search=False, pdf=True).build().ok
    assert files(out) == files(clean)


def test_the_preview_follows_pdf_true_in_site_yaml(tmp_path: Path):
    """serve builds in place (its own folder) with site.yaml's choice: the PDFs and their links."""
    root = site(tmp_path, EXAMPLE)
    with open(root / "content" / "site.yaml", "a", encoding="utf-8") as config:
        config.write("pdf: true\n")
    preview = tmp_path / "preview"
    preview.mkdir()
    assert Builder(root / "content", root / "templates", preview, in_place=True, search=False).build().ok
    assert len(list(preview.rglob("*.pdf"))) == 6
    assert 'href="weiqiao-gaizao.pdf" download>PDF</a>' in (preview / "2023" / "weiqiao-gaizao.html").read_text("utf-8")


def test_a_pdf_is_the_form_alone_without_the_comparison_with_the_year_before(tmp_path: Path):
    """The attachment is the table as published: the page's 与上年对比 is not in it, and an
    edit of last year's file, which changes the page, leaves the PDF."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    root = generate(2, tmp_path / "site")  # one project in 2022 and in 2023, and the theme as templates/
    out = root / "output"
    assert Builder(root / "content", root / "templates", out, search=False, pdf=True).build().ok
    (later,) = (out / "2023").glob("p*.pdf")
    assert "与上年对比" in later.with_suffix(".html").read_text(encoding="utf-8")
    text = text_of(reader(later).pages)
    assert "与上年对比" not in text
    (source,) = (root / "content" / "2023").glob("*.yaml")
    assert [w for w in indicator_texts(load_file(source, source.name)[0].data) if w not in text] == []
    (before,) = (root / "content" / "2022").glob("*.yaml")
    before.write_text(before.read_text(encoding="utf-8").replace("资金来源: 财政资金", "资金来源: 财政专项资金", 1),
                      encoding="utf-8")
    result = Builder(root / "content", root / "templates", out, search=False, pdf=True).build()
    assert result.ok and later.with_suffix(".html").relative_to(out).as_posix() in result.written
    assert [p for p in result.written if p.startswith("2023/") and p.endswith(".pdf")] == []
