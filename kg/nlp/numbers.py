"""Exact parsing of the figures newspapers write: 57.76亿元, 47.01 万人次, 百分之五, 1—3.

Everything is `decimal.Decimal`: 57.76亿 is 5776000000 exactly, which a float
parser (cn2an gives 16.4亿 → 1639999999) cannot promise.
"""
from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation, localcontext

# Room for any figure a page prints; beyond it a "number" is noise (a digit run).
_CONTEXT = Context(prec=60)
_LIMIT = Decimal(10) ** 40

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# Magnitudes that follow a number: 2.5万, 3亿, 1.2万亿.
MAGNITUDES = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4,
              "千": Decimal(1000), "百": Decimal(100)}

CN_NUMERAL = "零〇○一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟"
ARABIC = r"[-−+]?\d+(?:[,，]\d{3})*(?:\.\d+)?"
CHINESE = rf"[{CN_NUMERAL}]+(?:点[{CN_NUMERAL}]+)?"
NUMBER = rf"(?:{ARABIC}|{CHINESE})"
MAGNITUDE = r"(?:万亿|亿|万|千|百)"
RANGE_SEP = r"(?:—|–|-|~|～|至|到)"

_NUMBER_RE = re.compile(rf"^(?P<num>{NUMBER})(?P<mag>{MAGNITUDE})?$")


class NumberError(ValueError):
    """Text that is not a number this parser understands."""


def _chinese_integer(text: str) -> int:
    """一千二百三十四 → 1234, 二〇二二 → 2022, 十五 → 15, 三万五千 → 35000."""
    if all(ch in DIGITS for ch in text):  # digit by digit: 二〇二二
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, section, current = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (1 if current is None else current) * SMALL_UNITS[ch]
            current = None
        elif ch == "万":
            total += (section + (current or 0)) * 10000
            section, current = 0, None
        elif ch == "亿":
            total = (total + section + (current or 0)) * 10 ** 8
            section, current = 0, None
        else:
            raise NumberError(f"not a Chinese numeral: {text!r}")
    return total + section + (current or 0)


def parse_number(text: str) -> Decimal:
    with localcontext(_CONTEXT):
        value = _parse_number(text)
        if abs(value) >= _LIMIT:
            raise NumberError(f"too large to be a reported figure: {text!r}")
        return normalize(value)


def _parse_number(text: str) -> Decimal:
    """Parse one number with an optional magnitude: '57.76亿' → Decimal('5776000000').

    Accepts Arabic digits (with thousands separators and sign), Chinese
    numerals (三千, 两万, 一点五, 二〇二二) and a trailing 万/亿/万亿/千/百.
    Raises NumberError for anything else.
    """
    s = re.sub(r"\s+", "", str(text)).translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    s = s.replace("−", "-")
    if s.startswith("百分之"):  # 百分之五: the percentage itself, 5
        s = s[3:]
    if not s:
        raise NumberError("empty number")
    m = _NUMBER_RE.match(s)
    if not m:
        # Chinese numerals may carry 万/亿 inside (三万五千); try them whole,
        # but a magnitude alone (万, 亿) is no number.
        if re.fullmatch(rf"[{CN_NUMERAL}万亿]+", s) and re.search(rf"[{CN_NUMERAL}]", s):
            return Decimal(_chinese_integer(s))
        raise NumberError(f"not a number: {text!r}")
    num, mag = m.group("num"), m.group("mag")
    if re.fullmatch(ARABIC, num):
        try:
            value = Decimal(re.sub(r"[,，+]", "", num))
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid digits
            raise NumberError(f"not a number: {text!r}") from exc
    else:
        whole, _, frac = num.partition("点")
        value = Decimal(_chinese_integer(whole))
        if frac:
            if any(ch not in DIGITS for ch in frac):  # 三点十: only single digits follow 点
                raise NumberError(f"not a number: {text!r}")
            value += Decimal("0." + "".join(str(DIGITS[ch]) for ch in frac))
    if mag:
        value *= MAGNITUDES[mag]
    return value


def parse_range(text: str) -> tuple[Decimal, Decimal]:
    """'1—3' → (1, 3); '3至5亿' → (3e8, 5e8): a magnitude at the end applies to both ends."""
    s = re.sub(r"\s+", "", str(text))
    m = re.fullmatch(rf"(?P<a>{NUMBER})(?P<amag>{MAGNITUDE})?{RANGE_SEP}(?P<b>{NUMBER})(?P<bmag>{MAGNITUDE})?", s)
    if not m:
        raise NumberError(f"not a range: {text!r}")
    amag = m.group("amag") or m.group("bmag") or ""
    return parse_number(m.group("a") + amag), parse_number(m.group("b") + (m.group("bmag") or ""))


def normalize(value: Decimal) -> Decimal:
    """Drop exponent noise so 5.776E+9 prints as 5776000000 and 7.70 as 7.7."""
    with localcontext(_CONTEXT):
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


def to_json_number(value: Decimal):
    """An int when whole, else a float whose repr is the same decimal."""
    value = normalize(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)
