"""kg.nlp.numbers: exact figures (dates and periods: tests/test_dates.py)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kg.nlp.numbers import NumberError, parse_number, parse_range, to_json_number


@pytest.mark.parametrize("text, expected", [
    ("57.76亿", "5776000000"),
    ("16.4亿", "1640000000"),
    ("3亿", "300000000"),
    ("1.278亿", "127800000"),
    ("2.5万", "25000"),
    ("47.01万", "470100"),
    ("0.03万", "300"),
    ("1.2万亿", "1200000000000"),
    ("3千", "3000"),
    ("5百", "500"),
    ("7.7", "7.7"),
    ("0", "0"),
    ("0.0", "0"),
    ("-5", "-5"),
    ("−2.5", "-2.5"),
    ("+8", "8"),
    ("1,250", "1250"),
    ("12,345,678.9", "12345678.9"),
    ("1，250万", "12500000"),
    ("２０２２", "2022"),
    ("57.76 亿", "5776000000"),
])
def test_arabic_numbers_with_magnitudes_are_exact(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text, expected", [
    ("三千", 3000),
    ("两万", 20000),
    ("一点五", Decimal("1.5")),
    ("十五", 15),
    ("一千二百三十四", 1234),
    ("三万五千", 35000),
    ("二〇二三", 2023),
    ("五亿", 500000000),
    ("一点五亿", 150000000),
    ("零", 0),
])
def test_chinese_numerals(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "  ", "abc", "万元", "12abc", "1.2.3", "1,23", "五星", "--3",
                                  "3亿亿", "第1位", "%"])
def test_garbage_raises_number_error(text):
    with pytest.raises(NumberError):
        parse_number(text)


@pytest.mark.parametrize("text", ["亿", "万", "万亿"])
def test_bare_magnitude_is_not_a_number(text):
    with pytest.raises(NumberError):
        parse_number(text)


def test_percent_written_in_words():
    assert parse_number("百分之五") == Decimal(5)


def test_number_error_is_a_value_error():
    assert issubclass(NumberError, ValueError)


@pytest.mark.parametrize("text, lo, hi", [
    ("1—3", 1, 3),
    ("1-3", 1, 3),
    ("5~8", 5, 8),
    ("3至5亿", 300000000, 500000000),
    ("3亿至5亿", 300000000, 500000000),
    ("2到3万", 20000, 30000),
    ("1.5–2.5", Decimal("1.5"), Decimal("2.5")),
])
def test_ranges(text, lo, hi):
    assert parse_range(text) == (Decimal(lo), Decimal(hi))


@pytest.mark.parametrize("text", ["3", "至5", "1—", "abc至def"])
def test_bad_ranges_raise(text):
    with pytest.raises(NumberError):
        parse_range(text)


def test_to_json_number_gives_int_when_whole_and_exact_float_otherwise():
    assert to_json_number(parse_number("57.76亿")) == 5776000000
    assert isinstance(to_json_number(parse_number("57.76亿")), int)
    assert to_json_number(parse_number("16.4亿")) == 1640000000
    assert to_json_number(Decimal("7.70")) == 7.7
    assert repr(to_json_number(Decimal("40.84"))) == "40.84"
    assert to_json_number(Decimal("0E-8")) == 0


# ------------------------------------------------------------ properties

# Very long digit runs have their own test below (they parse or raise
# NumberError), so the property keeps to shorter runs.
_LONG_RUN = re.compile(rf"[0-9０-９{'零〇○一壹二两贰三叁四肆五伍六陆七柒八捌九玖'}]{{16,}}")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_parse_number_fails_only_with_number_error(text):
    assume(not _LONG_RUN.search(text))
    try:
        value = parse_number(text)
    except NumberError:
        return
    assert isinstance(value, Decimal)
    assert value.is_finite()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,，-+亿万千百一二两三五十点零 ", max_size=15))
def test_parse_number_on_number_like_text(text):
    try:
        parse_number(text)
    except NumberError:
        pass


@pytest.mark.parametrize("text", ["1" + "0" * 28, "1" * 17 + "万亿", "九" * 29])
def test_huge_numbers_parse_or_raise_number_error(text):
    try:
        value = parse_number(text)
    except NumberError:
        return
    assert value > 10 ** 27


MAGS = {"亿": 10 ** 8, "万": 10 ** 4, "万亿": 10 ** 12, "千": 1000, "百": 100, "": 1}


@settings(max_examples=500, deadline=None)
@given(st.decimals(min_value=-10 ** 9, max_value=10 ** 9, places=6, allow_nan=False, allow_infinity=False),
       st.sampled_from(sorted(MAGS)))
def test_decimal_times_magnitude_is_exact(d, mag):
    text = f"{d:f}{mag}"
    assert re.fullmatch(r"-?\d+(\.\d+)?\D*", text)
    assert parse_number(text) == d * MAGS[mag]


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=10 ** 6, places=4, allow_nan=False, allow_infinity=False))
def test_json_number_round_trips(d):
    value = parse_number(f"{d:f}亿")
    assert Decimal(str(to_json_number(value))) == value
