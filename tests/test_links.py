"""perfsite.links: internal links and anchors of a built site, checked against real files."""

from __future__ import annotations

import re

import random
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from perfsite.diagnostics import Level
from perfsite.links import _PageParser, _without_inert_tags, check_links

from conftest import line_of, run_cli

PAGE = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
{body}
</body>
</html>
"""


def write(root: Path, rel: str, body: str = "", title: str = "页面") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, body=body), encoding="utf-8")
    return path


def where(root: Path, rel: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first occurrence of ``needle`` in a page."""
    text = (root / rel).read_text(encoding="utf-8")
    line = line_of(text, needle)
    return line, text.splitlines()[line - 1].index(needle) + 1


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site: an index, a year with a department index and a project, a static folder."""
    root = tmp_path / "output"
    write(root, "index.html", '<main id="main"><section id="y2022"></section></main>')
    write(root, "2022/index.html",
          '<section id="黔南州住房和城乡建设局"><h2>黔南州住房和城乡建设局</h2></section>\n'
          '<section id="other dept"></section>\n<a name="旧锚点"></a>')
    write(root, "2022/wuye-houqin.html", '<section id="yoy"><h2 id="yoy-title">与上年对比</h2></section>')
    write(root, "2022/物业后勤.html", '<h1 id="表头">物业后勤</h1>')
    (root / "static").mkdir()
    (root / "static" / "site.css").write_text("body{}", encoding="utf-8")
    (root / "static" / "site.js").write_text("", encoding="utf-8")
    (root / "static" / "logo.png").write_bytes(b"\x89PNG")
    return root


def test_good_links_of_every_kind_find_nothing(site: Path):
    dept = "黔南州住房和城乡建设局"
    write(site, "2022/page.html", f"""\
<link rel="stylesheet" href="../static/site.css">
<link rel="canonical" href="https://example.gov.cn/xxgk/jxmb/2022/page.html">
<script src="../static/site.js"></script>
<img src="../static/logo.png" srcset="../static/logo.png 1x, ../static/logo.png 2x" alt="">
<picture><source srcset="../static/logo.png"><img src="./../static/logo.png" alt=""></picture>
<a href="../index.html">首页</a> <a href="../index.html#y2022">2022</a> <a href="../">首页目录</a>
<a href="./">本年</a> <a href=".">本年</a> <a href="../2022">目录，无斜杠</a> <a href="../2022/">目录</a>
<a href="index.html#{dept}">原文锚点</a>
<a href="index.html#{quote(dept)}">编码锚点</a>
<a href="index.html#other%20dept">带空格的 id</a>
<a href="index.html#旧锚点">a name</a>
<a href="物业后勤.html#表头">中文文件名</a>
<a href="{quote("物业后勤.html")}#{quote("表头")}">编码的中文文件名</a>
<a href="../2022/{quote("物业后勤")}.html">上一级再回来</a>
<a href="wuye-houqin.html#yoy">对比</a> <a href="wuye-houqin.html?from=list#yoy-title">带查询</a>
<a href="index.html?a=1&amp;b=2">带查询</a> <a href="?page=2">只有查询</a> <a href="">空</a>
<a href="#">顶部</a> <a href="#top">顶部</a> <a href="#TOP">顶部</a> <a href="#本页">本页</a>
<h2 id="本页">本页</h2>
<a href="  index.html  ">空白</a> <a>无 href</a>
""")
    assert check_links(site) == []


def test_external_and_special_urls_are_not_checked(site: Path):
    write(site, "page.html", """\
<a href="https://example.gov.cn/missing.html">https</a> <a href="http://example.gov.cn/#nope">http</a>
<a href="//cdn.example.com/x.js">scheme-relative</a> <a href="mailto:jxmb@example.gov.cn">信箱</a>
<a href="tel:0854-1234567">电话</a> <a href="javascript:void(0)">js</a> <a href="MAILTO:x@y.cn">大写</a>
<img src="data:image/png;base64,iVBORw0KGgo=" alt=""> <a href="ftp://example.gov.cn/a">ftp</a>
<link rel="canonical" href="https://example.gov.cn/xxgk/jxmb/page.html">
""")
    assert check_links(site) == []


def test_missing_file_is_E070_at_the_tag(site: Path):
    write(site, "2022/page.html", '<p>前文</p>\n  <p>见 <a href="../2021/index.html">2021年度</a></p>')
    line, col = where(site, "2022/page.html", '<a href="../2021')
    (d,) = check_links(site)
    assert (d.path, d.line, d.col, d.level, d.code) == ("2022/page.html", line, col, Level.ERROR, "E070")
    assert d.message == "链接「../2021/index.html」指向的页面 2021/index.html 不存在"
    assert d.hint
    assert d.format().startswith(f"2022/page.html:{line}:{col}: error E070 ")


def test_missing_resources_and_directory_without_index(site: Path):
    (site / "empty").mkdir()
    write(site, "page.html", """\
