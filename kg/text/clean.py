"""Undo the artefacts of PDF text extraction, keeping a map back to the original.

PDF extraction of a newspaper column gives one line per printed line: words
broken mid-phrase at the line end, spaces inserted inside Chinese runs where
the column was justified (``列 全 省``, ``2022 年``), often a blank line after
every printed line, and full-width letters and digits. Cleaning joins the
lines of a paragraph, drops the inserted spaces and folds full-width
alphanumerics, and records for every cleaned character the offset of the
original character it came from.

Paragraph ends are not marked in the source (blank lines are noise when every
line is followed by one), so a paragraph ends where a printed line is clearly
shorter than the column it sits in; headings and captions come out as their own
short paragraphs. Byline lines (``□肖芳 田黎``) keep one space between names,
because there the space separates two people.
"""
from __future__ import annotations

import re
import statistics
from array import array
from dataclasses import dataclass, field

from kg.text.byline import BYLINE_MARKS, ROLE_BYLINE

# Full-width ASCII letters, digits and a few signs fold to half-width; Chinese
# punctuation (，。“”（）) stays, since rules and readers expect it.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)
         if chr(c - 0xFEE0).isalnum() or chr(c - 0xFEE0) in "%.+-/&@#"}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_RUN = re.compile(r"\S+")
_SPACE = re.compile(r"\s")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_SENTENCE_PUNCT = re.compile(r"[，。；！？,;!?]")
_OPENER = re.compile(r"^(?:本\s*报\s*讯|本\s*刊\s*讯)")
# ■近日，某分行…: a column's short item, not a byline — a full line of sentence text,
# whether or not its first sentence ends before the line does.
# A long run of text with no space in it is such an item too, even with no punctuation yet
# (■ 湖北省某市邮政分公司与某市 / 公安局…); a byline is short or spaced (■本报记者 某某).
ITEM_LINE = re.compile(r"^■\s*(?!.*(?:本报讯|记者|通讯员|摄影))(?:(?=.{20}).*?[。！？，；]|[^\s（(]{12,})")
# A line ending like this ends its sentence; one that does not, and is short,
# is a heading.
END_PUNCT = "。！？!?”’）)…；;：:"


@dataclass
class Paragraph:
    """A run of printed lines that reads as one paragraph of the cleaned text."""

    start: int  # offsets into the cleaned text
    end: int
    lines: int
    width: float  # the column width (display units) of the lines around it
    last_width: float  # width of its last printed line
    kind: str = "text"  # text | byline


@dataclass
class Cleaned:
    text: str
    offsets: array  # offsets[i] = offset in the original of cleaned char i
    paragraphs: list = field(default_factory=list)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a cleaned span back to the original text."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def fold_width(text: str) -> str:
    """Full-width letters, digits and signs as half-width, odd spaces as plain ones (what cleaning does)."""
    return text.translate(_FOLD)


_PRINTED = re.compile(r"\S")
_HALF_WIDTH = re.compile(r"[^\s\u2e80-\U0010ffff“”‘’—…]")


def display_width(line: str) -> float:
    """Printed width: CJK characters count 1, half-width ones 1/2, spaces nothing."""
    # Counted by two regular expressions, not a loop: every line of a page is measured.
    return len(_PRINTED.findall(line)) - 0.5 * len(_HALF_WIDTH.findall(line))


def _lines(raw: str):
    """(start, end) of each line of the original, without its line break.

    A byline set at the end of a column line, after the sentence that ends an
    article (…量质齐升。 □聂芳 万琳), is a line of its own: it closes that
    article, and its names must not run into the body.
    """
    pos = 0
    for m in re.finditer(r"\r\n|\n|\r|\u2028|\u2029", raw):
        yield from _split_inline_byline(raw, pos, m.start())
        pos = m.end()
    yield from _split_inline_byline(raw, pos, len(raw))


_INLINE_BYLINE = re.compile(rf"(?<=[{re.escape(END_PUNCT)}])\s*(?=[{BYLINE_MARKS}])")


