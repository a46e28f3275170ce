"""Figures are shown exactly as a reader writes them."""
import pytest

from kg.explore.display import format_figure, format_metric, plain, to_decimal


@pytest.mark.parametrize(
    "value_text, unit, shown",
    [
        ("5776000000", "元", "57.76亿元"),
        ("470100", "人次", "47.01万人次"),
        ("40.84", "%", "40.84%"),
        ("127800000", "元", "1.278亿元"),
        ("27000000", "元", "2700万元"),
        ("16000", "张", "1.6万张"),
        ("0", "元", "0元"),
        ("-2060000", "元", "-206万元"),
        ("-5.5", "%", "-5.5%"),
        ("5000", "元", "5000元"),
        ("10000", "户", "1万户"),
        ("768000", "户", "76.8万户"),
        ("100000000", "元", "1亿元"),
        ("123456789", "元", "1.23456789亿元"),
        ("1200000000000", "元", "1.2万亿元"),
        ("707", "%", "707%"),
        ("2023", "年", "2023年"),
        ("3.50", "倍", "3.5倍"),
        ("12", "", "12"),
    ],
)
def test_format_figure(value_text, unit, shown):
    assert format_figure(value_text, unit) == shown


def test_unit_with_scale_prefix_is_folded_back():
    assert format_figure("2700", "万元") == "2700万元"
    assert format_figure("57.76", "亿元") == "57.76亿元"
    assert format_figure("0.5", "万元") == "5000元"


def test_exact_not_float():
    # 0.1 + 0.2 style float noise must never show up.
    assert format_figure("30000000.3", "元") == "3000.00003万元"
    assert format_figure(None, "元", value=5776000000) == "57.76亿元"


def test_missing_or_bad_number():
    assert format_figure(None, "元") == ""
    assert format_figure("abc", "元") == ""
    assert to_decimal("abc", 12) == 12
    assert format_metric({"value_text": None, "value": None, "text": "若干"}) == "若干"
    assert format_metric({"value_text": "470100", "unit": "人次"}) == "47.01万人次"


def test_plain_has_no_exponent():
    from decimal import Decimal

    assert plain(Decimal("1E+2")) == "100"
    assert plain(Decimal("-0.0")) == "0"
    assert plain(Decimal("57.7600")) == "57.76"