<link rel="stylesheet" href="static/missing.css">
<script src="static/missing.js"></script>
<img src="static/logo.png" srcset="static/logo.png 1x, static/logo@2x.png 2x" alt="">
<a href="empty/">空目录</a>
<a href="static/site.css/">文件后加斜杠</a>
""")
    found = [(d.line, d.code, d.message) for d in check_links(site)]
    assert found == [
        (5, "E070", "链接「static/missing.css」指向的文件 static/missing.css 不存在"),
        (6, "E070", "引用「static/missing.js」指向的文件 static/missing.js 不存在"),
        (7, "E070", "引用「static/logo@2x.png」指向的文件 static/logo@2x.png 不存在"),
        (8, "E070", "链接「empty/」指向的页面 empty/index.html 不存在"),
        (9, "E070", "链接「static/site.css/」指向的页面 static/site.css/index.html 不存在"),
    ]


def test_missing_anchor_is_E071(site: Path):
    write(site, "2022/page.html", '<a href="index.html#某部门">某部门</a>\n'
                                  f'<a href="index.html#{quote("黔南州住房和城乡建设")}">少一个字</a>')
    first, second = check_links(site)
    assert (first.code, first.line, first.col) == ("E071", 5, 1)
    assert first.message == "链接「index.html#某部门」的锚点「某部门」在 2022/index.html 中不存在"
    assert second.code == "E071" and second.line == 6
    assert "「黔南州住房和城乡建设」" in second.message  # percent-decoded in the message
    assert "黔南州住房和城乡建设局" in second.hint  # the near miss is suggested


def test_anchors_are_compared_exactly(site: Path):
    write(site, "page.html", '<a href="2022/wuye-houqin.html#YOY">大小写</a>\n'
                             '<a href="2022/wuye-houqin.html#yoy%20">尾随空格</a>\n'
                             '<a href="2022/wuye-houqin.html#yoy">对</a>')
    assert [(d.line, d.code) for d in check_links(site)] == [(5, "E071"), (6, "E071")]


def test_same_page_anchor(site: Path):
    write(site, "page.html", '<a class="skip-link" href="#main">跳到正文</a>\n<main id="main"></main>\n'
                             '<a href="#footer">页脚</a>')
    (d,) = check_links(site)
    assert (d.code, d.line, d.col) == ("E071", 7, 1)
    assert d.message == "链接「#footer」的锚点「footer」在 page.html 中不存在"


def test_anchor_into_a_non_html_file_is_not_checked(site: Path):
    write(site, "page.html", '<a href="static/site.css#anything">css</a>')
    assert check_links(site) == []


def test_escape_above_the_root_is_broken(site: Path, tmp_path: Path):
    (tmp_path / "outside.html").write_text("<p>外面</p>", encoding="utf-8")  # exists, but not in the site
    write(site, "2022/page.html", '<a href="../../outside.html">外面</a>\n<a href="../../output/index.html">绕回</a>\n'
                                  '<img src="../../../x.png" alt="">')
    found = check_links(site)
    assert [(d.line, d.code) for d in found] == [(5, "E070"), (6, "E070"), (7, "E070")]
    assert "跳出了网站根目录" in found[0].message
    assert found[2].message.startswith("引用「../../../x.png」")


def test_root_relative_links_under_base_path(site: Path):
    write(site, "2022/page.html", """\
