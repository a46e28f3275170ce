"""Dates and periods as papers write them, normalised for `as_of`.

2023年3月25日 → 2023-03-25, 2022年10月 → 2022-10, 2022年末 → 2022,
3月25日 → 03-25 (the year is left open when the text leaves it open), 4月底 → 4月底,
第二届 → 第二届.
"""
from __future__ import annotations

import re

DATE = re.compile(
    r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?|(?P<q>末|底|初|全年|上半年|下半年|前三季度|一季度|二季度|三季度|四季度)?)"
    r"|(?P<m2>\d{1,2})月(?P<d2>\d{1,2})[日号]"
    r"|(?P<m3>\d{1,2})月(?P<q3>底|末|初|中旬|上旬|下旬)"
    r"|(?P<nth>第[一二三四五六七八九十百\d]+(?:届|期|季))"
)


def as_of(match: re.Match) -> str:
    g = match.groupdict()
    if g["y"]:
        if g["m"]:
            out = f"{g['y']}-{int(g['m']):02d}"
            return out + (f"-{int(g['d']):02d}" if g["d"] else "")
        return g["y"]
    if g["m2"]:
        return f"{int(g['m2']):02d}-{int(g['d2']):02d}"
    if g["m3"]:
        return f"{int(g['m3'])}月{g['q3']}"  # a period without a year: kept as written
    return g["nth"]


def find_dates(text: str):
    """(start, end, as_of) of every date or period in text."""
    return [(m.start(), m.end(), as_of(m)) for m in DATE.finditer(text)]
