"""PRODUCT and PROGRAM mentions written without quotes.

Shapes (each from config, none from a list of seen names):
- a verb of launching before a name ending in a product head:
  推出柑橘贷产品, 开发了冷链追溯平台 (config/item_patterns.jsonl);
- lists of named systems: 天眼系统、慧眼系统、鹰眼系统等;
- a name with a Latin product head: 医保智能 POS;
- a mechanism named by its ending after a verb: 实施网格长负责制;
- a project's name with its phase: 柑橘产业园建设项目（二期）;
- nationally known names from config/known_names.jsonl (医保电子凭证).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions
from kg.nlp.name_growth import Stops, Taken, window_start

CJK = r"\u3400-\u9fff"
YEAR_BEFORE = re.compile(r"\d{4}年?$")
KNOWN_TAIL = re.compile(r"电商|快递|速递|速运|物流|集团|平台")


def _unquote(text: str) -> str:
    return text.replace("“", "").replace("”", "")


@Language.factory(
    "kg_named_item_finder",
    assigns=["doc._.kg_mentions"],
    default_config={
        "patterns": "config/item_patterns.jsonl",
        "known": "config/known_names.jsonl",
        "stops": "config/name_stops.txt",
        "name_words": "config/name_words.txt",
        "generic": "config/generic_words.txt",
    },
)
def make_named_item_finder(nlp, name, patterns, known, stops, name_words, generic):
    return NamedItemFinder(patterns, known, stops, name_words, generic)


class NamedItemFinder:
    def __init__(self, patterns, known, stops, name_words, generic):
        self.patterns = []
        for row in jsonl(patterns, ("id", "label", "regex")):
            try:
                if row.get("prefilter"):
                    row = dict(row, prefilter_re=re.compile(row["prefilter"]))
                self.patterns.append((row, re.compile(row["regex"])))
            except re.error as exc:
                from kg.errors import ConfigError
                raise ConfigError(patterns, None, f"pattern {row['id']!r}: bad regex ({exc})") from None
        rows = jsonl(known, ("name", "label"))
        self.known = {r["name"]: r["label"] for r in rows}
        self.known_re = re.compile("|".join(map(re.escape, longest_first(self.known)))) if self.known else None
        self.stops = Stops(word_list(stops), word_list(name_words))
        self.generic = longest_first(word_list(generic))

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        taken = Taken((x.start, x.end) for x in found)
        for row, rx in self.patterns:
            has_head = "head" in rx.groupindex
            for m in self._matches(row, rx, text):
                s, e = m.span("name")
                head_start = m.start("head") if has_head else e
                if row.get("grow"):
                    floor = taken.last_end(head_start)
                    s = self._grow(text, max(s, floor), head_start, row.get("needs_stop", False), floor)
                    if s is None:
                        continue
                if "“" in text[s:e] or "”" in text[s:e]:
                    continue  # a quoted name: quoted_name_finder reads it with its head
                if row.get("keep_year"):
                    year = YEAR_BEFORE.search(text, max(0, s - 5), s)
                    s = year.start() if year else s  # 2023年某省集邮展览: the year is in the name
                core = _unquote(text[s:head_start])
                if not self._acceptable(core, row, m.group("head") if has_head else ""):
                    continue
                if row.get("must") and not re.search(row["must"], text[s:e]):
                    continue
                name, info = _unquote(text[s:e]), {}
                if row.get("keep_year"):
                    # 某集团有限公司第五届揽投技能大赛: the organiser named right before is in the name.
                    owner = next((k for k in range(len(found) - 1, -1, -1)
                                  if found[k].end == s and found[k].label == "BRANCH"), None)
                    if owner is not None:
                        name, info = found[owner].text + name, {"owner": owner}
                found.append(Mention(s, e, row["label"], name, f"named_item_finder:{row['id']}", info=info))
                taken.add(s, e)
        if self.known_re:
            for m in self.known_re.finditer(text):
                label, end = self.known[m.group()], m.end()
                if len(m.group()) <= 2 and not self._stands_alone(text, m.start(), end):
                    continue  # 空中通道 holds 中通, and is no express company
                if label == "PARTNER":
                    # 某某电商, 某某快递: the company's name with the word for what it is.
                    tail = KNOWN_TAIL.match(text, end)
                    end = tail.end() if tail else end
                found.append(Mention(m.start(), end, label, text[m.start():end], "named_item_finder:known"))
        return doc

    @staticmethod
    def _matches(row, rx, text):
        """The pattern's matches; with a prefilter, only around each head it finds."""
        heads = row.get("prefilter_re")
        if heads is None:
            yield from rx.finditer(text)
            return
        for h in heads.finditer(text):
            lo, hi = max(0, h.start() - 40), min(len(text), h.end() + 16)
            m = next((m for m in rx.finditer(text, lo, hi) if m.start("head") == h.start()), None)
            if m is not None:
                yield m

    def _stands_alone(self, text, s, e) -> bool:
        """A short known name is a word of its own: a stop word or a break before it,
        and after it a break, a list mark or the word for what it is."""
        before = text[max(0, s - 4):s]
        left = not before or not re.match(rf"[{CJK}]", before[-1]) or self.stops.last_end(before) == len(before)
        right = e >= len(text) or not re.match(rf"[{CJK}]", text[e]) or text[e] in "、和与及等" \
            or KNOWN_TAIL.match(text, e) is not None
        return left and right

    def _grow(self, text, s, head_start, needs_stop, floor=0):
        """Start of a name ending at head_start: after the last stop word before it
        (and never before `floor`, the end of a name already found)."""
        w = window_start(text, head_start, floor=floor, max_len=20)
        cut = self.stops.last_end(text[w:head_start])
        if needs_stop and not cut:
            return None
        start = w + cut
        return start if head_start - start >= 2 else None

    def _acceptable(self, core: str, row, head: str = "") -> bool:
        if len(core) < row.get("min_len", 2) or len(core) > row.get("max_len", 16):
            return False
        if "的" in core or self.stops.inside(core[:1]) or (head and head in core):
            return False
        if re.search(r"[、，]|等|”“", core):
            return False  # a list of names (“柑橘贷”“茶农贷”等, 首日封等集邮文创产品), not one name
        if row.get("descriptive_ok"):
            return True
        rest = core
        for word in self.generic:
            rest = rest.replace(word, "")
        return len(re.sub(rf"[^{CJK}A-Za-z]", "", rest)) >= 1