<a href="/xxgk/jxmb/2022/index.html">年度</a>
<a href="/xxgk/jxmb/">首页</a> <a href="/xxgk/jxmb">首页，无斜杠</a>
<a href="/xxgk/jxmb/2022/#黔南州住房和城乡建设局">部门</a>
<a href="/xxgk/jxmb/static/../2022/index.html">点段</a>
<link rel="stylesheet" href="/xxgk/jxmb/static/site.css">
<a href="/xxgk/jxmb/2021/index.html">缺</a>
<a href="/xxgk/other/index.html">站外路径</a>
<a href="/index.html">服务器根</a>
<a href="/xxgk/jxmbx/index.html">相似前缀</a>
<a href="/xxgk/jxmb/../index.html">点段出去</a>
<a href="/xxgk/jxmb/2022/index.html#没有">锚点</a>
""")
    found = [(d.line, d.code) for d in check_links(site, base_path="/xxgk/jxmb/")]
    assert found == [(10, "E070"), (11, "E070"), (12, "E070"), (13, "E070"), (14, "E070"), (15, "E071")]
    outside = check_links(site, base_path="/xxgk/jxmb/")[1]
    assert outside.message == "链接「/xxgk/other/index.html」不在网站路径 /xxgk/jxmb/ 之下，站内找不到它"
    # The base path may be given without its slashes; a site deployed at the host's root takes "/".
    assert check_links(site, base_path="xxgk/jxmb") == check_links(site, base_path="/xxgk/jxmb/")
    at_root = [(d.line, d.code) for d in check_links(site, base_path="/")]
    assert (12, "E070") not in at_root and (5, "E070") in at_root  # "/index.html" is the site's own


def test_root_relative_with_chinese_base_path(tmp_path: Path):
    write(tmp_path, "index.html", f'<a href="/{quote("绩效")}/a.html">编码</a> <a href="/绩效/a.html">原文</a>')
    write(tmp_path, "a.html")
    assert check_links(tmp_path, base_path="/绩效/") == []


def test_pages_limits_what_is_checked_not_what_is_found(site: Path):
    write(site, "2022/a.html", '<a href="b.html#here">b</a> <a href="index.html#黔南州住房和城乡建设局">部门</a>')
    write(site, "2022/b.html", '<h2 id="here">这里</h2><a href="missing.html">坏</a>')
    assert check_links(site, ["2022/a.html"]) == []  # b.html and index.html still resolve and give their ids
    assert [d.path for d in check_links(site, ["2022/b.html", "2022/a.html"])] == ["2022/b.html"]
    assert [d.path for d in check_links(site, [])] == []
    with pytest.raises(ValueError):
        check_links(site, ["../outside.html"])


def test_order_is_by_path_line_and_column(site: Path):
    write(site, "b.html", '<a href="x.html">x</a><a href="y.html">y</a>\n<a href="#z">z</a>')
    write(site, "a.html", '<a href="x.html">x</a>')
    write(site, "2022/c.html", '<a href="x.html">x</a>')
    found = [(d.path, d.line, d.col) for d in check_links(site)]
    assert found == [("2022/c.html", 5, 1), ("a.html", 5, 1), ("b.html", 5, 1), ("b.html", 5, 23),
                     ("b.html", 6, 1)]
    assert check_links(site) == check_links(site)


def test_column_counts_characters_not_bytes(site: Path):
    write(site, "page.html", '<p>中文在前面，<a href="missing.html">坏链接</a></p>')
    (d,) = check_links(site)
    assert (d.line, d.col) == where(site, "page.html", '<a href="missing')
    assert d.col == 10  # 「<p>」and six Chinese characters before it


def test_attribute_on_a_later_line_reports_the_tag(site: Path):
    write(site, "page.html", '<a class="x"\n   href="missing.html">坏</a>')
    (d,) = check_links(site)
    assert (d.line, d.col) == (5, 1)


def test_base_element_changes_how_relative_links_resolve(site: Path):
    write(site, "page.html", '<base href="2022/">\n<a href="wuye-houqin.html#yoy">对</a>\n'
                             '<a href="index.html">2022 的首页</a>\n<a href="page.html">不在 2022/</a>')
    assert [(d.line, d.code) for d in check_links(site)] == [(8, "E070")]
    write(site, "page.html", '<base href="2022/wuye-houqin.html">\n<a href="#yoy">基准页的锚点</a>\n<a href="#x">缺</a>')
    assert [(d.line, d.code, d.message) for d in check_links(site)] == [
        (7, "E071", "链接「#x」的锚点「x」在 2022/wuye-houqin.html 中不存在")]
    write(site, "page.html", '<base href="https://example.gov.cn/elsewhere/">\n<a href="nothing.html">外站</a>')
    assert check_links(site) == []


def test_percent_encoded_slash_and_bad_utf8_never_match(site: Path):
    write(site, "page.html", '<a href="2022%2Findex.html">编码斜杠</a>\n<a href="%E7%89.html">坏编码</a>')
    assert [(d.line, d.code) for d in check_links(site)] == [(5, "E070"), (6, "E070")]


def test_case_of_file_names_matters(site: Path):
    write(site, "page.html", '<a href="2022/Index.html">大写</a>')
    assert [d.code for d in check_links(site)] == ["E070"]


def test_links_in_comments_and_scripts_are_not_links(site: Path):
    write(site, "page.html", """\