def _split_inline_byline(raw: str, start: int, end: int):
    m = _INLINE_BYLINE.search(raw, start, end)
    if m and m.start() > start:
        yield start, m.start()
        yield m.end(), end
    else:
        yield start, end


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _column_widths(widths: list[float], window: int = 4) -> list[float]:
    """The typical full-line width around each line: the median of its neighbours.

    A small window, because a page holds columns of different widths side by side.
    """
    out = []
    for i in range(len(widths)):
        near = [w for w in widths[max(0, i - window): i + window + 1] if w > 0]
        if not near:
            out.append(0.0)
            continue
        near.sort()
        out.append(near[len(near) // 2])
    return out


def clean_text(raw: str) -> Cleaned:
    """Clean one page; see the module docstring for what is undone."""
    spans = [(s, e) for s, e in _lines(raw)]
    # A byline split from its line with no space before it (…14.6%。□某某) starts a
    # paragraph without a line break in the cleaned text: there is no character
    # in the original to stand for one.
    glued = {k for k in range(1, len(spans)) if spans[k][0] == spans[k - 1][1]}
    texts = [raw[s:e] for s, e in spans]
    widths = [display_width(t) for t in texts]
    nonblank = [i for i, t in enumerate(texts) if t.strip()]
    # Blank lines separate paragraphs only when they are not simply after every line.
    blank_is_break = False
    if len(nonblank) > 2:
        gaps = sum(1 for a, b in zip(nonblank, nonblank[1:]) if b - a > 1)
        blank_is_break = gaps < 0.5 * (len(nonblank) - 1)
    col = _column_widths([widths[i] for i in nonblank])
    col_of = dict(zip(nonblank, col))
    # Headlines carry no sentence punctuation. Those that stand after a byline
    # (the layout put the next article's headline right under the last one's
    # signature) or right above 本报讯 are paragraphs of their own, whatever
    # their printed width, so they never run into the body around them.
    bare = {i: not _SENTENCE_PUNCT.search(texts[i]) and texts[i].strip()[:1] not in BYLINE_MARKS
            for i in nonblank}
    opens = {i: bool(_OPENER.match(texts[i].strip())) for i in nonblank}
    standalone, byline_tail = set(), set()
    for n, i in enumerate(nonblank):
        if opens[i]:
            k = n - 1
            while k >= 0 and bare[nonblank[k]] and n - k <= 3:
                standalone.add(nonblank[k])
                k -= 1
        if texts[i].strip()[:1] in BYLINE_MARKS and not ITEM_LINE.match(texts[i].strip()):
            k = n + 1
            if k < len(nonblank) and bare[nonblank[k]] and widths[nonblank[k]] <= 4 \
                    and not opens[nonblank[k]]:
                byline_tail.add(nonblank[k])  # □沈 / 怡然: a name broken over two lines
                k += 1
            while k < len(nonblank) and bare[nonblank[k]] and not opens[nonblank[k]] and k - n <= 3:
                standalone.add(nonblank[k])
                k += 1

    out: list[str] = []
    offs = array("q")
    paragraphs: list[Paragraph] = []
    para_start = 0
    para_lines = 0
    para_widths: list[float] = []
    last_width = 0.0
    prev_char = ""

    def close_para(kind="text"):
        nonlocal para_lines, para_widths, prev_char
        if para_lines:
            end = len(out)
            width = statistics.median(para_widths) if para_widths else 0.0
            paragraphs.append(Paragraph(para_start, end, para_lines, width, last_width, kind))
        para_lines, para_widths, prev_char = 0, [], ""

    for n, i in enumerate(nonblank):
        s, _ = spans[i]
        line = texts[i]
        stripped = line.strip()
        if n and (blank_is_break and i - nonblank[n - 1] > 1):
            close_para()
        # ■近日，某分行…。（某 某）: a column's short item under its mark, not a byline;
        # each item opens a paragraph of its own.
        item = bool(ITEM_LINE.match(stripped))
        if item:
            close_para()
        is_byline = (stripped[:1] in BYLINE_MARKS and not item) or bool(ROLE_BYLINE.match(fold_width(stripped)))
        if i in byline_tail and paragraphs and paragraphs[-1].kind == "byline":
            # Reopen the byline just closed and go on with it after a space.
            last = paragraphs.pop()
            para_start, para_lines, para_widths = last.start, last.lines, [last.width]
            tail = "".join(out[last.start:]).rsplit(" ", 1)[-1]
            if len(tail) > 1 and tail[:1] not in BYLINE_MARKS or len(tail) > 2:
                # A second name on the next line; a one-character part (□沈 / 怡然)
                # is a name broken at the line end and goes on without a space.
                out.append(" ")
                offs.append(s - 1 if s else 0)
            is_byline = True
        full = col_of.get(i, 0.0)
        short = widths[i] < 0.8 * full - 0.5 if full else False
        ends_sentence = stripped[-1:] in END_PUNCT
        # A short unpunctuated line after a finished sentence is a heading.
        heading = short and not ends_sentence and prev_char in END_PUNCT
        if i in byline_tail:
            pass  # the byline reopened above goes on
        elif is_byline or heading or i in standalone or opens[i]:
            close_para()
        if para_lines:
            # The line break inside a paragraph: nothing, unless it sits between
            # two Latin words that need their space.
            if _ASCII_ALNUM.match(prev_char) and _ASCII_ALNUM.match(stripped[:1]):
                out.append(" ")
                offs.append(s - 1)
        else:
            if out and i not in glued:
                out.append("\n")
                offs.append(s - 1 if s else 0)
            para_start = len(out)
        first = True
        for m in _RUN.finditer(line):
            run = m.group().translate(_FOLD)
            if not first:
                # Keep a space only where both sides are Latin letters or digits
                # (or anywhere in a byline, where it separates names).
                if is_byline or (_ASCII_ALNUM.match(prev_char) and _ASCII_ALNUM.match(run[0])):
                    out.append(" ")
                    offs.append(s + m.start() - 1)
            base = s + m.start()
            if not _SPACE.search(run):
                out.extend(run)  # one character an entry, each mapped to its own offset
                offs.extend(range(base, base + len(run)))
                prev_char = run[-1]
            else:
                # Folding can turn a run into spaces (U+3000); drop those characters.
                for k, ch in enumerate(run):
                    if ch.isspace():
                        continue
                    out.append(ch)
                    offs.append(base + k)
                    prev_char = ch
            first = False
        para_lines += 1
        para_widths.append(widths[i])
        last_width = widths[i]
        if is_byline:
            close_para("byline")
            continue
        # A subtitle (——…) under a headline is a line of its own even at full width.
        subtitle = stripped.startswith("——") and not re.search(r"[。！？，；]", stripped)
        if i in standalone:
            close_para()
            continue
        # A short line ends its paragraph; so does a line ending a sentence a
        # little short of the column.
        nxt = texts[nonblank[n + 1]].strip() if n + 1 < len(nonblank) else ""
        if short and not ends_sentence and nxt[:1] in "（(" and i not in standalone:
            continue  # …与德国某某物流公司 / （Eida Logistik GmbH）合作: the sentence goes on
        if short and not ends_sentence and not heading and not bare.get(i) and i not in standalone \
                and nxt and not _OPENER.match(nxt) and nxt[:1] not in BYLINE_MARKS:
            # …出口跨境电商包裹2150万件，同比增长 / 36.8%: a line of running text cut short
            # mid-sentence (a number or a word that did not fit went down whole) goes on;
            # a paragraph ends with its sentence.
            continue
        if short or subtitle or (ends_sentence and widths[i] < full - 1.5):
            close_para()
    close_para()
    return Cleaned("".join(out), offs, paragraphs)
