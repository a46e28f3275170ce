"""What the pipeline's components find, kept on the spaCy Doc.

Components append `Mention`s to `doc._.kg_mentions`, `Relation`s to
`doc._.kg_relations` and `Metric`s to `doc._.kg_metrics`. Offsets are
character offsets into `doc.text` (the cleaned page), so they survive any
tokenizer: the char, jieba and pkuseg segmenters all work. What is read
about a sentence is read within its article (`Layout.article`).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal

from spacy.tokens import Doc

LABELS = ("BRANCH", "PARTNER", "PRODUCT", "PROGRAM", "PERSON")


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    label: str
    text: str
    rule: str
    kind: str = "name"  # name | anaphor | level (县分公司) | collective (宜昌邮政)
    info: dict = field(default_factory=dict)
    refers: int | None = None  # for anaphors and level names: index of the mention meant
    dropped: bool = False  # set by the resolver when a better overlapping mention wins

    @property
    def span(self):
        return self.start, self.end


@dataclass(slots=True)
class Relation:
    type: str
    head: int  # mention indexes
    tail: int
    start: int
    end: int
    rule: str
    title: str | None = None


@dataclass(slots=True)
class Metric:
    subject: int  # mention index
    name: str
    value: Decimal
    unit: str
    as_of: str | None
    text: str
    start: int
    end: int
    rule: str
    rank: str | None = None
    value_max: Decimal | None = None


for _name in ("kg_mentions", "kg_relations", "kg_metrics"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Doc.has_extension("kg_article"):
    Doc.set_extension("kg_article", default=None)


_MENTIONS_KEY = ("._.", "kg_mentions", None, None)  # where spaCy keeps doc._.kg_mentions


def mentions(doc) -> list[Mention]:
    # Straight from user_data: the `doc._` accessor costs more than the rest
    # of a lookup, and components ask for every mention they look at.
    found = doc.user_data.get(_MENTIONS_KEY)
    if found is None:
        found = doc._.kg_mentions = []
    return found


def relations(doc) -> list[Relation]:
    if doc._.kg_relations is None:
        doc._.kg_relations = []
    return doc._.kg_relations


def metrics(doc) -> list[Metric]:
    if doc._.kg_metrics is None:
        doc._.kg_metrics = []
    return doc._.kg_metrics


def mentions_changed(doc) -> None:
    """Say that mentions were dropped (appending is seen by itself): `live` reads them again."""
    doc.user_data["kg_live_version"] = doc.user_data.get("kg_live_version", 0) + 1


def live(doc) -> list[tuple[int, Mention]]:
    """Mentions still standing after overlap resolution, with their indexes, in text order."""
    ms = mentions(doc)
    # Relation finders ask once per mention; the answer changes only when mentions are
    # added or dropped (mention_resolver says so), so a page-long Doc is not rescanned.
    stamp = (len(ms), doc.user_data.get("kg_live_version", 0))
    cached = doc.user_data.get("kg_live")
    if cached is None or cached[0] != stamp:
        cached = doc.user_data["kg_live"] = (stamp, sorted(((i, m) for i, m in enumerate(ms) if not m.dropped),
                                                             key=lambda p: p[1].start))
    return cached[1]


def live_in(doc, start: int, end: int) -> list[tuple[int, Mention]]:
    """Live mentions lying within [start, end), in text order (a bisect, not a scan:
    components ask this once per figure or mention, and a long article has many)."""
    items = live(doc)
    cached = doc.user_data.get("kg_live_starts")
    if cached is None or cached[0] is not items:
        cached = doc.user_data["kg_live_starts"] = (items, [m.start for _, m in items])
    starts = cached[1]
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_left(starts, end)
    return [(i, m) for i, m in items[lo:hi] if m.end <= end]


def live_before(doc, pos: int) -> list[tuple[int, Mention]]:
    """Live mentions starting before pos, nearest last."""
    items = live(doc)
    live_in(doc, 0, 0)  # fills the start index
    hi = bisect.bisect_left(doc.user_data["kg_live_starts"][1], pos)
    return items[:hi]


def resolved(doc, index: int) -> int:
    """Follow anaphors and level names to the mention they stand for."""
    ms = mentions(doc)
    seen = set()
    while ms[index].refers is not None and index not in seen:
        seen.add(index)
        index = ms[index].refers
    return index


SENTENCE_END = re.compile(r"[。！？!?][”’」』）)\"']*|\n")


def sentence_starts(text: str) -> list[int]:
    """Where sentences start: after 。！？ (and closing quotes) and at paragraph breaks."""
    return [0] + [m.end() for m in SENTENCE_END.finditer(text) if m.end() < len(text)]


class Layout:
    """Article, sentence and paragraph boundaries of a page, for finding what is near what."""

    def __init__(self, doc):
        # The sentence splitter leaves the text and sentence starts in user_data;
        # without it (a pipeline of the user's), spaCy's sentences serve.
        self.text = doc.user_data.get("kg_text") or doc.text
        starts = doc.user_data.get("kg_sentence_starts")
        if starts is None:
            # No kg_sentence_splitter in a user's pipeline: spaCy's sentences if
            # something set them, else the splitter's own rule.
            starts = ([s.start_char for s in doc.sents] if doc.has_annotation("SENT_START")
                      else sentence_starts(self.text)) or [0]
        self.sent_starts = starts
        self.para_starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        articles = doc.user_data.get("kg_articles") or [[0, len(self.text)]]
        self.art_starts = [row[0] for row in articles]
        self.art_ends = [row[1] for row in articles]

    def article_index(self, pos: int) -> int:
        return max(bisect.bisect_right(self.art_starts, pos) - 1, 0)

    def article(self, pos: int) -> tuple[int, int]:
        """(start, end) of the article holding pos."""
        i = self.article_index(pos)
        return self.art_starts[i], self.art_ends[i]

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sent_starts, pos) - 1
        end = self.sent_starts[i + 1] if i + 1 < len(self.sent_starts) else len(self.text)
        return self.sent_starts[i], end

    def paragraph(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.para_starts, pos) - 1
        end = self.para_starts[i + 1] - 1 if i + 1 < len(self.para_starts) else len(self.text)
        return self.para_starts[i], end

    def sentence_text(self, pos: int) -> str:
        # One string per sentence, shared by every fact read in it.
        s, e = self.sentence(pos)
        cache = self.__dict__.setdefault("_sentences", {})
        text = cache.get(s)
        if text is None:
            text = cache[s] = self.text[s:e].strip()
        return text


def layout(doc) -> Layout:
    # Cached on the doc: several components ask.
    cached = doc.user_data.get("kg_layout")
    if cached is None:
        cached = doc.user_data["kg_layout"] = Layout(doc)
    return cached
