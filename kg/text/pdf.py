"""Reading PDF pages by their layout: characters with positions and sizes → blocks in reading order.

Text pulled out of a newspaper PDF by other tools loses what the PDF knows:
where each character sits, how large it is, which column it belongs to. Here
each page is read from its characters (PDFium, through `pypdfium2`):

1. Characters are joined into line fragments: same baseline and size, no gap
   wider than `COLUMN_GAP` ems (a gutter splits a line into two fragments).
2. Fragments, and images, are ordered by recursive X-Y cuts: a region is
   split at the whitespace running through it. Bands (horizontal gaps)
   come first, so a headline's band is read before the columns under it;
   a headline counts as wide as the columns it heads. Two bands that share
   a gutter (stories side by side, each with its headline over its body),
   or one within the other's columns (a column running on below its
   neighbours), are cut into columns first instead, unless a rule or a
   wide space (`STORY_GAP` ems) separates them. Columns are read left to
   right, each top to bottom.
3. The fragments of each region become blocks: a change of size, a gap, a □
   byline or (in body text) an indented first line or a short last line
   ends one. Lines of a block are joined without the spaces justification
   spreads between characters; a space stays only between two Latin words
   or digits (and between names in a byline).
4. Each block gets a kind from its size against the page's body size and
   its place: `headline` (large), `subtitle` (a —— line in larger type or
   under a headline), `subheading` (medium type, or a short centred line
   set apart), `byline` (□…), `caption` (just under a photo), `note`
   (（上接第1版）, from config/jump_notes.jsonl) and `text`. A paragraph
   that runs on from the foot of one column to the head of the next is one.

`read_pdf` yields one `PdfPage` per page, or a `Skip` (file or page) with a
one-line reason: an encrypted, truncated or damaged file, a page without a
text layer. It never raises for anything about the file itself.
"""
from __future__ import annotations

import bisect
import ctypes
import datetime
import hashlib
import os
import re
import statistics
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator, NamedTuple

from kg.lexicon import jsonl
from kg.paths import config_dir
from kg.text.byline import BYLINE_MARKS
from kg.text.clean import Cleaned, Paragraph, fold_width
from kg.text.reading import Skip, _not_a_page, _open_regular, _os_reason

# Layout thresholds, in ems of the type involved (a gutter is about one em;
# the space a justified line spreads between characters well under half).
COLUMN_GAP = 0.9  # horizontal gap that splits a line: a gutter, or a right-aligned byline
CUT_GAP_X = 0.6  # vertical whitespace that separates columns
CUT_GAP_Y = 0.5  # horizontal whitespace that separates bands (at least the page's line gap + 0.4 em)
STORY_GAP = 2.6  # a band gap this wide separates stories even with no rule drawn
PARA_GAP = 0.7  # extra space between lines that ends a block
WORD_SPACE = 0.25  # a gap this wide between two Latin letters or digits is a space

HEADLINE_RATIO = 1.5  # × body size
MEDIUM_RATIO = 1.1  # subtitle / subheading type
SMALL_RATIO = 0.92  # captions, notes, credits

# PDF date strings: D:YYYYMMDDHHmmSSOHH'mm' (all but the year optional).
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_SENTENCE_PUNCT = re.compile(r"[。！？；，,;!?]")
# %%EOF must be within the last KB (what readers accept; writers may add a little after it).
_EOF_WINDOW = 1024


@dataclass(frozen=True)
class Block:
    """A run of lines that reads as one unit: a headline, a paragraph, a byline, …"""

    kind: str  # headline | subtitle | subheading | byline | caption | note | text
    text: str
    x0: float  # points from the page's top left
    top: float
    x1: float
    bottom: float
    size: float  # median font size of its characters
    lines: int


@dataclass(frozen=True)
class PdfPage:
    """One page of a PDF, read: its blocks in reading order and what the file says about it."""

    path: Path
    number: int  # 1-based
    pages: int  # pages in the file
    blocks: tuple
    width: float
    height: float
    sha1: str  # of the whole file
    date: str | None  # the file's CreationDate as an ISO date, if it has one

    @property
    def doc(self) -> str:
        return page_doc(self.path, self.number)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def cleaned(self) -> Cleaned:
        """The page as kg's cleaned text: one paragraph per block, its kind kept.

        The text read from a PDF has no artefacts left to undo, so it is its
        own original: offsets map every character to itself.
        """
        text = self.text
        paragraphs, pos = [], 0
        for b in self.blocks:
            end = pos + len(b.text)
            width = (b.x1 - b.x0) / b.size if b.size else 0.0
            paragraphs.append(Paragraph(pos, end, b.lines, width, width, b.kind))
            pos = end + 1
        return Cleaned(text, array("q", range(len(text))), paragraphs)


