"""`perfsite import` of Word (.docx), old Excel (.xls) and web pages (.html) (issue 20).

Fixtures are made here from the shipped content, as real files on disk: the five seed projects'
pages as perfsite builds them (the form as two tables, head and indicator grid), and the same five
written as a Word document (python-docx) and an Excel 97-2003 workbook (xlwt) with 一级/二级 and
the 绩效指标 label merged as on paper. Each imports equal to the shipped content, field by field.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
import xlwt

from perfsite.source import load_file

from conftest import CONTENT, run_cli, snapshot

IDS = ["chengjian-zhifa", "cunzhen-jianshe", "jianzhuye-guanli", "wuye-houqin", "zhufang-sangai"]
FUNDS = [("资金总额", "资金总额"), ("财政拨款", "财政拨款"), ("上级补助", "其中：上级补助"), ("本级安排", "本级安排"),
         ("其他资金", "其他资金")]


def shipped_data() -> list[dict]:
    out = []
    for pid in IDS:
        source, diags = load_file(CONTENT / "2022" / f"{pid}.yaml", f"{pid}.yaml")
        assert source is not None, diags
        out.append(source.data)
    return out


def imported(site: Path, *files: str | Path, code: int = 0) -> tuple[dict[str, dict], str]:
    result = run_cli("import", *map(str, files), "--out", "imported", cwd=site)
    assert result.returncode == code, result.stdout + result.stderr
    data = {}
    for path in sorted((site / "imported").glob("*.yaml")):
        source, diags = load_file(path, path.name)
        assert source is not None, diags
        data[source.data["项目名称"]] = source.data
    return data, result.stdout + result.stderr


def assert_equal_to_shipped(data: dict[str, dict], goal=lambda g: g) -> None:
    """Every field of every seed project as the shipped content has it (ids aside)."""
    expected = shipped_data()
    assert sorted(data) == sorted(e["项目名称"] for e in expected)
    for want in expected:
        got = data[want["项目名称"]]
        for key in ("年度", "项目名称", "主管部门及代码", "实施单位"):
            assert str(got[key]) == str(want[key]), (want["项目名称"], key)
        for key, value in want["资金"].items():
            assert got["资金"].get(key) == value, (want["项目名称"], key)
        assert got["年度目标"] == [goal(g) for g in want["年度目标"]]
        assert got["绩效指标"] == want["绩效指标"]  # 一级, 二级, and each row's 三级/指标值/说明, in order
        assert "表样" not in got


def unwrapped(goal: str) -> str:
    """A goal as a page shows it: the <p> the budget system left in it is rendered, not text."""
    return re.sub(r"</?p>", "", goal)


@pytest.fixture
def built(shipped: Path) -> Path:
    result = run_cli("build", cwd=shipped)
    assert result.returncode == 0, result.stdout + result.stderr
    return shipped


# ---- the form laid out as on paper: rows of six columns and the merged ranges ----

def layout(data: dict, *, title: bool = True) -> tuple[list[list], list[tuple[int, int, int, int]], int]:
    """(rows, merges (r1, c1, r2, c2) inclusive, index of the grid's header row)."""
    rows: list[list] = []
    merges: list[tuple[int, int, int, int]] = []

    def add(cells, *spans):
        r = len(rows)
        rows.append(list(cells) + [None] * (6 - len(cells)))
        merges.extend((r, c1, r + down, c2) for c1, c2, down in spans)

    if title:
        add(["项目支出绩效目标表"], (0, 5, 0))
        add([f"（{data['年度']}年度）", None, None, None, "金额单位：万元"], (0, 3, 0), (4, 5, 0))
    add(["项目名称", None, data["项目名称"]], (0, 1, 0), (2, 5, 0))
    add(["主管部门及代码", None, data["主管部门及代码"], None, "实施单位", data["实施单位"]], (0, 1, 0), (2, 3, 0))
    add(["资金来源", None, data["资金"]["资金来源"]], (0, 1, 0), (2, 5, 0))
    for key, label in FUNDS:
        add([label, None, data["资金"][key]], (0, 1, 0), (2, 5, 0))
    add(["总体目标", None, "年度目标"], (0, 1, 1), (2, 5, 0))
    add([None, None, "\n".join(data["年度目标"])], (2, 5, 0))
    head = len(rows)
    grid = [(l1, l2, row) for l1, groups in data["绩效指标"].items() for l2, group in groups.items() for row in group]
    add(["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "说明"], (0, 0, len(grid)))
    for i, (l1, l2, row) in enumerate(grid):
        first1 = i == 0 or grid[i - 1][0] != l1
        first2 = first1 or grid[i - 1][1] != l2
        spans = []
        if first1:
            spans.append((1, 1, sum(1 for g in grid[i:] if g[0] == l1) - 1))
        if first2:
            n = next((k for k, g in enumerate(grid[i:]) if (g[0], g[1]) != (l1, l2)), len(grid) - i)
            spans.append((2, 2, n - 1))
        add([None, l1 if first1 else None, l2 if first2 else None, row["三级指标"], row["指标值"], row.get("说明")],
            *[s for s in spans if s[2] > 0])
    return rows, merges, head


def covered(merges) -> set[tuple[int, int]]:
    return {(r, c) for r1, c1, r2, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1)}


def write_docx(path: Path, projects: list[dict]) -> Path:
    """Every project as a Word form: the title as paragraphs; the form as one table, or (every
    other project) as a head table and a grid table, as Word templates often have it."""
    document = docx.Document()
    for n, data in enumerate(projects):
        document.add_paragraph("项目支出绩效目标表")
        document.add_paragraph(f"（{data['年度']}年度）        金额单位：万元")
        rows, merges, head = layout(data, title=False)
        parts = [(0, head), (head, len(rows))] if n % 2 == 0 else [(0, len(rows))]
        for start, end in parts:
            table = document.add_table(rows=end - start, cols=6)
            table.style = "Table Grid"
            inside = [(r1 - start, c1, r2 - start, c2) for r1, c1, r2, c2 in merges if start <= r1 < end]
            for r1, c1, r2, c2 in inside:
                table.cell(r1, c1).merge(table.cell(r2, c2))
            skip = covered(inside)
            for r in range(end - start):
                for c, value in enumerate(rows[start + r]):
                    if value is not None and (r, c) not in skip:
                        cell = table.cell(r, c)
                        lines = str(value).split("\n")
                        cell.text = lines[0]
                        for line in lines[1:]:
                            cell.add_paragraph(line)
        document.add_page_break()
    document.save(path)
    return path


def write_xls(path: Path, projects: list[dict]) -> Path:
    """Every project as a sheet of an Excel 97-2003 workbook, amounts stored as numbers."""
    book = xlwt.Workbook(encoding="utf-8")
    for n, data in enumerate(projects, start=1):
        sheet = book.add_sheet(f"项目{n}")
        rows, merges, _ = layout(data)
        skip = covered(merges)
        tops = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in merges}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in skip:
                    continue
                if value is not None and re.fullmatch(r"\d+(\.\d+)?", value) and 2 <= c and row[0] in \
                        [label for _, label in FUNDS]:
                    value = float(value)
                if (r, c) in tops:
                    r2, c2 = tops[(r, c)]
                    sheet.write_merge(r, r2, c, c2, value)
                elif value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


# ---- the seed's five projects from each format ----

def test_perfsites_own_pages_import_equal_to_the_shipped_content(built: Path):
    pages = [built / "output" / "2022" / f"{pid}.html" for pid in IDS]
    data, report = imported(built, *pages)
    assert_equal_to_shipped(data, unwrapped)
    assert "共 5 个项目" in report
    assert "2 处推测" not in report.split("建筑业业务管理工作经费")[0]  # no guess but the two cut names


def test_a_gbk_page_without_utf8_imports_the_same(built: Path):
    for pid in IDS:
        text = (built / "output" / "2022" / f"{pid}.html").read_text(encoding="utf-8")
        text = text.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
        (built / f"{pid}.htm").write_bytes(text.encode("gbk"))
    data, _ = imported(built, *(built / f"{pid}.htm" for pid in IDS))
    assert_equal_to_shipped(data, unwrapped)


def test_a_gbk_page_that_declares_no_charset_is_read_by_the_fallback(built: Path):
    text = (built / "output" / "2022" / "cunzhen-jianshe.html").read_text(encoding="utf-8")
    (built / "page.html").write_bytes(text.replace('<meta charset="utf-8">', "").encode("gb18030"))
    data, _ = imported(built, built / "page.html")
    assert data["村镇建设管理工作经费"]["实施单位"] == "黔南州住房和城乡建设局"


def test_the_five_as_a_word_document_import_equal(shipped: Path):
    path = write_docx(shipped / "绩效目标表.docx", shipped_data())
    data, report = imported(shipped, path)
    assert_equal_to_shipped(data)
    assert "沿用上一行" not in report  # every inherited label was a merged cell: certain, no guess
    assert "没有写明金额单位" not in report


def test_the_five_as_an_old_excel_workbook_import_equal(shipped: Path):
    path = write_xls(shipped / "绩效目标表.xls", shipped_data())
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # a real BIFF8 compound file
    data, report = imported(shipped, path)
    assert_equal_to_shipped(data)
    assert "沿用上一行" not in report and "项目1" in report


def test_an_xls_named_otherwise_is_found_by_its_magic(shipped: Path):
    path = write_xls(shipped / "table.dat", shipped_data()[:1])
    data, _ = imported(shipped, path)
    assert list(data) == ["城市建设管理及综合行政执法管理工作经费"]


def test_a_docx_named_otherwise_is_found_by_its_magic(shipped: Path):
    path = write_docx(shipped / "download", shipped_data()[1:2])
    data, _ = imported(shipped, path)
    assert list(data) == ["村镇建设管理工作经费"]


# ---- a bureau's own page: one table inside a layout table, spans, <br>, &nbsp; ----

BUREAU_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>2023年项目支出绩效目标表</title><style>td {{ font: 12px }}</style></head><body>
<table width="100%"><tr><td>首页 &gt; 信息公开</td></tr><tr><td>
<p align=center><b>项目支出绩效目标表</b></p><p>（2023年度） 单位：万元</p>
<table border=1>
<tr><td colspan=2>项目名称</td><td colspan=4>乡镇&nbsp;道路养护经费</td></tr>
<tr><td colspan=2>主管部门及代码</td><td colspan=2>301-某县交通运输局</td><td>实施单位</td><td>某县公路管理段</td></tr>
<tr><td colspan=2>资金来源</td><td colspan=4>财政资金</td></tr>
<tr><td colspan=2>资金总额</td><td colspan=4>12.5</td></tr>
<tr><td colspan=2>财政拨款</td><td colspan=4>12.5</td></tr>
<tr><td colspan=2>其中：上级补助</td><td colspan=4>2</td></tr>
<tr><td colspan=2>本级安排</td><td colspan=4>10.5</td></tr>
<tr><td colspan=2>其他资金</td><td colspan=4>0</td></tr>
<tr><td colspan=2 rowspan=2>总体目标</td><td colspan=4>年度目标</td></tr>
<tr><td colspan=4>&nbsp;&nbsp;目标1：完成乡镇道路日常养护。<br>目标2：路况
    优良。</td></tr>
<tr><td rowspan=5>绩<br>效<br>指<br>标</td><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td><td>说明</td>
<tr><td rowspan=3>产出指标</td><td rowspan=2>数量指标</td><td>养护里程</td><td>≥120公里</td><td>&nbsp;</td>
<tr><td>巡查<span>次数</span></td><td>≥<b>52</b>次</td><td></td>
<tr><td>成本指标</td><td>养护经费</td><td>≤12.5万元</td><td>含<br>材料费</td>
<tr><td>满意度指标</td><td>服务对象满意度指标</td><td>群众满意度</td><td>≥90%</td><td></td>
</table>
</td></tr><tr><td><table><tr><td>版权所有</td></tr></table></td></tr></table>
</body></html>"""


def test_a_bureau_page_with_spans_breaks_and_a_layout_table(site_dir: Path):
    (site_dir / "旧网页.htm").write_bytes(BUREAU_PAGE.encode("gbk"))
    data, report = imported(site_dir, "旧网页.htm")
    (project,) = data.values()
    assert project["项目名称"] == "乡镇 道路养护经费" and project["年度"] == "2023"
    assert (project["主管部门及代码"], project["实施单位"]) == ("301-某县交通运输局", "某县公路管理段")
    assert project["资金"] == {"单位": "万元", "资金来源": "财政资金", "资金总额": "12.5", "财政拨款": "12.5",
                             "上级补助": "2", "本级安排": "10.5", "其他资金": "0"}
    assert project["年度目标"] == ["目标1：完成乡镇道路日常养护。", "目标2：路况 优良。"]
    assert project["绩效指标"] == {
        "产出指标": {"数量指标": [{"三级指标": "养护里程", "指标值": "≥120公里"}, {"三级指标": "巡查次数", "指标值": "≥52次"}],
                     "成本指标": [{"三级指标": "养护经费", "指标值": "≤12.5万元", "说明": "含\n材料费"}]},
        "满意度指标": {"服务对象满意度指标": [{"三级指标": "群众满意度", "指标值": "≥90%"}]}}
    assert "沿用上一行" not in report and "没有写明金额单位" not in report


def test_hostile_spans_are_bounded(site_dir: Path):
    page = "<table>" + "<tr><td rowspan=999999999 colspan=999999999>项目名称</td></tr>" * 3 + "</table>"
    (site_dir / "span.html").write_text(page, encoding="utf-8")
    result = run_cli("import", "span.html", cwd=site_dir)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "span.html: 没有一张表格像项目表" in result.stderr


# ---- damaged and unreadable files: a clear refusal naming the file, nothing written ----

def _docx_bytes(shipped: Path) -> bytes:
    return write_docx(shipped / "ok.docx", shipped_data()[:1]).read_bytes()


def _garbled_docx(shipped: Path) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_bytes(shipped))) as old, zipfile.ZipFile(raw, "w") as new:
        for info in old.infolist():
            new.writestr(info, b"<w:document><w:body><w:tbl>" if info.filename == "word/document.xml"
                         else old.read(info))
    return raw.getvalue()


@pytest.mark.parametrize("name, make, message", [
    ("cut.docx", lambda s: _docx_bytes(s)[:3000], "不是有效的 .docx 文件"),
    ("garbled.docx", _garbled_docx, "内容已损坏"),
    ("cut.xls", lambda s: write_xls(s / "ok.xls", shipped_data()[:1]).read_bytes()[:5000], "内容已损坏"),
    ("noise.xls", lambda s: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8, "内容已损坏"),
    ("locked.xls", lambda s: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le"),
     "设置了打开密码"),
    ("locked.docx", lambda s: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le"),
     "设置了打开密码"),
    ("old.doc", lambda s: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "WordDocument".encode("utf-16-le"),
     "Word 97-2003 (.doc)"),
    ("book.docx", lambda s: _xlsx_bytes(), "不是 Word 文档"),
])
def test_a_damaged_office_file_is_refused_by_name(shipped: Path, name: str, make, message: str):
    (shipped / name).write_bytes(make(shipped))
    before = snapshot(shipped / "content")
    result = run_cli("import", name, cwd=shipped)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert f"{name}: " in result.stderr and message in result.stderr, result.stderr
    assert "没有写入任何文件" in result.stderr and snapshot(shipped / "content") == before


def _xlsx_bytes() -> bytes:
    import openpyxl

    raw = io.BytesIO()
    openpyxl.Workbook().save(raw)
    return raw.getvalue()


def test_a_document_without_a_project_table_says_so(shipped: Path):
    document = docx.Document()
    document.add_paragraph("通知")
    document.add_table(rows=2, cols=2).cell(0, 0).text = "姓名"
    document.save(shipped / "notice.docx")
    result = run_cli("import", "notice.docx", cwd=shipped)
    assert result.returncode == 1 and "notice.docx: 没有一张表格像项目表" in result.stderr


@pytest.mark.parametrize("kind", ["html", "docx", "xls"])
def test_each_reader_is_bounded_by_the_cell_limit(built: Path, monkeypatch, kind: str):
    """The limit every reader shares (cells.MAX_CELLS), lowered so that one real form passes it."""
    from perfsite.importers import ImportError_, cells
    from perfsite.importers.run import read_file

    one = shipped_data()[:1]
    path = {"html": lambda: built / "output" / "2022" / f"{IDS[0]}.html",
            "docx": lambda: write_docx(built / "f.docx", one), "xls": lambda: write_xls(built / "f.xls", one)}[kind]()
    monkeypatch.setattr(cells, "MAX_CELLS", 50)
    with pytest.raises(ImportError_, match=rf"{path.name}: (表格\d+|工作表「项目1」)太大：读到第 \d+ 行时已有 \d+ 个单元格，超过导入上限 50"):
        read_file(path, "auto", None)


def test_an_excel_file_a_web_system_saved_as_html_is_read_as_a_page(site_dir: Path):
    """Many systems' 导出Excel is an HTML table named .xls."""
    (site_dir / "导出.xls").write_bytes(BUREAU_PAGE.encode("gbk"))
    data, _ = imported(site_dir, "导出.xls")
    assert list(data) == ["乡镇 道路养护经费"]


def test_a_page_with_no_table_is_refused(site_dir: Path):
    (site_dir / "news.html").write_text("<html><body><p>项目名称</p></body></html>", encoding="utf-8")
    result = run_cli("import", "news.html", cwd=site_dir)
    assert result.returncode == 1 and "news.html: 没有一张表格像项目表" in result.stderr
