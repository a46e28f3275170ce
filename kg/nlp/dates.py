"""Dates and periods as papers write them, and the sortable `as_of` they stand for.

Two steps, so that the words a page uses are never lost:

- `find_dates(text)` finds the expressions (2022年末, 截至3月25日's 3月25日,
  今年前三季度, 9月末, 今年1—10月, 第二届) and returns the text's own words;
  the metric finder keeps the nearest one as a figure's `as_of` words.
- `resolve(words, doc_date)` turns them into a sortable value, using the
  document's date (`document_date`) for what the text leaves open (今年,
  3月25日). It never adds precision the text does not give: 今年3月 is the
  month 2023-03, not the day 2023-03-31.

The values (docs/FORMAT.md): `2023` a year, `2023-03` a month,
`2023-03-25` a day, `2023-Q3` a quarter, `2023-H1` a half year,
`2023-Q1..Q3` and `2023-01..10` runs of quarters and months; an end (年末,
9月末, 10月底) is its period, a part of a month (上旬) its month. Every
value starts with its year, so sorting the text sorts by year first. None
when the words name no calendar period (第二届) or the year cannot be known
(3月25日 in a document without a date).
"""
from __future__ import annotations

import datetime as _dt
import re

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_RELATIVE = {"今年": 0, "本年": 0, "年初以来": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_DASH = "[-—–~～至到]"

# One expression: an optional year (written or relative) and a part of it; a
# year alone is an expression too (the conditional lets it end there).
DATE = re.compile(
    r"(?P<yr>(?<!\d)(?P<y>\d{4})年|(?P<rel>今年|本年|去年|上年|前年|明年))?"
    r"(?:"
    rf"(?<!\d)(?P<m1>\d{{1,2}})(?:月份?)?{_DASH}(?P<m2>\d{{1,2}})月份?(?!\d|[日号])"
    r"|(?<![\d.个])(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号]|(?P<mq>底|末|初|上旬|中旬|下旬))?(?![\d个])"
    r"|前(?P<fq>[一二两三])个?季度"
    r"|第?(?P<q>[一二三四1-4])季度"
    r"|(?P<half>上半年|下半年)"
    r"|(?P<ye>年?末|年?底|全年|以来)"
    r"|(?(yr)|(?!))"
    r")"
    r"|(?P<since>年初以来)"
    r"|(?P<nth>第[一二三四五六七八九十百\d]+(?:届|期))"
)


# Where an expression can start; DATE is tried only there (most characters of a
# page start none, and the full pattern is slow to try everywhere).
_DATE_START = re.compile(r"[0-9今本去上前明第下年末底全以一二三四]")


def _expressions(text):
    pos = 0
    for c in _DATE_START.finditer(text):
        if c.start() < pos:
            continue
        m = DATE.match(text, c.start())
        if m is None or m.end() == m.start():
            continue
        pos = m.end()
        if m.group("ye") and not m.group("yr"):
            continue  # 年末 with no year before it: no date of its own
        yield m


def find_dates(text: str):
    """(start, end, words) of every date or period in text, words as written.

    A bare 今年 after a dated expression in the same sentence (截至3月25日，
    该行今年新增…) only says the figure counts from January: the date before
    it stays the figure's date, so the 今年 is not reported on its own.
    """
    found = []
    for m in _expressions(text):
        g = m.groupdict()
        bare_year = (g["rel"] and not any(g[k] for k in ("m1", "m", "fq", "q", "half"))) or g["since"]
        if bare_year and found:
            start, end, _, dated = found[-1]
            if dated and not re.search(r"[。！？；!?;\n]", text[end:m.start()]):
                continue
        dated = bool(g["m"] or g["m1"])
        found.append((m.start(), m.end(), m.group(), dated))
    return [(s, e, words) for s, e, words, _ in found]


def _valid(year, month, day=1) -> bool:
    try:
        _dt.date(year, month, day)
        return True
    except ValueError:
        return False


def _period_end(year: int, month: int, day: int | None) -> _dt.date:
    if day:
        return _dt.date(year, month, day)
    nxt = _dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - _dt.timedelta(days=1)


# A paper reports what has happened, and sometimes what is due soon: a date
# without a year is the latest one that ends no later than this many days
# after the document's date.
AHEAD_DAYS = 62


def _year_for(doc: _dt.date, month: int, day: int | None) -> int | None:
    """The year of (month, day) in a document dated doc: a January paper's 12月
    is last December, a November paper's 12月底 this one's, its 3月25日 this
    March's."""
    for year in (doc.year + 1, doc.year, doc.year - 1):
        if _valid(year, month, day or 1) and (_period_end(year, month, day) - doc).days <= AHEAD_DAYS:
            return year
    return None


def parse_date(text) -> _dt.date | None:
    """YYYY-MM-DD (or YYYYMMDD) as a date; None when it is not one."""
    m = re.fullmatch(r"\s*(\d{4})-?(\d{2})-?(\d{2})\s*", str(text or ""))
    if not m or not _valid(*map(int, m.groups())):
        return None
    return _dt.date(*map(int, m.groups()))


def resolve(words, doc_date=None) -> str | None:
    """The sortable as_of of `words` (from find_dates) in a document dated doc_date."""
    if not words:
        return None
    m = DATE.fullmatch(str(words))
    if m is None:
        return None
    g = m.groupdict()
    doc = doc_date if isinstance(doc_date, _dt.date) else parse_date(doc_date)
    if g["nth"]:
        return None
    if g["y"]:
        year = int(g["y"])
    elif g["rel"] or g["since"]:
        if doc is None:
            return None
        year = doc.year + _RELATIVE[g["rel"] or g["since"]]
    else:
        year = None  # the text leaves the year open

    def in_year(month, day=None):
        nonlocal year
        if year is None:
            if doc is None:
                return None
            year = _year_for(doc, month, day)
        return year if year is not None and _valid(year, month, day or 1) else None

    if g["m1"]:
        first, last = int(g["m1"]), int(g["m2"])
        if not (1 <= first < last <= 12) or in_year(last) is None:
            return None
        return f"{year}-{first:02d}..{last:02d}"
    if g["m"]:
        month, day = int(g["m"]), int(g["d"]) if g["d"] else None
        if in_year(month, day) is None:
            return None
        return f"{year}-{month:02d}" + (f"-{day:02d}" if day else "")
    if g["fq"]:
        last = _CN[g["fq"]]
        if in_year(last * 3) is None:
            return None
        return f"{year}-Q1..Q{last}" if last > 1 else f"{year}-Q1"
    if g["q"]:
        quarter = _CN[g["q"]]
        if in_year(quarter * 3) is None:
            return None
        return f"{year}-Q{quarter}"
    if g["half"]:
        half = 1 if g["half"] == "上半年" else 2
        if in_year(half * 6) is None:
            return None
        return f"{year}-H{half}"
    return str(year) if year is not None else None


# A date in a file name: 2023-03-28, 2023_03_28, 2023.03.28 or 20230328,
# not inside a longer run of digits (a hash such as 09546977 is no date).
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})([-_.]?)(\d{2})\2(\d{2})(?!\d)")


def date_in_name(name) -> str | None:
    """The first valid date in a file name, as YYYY-MM-DD; None when it has none."""
    for m in _NAME_DATE.finditer(str(name)):
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if _valid(year, month, day):
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None
