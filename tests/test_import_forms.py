"""Issue 19's round trip: a table exported in the 2021 一体化 layout (or an approval table with
scores, or one in Traditional script) → `perfsite import` → `perfsite check` → `perfsite build`,
every cell of every row in its own field of the file and of the JSON download. The sources are
real files written here with openpyxl or as CSV bytes, so what they hold is readable in this file."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from perfsite.source import load_file

from conftest import SITE, run_cli

HEADER = ["项目名称", "单位名称", "预算数（元）", "年度绩效目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值",
          "度量单位", "权重", "指标方向性"]
# Two projects in the 101号 layout (成本 at level 1), amounts in 元, a 部门合计 line between them.
ROAD = [
    ["农村公路养护", "某县公路管理段", "1,000,000.00", "完成全县农村公路日常养护。",
     "成本指标", "经济成本指标", "养护成本", "≤", "100", "万元", "20", "反向指标"],
    [None, None, None, None, "产出指标", "数量指标", "养护里程", "≥", "120", "公里", "20", "正向指标"],
    [None, None, None, None, None, "数量指标", "桥梁定期检查", "=", "4", "次", "10", "正向指标"],
    [None, None, None, None, None, "质量指标", "路面完好率", "≥", "90", "%", "20", "正向指标"],
    [None, None, None, None, "效益指标", "社会效益指标", "群众出行便利度", "定性", "显著提升", None, "20", "正向指标"],
    [None, None, None, None, "满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", "90", "%", "10", "正向指标"],
]
SUBTOTAL = ["部门合计", None, "1,260,000.00", None, None, None, None, None, None, None, None, None]
LIGHTS = [
    ["城市道路照明维护", "某县路灯管理所", "260,000.00", "保障城区道路照明设施正常运行。",
     "成本指标", "经济成本指标", "维护经费", "≤", "26", "万元", "30", "反向指标"],
    [None, None, None, None, "产出指标", "数量指标", "维护路灯数量", "≥", "3000", "盏", "40", "正向指标"],
    [None, None, None, None, "满意度指标", "服务对象满意度指标", "市民满意度", "≥", "90", "%", "30", "正向指标"],
]
SITE_2021 = SITE + "指标体系:\n  默认: '2021'\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site whose years use the 2021 profile (成本 at level 1) and the classic 表样."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "site.yaml").write_text(SITE_2021, encoding="utf-8")
    return tmp_path


def yitihua_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "绩效目标"
    sheet.append(["2023年度项目支出绩效目标表"])
    sheet.append(["单位：元"])
    sheet.append(HEADER)
    for row in ROAD + [SUBTOTAL] + LIGHTS:
        sheet.append(row)
    road, lights = (4, 4 + len(ROAD) - 1), (5 + len(ROAD), 5 + len(ROAD) + len(LIGHTS) - 1)
    for first, last in (road, lights):
        for col in "ABCD":  # the project's cells merged over its rows, as the system prints them
            sheet.merge_cells(f"{col}{first}:{col}{last}")
    sheet.merge_cells(f"E{road[0] + 1}:E{road[0] + 3}")  # 产出指标 over its three rows
    book.save(path)
    return path


def yitihua_csv(path: Path) -> Path:
    lines = ["2023年度项目支出绩效目标表", "单位：元", ",".join(HEADER)]
    lines += [",".join(f'"{c}"' if c and "," in c else (c or "") for c in row) for row in ROAD + [SUBTOTAL] + LIGHTS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def written(site: Path) -> dict[str, tuple[Path, dict]]:
    found = {}
    for path in sorted((site / "content/2023").glob("*.yaml")):
        source, diags = load_file(path, path.name)
        assert source is not None, diags
        found[source.data["项目名称"]] = (path, source.data)
    return found


def notes(path: Path) -> list[str]:
    return [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip().startswith("# 导入提示")]


def rows_of(data: dict) -> list[dict]:
    """The file's rows in the order it holds them, each with its 一级 and 二级."""
    return [{"一级": l1, "二级": l2, **row} for l1, groups in data["绩效指标"].items()
            for l2, rows in groups.items() for row in rows]


