"""Growing a name leftwards from the suffix that ends it.

Chinese organisation names end in a telling suffix (分公司, 有限公司, 局) but
start wherever the previous phrase ends, with no space between. A name is
grown leftwards over characters that can be inside names, up to punctuation,
and the candidate starts are then the positions after which no stop word
(在, 与, 该, 全, 帮助 …) remains.
"""
from __future__ import annotations

import bisect
import re

_NAME_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9·]")
# After a network's name, the rest of a group company's legal name (中国邮政|速递物流股份有限公司):
# such a company is an organisation of its own (ANNOTATION: 中邮人寿 is a PARTNER), and the
# network's name opens it. Not the group or the bank themselves (集团有限公司, 储蓄银行股份…).
GROUP_COMPANY_REST = re.compile(r"(?!集团|储蓄)(?P<name>[\u4e00-\u9fff]{2,10}?)(?:股份有限公司|有限责任公司|有限公司)")


class Taken:
    """Spans already named, asked whether a new one overlaps them and where the last ended.

    Names are short, so only spans starting within the longest one's length
    before a position can reach it: each question is a bisect, not a scan of
    every name on a page-long Doc.
    """

    def __init__(self, spans=()):
        self.starts: list[int] = []
        self.spans: list[tuple[int, int]] = []
        self.ends: list[int] = []
        self.longest = 0
        for a, b in spans:
            self.add(a, b)

    def add(self, a: int, b: int) -> None:
        k = bisect.bisect_left(self.starts, a)
        self.starts.insert(k, a)
        self.spans.insert(k, (a, b))
        bisect.insort(self.ends, b)
        self.longest = max(self.longest, b - a)

    def overlaps(self, a: int, b: int) -> bool:
        lo = bisect.bisect_left(self.starts, a - self.longest)
        hi = bisect.bisect_left(self.starts, b)
        return any(x < b and a < y for x, y in self.spans[lo:hi])

    def covers(self, pos: int) -> bool:
        return self.overlaps(pos, pos + 1)

    def last_end(self, pos: int) -> int:
        """The latest end at or before pos (0 when none)."""
        k = bisect.bisect_right(self.ends, pos)
        return self.ends[k - 1] if k else 0


class Stops:
    """A set of stop words, checked by every length up to the longest.

    `name_words` (config/name_words.txt) are words that hold a stop character
    and still stand inside names (有限公司, 经济技术开发区): a stop word inside
    one of them is no stop.
    """

    def __init__(self, words, name_words=()):
        self.words = set(words)
        self.max_len = max((len(w) for w in self.words), default=1)
        self.name_words = set(name_words)
        self.name_len = max((len(w) for w in self.name_words), default=0)

    def _protect(self, text: str, protected) -> list:
        if not self.name_words:
            return list(protected)
        spans = list(protected)
        n = len(text)
        for i in range(n):
            for k in range(2, min(self.name_len, n - i) + 1):
                if text[i:i + k] in self.name_words:
                    spans.append((i, i + k))
        return spans

    def inside(self, text: str, protected=()) -> bool:
        """Whether any stop word occurs in `text` outside the `protected` spans."""
        protected = self._protect(text, protected)
        n = len(text)
        for k in range(1, min(self.max_len, n) + 1):
            for i in range(n - k + 1):
                if text[i:i + k] in self.words and not any(a <= i < b for a, b in protected):
                    return True
        return False

    def last_end(self, text: str, protected=()) -> int:
        """Offset just after the last stop word in `text` (0 when none).

        Stop words inside `protected` spans (place names: the 都 of 都匀) do not count.
        """
        protected = self._protect(text, protected)
        best = 0
        n = len(text)
        for k in range(1, min(self.max_len, n) + 1):
            for i in range(n - k, -1, -1):
                if i + k <= best:
                    break
                if text[i:i + k] in self.words and not any(a <= i < b for a, b in protected):
                    best = max(best, i + k)
                    break
        return best


# A number and a measure word: what follows is counted, not named (12家合作社,
# 一个县分公司, 所辖42个网点). COUNT_BEFORE: one ending right where a name would start.
_COUNT = r"(?:\d+|[一二两三四五六七八九十百千几数多]+)(?:余|多)?[个家所支座处名条]"
COUNT = re.compile(_COUNT)
COUNT_BEFORE = re.compile(_COUNT + "$")

# …or a year in Chinese numerals (李某一九八八年大学毕业: the name is 大学's alone).
_DATE_LEAD = re.compile(r".*(?:\d\s*[年月日号]|[〇○零一二三四五六七八九]{4}年)")


def window_start(text: str, end: int, *, floor: int = 0, max_len: int = 24) -> int:
    """Leftmost offset such that text[offset:end] holds only name characters.

    A date run into the name (2022年柳州县分公司, from 2022 年，… with the comma
    lost) is left out: names do not start with figures.
    """
    pos = end
    lo = max(floor, end - max_len)
    while pos > lo and _NAME_CHAR.match(text[pos - 1]):
        pos -= 1
    lead = _DATE_LEAD.match(text, pos, end)
    if lead:
        pos = lead.end()
    while pos < end and text[pos].isdigit():
        pos += 1
    return pos


def place_spans(text: str, gaz) -> list[tuple[int, int]]:
    """Spans of admin-division names and short forms in text (宜昌市, 都匀), left to right.

    Names with their level word (南宁市) come first; bare short forms fill the
    gaps, so 确定南宁市 reads 南宁市, not the short form 定南 of another county.
    """
    hits = []
    for i in range(len(text)):
        hit = gaz.match_at(text, i)
        if hit and not (hit[0][-1] not in _LEVEL_FINALS and text.endswith(_WORD_HEADS, 0, i + 1)):
            hits.append((i, i + len(hit[0]), hit[0][-1] in _LEVEL_FINALS))
    spans: list[tuple[int, int]] = []
    for full in (True, False):
        for a, b, levelled in hits:
            if levelled == full and not any(x < b and a < y for x, y in spans):
                spans.append((a, b))
    return sorted(spans)


_LEVEL_FINALS = "省市县区州旗盟"
# Words whose last character opens a bare short form that is no place there: 邮政|和 of
# 美国邮政和中国某公司 is no 政和 (a county).
_WORD_HEADS = ("邮政",)


def is_name_char(ch: str) -> bool:
    return bool(_NAME_CHAR.match(ch))


def noun_spans(body: str, nouns) -> list:
    """Spans of `nouns` (config/org_nouns.txt: stop words that are nouns in names) standing,
    not first (a word of three characters may), at most two characters before the end of `body` (the name up to its suffix)
    or of a part joined by 和 (政务服务和大数据管理局): nouns there, not stops."""
    spans = []
    for word in nouns:
        # (服务 first is a verb taking the rest as object; 不动产 is a noun wherever it stands)
        i = body.find(word, 0 if len(word) >= 3 else 1)
        while i >= 0:
            end = i + len(word)
            if len(body) - end <= 2 or body.startswith("和", end):
                spans.append((i, end))
            i = body.find(word, i + 1)
    return spans
