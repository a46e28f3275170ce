"""Split a cleaned page into articles.

A page holds several articles in column order, with their headlines wherever
the layout put them. Boundaries, from the strongest sign to the weakest:
- a byline (□…) followed by body text opens an article (signed commentary);
- 本报讯 opens one, with the headline just above it; so does a headline
  written as place：topic (湖南株洲：…); an end note (（…提供）, （完）) closes one;
- a headline with its —— subtitle: before body text it opens an article; after
  the body (followed by a byline, a caption or the page end) it titles the one
  it closes;
- a heading where the column width changes by more than a quarter opens one
  (two articles set in different column widths).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.text.byline import BYLINE_MARKS, byline_parts
from kg.lexicon import word_list
from kg.paths import config_dir

SENTENCE_PUNCT = re.compile(r"[。！？；，,;!?]")
END_NOTE = re.compile(r"[（(][^（）()]{0,40}(?:提供|完|供稿|来源[^）)]*)[）)]$"
                      # a short item's credit after its last sentence: …300万箱。（李 然）
                      r"|[。！？”][（(][\u4e00-\u9fff·]{2,5}[）)]$")
# …and a column's short items, each under its own mark (■近日，某分行…（某 某）).
OPENER = re.compile(r"^(?:本报讯|本刊讯|【[^】]{0,10}】|■(?=[^■\n]{40}))")
DATELINE = re.compile(r"^[\u4e00-\u9fff]{2,8}[：:]")


def _titles():
    return word_list(str(config_dir() / "titles.txt"))


@dataclass
class Article:
    index: int
    start: int
    end: int
    title: str | None = None
    subtitle: str | None = None
    bylines: list = field(default_factory=list)
    paragraphs: list = field(default_factory=list)


def _is_subtitle(text: str) -> bool:
    return text.startswith("——") and not SENTENCE_PUNCT.search(text)


def _is_heading(text: str) -> bool:
    return 0 < len(text) <= 30 and not SENTENCE_PUNCT.search(text) and not text.startswith("——")


LAYOUT_KINDS = ("headline", "subtitle", "subheading", "byline", "caption", "note", "text")


def segment_layout(cleaned) -> list[Article]:
    """Split a page whose paragraphs carry the kinds its layout gave them (a PDF page).

    A headline opens an article; the —— subtitle under it is the article's
    subtitle; bylines, captions and subheadings belong to the article they
    sit in. A jump note heading a continuation (（上接第1版）) opens an article
    of its own unless it sits under a headline. Text before the first headline is an article without a title.
    A page with no headline at all is split from its text, as `segment` does.
    """
    from kg.text.pdf import jump_note

    text = cleaned.text
    paras = cleaned.paragraphs
    if not any(p.kind == "headline" for p in paras):
        from dataclasses import replace

        plain = [replace(p, kind="byline" if p.kind == "byline" else "text") for p in paras]
        return segment(type(cleaned)(cleaned.text, cleaned.offsets, plain))
    articles: list[Article] = []
    current: list = []
    title = subtitle = None
    bylines: list[str] = []
    heading_only = True  # nothing but headline, subtitle and notes so far

    def close():
        nonlocal current, title, subtitle, bylines, heading_only
        if current:
            articles.append(Article(len(articles), current[0].start, current[-1].end, title, subtitle,
                                    bylines, current))
        current, title, subtitle, bylines, heading_only = [], None, None, [], True

    for p in paras:
        t = text[p.start:p.end]
        if p.kind == "headline":
            if not heading_only or subtitle is not None:
                close()
            title = t if title is None else title + t
        elif p.kind == "subtitle" and heading_only and title is not None:
            subtitle = t.lstrip("—") if subtitle is None else subtitle + t
        elif p.kind == "note" and jump_note(t):
            if not heading_only:
                close()
        else:
            if p.kind == "byline":
                names = [part for _, part in byline_parts(t.lstrip(BYLINE_MARKS), _titles())]
                bylines.extend(n for n in names if 2 <= len(n) <= 4)
            if p.kind != "note":
                heading_only = False
        current.append(p)
    close()
    return articles


def segment(cleaned) -> list[Article]:
    text = cleaned.text
    paras = cleaned.paragraphs
    articles: list[Article] = []
    current: list = []
    pending_bylines: list[str] = []
    title = subtitle = None

    def body_width(group):
        # Only paragraphs of several printed lines show the column's width.
        widths = [p.width for p in group if p.kind == "text" and p.lines >= 3]
        widths.sort()
        return widths[len(widths) // 2] if widths else 0.0

    def has_body(group):
        return any(p.kind == "text" and not _is_heading(text[p.start:p.end])
                   and not _is_subtitle(text[p.start:p.end]) for p in group)

    def close():
        nonlocal current, title, subtitle, pending_bylines
        if current:
            articles.append(Article(len(articles), current[0].start, current[-1].end, title, subtitle,
                                    pending_bylines, current))
        current, title, subtitle, pending_bylines = [], None, None, []

    i = 0
    while i < len(paras):
        p = paras[i]
        t = text[p.start:p.end]
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        nxt_text = text[nxt.start:nxt.end] if nxt else ""
        if p.kind == "byline":
            names = [part for _, part in byline_parts(t.lstrip(BYLINE_MARKS), _titles())]
            if has_body(current) and nxt is not None and nxt.kind == "text" and not _is_heading(nxt_text):
                close()
            current.append(p)
            pending_bylines.extend(n for n in names if 2 <= len(n) <= 4)
            i += 1
            if has_body(current) and nxt is not None and nxt.kind == "text" and _is_heading(nxt_text):
                # A signature under the body ends its article; the headlines
                # under it open the next one (the layout sets them there).
                close()
            continue
        if OPENER.match(t) and has_body(current):
            close()
        if _is_heading(t) and has_body(current) and (OPENER.match(nxt_text) or DATELINE.match(t)):
            close()  # a headline over 本报讯, or a "place：topic" headline, opens an article
        if _is_heading(t) and nxt_text.startswith("——") and not SENTENCE_PUNCT.search(nxt_text):
            # A headline with its subtitle.
            after = paras[i + 2] if i + 2 < len(paras) else None
            after_text = text[after.start:after.end] if after else ""
            closes_current = has_body(current) and (after is None or after.kind == "byline"
                                                   or len(after_text) < 40)
            if has_body(current) and not closes_current:
                close()
            current.extend([p, nxt])
            title, subtitle = t, nxt_text.lstrip("—")
            if closes_current:
                i += 2
                # A caption right after belongs to the same article.
                if after is not None and after.kind == "text" and len(after_text) < 40:
                    current.append(after)
                    i += 1
                close()
                continue
            i += 2
            continue
        if _is_heading(t) and has_body(current) and nxt is not None:
            width, ahead = body_width(current), body_width(paras[i + 1:i + 5])
            if width and ahead and abs(ahead - width) > 0.25 * width:
                close()
        current.append(p)
        if END_NOTE.search(t):
            close()
        i += 1
    close()
    return _capped(text, articles)


# No article of the paper runs this long; text past it (a page that lost its line
# breaks, a file of running text) is read in pieces that end at a sentence, so
# the work per piece is bounded and a page of any size costs time linear in it.
MAX_ARTICLE = 6000
_SENTENCE_END = re.compile(r"[。！？!?]”?|\n")


def _capped(text: str, articles: list[Article]) -> list[Article]:
    out: list[Article] = []
    for a in articles:
        start = a.start
        while a.end - start > MAX_ARTICLE:
            cut = None
            for m in _SENTENCE_END.finditer(text, start + MAX_ARTICLE // 2, start + MAX_ARTICLE):
                cut = m.end()
            cut = cut or start + MAX_ARTICLE
            out.append(Article(len(out), start, cut, a.title, a.subtitle, a.bylines))
            start = cut
        out.append(Article(len(out), start, a.end, a.title if start == a.start else a.title, a.subtitle, a.bylines,
                           a.paragraphs if start == a.start else []))
    return out
