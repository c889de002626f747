"""The .xlsx attachments: each built page's form, reopened with openpyxl, cell for cell and merge
for merge; the department workbooks; print setup; the same bytes for the same input; and
incremental builds equal to clean ones."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from itertools import takewhile
from pathlib import Path

import openpyxl
import pytest

from perfsite.builder import Builder
from perfsite import xlsx
from perfsite.xlsx import sheet_names

import html_tables
from conftest import CONTENT, MINIMAL, ROOT, SITE, TEMPLATES, clean_build, files

YITIHUA = ROOT / "examples" / "yitihua" / "content"


def built(tmp_path: Path, content: Path) -> Path:
    out = tmp_path / "out"
    assert Builder(content, tmp_path / "no-templates", out, search=False).build().ok
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """The shipped site (classic 表样) and the 一体化 example (a wide, scored 表样), built once."""
    return {name: built(tmp_path_factory.mktemp(name), content)
            for name, content in (("classic", CONTENT), ("yitihua", YITIHUA))}


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.glob("20*/*.html") if p.name not in ("index.html", "changes.html"))


def shown(cell) -> str:
    """A cell's text as Excel shows it: a number in its format's decimals."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        decimals = len(cell.number_format.partition(".")[2]) if cell.number_format != "General" else 0
        return f"{value:.{decimals}f}"
    return " ".join(str(value).split())


def origins(ws) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell that starts something on the sheet (0-based): its (rows, cols), 1×1 unless merged."""
    covered, out = set(), {}
    for merged in ws.merged_cells.ranges:
        out[merged.min_row - 1, merged.min_col - 1] = (merged.size["rows"], merged.size["columns"])
        covered |= {(r - 1, c - 1) for r, c in merged.cells} - {(merged.min_row - 1, merged.min_col - 1)}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
        for cell in row:
            at = (cell.row - 1, cell.column - 1)
            if at not in covered:
                out.setdefault(at, (1, 1))
    return out


def page_rows(html: str) -> tuple[list[list[html_tables.Cell]], int]:
    """The rows of the page's two form tables, header table first; and where the grid begins."""
    tables = html_tables.read(html).tables
    head = next(t for t in tables if "form-head" in t["attrs"].get("class", ""))
    grid = next(t for t in tables if "form-grid" in t["attrs"].get("class", ""))
    return head["rows"] + grid["rows"], len(head["rows"])


def text_of(html: str, cls: str) -> str:
    return re.search(rf'class="{cls}">([^<]*)<', html).group(1)