def source_rows(rows: list[list[str | None]]) -> list[dict]:
    """What each source row should become: every non-blank cell in its own field."""
    out, l1 = [], None
    for row in rows:
        l1 = row[4] or l1
        fields = dict(zip(("一级", "二级", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向"), (l1, *row[5:])))
        out.append({k: v for k, v in fields.items() if v is not None})
    return out


def round_trip(site: Path, source: Path) -> tuple[dict[str, tuple[Path, dict]], str]:
    result = run_cli("import", str(source), "--year", "2023", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    check = run_cli("check", cwd=site)
    assert check.returncode == 0, check.stdout + check.stderr
    build = run_cli("build", "--no-search", cwd=site)
    assert build.returncode == 0, build.stdout + build.stderr
    return written(site), result.stdout


@pytest.mark.parametrize("make", [yitihua_xlsx, yitihua_csv], ids=["xlsx", "csv"])
def test_a_yitihua_export_keeps_every_column_through_import_check_and_build(site: Path, make):
    files, report = round_trip(site, make(site / f"export.{make.__name__[-4:].lstrip('_')}"))
    assert set(files) == {"农村公路养护", "城市道路照明维护"}  # the 部门合计 line is no project
    for name, rows in (("农村公路养护", ROAD), ("城市道路照明维护", LIGHTS)):
        path, data = files[name]
        assert data["表样"] == "一体化2021"
        # every cell in its own field, in the source's order (the categories are not interleaved)
        assert rows_of(data) == source_rows(rows)
        body = json.loads((site / "output/2023" / f"{data['id']}.json").read_text(encoding="utf-8"))
        published = rows_of(body)
        assert [(r["指标性质"], r.get("度量单位"), r["权重"], r["指标方向"]) for r in published] == \
            [(r[7], r[9], r[10], r[11].removesuffix("指标")) for r in rows]  # amounts are exact: text
    path, data = files["农村公路养护"]
    assert data["资金"]["资金总额"] == "100"
    equal = rows_of(data)[2]
    assert (equal["三级指标"], equal["指标性质"], equal["指标值"]) == ("桥梁定期检查", "=", "4")  # = is kept
    said = notes(path)
    assert any("是合计行" in n and "部门合计" in n and ":10 " in n for n in said), said  # the line is named
    assert not any("未导入" in n and "合计" not in n for n in said), said


def test_an_approval_table_with_scores_bands_and_its_budget_row(site: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "单位名称", "预算数（万元）", "年度目标", "一级指标", "二级指标", "三级指标", "指标值", "分值", "指标解释"])
    project = ["农村公路养护", "某县公路管理段", "100", "完成全县农村公路日常养护。"]
    grid = [
        ["成本指标(0-20)分"],
        [None, "经济成本指标", "养护成本", "≤100万元", "20", "养护经费控制在预算内"],
        ["产出指标(40-50)分"],
        [None, "数量指标", "养护里程", "≥120公里", "30", "全年完成养护的公路里程"],
        [None, "质量指标", "路面完好率", "≥90%", "20", "路面完好的里程占比"],
        ["效益指标(10-20)分"],
        [None, "社会效益指标", "群众出行便利度", "显著提升", "10", "群众出行更加便利"],
        ["满意度指标(10分)"],
        [None, "服务对象满意度指标", "沿线群众满意度", "≥90%", "10", "问卷调查的满意比例"],
        ["预算执行 10分"],
    ]
    for index, row in enumerate(grid):
        sheet.append([*(project if index == 0 else [None] * 4), *row])
    for col in "ABCD":
        sheet.merge_cells(f"{col}2:{col}{1 + len(grid)}")
    for number, row in enumerate(grid, start=2):
        if len(row) == 1:  # a category's header, and 预算执行's row, span the grid
            sheet.merge_cells(f"E{number}:J{number}")
    book.save(site / "review.xlsx")
    files, report = round_trip(site, site / "review.xlsx")
    ((path, data),) = files.values()
    assert data["表样"] == "评审" and data["预算执行"] == "10"
    assert list(data["绩效指标"]) == ["成本指标(0-20)分", "产出指标(40-50)分", "效益指标(10-20)分", "满意度指标(10分)"]
    assert data["绩效指标"]["产出指标(40-50)分"]["数量指标"] == [
        {"三级指标": "养护里程", "指标值": "≥120公里", "分值": "30", "指标解释": "全年完成养护的公路里程"}]
    assert len(rows_of(data)) == 5  # the header rows and 预算执行's are no indicator rows
    said = notes(path)
    assert any("预算执行 10分" in n and "记为预算执行 10" in n for n in said), said
    assert any("「产出指标(40-50)分」" in n and "按「产出」核对" in n for n in said), said
    assert not any("沿用上一行" in n for n in said), said  # the rows under a category's header row are its rows
    body = json.loads((site / "output/2023" / f"{data['id']}.json").read_text(encoding="utf-8"))
    assert body["预算执行"] == "10" and [r["分值"] for r in rows_of(body)] == ["20", "30", "20", "10", "10"]


def test_traditional_script_headers_and_categories(site: Path):
    (site / "content/site.yaml").write_text(SITE, encoding="utf-8")  # classic profile and form
    lines = ["項目名稱,單位名稱,預算數（萬元）,年度目標,一級指標,二級指標,三級指標,指標值,說明",
             "道路清掃,某縣環衛所,10,保持城區道路清潔。,產出指標,數量指標,清掃面積,≥20萬平方米,",
             ",,,,,時效指標,完成時限,2023年12月31日,",
             ",,,,,成本指標,清掃經費,≤10萬元,含人工",
             ",,,,滿意度指標,服務對象滿意度指標,居民滿意度,≥90%,"]
    (site / "trad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    files, report = round_trip(site, site / "trad.csv")
    ((path, data),) = files.values()
    assert "表样" not in data  # the classic columns: imported as every table was before
    assert data["资金"]["资金总额"] == "10" and "元，已换算" not in path.read_text(encoding="utf-8")  # 萬元 is 万元
    assert list(data["绩效指标"]) == ["產出指標", "滿意度指標"]  # as the source wrote them
    assert data["绩效指标"]["產出指標"]["成本指標"] == [{"三级指标": "清掃經費", "指标值": "≤10萬元", "说明": "含人工"}]
    said = notes(path)
    for name, canon in (("產出指標", "产出"), ("數量指標", "数量"), ("滿意度指標", "满意度"), ("服務對象滿意度指標", "服务对象满意度")):
        assert any(f"类别「{name}」（繁体字）按「{canon}」核对" in n for n in said), (name, said)


def test_a_category_the_source_returns_to_is_reported(site: Path):
    lines = [",".join(HEADER),
             "巡查经费,某县城管局,100000,开展巡查。,产出指标,数量指标,巡查次数,≥,12,次,30,正向",
             ",,,,产出指标,质量指标,巡查覆盖率,≥,90,%,30,正向",
             ",,,,产出指标,数量指标,整改次数,≥,4,次,40,正向"]
    (site / "back.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", "back.csv", "--year", "2023", cwd=site)
    assert result.returncode == 0, result.stderr
    ((path, data),) = written(site).values()
    assert [r["三级指标"] for r in rows_of(data)] == ["巡查次数", "整改次数", "巡查覆盖率"]  # the nesting regroups them
    assert any("back.csv:4 又回到「产出指标 / 数量指标」" in n for n in notes(path)), notes(path)


def grid_of(*rows: list[str | None]) -> list[list]:
    from perfsite.importers.cells import Cell

    return [[Cell(c) for c in row] for row in rows]


@pytest.mark.parametrize("cells, field, value, said", [
    ({"指标性质": "定量"}, "指标性质", None, "原表指标性质为「定量」，没有写比较符"),
    ({"指标性质": "大於等於"}, "指标性质", "≥", None),  # Traditional script, the model's symbol
    ({"指标性质": "大约"}, "指标性质", "大约", None),  # kept, so that check names it (E027)
    ({"权重": "20%"}, "权重", "20", None),
    ({"分值": "10分"}, "分值", "10", None),
    ({"是否核心指标": "是"}, "核心指标", "★", "记为 ★"),
    ({"核心指标": "★★★"}, "核心指标", "★★★", None),
    ({"指标解释": "路面完好的里程占比", "取值依据": "行业标准"}, "取值依据", "行业标准", None),
])
def test_each_column_is_read_into_its_field(cells: dict[str, str], field: str, value: str | None, said: str | None):
    from perfsite.importers.export import import_grid

    header = ["项目名称", "单位名称", "一级指标", "二级指标", "三级指标", "指标值", *cells]
    (item,) = import_grid(grid_of(header, ["某项目", "某单位", "产出指标", "数量指标", "巡查次数", "12", *cells.values()]),
                          "t.csv", 2023)
    row = item.data["绩效指标"]["产出指标"]["数量指标"][0]
    assert row.get(field) == value
    found = [g.message for g in item.guesses if g.path[:1] == ("绩效指标",)]
    assert (said is None and found == []) or any(said in g for g in found), found


def test_a_total_line_before_the_first_project_is_said_on_it():
    from perfsite.importers.export import import_grid

    (item,) = import_grid(grid_of(["项目名称", "一级指标", "二级指标", "三级指标", "指标值", "预算数"],
                                  ["合计", None, None, None, None, "100"],
                                  ["某项目", "产出指标", "数量指标", "巡查次数", "≥12次", "100"]), "t.csv", 2023)
    assert any(g.message.startswith("t.csv:2 是合计行（「合计 100」）") for g in item.guesses)
    assert "表样" not in item.data  # classic columns: no 表样, as before


def test_a_folded_value_keeps_its_equals_sign():
    from perfsite.importers.fields import compose_value

    assert compose_value("=", "4", "次") == "=4次" and compose_value("等于", "100", "%") == "=100%"
    assert compose_value("定性", "良好", None) == "良好"


@pytest.mark.parametrize("row, points, said", [
    (["预算执行", None, None, None, "10分", None], "10", "记为预算执行 10（不是指标行）"),  # its points in the 分值 column
    (["预算执行(10分)", None, "预算执行率", "100%", None, None], "10",
     "该行的三级指标「预算执行率」、指标值「100%」未导入"),  # what else it holds is said
    (["预算执行", None, None, None, None, None], None, "但没有分值，未导入"),
])
def test_a_budget_row_gives_the_project_its_points(row: list, points: str | None, said: str):
    from perfsite.importers.export import import_grid

    header = ["项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值", "指标解释"]
    (item,) = import_grid(grid_of(header, ["某项目", "产出指标", "数量指标", "巡查次数", "≥12次", "90", None],
                                  [None, *row]), "t.csv", 2023)
    assert item.data.get("预算执行") == points and len(item.data["绩效指标"]["产出指标"]["数量指标"]) == 1
    assert any(said in g.message for g in item.guesses), [g.message for g in item.guesses]
