"""The PDF-text importer: the seed imports as the shipped content, repairs are listed as guesses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfsite.diagnostics import Level
from perfsite.importers import Imported, ImportError_
from perfsite.importers.text import import_text
from perfsite.model import build_project
from perfsite.rules import check
from perfsite.scaffold import project_id
from perfsite.source import Source, load_file
from perfsite.taxonomy import PROFILES

import seed_expected
from conftest import CONTENT, SEED

CUNZHEN = "村镇建设管理工作经费"
JIANZHUYE = "建筑业业务管理工作经费"


@pytest.fixture(scope="module")
def seed() -> dict[str, Imported]:
    imported = import_text(SEED.read_text(encoding="utf-8"), SEED.name)
    return {item.data["项目名称"]: item for item in imported}


def shipped() -> dict[str, dict]:
    out = {}
    for path in sorted((CONTENT / "2022").glob("*.yaml")):
        source, diags = load_file(path, str(path))
        assert source is not None, diags
        out[source.data["项目名称"]] = source.data
    return out


def guesses_at(item: Imported, path: tuple) -> list[str]:
    return [g.message for g in item.guesses if g.path == path]


def validate(item: Imported, profile: str = "classic") -> list:
    source = Source(path=Path("imported.yaml"), display="imported.yaml", data=item.data)
    project, parts, problems = build_project(source)
    assert project is not None, [d.format() for d in problems]
    return problems + check(parts, source, PROFILES[profile])


# ---- the seed ---------------------------------------------------------------------------------

def test_seed_gives_five_tables_in_order_with_their_first_lines(seed):
    assert [item.origin for item in seed.values()] == [
        f"{SEED.name}:5", f"{SEED.name}:28", f"{SEED.name}:90", f"{SEED.name}:125", f"{SEED.name}:172"]


@pytest.mark.parametrize("name", [p["name"] for p in seed_expected.PROJECTS])
def test_seed_equals_shipped_content_except_id(seed, name):
    imported, expected = dict(seed[name].data), dict(shipped()[name])
    # The only difference: shipped files carry hand-chosen ids, the importer derives one from the name.
    assert imported.pop("id") == project_id(name)
    assert expected.pop("id") != project_id(name)
    # Every row the importer moved is where the shipped content has it, so nothing else differs.
    assert imported == expected


@pytest.mark.parametrize("expected", seed_expected.PROJECTS, ids=lambda p: p["name"])
def test_seed_matches_independent_oracle(seed, expected):
    data = seed[expected["name"]].data
    assert (data["主管部门及代码"], data["实施单位"]) == (expected["department"], expected["implementer"])
    assert data["资金"] == {"单位": "万元", "资金来源": expected["fund_source"], **expected["funds"]}
    assert [re.sub(r"</?p>", "", goal) for goal in data["年度目标"]] == expected["goals"]
    rows = [(l1, l2, row["三级指标"], row["指标值"], row.get("说明") or "")
            for l1, groups in data["绩效指标"].items() for l2, items in groups.items() for row in items]
    assert rows == expected["rows"]


def test_seed_validates_without_any_diagnostic(seed):
    for item in seed.values():
        problems = validate(item)
        assert not [d for d in problems if d.level is Level.ERROR], [d.format() for d in problems]
        assert problems == [], [d.format() for d in problems]


def test_cunzhen_moves_are_guesses(seed):
    item = seed[CUNZHEN]
    indicators = item.data["绩效指标"]["产出"]
    cost = ("绩效指标", "产出", "成本", 0)
    assert indicators["成本"][0] == {"三级指标": "农村生活垃圾整治工作经费成本", "指标值": "≤1.1万元"}
    [message] = guesses_at(item, cost)
    assert "第157行" in message and "时效" in message and "成本" in message and "分页" in message
    for index, name in ((7, "历史建筑挂牌执行情况"), (8, "历史建筑测绘建档")):
        assert indicators["质量"][index] == {"三级指标": name, "指标值": "良好"}
        [message] = guesses_at(item, ("绩效指标", "产出", "质量", index))
        assert "时效" in message and "质量" in message and "良好" in message and "不是日期" in message
    assert indicators["时效"] == [{"三级指标": "项目完成时间", "指标值": "2022年12月31日"}]


def test_jianzhuye_fund_source_is_noted(seed):
    item = seed[JIANZHUYE]
    assert item.data["资金"]["资金来源"] == "年度资金情况"
    [message] = guesses_at(item, ("资金", "资金来源"))
    assert "年度资金情况" in message


def test_seed_guesses_in_full(seed):
    """Every guess, by project and place: moves, page-break inheritance, cut text, odd values."""
    paths = {name: [g.path for g in item.guesses] for name, item in seed.items()}
    year = ("年度",)
    assert paths == {
        "局机关物业管理后勤工作经费": [year],
        "城市建设管理及综合行政执法管理工作经费": [
            year, ("资金", "上级补助"), ("资金", "本级安排"), ("年度目标", 0),
            ("绩效指标", "产出", "质量", 8), ("绩效指标", "产出", "质量", 9),
            ("绩效指标", "效益", "生态效益", 1)],
        "城镇住房保障发展及新型城镇化城市三改发展工作经费": [year, ("绩效指标", "产出", "成本", 2)],
        CUNZHEN: [year, ("绩效指标", "产出", "质量", 7), ("绩效指标", "产出", "质量", 8),
                  ("绩效指标", "产出", "成本", 0)],
        JIANZHUYE: [
            year, ("资金", "资金来源"), ("年度目标", 4),
            ("绩效指标", "产出", "数量", 9, "三级指标"), ("绩效指标", "产出", "数量", 12, "三级指标"),
            ("绩效指标", "产出", "数量", 14), ("绩效指标", "效益", "可持续影响", 1)],
    }
    chengjian = seed["城市建设管理及综合行政执法管理工作经费"]
    assert "其中: 上级补" in guesses_at(chengjian, ("资金", "上级补助"))[0]
    assert "分页" in guesses_at(chengjian, ("绩效指标", "产出", "质量", 9))[0]
    assert all("2022" in guesses_at(item, year)[0] for item in seed.values())


def test_year_given_by_the_caller_is_not_a_guess():
    [first, *_] = import_text(SEED.read_text(encoding="utf-8"), "seed.txt", year=2022)
    assert first.data["年度"] == "2022"
    assert guesses_at(first, ("年度",)) == []


# ---- garbage ----------------------------------------------------------------------------------

PROSE = ("春天来了，河边的柳树发出了新芽。孩子们在田野里放风筝，老人们坐在村口晒太阳，"
         "谈论着今年的收成和天气。远处的山上开满了杜鹃花，一片红艳艳的。")


@pytest.mark.parametrize("text", ["", "  \n\t\n", PROSE, "\x00\x01\x02PK\x03\x04\x89PNG\r\n\x1a\n" * 20,
                                  bytes(range(256)).decode("latin-1") * 4],
                         ids=["empty", "blank", "prose", "binary", "latin1-bytes"])
def test_garbage_raises_with_the_origin(text):
    with pytest.raises(ImportError_, match="garbage.txt"):
        import_text(text, "garbage.txt")


def test_table_without_indicator_rows_raises():
    text = "项目名称\t某项目\n资金总额(万元):\t1\n总体目标\t年度目标\n\t目标1: 完成。\n"
    with pytest.raises(ImportError_, match=r"nogrid\.txt:1.*没有绩效指标行"):
        import_text(text, "nogrid.txt")


# ---- a hand-written text: two projects, page breaks inside the grid ---------------------------

TWO = """\
项目支出绩效目标表

