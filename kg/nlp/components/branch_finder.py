"""BRANCH mentions: postal and bank units, found from the suffix that ends their names.

Three shapes: a unit name grown leftwards from its suffix (湖北省宜昌市邮政分公司,
茅坪镇营业所, 县分公司); a place followed by 邮政 / 邮银, the collective name of a
place's postal network (宜昌邮政) or of its post and bank together (浙江邮银);
and the bare unit words of config/unit_words.jsonl (总行).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.gazetteer import default_gazetteer
from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions
from kg.nlp.name_growth import Stops, is_name_char, place_spans, window_start
from kg.nlp.names import parse_unit


@Language.factory(
    "kg_branch_finder",
    assigns=["doc._.kg_mentions"],
    default_config={
        "suffixes": "config/branch_suffixes.jsonl",
        "prefixes": "config/org_prefixes.jsonl",
        "unit_words": "config/unit_words.jsonl",
        "stops": "config/name_stops.txt",
        "place_finals": "config/place_finals.txt",
        "generic": "config/generic_words.txt",
    },
)
def make_branch_finder(nlp, name, suffixes, prefixes, unit_words, stops, place_finals, generic):
    return BranchFinder(suffixes, prefixes, unit_words, stops, place_finals, generic)


class BranchFinder:
    def __init__(self, suffixes, prefixes, unit_words, stops, place_finals, generic):
        self.suffixes = {row["suffix"]: row for row in jsonl(suffixes, ("suffix",))}
        self.prefixes = {row["text"]: row["org"] for row in jsonl(prefixes, ("text", "org"))}
        self.prefixes = dict(sorted(self.prefixes.items(), key=lambda kv: -len(kv[0])))
        self.unit_words = {row["text"]: row.get("org") for row in jsonl(unit_words, ("text",))}
        self.stops = Stops(word_list(stops))
        self.place_finals = set(word_list(place_finals))
        self.generic = longest_first(word_list(generic))
        self.gaz = default_gazetteer()
        self.suffix_re = re.compile("|".join(map(re.escape, longest_first(self.suffixes))))
        self.collective_re = re.compile("邮政|邮银")
        self.unit_word_re = re.compile("|".join(map(re.escape, longest_first(self.unit_words))))

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        last_end = 0
        for m in self.suffix_re.finditer(text):
            s, e = m.span()
            if text[e:e + 1] == "长":  # 支行长, 分行长: a title, not a unit
                continue
            mention = self._grow(text, s, e, m.group(), floor=last_end)
            if mention is None and found and found[-1].end == s and found[-1].label == "BRANCH":
                # A unit inside the unit just named: 湖北省分公司营业部 is one name.
                prev = found.pop()
                mention = self._extend(prev, text, e, m.group())
            if mention:
                found.append(mention)
                last_end = mention.end
        units = [(x.start, x.end) for x in found if x.label == "BRANCH"]
        for m in self.collective_re.finditer(text):
            mention = self._collective(text, m.start(), m.end(), units)
            if mention:
                found.append(mention)
        for m in self.unit_word_re.finditer(text):
            s, e = m.span()
            if text[e:e + 1] == "长" or any(a <= s < b for a, b in units):
                continue
            found.append(Mention(s, e, "BRANCH", m.group(), "branch_finder:unit_word",
                                 info={"org": self.unit_words[m.group()]}))
        return doc

    def _grow(self, text, s, e, suffix, floor):
        row = self.suffixes[suffix]
        w = window_start(text, s, floor=floor)
        # A name never spans a stop word: start after the last one.
        w += self.stops.last_end(text[w:s], place_spans(text[w:s], self.gaz) + self._prefix_spans(text[w:s]))
        # Right after another unit's name, the words before the suffix name a
        # place inside it (沙县区邮政分公司凤岗支局), whatever they look like.
        after_unit = floor > 0 and w == floor
        for i in range(w, s):
            cand = text[i:e]
            unit = parse_unit(cand, suffix, self.gaz, self.prefixes, row.get("org"))
            if unit.level and not unit.regions and i > w:
                continue  # a level name cut out of a longer word (各地…分公司) is no name
            if self._valid(unit, row) or (after_unit and i == w and len(unit.local) >= 2
                                          and not self.stops.inside(unit.local)):
                other = self._other_bank(text, i)
                if other is not None:
                    # 中国农业银行洛阳分行: another bank's branch is an outside organisation.
                    return Mention(other, e, "PARTNER", text[other:e], f"branch_finder:other_bank:{suffix}",
                                   info={"unit": parse_unit(text[other:e], suffix, self.gaz, {}, None)})
                kind = "level" if unit.level and not unit.local and not unit.regions else "name"
                return Mention(i, e, "BRANCH", cand, f"branch_finder:suffix:{suffix}", kind=kind,
                               info={"unit": unit, "org": unit.org})
        return None

    def _other_bank(self, text, i):
        """Start of a bank's name ending right at i (…银行), when the bank is not the Postal Savings Bank."""
        if not text.endswith("银行", 0, i):
            return None
        start = window_start(text, i - 2, max_len=12)
        start += self.stops.last_end(text[start:i - 2])
        bank = text[start:i]
        if any(bank.endswith(p) for p in self.prefixes) or len(bank) < 4:
            return None
        return start

    def _extend(self, prev, text, e, suffix):
        row = self.suffixes[suffix]
        unit = parse_unit(text[prev.start:e], suffix, self.gaz, self.prefixes, row.get("org") or prev.info.get("org"))
        return Mention(prev.start, e, "BRANCH", text[prev.start:e], f"branch_finder:inner:{suffix}",
                       info={"unit": unit, "org": unit.org})

    def _valid(self, unit, row) -> bool:
        if self.stops.inside(unit.local, place_spans(unit.local, self.gaz)):
            return False
        if unit.prefix == "" and not unit.regions and self.stops.inside(unit.text[:1]):
            return False
        if row.get("needs_prefix"):
            return bool(unit.prefix)
        if row.get("needs_org"):
            return bool(unit.prefix or unit.post_word)
        if unit.level is not None:
            return not unit.local or unit.post_word
        if not (unit.regions or unit.prefix) and not self._distinctive(unit.local):
            return False  # 乡镇网点, 邮政营业网点, 县级分公司: a kind of unit, not one unit
        return bool(unit.regions or unit.prefix or unit.post_word
                    or (unit.local and unit.local[-1] in self.place_finals))

    def _prefix_spans(self, window: str):
        """Network prefixes in a window (中国邮政集团有限公司 holds the stop word 有)."""
        spans = []
        for p in self.prefixes:
            for m in re.finditer(re.escape(p), window):
                spans.append(m.span())
        return spans

    def _distinctive(self, local: str) -> bool:
        rest = local
        for word in self.generic:
            rest = rest.replace(word, "")
        return bool(rest)

    def _collective(self, text, s, e, units):
        """宜昌邮政 / 浙江邮银: an admin name right before, no unit suffix right after."""
        if any(a <= s < b for a, b in units) or self.suffix_re.match(text, e):
            return None
        for k in range(min(self.gaz.max_len, s), 1, -1):
            form = text[s - k:s]
            if self.gaz.lookup(form) and (s - k == 0 or not is_name_char(text[s - k - 1])
                                          or self.stops.inside(text[s - k - 1])):
                word = text[e - 2:e]
                unit = parse_unit(form, "", self.gaz, {}, "post" if word == "邮政" else None)
                kind = "collective" if word == "邮政" else "name"
                return Mention(s - k, e, "BRANCH", text[s - k:e], f"branch_finder:collective:{word}",
                               kind=kind, info={"unit": unit, "org": unit.org, "collective": word})
        return None
