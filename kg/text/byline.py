"""Reading a byline: □肖芳 田黎, □记者 刘 洋, □甘肃省分行党委书记、行长 林国华.

Names are separated by spaces, but PDF extraction also puts spaces between
the characters of one name (刘 洋), so runs of single characters are joined
again; job titles (记者, 通讯员) are dropped. What comes before the last name
of a byline with a unit in it (甘肃省分行党委书记、行长) is that name's
unit and title.
"""
from __future__ import annotations

import re

BYLINE_MARKS = "□■▢◻"


def byline_parts(body: str, titles=()) -> list[tuple[int, str]]:
    """(offset, part) for each space-separated part of a byline body, single letters rejoined."""
    parts: list[list] = []
    for m in re.finditer(r"\S+", body):
        if parts and len(m.group()) == 1 and parts[-1][2] and len(parts[-1][1]) < 3 \
                and parts[-1][0] + len(parts[-1][1]) == m.start() - 1:
            parts[-1][1] += m.group()
            continue
        parts.append([m.start(), m.group(), len(m.group()) == 1])
    # A last part of one character ends the name before it, broken at a line end
    # (□许小 / 敏, 摄影报 / 道): no name is one character long.
    if len(parts) >= 2 and len(parts[-1][1]) == 1 and not parts[-2][2] and 2 <= len(parts[-2][1]) <= 3:
        parts[-2][1] += parts.pop()[1]
    title_set = set(titles)
    return [(off, part) for off, part, _ in parts if part not in title_set]