@pytest.mark.parametrize("name", ["classic", "yitihua"])
def test_every_cell_and_merge_of_the_page_is_in_its_sheet_at_its_place(sites, name: str):
    out = sites[name]
    assert pages(out)
    for page in pages(out):
        html = page.read_text(encoding="utf-8")
        ws = openpyxl.load_workbook(page.with_suffix(".xlsx")).active
        assert [shown(ws.cell(1, 1))] == [text_of(html, "form-title")]  # 项目支出绩效目标表
        assert [shown(c) for c in ws[2] if c.value] == [text_of(html, "form-year"), text_of(html, "form-unit")]
        rows, grid_at = page_rows(html)
        starts = origins(ws)
        width = ws.max_column
        assert width == len(html_tables.expand(rows[grid_at:])[0])  # the sheet is the grid's width
        taken: set[tuple[int, int]] = set()  # slots of the page's grid under a cell from a row above
        for i, row in enumerate(rows):
            sheet_row = 2 + i  # under the title and 金额单位 rows
            found = sorted((c, span) for (r, c), span in starts.items() if r == sheet_row)
            at = 0
            assert len(found) == len(row), (page.name, i, [shown(ws.cell(sheet_row + 1, c + 1)) for c, _ in found])
            for cell, (col, (rows_over, cols_over)) in zip(row, found):
                where = (page.name, sheet_row + 1, col + 1)
                assert shown(ws.cell(sheet_row + 1, col + 1)) == cell.text, where
                assert rows_over == cell.rowspan, where
                if i >= grid_at:  # the grid: the page's own columns, slot for slot
                    while (i, at) in taken:
                        at += 1
                    assert (col, cols_over) == (at, cell.colspan), where
                    taken |= {(i + dr, at + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
                    at += cell.colspan
                else:  # the header table's four columns lie over the grid's, each over one or more
                    assert cols_over >= cell.colspan, where
            if i < grid_at:  # every header row spans the whole width, as the page's table does
                assert found[-1][0] + found[-1][1][1] == width, (page.name, i)


def test_amounts_are_numbers_in_the_pages_decimals_and_text_is_never_a_formula(tmp_path: Path):
    content = tmp_path / "content"
    (content / "2022").mkdir(parents=True)
    (content / "site.yaml").write_text(SITE, encoding="utf-8")
    project = (MINIMAL.replace("资金总额: 10", "资金总额: 12.50").replace("财政拨款: 10", "财政拨款: 12.50")
               .replace("本级安排: 10", "本级安排: 12.50").replace("三级指标: 检查次数", "三级指标: '=1+1'")
               .replace("指标值: ≥1次", "指标值: '#N/A'"))
    (content / "2022" / "test-project.yaml").write_text(project, encoding="utf-8")
    out = built(tmp_path, content)
    html = (out / "2022/test-project.html").read_text(encoding="utf-8")
    assert 'data-field="total">12.50<' in html
    ws = openpyxl.load_workbook(out / "2022/test-project.xlsx").active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    labels = {ws.cell(c.row, 1).value: c for row in ws.iter_rows(min_col=3, max_col=3) for c in row}
    total = labels["资金总额"]
    assert (total.value, total.data_type, total.number_format, shown(total)) == (12.5, "n", "0.00", "12.50")
    assert (labels["其中：上级补助"].value, labels["其中：上级补助"].number_format) == (0, "0")
    assert cells["=1+1"].data_type == "s" and cells["#N/A"].data_type == "s"  # as written, never run
    assert cells["≥90%"].data_type == "s" and cells["2022年12月31日"].data_type == "s"


def test_a_bare_number_in_a_split_form_is_a_number_and_points_add_up(sites):
    ws = openpyxl.load_workbook(sites["yitihua"] / "2023/weiqiao-gaizao.xlsx").active
    head = next(r for r in ws.iter_rows() if r[1].value == "一级指标")
    columns = {c.value: c.column for c in head}
    rows = list(ws.iter_rows(min_row=head[0].row + 1))
    below = list(takewhile(lambda r: any(c.value is not None for c in r), rows))  # the year's grid: then 中期
    values = [r[columns["指标值"] - 1].value for r in below]
    assert 495 in values and "2023年11月30日" in values and "达到二类及以上" in values
    assert sum(r[columns["权重"] - 1].value or 0 for r in below) == 100  # 预算执行's 10 with the rows'


def test_a_multi_year_projects_sheet_has_its_midterm_block_after_its_grid(sites):
    ws = openpyxl.load_workbook(sites["yitihua"] / "2023/weiqiao-gaizao.xlsx").active
    grid = [row for row in ws.iter_rows(values_only=True)]
    [mid_head] = [i for i, r in enumerate(grid) if any(str(v).startswith("中期（2023年—2025年）") for v in r if v)]
    assert not any(grid[mid_head - 1])  # one blank row after the year's grid
    funds = {r[0]: [v for v in r[1:] if v is not None] for r in grid[mid_head + 1:mid_head + 4]}
    assert funds["资金总额"] == [1620, 540] and funds["其中：财政拨款"] == [1620, 540]
    [row] = [r for r in grid[mid_head:] if "改造危桥" in r]
    assert row[0] == "中期绩效指标" and 9 in row  # its first row, its own value: a number, as the year's grid has it


def test_a_departments_workbook_has_a_sheet_per_project_as_its_page_lists_them(sites):
    out = sites["yitihua"]
    html = (out / "departments/d523.html").read_text(encoding="utf-8")
    assert 'href="../2023/indicators/d523.xlsx" download' in html
    listed = re.findall(r'<th scope="row"><a href="\.\./2023/([^"]+)\.html">([^<]+)</a>', html)
    book = openpyxl.load_workbook(out / "2023/indicators/d523.xlsx")
    assert book.sheetnames == [name for _, name in listed] and len(listed) == 4
    for (stem, _), ws in zip(listed, book.worksheets):
        own = openpyxl.load_workbook(out / f"2023/{stem}.xlsx").active
        assert [[c.value for c in r] for r in ws.iter_rows()] == [[c.value for c in r] for r in own.iter_rows()]
        assert ws.merged_cells.ranges == own.merged_cells.ranges
    page = (out / "2023/weiqiao-gaizao.html").read_text(encoding="utf-8")
    assert re.search(r'href="weiqiao-gaizao\.json" download>JSON</a> · <a href="weiqiao-gaizao\.xlsx" download>Excel', page)


def test_sheet_names_are_what_excel_accepts_and_unique_in_a_workbook():
    long = "某某县农村人居环境整治提升五年行动专项资金项目支出绩效目标表及说明"
    names = sheet_names([long, long, "a[b]:c*d?e/f\\g", "'引号'", "History", "Abc", "aBC", ""])
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'") for n in names)
    assert names[0] == long[:31] and names[1] == long[:28] + "（2）"
    assert names[2] == "a_b__c_d_e_f_g" and names[3] == "引号"
    assert names[4] == "History（2）" and names[5:7] == ["Abc", "aBC（2）"] and names[7] == "Sheet"
    assert len({n.casefold() for n in names}) == len(names)


@pytest.mark.parametrize("name, orientation", [("classic", "portrait"), ("yitihua", "landscape")])
def test_each_sheet_prints_on_a4_one_page_wide_with_the_grids_header_on_every_page(sites, name, orientation):
    for page in pages(sites[name]):
        html = page.read_text(encoding="utf-8")
        assert ("form form-wide" in html) == (orientation == "landscape")
        ws = openpyxl.load_workbook(page.with_suffix(".xlsx")).active
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == orientation  # 9: A4
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        head = next(r[0].row for r in ws.iter_rows() if r[1].value == "一级指标")
        assert ws.print_title_rows == f"${head}:${head}"
        assert ws.cell(head, 2).border.bottom.style == "thin" and ws.cell(head, 2).alignment.wrap_text
        assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDEF")


def build_command(out: str, cwd: Path, **env: str) -> None:
    """The real ``perfsite build`` in ``cwd``, with these environment variables."""
    environ = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PERFSITE_DEBUG")}
    result = subprocess.run([sys.executable, "-m", "perfsite", "build", "--no-search", "--output", out], cwd=cwd,
                            env={**environ, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def entries(data: bytes) -> dict[str, tuple[tuple[int, ...], bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: (i.date_time, z.read(i)) for i in z.infolist()}


def test_the_same_input_gives_the_same_bytes_dated_by_source_date_epoch_else_the_budget_year(tmp_path: Path):
    shutil.copytree(CONTENT, tmp_path / "content")
    made = []
    for seed, epoch in (("1", None), ("2", None), ("3", "1700000000")):
        build_command(f"out-{seed}", tmp_path, PYTHONHASHSEED=seed, **({"SOURCE_DATE_EPOCH": epoch} if epoch else {}))
        made.append({p.relative_to(tmp_path / f"out-{seed}"): p.read_bytes()
                     for p in (tmp_path / f"out-{seed}").rglob("*.xlsx")})
    assert len(made[0]) == 6 and made[0] == made[1]  # five projects and their department's workbook
    first = entries(made[0][Path("2022/cunzhen-jianshe.xlsx")])
    assert {when for when, _ in first.values()} == {(2022, 1, 1, 0, 0, 0)}
    assert b"<dcterms:created" in first["docProps/core.xml"][1] and b"2022-01-01T00:00:00Z" in first["docProps/core.xml"][1]
    dated = entries(made[2][Path("2022/cunzhen-jianshe.xlsx")])
    assert {when for when, _ in dated.values()} == {(2023, 11, 14, 22, 13, 20)}
    assert b"2023-11-14T22:13:20Z" in dated["docProps/core.xml"][1]
    # SOURCE_DATE_EPOCH is an input: a build under another one remakes the files, as a clean build would
    build_command("out-1", tmp_path, SOURCE_DATE_EPOCH="1700000000")
    assert (tmp_path / "out-1/2022/cunzhen-jianshe.xlsx").read_bytes() == made[2][Path("2022/cunzhen-jianshe.xlsx")]


def test_an_edit_of_one_project_remakes_its_files_and_its_departments_workbook_only(tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(CONTENT, site / "content")
    shutil.copytree(TEMPLATES, site / "templates")
    out = site / "out"
    assert Builder(site / "content", site / "templates", out, search=False).build().ok
    before = files(out)
    path = site / "content/2022/cunzhen-jianshe.yaml"
    text = path.read_text(encoding="utf-8")
    assert "指标值: 良好" in text
    path.write_text(text.replace("指标值: 良好", "指标值: 优秀", 1), encoding="utf-8")
    result = Builder(site / "content", site / "templates", out, search=False).build()
    assert result.ok
    assert {p for p in result.written if p.endswith(".xlsx")} == {
        "2022/cunzhen-jianshe.xlsx", "2022/indicators/d-1d390558.xlsx"}
    after = files(out)
    assert after == clean_build(site, tmp_path)
    changed = {p for p in after if p.endswith(".xlsx") and after[p] != before[p]}
    assert changed == {"2022/cunzhen-jianshe.xlsx", "2022/indicators/d-1d390558.xlsx"}
    ws = openpyxl.load_workbook(out / "2022/cunzhen-jianshe.xlsx").active
    assert "优秀" in {c.value for row in ws.iter_rows() for c in row}


def test_the_style_part_made_once_is_the_one_each_workbook_makes_for_itself(sites):
    """Every workbook registers the same palette, so the style part made for the first file of a
    process serves every other: made afresh for a classic and a wide project, it is the same."""
    parts = []
    for out, stem in ((sites["classic"], "2022/cunzhen-jianshe"), (sites["yitihua"], "2023/weiqiao-gaizao")):
        xlsx._writer.cache_clear()  # the next file makes its own style part
        ws = openpyxl.load_workbook(out / f"{stem}.xlsx").active
        sheet = xlsx.Sheet(ws.title, [xlsx.Placed(0, 0, "1", "amount", number=Decimal(1))], [6], 0, False)
        made = xlsx.workbook([sheet], "t", "p", dt.datetime(2022, 1, 1))
        parts.append(entries(made)["xl/styles.xml"][1])
        parts.append(entries((out / f"{stem}.xlsx").read_bytes())["xl/styles.xml"][1])
    xlsx._writer.cache_clear()
    assert len(set(parts)) == 1


def perfsite(*args: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "perfsite", *args], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_perfsite_import_reads_a_departments_workbook_back_into_the_same_tables(sites, tmp_path: Path):
    """The sheets are forms as printed: perfsite's own importer of Excel forms reads each one back
    with the same header, funds and rows; goals read back as the page shows them (the seed's
    leaked <p> tags are not text on the page)."""
    (tmp_path / "back/2022").mkdir(parents=True)
    perfsite("import", str(sites["classic"] / "2022/indicators/d-1d390558.xlsx"), "--out", "back/2022", cwd=tmp_path)
    report = json.loads(perfsite("diff", str(CONTENT / "2022"), "back/2022", "--format", "json", cwd=tmp_path))
    assert len(report["projects"]) == 5 and all(p["status"] == "changed" for p in report["projects"])
    for project in report["projects"]:  # changed only in the id the importer makes up from the name
        assert project["old_id"] != project["id"] and not project["renamed"]
        assert project["header"] == project["funds"] == project["rows"] == [], project["name"]
        for goal in project["goals"]:
            assert {(kind, text) for kind, text in goal["segments"] if kind != "equal"} <= {
                ("delete", "<p>"), ("delete", "</p>")}, project["name"]


def test_openpyxl_is_imported_only_to_make_a_file():
    """Importing openpyxl takes a third of a second: a command that makes no .xlsx (check, a
    build with nothing to do, diff) must not pay it."""
    code = "import sys, perfsite.builder, perfsite.cli, perfsite.xlsx; print(any(m.startswith('openpyxl') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "False", result.stderr


def test_a_text_longer_than_a_cell_holds_is_cut_with_an_ellipsis():
    sheet = xlsx.Sheet("x", [xlsx.Placed(0, 0, "长" * 40000, "td")], [6], 0, False)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.workbook([sheet], "t", "p", dt.datetime(2022, 1, 1)))).active
    assert len(ws["A1"].value) == xlsx.CELL_LIMIT and ws["A1"].value.endswith("长…")
