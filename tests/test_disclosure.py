"""Publishing as a disclosure: 批复日期 and 公开日期 (the file's, else the year's in site.yaml)
against the 20-day rule, the 索引号 from the unit's pattern, and where a reader and a machine
see them (the page under its title, the JSON, the data package, the feed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from perfsite.builder import Builder
from perfsite.model import Project

from conftest import MINIMAL, SITE_UNDATED as SITE, clean_build, files, line_of, run_cli

UNDER_ID = "实施单位: 测试局\n"


def project(tmp: Path, text: str, name: str = "test-project", year: int = 2022) -> Path:
    path = tmp / "content" / str(year) / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dated(text: str = MINIMAL, **fields: str) -> str:
    """MINIMAL with top-level fields (批复日期=…) after 实施单位."""
    lines = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return text.replace(UNDER_ID, UNDER_ID + lines)


def site_yaml(tmp: Path, extra: str) -> str:
    text = SITE + extra
    (tmp / "content" / "site.yaml").write_text(text, encoding="utf-8")
    return text


class Checked:
    """``perfsite check``'s exit status and all it printed."""

    def __init__(self, tmp: Path, *args: str) -> None:
        result = run_cli("check", *args, cwd=tmp)
        self.returncode, self.stdout, self.stderr = result.returncode, result.stdout + result.stderr, result.stderr


check = Checked


def codes(output: str) -> list[str]:
    return re.findall(r":\d+:\d+: (?:error|warning) ([EW]\d{3})", output)


# The rules ----------------------------------------------------------------------------------

def test_e036_published_before_approved_is_an_error_at_the_publication_date(site_dir: Path):
    text = dated(批复日期="2022-03-01", 公开日期="2022-02-20")
    project(site_dir, text)
    result = check(site_dir)
    assert result.returncode == 1
    line = line_of(text, "公开日期")
    assert f"content/2022/test-project.yaml:{line}:1: error E036 公开日期 2022-02-20 早于批复日期 2022-03-01" in result.stdout


def test_dates_in_order_and_within_twenty_days_pass_strict(site_dir: Path):
    project(site_dir, dated(批复日期="2022-01-10", 公开日期="2022-01-30"))  # the 20th day
    result = check(site_dir, "--strict")
    assert result.returncode == 0, result.stdout
    assert codes(result.stdout) == []


def test_w012_more_than_twenty_days_after_the_approval(site_dir: Path):
    text = dated(批复日期="2022-01-10", 公开日期="2022-01-31")  # the 21st day
    project(site_dir, text)
    result = check(site_dir)
    assert result.returncode == 0
    assert f"test-project.yaml:{line_of(text, '公开日期')}:1: warning W012 公开日期 2022-01-31 在批复日期 2022-01-10 后 21 日" \
        in result.stdout
    strict = check(site_dir, "--strict")
    assert strict.returncode == 1 and "W012" in strict.stdout


def test_a_disclosure_note_says_why_and_strict_accepts_it(site_dir: Path):
    project(site_dir, dated(批复日期="2022-01-10", 公开日期="2022-03-31", 公开说明="批复后调整预算，重新公开"))
    assert check(site_dir, "--strict").returncode == 0


def test_w013_an_undated_table_is_refused_by_strict(site_dir: Path):
    site_yaml(site_dir, "")
    result = check(site_dir, "--strict")  # MINIMAL gives no date, and site.yaml none for the year
    assert result.returncode == 1
    assert f"test-project.yaml:{line_of(MINIMAL, '年度')}:1: error W013 没有批复日期和公开日期" in result.stdout
    assert "warning W013" in check(site_dir).stdout  # a warning without --strict
    project(site_dir, dated(公开日期="2022-02-01"))
    only_published = check(site_dir, "--strict")
    assert only_published.returncode == 1 and "W013 没有批复日期：" in only_published.stdout
    assert f":{line_of(dated(公开日期='2022-02-01'), '公开日期')}:1:" in only_published.stdout  # at the date it has


def test_the_years_dates_in_site_yaml_date_every_table_without_its_own(site_dir: Path):
    site_yaml(site_dir, "公开:\n  年度:\n    '2022':\n      批复日期: 2022-01-10\n      公开日期: 2022-01-25\n")
    assert check(site_dir, "--strict").returncode == 0
    # a file's own date wins over the year's, and is checked against the year's 批复日期
    text = dated(公开日期="2022-03-01")
    project(site_dir, text)
    result = check(site_dir)
    assert f"test-project.yaml:{line_of(text, '公开日期')}:1: warning W012" in result.stdout