@dataclass(frozen=True)
class PageSkip(Skip):
    """A page of a PDF that was not read; it shows (`path`) as `file.pdf#pN`."""

    file: Path = Path()
    number: int = 0
    pages: int = 0


def page_doc(path, number: int) -> str:
    """The document name of a PDF page: `name.pdf#p3`."""
    return f"{Path(path).name}#p{number}"


def pdf_date(value: str | None) -> str | None:
    """A PDF date string (D:20230410083000+08'00') as an ISO date (2023-04-10), as written.

    The date is the writer's local date; no time zone conversion. A year
    alone gives "2023", a year and month "2023-04"; nonsense gives None.
    """
    m = _PDF_DATE.match((value or "").strip())
    if not m:
        return None
    year, month, day = m.groups()
    try:
        if month and day:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        if month:
            return datetime.date(int(year), int(month), 1).isoformat()[:7]
    except ValueError:
        return None
    return year if 1900 <= int(year) <= 2999 else None


# ------------------------------------------------------------------ reading


def read_pdf(path: str | os.PathLike) -> Iterator[PdfPage | Skip]:
    """Each page of a PDF file, read, or a `Skip` saying why not.

    A problem with the whole file (missing, encrypted, truncated, damaged) is
    one `Skip` for the file; a page that cannot be read, or has no text
    layer, is a `Skip` whose path is `file.pdf#pN`, and the other pages go on.
    """
    import pypdfium2 as pdfium  # imported late: only runs that read PDFs pay for it

    path = Path(path)
    opened = _open_regular(path)
    if isinstance(opened, Skip):
        yield opened
        return
    fd, _size = opened
    # Hashed in pieces, opened by PDFium from the file: a large PDF is never held whole.
    digest = hashlib.sha1()
    head = tail = b""
    try:
        with os.fdopen(fd, "rb") as f:
            while piece := f.read(1 << 20):
                digest.update(piece)
                head = head or piece[:1024]
                tail = (tail + piece)[-_EOF_WINDOW:]
    except OSError as exc:
        yield Skip(path, _os_reason(exc))
        return
    problem = _file_problem(head, tail)
    if problem:
        yield Skip(path, problem)
        return
    sha1 = digest.hexdigest()
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        yield Skip(path, _load_reason(exc))
        return
    except OSError as exc:  # removed or made unreadable since it was hashed
        yield Skip(path, _os_reason(exc))
        return
    try:
        count = len(pdf)
        if count == 0:
            yield Skip(path, "PDF has no pages")
            return
        date = pdf_date(_metadata(pdf).get("CreationDate"))
        for index in range(count):
            yield _read_page(pdf, index, count, path, sha1, date)
    finally:
        pdf.close()


def _file_problem(head: bytes, tail: bytes) -> str | None:
    """What the first and last KB say about the file, if it cannot be a whole PDF."""
    if b"%PDF-" not in head:
        return "not a PDF file (no %PDF- header)"
    if b"%%EOF" not in tail:
        return "truncated PDF (no %%EOF at the end); copy or download it again"
    return None


def _load_reason(exc) -> str:
    import pypdfium2.raw as pdfium_c

    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return "encrypted PDF: it needs a password (save a copy without one)"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "encrypted PDF with a security handler PDFium does not support"
    if code == pdfium_c.FPDF_ERR_FORMAT:
        return "damaged PDF (PDFium: data format error)"
    return f"damaged PDF (PDFium: {str(exc).strip()})"


def _metadata(pdf) -> dict:
    try:
        return pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # metadata is optional; a broken Info dictionary must not lose the page
        return {}


