"""Newspaper-like PDF pages, made with reportlab, for the PDF tests and the benchmark.

A page is rows of stories laid out the way a Chinese newspaper sets them: a
story owns a rectangle of whole columns, its headline (large type) runs across
that rectangle, a —— subtitle under it, and the body flows down the columns,
balanced, with subheadings, □ bylines, photo boxes with captions and jump
notes (（上接第1版）) as separate items. Body lines are justified by spreading
the characters (as a paper's layout program does, and what makes PDF-to-text
tools insert spaces inside Chinese words).

The font is reportlab's `UnicodeCIDFont('STSong-Light')`, one of the Adobe
Asian fonts every PDF reader knows: nothing is embedded, no font file is
needed. Every drawn character is recorded (`Layout.chars`) with its origin
and size, so a reader's characters and positions can be checked exactly.

`stories_from_text` turns a page of text (a dev page) into stories: kg's own
text path (clean_text + segment) decides where its articles are, so the PDF
and the text carry the same articles in the same order.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

FONT = "STSong-Light"
PAGE_WIDTH = 842.0  # A3 portrait, a broadsheet's proportions at half size
MIN_PAGE_HEIGHT = 1191.0
MARGIN = 36.0
GUTTER = 14.0
ROW_GAP = 20.0

BODY = 9.5
LEADING = 14.0
HEADLINE = 22.0
SUBTITLE = 12.0
SUBHEADING = 11.0
SMALL = 8.0  # bylines, captions, jump notes
PHOTO_HEIGHT = 80.0

# Kinds of the items a story's body is made of.
TEXT, SUBHEADING_KIND, BYLINE, CAPTION, NOTE = "text", "subheading", "byline", "caption", "note"

# A line may not start with these (Chinese line-breaking rules); the break moves back one character.
_NO_LINE_START = set("，。、；：！？”’）》」』…—%,.;:!?)")
_ASCII_RUN = re.compile(r"[A-Za-z0-9.%]")

# Headlines for articles whose text gave none: plain phrases that name nothing.
NEUTRAL_HEADLINES = ["深耕服务谋发展", "多措并举提质效", "聚力前行开新局", "扎根基层办实事",
                     "精准施策见成效", "创新驱动添活力", "携手共进谱新篇", "用心服务暖人心"]


@dataclass
class Story:
    """One article: a headline over body items (kind, text) in reading order."""

    headline: str | None
    items: list = field(default_factory=list)  # (kind, text)
    subtitle: str | None = None


@dataclass
class PlacedBlock:
    """What the generator drew, as a reader should find it."""

    story: int
    kind: str  # headline | subtitle | text | subheading | byline | caption | note
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass
class Layout:
    """The truth about a generated page: blocks per story in reading order, and every character."""

    page_size: tuple
    stories: list
    blocks: list = field(default_factory=list)
    chars: list = field(default_factory=list)  # (char, x, baseline from the top, size)
    images: list = field(default_factory=list)  # (x0, top, x1, bottom)

    def story_text(self, index: int) -> str:
        return "".join(b.text for b in self.blocks if b.story == index)


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont(FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return pdfmetrics


def width(text: str, size: float) -> float:
    return _font().stringWidth(text, FONT, size)


# ------------------------------------------------------------- line breaking


def break_lines(text: str, size: float, measure: float, indent: float = 0.0) -> list[str]:
    """Greedy lines no wider than `measure`; ASCII runs (57.76, 2022) are never split,
    and no line starts with closing punctuation."""
    tokens = []  # ASCII runs stay whole; everything else is one token per character
    i = 0
    while i < len(text):
        if _ASCII_RUN.match(text[i]):
            j = i
            while j < len(text) and _ASCII_RUN.match(text[j]):
                j += 1
            tokens.append(text[i:j])
            i = j
        else:
            tokens.append(text[i])
            i += 1
    lines, current, used = [], [], indent
    for tok in tokens:
        w = width(tok, size)
        if current and used + w > measure + 0.01:
            if tok[0] in _NO_LINE_START and len(current) > 1:
                moved = current.pop()
                lines.append("".join(current))
                current, used = [moved], width(moved, size)
            else:
                lines.append("".join(current))
                current, used = [], 0.0
        current.append(tok)
        used += w
    if current:
        lines.append("".join(current))
    return lines


# ------------------------------------------------------------------- layout


@dataclass
class _Line:
    text: str
    size: float
    height: float  # vertical space it takes, leading included
    align: str = "left"  # left | justify | center | right
    indent: float = 0.0
    kind: str = TEXT
    item: int = 0  # index of the body item it belongs to
    photo: bool = False  # a photo box, drawn as an image, not text
    space_before: float = 0.0
    keep_with_next: bool = False


def _item_lines(items, measure: float) -> list[_Line]:
    out: list[_Line] = []
    for n, (kind, text) in enumerate(items):
        if kind == TEXT:
            lines = break_lines(text, BODY, measure, indent=2 * BODY)
            for k, line in enumerate(lines):
                last = k == len(lines) - 1
                out.append(_Line(line, BODY, LEADING, "left" if last else "justify",
                                 2 * BODY if k == 0 else 0.0, TEXT, n))
        elif kind == SUBHEADING_KIND:
            lines = break_lines(text, SUBHEADING, measure - 2 * SUBHEADING)
            for k, line in enumerate(lines):
                out.append(_Line(line, SUBHEADING, SUBHEADING * 1.5, "center", 0.0, kind, n,
                                 space_before=LEADING * 0.6 if k == 0 else 0.0, keep_with_next=True))
            out[-1].height += LEADING * 0.4
        elif kind == BYLINE:
            # A byline heading the story, or one too long for a line, is set left; a closing one right.
            first = n == 0 or all(k in (BYLINE, NOTE) for k, _ in items[:n])
            lines = break_lines(text, SMALL + 1, measure)
            for line in lines:
                align = "left" if first or len(lines) > 1 else "right"
                out.append(_Line(line, SMALL + 1, LEADING, align, 0.0, kind, n))
        elif kind == CAPTION:
            out.append(_Line("", 0.0, PHOTO_HEIGHT + 4, "left", 0.0, kind, n, photo=True,
                             space_before=LEADING * 0.3, keep_with_next=True))
            for line in break_lines(text, SMALL, measure):
                out.append(_Line(line, SMALL, SMALL * 1.5, "left", 0.0, kind, n))
            out[-1].height += LEADING * 0.5
        elif kind == NOTE:
            out.append(_Line(text, SMALL + 1, LEADING, "right" if n else "left", 0.0, kind, n))
        else:
            raise ValueError(f"unknown item kind {kind!r}")
    return out


def _balance(lines: list[_Line], columns: int) -> list[list[_Line]]:
    """Split the flow into `columns` columns of about equal height (the last takes the rest)."""
    total = sum(ln.height + ln.space_before for ln in lines)
    target = total / columns
    cols: list[list[_Line]] = [[]]
    used = 0.0
    i = 0
    while i < len(lines):
        # A heading or photo moves with the line after it.
        group = [lines[i]]
        while group[-1].keep_with_next and i + len(group) < len(lines):
            group.append(lines[i + len(group)])
        h = sum(ln.height + ln.space_before for ln in group)
        if cols[-1] and used + h / 2 > target and len(cols) < columns:
            cols.append([])
            used = 0.0
        cols[-1].extend(group)
        used += h
        i += len(group)
    while len(cols) < columns:
        cols.append([])
    return cols


def _column_height(col: list[_Line]) -> float:
    return sum(ln.height + (ln.space_before if k else 0.0) for k, ln in enumerate(col))


def _headline_lines(story: Story, measure: float):
    """(text, size, kind) lines of the headline band."""
    out = []
    if story.headline:
        size = HEADLINE
        while size > 14 and width(story.headline, size) > measure:
            size -= 1
        for line in break_lines(story.headline, size, measure):
            out.append((line, size, "headline"))
    if story.subtitle:
        for line in break_lines("——" + story.subtitle, SUBTITLE, measure):
            out.append((line, SUBTITLE, "subtitle"))
    return out


def _band_height(lines) -> float:
    if not lines:
        return 0.0
    return sum(size * 1.35 for _, size, _ in lines) + LEADING * 0.8


def _region(story: Story, span: int, col_width: float):
    measure = span * col_width + (span - 1) * GUTTER
    head = _headline_lines(story, measure)
    flow = _item_lines(story.items, col_width)
    cols = _balance(flow, span)
    height = _band_height(head) + max((_column_height(c) for c in cols), default=0.0)
    return head, cols, measure, height


def draw_pdf(path, pages, *, columns: int = 4, created: str | None = "D:20230410083000+08'00'",
             encrypt: str | None = None, title: str = "kg test page", rules: bool = True) -> list[Layout]:
    """Write a PDF with one page per entry of `pages` (a page is rows of (Story, span));
    return each page's Layout. `created` is the PDF CreationDate (None: none);
    `encrypt` a user password; `rules`: draw a line between rows of stories."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _font()
    col_width = (PAGE_WIDTH - 2 * MARGIN - (columns - 1) * GUTTER) / columns
    enc = None
    if encrypt:
        from reportlab.lib.pdfencrypt import StandardEncryption

        enc = StandardEncryption(encrypt, ownerPassword=encrypt + "-owner", strength=128)
    c = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, MIN_PAGE_HEIGHT), invariant=1, encrypt=enc)
    c.setTitle(title)
    if created:
        c._doc.info._dateFormatter = lambda *_: created  # reportlab has no public setter for CreationDate
    photo = ImageReader(_photo_bytes())
    layouts = []
    for rows in pages:
        planned = []
        total = 2 * MARGIN
        for row in rows:
            regions = [(story, span, *_region(story, span, col_width)) for story, span in row]
            if sum(span for _, span, *_ in regions) > columns:
                raise ValueError("a row is wider than the page")
            row_height = max(r[-1] for r in regions)
            planned.append((regions, row_height))
            total += row_height + ROW_GAP
        height = max(MIN_PAGE_HEIGHT, total)
        c.setPageSize((PAGE_WIDTH, height))
        layout = Layout((PAGE_WIDTH, height), [])
        top = MARGIN
        for regions, row_height in planned:
            x = MARGIN
            for story, span, head, cols, measure, _ in regions:
                index = len(layout.stories)
                layout.stories.append(story)
                _draw_region(c, layout, index, x, top, head, cols, measure, col_width, height, photo)
                x += span * (col_width + GUTTER)
            top += row_height + ROW_GAP
            if rules and top < height - MARGIN:
                c.setLineWidth(0.5)
                c.line(MARGIN, height - (top - ROW_GAP / 2), PAGE_WIDTH - MARGIN, height - (top - ROW_GAP / 2))
        layouts.append(layout)
        c.showPage()
    c.save()
    return layouts


