"""The shipped example self-evaluations (content/2022/自评/, issue 22): each is a valid 自评表 of its
2022 target table, row for row by name, its arithmetic whole, and marked as perfsite's example."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfsite.evaluation import DEFAULT_WEIGHTS, build_evaluation, grade, rate
from perfsite.model import build_project
from perfsite.source import load_file
from perfsite.scoring import weight_key
from perfsite.taxonomy import PROFILES

from conftest import CONTENT, ROOT, run_cli

YEAR = CONTENT / "2022"
IDS = sorted(p.stem for p in YEAR.glob("*.yaml"))
NOTE = "本表是 perfsite 的填写样例（根据 2022 年目标表编写），不是黔南州住房和城乡建设局公开的自评表"


def _pair(ident: str):
    source, diags = load_file(YEAR / "自评" / f"{ident}.yaml", ident)
    evaluation, more = build_evaluation(source)
    assert evaluation is not None and diags + more == [], diags + more
    source, _ = load_file(YEAR / f"{ident}.yaml", ident)
    target, _parts, diags = build_project(source)
    assert target is not None, diags
    return evaluation, target


def test_every_shipped_project_has_an_example_self_evaluation():
    assert len(IDS) == 5 and sorted(p.stem for p in (YEAR / "自评").glob("*.yaml")) == IDS


@pytest.mark.parametrize("ident", IDS)
def test_an_example_is_its_targets_table_row_for_row_and_says_it_is_an_example(ident: str):
    evaluation, target = _pair(ident)
    assert (evaluation.id, evaluation.year, evaluation.name) == (target.id, target.year, target.name)
    assert [(a, b, r.name) for a, b, _, r in evaluation.rows()] == [(a, b, r.name) for a, b, _, r in target.rows()]
    assert all(r.target is None for *_, r in evaluation.rows())  # 年度指标值 is the target table's
    assert evaluation.outcome.expected is None and len(evaluation.outcome.achieved) == len(target.goals)
    assert evaluation.funds.total.budget == evaluation.funds.total.initial == target.funds.total  # no adjustment
    assert evaluation.note == NOTE
    head = (YEAR / "自评" / f"{ident}.yaml").read_text(encoding="utf-8").splitlines()[:2]
    assert all(line.startswith("#") for line in head) and "样例" in head[0] and "不是黔南州住房和城乡建设局公开的" in head[1]


@pytest.mark.parametrize("ident", IDS)
def test_an_examples_arithmetic_holds(ident: str):
    evaluation, _target = _pair(ident)
    funds = evaluation.funds
    for line in (funds.total, funds.fiscal):
        assert line.rate == rate(line.budget, line.spent)
    points = {"预算执行": funds.points}
    for level1, _l2, _i, row in evaluation.rows():
        assert 0 <= row.score <= row.points
        assert row.score == row.points or row.reason  # points taken off only with a 偏差原因
        points[weight_key(level1, PROFILES["classic"], DEFAULT_WEIGHTS)] = points.get(weight_key(level1, PROFILES["classic"], DEFAULT_WEIGHTS), 0) + row.points
    assert points == DEFAULT_WEIGHTS
    assert evaluation.total == funds.score + sum(r.score for *_, r in evaluation.rows())
    assert evaluation.grade == grade(evaluation.total)


def test_the_examples_show_what_a_self_evaluation_meets():
    """Two projects fall short of an indicator and say why; one spent under 90 % of its budget."""
    short = {ident for ident in IDS if any(r.reason for *_, r in _pair(ident)[0].rows())}
    assert short == {"chengjian-zhifa", "cunzhen-jianshe"}
    rates = {ident: _pair(ident)[0].funds.total.shown_rate for ident in IDS}
    assert [i for i, r in rates.items() if r < 90] == ["zhufang-sangai"] and rates["zhufang-sangai"] == Decimal("84.12")


def test_the_examples_are_in_fmts_canonical_form():
    result = run_cli("fmt", "--check", "content/2022/自评", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
