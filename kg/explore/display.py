"""Figures written the way a Chinese reader writes them: 5776000000 元 → 57.76亿元.

Exact: the value is taken from `value_text` as a Decimal and only shifted by
powers of ten, so nothing is rounded away (1.23456789亿元 stays as it is).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Units that are not counts of things: scaling 40.84% into 万 would be nonsense.
UNSCALED_UNITS = frozenset(
    {"%", "‰", "个百分点", "百分点", "倍", "位", "年", "岁", "天", "日", "月", "个月", "小时", "分钟", "秒"}
)

# Largest first: a reader writes 1.2万亿元, 57.76亿元, 206万元, 5000元.
_SCALES = ((Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
_PREFIXES = (("万亿", Decimal(10) ** 12), ("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4))


def to_decimal(value_text, value=None) -> Decimal | None:
    """The exact number: `value_text` when it parses, else the JSON `value`, else None."""
    for candidate in (value_text, value):
        if candidate is None or isinstance(candidate, bool):
            continue
        try:
            number = Decimal(str(candidate).strip().replace(",", ""))
        except InvalidOperation:
            continue
        if number.is_finite():
            return number
    return None


def plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 57.7600 → 57.76, 1E+2 → 100."""
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_figure(value_text, unit=None, value=None) -> str:
    """57.76亿元 for ("5776000000", "元"); "" when there is no number at all.

    A unit that already carries 万/亿 (万元) is folded back into base units first,
    so 2700 万元 and 27000000 元 both read 2700万元.
    """
    number = to_decimal(value_text, value)
    if number is None:
        return ""
    unit = (unit or "").strip()
    if unit not in UNSCALED_UNITS:
        for prefix, factor in _PREFIXES:
            if unit.startswith(prefix) and len(unit) > len(prefix) and unit[len(prefix):] not in UNSCALED_UNITS:
                number, unit = number * factor, unit[len(prefix):]
                break
        for factor, word in _SCALES:
            if abs(number) >= factor:
                return f"{plain(number / factor)}{word}{unit}"
    return f"{plain(number)}{unit}"


def format_metric(metric: dict) -> str:
    """A metric dict (record or graph node) as a reader writes it, falling back to its text."""
    shown = format_figure(metric.get("value_text"), metric.get("unit"), metric.get("value"))
    return shown or (metric.get("text") or "")