def _read_page(pdf, index: int, count: int, path: Path, sha1: str, date) -> PdfPage | Skip:
    import pypdfium2 as pdfium

    def skip(reason: str) -> PageSkip:
        return PageSkip(Path(f"{path}#p{index + 1}"), reason, path, index + 1, count)

    page = textpage = None
    try:
        page = pdf[index]
        left, bottom, right, top = page.get_cropbox()
        textpage = page.get_textpage()
        chars = _chars(textpage, top)
        images, rules = _boxes(page, top)
    except pdfium.PdfiumError as exc:
        return skip(f"page cannot be read ({exc})")
    finally:
        if textpage is not None:
            textpage.close()
        if page is not None:
            page.close()
    visible = [c for c in chars if not c.space]
    if not visible:
        return skip("no text layer; OCR is not supported" if images else "blank page (no text)")
    unmapped = sum(1 for c in visible if c.text == "\ufffd" or "\ue000" <= c.text <= "\uf8ff")
    if unmapped > len(visible) / 2:
        return skip("text layer without Unicode (its fonts map no characters); OCR is not supported")
    blocks = layout_blocks(chars, images, rules)
    problem = _not_a_page("".join(b.text for b in blocks))
    if problem:
        return skip(problem)
    return PdfPage(path, index + 1, count, tuple(blocks), right - left, top - bottom, sha1, date)


def page_chars(path: str | os.PathLike) -> Iterator[list]:
    """The characters of each page of a PDF (for measuring the reader against the truth);
    raises `pypdfium2.PdfiumError` for a file PDFium cannot open."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                yield _chars(textpage, page.get_cropbox()[3])
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()


class Char(NamedTuple):
    """One character as PDFium placed it; y grows downwards from the page top."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float  # baseline
    size: float
    space: bool = False


def _chars(textpage, page_top: float) -> list[Char]:
    """Every character of the text layer, in content order; PDFium's own
    inserted spaces and line breaks (generated characters) left out.

    A page holds thousands of characters and every PDFium call goes through
    ctypes, so calls are saved where the answer is known: the text comes in
    one call, only spaces and breaks are asked whether PDFium made them up,
    and the font size is asked again only when the box height changes.
    """
    import pypdfium2.raw as pdfium_c

    tp = textpage.raw
    n = pdfium_c.FPDFText_CountChars(tp)
    codes = _codes(pdfium_c, tp, n)
    out: list[Char] = []
    rect = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    is_generated = pdfium_c.FPDFText_IsGenerated
    loose_box, origin, font_size = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin, \
        pdfium_c.FPDFText_GetFontSize
    pending_high = None
    last_height, size = None, 0.0
    for i in range(n):
        code = codes[i]
        if 0xD800 <= code < 0xDC00:  # a character outside the BMP comes as two halves
            pending_high = code
            continue
        if 0xDC00 <= code < 0xE000 and pending_high is not None:
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
        pending_high = None
        if code in (0, 0xFFFE, 0xFFFF, 0x0D, 0x0A, 0x02, 0x03):
            continue
        ch = chr(code)
        space = ch.isspace()
        if space and is_generated(tp, i) == 1:
            continue
        if not loose_box(tp, i, rect):
            continue
        origin(tp, i, ox, oy)
        height = rect.top - rect.bottom
        if height != last_height:
            size = font_size(tp, i) or height
            last_height = height
        out.append(Char(ch, rect.left, rect.right, page_top - rect.top, page_top - rect.bottom,
                        page_top - oy.value, size, space))
    return out


def _codes(pdfium_c, tp, n: int) -> list[int]:
    """The UTF-16 code unit of each character index, in one call when PDFium gives one per index."""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    written = pdfium_c.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    units = array("H", buf.raw[:2 * max(written - 1, 0)])
    if len(units) == n:
        return list(units)
    return [pdfium_c.FPDFText_GetUnicode(tp, i) for i in range(n)]


def _boxes(page, page_top: float) -> tuple[list, list]:
    """(x0, top, x1, bottom) of the page's images, and of its thin horizontal paths (rules).

    Through PDFium's own calls: the page may hold thousands of text objects,
    and wrapping each in a Python object only to skip it is slow.
    """
    import pypdfium2.raw as pdfium_c

    raw = page.raw
    images, rules = [], []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH):
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        box = (left.value, page_top - top.value, right.value, page_top - bottom.value)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            if box[3] - box[1] < 2.5 and box[2] - box[0] > 20:
                rules.append(box)
        else:
            images.append(box)
    return images, rules


