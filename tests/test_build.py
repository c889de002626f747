"""End to end: the shipped content builds into pages whose tables say what the seed says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from html_tables import expand, read
from seed_expected import PROJECTS

from conftest import SEED, SHARED_SEED, run_cli, snapshot

FUND_LABELS = {"资金总额": "资金总额", "财政拨款": "财政拨款", "上级补助": "其中：上级补助",
               "本级安排": "本级安排", "其他资金": "其他资金"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    import shutil

    from conftest import CONTENT, TEMPLATES
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the shipped content has no error and no warning
    return root / "output"


def project_pages(output: Path) -> dict[str, Path]:
    pages = {}
    for path in sorted((output / "2022").glob("*.html")):
        if path.name == "index.html":
            continue
        reader = read(path.read_text(encoding="utf-8"))
        name_cell = next(cell for table in reader.tables for row in table["rows"] for cell in row
                         if cell.tag == "td" and "project-name" in cell.attrs.get("class", ""))
        pages[name_cell.text] = path
    return pages


def form_tables(path: Path):
    """(the form's head table: header, funds, goals; the indicator grid), rowspans expanded."""
    reader = read(path.read_text(encoding="utf-8"))
    (head,) = [t for t in reader.tables if "form-head" in t["attrs"].get("class", "")]
    (grid,) = [t for t in reader.tables if "form-grid" in t["attrs"].get("class", "")]
    return expand(head["rows"]), expand(grid["rows"])


def test_site_has_five_project_pages_a_year_page_and_an_index(built: Path):
    assert (built / "index.html").is_file()
    assert (built / "2022" / "index.html").is_file()
    assert set(project_pages(built)) == {p["name"] for p in PROJECTS}


@pytest.mark.parametrize("expected", PROJECTS, ids=[p["name"] for p in PROJECTS])
def test_every_seed_row_is_in_the_right_cell(built: Path, expected: dict):
    _, grid = form_tables(project_pages(built)[expected["name"]])
    assert [c.text for c in grid[0][1:]] == ["一级指标", "二级指标", "三级指标", "指标值", "说明"]
    body = grid[1:]
    got = [tuple(c.text for c in r[1:]) for r in body]
    want = [tuple(row) for row in expected["rows"]]
    assert got == want
    # 绩效指标 is one cell spanning every indicator row.
    label = body[0][0]
    assert label.text == "绩效指标" and all(r[0] is label for r in body) and label.rowspan == len(body)
    # Each 一级 and 二级 cell is a single merged cell spanning exactly its rows.
    for col in (1, 2):
        runs: dict[int, int] = {}
        for r in body:
            runs[id(r[col])] = runs.get(id(r[col]), 0) + 1
        cells = {id(r[col]): r[col] for r in body}
        assert all(cells[k].rowspan == n for k, n in runs.items())
    assert len({id(r[1]) for r in body}) == len({row[0] for row in expected["rows"]})


@pytest.mark.parametrize("expected", PROJECTS, ids=[p["name"] for p in PROJECTS])
def test_header_funds_and_goals_are_in_their_cells(built: Path, expected: dict):
    grid, _ = form_tables(project_pages(built)[expected["name"]])
    by_label = {r[0].text: r for r in grid if r[0] is not None and r[0].tag == "th"}
    assert by_label["项目名称"][1].text == expected["name"]
    dept_row = by_label["主管部门及代码"]
    assert dept_row[1].text == expected["department"]
    assert dept_row[2].text == "实施单位" and dept_row[3].text == expected["implementer"]
    assert by_label["资金来源"][1].text == expected["fund_source"]
    for key, label in FUND_LABELS.items():
        assert by_label[label][1].text == (expected["funds"][key] or ""), key
    goals_cell = next(c for r in grid for c in r if c is not None and "goals" in c.attrs.get("class", ""))
    assert goals_cell.paragraphs == expected["goals"]


def test_index_and_year_page_total_per_department_and_year(built: Path):
    from decimal import Decimal

    total = sum(Decimal(p["funds"]["资金总额"]) for p in PROJECTS)  # the oracle's, as exact decimals
    for page in (built / "index.html", built / "2022" / "index.html"):
        html = page.read_text(encoding="utf-8")
        assert re.search(rf'class="num dept-total">{re.escape(format(total.normalize(), "f"))}<', html), page
        for p in PROJECTS:
            assert p["name"] in html
    index = read((built / "index.html").read_text(encoding="utf-8"))
    links = [a.get("href") for tag, a in index.tags if tag == "a"]
    assert "2022/wuye-houqin.html" in links and "2022/index.html" in links


def test_every_cell_of_the_seed_text_is_published(built: Path):
    """Independent of both the content and the test list: every text cell of the source document
    appears on some built page (goals without their <p> tags)."""
    labels = {"项目支出绩效目标表", "绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "说明", "项目名称",
              "主管部门及代码", "实施单位", "资金来源", "资金总额(万元):", "财政拨款", "其中: 上级补助", "其中: 上级补",
              "本级安排", "本级安", "其他资金", "总体目标", "年度目标", "产出", "效益", "满意度", "数量", "质量",
              "时效", "成本", "经济效益", "社会效益", "生态效益", "可持续影响", "服务对象满意度"}
    text = "\n".join("".join(read(p.read_text(encoding="utf-8")).text) for p in (built / "2022").glob("*.html"))
    missing = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        for cell in line.split("\t"):
            for part in re.split(r"</?p>", cell):
                part = part.strip()
                if part and part not in labels and part not in text:
                    missing.append(part)
    assert missing == []


def test_pages_are_self_contained_and_declare_chinese(built: Path):
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
        assert '<meta charset="utf-8">' in html and "</head>" in html
        loaded = re.findall(r'<(?:script|img|iframe|source)[^>]* src="([^"]*)"', html) + \
            re.findall(r'<link rel="(?:stylesheet|icon|preload)"[^>]* href="([^"]*)"', html)
        assert loaded and not [u for u in loaded if re.match(r"(https?:)?//", u)], page  # no CDN, font or script
        assert re.findall(r"<script>", html) == []  # no inline script (CSP-friendly)
        assert re.search(r'<link rel="canonical" href="https://example.gov.cn/xxgk/jxmb/', html)


def test_build_is_deterministic(shipped: Path):
    assert run_cli("build", "--output", "a", cwd=shipped).returncode == 0
    assert run_cli("build", "--output", "b", cwd=shipped).returncode == 0
    a, b = snapshot(shipped / "a"), snapshot(shipped / "b")
    assert {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}


def test_build_py_is_perfsite_build(shipped: Path):
    import subprocess
    import sys

    from conftest import ROOT
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--output", "out"], cwd=shipped,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(list((shipped / "out" / "2022").glob("*.html"))) == 6


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="no ../shared beside this checkout")
def test_vendored_seed_is_the_shared_one():
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_amounts_are_published_as_written(tmp_path: Path):
    """README: 资金总额 "exact decimals, printed as written". 12.50 stays 12.50 in its cell of the
    form, in the year's list, in the CSV and the JSON, and through fmt; the arithmetic still
    reads it as the number it is (12.50 = 12.5 + 0), and totals stay at their shortest."""
    import csv
    import json
    import shutil

    from conftest import CONTENT, TEMPLATES
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    path = tmp_path / "content/2022/wuye-houqin.yaml"
    text = path.read_text(encoding="utf-8")
    text = (text.replace("资金总额: 10.38", "资金总额: 12.50").replace("财政拨款: 10.38", "财政拨款: 12.5")
            .replace("本级安排: 10.38", "本级安排: 12.500").replace("≤10.38万", "≤12.50万"))
    path.write_text(text, encoding="utf-8")
    assert run_cli("fmt", "--check", cwd=tmp_path).returncode == 0  # fmt keeps the digits too
    result = run_cli("build", "--no-search", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr  # no E012, no W001
    output = tmp_path / "output"

    head, _ = form_tables(output / "2022/wuye-houqin.html")
    by_label = {r[0].text: r[1].text for r in head if r[0] is not None and r[0].tag == "th"}
    assert (by_label["资金总额"], by_label["财政拨款"], by_label["本级安排"]) == ("12.50", "12.5", "12.500")
    year = (output / "2022/index.html").read_text(encoding="utf-8")
    assert ">12.50</td>" in year and 'class="num dept-total">123.52<' in year  # the sum at its shortest
    rows = list(csv.DictReader((output / "2022/wuye-houqin.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert (rows[0]["资金总额（万元）"], rows[0]["财政拨款（万元）"], rows[0]["本级安排（万元）"]) == ("12.50", "12.5", "12.500")
    assert [r["数值"] for r in rows if r["指标值"] == "≤12.50万"] == ["12.50"]
    data = json.loads((output / "2022/wuye-houqin.json").read_text(encoding="utf-8"))
    assert data["资金"]["资金总额"] == "12.50"  # a string, as in the file: a JSON number would drop the 0

    path.write_text(text.replace("资金总额: 12.50", "资金总额: 12.60"), encoding="utf-8")
    check = run_cli("check", cwd=tmp_path)
    assert "error E012 资金总额 12.60 ≠ 财政拨款 12.5 + 其他资金 0" in check.stderr