def test_the_years_dates_are_checked_once_in_site_yaml(site_dir: Path):
    text = site_yaml(site_dir, "公开:\n  年度:\n    '2022':\n      批复日期: 2022-02-10\n      公开日期: 2022-01-25\n")
    project(site_dir, MINIMAL.replace("id: test-project", "id: second"), "second")
    result = check(site_dir)
    assert result.returncode == 1
    assert codes(result.stdout) == ["E036"]  # once, not once per table
    assert f"content/site.yaml:{line_of(text, '公开日期')}:7: error E036" in result.stdout


def test_a_year_in_site_yaml_must_have_four_digits(site_dir: Path):
    text = site_yaml(site_dir, "公开:\n  年度:\n    '22':\n      公开日期: 2022-01-25\n")
    result = check(site_dir)
    assert result.returncode == 1
    assert f"site.yaml:{line_of(text, chr(39) + '22')}:5: error E022" in result.stdout and "应为四位数字" in result.stdout


# The 索引号 --------------------------------------------------------------------------------

PATTERN = "公开:\n  机构代码: '11522700MB1234567X'\n  索引号: '{机构代码}/{年度}-{序号:03}'\n"


def built(site: Path) -> Path:
    out = site / "output"
    result = Builder(site / "content", site / "templates", out, search=False).build()
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


def metadata(page: str) -> dict[str, str]:
    block = re.search(r'<dl class="disclosure">(.*?)</dl>', page, re.S)
    assert block, "no 信息公开 block"
    return dict(re.findall(r"<dt>(.*?)</dt><dd[^>]*>(?:<time[^>]*>)?(.*?)(?:</time>)?</dd>", block[1]))


def test_index_numbers_follow_the_order_of_publication(site_dir: Path):
    site_yaml(site_dir, PATTERN + "  年度:\n    '2022':\n      批复日期: 2022-01-10\n")
    project(site_dir, dated(公开日期="2022-01-20"), "test-project")
    project(site_dir, dated(MINIMAL.replace("id: test-project", "id: aaa-first"), 公开日期="2022-01-12"), "aaa-first")
    project(site_dir, dated(MINIMAL.replace("id: test-project", "id: zzz-same-day"), 公开日期="2022-01-20"),
            "zzz-same-day")
    out = built(site_dir)
    found = {name: metadata((out / f"2022/{name}.html").read_text(encoding="utf-8"))
             for name in ("aaa-first", "test-project", "zzz-same-day")}
    assert {name: m["索引号"] for name, m in found.items()} == {
        "aaa-first": "11522700MB1234567X/2022-001", "test-project": "11522700MB1234567X/2022-002",
        "zzz-same-day": "11522700MB1234567X/2022-003"}
    assert found["test-project"] == {"索引号": "11522700MB1234567X/2022-002", "发布机构": "测试局",
                                     "发布日期": "2022-01-20", "批复日期": "2022-01-10"}


def test_a_files_own_index_number_and_publishing_organ(site_dir: Path):
    site_yaml(site_dir, "公开:\n  发布机构: 测试局办公室\n")
    project(site_dir, dated(索引号="A-0001", 公开日期="2022-01-20", 批复日期="2022-01-10"))
    page = (built(site_dir) / "2022/test-project.html").read_text(encoding="utf-8")
    assert metadata(page) == {"索引号": "A-0001", "发布机构": "测试局办公室", "发布日期": "2022-01-20",
                              "批复日期": "2022-01-10"}


def test_an_undated_page_says_so_and_shows_its_note(site_dir: Path):
    site_yaml(site_dir, "公开:\n  年度:\n    '2022':\n      公开说明: 原公开件未载明日期\n")
    page = (built(site_dir) / "2022/test-project.html").read_text(encoding="utf-8")
    assert metadata(page) == {"发布机构": "测试局", "发布日期": "未载明"}  # no 索引号 without a pattern
    assert "公开说明：原公开件未载明日期" in page