<!-- <a href="missing.html">旧链接</a> -->
<script>document.write('<a href="missing.html">x</a><td class="y">');</script>
<style>/* <link href="missing.css"> */</style>
<a href="missing.html">真的坏了</a>
""")
    assert [(d.line, d.code) for d in check_links(site)] == [(8, "E070")]


def parse(text: str) -> tuple[object, ...]:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.refs, parser.ids, parser.base


SOUP = ['<div>', '</div>', '<p class="a">', '<a href="x.html">', '<a>', '</a>', '<!--', '-->', '--!>', '<script>',
        '</script>', '<style>', '</style>', '"', "'", '<b title="<i>">', '<span id=q>', '<td headers="a b">', '\n',
        '文字', '<br/>', '<img src=y.png alt="">', '<?pi ', '>', '<!DOCTYPE html>', '<textarea>', '</textarea>',
        '<title>', '</title>', '<a name="n">', '<x-y data-a="1">', '<DIV ID="U">', '<a/href="z">',
        '<div class="x"id="y">', '--', '<b -->', '<![CDATA[', ']]>', '&amp;', '<a href="a&amp;b">', '=', ' ',
        '<base href="d/">', '<source srcset="a 1x, b 2x">', '<div title=a"b id=c>', '<b ?>', '<p\n class="m"\n>',
        '</p\n>', '<iframe src="f.html">', '</iframe>', '<', '</', '<th rowspan="2" headers="h-a h-b">',
        '<object data="o.svg">', '<video poster="v.png">', '<svg><use xlink:href="#i"></use></svg>', '<plaintext>']


def test_dropping_inert_tags_never_changes_what_is_found():
    """The fast path (inert tags turned to text first) finds exactly what html.parser finds alone."""
    rng = random.Random(20220101)
    for _ in range(20000):
        text = "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 40)))
        fast = _without_inert_tags(text)
        assert len(fast) == len(text) and fast.count("\n") == text.count("\n")
        assert parse(fast) == parse(text), text


def test_shipped_site_has_no_broken_link(shipped: Path):
    result = run_cli("build", "--output", str(shipped / "site"), cwd=shipped)
    assert result.returncode == 0, result.stderr
    site = shipped / "site"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert "index.html" in pages and "2022/index.html" in pages and len(pages) >= 7
    assert check_links(site) == []
    assert check_links(site, base_path="/xxgk/jxmb/") == []  # the shipped site.yaml's 网址
    for page in pages:  # the fast path finds what html.parser alone finds
        text = (site / page).read_text(encoding="utf-8")
        assert parse(_without_inert_tags(text)) == parse(text), page
    # The checker really sees the shipped pages' links: every project page links to its year page.
    (site / "2022" / "index.html").unlink()
    projects = {f"2022/{p.stem}.html" for p in (shipped / "content" / "2022").glob("*.yaml")}
    found = check_links(site)
    assert {d.path for d in found} >= projects
    assert {d.code for d in found} == {"E070"}
    assert all("2022/index.html" in d.message for d in found)


def two_years(shipped: Path, old_id: str) -> None:
    """A 2021 twin of wuye-houqin (id ``old_id``) with one fund changed, so 2022 gets changes.html."""
    text = (shipped / "content" / "2022" / "wuye-houqin.yaml").read_text(encoding="utf-8")
    text = text.replace("id: wuye-houqin", f"id: {old_id}").replace("年度: 2022", "年度: 2021")
    text = text.replace("2022年", "2021年").replace("资金总额: 10.38", "资金总额: 10.39", 1)
    text = text.replace("财政拨款: 10.38", "财政拨款: 10.39", 1).replace("本级安排: 10.38", "本级安排: 10.39", 1)
    (shipped / "content" / "2021").mkdir()
    (shipped / "content" / "2021" / f"{old_id}.yaml").write_text(text, encoding="utf-8")


def test_changes_page_links_to_the_comparison(shipped: Path):
    two_years(shipped, "wuye-houqin")
    result = run_cli("build", "--output", str(shipped / "site"), cwd=shipped)
    assert result.returncode == 0, result.stderr
    changes = (shipped / "site" / "2022" / "changes.html").read_text(encoding="utf-8")
    assert 'href="wuye-houqin.html#yoy"' in changes
    assert check_links(shipped / "site") == []


def test_changes_page_anchor_of_a_project_whose_id_changed(shipped: Path):
    two_years(shipped, "wuye-old")
    result = run_cli("build", "--output", str(shipped / "site"), cwd=shipped)
    assert result.returncode == 0, result.stderr
    assert check_links(shipped / "site", ["2022/changes.html"]) == []


def test_build_without_search_has_no_broken_link(shipped: Path):
    result = run_cli("build", "--no-search", "--output", str(shipped / "site"), cwd=shipped)
    assert result.returncode == 0, result.stderr
    assert check_links(shipped / "site") == []


def test_ten_thousand_pages_are_checked_quickly(tmp_path: Path):
    root = tmp_path / "big"
    depts = [f"部门{i}" for i in range(20)]
    for year in (2021, 2022):
        sections = "\n".join(f'<section id="{d}"><h2>{d}</h2></section>' for d in depts)
        links = "\n".join(f'<a href="p{i}.html">项目{i}</a>' for i in range(0, 5000, 50))
        write(root, f"{year}/index.html", sections + "\n" + links)
        for i in range(4999):
            other = 2021 if year == 2022 else 2022
            write(root, f"{year}/p{i}.html",
                  f'<link rel="stylesheet" href="../static/site.css"><main id="main">\n'
                  f'<a href="../index.html">首页</a> <a href="index.html#{quote(depts[i % 20])}">部门</a>\n'
                  f'<a href="../{other}/p{i}.html#main">上年</a> <a href="p{(i + 1) % 4999}.html">下一个</a>\n'
                  f'<a href="#main">正文</a></main>')
    write(root, "index.html", '<a href="2022/">2022</a> <a href="2021/index.html">2021</a>')
    (root / "static").mkdir()
    (root / "static" / "site.css").write_text("", encoding="utf-8")
    write(root, "2022/p7.html", '<main id="main"><a href="index.html#部门99">坏锚点</a> <a href="p99999.html">坏链接</a>')
    start = time.perf_counter()
    found = check_links(root)
    elapsed = time.perf_counter() - start
    assert sum(1 for _ in root.rglob("*.html")) == 10001
    assert [(d.path, d.code) for d in found] == [("2022/p7.html", "E071"), ("2022/p7.html", "E070")]
    assert elapsed < 30, f"10,001 pages took {elapsed:.1f} s"  # ~2 s on the 2-core reference machine


def test_strict_build_fails_on_a_broken_link_and_keeps_the_old_output(shipped: Path):
    from conftest import snapshot

    assert run_cli("build", "--strict", cwd=shipped).returncode == 0
    before = snapshot(shipped / "output")
    year = shipped / "templates" / "year.html"
    year.write_text(year.read_text(encoding="utf-8").replace("{% block main %}",
                                                             '{% block main %}<a href="missing.html">x</a>'),
                    encoding="utf-8")
    result = run_cli("build", "--strict", cwd=shipped)
    assert result.returncode == 1
    assert re.search(r"^2022/index.html:\d+:\d+: error E070 ", result.stderr, re.M), result.stderr
    assert snapshot(shipped / "output") == before
    assert run_cli("build", cwd=shipped).returncode == 0  # without --strict links are not checked


def test_departments_with_one_name_and_two_codes_get_distinct_anchors(shipped: Path):
    path = shipped / "content" / "2022" / "wuye-houqin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("主管部门及代码: 黔南州住房和城乡建设局",
                                                             "主管部门及代码: 219-黔南州住房和城乡建设局"), encoding="utf-8")
    result = run_cli("build", "--strict", cwd=shipped)
    assert result.returncode == 0, result.stderr
    year = (shipped / "output" / "2022" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<section class="department" id="([^"]+)"', year)
    assert len(ids) == len(set(ids)) == 2


def test_a_site_seen_through_staged_files_and_without_removed_ones(tmp_path: Path):
    """check_links(over=, gone=): what a patching build checks, its changed files put in and the
    files it removes taken out, without the tree being assembled."""
    root, over = tmp_path / "site", tmp_path / "stage"
    root.mkdir()
    over.mkdir()
    (root / "a.html").write_text('<a href="b.html#x">b</a> <a href="c.html">c</a>', encoding="utf-8")
    (root / "b.html").write_text('<p id="x">x</p>', encoding="utf-8")
    (root / "c.html").write_text("c", encoding="utf-8")
    assert check_links(root, ["a.html"]) == []
    (over / "b.html").write_text("<p>no anchor now</p>", encoding="utf-8")
    assert [d.code for d in check_links(root, ["a.html"], over=over)] == ["E071"]
    assert [d.code for d in check_links(root, ["a.html"], gone={"c.html"})] == ["E070"]
    (over / "d.html").write_text('<a href="a.html">a</a>', encoding="utf-8")  # a new page, checked too
    assert check_links(root, None, over=over, gone={"b.html"}) != [] and check_links(root, ["d.html"], over=over) == []


def test_a_strict_small_change_checks_the_pages_it_writes_unless_it_could_break_others(tmp_path: Path, monkeypatch):
    """--strict with a small change patches the output, checking only the pages it writes against
    the output with them put in (every page took 10 s at 10,000 projects). A change that removes a
    file, or takes an anchor from a page, may break a link on a page it does not write: then every
    page is checked. A broken link fails the build and the output stays as it was."""
    import sys

    import perfsite.publish
    from perfsite.builder import Builder

    from conftest import ROOT, snapshot

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    checked: list[list[str] | None] = []
    real = perfsite.publish.check_links
    monkeypatch.setattr(perfsite.publish, "check_links", lambda root, pages=None, **k: (
        checked.append(None if pages is None else sorted(pages)), real(root, pages, **k))[1])
    site = generate(90, tmp_path / "site")
    out = site / "output"
    # Every department page links to two pages that no edit of theirs would make it show again.
    for name, extra in (("department.html", '<a href="../2024/p000002.html">a</a> <a href="../2024/p000003.html#special">b</a>'),
                        ("project.html", "{% if '特殊' not in project.name %}<span id=\"special\"></span>{% endif %}")):
        template = site / "templates" / name
        template.write_text(template.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}" + extra, 1),
                            encoding="utf-8")

    def build() -> perfsite.builder.BuildResult:
        checked.clear()
        return Builder(site / "content", site / "templates", out, search=False, strict=True).build()

    def edit(rel: str, old: str, new: str) -> None:
        path = site / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    assert build().ok and checked == [None]
    departments = {f"departments/{p.name}" for p in (out / "departments").glob("d*.html")}
    assert len(departments) == 30
    inode = out.stat().st_ino
    edit("content/2023/p000001.yaml", "资金来源: 财政资金", "资金来源: 自筹资金")
    result = build()
    assert result.ok and out.stat().st_ino == inode  # patched in place, its own pages checked
    assert checked == [sorted(p for p in result.written if p.endswith(".html"))] and len(checked[0]) < 10

    for change, undo, code, where in (  # where: the pages that report it
            (lambda: edit("content/2024/p000003.yaml", "项目名称: ", "项目名称: 特殊"),  # its anchor goes
             lambda: edit("content/2024/p000003.yaml", "项目名称: 特殊", "项目名称: "), "E071", departments),
            (lambda: (site / "content/2024/p000002.yaml").rename(site / "p000002.yaml"),  # its page goes
             lambda: (site / "p000002.yaml").rename(site / "content/2024/p000002.yaml"), "E070", departments),
            (lambda: edit("content/2023/p000001.yaml", "年度目标:\n  - '", "年度目标:\n  - '[见](missing.html) "),
             lambda: edit("content/2023/p000001.yaml", "[见](missing.html) ", ""), "E070", {"2023/p000001.html"})):
        before = snapshot(out)
        change()
        result = build()
        assert not result.ok and {d.code for d in result.diagnostics} == {code}, result.diagnostics
        assert {d.path for d in result.diagnostics} == where
        assert snapshot(out) == before
        undo()
        assert build().ok