def _photo_bytes() -> bytes:
    """A small grey gradient as PNG: a stand-in photograph."""
    from PIL import Image

    img = Image.new("L", (64, 40))
    img.putdata([(x * 3 + y * 2) % 256 for y in range(40) for x in range(64)])
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return io.BytesIO(buf.getvalue())


def _draw_text(c, layout: Layout, text: str, x: float, top_baseline: float, size: float,
               page_height: float, char_space: float = 0.0) -> float:
    """Draw one line at baseline `top_baseline` (from the page top); record each char; return its width."""
    t = c.beginText(x, page_height - top_baseline)
    t.setFont(FONT, size)
    t.setCharSpace(char_space)
    t.textOut(text)
    c.drawText(t)
    pos = x
    for ch in text:
        layout.chars.append((ch, pos, top_baseline, size))
        pos += width(ch, size) + char_space
    return pos - x - char_space


def _draw_region(c, layout, index, x, top, head, cols, measure, col_width, page_height, photo):
    y = top
    by_kind: dict = {}
    for text, size, kind in head:
        w = width(text, size)
        base = y + size
        _draw_text(c, layout, text, x + (measure - w) / 2, base, size, page_height)
        _add_block(layout, by_kind, index, kind, text, x + (measure - w) / 2, base - size, x + (measure + w) / 2, base + size * 0.2, size, None)
        y += size * 1.35
    if head:
        y += LEADING * 0.8
    for k, col in enumerate(cols):
        cx = x + k * (col_width + GUTTER)
        cy = y
        for n, ln in enumerate(col):
            if n:
                cy += ln.space_before
            if ln.photo:
                c.drawImage(photo, cx, page_height - (cy + PHOTO_HEIGHT), col_width, PHOTO_HEIGHT)
                layout.images.append((cx, cy, cx + col_width, cy + PHOTO_HEIGHT))
                cy += ln.height
                continue
            base = cy + ln.size  # baseline one size below the line's top
            w = width(ln.text, ln.size)
            lx, cs = cx + ln.indent, 0.0
            if ln.align == "justify" and len(ln.text) > 1:
                cs = (col_width - ln.indent - w) / (len(ln.text) - 1)
            elif ln.align == "center":
                lx = cx + (col_width - w) / 2
            elif ln.align == "right":
                lx = cx + col_width - w
            drawn = _draw_text(c, layout, ln.text, lx, base, ln.size, page_height, cs)
            _add_block(layout, by_kind, index, ln.kind, ln.text, lx, base - ln.size, lx + drawn, base + ln.size * 0.2,
                       ln.size, (k, ln.item))
            cy += ln.height