def test_e037_two_tables_with_one_index_number(site_dir: Path):
    site_yaml(site_dir, PATTERN)
    # both undated: "other" is 001 in the pattern's order (by id), test-project 002
    text = dated(MINIMAL.replace("id: test-project", "id: other"), 索引号="11522700MB1234567X/2022-002")
    project(site_dir, text, "other")
    result = check(site_dir)
    assert result.returncode == 1
    assert "E037 索引号「11522700MB1234567X/2022-002」已用于" in result.stdout
    assert f"other.yaml:{line_of(text, '索引号')}:1:" in result.stdout


@pytest.mark.parametrize("pattern, says", [
    ("'{机构代码}/{年度}'", "没有填写“机构代码”"),
    ("'{单位}/{序号}'", "无法使用"),
    ("'{年度}-{序号'", "无法使用"),  # a brace not closed
    ("'{序号:s}'", "无法使用"),  # a format a number does not take
    ("'固定文字'", "无法使用"),  # names nothing: every table would have the same number
])
def test_a_bad_index_pattern_is_named_in_site_yaml(site_dir: Path, pattern: str, says: str):
    text = site_yaml(site_dir, f"公开:\n  索引号: {pattern}\n")
    result = check(site_dir)
    assert result.returncode == 1 and says in result.stdout, result.stdout
    assert "content/site.yaml:" in result.stdout and "Traceback" not in result.stderr


# Downloads, the feed, and keys ----------------------------------------------------------------

def test_json_datapackage_and_feed_carry_the_tables_dates(site_dir: Path):
    site_yaml(site_dir, PATTERN + "  年度:\n    '2022':\n      批复日期: 2022-01-10\n      公开日期: 2022-01-28\n")
    out = built(site_dir)
    data = json.loads((out / "2022/test-project.json").read_text(encoding="utf-8"))
    assert (data["批复日期"], data["公开日期"], data["索引号"]) == ("2022-01-10", "2022-01-28", "11522700MB1234567X/2022-001")
    Project.model_validate(data)  # still the table, read back with the model
    package = json.loads((out / "2022/datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["path"] == "test-project.json")
    assert resource["disclosure"] == {"索引号": "11522700MB1234567X/2022-001", "发布机构": "测试局",
                                      "发布日期": "2022-01-28", "批复日期": "2022-01-10"}
    assert "<updated>2022-01-28T00:00:00Z</updated>" in (out / "feed.xml").read_text(encoding="utf-8")


def test_a_classic_json_has_no_new_keys_where_nothing_is_set(site_dir: Path):
    site_yaml(site_dir, "")
    data = json.loads((built(site_dir) / "2022/test-project.json").read_text(encoding="utf-8"))
    assert not {"批复日期", "公开说明", "索引号"} & data.keys() and data["公开日期"] is None


def test_incremental_equals_clean_when_dates_renumber_other_tables(site_dir: Path, tmp_path: Path):
    site_yaml(site_dir, PATTERN + "  年度:\n    '2022':\n      批复日期: 2022-01-10\n")
    first = project(site_dir, dated(公开日期="2022-01-20"))
    project(site_dir, dated(MINIMAL.replace("id: test-project", "id: second"), 公开日期="2022-01-25"), "second")
    out = built(site_dir)
    assert metadata((out / "2022/second.html").read_text(encoding="utf-8"))["索引号"].endswith("-002")
    first.write_text(dated(公开日期="2022-01-28"), encoding="utf-8")  # now published after "second"
    result = Builder(site_dir / "content", site_dir / "templates", out, search=False).build()
    assert result.ok and "2022/second.html" in result.written  # renumbered: 001
    assert metadata((out / "2022/second.html").read_text(encoding="utf-8"))["索引号"].endswith("-001")
    assert files(out) == clean_build(site_dir, tmp_path)
    (site_dir / "content/site.yaml").write_text(SITE + PATTERN.replace("{序号:03}", "{序号}"), encoding="utf-8")
    assert Builder(site_dir / "content", site_dir / "templates", out, search=False).build().ok
    assert files(out) == clean_build(site_dir, tmp_path)


def test_the_shipped_site_says_why_it_has_no_dates(shipped: Path):
    result = check(shipped, "--strict")
    assert result.returncode == 0, result.stdout
    page = (built(shipped) / "2022/wuye-houqin.html").read_text(encoding="utf-8")
    assert metadata(page)["发布日期"] == "未载明" and "公开说明：原公开件（PDF）未载明" in page
