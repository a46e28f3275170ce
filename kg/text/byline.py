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
# A byline set on its own line without a mark: a reporter's role, then names apart
# (本报记者 杜明远 通讯员 韦 晓) and nothing a sentence would hold.
ROLE_BYLINE = re.compile(r"^(?:本报|特约|实习|见习)?(?:记者|通讯员)[ \t\u3000]+[^\s，。！？；：,.!?;:]{1,8}"
                         r"(?:[ \t\u3000]+[^\s，。！？；：,.!?;:]{1,8})*$")


def byline_parts(body: str, titles=(), surnames=()) -> list[tuple[int, str]]:
    """(offset, part) for each space-separated part of a byline body, single letters rejoined.

    A run of single letters (刘 洋, 阎 文 静, 王 强 李 明) is one name of up to three
    letters, or names of two and three letters, those starting with a surname
    (`surnames`, if given) preferred where the run could be cut either way.
    """
    parts: list[list] = []  # [offset, part, made of single letters]
    run: list = []  # (offset, letter) of single letters one space apart

    def flush():
        for at, size in _cut(run, surnames):
            parts.append([run[at][0], "".join(ch for _, ch in run[at:at + size]), True])
        run.clear()

    for m in re.finditer(r"\S+", body):
        if len(m.group()) == 1:
            if run and run[-1][0] + 2 != m.start():
                flush()
            run.append((m.start(), m.group()))
            continue
        flush()
        parts.append([m.start(), m.group(), False])
    flush()
    # A last part of one character ends the name before it, broken at a line end
    # (□许小 / 敏, 摄影报 / 道): no name is one character long.
    if len(parts) >= 2 and len(parts[-1][1]) == 1 and not parts[-2][2] and 2 <= len(parts[-2][1]) <= 3:
        parts[-2][1] += parts.pop()[1]
    title_set = set(titles)
    return [(off, part) for off, part, _ in parts if part not in title_set]


def _cut(run, surnames) -> list[tuple[int, int]]:
    """(start, size) of the names in a run of letters: one name up to three letters; a
    longer run in names of two and three letters, as many starting with a surname as can."""
    n = len(run)
    if n <= 3:
        return [(0, n)] if n else []
    best = {0: (0, 0, [])}  # letters used → (names starting with a surname, two-letter names, cuts)
    for at in range(n):
        if at not in best:
            continue
        score, twos, cuts = best[at]
        for size in (2, 3):
            if at + size > n:
                continue
            cand = (score + (run[at][1] in surnames), twos + (size == 2), cuts + [(at, size)])
            if at + size not in best or cand[:2] > best[at + size][:2]:
                best[at + size] = cand
    return best[n][2] if n in best else [(0, n)]