# ------------------------------------------------------------------- layout


@dataclass
class _Frag:
    """A line fragment: characters on one baseline with no column-wide gap."""

    chars: list
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float
    image: bool = False
    # The horizontal extent the X-Y cuts see: a headline's is widened to the
    # columns it is centred over (see _claim_columns); everyone else's is their own.
    cx0: float = 0.0
    cx1: float = 0.0


def _frag_of(c: Char) -> _Frag:
    return _Frag([c], c.x0, c.x1, c.top, c.bottom, c.base, c.size)


def _fragments(chars: list[Char]) -> list[_Frag]:
    """Characters → fragments. Content order first (a line is usually drawn in
    one go), then fragments on one baseline that touch are joined whatever
    order they were drawn in."""
    runs: list[_Frag] = []
    cur = last = None
    for c in chars:
        if last is not None:
            size = last.size if last.size > c.size else c.size
            gap = c.x0 - last.x1
            if (-0.5 * size <= gap <= COLUMN_GAP * size and abs(c.base - last.base) <= 0.25 * size
                    and abs(c.size - last.size) <= 0.12 * size):
                cur.chars.append(c)
                if c.x1 > cur.x1:
                    cur.x1 = c.x1
                last = c
                continue
        cur = _frag_of(c)
        runs.append(cur)
        last = c
    for r in runs:
        r.top, r.bottom = min(c.top for c in r.chars), max(c.bottom for c in r.chars)
    runs = [r for r in runs if any(not c.space for c in r.chars)]
    for r in runs:
        r.chars = _strip_spaces(r.chars)
        r.x0, r.x1 = r.chars[0].x0, max(c.x1 for c in r.chars)
    # Join runs that continue one another on a baseline (drawn out of order, or in pieces).
    runs.sort(key=lambda r: (r.x0, r.base))
    lines: list[_Frag] = []
    by_base: dict[int, list[_Frag]] = {}
    for r in runs:
        key = int(r.base // 8)
        target = None
        for k in (key - 1, key, key + 1):
            for line in by_base.get(k, ()):
                if _joins(line, r):
                    target = line
                    break
            if target:
                break
        if target is None:
            lines.append(r)
            by_base.setdefault(key, []).append(r)
        else:
            target.chars.extend(r.chars)
            target.x1 = max(target.x1, r.x1)
            target.top, target.bottom = min(target.top, r.top), max(target.bottom, r.bottom)
    for line in lines:
        line.size = statistics.median(c.size for c in line.chars if not c.space)
    return lines


def _strip_spaces(chars):
    start, end = 0, len(chars)
    while chars[start].space:
        start += 1
    while chars[end - 1].space:
        end -= 1
    return chars[start:end]


def _similar(a: float, b: float, tol: float = 0.12) -> bool:
    return abs(a - b) <= tol * max(a, b)


def _joins(line: _Frag, r: _Frag) -> bool:
    size = max(line.size, r.size)
    return (abs(line.base - r.base) <= 0.25 * size and _similar(line.size, r.size)
            and -0.5 * size <= r.x0 - line.x1 <= COLUMN_GAP * size)


def _gaps(items, lo: str, hi: str, min_gap: float) -> list[tuple[float, float]]:
    """Whitespace intervals wider than min_gap in the projection of items on one axis."""
    spans = sorted((getattr(i, lo), getattr(i, hi)) for i in items)
    gaps, reach = [], spans[0][1]
    for a, b in spans[1:]:
        if a - reach > min_gap:
            gaps.append((reach, a))
        reach = max(reach, b)
    return gaps


def _split(items, lo: str, gaps) -> list[list]:
    cuts = [g[1] for g in gaps]
    parts: list[list] = [[] for _ in range(len(cuts) + 1)]
    for item in items:
        parts[bisect.bisect_right(cuts, getattr(item, lo))].append(item)
    return [p for p in parts if p]


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _order(items, em: float, rules, band_gap: float) -> list[list]:
    """Regions (lists of fragments and images) in reading order, by recursive X-Y cuts.

    Bands first: a headline band comes before the columns under it (a
    headline is as wide as the columns it heads, see _claim_columns). Bands
    that share a gutter (two stories side by side, or a gap that happens to
    run across a story's columns), or one of which sits within the other's
    columns (a column running on below its neighbours), are merged so that
    the cut between columns comes first there, unless a rule or `STORY_GAP`
    of space separates them. `band_gap`: the least whitespace
    between two bands (more than between two lines of a column).
    """
    out: list[list] = []
    stack = [items]
    while stack:
        group = stack.pop()
        if len(group) == 1:
            out.append(group)
            continue
        bands = _gaps(group, "top", "bottom", band_gap)
        parts = _split(group, "top", bands) if bands else [group]
        merged = [parts[0]]
        for gap, part in zip(bands, parts[1:]):
            prev = merged[-1]
            if gap[1] - gap[0] < STORY_GAP * em and not _ruled(gap, prev, part, rules) \
                    and (_share_gutter(prev, part, em) or _within_columns(prev, part, em)
                         or _within_columns(part, prev, em)):
                prev.extend(part)
            else:
                merged.append(part)
        if len(merged) > 1:
            stack.extend(reversed(merged))
            continue
        cols = _gaps(group, "cx0", "cx1", CUT_GAP_X * em)
        if cols:
            stack.extend(reversed(_split(group, "cx0", cols)))
        elif len(parts) > 1:
            stack.extend(reversed(parts))  # bands that share a gutter no cut runs through
        else:
            out.append(group)
    return out


def _ruled(gap, above, below, rules) -> bool:
    """A horizontal rule drawn in the gap, across the bands' width, separates them."""
    x0 = min(i.x0 for i in above + below)
    x1 = max(i.x1 for i in above + below)
    for rx0, rtop, rx1, rbottom in rules:
        if gap[0] - 1 <= rtop and rbottom <= gap[1] + 1 and _overlap((rx0, rx1), (x0, x1)) \
                and (rx1 - rx0) >= 0.5 * (x1 - x0):
            return True
    return False


def _share_gutter(a, b, em: float) -> bool:
    ga = _gaps(a, "cx0", "cx1", CUT_GAP_X * em)
    gb = _gaps(b, "cx0", "cx1", CUT_GAP_X * em)
    return any(_overlap(x, y) for x in ga for y in gb)


def _claim_columns(frags, em: float, below: float = 10.0) -> None:
    """Widen each headline to the columns it heads.

    A short headline over three columns leaves gutters open beside it, and a
    cut there would read the first column before the headline. The columns
    are the runs of text (subheadings, bylines, body) in the `below` ems
    under it; it heads the
    widest run of them that covers it, has nothing beside it and is nearer
    to it than to any other headline at its height (another story's
    headline or text there belongs elsewhere).
    """
    body = sorted((f for f in frags if f.size < HEADLINE_RATIO * em), key=lambda f: f.top)
    tops = [f.top for f in body]
    by_top = sorted(frags, key=lambda f: f.top)
    all_tops = [f.top for f in by_top]
    for h in frags:
        if h.size < HEADLINE_RATIO * em:
            continue
        lo = bisect.bisect_left(tops, h.bottom)
        hi = bisect.bisect_right(tops, h.bottom + below * em)
        spans = sorted((f.x0, f.x1) for f in body[lo:hi])
        if not spans:
            continue
        columns = [list(spans[0])]
        for a, b in spans[1:]:
            if a - columns[-1][1] > CUT_GAP_X * em:
                columns.append([a, b])
            else:
                columns[-1][1] = max(columns[-1][1], b)
        # What else sits at the headline's height (its own other fragments aside).
        beside = [f for f in by_top[:bisect.bisect_right(all_tops, h.bottom)]
                  if f is not h and f.bottom > h.top and not _same_line(f, h)]
        rivals = [f for f in beside if f.size >= HEADLINE_RATIO * em]

        def distance(col, f):
            return max(0.0, f.x0 - col[1], col[0] - f.x1)

        # A column beside nothing else, and nearer this headline than any other at its height.
        free = [_overlap((c[0], c[1]), (h.x0, h.x1))
                or (not any(_overlap((c[0], c[1]), (f.x0, f.x1)) for f in beside)
                    and all(distance(c, h) < distance(c, r) for r in rivals))
                for c in columns]
        best = near = None
        for i in range(len(columns)):
            for j in range(i, len(columns)):
                if not all(free[i:j + 1]):
                    break
                x0, x1 = columns[i][0], columns[j][1]
                if x0 <= h.x0 + em and x1 >= h.x1 - em:
                    if best is None or x1 - x0 > best[1] - best[0]:
                        best = (x0, x1)
                elif x0 - h.x1 < 3 * em and h.x0 - x1 < 3 * em and (near is None or x1 - x0 > near[1] - near[0]):
                    near = (x0, x1)  # text under only part of a wide headline
        best = best or near
        if best is not None:
            h.cx0, h.cx1 = min(h.x0, best[0]), max(h.x1, best[1])


def _same_line(a, b) -> bool:
    """Two fragments of one printed line (split where its words were spaced out)."""
    size = max(a.size, b.size)
    return (_similar(a.size, b.size) and abs(a.base - b.base) < 0.25 * size
            and a.x0 - b.x1 < 2 * size and b.x0 - a.x1 < 2 * size)


def _line_gap(frags, look_ahead: int = 30) -> float:
    """The page's usual space between a printed line and the one below it in its column."""
    frags = sorted(frags, key=lambda f: f.top)
    gaps = []
    for k, f in enumerate(frags):
        for g in frags[k + 1:k + 1 + look_ahead]:
            if g.top >= f.bottom and _overlap((f.x0, f.x1), (g.x0, g.x1)):
                gaps.append(g.top - f.bottom)
                break
    return statistics.median(gaps) if gaps else 0.0


def _within_columns(a, b, em: float) -> bool:
    """b crosses none of a's gutters: it runs on in a's columns (the foot of
    one column of a story, below where its neighbours end)."""
    gutters = _gaps(a, "cx0", "cx1", CUT_GAP_X * em)
    # Crossing is reaching over a gutter, not into it: a's narrow lines (centred
    # subheadings) make its gutters look wider than they are.
    return bool(gutters) and not any(i.cx0 < g[0] and i.cx1 > g[1] for i in b for g in gutters)


def body_size(frags) -> float:
    """The page's body type: the size most characters are set in (to the half point)."""
    weight: dict[float, int] = {}
    for f in frags:
        key = round(f.size * 2) / 2
        weight[key] = weight.get(key, 0) + len(f.chars)
    return max(weight.items(), key=lambda kv: (kv[1], -kv[0]))[0] if weight else 10.0


def layout_blocks(chars: list[Char], images=(), rules=()) -> list[Block]:
    """The blocks of a page in reading order, each with its kind (see the module docstring)."""
    frags = _fragments(chars)
    if not frags:
        return []
    em = body_size(frags)
    items = frags + [_Frag([], x0, x1, top, bottom, bottom, em, image=True) for x0, top, x1, bottom in images]
    for item in items:
        item.cx0, item.cx1 = item.x0, item.x1
    _claim_columns(frags, em)
    band_gap = max(CUT_GAP_Y * em, _line_gap(frags) + 0.4 * em)
    raw: list[_RawBlock] = []
    for region in _order(items, em, list(rules), band_gap):
        raw.extend(_region_blocks(region, em))
    _classify(raw, em)
    raw = _join_continued(raw)
    return [Block(b.kind, b.text, b.x0, b.top, b.x1, b.bottom, b.size, len(b.lines)) for b in raw
            if not b.image and b.text]


@dataclass
class _RawBlock:
    lines: list = field(default_factory=list)  # each a list of fragments on one baseline
    image: bool = False
    kind: str = "text"
    text: str = ""
    gap_above: float = 0.0
    gap_below: float = 0.0
    region: tuple = (0.0, 0.0)  # x extent of the region the block sits in
    opens_region: bool = False  # first text block of its region, its first line not indented
    fills_region: bool = False  # last text block of its region, its last line full
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0

    def measure(self) -> "_RawBlock":
        """Set the box and the type size (the median of its fragments') from the lines."""
        frags = [f for line in self.lines for f in line]
        self.x0, self.x1 = min(f.x0 for f in frags), max(f.x1 for f in frags)
        self.top, self.bottom = min(f.top for f in frags), max(f.bottom for f in frags)
        self.size = 0.0 if self.image else statistics.median(f.size for f in frags)
        return self


def _physical_lines(frags) -> list[list[_Frag]]:
    """Fragments of a region grouped into printed lines (one baseline), top to bottom."""
    frags = sorted(frags, key=lambda f: (f.base, f.x0))
    lines: list[list[_Frag]] = []
    for f in frags:
        if lines and abs(lines[-1][0].base - f.base) <= 0.3 * max(f.size, lines[-1][0].size) \
                and _similar(lines[-1][0].size, f.size, 0.2):
            lines[-1].append(f)
        else:
            lines.append([f])
    for line in lines:
        line.sort(key=lambda f: f.x0)
    return lines


def _region_blocks(region, em: float) -> list[_RawBlock]:
    images = [i for i in region if i.image]
    frags = [i for i in region if not i.image]
    out: list[_RawBlock] = [_RawBlock([[i]], image=True).measure() for i in images]
    if not frags:
        return out
    left, right = min(f.x0 for f in frags), max(f.x1 for f in frags)
    pieces = []
    for line in _physical_lines(frags):
        # A byline set right, on the last line of a paragraph, is a block of its own.
        split = next((k for k, f in enumerate(line) if k and f.chars[0].text in BYLINE_MARKS), None)
        pieces.extend([line[:split], line[split:]] if split else [line])
    leading = _typical_gap(pieces)
    blocks: list[_RawBlock] = []
    prev = None
    for piece in pieces:
        size = statistics.median(f.size for f in piece)
        x0, x1 = piece[0].x0, piece[-1].x1
        top = min(f.top for f in piece)
        starts_byline = piece[0].chars[0].text in BYLINE_MARKS
        gap = 0.0 if prev is None else top - prev[0]
        new = prev is None or starts_byline
        if not new:
            p_bottom, p_size, p_x1, p_base, p_byline = prev
            if not _similar(p_size, size) or piece[0].base - p_base < 0.3 * size:
                new = True  # another size; or a second fragment on the same line
            elif gap > max(PARA_GAP * size, leading + 0.4 * size):
                new = True  # space set between them
            elif p_byline:
                # A byline runs on only from a full line to one that is not indented.
                new = p_x1 < right - 1.0 * size or x0 > left + 0.5 * size
            elif _similar(size, em) and (p_x1 < right - 1.0 * size or x0 > left + 1.0 * size):
                new = True  # body type: a short last line ends a paragraph, an indent starts one
        if new:
            if blocks:
                blocks[-1].gap_below = max(gap, 0.0)
            blocks.append(_RawBlock(region=(left, right), gap_above=max(gap, 0.0) if prev else em * 10))
        blocks[-1].lines.append(piece)
        prev = (max(f.bottom for f in piece), size, x1, piece[0].base,
                blocks[-1].lines[0][0].chars[0].text in BYLINE_MARKS)
    for b in blocks:
        b.text = _block_text(b)
        b.measure()
    if blocks:
        blocks[-1].gap_below = em * 10
        first, last = blocks[0], blocks[-1]
        first.opens_region = first.lines[0][0].x0 <= left + 0.5 * first.size
        last.fills_region = last.lines[-1][-1].x1 >= right - 1.0 * last.size
    out.extend(blocks)
    out.sort(key=lambda b: b.lines[0][0].top)  # photos in their place among the blocks
    return out


def _join_continued(blocks: list[_RawBlock]) -> list[_RawBlock]:
    """A paragraph that runs on from the foot of one column to the head of the
    next (its last line full, the next column's first line not indented) is one block."""
    out: list[_RawBlock] = []
    last_text = None
    for b in blocks:
        if (not b.image and b.kind == "text" and last_text is not None and last_text.kind == "text"
                and last_text.fills_region and b.opens_region and _similar(last_text.size, b.size)):
            joint = " " if _ASCII_WORD.match(last_text.text[-1]) and _ASCII_WORD.match(b.text[0]) else ""
            last_text.lines.extend(b.lines)
            last_text.text += joint + b.text
            last_text.fills_region = b.fills_region
            last_text.measure()
            continue
        out.append(b)
        if not b.image:
            last_text = b
    return out


def _typical_gap(lines) -> float:
    """The usual space between one printed line and the next (the leading, less the type)."""
    gaps = []
    for a, b in zip(lines, lines[1:]):
        gap = min(f.top for f in b) - max(f.bottom for f in a)
        if gap >= 0 and _similar(a[0].size, b[0].size):
            gaps.append(gap)
    return statistics.median(gaps) if gaps else 0.0


def _block_text(block: _RawBlock) -> str:
    """The lines of a block joined: spaces only between Latin words or digits (names, in a byline)."""
    byline = block.lines[0][0].chars[0].text in BYLINE_MARKS
    out: list[str] = []
    prev: Char | None = None
    for line in block.lines:
        line_start = True
        for frag in line:
            spaced = prev is not None and not line_start  # fragments of one line: a wide gap
            for c in frag.chars:
                ch = fold_width(c.text)
                if c.space or not ch.strip():
                    spaced = True
                    continue
                if prev is not None:
                    if line_start:
                        wanted = _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(ch)
                    else:
                        gap = c.x0 - prev.x1
                        if byline:
                            wanted = spaced or gap > 0.5 * c.size
                        else:
                            wanted = (spaced or gap > WORD_SPACE * c.size) \
                                and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(ch)
                    if wanted:
                        out.append(" ")
                out.append(ch)
                prev, spaced, line_start = c, False, False
    return "".join(out)


# ------------------------------------------------------------------ kinds


def jump_notes() -> tuple:
    """The compiled patterns of config/jump_notes.jsonl: ((regex, opens), …); ConfigError if malformed."""
    return _compiled_notes(str(config_dir() / "jump_notes.jsonl"))


@lru_cache(maxsize=None)
def _compiled_notes(path: str) -> tuple:
    rows = []
    for row in jsonl(path, ("pattern", "opens")):
        try:
            rows.append((re.compile(row["pattern"]), bool(row["opens"])))
        except re.error as exc:
            from kg.errors import ConfigError

            raise ConfigError(path, None, f"pattern {row['pattern']!r}: bad regex ({exc})") from None
    return tuple(rows)


def jump_note(text: str) -> bool | None:
    """True for a note heading a continuation (（上接第1版）), False for one ending a part, else None."""
    for pattern, opens in jump_notes():
        if pattern.search(text):
            return opens
    return None


def _classify(blocks: list[_RawBlock], em: float) -> None:
    images = [b for b in blocks if b.image]
    previous = None  # the last text block, in reading order
    for b in blocks:
        if b.image:
            continue
        size, text = b.size, b.text
        medium = size >= MEDIUM_RATIO * em
        under_headline = previous is not None and previous.kind in ("headline", "subtitle")
        if text[:1] in BYLINE_MARKS:
            b.kind = "byline"
        elif jump_note(text) is not None:
            b.kind = "note"
        elif size >= HEADLINE_RATIO * em:
            b.kind = "headline"
        elif text.startswith("——") and (medium or under_headline) and not _SENTENCE_PUNCT.search(text):
            b.kind = "subtitle"
        elif _under_image(b, images, em):
            b.kind = "caption"
        elif medium and not _SENTENCE_PUNCT.search(text) and len(text) <= 40:
            b.kind = "subheading"
        elif _set_apart_heading(b, em):
            b.kind = "subheading"
        else:
            b.kind = "text"
        previous = b


def _under_image(b: _RawBlock, images, em: float) -> bool:
    """A caption: short, or in small type, set just below a photo and across it."""
    if not (b.size <= SMALL_RATIO * em or len(b.text) <= 60):
        return False
    for img in images:
        i = img.lines[0][0]
        if _overlap((b.x0, b.x1), (i.x0, i.x1)) and -0.5 * em <= b.top - i.bottom <= 1.5 * em:
            return True
    return False


def _set_apart_heading(b: _RawBlock, em: float) -> bool:
    """A short, unpunctuated line in body type, centred in its column with space around it."""
    if len(b.lines) != 1 or len(b.text) > 30 or _SENTENCE_PUNCT.search(b.text) or b.text.startswith("——"):
        return False
    left, right = b.region
    centred = b.x0 - left > em and right - b.x1 > em and abs((b.x0 - left) - (right - b.x1)) < 1.5 * em
    return centred and (b.gap_above > PARA_GAP * em or b.gap_below > PARA_GAP * em)