def _add_block(layout, by_kind, index, kind, text, x0, top, x1, bottom, size, key):
    """Lines of one item (in one column) make one block; a headline's lines make one."""
    k = (index, kind, key)
    block = by_kind.get(k)
    if block is not None and layout.blocks and layout.blocks[-1] is block:
        block.text += text
        block.x0, block.x1 = min(block.x0, x0), max(block.x1, x1)
        block.bottom = bottom
        return
    block = PlacedBlock(index, kind, text, x0, top, x1, bottom, size)
    by_kind[k] = block
    layout.blocks.append(block)


# ------------------------------------------------------- stories from a text page

_INLINE_BYLINE = re.compile(r"^(.*[。！？”）)])\s*([□■][^。！？]{1,40})$")
_PHOTO_CREDIT = re.compile(r"(?:摄|摄影报道|供图)$")


def stories_from_text(raw: str) -> list[Story]:
    """The articles kg's text path finds in a page, as stories to lay out.

    A title and subtitle found anywhere in an article become its headline; a
    short line right after them, or one ending in 摄, is a photo caption; a
    □ byline at the end of a paragraph becomes a byline of its own; short
    unpunctuated lines are subheadings. An article with no title gets a
    neutral headline, so that every story opens with one, as on paper.
    """
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kg.text.clean import clean_text
    from kg.text.segment import _is_heading, segment

    cleaned = clean_text(raw)
    stories = []
    for article in segment(cleaned):
        items = []
        after_title = False
        for p in article.paragraphs:
            text = cleaned.text[p.start:p.end]
            if article.title and text == article.title:
                after_title = True
                continue
            if article.subtitle and text.lstrip("—") == article.subtitle and text.startswith("——"):
                after_title = True
                continue
            if p.kind == "byline":
                items.append((BYLINE, text))
            elif (after_title and len(text) < 60) or (_PHOTO_CREDIT.search(text) and len(text) < 60):
                items.append((CAPTION, text))
            elif _is_heading(text):
                items.append((SUBHEADING_KIND, text))
            else:
                m = _INLINE_BYLINE.match(text)
                if m:
                    items += [(TEXT, m.group(1)), (BYLINE, m.group(2).strip())]
                else:
                    items.append((TEXT, text))
            after_title = False
        if not items:
            continue
        headline = article.title or NEUTRAL_HEADLINES[len(stories) % len(NEUTRAL_HEADLINES)]
        stories.append(Story(headline, items, article.subtitle))
    return stories


