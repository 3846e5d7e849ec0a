"""The number grammar: finding spans and resolving values, tested separately."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.numbers import find_quantities, grammar, magnitude_of, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3,569.7", 3569.7),
        ("7.7", 7.7),
        ("三千五百万", 35_000_000),
        ("百亿", 1e10),
        ("十二", 12),
        ("两", 2),
        ("二十五", 25),
        ("一百零五", 105),
        ("万亿", 1e12),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(("text", "factor"), [("万", 1e4), ("亿", 1e8), ("万亿", 1e12), ("千万", 1e7), (None, 1)])
def test_magnitude(text, factor):
    assert magnitude_of(text) == factor


@pytest.mark.parametrize(
    ("text", "span", "value", "high", "unit", "tail"),
    [
        ("地区生产总值3569.7亿元", "3569.7亿元", 356_970_000_000, None, "元", None),
        ("城镇新增就业7.7万人", "7.7万人", 77_000, None, "人", None),
        ("整治沟渠5000多公里", "5000多公里", 5000, None, "公里", "more_than"),
        ("文化活动1.2万余场", "1.2万余场", 12_000, None, "场", "more_than"),
        ("增长7%—7.5%", "7%—7.5%", 7, 7.5, "%", None),
        ("增长6%-6.5%", "6%-6.5%", 6, 6.5, "%", None),
        ("增长8—8.5%", "8—8.5%", 8, 8.5, "%", None),
        ("增长6.5%至7%", "6.5%至7%", 6.5, 7, "%", None),
        ("两到三万人", "两到三万人", 20_000, 30_000, "人", None),
        ("提高7.3个百分点", "7.3个百分点", 7.3, None, "百分点", None),
        ("百分之五", "百分之五", 5, None, "%", None),
        ("三成", "三成", 30, None, "%", None),
        ("翻一番", "翻一番", 2, None, "倍", None),
        ("翻了两番多", "翻了两番多", 4, None, "倍", "more_than"),
        ("居第66位", "第66位", 66, None, "位", None),
        ("进出口1.76万亿美元", "1.76万亿美元", 1.76e12, None, "美元", None),
        ("装备行业收入超万亿元", "万亿元", 1e12, None, "元", None),
        ("五年新增790万城镇人口", "790万", 7_900_000, None, "人", None),
        ("资金37.77 亿元", "37.77 亿元", 3_777_000_000, None, "元", None),
        (
            "粮食产量１２３４万吨".translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}),
            "1234万吨",
            12_340_000,
            None,
            "吨",
            None,
        ),
    ],
)
def test_find_and_resolve(text, span, value, high, unit, tail):
    [q] = find_quantities(text)
    assert text[q.start : q.end] == span
    assert q.value == pytest.approx(value)
    assert q.value_high == (pytest.approx(high) if high is not None else None)
    assert (q.unit, q.tail_qualifier) == (unit, tail)


@pytest.mark.parametrize("text", ["2025年2月9日", "第十四届", "十四五规划", "1+6+5", "5G-A", "110千伏", "G230国道"])
def test_not_quantities_for_the_grammar(text):
    # the grammar finds nothing in dates, ordinals, plan names, codes (context rules handle the rest)
    assert [text[q.start : q.end] for q in find_quantities(text) if q.kind != "amount" or q.unit != "个"] == []


def test_fragments_are_composed_by_name():
    import regex

    fragments = grammar()
    assert not regex.search(r"\{[a-z_]+\}", fragments["quantity"])  # every {name} was expanded
    assert "(?P<num>" in fragments["quantity"] and "个百分点" in fragments["quantity"]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=200))
def test_find_never_raises_and_spans_hold(text):
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert q.value == q.value  # not NaN


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [("亿元", 1e8, "元"), ("万人", 1e4, "人"), ("%", 1, "%"), ("公里", 1, "公里"), ("万吨", 1e4, "吨")]
    ),
)
def test_arabic_amounts_round_trip(number, unit):
    surface, factor, canonical = unit
    text = f"增长{number}{surface}"
    [q] = find_quantities(text)
    assert q.unit == canonical
    assert q.value == pytest.approx(float(number) * factor, rel=1e-9)
