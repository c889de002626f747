"""`perfsite new YEAR NAME` follows the year's 表样 (issue 19): a row has the columns of that
year's form, placeholders where only the filer knows, refused (E029) until filled, valid once filled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfsite.model import PLACEHOLDERS

from conftest import run_cli
from test_diff import _placeholders_in

SITE = ("网站名称: 测试网站\n发布单位: 某县交通运输局\n网址: https://example.gov.cn/jxmb/\n"
        "指标体系:\n  默认: '2021'\n表样:\n  默认: {form}\n"
        "公开:\n  年度:\n" + "".join(f"    '{year}': {{{{批复日期: {year}-01-20, 公开日期: {year}-02-05}}}}\n"
                                        for year in (2023, 2024)))
# The keys of each new row, in order: the form's columns in the model's order, 说明 left out.
ROW_KEYS = {"一体化2021": ["三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向"],
            "评审": ["三级指标", "指标值", "分值", "指标解释"]}


def _site(tmp_path: Path, form: str) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content/site.yaml").write_text(SITE.format(form=form), encoding="utf-8")
    result = run_cli("new", "2023", "农村公路养护", "--id", "gonglu-yanghu", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "content/2023/gonglu-yanghu.yaml"


def _rows(text: str) -> list[list[str]]:
    """Each row's keys, in order."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        match = re.match(r"^      (- |  )([^:]+):", line)
        if match:
            if match[1] == "- ":
                rows.append([])
            rows[-1].append(match[2])
    return rows


def _fill(text: str) -> str:
    """Every placeholder replaced, one by one, by what a filer would write: funds that add up
    (100 = 100 + 0; 100 = 0 + 100), a cost ceiling equal to them, points that with 预算执行's
    10 make 100 (six rows of 15), a name per row."""
    answers = {"amount": iter(["100", "100", "0", "100", "0"]), "goal": iter(["完成农村公路日常养护。"]),
               "value": iter(["100", "120", "90", "95", "90"]), "unit": iter(["公里", "个"]),
               "points": iter(["15"] * 6), "name": iter(f"指标{i}" for i in range(1, 7))}
    for role, values in answers.items():
        placeholder = PLACEHOLDERS[role][0]
        while placeholder in text:
            text = text.replace(placeholder, next(values), 1)
    assert not any(placeholder in text for placeholder, _hint in PLACEHOLDERS.values())
    return text


@pytest.mark.parametrize("form", list(ROW_KEYS))
def test_a_new_project_has_its_years_form_and_passes_check_once_filled(tmp_path: Path, form: str):
    path = _site(tmp_path, form)
    text = path.read_text(encoding="utf-8")
    rows = _rows(text)
    assert len(rows) == 6 and all(keys == ROW_KEYS[form] for keys in rows), rows
    assert "\n预算执行: 10\n绩效指标:\n" in text  # a scored form's 预算执行 row, its usual 10 points
    check = run_cli("check", cwd=tmp_path)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    reported = [tuple(map(int, m)) for m in re.findall(r"gonglu-yanghu\.yaml:(\d+):(\d+): error E029 ", check.stderr)]
    assert sorted(reported) == _placeholders_in(text), check.stderr
    assert re.findall(r"error (E\d+)", check.stderr) == ["E029"] * len(reported)  # nothing else to fix
    path.write_text(_fill(text), encoding="utf-8")
    result = run_cli("check", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_yitihua_row_says_its_comparator_unit_and_direction_by_category(tmp_path: Path):
    """A cost is a ceiling in 万元 (反向), a count a floor whose unit the filer writes, a 时效 date
    has no unit: the filer changes what differs."""
    text = _site(tmp_path, "一体化2021").read_text(encoding="utf-8")
    value, unit = PLACEHOLDERS["value"][0], PLACEHOLDERS["unit"][0]
    assert (f"    经济成本:\n      - 三级指标: {PLACEHOLDERS['name'][0]}\n        指标性质: '≤'\n        指标值: '{value}'\n"
            f"        度量单位: '万元'\n        权重: {PLACEHOLDERS['points'][0]}\n        指标方向: 反向\n") in text
    assert f"指标性质: '≥'\n        指标值: '{value}'\n        度量单位: {unit}\n" in text
    assert "        指标值: '2023年12月31日'\n        度量单位:\n" in text
    check = run_cli("check", cwd=tmp_path).stderr
    assert "「度量单位」还没有填写：「（填写单位）」" in check and "「权重」还没有填写：「（填写分值）」" in check


def test_a_form_with_a_core_column_gets_the_key_and_check_asks_for_a_star(tmp_path: Path):
    path = _site(tmp_path, "[三级指标, 指标性质, 指标值, 度量单位, 权重, 指标方向, 核心指标]")
    text = path.read_text(encoding="utf-8")
    assert all(keys[-1] == "核心指标" for keys in _rows(text))
    path.write_text(_fill(text), encoding="utf-8")
    result = run_cli("check", "--strict", cwd=tmp_path)
    assert result.returncode == 1 and "W004" in result.stderr
    path.write_text(_fill(text).replace("核心指标:\n", "核心指标: ★★★\n", 1), encoding="utf-8")
    assert run_cli("check", "--strict", cwd=tmp_path).returncode == 0


def test_a_filled_yitihua_year_copies_to_the_next_as_it_is(tmp_path: Path):
    path = _site(tmp_path, "一体化2021")
    path.write_text(_fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert run_cli("new", "2024", "--from", "2023", cwd=tmp_path).returncode == 0
    copied = (tmp_path / "content/2024/gonglu-yanghu.yaml").read_text(encoding="utf-8")
    assert copied == path.read_text(encoding="utf-8").replace("年度: 2023", "年度: 2024").replace("2023年12月31日", "2024年12月31日") \
        .replace("（2023 年）", "（2024 年）")
    assert run_cli("check", "--strict", cwd=tmp_path).returncode == 0
    assert run_cli("diff", "2023", "2024", "--exit-code", cwd=tmp_path).returncode == 0