项目名称\t测试项目甲
主管部门及代码\t101-测试局\t实施单位\t测试中心
资金来源\t财政资金
资金总额(万元):\t12
财政拨款\t12
其中: 上级补助\t2
本级安\t10
其他资金\t0
总体目标\t年度目标
\t<p>目标1: 完成检查。</p> <p>目标2: 提高群众满意度。</p>
绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t说明
\t产出\t数量\t检查次数\t≥4次\t
\t谋划储备项目\t≥2个\t\t\t
\t\t质量\t检查覆盖率\t100%\t
\t\t时效\t完成时限\t2023年12月31日\t
\t\t\t检查完成及时率\t100%\t
\t\t\t检查工作经费成本\t≤2万元\t

项目支出绩效目标表

绩效指标\t\t成本\t宣传工作经费成本\t≤10万元\t含印刷费
\t效益\t社会效益\t群众安全意识\t有所提高\t
\t满意度\t服务对象满意度\t群众满意度\t292%\t

项目支出绩效目标表

项目名称\t测试项目乙
主管部门及代码\t101-测试局\t实施单位\t测试局
资金来源\t财政资金
资金总额(万元):\t5
财政拨款\t5
其中: 上级补助\t
本级安排\t5
其他资金\t
总体目标\t年度目标
\t目标1: 开展培训。
\t目标2: 开展督导。
一级指标\t二级指标\t三级指标\t指标值\t说明
产出\t数量\t培训人次\t≥100人次
\t质量\t培训合格率\t≥95%
\f
\t\t教材合格率\t100%
\t时效\t培训完成时间\t2023年6月30日
\t成本\t培训经费\t≤5万元
效益\t可持续影响\t培训长效机制\t逐步建立
满意度\t服务对象满意度\t学员满意度\t≥90%
"""


def test_two_projects_with_page_breaks():
    first, second = import_text(TWO, "two.txt")
    assert (first.origin, second.origin) == ("two.txt:3", "two.txt:29")
    assert first.data == {
        "id": project_id("测试项目甲"), "年度": "2023", "项目名称": "测试项目甲",
        "主管部门及代码": "101-测试局", "实施单位": "测试中心",
        "资金": {"单位": "万元", "资金来源": "财政资金", "资金总额": "12", "财政拨款": "12",
               "上级补助": "2", "本级安排": "10", "其他资金": "0"},
        "年度目标": ["<p>目标1: 完成检查。</p>", "<p>目标2: 提高群众满意度。</p>"],
        "绩效指标": {
            "产出": {
                "数量": [{"三级指标": "检查次数", "指标值": "≥4次"},
                       {"三级指标": "谋划储备项目", "指标值": "≥2个"}],
                "质量": [{"三级指标": "检查覆盖率", "指标值": "100%"}],
                "时效": [{"三级指标": "完成时限", "指标值": "2023年12月31日"},
                       {"三级指标": "检查完成及时率", "指标值": "100%"}],  # not a date, but about time: stays
                "成本": [{"三级指标": "检查工作经费成本", "指标值": "≤2万元"},
                       {"三级指标": "宣传工作经费成本", "指标值": "≤10万元", "说明": "含印刷费"}],
            },
            "效益": {"社会效益": [{"三级指标": "群众安全意识", "指标值": "有所提高"}]},
            "满意度": {"服务对象满意度": [{"三级指标": "群众满意度", "指标值": "292%"}]},
        },
    }
    assert [g.path for g in first.guesses] == [
        ("年度",), ("资金", "本级安排"), ("绩效指标", "产出", "数量", 1), ("绩效指标", "产出", "成本", 0),
        ("绩效指标", "满意度", "服务对象满意度", 0, "指标值")]
    assert "一级指标列" in guesses_at(first, ("绩效指标", "产出", "数量", 1))[0]
    assert "292%" in guesses_at(first, ("绩效指标", "满意度", "服务对象满意度", 0, "指标值"))[0]

    assert second.data["资金"] == {"单位": "万元", "资金来源": "财政资金", "资金总额": "5", "财政拨款": "5",
                                 "上级补助": None, "本级安排": "5", "其他资金": None}
    assert second.data["年度目标"] == ["目标1: 开展培训。", "目标2: 开展督导。"]
    assert second.data["绩效指标"] == {
        "产出": {"数量": [{"三级指标": "培训人次", "指标值": "≥100人次"}],
               "质量": [{"三级指标": "培训合格率", "指标值": "≥95%"}, {"三级指标": "教材合格率", "指标值": "100%"}],
               "时效": [{"三级指标": "培训完成时间", "指标值": "2023年6月30日"}],
               "成本": [{"三级指标": "培训经费", "指标值": "≤5万元"}]},
        "效益": {"可持续影响": [{"三级指标": "培训长效机制", "指标值": "逐步建立"}]},
        "满意度": {"服务对象满意度": [{"三级指标": "学员满意度", "指标值": "≥90%"}]},
    }
    [message] = guesses_at(second, ("绩效指标", "产出", "质量", 1))
    assert "分页" in message and "质量" in message
    for item in (first, second):
        assert [d for d in validate(item) if d.level is Level.ERROR] == []


def test_percentage_over_100_under_satisfaction_is_a_guess():
    text = TWO.split("项目支出绩效目标表\n\n项目名称\t测试项目乙")[0]
    [item] = import_text(text, "one.txt", year=2023)
    [message] = guesses_at(item, ("绩效指标", "满意度", "服务对象满意度", 0, "指标值"))
    assert "292%" in message and "100%" in message
    assert guesses_at(item, ("年度",)) == []


def test_2021_profile_cost_as_level_one():
    text = ("项目名称\t新体系项目\n主管部门及代码\t某局\t实施单位\t某局\n资金来源\t财政资金\n"
            "资金总额（元）\t50000\n财政拨款\t50000\n本级安排\t50000\n总体目标\t年度目标\n\t目标1：完成。\n"
            "一级指标\t二级指标\t三级指标\t指标值\n"
            "成本指标\t经济成本指标\t办公经费\t≤50000元\n"
            "产出指标\t数量指标\t检查次数\t≥2次\n\t进度指标\t完成时间\t2024年12月31日\n"
            "满意度指标\t服务对象满意度指标\t群众满意度\t≥90%\n")
    [item] = import_text(text, "new.txt", year=2024)
    assert item.data["资金"]["单位"] == "元"
    assert list(item.data["绩效指标"]) == ["成本指标", "产出指标", "满意度指标"]
    assert item.data["绩效指标"]["成本指标"] == {"经济成本指标": [{"三级指标": "办公经费", "指标值": "≤50000元"}]}
    assert [d for d in validate(item, "2021") if d.level is Level.ERROR] == []
