"""指标值 notations from the seed and DOMAIN.md → structured values; raw text always kept."""

import datetime as dt
from decimal import Decimal

import pytest

from perfsite.values import parse


@pytest.mark.parametrize("raw, comparator, number, unit", [
    ("每周≥7次", "≥", "7", "次"),
    ("≤10.38万", "≤", "10.38", "万"),
    ("≤9.9万元", "≤", "9.9", "万元"),
    ("100%", None, "100", "%"),
    ("≥各4次/年", "≥", "4", "次/年"),
    ("比例要达≥70%。", "≥", "70", "%"),
    ("95%以上", "≥", "95", "%"),
    ("事项压缩至80项以内", "≤", "80", "项"),
    ("≥100人次", "≥", "100", "人次"),
    ("建材消纳≥35万吨", "≥", "35", "万吨"),
    ("1位持证律师", None, "1", "位"),
    ("＞＝９０％", "≥", "90", "%"),
    (">=90%", "≥", "90", "%"),
    ("≤1,000元/亩", "≤", "1000", "元/亩"),
])
def test_quantities(raw, comparator, number, unit):
    value = parse(raw)
    assert value.raw == raw
    assert (value.kind, value.comparator, value.number, value.unit) == ("quantity", comparator, Decimal(number), unit)


@pytest.mark.parametrize("raw, date", [
    ("2022年12月31日", dt.date(2022, 12, 31)),
    ("2022年底前", dt.date(2022, 12, 31)),
    ("2022年6月底", dt.date(2022, 6, 30)),
    ("2023-06-30", dt.date(2023, 6, 30)),
])
def test_dates(raw, date):
    value = parse(raw)
    assert (value.kind, value.date) == ("date", date)


@pytest.mark.parametrize("raw", ["良好", "全覆盖", "重特大事故零次", "审计报告",
                                 "推进市政基础设施新增和改造城镇道路≥50公里、停车位≥5000个, 新增城市绿地30公顷。"])
def test_qualitative_and_compound_values_stay_text(raw):
    value = parse(raw)
    assert value.kind == "text" and value.number is None and value.raw == raw


@pytest.mark.parametrize("raw", ["≥**个", "(≥**%)", "≥＊＊人"])
def test_template_placeholders(raw):
    assert parse(raw).kind == "placeholder"


def test_money_in_wan_yuan():
    assert parse("≤10.38万").wan_yuan == Decimal("10.38")
    assert parse("≤5000元").wan_yuan == Decimal("0.5")
    assert parse("100%").wan_yuan is None
    assert parse("≤30元/亩").wan_yuan is None