def newspaper_rows(stories: list[Story], columns: int = 4, short: int = 900) -> list[list]:
    """Rows of a page: the lead story across the page, then two short stories side by
    side where they come together, every other story across the page."""
    rows = []
    i = 0
    half = columns // 2

    def length(s):
        return sum(len(t) for _, t in s.items)

    while i < len(stories):
        if i and i + 1 < len(stories) and length(stories[i]) < short and length(stories[i + 1]) < short:
            rows.append([(stories[i], half), (stories[i + 1], columns - half)])
            i += 2
        else:
            rows.append([(stories[i], columns)])
            i += 1
    return rows


def text_page_to_pdf(raw: str, path, columns: int = 4, **kw) -> Layout:
    """A one-page PDF of a text page's articles; its Layout."""
    stories = stories_from_text(raw)
    return draw_pdf(path, [newspaper_rows(stories, columns)], columns=columns, **kw)[0]


# ------------------------------------------------------------- the test page

def sample_stories() -> list:
    """Rows of an invented front page: every element the reader must tell apart.

    A lead story across four columns (headline, subtitle, reporter's byline,
    subheadings, a photo with caption), two short stories side by side
    (本报讯 with a closing byline; a signed commentary), and a story continued
    from page 1 (（上接第1版）) with no headline of its own.
    """
    lead = Story("金融活水润泽千家万户", [
        (BYLINE, "□本报记者 蓝海潮 通讯员 白云飞"),
        (TEXT, "近年来，浙江省丽水市邮政分公司坚持服务“三农”，深耕县域市场，推动代理金融业务持续发展。"
               "2022年，该分公司新增储蓄余额12.5亿元，列全省邮政第2位，新增客户3.6万户。"),
        (SUBHEADING_KIND, "网点服务延伸到村"),
        (TEXT, "丽水市分公司在全市建成助农服务站200个，为村民提供存取款、缴费和寄递服务。"
               "截至3月底，服务站累计办理业务8.2万笔，交易金额达1.6亿元。"),
        (CAPTION, "邮政员工在助农服务站为村民办理业务。"),
        (TEXT, "“以前取钱要跑十几里山路，现在家门口就能办。”村民张翠兰说。丽水市分公司还推出"
               "“丽农贷”产品，为种植户提供无抵押贷款，当年发放贷款3200万元。"),
        (SUBHEADING_KIND, "产业链上做文章"),
        (TEXT, "围绕茶叶、食用菌等特色产业，丽水市分公司与丽水市农业农村局签订合作协议，联合开展"
               "“金融助农”活动，为120家合作社提供结算和融资服务，带动农户增收1.2亿元。"
               "下一步，该分公司将继续深化政银合作，扩大普惠金融覆盖面。"),
    ], "浙江丽水市分公司服务乡村振兴纪实")
    news = Story("邮储银行衢州市分行发放首笔碳汇贷款", [
        (TEXT, "本报讯 近日，邮储银行浙江省衢州市分行向衢州青山林业有限公司发放碳汇贷款500万元，"
               "用于林地抚育和碳汇林建设。这是该分行落地的首笔碳汇贷款。截至目前，该分行绿色贷款余额"
               "达8.6亿元，较年初增长18.3%。"),
        (BYLINE, "□钟晓岚 韦明亮"),
    ])
    comment = Story("让普惠金融更有温度", [
        (BYLINE, "□邮储银行浙江省分行 方志远"),
        (TEXT, "普惠金融的关键在于“普”和“惠”。基层网点要把服务送到田间地头，让农户贷得到、贷得快、"
               "贷得省。邮储银行浙江省分行将持续优化信贷流程，推广线上贷款产品，提升服务质效。"),
    ])
    continued = Story(None, [
        (NOTE, "（上接第1版）"),
        (TEXT, "在温州，温州市邮政分公司与温州市商务局联合举办“丰收山货节”直播活动，带动特色农产品销售"
               "2.3万件，销售额达460万元。温州市分公司相关负责人表示，将进一步完善农村寄递物流体系，"
               "让更多山区特产走出大山。"),
    ])
    return [[(lead, 4)], [(news, 2), (comment, 2)], [(continued, 4)]]


def main(argv=None) -> int:
    """python tests/pdfgen.py PAGE.txt OUT.pdf: draw a text page's articles as a newspaper PDF page."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__.split(": ", 1)[1])
    ap.add_argument("page", type=Path, help="a page of text (UTF-8), e.g. examples/sample_page.txt")
    ap.add_argument("out", type=Path, help="the PDF to write (its folder is made if missing)")
    args = ap.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    layout = text_page_to_pdf(args.page.read_text(encoding="utf-8"), args.out)
    print(f"{args.out}: {len(layout.stories)} articles, {len(layout.chars):,} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
